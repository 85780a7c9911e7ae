from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("staff/", include("hrta.web.staff.urls")),
    path("api/", include("hrta.web.staff.api_urls")),
    path("", include("hrta.web.assessment.urls")),
]
