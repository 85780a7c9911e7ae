from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hrta.web.accounts"
    label = "accounts"
