"""Benchmark: respondents completing the assessment and staff using their pages, against
gunicorn on loopback, with one app server or several.

    python bench/web_load.py [--respondents 100] [--staff 5] [--think 5]
                             [--databases sqlite,postgresql] [--servers sqlite=1,postgresql=2]
                             [--queue-workers 1] [--steps 10,20,40,80] [--step-seconds 15]
                             [--fresh-samples 6] [--settle 6] [--no-fault] [--seed 2022]

For each database (SQLite in a fresh data folder; PostgreSQL as a throwaway server started
the way the tests start one), it migrates a fresh database, loads the demo wave as
`make run` does, starts --servers app servers with `hrta serve` (the command an operator
runs, same gunicorn settings) and --queue-workers `hrta worker` processes beside them.
With several servers every client sends each request to the next server in turn
(round-robin, as a proxy without sticky sessions would). In the same run it measures:

1. ceiling: `/healthz`, a Django view that touches no database, hit by as many keep-alive
   clients as there are respondents for a few seconds;
2. load: --respondents threads, each a respondent with its own session and CSRF token,
   completing the whole assessment of the demo wave (landing, start, every page, the
   resume code page, review, submit, thank-you), pausing --think seconds (uniform 0.5x to
   1.5x) on each page; meanwhile --staff members of staff sign in and, pausing 1.5-4.5 s
   between steps, refresh the demo wave's dashboard (its page, the chart images it loads,
   the live counts) and download in turn the Findings JSON, the responses CSV and the HTML
   report (asked for, made by a worker, followed on its task page, downloaded);
3. fresh: the dashboard right after new data: a respondent submits, and staff open the
   dashboard at once; alternately after --settle seconds, when the worker has had time to
   make the new Findings and charts;
4. steps: the throughput ceiling: clients that do not pause, more at each step, until p95
   passes --step-limit-ms or a request fails;
5. fault (unless --no-fault): the load on a new wave; halfway through, the first server
   (gunicorn's master and its workers) is killed with SIGKILL and started again. Clients
   retry a request that got no answer (every page save replaces that page's answers, so a
   retry cannot double it).

After each phase the database is counted in a separate process and compared with what the
clients believe: every respondent's resume code must open one response whose stored answers
equal the pages that client saw saved, submitted exactly when the client saw the thank-you
page; web submissions in the wave must equal the clients' submissions (lost or duplicated
otherwise). Latency is per request, from sending it to reading the whole reply, overall and
per kind of request. The CPU time of servers and workers per completed assessment (from
/proc) gives the most assessments a second the cores could finish whatever the think time.
The clients run on the same cores as the servers, so the figures include their cost.
Results: bench/results/web_load.json.
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
# Respondents of the load answer the demo wave (161 imported responses), whose dashboard
# staff refresh meanwhile: each submission is new data for it.
WAVE_LOAD = "demo-2022"
WAVE_STEPS = "bench-steps"
WAVE_FAULT = "bench-fault"
STAFF_USER = "bench-staff"
STAFF_PASSWORD = "bench-only-password-7d41"  # a throwaway database's account

# Open-ended answers as people type them, and as attackers do: stored as given.
TEXTS = [
    "Funding is the biggest barrier; our board is supportive but grants are restricted.",
    "Staff turnover — we retrain peers every few months. Naloxone access has improved.",
    "<script>alert('x')</script> stigma from the county =SUM(A1:A9) +1 -1 @here",
    "Estigma en la comunidad; falta de financiación y de formación del personal. ñ á ü",
    "Partnerships with the syringe services program (SSP) and the health department 👍",
]
RESUME_CODE = re.compile(r'id="resume-code">\s*([A-Z0-9-]{30,})\s*<')


def run_clients(client: Callable[[int], None], clients: int,
                timeout: float | None = None) -> float:
    """Run `client(0)` … `client(clients - 1)` on threads at once; seconds until all ended."""
    threads = [threading.Thread(target=client, args=(i,), daemon=True)
               for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return time.monotonic() - started


# --- the database side: each in its own process, configured for one database ----------


def worker_prepare() -> dict[str, Any]:
    """Migrate a fresh database, load the demo wave as `make run` does, create the other
    waves the load uses and a member of staff (an analyst) for the staff threads."""
    from hrta.web.commands import load_demo

    load_demo()
    from django.contrib.auth import get_user_model

    from hrta.instrument import load_bundled
    from hrta.web.accounts.roles import assign_role
    from hrta.web.surveys.models import Wave

    instrument = load_bundled()
    for slug in (WAVE_STEPS, WAVE_FAULT):
        Wave.objects.get_or_create(slug=slug, defaults={
            "title": f"Load benchmark ({slug})", "instrument_id": instrument.id,
            "instrument_version": instrument.version})
    user = get_user_model().objects.create_user(STAFF_USER, password=STAFF_PASSWORD)
    assign_role(user, "analyst")
    return {"waves": [WAVE_LOAD, WAVE_STEPS, WAVE_FAULT]}


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
        return group_cpu_seconds(self.process.pid)

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


def group_cpu_seconds(leader: int) -> float:
    """CPU time used so far by the processes of the session `leader` started."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # Fields after the command name: state ppid pgrp session ... utime stime.
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == leader:
                total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


