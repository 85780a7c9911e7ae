"""Coding runs, the machine's suggestions, people's codes and the themes a wave adds.

A run codes one open-ended question of one wave (its answers as
hrta.web.surveys.selectors.response_set gives them). People's codes are kept per answer
and coder, apart from runs, so that coding a wave again keeps every person's work.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from hrta.web.surveys.models import Response, Wave


class CodingRun(models.Model):
    """The machine's coding of one question of a wave: at most one per wave and question,
    replaced when the analyst codes again."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="coding_runs")
    question = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    codebook_fingerprint = models.CharField(max_length=32, blank=True)
    themes = models.JSONField(default=list)  # the codebook's theme ids, in order, at the run
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "question"],
                                               name="coding_run_per_question")]


class Suggestion(models.Model):
    """The machine's codes of one answer: its themes and every theme's confidence."""

    run = models.ForeignKey(CodingRun, on_delete=models.CASCADE, related_name="suggestions")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="+")
    # The answer's name in the ResponseSet and the text that was coded: an answer changed
    # since (an import that replaced it) no longer matches and counts as not yet coded.
    response_key = models.CharField(max_length=200)
    text = models.TextField()
    status = models.CharField(max_length=10)  # coded, uncoded or uncodable
    themes = models.JSONField(default=list)  # [[theme id, confidence], ...], coded ones
    confidences = models.JSONField(default=list)  # every theme's, in the run's theme order
    vector = models.BinaryField(null=True)  # float32 embedding, for choosing quotes
    position = models.PositiveIntegerField()  # review order: closest calls first

    class Meta:
        ordering = ["position"]
        indexes = [models.Index(fields=["run", "position"])]


class HumanCode(models.Model):
    """One person's coding of one answer. A primary reviewer's codes override the
    machine's; a blind second coder's are only compared."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=100)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="+")
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    primary = models.BooleanField(default=True)
    themes = models.JSONField(default=list)
    hide_quote = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "question", "response", "coder"],
                                               name="one_code_per_coder")]
        indexes = [models.Index(fields=["wave", "question"])]


class ProposedTheme(models.Model):
    """A group of answers no theme fits, found by a run, for a person to name or dismiss."""

    class Status(models.TextChoices):
        PROPOSED = "proposed"
        ADDED = "added"
        DISMISSED = "dismissed"

    run = models.ForeignKey(CodingRun, on_delete=models.CASCADE, related_name="proposals")
    size = models.PositiveIntegerField()
    representatives = models.JSONField(default=list)
    words = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)

    class Meta:
        ordering = ["-size", "id"]


class WaveTheme(models.Model):
    """A theme a person added to a wave's codebook (on top of the bundled one)."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=100)
    theme_id = models.CharField(max_length=60)
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    examples = models.JSONField(default=list)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["wave", "question", "theme_id"],
                                               name="wave_theme_once")]


class WaveCodebook(models.Model):
    """A codebook staff uploaded for one open-ended question of a wave: it takes the place
    of the bundled one (a questionnaire hrta bundles no codebook for has none without it).
    Kept as hrta's codebook YAML, the text `hrta code --codebook` reads."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=100)
    text = models.TextField()
    name = models.CharField(max_length=200)  # the uploaded file's name
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "question"],
                                               name="wave_codebook_per_question")]


class ReleasedQuote(models.Model):
    """A quote or write-in the name screen held back (hrta.report.themes) that an analyst
    read and released for the wave's report and dashboard, by its id (`QUESTION-N`, or
    `QUESTION-other-N` for a write-in), as `hrta report --release-quote` does."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    quote_id = models.CharField(max_length=200)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    released_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["wave", "quote_id"],
                                               name="released_quote_once")]
