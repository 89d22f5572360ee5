from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from config import navigation

        # The project settings page links here without naming our URLs.
        navigation.register(
            "project", "webhooks", label=_("Webhooks"), url_name="webhook_list", order=200
        )
