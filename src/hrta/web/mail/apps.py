from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "hrta.web.mail"
    label = "mail"
