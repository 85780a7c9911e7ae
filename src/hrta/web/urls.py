from django.urls import include, path
from django.views.i18n import set_language

from hrta.web import health

urlpatterns = [
    path("healthz", health.alive, name="healthz"),
    path("healthz/db", health.databases_ready, name="healthz_db"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("staff/", include("hrta.web.assistance.staff_urls")),
    path("staff/", include("hrta.web.staff.urls")),
    path("staff/", include("hrta.web.coding.urls")),
    path("staff/", include("hrta.web.tasks.urls")),
    path("api/", include("hrta.web.staff.api_urls")),
    path("", include("hrta.web.invitations.urls")),
    path("", include("hrta.web.assistance.urls")),
    path("", include("hrta.web.assessment.urls")),
]
