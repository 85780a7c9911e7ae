"""Benchmark: respondents completing the assessment on the web, against gunicorn on loopback.

    python bench/web_load.py [--respondents 100] [--rounds 1] [--think 5]
                             [--databases sqlite,postgresql] [--workers 0] [--threads 4]
                             [--no-fault] [--crash-after SECONDS] [--seed 2022]

For each database (SQLite in a fresh data folder; PostgreSQL as a throwaway server started
the way the tests start one), it migrates a fresh database, makes a wave, starts the server
with `hrta serve` (the command an operator runs, same gunicorn settings) and measures, in
the same run:

1. ceiling: `/healthz`, a Django view that touches no database, hit by as many keep-alive
   clients as there are respondents for a few seconds: what the framework and server
   manage on this machine, the upper bound for any page;
2. load: --respondents threads, each a respondent with its own session and CSRF token,
   completing the whole assessment --rounds times (landing, start, every page, the resume
   code page, review, submit, thank-you), pausing --think seconds (uniform 0.5x to 1.5x)
   on each page as a person reading would, only much faster: a person spends a minute or
   more on a page, so 100 respondents at 5 s ask as much of the server as more than
   1,000 people answering at once;
3. fault: the same load on a new wave; halfway through, the server (gunicorn's master and
   its workers) is killed with SIGKILL and started again. Clients retry a request that got
   no answer (every page save replaces that page's answers, so a retry cannot double it).

After each load the database is counted in a separate process and compared with what the
clients believe: every respondent's resume code must open one response whose stored answers
equal the pages that client saw saved, submitted exactly when the client saw the thank-you
page; submitted responses in the wave must equal the clients' submissions (lost or
duplicated otherwise). Latency is per request (each page view and each form post), from
sending the request to reading the whole reply. The server's CPU time per completed
assessment (master and workers, from /proc) gives the most assessments a second the cores
could finish whatever the think time. The clients run on the same 2 cores as the server,
so the figures include their cost. Results: bench/results/web_load.json.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results" / "web_load.json"
HRTA = Path(sys.executable).parent / "hrta"
WAVE_LOAD = "bench-load"
WAVE_FAULT = "bench-fault"

# Open-ended answers as people type them, and as attackers do: stored as given.
TEXTS = [
    "Funding is the biggest barrier; our board is supportive but grants are restricted.",
    "Staff turnover — we retrain peers every few months. Naloxone access has improved.",
    "<script>alert('x')</script> stigma from the county =SUM(A1:A9) +1 -1 @here",
    "Estigma en la comunidad; falta de financiación y de formación del personal. ñ á ü",
    "Partnerships with the syringe services program (SSP) and the health department 👍",
]
RESUME_LINK = re.compile(r"/resume/([A-Z0-9-]{30,})/")


# --- the database side: each in its own process, configured for one database ----------


def worker_prepare() -> dict[str, Any]:
    """Migrate a fresh database and create the two waves the load uses."""
    from hrta.web.commands import prepare

    prepare()
    from hrta.instrument import load_bundled
    from hrta.web.surveys.models import Wave

    instrument = load_bundled()
    for slug in (WAVE_LOAD, WAVE_FAULT):
        Wave.objects.get_or_create(slug=slug, defaults={
            "title": f"Load benchmark ({slug})", "instrument_id": instrument.id,
            "instrument_version": instrument.version})
    return {"waves": [WAVE_LOAD, WAVE_FAULT]}


def worker_verify(beliefs_path: Path) -> dict[str, Any]:
    """Compare what the clients believe they saved with what the database holds."""
    from hrta.web import setup

    setup()
    from hrta.web.surveys.models import Response
    from hrta.web.surveys.services import find_by_code

    beliefs = json.loads(beliefs_path.read_text())
    wave = beliefs["wave"]
    clients = beliefs["clients"]
    pages_lost = pages_extra = missing = wrong_status = 0
    seen: set[int] = set()
    for client in clients:
        if not client["code"]:
            continue
        response = find_by_code(client["code"])
        if response is None or response.wave.slug != wave:
            missing += 1
            continue
        seen.add(response.pk)
        stored = {(q, o, v) for q, o, v in
                  response.answers.values_list("question_id", "option_id", "value")}
        expected = {tuple(row) for row in client["answers"]}
        pages_lost += len(expected - stored) > 0
        pages_extra += len(stored - expected) > 0
        want = "submitted" if client["submitted"] else "in_progress"
        wrong_status += response.status != want
    web = Response.objects.filter(wave__slug=wave, source=Response.Source.WEB)
    submitted = web.filter(status=Response.Status.SUBMITTED).count()
    believed = sum(1 for c in clients if c["submitted"])
    unclaimed = web.exclude(pk__in=seen)
    return {
        "clients": len(clients),
        "submitted_in_db": submitted,
        "submitted_by_clients": believed,
        "lost_submissions": max(believed - submitted, 0) + missing,
        "duplicated_submissions": max(submitted - believed, 0),
        "responses_with_answers_lost": pages_lost,
        "responses_with_unexpected_answers": pages_extra,
        "responses_with_wrong_status": wrong_status,
        # A start whose reply was cut off by the crash: the client started again, so this
        # empty response was never shown to anyone. Not an answer lost.
        "abandoned_empty_starts": unclaimed.filter(answers__isnull=True).count(),
        "unclaimed_with_answers": unclaimed.filter(answers__isnull=False).distinct().count(),
    }


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    env: dict[str, str]
    port: int
    workers: int
    threads: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        """Start `hrta serve` and wait until it answers; return the seconds that took."""
        started = time.monotonic()
        command = [str(HRTA), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                   "--workers", str(self.workers), "--threads", str(self.threads)]
        with self.log.open("a") as log:
            # A session of its own, so that a crash can take master and workers at once.
            self.process = subprocess.Popen(command, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        while True:
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    connection.close()
                    return time.monotonic() - started
            if self.process.poll() is not None or time.monotonic() - started > 60:
                raise RuntimeError(f"hrta serve did not start; see {self.log}")
            time.sleep(0.05)

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server's processes (master and workers)."""
        assert self.process is not None
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                # Fields after the command name: state ppid pgrp session ... utime stime.
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[3]) == self.process.pid:
                    total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def crash(self) -> None:
        """SIGKILL to gunicorn's master and every worker: nothing gets to finish."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


# --- the clients --------------------------------------------------------------------------


class UnexpectedReplyError(Exception):
    """The server answered, but not as the assessment does: counted, never retried."""


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    retries: int = 0
    cut_off: int = 0  # requests sent that got no whole reply (the crash, in the fault run)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


class Browser:
    """One respondent's HTTP client: a keep-alive connection, cookies, CSRF token."""

    def __init__(self, port: int, tally: Tally, retry_for: float) -> None:
        self.port = port
        self.tally = tally
        self.retry_for = retry_for
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None
        self.last_used = 0.0

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def _once(self, method: str, path: str, body: str | None) -> tuple[int, str, str]:
        # gunicorn closes a keep-alive connection idle for 2 s; a respondent who has been
        # reading longer than that starts a new one, as a browser would.
        if self.connection is not None and time.monotonic() - self.last_used > 1.0:
            self.close()
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            reply = self.connection.getresponse()
            text = reply.read().decode()
        except ConnectionRefusedError:
            self.close()
            raise
        except (OSError, http.client.HTTPException):
            self.close()
            with self.tally.lock:
                self.tally.cut_off += 1
            raise
        self.last_used = time.monotonic()
        self.tally.latencies.append(time.perf_counter() - started)
        for header in reply.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if reply.getheader("Connection", "").lower() == "close":
            self.close()
        return reply.status, reply.getheader("Location", ""), text

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, str]:
        """One request, retried while the server is down (connection refused or reset, or
        a gateway error), for up to retry_for seconds."""
        deadline = time.monotonic() + self.retry_for
        while True:
            try:
                status, location, text = self._once(method, path, body)
                if status < 500:
                    return status, location, text
                problem = f"{method} {path}: HTTP {status}"
            except (OSError, http.client.HTTPException) as exc:
                problem = f"{method} {path}: {type(exc).__name__}"
            if time.monotonic() > deadline:
                raise UnexpectedReplyError(problem)
            with self.tally.lock:
                self.tally.retries += 1
            time.sleep(0.2)

    def get(self, path: str, expect: int = 200) -> str:
        status, location, text = self.request("GET", path)
        if status != expect:
            raise UnexpectedReplyError(f"GET {path}: HTTP {status} {location}")
        return text

    def post(self, path: str, fields: list[tuple[str, str]], redirect: str) -> str:
        """Post a form and follow its redirect, which must go where the app sends a
        respondent whose page was saved."""
        token = self.cookies.get("csrftoken", "")
        body = urllib.parse.urlencode([("csrfmiddlewaretoken", token), *fields])
        status, location, _ = self.request("POST", path, body)
        if status != 302 or not re.search(redirect, location):
            raise UnexpectedReplyError(
                f"POST {path}: HTTP {status} to {location!r}, wanted {redirect}")
        return location


