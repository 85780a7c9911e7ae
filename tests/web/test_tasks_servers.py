"""Two app servers and two workers on one real PostgreSQL, each server with its own data
folder and only the shared folder (HRTA_SHARED_DIR) in common, as docs/operators.md deploys
them. Both servers are asked at once to code a wave and to make its report; the worker
that holds the coding run is killed with SIGKILL in the middle of it; the other worker
takes it over once its lease lapses and finishes it once: one run, one suggestion per
answer, the report made once and downloadable from either server.

It starts its own PostgreSQL (tests/web/postgres.py), whatever the session's database.
"""

from __future__ import annotations

import http.cookiejar
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.web import postgres

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ANSWERS = 24
PASSWORD = "correct-horse-battery"
# Migrated and filled in one process: each Django start costs seconds on a busy machine.
SETUP = f"""
from hrta.web.commands import prepare; prepare()
print("migrated", flush=True)
from django.contrib.auth import get_user_model
from hrta.instrument import load_bundled
from hrta.web.accounts.roles import assign_role
from hrta.web.surveys.models import Answer, Response, Wave
instrument = load_bundled()
wave = Wave.objects.create(slug="multi", title="Two servers", instrument_id=instrument.id,
                           instrument_version=instrument.version)
words = ["funding", "stigma", "staff turnover", "state law", "training", "the board",
         "transport", "housing"]
# Finished responses written at once (the services' page-by-page path has its own tests):
# eligible, each with one answer to code.
Response.objects.bulk_create(
    Response(wave=wave, respondent_id=f"r{{n}}", source=Response.Source.IMPORT,
             status=Response.Status.SUBMITTED) for n in range({ANSWERS}))
responses = list(Response.objects.filter(wave=wave).order_by("respondent_id"))
Answer.objects.bulk_create(
    answer for n, response in enumerate(responses) for answer in (
        Answer(response=response, question_id="screening", option_id="employed"),
        Answer(response=response, question_id="challenges",
               value=f"Our trouble is {{words[n % 8]}}, year {{n}}.")))
user = get_user_model().objects.create_user("analyst", password="{PASSWORD}")
assign_role(user, "analyst")
"""


