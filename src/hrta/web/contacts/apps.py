from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "hrta.web.contacts"
    label = "contacts"
    verbose_name = "Contact details"
