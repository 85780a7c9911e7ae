from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed_catalog(**kwargs: Any) -> None:
    # Imported here: the services pull in the analysis, which Django's start-up (and
    # `hrta user add`) should not pay for.
    from hrta.web.assistance.services import seed_catalog_after_migrate

    seed_catalog_after_migrate(**kwargs)


class AssistanceConfig(AppConfig):
    name = "hrta.web.assistance"
    label = "assistance"
    verbose_name = "TA plans, catalog and requests"

    def ready(self) -> None:
        # Every `migrate` (hrta serve, hrta migrate, the demo, the tests) takes in the
        # catalog entries the catalog files gained since: the bundled catalog seeds the table.
        post_migrate.connect(_seed_catalog, sender=self,
                             dispatch_uid="hrta.assistance.seed_catalog")
