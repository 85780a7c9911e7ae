"""Run by test_integrity in a fresh data folder: migrate both databases to the earlier
schema, leave rows there as the earlier version did, migrate to the newest, and print
what the rows became as JSON (the last line)."""

from __future__ import annotations

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrta.web.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402

from hrta.web.contacts.crypto import decrypt, encrypt  # noqa: E402

EARLIER = [("surveys", "0001_initial"), ("assistance", "0001_initial")]


def earlier_apps(alias: str, targets: list[tuple[str, str]]):
    return MigrationExecutor(connections[alias]).loader.project_state(targets).apps


def leave_earlier_rows() -> None:
    apps = earlier_apps("default", EARLIER)
    wave = apps.get_model("surveys", "Wave").objects.create(slug="before", title="Before")
    responses = apps.get_model("surveys", "Response").objects
    for rid in ("r1", "r1", "r2"):  # r1 imported twice by two racing imports
        responses.create(wave=wave, respondent_id=rid, source="import", status="submitted")
    asking = responses.create(wave=wave, status="submitted")
    requests = apps.get_model("assistance", "TARequest").objects
    for _ in range(2):  # "Ask for TA" sent twice
        requests.create(response=asking, wave=wave, areas=["funding"])
    contacts = earlier_apps("contacts", [("contacts", "0001_initial")])
    entries = contacts.get_model("contacts", "Contact").objects.using("contacts")
    # Both forms wrote into one entry; then one that only a TA request wrote.
    entries.create(wave_slug="before", response_key=asking.public_id, raffle=True,
                   may_contact=True, details_encrypted=encrypt(json.dumps({
                       "raffle_name": "Bo", "raffle_email": "bo@raffle.example",
                       "ta_name": "Ana", "ta_email": "ana@ta.example"})))
    entries.create(wave_slug="before", response_key=responses.get(respondent_id="r2").public_id,
                   details_encrypted=encrypt(json.dumps({"ta_email": "cy@ta.example"})))


def main() -> None:
    call_command("migrate", "auth", database="default", verbosity=0)
    for app, name in EARLIER:
        call_command("migrate", app, name, database="default", verbosity=0)
    call_command("migrate", "contacts", "0001", database="contacts", verbosity=0)
    leave_earlier_rows()
    call_command("migrate", database="default", verbosity=0)
    call_command("migrate", database="contacts", verbosity=0)

    from hrta.web.assistance.models import TARequest
    from hrta.web.contacts.models import Contact
    from hrta.web.surveys.models import AuditEntry, Response

    contacts = sorted(
        ([c.purpose, c.raffle, c.may_contact,
          json.loads(decrypt(c.details_encrypted)) if c.details_encrypted else {}]
         for c in Contact.objects.all()),
        key=lambda row: (row[0], sorted(row[3].items())))
    print(json.dumps({
        "contacts": contacts,
        "respondent_ids": sorted(Response.objects.exclude(respondent_id="")
                                 .values_list("respondent_id", flat=True)),
        "requests": [[r.status, r.outcome[:10]] for r in TARequest.objects.order_by("id")],
        "audit": list(AuditEntry.objects.filter(action="import_dedupe")
                      .values_list("action", flat=True)),
    }))


if __name__ == "__main__":
    main()
