"""Contact records by purpose: the thank-you page's form and each TA request apart.

Until now one entry per response held whatever the two forms left, the later form's
consent over the earlier one's. Each entry is split: the TA request's details (keys
`ta_…`) become a TA request record of their own, with the entry's consent (which of the
two forms gave it can no longer be told, so both records keep it); the rest stays as the
thank-you page's record, with its raffle entry and any draw. Such a TA request record is
the response's, not one request's: the TA request page shows it for requests sent before
this change.
"""

import json

from django.db import migrations, models

from hrta.web.contacts.crypto import decrypt, encrypt


def _split(apps, schema_editor):
    contact_model = apps.get_model("contacts", "Contact")
    entries = contact_model.objects.using(schema_editor.connection.alias)
    for entry in entries.all().order_by("id"):
        details = json.loads(decrypt(entry.details_encrypted)) if entry.details_encrypted \
            else {}
        asked = {k: v for k, v in details.items() if k.startswith("ta_")}
        if not asked:
            continue
        rest = {k: v for k, v in details.items() if k not in asked}
        if not rest and not entry.raffle and entry.drawn_at is None:
            # Only a TA request ever left details here.
            entry.purpose = "ta_request"
            entry.save(update_fields=["purpose"])
            continue
        entries.create(wave_slug=entry.wave_slug, response_key=entry.response_key,
                       purpose="ta_request", may_contact=entry.may_contact,
                       details_encrypted=encrypt(json.dumps(asked, ensure_ascii=False)),
                       created_at=entry.created_at)
        entry.details_encrypted = encrypt(json.dumps(rest, ensure_ascii=False)) if rest else ""
        entry.save(update_fields=["details_encrypted"])


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='contact',
            name='purpose',
            field=models.CharField(choices=[('raffle', 'Thank-you page: raffle entry and consent to be contacted'), ('ta_request', 'Request for individualized TA')], default='raffle', max_length=20),
        ),
        migrations.AddField(
            model_name='contact',
            name='replaced_at',
            field=models.DateTimeField(blank=True, help_text='When the same form was sent again: the newer record counts, this one stays as history.', null=True),
        ),
        migrations.AddField(
            model_name='contact',
            name='ta_request',
            field=models.PositiveBigIntegerField(blank=True, help_text='The TA request these details came with (its id in the answers database).', null=True),
        ),
        migrations.AlterField(
            model_name='contact',
            name='details_encrypted',
            field=models.TextField(blank=True, help_text="The form's contact answers (JSON), encrypted."),
        ),
        migrations.AlterField(
            model_name='contact',
            name='may_contact',
            field=models.BooleanField(default=False, help_text='Agreed on this form to be contacted about technical assistance (on a TA request: to be invited to cohorts).'),
        ),
        migrations.AlterField(
            model_name='contact',
            name='response_key',
            field=models.UUIDField(db_index=True),
        ),
        migrations.RunPython(_split, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='contact',
            index=models.Index(fields=['wave_slug', 'purpose'], name='contacts_co_wave_sl_9d9550_idx'),
        ),
        migrations.AddConstraint(
            model_name='contact',
            constraint=models.UniqueConstraint(condition=models.Q(('purpose', 'raffle'), ('replaced_at__isnull', True)), fields=('response_key',), name='one_current_raffle_record'),
        ),
        migrations.AddConstraint(
            model_name='contact',
            constraint=models.UniqueConstraint(condition=models.Q(('purpose', 'ta_request'), ('replaced_at__isnull', True), ('ta_request__isnull', False)), fields=('ta_request',), name='one_current_record_per_ta_request'),
        ),
    ]
