"""Web tests: a real database (SQLite, or PostgreSQL with HRTA_TEST_POSTGRES=1), the real
app served by gunicorn, and real headless Chromium driven by Playwright.

Django is configured once for the session, before any test imports a model: a fresh data
folder, migrated; each test makes its own wave (unique slug) instead of resetting tables.
With pytest-xdist (`-n 2`, as `make test` runs) each worker process is a session of its
own: its own data folder and PostgreSQL server; the process that only hands out the tests
sets up nothing.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.web import postgres

if TYPE_CHECKING:
    from tests.web import mailserver

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("HRTA_CHROMIUM", "/usr/bin/chromium")
USE_POSTGRES = os.environ.get("HRTA_TEST_POSTGRES") == "1"

_DATA_DIR: Path | None = None
_SERVER: postgres.Server | None = None


def _hands_out_tests_only(config: pytest.Config) -> bool:
    """The xdist controller: it collects and runs nothing, so needs no database."""
    return not hasattr(config, "workerinput") and bool(
        getattr(config.option, "numprocesses", None))


def pytest_configure(config: pytest.Config) -> None:
    # Called as soon as this file is imported, so before any test module imports a model.
    global _DATA_DIR, _SERVER
    if _hands_out_tests_only(config):
        return
    _DATA_DIR = Path(tempfile.mkdtemp(prefix="hrta-web-test-"))
    os.environ["HRTA_DATA_DIR"] = str(_DATA_DIR)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hrta.web.settings"
    # Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
    # make between browser steps are ordinary blocking calls, which Django would otherwise
    # refuse.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Each test's new data would queue its wave's Findings, and every later test that works
    # the queue would make them: only the tests of that queueing ask for it
    # (tests/web/test_tasks.py).
    os.environ.setdefault("HRTA_PREPARE_FINDINGS", "0")
    # A test that works the queue takes each refresh at once (tests/web/test_tasks.py sets
    # the wait it checks).
    os.environ.setdefault("HRTA_FINDINGS_EVERY", "0")
    if USE_POSTGRES:
        _SERVER = postgres.start()
        os.environ["DATABASE_URL"] = _SERVER.url("hrta")
        os.environ["CONTACTS_DATABASE_URL"] = _SERVER.url("hrta_contacts")

    from hrta.web.commands import prepare

    try:
        prepare()
    except BaseException:
        pytest_unconfigure(config)  # pytest would not: leave no server behind
        raise


def pytest_unconfigure(config: pytest.Config) -> None:
    # Here rather than atexit: an xdist worker may leave without running atexit handlers,
    # and a PostgreSQL server outlives the process that started it.
    global _DATA_DIR, _SERVER
    if _SERVER is not None:
        _SERVER.stop()
        _SERVER = None
    if _DATA_DIR is not None:
        shutil.rmtree(_DATA_DIR, ignore_errors=True)
        _DATA_DIR = None


_slugs = itertools.count(1)


def pytest_report_header() -> str:
    where = _DATA_DIR or "a data folder per worker"
    return f"web database: {'PostgreSQL' if USE_POSTGRES else 'SQLite'} in {where}"


@pytest.fixture
def wave():
    """A new open wave of the bundled instrument."""
    from hrta.instrument import load_bundled
    from hrta.web.surveys.models import Wave

    instrument = load_bundled()
    number = next(_slugs)
    return Wave.objects.create(slug=f"test-{os.getpid()}-{number}", title=f"Test wave {number}",
                               instrument_id=instrument.id,
                               instrument_version=instrument.version)


def make_user(role: str, name: str | None = None, password: str = "correct-horse-battery"):
    from django.contrib.auth import get_user_model

    from hrta.web.accounts.roles import assign_role

    users = get_user_model()
    name = name or f"{role}-{next(_slugs)}"
    user = users.objects.create_user(name, password=password)
    assign_role(user, role)
    return user


@pytest.fixture
def analyst():
    return make_user("analyst")


@pytest.fixture
def client():
    from django.test import Client

    return Client(enforce_csrf_checks=True)


def start_server(port: int | None = None, workers: int = 2) -> tuple[subprocess.Popen, str]:
    """gunicorn serving the app on loopback, on this session's database.

    The socket is bound here (port 0: the system picks a free one) and handed to gunicorn
    open, so no other process can take the port between choosing it and listening on it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", port or 0))
    port = listener.getsockname()[1]
    command = [str(Path(sys.executable).parent / "gunicorn"), "hrta.web.wsgi:application",
               "--bind", f"fd://{listener.fileno()}", "--workers", str(workers),
               "--threads", "4", "--worker-class", "gthread", "--preload",
               "--log-level", "warning", "--graceful-timeout", "5"]
    try:
        process = subprocess.Popen(command, env=os.environ.copy(), cwd=ROOT,
                                   pass_fds=(listener.fileno(),))
    finally:
        listener.close()  # gunicorn holds its own copy
    url = f"http://127.0.0.1:{port}"
    # A deadline, not a wait: generous, as a busy machine (two test processes, each with a
    # server and a browser) can take a while to start the workers.
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url + "/resume/", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.2)
    return process, url


@pytest.fixture(scope="session")
def live_url() -> Iterator[str]:
    process, url = start_server()
    yield url
    stop_server(process)


def stop_server(process: subprocess.Popen) -> None:
    """Stop gunicorn gracefully, or kill it when a loaded machine keeps it past the grace."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless; never a browser downloaded by a test tool."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package "
                    "(make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A fresh browser profile the size of a small phone (360 x 740)."""
    context = browser.new_context(viewport={"width": 360, "height": 740},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


# A real SMTP server (tests/web/mailserver.py) for the tests that read what was sent.

@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[mailserver.Inbox, int]]:
    """One real SMTP server for a test module."""
    from tests.web import mailserver

    with mailserver.smtp_server() as served:
        yield served


@pytest.fixture
def inbox(smtp: tuple[mailserver.Inbox, int]) -> Iterator[mailserver.Inbox]:
    """The module's server, emptied, with Django's mail sent to it for one test."""
    from tests.web import mailserver

    messages, port = smtp
    messages.clear()
    with mailserver.sending_to(port):
        yield messages


@pytest.fixture
def analysed(monkeypatch) -> list[str]:
    """Each time a request analyses responses or draws a chart, in the order it did."""
    from hrta.web.staff import figures, selectors

    calls: list[str] = []
    analyse, to_svg = selectors.analyse, figures.charts.to_svg
    monkeypatch.setattr(selectors, "analyse",
                        lambda *a, **k: calls.append("analyse") or analyse(*a, **k))
    monkeypatch.setattr(figures.charts, "to_svg",
                        lambda *a, **k: calls.append("chart") or to_svg(*a, **k))
    return calls
