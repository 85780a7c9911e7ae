from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0003_audit_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="wave",
            name="instrument_yaml",
            field=models.TextField(
                blank=True,
                help_text="The instrument as YAML, for a wave whose questionnaire is not "
                          "bundled with hrta; empty for a bundled one (instrument_id).",
            ),
        ),
    ]
