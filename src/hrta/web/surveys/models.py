"""A wave is one round of the assessment; a response holds one organization's answers.

Answers are stored in the long shape every hrta stage takes (question_id, option_id,
value), so a wave becomes a ResponseSet without translation. Contact details are never
stored here: see hrta.web.contacts.
"""

from __future__ import annotations

import uuid
from datetime import date
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hrta.instrument import DEFAULT_INSTRUMENT, Instrument, load, parse
from hrta.instrument.translation import versions


class Wave(models.Model):
    slug = models.SlugField(unique=True, help_text="Short name used in links, e.g. 2026-spring.")
    title = models.CharField(max_length=200)
    instrument_id = models.CharField(max_length=100, default=DEFAULT_INSTRUMENT)
    instrument_version = models.CharField(max_length=40, blank=True)
    instrument_yaml = models.TextField(
        blank=True, help_text="The instrument as YAML, for a wave whose questionnaire is not "
                              "bundled with hrta; empty for a bundled one (instrument_id).")
    instrument_translations = models.JSONField(
        default=dict, blank=True,
        help_text="The wave's own instrument in its other languages: translation overlays "
                  "by language code, as `hrta instrument import` writes them beside the "
                  "YAML (survey.es.yaml). A bundled instrument's come with hrta.")
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
        if self.instrument_yaml:
            return stored_instrument(self.instrument_yaml)
        return load(self.instrument_id)

    @property
    def versions(self) -> tuple[Instrument, ...]:
        """The instrument in each of its other languages, which an export of a
        multi-language survey may answer in (hrta.instrument.translation.versions)."""
        if not self.instrument_yaml:
            return ()
        return versions(self.instrument, self.instrument_translations or {})

    def is_open(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        if not self.accepting:
            return False
        if self.opens_on and today < self.opens_on:
            return False
        return not (self.closes_on and today > self.closes_on)


@lru_cache(maxsize=32)
def stored_instrument(text: str) -> Instrument:
    """A wave's own instrument, parsed once per process: every page of an assessment and
    every dashboard view reads it."""
    return parse(text, origin="the wave's instrument")


class Response(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        INELIGIBLE = "ineligible", _("Screened out")

    class Source(models.TextChoices):
        WEB = "web", _("Web")
        IMPORT = "import", _("Imported")

    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="responses")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    respondent_id = models.CharField(
        max_length=200, blank=True, help_text="The respondent id of an imported export.")
    # Only a hash of the resume code is kept, so the database alone cannot reopen a response.
    resume_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # A hash of the token the landing page's Start form carries: a second POST of the same
    # form (a double-click) resumes the response the first one made instead of a new one.
    start_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
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
        constraints = [
            # An export's respondent is in a wave once, however many imports race.
            models.UniqueConstraint(fields=["wave", "respondent_id"],
                                    condition=~models.Q(respondent_id=""),
                                    name="one_response_per_respondent_id"),
        ]

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


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class AuditQuerySet(models.QuerySet):
    """Audit entries can be added and read; every bulk path that changes them refuses."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("the audit log is append-only: entries cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the audit log is append-only: entries cannot be deleted")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AppendOnlyError("the audit log is append-only: entries cannot be changed")

    def _raw_delete(self, using: str | None) -> int:
        raise AppendOnlyError("the audit log is append-only: entries cannot be deleted")


class AuditEntry(models.Model):
    """Who did what, when and from where: every change to answers, exclusions, codes, TA
    requests, users, waves and settings, and every export and download.

    Append-only from the application: saving an existing entry, deleting one and the
    queryset's update() and delete() raise AppendOnlyError, and database triggers refuse
    UPDATE and DELETE on the table (migration 0003). Who, which wave and which response
    are kept as text written with the entry, so deleting a user or a wave never rewrites
    the log; the foreign keys are for look-ups only and have no database constraint.
    """

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.DO_NOTHING, db_constraint=False)
    username = models.CharField(max_length=150, blank=True,
                                help_text="The staff account's name when the entry was made.")
    address = models.CharField(
        max_length=45, blank=True,
        help_text="The client's IP address; empty for respondents (never kept) and commands.")
    via = models.CharField(max_length=10, blank=True, help_text="web, api or cli.")
    action = models.CharField(max_length=60)
    wave = models.ForeignKey(Wave, null=True, blank=True, on_delete=models.DO_NOTHING,
                             db_constraint=False)
    wave_slug = models.CharField(max_length=50, blank=True)
    response = models.ForeignKey(Response, null=True, blank=True,
                                 on_delete=models.DO_NOTHING, db_constraint=False)
    response_ref = models.CharField(
        max_length=200, blank=True,
        help_text="The response's name on staff pages (respondent id or pseudonym).")
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError("the audit log is append-only: entries cannot be changed")
        # Always an INSERT: an entry made with the id of an existing one must not replace it.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("the audit log is append-only: entries cannot be deleted")
