"""Staff sign-in records: failed attempts (for the lockout) and personal API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SignInThrottle(models.Model):
    """Failed sign-ins in a row, and the pause they earned: for one username from one
    client address ("pair"), or for any username from one address ("address")."""

    class Kind(models.TextChoices):
        PAIR = "pair", "username and address"
        ADDRESS = "address", "any username from an address"

    kind = models.CharField(max_length=7, choices=Kind.choices)
    username = models.CharField(max_length=150, blank=True,
                                help_text="As typed, case-folded; empty for an address.")
    address = models.CharField(max_length=45, blank=True,
                               help_text="The client's IP address; empty when not known.")
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(default=timezone.now)
    paused_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "username", "address"],
                                               name="one_throttle_per_kind_username_address")]
        indexes = [models.Index(fields=["last_failure_at"])]


class ApiToken(models.Model):
    """A personal token for the API. Only its SHA-256 digest is kept: the token itself is
    shown once, when it is made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The token's first characters.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AccountAccess(models.Model):
    """No table: carries the permission to manage staff accounts (admins have it)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("manage_users", "Can add, change and deactivate staff accounts")]
