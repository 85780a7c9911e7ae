"""What the task pages read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils import timezone

from hrta.web.surveys.models import Wave
from hrta.web.tasks.models import Job
from hrta.web.tasks.services import results_dir


def state(job: Job) -> dict[str, Any]:
    """What the task page shows, as its polling reads it."""
    return {"status": job.status, "done": job.done, "total": job.total,
            "percent": job.percent, "message": job.message, "notice": job.notice,
            "attempts": job.attempts, "max_attempts": job.max_attempts,
            "result": bool(result_file(job))}


def result_file(job: Job) -> Path | None:
    """The Job's result file while it is kept (None once expired or removed)."""
    if job.status != Job.Status.DONE or not job.result_path:
        return None
    if job.expires_at is not None and job.expires_at < timezone.now():
        return None
    path = results_dir() / job.result_path
    return path if path.is_file() else None


def coding_job(wave: Wave, run_id: int) -> Job | None:
    """The latest Job of a coding run, for its page link."""
    return (Job.objects.filter(kind=Job.Kind.CODING, wave=wave, params__run=run_id)
            .order_by("-created_at").first())


def recent(wave: Wave, kind: str, limit: int = 5) -> list[Job]:
    return list(Job.objects.filter(wave=wave, kind=kind).order_by("-created_at")[:limit])
