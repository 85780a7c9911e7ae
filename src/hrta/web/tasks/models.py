"""A Job: one piece of slow work a person asked for, what the page about it shows.

The queue itself (which worker takes what, in which order) is django-tasks' table; a Job is
what it is *for*: its kind, its wave, how far it has got, its result file, why it failed.
A worker that holds a Job renews its lease (`heartbeat_at`) every few seconds; a Job whose
lease has lapsed lost its worker (a crash, SIGKILL, a machine gone) and is put back in the
queue for another, up to `max_attempts`.

`key` names what a Job works on (a wave's coding, a wave's report in one format): at most
one queued or running Job per key, held by a partial unique index in the database, so two
clicks, two tabs or two servers start one Job.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from hrta.web.surveys.models import Wave


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        CANCELLED = "cancelled"

    class Kind(models.TextChoices):
        CODING = "coding"
        REPORT = "report"
        IMPORT = "import"
        FINDINGS = "findings"
        EMAIL = "email"  # a mailing (hrta.web.invitations)
        MESSAGE = "message"  # one message, to a respondent or staff (hrta.web.mail.services)

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=200)
    params = models.JSONField(default=dict)
    wave = models.ForeignKey(Wave, null=True, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)  # why it failed, in words a person can act on
    notice = models.TextField(blank=True)  # what to know, e.g. the wave changed while it waited
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    # What the input was when the Job was asked for (hrta.web.tasks.runners.fingerprint).
    input_fingerprint = models.CharField(max_length=64, blank=True)
    worker_id = models.CharField(max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(null=True)
    task_result_id = models.CharField(max_length=64, blank=True)  # the queue's row
    result_path = models.CharField(max_length=300, blank=True)  # under the shared folder
    result_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField(null=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(
            fields=["key"], condition=Q(status__in=["queued", "running"]),
            name="one_active_job_per_key")]
        indexes = [models.Index(fields=["status", "heartbeat_at"]),
                   models.Index(fields=["wave", "kind"])]

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0
