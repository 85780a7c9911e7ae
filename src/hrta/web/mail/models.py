"""Addresses a respondent gave to be sent their resume link. They sit in the contacts
database (hrta.web.contacts.routers), encrypted like every other address; a keyed digest
lets a "send me a new link" request find them without decrypting every row.

A resume link waiting to be sent (its message goes out from a worker, not the request) is
kept here too, encrypted, and forgotten once the message has been tried: the queue's task
names only this row, never the address, the code or the message."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from hrta.web.contacts.crypto import decrypt, encrypt


class ResumeAddress(models.Model):
    wave_slug = models.SlugField()
    response_key = models.UUIDField(db_index=True)
    address_encrypted = models.TextField()
    digest = models.CharField(max_length=64, db_index=True,
                              help_text="HMAC of the case-folded address.")
    created_at = models.DateTimeField(default=timezone.now)
    # The resume link (with its code) waiting for its message; empty once tried.
    link_encrypted = models.TextField(blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response_key"],
                                               name="one_resume_address_per_response")]

    @property
    def address(self) -> str:
        return decrypt(self.address_encrypted)

    @address.setter
    def address(self, value: str) -> None:
        self.address_encrypted = encrypt(value)

    @property
    def pending_link(self) -> str:
        return decrypt(self.link_encrypted) if self.link_encrypted else ""
