"""One response per respondent id in a wave, one response per Start form.

Before the constraint, a respondent id that two imports racing each other put in a wave
twice is brought back to once: the first copy stays; a later copy that came from an
import (and has no TA request) is removed with its answers, as if the second import had
been refused; any other later copy is excluded from the analysis and its respondent id
marked, so that nothing a person typed is lost. Each wave so cleaned gets an audit entry.
"""

from django.db import migrations, models


def _one_per_respondent_id(apps, schema_editor):
    response_model = apps.get_model("surveys", "Response")
    audit_model = apps.get_model("surveys", "AuditEntry")
    alias = schema_editor.connection.alias
    responses = response_model.objects.using(alias)
    doubled = (responses.exclude(respondent_id="").values("wave_id", "respondent_id")
               .annotate(copies=models.Count("id")).filter(copies__gt=1))
    removed: dict[int, list[str]] = {}
    marked: dict[int, list[str]] = {}
    for group in doubled:
        copies = list(responses.filter(wave_id=group["wave_id"],
                                       respondent_id=group["respondent_id"]).order_by("id"))
        first = copies[0]
        for number, copy in enumerate(copies[1:], start=2):
            if copy.source == "import" and not copy.ta_requests.exists():
                removed.setdefault(copy.wave_id, []).append(str(copy.public_id))
                copy.delete()
                continue
            marked.setdefault(copy.wave_id, []).append(str(copy.public_id))
            copy.respondent_id = f"{copy.respondent_id} (copy {number})"[:200]
            copy.excluded = True
            copy.exclusion_reason = (f"Imported twice: the same respondent id as response "
                                     f"{first.public_id}.")
            copy.save(update_fields=["respondent_id", "excluded", "exclusion_reason"])
    if schema_editor.connection.vendor == "postgresql":
        # Deferred foreign key checks of the removed rows run now, not at the constraint's
        # ALTER TABLE below, which PostgreSQL refuses while checks are pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for wave_id in sorted(set(removed) | set(marked)):
        audit_model.objects.using(alias).create(
            action="import_dedupe", wave_id=wave_id,
            reason="Responses imported twice, brought back to one per respondent id.",
            detail={"removed": removed.get(wave_id, []), "excluded": marked.get(wave_id, [])})


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0001_initial"),
        ("assistance", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="start_hash",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.RunPython(_one_per_respondent_id, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="response",
            constraint=models.UniqueConstraint(
                condition=models.Q(("respondent_id", ""), _negated=True),
                fields=("wave", "respondent_id"), name="one_response_per_respondent_id"),
        ),
    ]
