from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Integrations and accounts must not import notifications (dependencies
        # go the other way), so notifications joins the event log's consumers
        # and the e-mail outbox's senders itself.
        from accounts.services import outgoing_email_register_sender
        from integrations.consumers import register
        from notifications.services import CONSUMER, EMAIL_KIND, email_send
        from notifications.tasks import notifications_event_task

        register(name=CONSUMER, task=notifications_event_task)
        outgoing_email_register_sender(kind=EMAIL_KIND, send=email_send)
