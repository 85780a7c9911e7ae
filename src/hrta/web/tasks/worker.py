"""`hrta worker`: django-tasks' database worker, with what several servers need of it.

- Each pass it first puts back the Jobs whose worker was lost (hrta.web.tasks.services.
  recover) and removes expired result files, so a worker killed mid-Job costs a lease
  (HRTA_TASK_LEASE seconds), not the Job.
- A database it cannot reach (a restart, a network cut) is retried with growing waits, up
  to a minute, each logged; the worker does not exit.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time

from django.db import DatabaseError, OperationalError, close_old_connections, connections
from django_tasks_db.management.commands.db_worker import Worker as QueueWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from hrta.web.tasks import services

log = logging.getLogger("hrta.worker")
LONGEST_WAIT = 60.0


def worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"[:64]


class Worker(QueueWorker):
    def __init__(self, *, worker_id: str, interval: float = 1.0, batch: bool = False) -> None:
        super().__init__(queue_names=["default"], interval=interval, batch=batch,
                         backend_name="default", startup_delay=True, max_tasks=None,
                         worker_id=worker_id, excluded_queue_names=[])
        self._wait = 0.0

    def run(self) -> None:
        log.info("worker %s started", self.worker_id)
        while self.running:
            try:
                took = self.once()
                self._wait = 0.0
            except DatabaseError as exc:
                if not (isinstance(exc, OperationalError) and exc.args
                        and is_locked_database_exception(exc)):
                    self._back_off(exc)
                    continue
                took = False  # SQLite busy with a writer: simply the next pass
            if self.batch and not took:
                return  # --batch: the queue is empty
            if self.running and not took:
                time.sleep(self.interval)

    def once(self) -> bool:
        """One pass: recover lost Jobs, expire old results, work one queued Job."""
        close_old_connections()
        services.recover()
        services.expire()
        ready = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        with exclusive_transaction(ready.db):
            row = ready.get_locked()
            if row is not None:
                row.claim(self.worker_id)
        if row is None:
            return False
        self.run_task(row)
        return True

    def _back_off(self, exc: DatabaseError) -> None:
        self._wait = min(max(self._wait * 2, 1.0), LONGEST_WAIT)
        log.warning("worker %s cannot reach the database (%s); trying again in %.0f s",
                    self.worker_id, str(exc).strip().splitlines()[0] if str(exc) else
                    type(exc).__name__, self._wait)
        for connection in connections.all():
            with contextlib.suppress(DatabaseError):
                connection.close()  # a fresh connection on the next pass
        time.sleep(self._wait)
