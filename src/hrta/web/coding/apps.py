from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "hrta.web.coding"
    label = "coding"
    verbose_name = "Coding open-ended answers"
