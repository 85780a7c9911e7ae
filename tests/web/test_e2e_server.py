"""`hrta serve` for real: gunicorn on loopback, the USWDS styling and scripts served by
WhiteNoise, the health checks, and a clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.web.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture(scope="module")
def served() -> str:
    """`hrta serve --host --port` as an operator runs it, on this session's database."""
    port = _free_port()
    hrta = str(Path(sys.executable).parent / "hrta")
    process = subprocess.Popen(
        [hrta, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        cwd=ROOT, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if _get(url + "/healthz")[0] == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("hrta serve did not start:\n" + (process.stdout.read() or ""))
        time.sleep(0.2)
    yield url, process
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


def test_serve_answers_health_checks(served):
    url, _ = served
    status, headers, body = _get(url + "/healthz")
    assert (status, body) == (200, b"ok\n")
    assert headers["Content-Type"].startswith("text/plain")
    assert "no-cache" in headers["Cache-Control"]
    status, _, body = _get(url + "/healthz/db")
    assert status == 200
    assert body.decode().splitlines() == ["default: ok", "contacts: ok"]


def test_uswds_and_site_assets_are_served_with_their_types(served):
    url, _ = served
    status, headers, body = _get(url + "/static/uswds/css/uswds.min.css")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert b".usa-button" in body
    assert "max-age" in headers["Cache-Control"]
    status, headers, body = _get(url + "/static/uswds/js/uswds.min.js")
    assert status == 200 and "javascript" in headers["Content-Type"]
    # The fonts the stylesheet asks for come from the same place.
    status, headers, _ = _get(url + "/static/uswds/fonts/source-sans-pro/"
                                    "sourcesanspro-regular-webfont.woff2")
    assert status == 200 and headers["Content-Type"] == "font/woff2"
    status, headers, _ = _get(url + "/static/hrta/site.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert _get(url + "/static/uswds/css/nothing-here.css")[0] == 404


def test_pages_link_the_served_styles(served, wave):
    url, _ = served
    status, _, body = _get(f"{url}/w/{wave.slug}/")
    page = body.decode()
    assert status == 200
    assert 'href="/static/uswds/css/uswds.min.css"' in page
    assert 'src="/static/uswds/js/uswds.min.js"' in page


def test_sigterm_stops_gunicorn_and_all_its_workers(served):
    """`hrta serve` hands its process to gunicorn, so a service manager's stop reaches it."""
    url, process = served
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert f"Serving at {url}/" in output
    with pytest.raises(OSError):
        _get(url + "/healthz")
