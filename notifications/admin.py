"""Notifications in the admin, read-only: why did someone get (or not get) a notification?"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from config.admin_i18n import GrammaticalAdminMixin
from notifications.models import Notification, NotificationSetting, Watch


class ReadOnlyAdmin(GrammaticalAdminMixin, admin.ModelAdmin):
    """Rows the event-log consumer and the users' own pages write; editing one by hand
    could notify or e-mail someone twice, so the admin only shows them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("recipient", "kind", "task", "actor", "created_at", "read_at", "email")
    list_select_related = ("recipient", "task", "task__project", "actor", "email")
    list_filter = ("kind", "created_at")
    search_fields = ("recipient__username", "recipient__full_name", "task__title")
    date_hierarchy = "created_at"
    raw_id_fields = ("recipient", "task", "actor", "email")


@admin.register(Watch)
class WatchAdmin(ReadOnlyAdmin):
    list_display = ("user", "task", "created_at")
    list_select_related = ("user", "task", "task__project")
    search_fields = ("user__username", "task__title")
    raw_id_fields = ("user", "task")


@admin.register(NotificationSetting)
class NotificationSettingAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "channel")
    list_select_related = ("user",)
    list_filter = ("kind", "channel")
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
