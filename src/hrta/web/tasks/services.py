"""What changes Jobs: asking for one (one per key however often it is asked), cancelling,
retrying within the limit, putting back the Jobs whose worker was lost, and removing
result files past their expiry.

Every step is one database statement or transaction, so any server or worker may take it:
nothing here is kept in a process.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import uuid
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hrta.web.surveys.models import Wave
from hrta.web.tasks.models import Job

log = logging.getLogger(__name__)


class JobError(ValueError):
    """A request about a Job that is refused, said in words a person can act on."""


def results_dir() -> Path:
    """Where result files live: under HRTA_SHARED_DIR, which every server and worker of a
    deployment mounts (see docs/operators.md)."""
    return Path(settings.HRTA_SHARED_DIR) / "tasks"


def enqueue(*, kind: str, key: str, params: dict[str, Any] | None = None,
            wave: Wave | None = None, user: User | AnonymousUser | None = None,
            fingerprint: str = "", run_after: datetime | None = None) -> tuple[Job, bool]:
    """The Job for `key`: a new one in the queue, or the one already queued or running
    (a second click, another tab, another server). Says whether it is new.

    The Job keeps the language of the person who asked, so what its worker writes on the
    task page (notices, failures) reads in that language."""
    params = {"language": translation.get_language() or settings.LANGUAGE_CODE,
              **(params or {})}
    for _attempt in range(3):
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind, key=key, params=params, wave=wave,
                    created_by=user if isinstance(user, User) else None,
                    input_fingerprint=fingerprint,
                    max_attempts=settings.HRTA_TASK_ATTEMPTS)
                _send(job, run_after=run_after)  # no worker takes it sooner
            return job, True
        except IntegrityError:
            # The partial unique index: another request made this key's Job first.
            found = Job.objects.filter(key=key, status__in=Job.ACTIVE).first()
            if found is not None:
                return found, False
    raise JobError(_("This work could not be queued; try again."))


def findings_key(wave: Wave) -> str:
    """The key of a wave's `findings` Job: one queued or running per wave."""
    return f"findings:{wave.pk}"


def prepare_findings(*, wave: Wave) -> None:
    """Once the caller's transaction commits, ask a worker to make the wave's Findings,
    dashboard and charts anew (hrta.web.tasks.runners.findings), so the first person to look
    after new data does not wait for them.

    Coalesced, so that a busy hour costs a refresh every HRTA_FINDINGS_EVERY seconds, not
    one per submission: at most one refresh waits per wave (new data while it waits adds
    nothing), it waits until that long after the last one ended, and new data while one
    runs makes it queue exactly one more when it ends (hrta.web.tasks.runners.findings).

    Cheap and never failing the caller's request: a look-up when the wave's Job is already
    queued or running; a problem is logged, and the page that looks first computes them as
    before."""
    if settings.HRTA_PREPARE_FINDINGS:
        transaction.on_commit(partial(prepare_findings_now, wave), robust=True)


def prepare_findings_now(wave: Wave) -> None:
    """Queue the wave's refresh unless one is queued or running (see prepare_findings)."""
    key = findings_key(wave)
    try:
        if not Job.objects.filter(key=key, status__in=Job.ACTIVE).exists():
            last = (Job.objects.filter(key=key, status=Job.Status.DONE)
                    .order_by("-finished_at").values_list("finished_at", flat=True).first())
            after = last + timedelta(seconds=settings.HRTA_FINDINGS_EVERY) if last else None
            enqueue(kind=Job.Kind.FINDINGS, key=key, wave=wave,
                    run_after=after if after and after > timezone.now() else None)
    except Exception:  # the data is saved; only its figures will be made on first view
        log.warning("could not queue the Findings of wave %s", wave.pk, exc_info=True)


def import_later(*, wave: Wave, upload: UploadedFile, user: User | AnonymousUser,
                 fmt: str = "auto", member: str = "",
                 definition: UploadedFile | None = None) -> Job:
    """A large upload imported by a worker (hrta.web.tasks.runners.import_): the file is
    kept in the shared folder until its Job ends, and the same file sent twice while it
    waits (a double click, a reload) is one Job."""
    folder_name = uuid.uuid4().hex
    folder = uploads_dir() / folder_name
    folder.mkdir(parents=True)
    digest = hashlib.sha256()
    files: dict[str, str] = {}
    for role, given in (("upload", upload), ("definition", definition)):
        if given is None:
            continue
        with (folder / role).open("wb") as handle:
            for chunk in given.chunks():
                digest.update(chunk)
                handle.write(chunk)
        files[role] = Path(given.name or role).name
    params = {"folder": folder_name, "files": files, "format": fmt, "member": member}
    digest.update(f"{fmt}:{member}".encode())
    job, new = enqueue(kind=Job.Kind.IMPORT, key=f"import:{wave.pk}:{digest.hexdigest()[:32]}",
                       params=params, wave=wave, user=user)
    if not new:
        shutil.rmtree(folder, ignore_errors=True)  # the Job already waiting has this file
    return job


def uploads_dir() -> Path:
    """Where uploads wait for the worker that imports them (every server and worker sees
    it: it is under HRTA_SHARED_DIR)."""
    return Path(settings.HRTA_SHARED_DIR) / "uploads"


