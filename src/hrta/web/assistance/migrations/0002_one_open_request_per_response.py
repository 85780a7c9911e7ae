"""One open TA request per response.

Before the constraint, a response with more than one open request (a form sent twice)
keeps its first; each later one is closed without delivery, its outcome naming the
request it repeated, with a step in its history. Nothing is deleted.
"""

from django.db import migrations, models
from django.utils import timezone

OPEN = ["received", "assigned", "scheduled"]


def _close_repeats(apps, schema_editor):
    request_model = apps.get_model("assistance", "TARequest")
    event_model = apps.get_model("assistance", "TARequestEvent")
    requests = request_model.objects.using(schema_editor.connection.alias)
    repeated = (requests.filter(status__in=OPEN).values("response_id")
                .annotate(open=models.Count("id")).filter(open__gt=1))
    today = timezone.localdate()
    for group in repeated:
        first, *later = requests.filter(response_id=group["response_id"],
                                        status__in=OPEN).order_by("received_at", "id")
        for request in later:
            outcome = (f"Sent twice: the same organization's request TA-{first.pk:05d} "
                       "was already open.")
            previous = request.status
            request.status = "closed"
            request.closed_on = max(today, request.received_on)
            request.outcome = f"{request.outcome}\n{outcome}".strip()
            request.updated_at = timezone.now()
            request.save(update_fields=["status", "closed_on", "outcome", "updated_at"])
            event_model.objects.using(schema_editor.connection.alias).create(
                request=request, on=request.closed_on, status="closed",
                previous_status=previous, note=outcome)
    if schema_editor.connection.vendor == "postgresql":
        # Check the new steps' foreign keys now: PostgreSQL will not build the index below
        # while checks are pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ("assistance", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_close_repeats, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="tarequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["received", "assigned", "scheduled"])),
                fields=("response",), name="one_open_ta_request_per_response"),
        ),
    ]
