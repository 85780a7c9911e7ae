from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "hrta.web.staff"
    label = "staff"
