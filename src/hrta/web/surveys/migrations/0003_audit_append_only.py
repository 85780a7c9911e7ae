"""The audit log becomes append-only and keeps who, which wave and which response as text.

Existing entries get their user's name, their wave's slug and their response's name
(as staff pages show it) written beside the foreign keys, which lose their database
constraint and never rewrite an entry when a user, wave or response is deleted. Then
triggers make the database itself refuse UPDATE and DELETE on the table (and TRUNCATE
on PostgreSQL), whatever code asks.

A later migration that makes SQLite rebuild this table drops the triggers with it; the
audit-trail tests check after every migration that they are in force.
"""

import hashlib
import hmac

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "surveys_auditentry"

SQLITE_ON = [
    f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE refused'); END",
    f"CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE refused'); END",
]
SQLITE_OFF = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
              f"DROP TRIGGER IF EXISTS {TABLE}_no_delete"]

POSTGRES_ON = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION USING
                MESSAGE = 'the audit log is append-only: ' || TG_OP || ' refused',
                ERRCODE = 'insufficient_privilege';
        END $$""",
    f"CREATE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()",
    f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()",
]
POSTGRES_OFF = [f"DROP TRIGGER IF EXISTS {TABLE}_no_change ON {TABLE}",
                f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
                f"DROP FUNCTION IF EXISTS {TABLE}_append_only()"]


def _response_name(response) -> str:
    # As hrta.web.staff.selectors.reference names a response when this migration was made.
    if response.respondent_id:
        return response.respondent_id
    digest = hmac.new(settings.SECRET_KEY.encode(), f"response:{response.public_id}".encode(),
                      hashlib.sha256).hexdigest()
    return f"W-{digest[:10].upper()}"


def _names_as_text(apps, schema_editor):
    entries = apps.get_model("surveys", "AuditEntry").objects.using(
        schema_editor.connection.alias)
    users = apps.get_model(*settings.AUTH_USER_MODEL.split(".")).objects.using(
        schema_editor.connection.alias)
    waves = apps.get_model("surveys", "Wave").objects.using(schema_editor.connection.alias)
    responses = apps.get_model("surveys", "Response").objects.using(
        schema_editor.connection.alias)
    names = dict(users.values_list("pk", "username"))
    slugs = dict(waves.values_list("pk", "slug"))
    for entry in entries.exclude(user_id=None, wave_id=None, response_id=None).iterator():
        response = responses.filter(pk=entry.response_id).first() if entry.response_id else None
        entries.filter(pk=entry.pk).update(
            username=names.get(entry.user_id, ""), wave_slug=slugs.get(entry.wave_id, ""),
            response_ref=_response_name(response) if response else "")


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        with schema_editor.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0002_response_integrity"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="address",
            field=models.CharField(blank=True, help_text="The client's IP address; empty for respondents (never kept) and commands.", max_length=45),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="response_ref",
            field=models.CharField(blank=True, help_text="The response's name on staff pages (respondent id or pseudonym).", max_length=200),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="username",
            field=models.CharField(blank=True, help_text="The staff account's name when the entry was made.", max_length=150),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="via",
            field=models.CharField(blank=True, help_text="web, api or cli.", max_length=10),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="wave_slug",
            field=models.CharField(blank=True, max_length=50),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="response",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, to="surveys.response"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="user",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="wave",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, to="surveys.wave"),
        ),
        migrations.RunPython(_names_as_text, migrations.RunPython.noop),
        migrations.RunPython(_run({"sqlite": SQLITE_ON, "postgresql": POSTGRES_ON}),
                             _run({"sqlite": SQLITE_OFF, "postgresql": POSTGRES_OFF})),
    ]
