"""The API's addresses (see hrta.web.staff.api and docs/web.md)."""

from django.urls import path

from hrta.web.staff import api

app_name = "api"

urlpatterns = [
    path("waves/<slug:slug>/findings", api.findings, name="findings"),
    path("openapi.json", api.openapi, name="openapi"),
]
