"""The one django-tasks task, `run_job`: it works a Job by its kind (hrta.web.tasks.runners)
while renewing the Job's lease, and finishes it only if it still holds it.

A Job is finished once: the worker takes it with a conditional update (queued → running,
attempt n+1) and every later write names that attempt, so a worker that lost its lease (and
whose Job another worker took) writes nothing. Cancelling is seen at the next progress step.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django_tasks import TaskContext, task

from hrta.web.tasks.models import Job
from hrta.web.tasks.services import results_dir

log = logging.getLogger(__name__)


class Stopped(Exception):  # noqa: N818  (it is not an error: the work was stopped)
    """The Job was cancelled, or another worker holds it now: stop and write nothing."""


@dataclass
class Working:
    """What a runner is given: the Job (as taken) and the means to report on it."""

    job: Job
    attempt: int
    _stop: threading.Event = field(default_factory=threading.Event)
    # What to do once the Job is done (not before: it is still the key's active Job).
    afterwards: list[Callable[[], None]] = field(default_factory=list)

    def progress(self, done: int, total: int | None = None) -> None:
        """How far the work has got; raises Stopped once the Job is no longer this
        worker's (cancelled, or taken over)."""
        fields: dict[str, object] = {"done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        if not self.mine().update(**fields):
            self._stop.set()
        if self._stop.is_set():
            raise Stopped

    def check(self) -> None:
        if self._stop.is_set():
            raise Stopped

    def mine(self) -> QuerySet[Job]:
        return Job.objects.filter(pk=self.job.pk, status=Job.Status.RUNNING,
                                  attempts=self.attempt)

    @contextmanager
    def owned(self) -> Iterator[None]:
        """A transaction in which the Job is still this worker's (its row locked): the
        runner's final writes go inside, so a Job's result is written once."""
        with transaction.atomic():
            if not self.mine().select_for_update().exists():
                self._stop.set()
                raise Stopped
            yield

    def notice(self, text: str) -> None:
        self.mine().update(notice=text)

    def result_file(self, name: str) -> Path:
        """Where to write the Job's result (a shared folder, one per Job)."""
        folder = results_dir() / str(self.job.pk)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name


@task(takes_context=True)
def run_job(context: TaskContext, job_id: str) -> str:
    """The queue's entry point: work the Job on the worker that took this queue row."""
    return work_job(job_id, worker=(context.task_result.worker_ids or [""])[-1][:64])


def work_job(job_id: str, *, worker: str) -> str:
    """Take the Job if it is still queued, work it, finish it if it is still ours; says
    what became of it (done, failed, stopped, skipped)."""
    now = timezone.now()
    taken = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, attempts=F("attempts") + 1, worker_id=worker,
        heartbeat_at=now, started_at=now)
    if not taken:
        return "skipped"  # cancelled while queued, or already taken
    job = Job.objects.get(pk=job_id)
    working = Working(job=job, attempt=job.attempts)
    log.info("job %s (%s) attempt %s on worker %s", job.pk, job.key, job.attempts, worker)
    beat = threading.Thread(target=_heartbeat, args=(working,), daemon=True,
                            name=f"lease-{job.pk}")
    beat.start()
    try:
        from hrta.web.tasks.runners import RUNNERS

        # What the runner writes on the task page (notices, the reason it failed) reads in
        # the language of the person who asked.
        with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
            outcome = RUNNERS[job.kind](working)
        with working.owned():
            fields: dict[str, object] = {"status": Job.Status.DONE,
                                         "finished_at": timezone.now()}
            if outcome is not None:
                name, content_type = outcome
                fields.update(result_path=f"{job.pk}/{name}", result_name=name,
                              content_type=content_type,
                              expires_at=timezone.now() + timedelta(
                                  days=settings.HRTA_TASK_RESULT_DAYS))
            working.mine().update(**fields)
        for then in working.afterwards:
            then()
        return "done"
    except Stopped:
        log.info("job %s stopped: cancelled or taken over", job_id)
        return "stopped"
    except Exception as exc:  # the page must say why, whatever the cause
        log.exception("job %s (%s) failed", job_id, job.key)
        working.mine().update(status=Job.Status.FAILED, message=_reason(job, exc)[:2000] or
                               type(exc).__name__, finished_at=timezone.now())
        return "failed"
    finally:
        working._stop.set()
        beat.join(timeout=5)


def _reason(job: Job, exc: Exception) -> str:
    """Why the task failed, in the language of the person who asked: a bad file's error
    (shared with the command line) through hrta.web.inputerrors."""
    from hrta.errors import InputError
    from hrta.web import inputerrors

    if not isinstance(exc, InputError):
        return str(exc)
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        return inputerrors.text(exc)


def _heartbeat(working: Working) -> None:
    """Renew the lease every third of it, on this thread's own connection, until the work
    ends or the Job is no longer this worker's."""
    every = max(settings.HRTA_TASK_LEASE / 3, 0.2)
    try:
        while not working._stop.wait(every):
            try:
                if not working.mine().update(heartbeat_at=timezone.now()):
                    working._stop.set()
            except Exception:  # a database blip: the next beat tries again
                log.warning("job %s: lease not renewed", working.job.pk, exc_info=True)
    finally:
        connection.close()