class Site:
    """A signed-in person's browser, as far as cookies and CSRF go."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def get(self, url: str) -> tuple[int, bytes]:
        with self.opener.open(url, timeout=30) as reply:
            return reply.status, reply.read()

    def post(self, url: str, data: dict[str, str]) -> str:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf()}).encode()
        with self.opener.open(urllib.request.Request(url, data=body), timeout=30) as reply:
            return reply.url

    def sign_in(self, server: str) -> None:
        self.get(f"{server}/staff/login/")
        self.post(f"{server}/staff/login/", {"username": "analyst", "password": PASSWORD})


def _gunicorn(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "hrta.web.wsgi:application", "--bind",
         f"fd://{listener.fileno()}", "--workers", "1", "--threads", "8",
         "--graceful-timeout", "2", "--worker-class",
         "gthread", "--preload", "--log-level", "warning"],
        env=env, cwd=ROOT, pass_fds=(listener.fileno(),))
    listener.close()
    return process, f"http://127.0.0.1:{port}"


def _wait_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "server down"
            time.sleep(0.2)


@pytest.fixture(scope="module")
def deployment() -> Iterator[dict]:
    server = postgres.start(("multi", "multi_contacts"))
    shared = Path(tempfile.mkdtemp(prefix="hrta-shared-"))
    homes = [Path(tempfile.mkdtemp(prefix="hrta-node-")) for _ in range(4)]
    from cryptography.fernet import Fernet

    base = {**os.environ, "DATABASE_URL": server.url("multi"),
            "CONTACTS_DATABASE_URL": server.url("multi_contacts"),
            "HRTA_SHARED_DIR": str(shared), "HRTA_SECRET_KEY": "multi-server-test-only-" * 3,
            "HRTA_CONTACTS_KEY": Fernet.generate_key().decode(), "HRTA_TASK_LEASE": "2",
            "HRTA_PREPARE_FINDINGS": "0",  # what is shown here is coding and a report
            "DJANGO_SETTINGS_MODULE": "hrta.web.settings", "PYTHONPATH": str(ROOT)}
    base.pop("HRTA_TEST_POSTGRES", None)
    envs = [{**base, "HRTA_DATA_DIR": str(home)} for home in homes]
    processes: list[subprocess.Popen] = []
    try:
        # The servers and workers start as soon as the database is migrated, while it is
        # filled.
        setup = subprocess.Popen([sys.executable, "-c", SETUP], env=envs[0], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        processes.append(setup)
        assert setup.stdout is not None and setup.stdout.readline() == "migrated\n", \
            setup.communicate()[1][-3000:]
        servers = [_gunicorn(envs[0]), _gunicorn(envs[1])]
        processes += [p for p, _url in servers]
        workers = {name: subprocess.Popen(
            [str(BIN / "hrta"), "worker", "--id", name, "--interval", "0.2"], env=env,
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=(shared / f"{name}.log").open("w"))
            for name, env in (("worker-a", envs[2]), ("worker-b", envs[3]))}
        processes += list(workers.values())
        _out, errors = setup.communicate(timeout=120)
        assert setup.returncode == 0, errors[-3000:]
        for process, url in servers:
            _wait_up(url, process)
        yield {"urls": [url for _p, url in servers], "workers": workers,
               "db": server.url("multi"), "shared": shared}
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
        server.stop()
        for folder in [shared, *homes]:
            subprocess.run(["rm", "-rf", str(folder)], check=False)


def _query(db: str, sql: str, *args: object) -> list[tuple]:
    with psycopg.connect(db, autocommit=True) as conn:
        return conn.execute(sql, args).fetchall()


def _both(calls: list) -> list:
    """Run the calls at the same moment, one thread each."""
    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def one(i: int) -> None:
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _until(what, seconds: float = 90):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        found = what()
        if found:
            return found
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.sqlite_only(reason="starts its own PostgreSQL whatever the session's database, "
                         "so the PostgreSQL pass would only repeat it")
def test_two_servers_two_workers_a_worker_killed_mid_task(deployment):
    first, second = deployment["urls"]
    db = deployment["db"]
    people = [Site(), Site()]
    people[0].sign_in(first)
    people[1].sign_in(second)
    run = "/staff/waves/multi/coding/challenges/run/"
    report = "/staff/waves/multi/report/"
    _both([lambda: people[0].post(first + run, {}), lambda: people[1].post(second + run, {})])
    pages = _both([lambda: people[0].post(first + report, {"format": "html"}),
                   lambda: people[1].post(second + report, {"format": "html"})])
    assert pages[0] == pages[1].replace(second, first), pages  # one report task
    coding = _query(db, "SELECT id FROM tasks_job WHERE kind = 'coding'")
    assert len(coding) == 1, coding  # one run for the wave, from two servers at once
    job = coding[0][0]

    holder = _until(lambda: _query(
        db, "SELECT worker_id FROM tasks_job WHERE id = %s AND status = 'running'", job))
    killed = holder[0][0]
    deployment["workers"][killed].send_signal(signal.SIGKILL)
    other = "worker-b" if killed == "worker-a" else "worker-a"

    done = _until(lambda: _query(
        db, "SELECT status, attempts, worker_id FROM tasks_job WHERE id = %s "
            "AND status IN ('done', 'failed')", job), seconds=120)
    assert done[0] == ("done", 2, other), done
    runs = _query(db, "SELECT r.status, r.total, count(s.id), count(DISTINCT s.response_id) "
                      "FROM coding_codingrun r JOIN coding_suggestion s ON s.run_id = r.id "
                      "GROUP BY r.id")
    assert runs == [("done", ANSWERS, ANSWERS, ANSWERS)], runs  # nothing lost, none twice

    reports = _until(lambda: _query(
        db, "SELECT id, status FROM tasks_job WHERE kind = 'report' AND status = 'done'"))
    assert len(_query(db, "SELECT id FROM tasks_job WHERE kind = 'report'")) == 1
    # The file one worker wrote is served by either server (the shared folder).
    for person, server in ((people[0], first), (people[1], second)):
        status, body = person.get(f"{server}/staff/tasks/{reports[0][0]}/result/")
        assert status == 200 and b"<html" in body[:2000].lower()
    # The surviving worker is still working; the killed one says nothing more.
    assert deployment["workers"][other].poll() is None