@dataclass
class QueueWorker:
    """`hrta worker`, as `make run` starts it beside the server: makes a wave's Findings
    and charts after new data, and the reports staff ask for."""

    env: dict[str, str]
    name: str
    log: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [str(HRTA), "worker", "--id", self.name, "--interval", "0.5"], env=self.env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def cpu_seconds(self) -> float:
        assert self.process is not None
        return group_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@dataclass
class Site:
    """The servers of one run and the workers beside them."""

    servers: list[Server]
    workers: list[QueueWorker]

    @property
    def ports(self) -> list[int]:
        return [server.port for server in self.servers]

    def cpu_seconds(self) -> float:
        return (sum(s.cpu_seconds() for s in self.servers)
                + sum(w.cpu_seconds() for w in self.workers))


# --- the clients --------------------------------------------------------------------------


class UnexpectedReplyError(Exception):
    """The server answered, but not as the assessment does: counted, never retried."""


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # what each latency was a request for
    errors: list[str] = field(default_factory=list)
    retries: int = 0
    cut_off: int = 0  # requests sent that got no whole reply (the crash, in the fault run)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)

    def record(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.kinds.append(kind)

    def by_kind(self) -> dict[str, dict[str, float]]:
        """p50/p95/p99 and count of each kind of request."""
        grouped: dict[str, list[float]] = {}
        for kind, seconds in zip(self.kinds, self.latencies, strict=True):
            grouped.setdefault(kind, []).append(seconds)
        return {kind: {"requests": len(values), **percentiles(values)}
                for kind, values in sorted(grouped.items())}


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def kind_of(method: str, path: str) -> str:
    """A request's kind for the per-kind figures: its path with the wave, page number,
    task id and chart name taken out."""
    path = path.split("?", 1)[0]
    path = _UUID.sub("<id>", path)
    path = re.sub(r"^/w/[^/]+/", "/w/<wave>/", path)
    path = re.sub(r"/page/\d+/", "/page/<n>/", path)
    path = re.sub(r"^/staff/waves/[^/]+/", "/staff/waves/<wave>/", path)
    path = re.sub(r"/charts/[^/]+\.svg$", "/charts/<chart>.svg", path)
    return f"{method} {path}"


class Browser:
    """One person's HTTP client: cookies, CSRF token, a keep-alive connection to each
    server. With several servers, each request goes to the next one in turn (round-robin,
    as a proxy without sticky sessions would send them): nothing may depend on which
    server answered the request before."""

    def __init__(self, ports: list[int], tally: Tally, retry_for: float,
                 start: int = 0) -> None:
        self.ports = ports
        self.turn = start
        self.tally = tally
        self.retry_for = retry_for
        self.cookies: dict[str, str] = {}
        self.connections: dict[int, http.client.HTTPConnection] = {}
        self.last_used: dict[int, float] = {}

    def close(self, port: int | None = None) -> None:
        for each in [port] if port is not None else list(self.connections):
            connection = self.connections.pop(each, None)
            if connection is not None:
                connection.close()

    def _once(self, method: str, path: str, body: str | None) -> tuple[int, str, str]:
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        # gunicorn closes a keep-alive connection idle for 2 s; a respondent who has been
        # reading longer than that starts a new one, as a browser would.
        if port in self.connections and time.monotonic() - self.last_used[port] > 1.0:
            self.close(port)
        if port not in self.connections:
            self.connections[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection = self.connections[port]
        headers = {"Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            raw = reply.read()
        except ConnectionRefusedError:
            self.close(port)
            raise
        except (OSError, http.client.HTTPException):
            self.close(port)
            with self.tally.lock:
                self.tally.cut_off += 1
            raise
        self.last_used[port] = time.monotonic()
        self.tally.record(kind_of(method, path), time.perf_counter() - started)
        text = raw.decode(errors="replace")
        for header in reply.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if reply.getheader("Connection", "").lower() == "close":
            self.close(port)
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
            match = RESUME_CODE.search(browser.get(f"{base}/saved/"))
            if match is None:
                raise UnexpectedReplyError("no resume code on the saved page")
            respondent.code = match.group(1)
    browser.get(f"{base}/review/")
    think()
    browser.post(f"{base}/review/", [], rf"{base}/thanks/$")
    respondent.submitted = True
    browser.get(f"{base}/thanks/")


def _summary(tally: Tally, elapsed: float) -> dict[str, Any]:
    return {"requests": len(tally.latencies),
            "requests_per_s": round(len(tally.latencies) / elapsed, 1),
            **percentiles(tally.latencies),
            "errors": len(tally.errors), "error_examples": sorted(set(tally.errors))[:5],
            "retried_requests": tally.retries, "requests_cut_off": tally.cut_off,
            "by_kind": tally.by_kind()}


class Staff:
    """One member of staff: signs in, refreshes the wave's dashboard (and the charts it
    loads after its tables), asks for the live counts, and downloads: the Findings JSON,
    the responses as CSV, and the HTML report, which a worker makes (ask, follow its task
    page until done, download the file)."""

    def __init__(self, site: Site, tally: Tally, wave: str, index: int) -> None:
        self.browser = Browser(site.ports, tally, 0.0, start=index)
        self.tally = tally
        self.wave = wave
        self.index = index
        self.report_waits: list[float] = []

    def sign_in(self) -> None:
        self.browser.get("/staff/login/")
        self.browser.post("/staff/login/", [("username", STAFF_USER),
                                            ("password", STAFF_PASSWORD)], r"/staff/")

    def dashboard(self) -> None:
        html = self.browser.get(f"/staff/waves/{self.wave}/")
        for chart in sorted(set(re.findall(r'/staff/waves/[^/"]+/charts/[^"?]+\.svg', html))):
            self.browser.get(chart)
        self.browser.get(f"/staff/waves/{self.wave}/live/")

    def report(self) -> None:
        started = time.monotonic()
        location = self.browser.post(f"/staff/waves/{self.wave}/report/",
                                     [("format", "html")], r"/staff/tasks/[0-9a-f-]+/$")
        page = urllib.parse.urlsplit(location).path
        self.browser.get(page)
        while True:
            state = json.loads(self.browser.get(f"{page}status/"))
            if state["status"] == "done":
                break
            if state["status"] in ("failed", "cancelled") or \
                    time.monotonic() - started > 300:
                raise UnexpectedReplyError(f"report task {state['status']}: {state}")
            time.sleep(1.0)  # the task page polls about this often
        self.browser.get(f"{page}result/")
        self.report_waits.append(time.monotonic() - started)

    def work(self, stop: threading.Event, seed: int) -> None:
        rng = random.Random(seed)
        downloads = [lambda: self.browser.get(f"/staff/waves/{self.wave}/downloads/"
                                              "findings.json"),
                     lambda: self.browser.get(f"/staff/waves/{self.wave}/downloads/"
                                              "responses.csv"),
                     self.report]
        try:
            self.sign_in()
            turn = self.index
            while not stop.is_set():
                self.dashboard()
                stop.wait(rng.uniform(1.5, 4.5))
                if stop.is_set():
                    break
                downloads[turn % len(downloads)]()
                turn += 1
                stop.wait(rng.uniform(1.5, 4.5))
        except UnexpectedReplyError as exc:
            self.tally.error(str(exc))
        finally:
            self.browser.close()


def run_load(site: Site, wave: str, respondents: int, rounds: int, think_seconds: float,
             seed: int, crash_at: float | None = None, staff: int = 0,
             staff_wave: str = "") -> dict[str, Any]:
    """--respondents threads, each completing the assessment --rounds times, and `staff`
    threads using the staff pages of `staff_wave` until the respondents are done."""
    from hrta.instrument import load_bundled
    from hrta.web.surveys import flow

    sections = flow.pages(load_bundled())
    tally = Tally()
    staff_tally = Tally()
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
            browser = Browser(site.ports, tally, retry_for, start=index)
            try:
                complete(browser, respondent, wave, sections, think)
                respondent.completed_at = time.monotonic()
            except UnexpectedReplyError as exc:
                tally.error(str(exc))
            finally:
                browser.close()

    threads = [threading.Thread(target=person, args=(i,), daemon=True)
               for i in range(respondents)]
    stop_staff = threading.Event()
    members = [Staff(site, staff_tally, staff_wave, i) for i in range(staff)]
    staff_threads = [threading.Thread(target=m.work, args=(stop_staff, seed + i), daemon=True)
                     for i, m in enumerate(members)]
    started = time.monotonic()
    cpu_before = site.cpu_seconds()
    for thread in threads + staff_threads:
        thread.start()
    if crash_at is not None:
        time.sleep(crash_at)
        server = site.servers[0]
        server.crash()
        outage["killed_at_s"] = time.monotonic() - started
        outage["restart_s"] = server.start()
    for thread in threads:
        thread.join(timeout=600)
    elapsed = time.monotonic() - started
    stop_staff.set()
    for thread in staff_threads:
        thread.join(timeout=300)
    done = [p for p in people if p.submitted]
    # Server and worker CPU per completed assessment (staff work included): what one costs
    # whatever the think time, so cores / this is the most assessments a second the site
    # could finish.
    cpu_ms = (site.cpu_seconds() - cpu_before) * 1000 / max(len(done), 1)
    result = {
        "respondents": respondents, "rounds": rounds, "think_s": think_seconds,
        "elapsed_s": round(elapsed, 2), "completed": len(done),
        "completed_per_s": round(len(done) / elapsed, 2),
        **_summary(tally, elapsed),
    }
    if staff:
        waits = [w for m in members for w in m.report_waits]
        result["staff"] = {"members": staff, "wave": staff_wave,
                           **_summary(staff_tally, elapsed),
                           "reports_downloaded": len(waits),
                           "report_wait_s": percentiles_s(waits)}
    if crash_at is None:
        result["site_cpu_ms_per_assessment"] = round(cpu_ms, 1)
    if outage:
        result["outage"] = {k: round(v, 2) for k, v in outage.items()}
    result["beliefs"] = beliefs(wave, people)
    return result


def beliefs(wave: str, people: list[Respondent]) -> dict[str, Any]:
    return {"wave": wave, "clients": [
        {"code": p.code, "submitted": p.submitted, "answers": sorted(p.saved, key=repr)}
        for p in people]}


def run_steps(site: Site, wave: str, steps: list[int], seconds: float, limit_ms: float,
              seed: int) -> dict[str, Any]:
    """The throughput ceiling: respondents who do not pause (each starts the next
    assessment as soon as one is submitted), more of them at each step, until p95 passes
    `limit_ms` or a request fails. Requests and assessments a second at the busiest step
    that kept within the limit are the ceiling."""
    from hrta.instrument import load_bundled
    from hrta.web.surveys import flow

    sections = flow.pages(load_bundled())
    people: list[Respondent] = []
    lock = threading.Lock()
    results = []
    for step, clients in enumerate(steps):
        tally = Tally()
        stop = time.monotonic() + seconds
        done_here: list[Respondent] = []

        def client(index: int, tally: Tally = tally, stop: float = stop,
                   done_here: list[Respondent] = done_here, step: int = step) -> None:
            rng = random.Random(seed * 7919 + step * 1000 + index)
            while time.monotonic() < stop:
                respondent = Respondent(len(people), rng.randrange(2**32))
                with lock:
                    people.append(respondent)
                browser = Browser(site.ports, tally, 0.0, start=index)
                try:
                    complete(browser, respondent, wave, sections, lambda: None)
                    with lock:
                        done_here.append(respondent)
                except UnexpectedReplyError as exc:
                    tally.error(str(exc))
                    return
                finally:
                    browser.close()

        elapsed = run_clients(client, clients, timeout=seconds + 120)
        row = {"clients": clients, "elapsed_s": round(elapsed, 2),
               "completed": len(done_here),
               "completed_per_s": round(len(done_here) / elapsed, 2),
               **_summary(tally, elapsed)}
        row.pop("by_kind")
        results.append(row)
        print(f"  step {clients} clients: {row['requests_per_s']} requests/s, "
              f"p95 {row['p95_ms']} ms, errors {row['errors']}", flush=True)
        if row["p95_ms"] > limit_ms or row["errors"]:
            break
    within = [r for r in results if r["p95_ms"] <= limit_ms and not r["errors"]]
    best = max(within, key=lambda r: r["requests_per_s"]) if within else None
    return {"limit_p95_ms": limit_ms, "seconds_per_step": seconds, "steps": results,
            "ceiling_requests_per_s": best["requests_per_s"] if best else 0.0,
            "ceiling_assessments_per_s": best["completed_per_s"] if best else 0.0,
            "ceiling_clients": best["clients"] if best else 0,
            "peak_requests_per_s": max(r["requests_per_s"] for r in results),
            "beliefs": beliefs(wave, people)}


def run_fresh(site: Site, wave: str, samples: int, settle: float, seed: int) -> dict[str, Any]:
    """The dashboard of `wave` right after new data, and once the worker has had time to
    make its Findings and charts: one respondent completes an assessment, then a member
    of staff opens the dashboard (tables and charts) at once; next time, after `settle`
    seconds with nobody looking, so only the worker can have filled the cache. Alternated,
    so both meet the same machine."""
    from hrta.instrument import load_bundled
    from hrta.web.surveys import flow

    sections = flow.pages(load_bundled())
    tally = Tally()
    member = Staff(site, tally, wave, 0)
    member.sign_in()
    rng = random.Random(seed)
    people: list[Respondent] = []
    timings: dict[str, list[float]] = {"at_once": [], "after_worker": []}
    # Views that showed the figures before the submission ("New answers have come in."):
    # the worker had not made the new ones yet.
    earlier_figures = {"at_once": 0, "after_worker": 0}
    charts: dict[str, list[float]] = {"at_once": [], "after_worker": []}
    for sample in range(samples * 2):
        respondent = Respondent(sample, rng.randrange(2**32))
        people.append(respondent)
        browser = Browser(site.ports, Tally(), 0.0, start=sample)
        try:
            complete(browser, respondent, wave, sections, lambda: None)
        finally:
            browser.close()
        when = "at_once" if sample % 2 == 0 else "after_worker"
        if when == "after_worker":
            time.sleep(settle)
        started = time.perf_counter()
        html = member.browser.get(f"/staff/waves/{wave}/")
        timings[when].append(time.perf_counter() - started)
        earlier_figures[when] += 'id="live-news" hidden' not in html
        started = time.perf_counter()
        for chart in sorted(set(re.findall(r'/staff/waves/[^/"]+/charts/[^"?]+\.svg', html))):
            member.browser.get(chart)
        charts[when].append(time.perf_counter() - started)
        time.sleep(settle / 2)  # the worker's last Findings job ends before the next sample
    member.browser.close()
    return {"samples_each": samples, "settle_s": settle,
            "dashboard_at_once": percentiles(timings["at_once"]),
            "dashboard_after_worker": percentiles(timings["after_worker"]),
            "dashboard_at_once_all_ms": [round(t * 1000, 1) for t in timings["at_once"]],
            "dashboard_after_worker_all_ms": [round(t * 1000, 1)
                                              for t in timings["after_worker"]],
            "views_showing_earlier_figures": earlier_figures,
            "charts_at_once": percentiles(charts["at_once"]),
            "charts_after_worker": percentiles(charts["after_worker"]),
            "errors": len(tally.errors), "beliefs": beliefs(wave, people)}


def run_ceiling(site: Site, clients: int, seconds: float) -> dict[str, Any]:
    """Keep-alive clients asking /healthz as fast as the servers answer."""
    tally = Tally()
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        browser = Browser(site.ports, tally, 0.0, start=index)
        try:
            while time.monotonic() < stop:
                browser.get("/healthz")
        except UnexpectedReplyError as exc:
            tally.error(str(exc))
        finally:
            browser.close()

    elapsed = run_clients(client, clients)
    return {"clients": clients, "elapsed_s": round(elapsed, 2),
            "requests": len(tally.latencies),
            "requests_per_s": round(len(tally.latencies) / elapsed, 1),
            **percentiles(tally.latencies), "errors": len(tally.errors)}


def percentiles(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
    if len(seconds) == 1:
        only = round(seconds[0] * 1000, 1)
        return {"p50_ms": only, "p95_ms": only, "p99_ms": only}
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49] * 1000, 1), "p95_ms": round(cuts[94] * 1000, 1),
            "p99_ms": round(cuts[98] * 1000, 1)}


def percentiles_s(seconds: list[float]) -> dict[str, float]:
    return {key.replace("_ms", "_s"): round(value / 1000, 2)
            for key, value in percentiles(seconds).items()}


# --- orchestration ------------------------------------------------------------------------


def in_database(env: dict[str, str], task: str, *args: str) -> dict[str, Any]:
    """Run a database task in a child process configured for that database."""
    done = subprocess.run([sys.executable, __file__, "--task", task, *args], env=env,
                          capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{task} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def checked(env: dict[str, str], folder: Path, phase: str, outcome: dict[str, Any],
            earlier: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Compare the clients' beliefs of a phase (and of `earlier` clients of the same wave)
    with the database, in a separate process."""
    told = outcome.pop("beliefs")
    path = folder / f"{phase}-beliefs.json"
    path.write_text(json.dumps({**told, "clients": [*(earlier or []), *told["clients"]]}))
    outcome["check"] = in_database(env, "verify", str(path))
    outcome["clients"] = told["clients"]
    return outcome


def bench_database(name: str, env: dict[str, str], args: argparse.Namespace,
                   folder: Path, servers: int) -> dict[str, Any]:
    in_database(env, "prepare")
    site = Site([Server(env, free_port(), args.workers, args.threads,
                        folder / f"server-{n}.log") for n in range(servers)],
                [QueueWorker(env, f"bench-worker-{n}", folder / f"worker-{n}.log")
                 for n in range(args.queue_workers)])
    result: dict[str, Any] = {"database": name, "servers": servers,
                              "queue_workers": args.queue_workers}
    try:
        result["startup_s"] = [round(server.start(), 2) for server in site.servers]
        for worker in site.workers:
            worker.start()
        result["ceiling"] = run_ceiling(site, args.respondents, args.ceiling_seconds)
        print(f"  /healthz: {result['ceiling']['requests_per_s']} requests/s", flush=True)
        outcome = run_load(site, WAVE_LOAD, args.respondents, args.rounds, args.think,
                           args.seed, staff=args.staff, staff_wave=WAVE_LOAD)
        result["load"] = checked(env, folder, "load", outcome)
        load_clients = outcome.pop("clients")
        print(f"  load: p95 {outcome['p95_ms']} ms, errors {outcome['errors']}", flush=True)
        if args.fresh_samples:
            result["fresh"] = checked(env, folder, "fresh", run_fresh(
                site, WAVE_LOAD, args.fresh_samples, args.settle, args.seed), load_clients)
            result["fresh"].pop("clients")
            print(f"  dashboard after new data: p95 at once "
                  f"{result['fresh']['dashboard_at_once']['p95_ms']} ms, after the worker "
                  f"{result['fresh']['dashboard_after_worker']['p95_ms']} ms", flush=True)
        if args.steps:
            result["steps"] = checked(env, folder, "steps", run_steps(
                site, WAVE_STEPS, args.steps, args.step_seconds, args.step_limit_ms,
                args.seed))
            result["steps"].pop("clients")
        if args.fault:
            outcome = run_load(site, WAVE_FAULT, args.respondents, args.rounds, args.think,
                               args.seed, args.crash_after or args.think * 5)
            result["fault"] = checked(env, folder, "fault", outcome)
            result["fault"].pop("clients")
    finally:
        for server in site.servers:
            server.stop()
        for worker in site.workers:
            worker.stop()
    return result


def environment(data_dir: Path, database_urls: tuple[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "CONTACTS_DATABASE_URL")}
    env.update(HRTA_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="hrta.web.settings")
    if database_urls:
        env["DATABASE_URL"], env["CONTACTS_DATABASE_URL"] = database_urls
    return env


def verdict(run: dict[str, Any], args: argparse.Namespace) -> list[str]:
    """Where a run misses the targets: p95 page latency, nothing lost or doubled, and the
    dashboard right after new data."""
    misses = []
    label = f"{run['database']} ({run['servers']} server{'s' * (run['servers'] > 1)})"
    for phase in ("load", "fresh", "steps", "fault"):
        outcome = run.get(phase)
        if outcome is None:
            continue
        check = outcome["check"]
        for key in ("lost_submissions", "duplicated_submissions",
                    "responses_with_answers_lost", "responses_with_unexpected_answers",
                    "responses_with_wrong_status", "unclaimed_with_answers"):
            if check[key]:
                misses.append(f"{label} {phase}: {key} = {check[key]}")
        if phase in ("load", "fault") and \
                outcome["completed"] != args.respondents * args.rounds:
            misses.append(f"{label} {phase}: {outcome['completed']} of "
                          f"{args.respondents * args.rounds} assessments completed")
    load = run["load"]
    for who, outcome in (("respondents", load), ("staff", load.get("staff"))):
        if outcome and outcome["errors"]:
            misses.append(f"{label} load: {outcome['errors']} errors ({who})")
    if load["p95_ms"] > args.target_p95_ms:
        misses.append(f"{label} load: respondents' p95 {load['p95_ms']} ms > "
                      f"{args.target_p95_ms} ms")
    fresh = run.get("fresh")
    if fresh:
        for when in ("at_once", "after_worker"):
            p95 = fresh[f"dashboard_{when}"]["p95_ms"]
            if p95 > args.target_p95_ms:
                misses.append(f"{label} dashboard after new data ({when.replace('_', ' ')}): "
                              f"p95 {p95} ms > {args.target_p95_ms} ms")
    return misses


def print_table(runs: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 170))
    table = Table(title="The web app on loopback: respondents, staff, the ceiling")
    for column in ("database", "phase", "completed", "assessments/s", "requests/s",
                   "p50 ms", "p95 ms", "p99 ms", "errors", "retried", "lost", "duplicated",
                   "CPU ms/assessment"):
        table.add_column(column, justify="left" if column in ("database", "phase")
                         else "right")
    for run in runs:
        ceiling = run["ceiling"]
        table.add_row(f"{run['database']} ×{run['servers']}", "/healthz", "", "",
                      f"{ceiling['requests_per_s']:,.0f}", f"{ceiling['p50_ms']}",
                      f"{ceiling['p95_ms']}", f"{ceiling['p99_ms']}", str(ceiling["errors"]),
                      "", "", "", "")
        for phase in ("load", "fault"):
            if phase not in run:
                continue
            o = run[phase]
            check = o["check"]
            lost = (check["lost_submissions"] + check["responses_with_answers_lost"])
            name = "respondents" if phase == "load" else "server killed + restarted"
            table.add_row("", name, f"{o['completed']}/{o['respondents'] * o['rounds']}",
                          f"{o['completed_per_s']}", f"{o['requests_per_s']:,.0f}",
                          f"{o['p50_ms']}", f"{o['p95_ms']}", f"{o['p99_ms']}",
                          str(o["errors"]), str(o["retried_requests"]), str(lost),
                          str(check["duplicated_submissions"]),
                          str(o.get("site_cpu_ms_per_assessment", "")))
            if "staff" in o:
                st = o["staff"]
                table.add_row("", f"staff ×{st['members']}", "", "",
                              f"{st['requests_per_s']:,.1f}", f"{st['p50_ms']}",
                              f"{st['p95_ms']}", f"{st['p99_ms']}", str(st["errors"]),
                              "", "", "", "")
        if "steps" in run:
            for row in run["steps"]["steps"]:
                table.add_row("", f"no pauses, {row['clients']} clients",
                              str(row["completed"]), f"{row['completed_per_s']}",
                              f"{row['requests_per_s']:,.0f}", f"{row['p50_ms']}",
                              f"{row['p95_ms']}", f"{row['p99_ms']}", str(row["errors"]),
                              "", "", "", "")
    console.print(table)
    kinds = Table(title="Requests by kind during the load (respondents and staff)")
    for column in ("run", "request", "n", "p50 ms", "p95 ms", "p99 ms"):
        kinds.add_column(column, justify="left" if column in ("run", "request") else "right")
    for run in runs:
        merged = {**run["load"]["by_kind"], **run["load"].get("staff", {}).get("by_kind", {})}
        for kind, row in merged.items():
            kinds.add_row(f"{run['database']} ×{run['servers']}", kind, str(row["requests"]),
                          f"{row['p50_ms']}", f"{row['p95_ms']}", f"{row['p99_ms']}")
    console.print(kinds)
    for run in runs:
        if "fresh" in run:
            f = run["fresh"]
            console.print(f"{run['database']} ×{run['servers']}: dashboard right after a "
                          f"submission p50/p95 {f['dashboard_at_once']['p50_ms']}/"
                          f"{f['dashboard_at_once']['p95_ms']} ms; after {f['settle_s']} s "
                          f"(the worker's Findings) {f['dashboard_after_worker']['p50_ms']}/"
                          f"{f['dashboard_after_worker']['p95_ms']} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=100)
    parser.add_argument("--staff", type=int, default=5,
                        help="staff refreshing the dashboard and downloading meanwhile")
    parser.add_argument("--rounds", type=int, default=1,
                        help="assessments each respondent thread completes one after another")
    parser.add_argument("--think", type=float, default=5.0,
                        help="mean seconds a respondent spends on a page")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--servers", default="sqlite=1,postgresql=2",
                        help="app servers per database, used round-robin by the clients")
    parser.add_argument("--queue-workers", type=int, default=1,
                        help="`hrta worker` processes beside the servers")
    parser.add_argument("--workers", type=int, default=0,
                        help="gunicorn workers per server; 0: hrta serve's default")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--ceiling-seconds", type=float, default=5.0)
    parser.add_argument("--steps", default="10,20,40,80",
                        help="clients without pauses at each step of the throughput "
                             "ceiling; empty for none")
    parser.add_argument("--step-seconds", type=float, default=15.0)
    parser.add_argument("--step-limit-ms", type=float, default=1000.0,
                        help="p95 beyond which a step is over the ceiling")
    parser.add_argument("--fresh-samples", type=int, default=6,
                        help="dashboard views right after a submission (and as many after "
                             "--settle seconds); 0 for none")
    parser.add_argument("--settle", type=float, default=6.0)
    parser.add_argument("--crash-after", type=float, default=None,
                        help="seconds into the fault run when the first server is killed "
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
    args.steps = [int(n) for n in args.steps.split(",") if n.strip()]
    servers = {name.strip(): int(count) for name, count in
               (pair.split("=") for pair in args.servers.split(",") if pair.strip())}

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
            count = servers.get(name, 1)
            print(f"{name}, {count} server(s): {args.respondents} respondents x "
                  f"{args.rounds} rounds, think {args.think} s, {args.staff} staff ...",
                  flush=True)
            run = bench_database(name, environment(folder / "data", urls), args, folder,
                                 count)
            run["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
            runs.append(run)
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
        "settings": {"respondents": args.respondents, "staff": args.staff,
                     "rounds": args.rounds, "think_s": args.think,
                     "servers": servers, "queue_workers": args.queue_workers,
                     "workers": args.workers or 2 * (os.cpu_count() or 1) + 1,
                     "threads": args.threads, "steps": args.steps,
                     "step_seconds": args.step_seconds, "step_limit_ms": args.step_limit_ms,
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
