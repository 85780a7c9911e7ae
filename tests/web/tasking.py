"""Working the task queue in the test process, as `hrta worker` does in its own."""

from __future__ import annotations

import os
from typing import Any


def work_queue(limit: int = 20) -> int:
    """Work queued tasks until none is left (at most `limit`); how many were taken."""
    from hrta.web.tasks.worker import Worker

    worker = Worker(worker_id=f"test-{os.getpid()}", interval=0)
    taken = 0
    while taken < limit and worker.once():
        taken += 1
    return taken


def empty_queue() -> None:
    """Cancel what earlier tests left queued or running and drop its rows from the queue.

    The database is kept for the whole session (each test makes its own wave), so a task an
    earlier test queued and never worked (a coding run started only to see a second one
    refused) would otherwise be taken by the next test's worker and counted as its own."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from hrta.web.tasks import services
    from hrta.web.tasks.models import Job

    for job in Job.objects.filter(status__in=Job.ACTIVE):
        services.cancel(job=job)
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).delete()


def import_as_task(client: Any, wave: Any, name: str, export: bytes) -> tuple[Any, str]:
    """Post `export` as `name` to the wave's import page, one byte over the size above which
    an import goes to the queue; work the queue. The import's Job, and the task page the
    import page sent the analyst to."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings

    from hrta.web.tasks.models import Job
    from tests.web.staffdata import post

    with override_settings(HRTA_IMPORT_TASK_BYTES=len(export) - 1):
        reply = post(client, f"/staff/waves/{wave.slug}/import/",
                     {"file": SimpleUploadedFile(name, export)})
    assert reply.status_code == 302 and reply["Location"].startswith("/staff/tasks/")
    work_queue()
    job = Job.objects.get(wave=wave, kind=Job.Kind.IMPORT, params__files__upload=name)
    return job, reply["Location"]