def drop_upload(job: Job) -> None:
    """An import Job's kept upload removed once the Job has ended."""
    folder = job.params.get("folder")
    if job.kind == Job.Kind.IMPORT and folder:
        shutil.rmtree(uploads_dir() / Path(folder).name, ignore_errors=True)


def _send(job: Job, run_after: datetime | None = None) -> None:
    """Put the Job in django-tasks' queue (in the caller's transaction)."""
    from hrta.web.tasks.work import run_job

    result = (run_job.using(run_after=run_after) if run_after else run_job).enqueue(
        str(job.pk))
    job.task_result_id = str(result.id)
    Job.objects.filter(pk=job.pk).update(task_result_id=job.task_result_id)


def cancel(*, job: Job) -> Job:
    """Stop a queued Job at once, a running one at its next step (its worker sees it)."""
    updated = Job.objects.filter(pk=job.pk, status__in=Job.ACTIVE).update(
        status=Job.Status.CANCELLED, message=_("Cancelled."), finished_at=timezone.now())
    job.refresh_from_db()
    if not updated:
        raise JobError(_("This work has already finished."))
    settle(job)
    return job


def settle(job: Job) -> None:
    """What a Job worked on says it ended, when the Job ends without its worker saying so
    (cancelled, or its worker lost too often): a coding run is not left "working", an
    import's kept upload is removed."""
    drop_upload(job)
    if job.kind == Job.Kind.CODING and job.params.get("run"):
        from hrta.web.coding.models import CodingRun

        CodingRun.objects.filter(
            pk=job.params["run"],
            status__in=(CodingRun.Status.QUEUED, CodingRun.Status.RUNNING)).update(
            status=CodingRun.Status.FAILED, message=job.message, finished_at=timezone.now())


def retry(*, job: Job) -> Job:
    """A failed or cancelled Job, queued again while it has attempts left."""
    if job.active:
        raise JobError(_("This work is still queued or running."))
    if job.status == Job.Status.DONE:
        raise JobError(_("This work has finished; ask for it again to make it anew."))
    if job.attempts >= job.max_attempts:
        raise JobError(_("This work has been tried %(count)s times, the limit. Ask for it "
                         "again to start afresh.") % {"count": job.attempts})
    try:
        with transaction.atomic():
            updated = Job.objects.filter(pk=job.pk, status=job.status).update(
                status=Job.Status.QUEUED, message="", notice="", done=0, total=0,
                worker_id="", heartbeat_at=None, finished_at=None)
            if updated:
                _send(job)
    except IntegrityError:
        raise JobError(_("The same work is already queued or running.")) from None
    job.refresh_from_db()
    return job


def recover(*, lease: float | None = None) -> int:
    """Put back in the queue every running Job whose worker stopped renewing its lease
    (killed, crashed, its machine gone); one past its attempts fails, saying why. Any
    worker may call this: each Job is taken under a row lock, skipped if another holds it."""
    lease = settings.HRTA_TASK_LEASE if lease is None else lease
    cutoff = timezone.now() - timedelta(seconds=lease)
    count = 0
    lost = Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff)
    for pk in list(lost.values_list("pk", flat=True)):
        with transaction.atomic():
            job = (Job.objects.select_for_update(skip_locked=True)
                   .filter(pk=pk, status=Job.Status.RUNNING, heartbeat_at__lt=cutoff).first())
            if job is None:
                continue
            _fail_queue_row(job)
            if job.attempts >= job.max_attempts:
                job.status = Job.Status.FAILED
                with translation.override(job.params.get("language") or None):
                    job.message = _("The worker working on this stopped %(count)s times "
                                    "(the limit); see the worker's log.") % {
                                        "count": job.attempts}
                job.finished_at = timezone.now()
                job.save(update_fields=["status", "message", "finished_at"])
                settle(job)
                log.error("job %s (%s) lost its worker %s times; failed", job.pk, job.key,
                          job.attempts)
            else:
                log.warning("job %s (%s) lost its worker %s; queued again", job.pk, job.key,
                            job.worker_id)
                job.status = Job.Status.QUEUED
                job.worker_id = ""
                job.heartbeat_at = None
                job.save(update_fields=["status", "worker_id", "heartbeat_at"])
                _send(job)
            count += 1
    return count


def _fail_queue_row(job: Job) -> None:
    """The lost worker's row in django-tasks' table says it failed, so that table agrees."""
    from django_tasks_db.models import DBTaskResult

    if job.task_result_id:
        DBTaskResult.objects.filter(pk=job.task_result_id, status="RUNNING").update(
            status="FAILED", finished_at=timezone.now(),
            exception_class_path="hrta.web.tasks.WorkerLost",
            traceback="The worker stopped renewing its lease.")


def expire() -> int:
    """Remove result files past their expiry; the Job stays, saying the file is gone."""
    count = 0
    for job in Job.objects.filter(expires_at__lt=timezone.now()).exclude(result_path=""):
        shutil.rmtree(results_dir() / str(job.pk), ignore_errors=True)
        Job.objects.filter(pk=job.pk).update(result_path="")
        count += 1
    return count
