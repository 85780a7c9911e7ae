"""Contact records: one for each contact form a respondent sent, kept with its purpose.

The thank-you page's form (a raffle entry, and consent to be contacted) and each request
for individualized TA (the name and e-mail to answer it by, and consent to be invited to
cohorts) leave records of their own, so no form ever changes what another form left.
Sending the same form again adds a record and marks the earlier one replaced: the newest
counts, the earlier stay as history.

`response_key` is the response's public id, and `ta_request` a TA request's id: they let
the respondent's own pages, the TA request page and the cohort invitations find a record,
but no foreign key or export joins it to answers.
"""

from __future__ import annotations

import json
import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone

from hrta.web.contacts.crypto import decrypt, encrypt


class Contact(models.Model):
    class Purpose(models.TextChoices):
        RAFFLE = "raffle", "Thank-you page: raffle entry and consent to be contacted"
        TA_REQUEST = "ta_request", "Request for individualized TA"

    wave_slug = models.SlugField()
    response_key = models.UUIDField(db_index=True)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.RAFFLE)
    ta_request = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The TA request these details came with (its id in "
                                         "the answers database).")
    raffle = models.BooleanField(default=False)
    may_contact = models.BooleanField(
        default=False, help_text="Agreed on this form to be contacted about technical "
                                 "assistance (on a TA request: to be invited to cohorts).")
    details_encrypted = models.TextField(
        blank=True, help_text="The form's contact answers (JSON), encrypted.")
    created_at = models.DateTimeField(default=timezone.now)
    drawn_at = models.DateTimeField(null=True, blank=True)
    replaced_at = models.DateTimeField(
        null=True, blank=True, help_text="When the same form was sent again: the newer "
                                         "record counts, this one stays as history.")

    class Meta:
        permissions = [("draw_winner", "Can draw a raffle winner and see contact details")]
        constraints = [
            models.UniqueConstraint(
                fields=["response_key"], name="one_current_raffle_record",
                condition=Q(purpose="raffle", replaced_at__isnull=True)),
            models.UniqueConstraint(
                fields=["ta_request"], name="one_current_record_per_ta_request",
                condition=Q(purpose="ta_request", replaced_at__isnull=True,
                            ta_request__isnull=False)),
        ]
        indexes = [models.Index(fields=["wave_slug", "purpose"])]

    @property
    def details(self) -> dict[str, str]:
        """Contact question id -> answer, e.g. {"raffle_name": ..., "raffle_email": ...}
        on the thank-you page, {"ta_name": ..., "ta_email": ...} on a TA request."""
        return json.loads(decrypt(self.details_encrypted)) if self.details_encrypted else {}

    @details.setter
    def details(self, value: dict[str, str]) -> None:
        self.details_encrypted = encrypt(json.dumps(value, ensure_ascii=False)) if value else ""


def current(purpose: str) -> models.QuerySet[Contact]:
    """The records of one purpose that count: not replaced by a newer one."""
    return Contact.objects.filter(purpose=purpose, replaced_at=None)


def raffle_entrants(*, wave_slug: str) -> models.QuerySet[Contact]:
    """Entries that may still win: entered on the newest thank-you form, never drawn, and
    from a response still counted (a response excluded, e.g. as a duplicate copy of an
    import, takes its entry out of the draw: one organization, one chance)."""
    from hrta.web.surveys.models import Response  # the answers database, apart from this one

    drawn = Contact.objects.filter(wave_slug=wave_slug, purpose=Contact.Purpose.RAFFLE,
                                   drawn_at__isnull=False).values("response_key")
    excluded = list(Response.objects.filter(wave__slug=wave_slug, excluded=True)
                    .values_list("public_id", flat=True))
    return current(Contact.Purpose.RAFFLE).filter(
        wave_slug=wave_slug, raffle=True, drawn_at=None).exclude(
        response_key__in=drawn).exclude(response_key__in=excluded)


def raffle_winners(*, wave_slug: str) -> models.QuerySet[Contact]:
    return Contact.objects.filter(wave_slug=wave_slug, purpose=Contact.Purpose.RAFFLE,
                                  drawn_at__isnull=False).order_by("drawn_at")


def draw_winner(*, wave_slug: str) -> Contact | None:
    """A raffle entrant chosen uniformly at random with the operating system's generator."""
    entrants = list(raffle_entrants(wave_slug=wave_slug))
    if not entrants:
        return None
    winner = secrets.choice(entrants)
    winner.drawn_at = timezone.now()
    winner.save(update_fields=["drawn_at"])
    return winner