@dataclass
class Respondent:
    """One organization's answers, drawn from the instrument, and what it saw saved."""

    number: int
    seed: int
    code: str = ""
    saved: set[tuple[str, str, str | None]] = field(default_factory=set)
    submitted: bool = False
    completed_at: float = 0.0

    def page_fields(self, section, rng: random.Random) -> tuple[list[tuple[str, str]],
                                                                 set[tuple[str, str, Any]]]:
        fields: list[tuple[str, str]] = []
        rows: set[tuple[str, str, Any]] = set()
        for question in section.questions:
            if question.show_if is not None or (not question.required and rng.random() < 0.1):
                continue  # people skip optional questions now and then
            options = [o.id for o in question.options if not o.other]
            if question.id == "screening":
                picked = ["employed"]
            elif question.type == "text":
                text = rng.choice(TEXTS)
                fields.append((question.id, text))
                rows.add((question.id, "", text))
                continue
            elif question.type == "matrix":
                for key in question.statement_qids():
                    option = rng.choice(options)
                    fields.append((key, option))
                    rows.add((key, option, None))
                continue
            elif question.type == "multi":
                limit = min(question.max_choices or 4, 4, len(options))
                picked = rng.sample(options, rng.randint(1, limit))
            else:
                picked = [rng.choice(options)]
            for option in picked:
                fields.append((question.id, option))
                rows.add((question.id, option, None))
        return fields, rows


