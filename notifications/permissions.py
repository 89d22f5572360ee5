"""Who may read and change which notification: only its recipient."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404
from django.utils.translation import gettext as _

from notifications.models import Notification

if TYPE_CHECKING:
    from accounts.models import User


def get_notification_for_user(user: User, pk: int) -> Notification:
    """The user's own notification ``pk``; Http404 for anyone else's, like a missing one."""
    notification = (
        Notification.objects.for_user(user).select_related("task", "task__project").filter(pk=pk)
    ).first()
    if notification is None:
        raise Http404(_("No such notification."))
    return notification
