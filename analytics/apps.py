from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        # Integrations must not import analytics (the dependency goes the
        # other way), so analytics joins the event log's consumers itself.
        from analytics.services import CONSUMER
        from analytics.tasks import analytics_event_task
        from integrations.consumers import register

        register(name=CONSUMER, task=analytics_event_task)

        # Lower apps' pages (the team page, the dashboard) link to analytics and
        # show its at-risk panel without naming its URLs (see config.navigation).
        from analytics.views import at_risk_panel
        from config import navigation

        navigation.register("team", "analytics", label=_("Analytics"), url_name="analytics_team")
        navigation.register(
            "intern", "analytics", label=_("My analytics"), url_name="analytics_intern"
        )
        navigation.register_panel(
            "dashboard", "at_risk", template="analytics/at_risk_panel.html", build=at_risk_panel
        )
