from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "hrta.web.assessment"
    label = "assessment"
