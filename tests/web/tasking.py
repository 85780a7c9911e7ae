"""Working the task queue in the test process, as `hrta worker` does in its own."""

from __future__ import annotations

import os


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
