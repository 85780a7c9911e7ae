"""Who was invited, what was sent to whom, and who asked for no more mail.

Every table here sits in the contacts database (hrta.web.contacts.routers), with names,
addresses and personal-link tokens encrypted like every other contact detail; a keyed
digest of the address (hrta.web.mail.services.digest) finds duplicates and unsubscribes
without decrypting. An invitee's response is found through `start_hash`: the personal
link starts the response as a landing page's Start form does (hrta.web.surveys.services.
start_from_form), so the response carries the same hash — no key joins the two databases.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hrta.web.contacts.crypto import decrypt, encrypt


class Encrypted:
    """A text field kept encrypted in `<name>_encrypted`."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.column = f"{name}_encrypted"

    def __get__(self, instance: object, owner: type | None = None) -> str:
        stored = getattr(instance, self.column)
        return decrypt(stored) if stored else ""

    def __set__(self, instance: object, value: str) -> None:
        setattr(instance, self.column, encrypt(value) if value else "")


class Invitee(models.Model):
    """An organization invited to a wave, with its personal link's token."""

    wave_slug = models.SlugField()
    name_encrypted = models.TextField(blank=True)
    address_encrypted = models.TextField()
    digest = models.CharField(max_length=64, help_text="HMAC of the case-folded address.")
    token_encrypted = models.TextField(help_text="The personal link's token, encrypted.")
    start_hash = models.CharField(
        max_length=64, unique=True,
        help_text="The hash the invitee's response carries as its start_hash.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)

    name = Encrypted()
    address = Encrypted()
    token = Encrypted()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["wave_slug", "digest"],
                                               name="one_invitation_per_address_and_wave")]


class Mailing(models.Model):
    """One send staff asked for: its message as written, to whom it goes (Deliveries)."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER = "reminder", _("Reminder")
        COHORT = "cohort", _("Cohort invitation")

    wave_slug = models.SlugField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    language = models.CharField(max_length=10, default="en")
    site = models.CharField(max_length=300, help_text="The address links in the messages "
                                                      "start with, as staff reached the app.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)


class Delivery(models.Model):
    """One message of a mailing to one address, and what became of it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Not sent"
        SKIPPED = "skipped", "Not sent: unsubscribed or finished"

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    invitee = models.ForeignKey(Invitee, null=True, on_delete=models.CASCADE,
                                related_name="deliveries")
    name_encrypted = models.TextField(blank=True)
    address_encrypted = models.TextField()
    digest = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True, help_text="The mail server's answer, or why skipped.")
    attempts = models.PositiveSmallIntegerField(default=0)
    tried_at = models.DateTimeField(null=True, db_index=True)

    name = Encrypted()
    address = Encrypted()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["mailing", "status"])]


class Unsubscribe(models.Model):
    """An address that asked for no more mail: from one wave's invitations, or (an empty
    `wave_slug`) from any mail hrta sends to invitees and cohorts."""

    digest = models.CharField(max_length=64, db_index=True)
    wave_slug = models.SlugField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["digest", "wave_slug"],
                                               name="one_unsubscribe_per_scope")]


def unsubscribed(*, wave_slug: str) -> Q:
    """Matches the Unsubscribe rows that stop mail to an address for this wave."""
    return Q(wave_slug=wave_slug) | Q(wave_slug="")