def complete(browser: Browser, respondent: Respondent, wave: str, sections: list,
             think: Callable[[], None]) -> None:
    """The whole assessment, as a respondent's browser makes the requests."""
    rng = random.Random(respondent.seed)
    base = f"/w/{wave}"
    browser.get(f"{base}/")
    think()
    browser.post(f"{base}/start/", [], rf"{base}/page/1/$")
    for number, section in enumerate(sections, 1):
        browser.get(f"{base}/page/{number}/")
        think()
        fields, rows = respondent.page_fields(section, rng)
        after = (rf"{base}/saved/$" if number == 1 else
                 rf"{base}/review/$" if number == len(sections) else
                 rf"{base}/page/{number + 1}/$")
        browser.post(f"{base}/page/{number}/", [*fields, ("action", "next")], after)
        respondent.saved |= rows
        if number == 1:
            match = RESUME_LINK.search(browser.get(f"{base}/saved/"))
            if match is None:
                raise UnexpectedReplyError("no resume link on the saved page")
            respondent.code = match.group(1)
    browser.get(f"{base}/review/")
    think()
    browser.post(f"{base}/review/", [], rf"{base}/thanks/$")
    respondent.submitted = True
    browser.get(f"{base}/thanks/")


def run_load(server: Server, wave: str, respondents: int, rounds: int, think_seconds: float,
             seed: int, crash_at: float | None = None) -> dict[str, Any]:
    """--respondents threads, each completing the assessment --rounds times."""
    from hrta.instrument import load_bundled
    from hrta.web.surveys import flow

    sections = flow.pages(load_bundled())
    tally = Tally()
    people: list[Respondent] = []
    retry_for = 60.0 if crash_at is not None else 0.0
    outage: dict[str, float] = {}

    def person(index: int) -> None:
        rng = random.Random(seed * 1000 + index)

        def think() -> None:
            time.sleep(think_seconds * rng.uniform(0.5, 1.5))

        # Arrivals spread over the first few seconds rather than all at once.
        time.sleep(rng.uniform(0, think_seconds * 2))
        for round_number in range(rounds):
            respondent = Respondent(index * rounds + round_number, rng.randrange(2**32))
            with tally.lock:
                people.append(respondent)
            browser = Browser(server.port, tally, retry_for)
            try:
                complete(browser, respondent, wave, sections, think)
                respondent.completed_at = time.monotonic()
            except UnexpectedReplyError as exc:
                tally.error(str(exc))
            finally:
                browser.close()

    threads = [threading.Thread(target=person, args=(i,), daemon=True)
               for i in range(respondents)]
    started = time.monotonic()
    cpu_before = server.cpu_seconds()
    for thread in threads:
        thread.start()
    if crash_at is not None:
        time.sleep(crash_at)
        server.crash()
        outage["killed_at_s"] = time.monotonic() - started
        outage["restart_s"] = server.start()
    for thread in threads:
        thread.join(timeout=600)
    elapsed = time.monotonic() - started
    done = [p for p in people if p.submitted]
    # Server CPU per completed assessment: what one costs whatever the think time, so
    # cores / this is the most assessments a second the server could finish.
    cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / max(len(done), 1)
    result = {
        "respondents": respondents, "rounds": rounds, "think_s": think_seconds,
        "elapsed_s": round(elapsed, 2), "completed": len(done),
        "completed_per_s": round(len(done) / elapsed, 2),
        "requests": len(tally.latencies),
        "requests_per_s": round(len(tally.latencies) / elapsed, 1),
        **percentiles(tally.latencies),
        "errors": len(tally.errors), "error_examples": sorted(set(tally.errors))[:5],
        "retried_requests": tally.retries, "requests_cut_off": tally.cut_off,
    }
    if crash_at is None:
        result["server_cpu_ms_per_assessment"] = round(cpu_ms, 1)
    if outage:
        result["outage"] = {k: round(v, 2) for k, v in outage.items()}
    result["beliefs"] = {"wave": wave, "clients": [
        {"code": p.code, "submitted": p.submitted, "answers": sorted(p.saved,
                                                                     key=repr)}
        for p in people]}
    return result


