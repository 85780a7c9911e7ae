from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "hrta.web.tasks"
    label = "tasks"
    verbose_name = "Work done off the request path"
    default_auto_field = "django.db.models.BigAutoField"
