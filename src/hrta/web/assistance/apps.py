from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AssistanceConfig(AppConfig):
    name = "hrta.web.assistance"
    label = "assistance"
    verbose_name = "TA plans, catalog and requests"

    def ready(self) -> None:
        from hrta.web.assistance.services import seed_catalog_after_migrate

        # Every `migrate` (hrta serve, hrta migrate, the demo, the tests) adds catalog
        # entries that the catalog files gained since: the bundled catalog seeds the table.
        post_migrate.connect(seed_catalog_after_migrate, sender=self,
                             dispatch_uid="hrta.assistance.seed_catalog")
