from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config import health

admin.site.site_header = _("Internboard administration")
admin.site.site_title = _("Internboard")
admin.site.index_title = _("Cohorts, teams and participants")

urlpatterns = [
    path("healthz", health.healthz_view, name="healthz"),
    path("readyz", health.readyz_view, name="readyz"),
    path("statusz", health.statusz_view, name="statusz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("settings/", include("accounts.settings_urls")),
    path("api/", include("config.api_urls")),
    path("", include("projects.urls")),
    path("", include("integrations.urls")),
    path("", include("tasks.urls")),
    path("", include("analytics.urls")),
    path("", include("notifications.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

handler400 = "config.error_views.bad_request"
handler403 = "config.error_views.permission_denied"
handler404 = "config.error_views.page_not_found"
handler500 = "config.error_views.server_error"
