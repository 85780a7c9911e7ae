"""A wave is one round of the assessment; a response holds one organization's answers.

Answers are stored in the long shape every hrta stage takes (question_id, option_id,
value), so a wave becomes a ResponseSet without translation. Contact details are never
stored here: see hrta.web.contacts.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from hrta.instrument import DEFAULT_INSTRUMENT, Instrument, load


class Wave(models.Model):
    slug = models.SlugField(unique=True, help_text="Short name used in links, e.g. 2026-spring.")
    title = models.CharField(max_length=200)
    instrument_id = models.CharField(max_length=100, default=DEFAULT_INSTRUMENT)
    instrument_version = models.CharField(max_length=40, blank=True)
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    accepting = models.BooleanField(
        default=True, help_text="Respondents can answer while the wave is open and accepting.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_on", "-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def instrument(self) -> Instrument:
        return load(self.instrument_id)

    def is_open(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        if not self.accepting:
            return False
        if self.opens_on and today < self.opens_on:
            return False
        return not (self.closes_on and today > self.closes_on)


class Response(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"
        INELIGIBLE = "ineligible", "Screened out"

    class Source(models.TextChoices):
        WEB = "web", "Web"
        IMPORT = "import", "Imported"

    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="responses")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    respondent_id = models.CharField(
        max_length=200, blank=True, help_text="The respondent id of an imported export.")
    # Only a hash of the resume code is kept, so the database alone cannot reopen a response.
    resume_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    language = models.CharField(max_length=10, default="en")
    page = models.PositiveSmallIntegerField(default=0, help_text="Furthest page reached.")
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    excluded = models.BooleanField(default=False)
    exclusion_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["wave", "status", "excluded"])]

    def __str__(self) -> str:
        return str(self.public_id)

    @property
    def response_id(self) -> str:
        """The id this response carries in ResponseSets and exports."""
        return self.respondent_id or str(self.public_id)

    @property
    def finished(self) -> bool:
        return self.status != self.Status.IN_PROGRESS


class Answer(models.Model):
    """One chosen option, matrix rating or text, as in the long table."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField(max_length=120)
    option_id = models.CharField(max_length=120, blank=True, default="")
    value = models.TextField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question_id", "option_id"],
                                    name="one_answer_per_option"),
        ]
        indexes = [models.Index(fields=["question_id", "option_id"])]


class AuditEntry(models.Model):
    """Who changed what and why: exclusions, imports, downloads, raffle draws, logins."""

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL)
    action = models.CharField(max_length=60)
    wave = models.ForeignKey(Wave, null=True, blank=True, on_delete=models.SET_NULL)
    response = models.ForeignKey(Response, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