def run_ceiling(server: Server, clients: int, seconds: float) -> dict[str, Any]:
    """Keep-alive clients asking /healthz as fast as the server answers."""
    tally = Tally()
    stop = time.monotonic() + seconds

    def client() -> None:
        browser = Browser(server.port, tally, 0.0)
        try:
            while time.monotonic() < stop:
                browser.get("/healthz")
        except UnexpectedReplyError as exc:
            tally.error(str(exc))
        finally:
            browser.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"clients": clients, "elapsed_s": round(elapsed, 2),
            "requests": len(tally.latencies),
            "requests_per_s": round(len(tally.latencies) / elapsed, 1),
            **percentiles(tally.latencies), "errors": len(tally.errors)}


def percentiles(seconds: list[float]) -> dict[str, float]:
    if len(seconds) < 2:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49] * 1000, 1), "p95_ms": round(cuts[94] * 1000, 1),
            "p99_ms": round(cuts[98] * 1000, 1)}


# --- orchestration ------------------------------------------------------------------------


def in_database(env: dict[str, str], task: str, *args: str) -> dict[str, Any]:
    """Run a database task in a child process configured for that database."""
    done = subprocess.run([sys.executable, __file__, "--task", task, *args], env=env,
                          capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{task} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_database(name: str, env: dict[str, str], args: argparse.Namespace,
                   folder: Path) -> dict[str, Any]:
    in_database(env, "prepare")
    server = Server(env, free_port(), args.workers, args.threads, folder / "server.log")
    result: dict[str, Any] = {"database": name}
    try:
        result["startup_s"] = round(server.start(), 2)
        result["ceiling"] = run_ceiling(server, args.respondents, args.ceiling_seconds)
        phases = [("load", WAVE_LOAD, None)]
        if args.fault:
            phases.append(("fault", WAVE_FAULT, args.crash_after or args.think * 5))
        for phase, wave, crash_at in phases:
            outcome = run_load(server, wave, args.respondents, args.rounds, args.think,
                               args.seed, crash_at)
            beliefs = folder / f"{phase}-beliefs.json"
            beliefs.write_text(json.dumps(outcome.pop("beliefs")))
            outcome["check"] = in_database(env, "verify", str(beliefs))
            result[phase] = outcome
    finally:
        server.stop()
    return result


def environment(data_dir: Path, database_urls: tuple[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "CONTACTS_DATABASE_URL")}
    env.update(HRTA_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="hrta.web.settings")
    if database_urls:
        env["DATABASE_URL"], env["CONTACTS_DATABASE_URL"] = database_urls
    return env


def verdict(run: dict[str, Any], args: argparse.Namespace) -> list[str]:
    """Where a run misses the targets: p95 page latency, and nothing lost or doubled."""
    misses = []
    for phase in ("load", "fault"):
        outcome = run.get(phase)
        if outcome is None:
            continue
        check = outcome["check"]
        for key in ("lost_submissions", "duplicated_submissions",
                    "responses_with_answers_lost", "responses_with_unexpected_answers",
                    "responses_with_wrong_status", "unclaimed_with_answers"):
            if check[key]:
                misses.append(f"{run['database']} {phase}: {key} = {check[key]}")
        if outcome["completed"] != args.respondents * args.rounds:
            misses.append(f"{run['database']} {phase}: {outcome['completed']} of "
                          f"{args.respondents * args.rounds} assessments completed")
    load = run["load"]
    if load["errors"]:
        misses.append(f"{run['database']} load: {load['errors']} errors")
    if load["p95_ms"] > args.target_p95_ms:
        misses.append(f"{run['database']} load: p95 {load['p95_ms']} ms > "
                      f"{args.target_p95_ms} ms")
    return misses


def print_table(runs: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Respondents completing the assessment against gunicorn (loopback)")
    for column in ("database", "phase", "completed", "assessments/s", "requests/s",
                   "p50 ms", "p95 ms", "p99 ms", "errors", "retried", "lost", "duplicated",
                   "server CPU ms/assessment"):
        table.add_column(column, justify="left" if column in ("database", "phase")
                         else "right")
    for run in runs:
        ceiling = run["ceiling"]
        table.add_row(run["database"], "ceiling (/healthz)", "", "",
                      f"{ceiling['requests_per_s']:,.0f}", f"{ceiling['p50_ms']}",
                      f"{ceiling['p95_ms']}", f"{ceiling['p99_ms']}", str(ceiling["errors"]),
                      "", "", "", "")
        for phase in ("load", "fault"):
            if phase not in run:
                continue
            o = run[phase]
            check = o["check"]
            lost = (check["lost_submissions"] + check["responses_with_answers_lost"])
            label = phase if phase == "load" else "server killed + restarted"
            table.add_row("", label, f"{o['completed']}/{o['respondents'] * o['rounds']}",
                          f"{o['completed_per_s']}", f"{o['requests_per_s']:,.0f}",
                          f"{o['p50_ms']}", f"{o['p95_ms']}", f"{o['p99_ms']}",
                          str(o["errors"]), str(o["retried_requests"]), str(lost),
                          str(check["duplicated_submissions"]),
                          str(o.get("server_cpu_ms_per_assessment", "")))
    Console(width=max(Console().width, 170)).print(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=1,
                        help="assessments each respondent thread completes one after another")
    parser.add_argument("--think", type=float, default=5.0,
                        help="mean seconds a respondent spends on a page")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=0, help="0: hrta serve's default")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--ceiling-seconds", type=float, default=5.0)
    parser.add_argument("--crash-after", type=float, default=None,
                        help="seconds into the fault run when the server is killed "
                             "(default: 5 pages' thinking, about halfway)")
    parser.add_argument("--no-fault", dest="fault", action="store_false")
    parser.add_argument("--target-p95-ms", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--task", choices=("prepare", "verify"), help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()

    if args.task == "prepare":
        print(json.dumps(worker_prepare()))
        return 0
    if args.task == "verify":
        print(json.dumps(worker_verify(Path(rest[0]))))
        return 0

    sys.path.insert(0, str(ROOT))
    load_before = os.getloadavg()
    runs = []
    for name in [d.strip() for d in args.databases.split(",") if d.strip()]:
        folder = Path(tempfile.mkdtemp(prefix=f"hrta-bench-{name}-"))
        pg = None
        try:
            urls = None
            if name == "postgresql":
                from tests.web import postgres

                pg = postgres.start()
                urls = (pg.url("hrta"), pg.url("hrta_contacts"))
            elif name != "sqlite":
                parser.error(f"unknown database {name!r}: use sqlite and/or postgresql")
            print(f"{name}: {args.respondents} respondents x {args.rounds} rounds, "
                  f"think {args.think} s ...", flush=True)
            runs.append(bench_database(name, environment(folder / "data", urls), args,
                                       folder))
        finally:
            if pg is not None:
                pg.stop()
            shutil.rmtree(folder, ignore_errors=True)

    print_table(runs)
    misses = [m for run in runs for m in verdict(run, args)]
    report = {
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0],
                    # Other work on the machine during the run skews every figure.
                    "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        "settings": {"respondents": args.respondents, "rounds": args.rounds,
                     "think_s": args.think, "workers": args.workers or
                     2 * (os.cpu_count() or 1) + 1, "threads": args.threads,
                     "target_p95_ms": args.target_p95_ms},
        "runs": runs, "targets_missed": misses,
    }
    from hrta.files import write_text_atomic

    args.output.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(args.output, json.dumps(report, indent=2) + "\n")
    print("targets met" if not misses else "targets missed:\n  " + "\n  ".join(misses))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
