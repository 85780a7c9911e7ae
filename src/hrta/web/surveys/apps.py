from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "hrta.web.surveys"
    label = "surveys"
    verbose_name = "Waves and responses"
