"""One contact entry per response that chose to leave details.

`response_key` is the response's public id: it lets the respondent's own pages and the
cohort invitations find an entry, but no foreign key or export joins it to answers.
"""

from __future__ import annotations

import json
import secrets

from django.db import models
from django.utils import timezone

from hrta.web.contacts.crypto import decrypt, encrypt


class Contact(models.Model):
    wave_slug = models.SlugField()
    response_key = models.UUIDField(unique=True)
    raffle = models.BooleanField(default=False)
    may_contact = models.BooleanField(
        default=False, help_text="Agreed to be contacted about technical assistance.")
    details_encrypted = models.TextField(
        blank=True, help_text="The contact questions' answers (JSON), encrypted.")
    created_at = models.DateTimeField(default=timezone.now)
    drawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        permissions = [("draw_winner", "Can draw a raffle winner and see contact details")]

    @property
    def details(self) -> dict[str, str]:
        """Contact question id -> answer, e.g. {"raffle_name": ..., "raffle_email": ...}."""
        return json.loads(decrypt(self.details_encrypted)) if self.details_encrypted else {}

    @details.setter
    def details(self, value: dict[str, str]) -> None:
        self.details_encrypted = encrypt(json.dumps(value, ensure_ascii=False)) if value else ""


def draw_winner(*, wave_slug: str) -> Contact | None:
    """A raffle entrant chosen uniformly at random with the operating system's generator."""
    entrants = list(Contact.objects.filter(wave_slug=wave_slug, raffle=True, drawn_at=None))
    if not entrants:
        return None
    winner = secrets.choice(entrants)
    winner.drawn_at = timezone.now()
    winner.save(update_fields=["drawn_at"])
    return winner
