from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0004_wave_instrument_yaml"),
    ]

    operations = [
        migrations.AddField(
            model_name="wave",
            name="instrument_translations",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The wave's own instrument in its other languages: translation "
                          "overlays by language code, as `hrta instrument import` writes "
                          "them beside the YAML (survey.es.yaml). A bundled instrument's "
                          "come with hrta.",
            ),
        ),
    ]
