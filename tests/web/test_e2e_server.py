"""`hrta serve` for real: gunicorn on loopback, the USWDS styling and scripts served by
WhiteNoise, the health checks, and a clean stop on SIGTERM."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.served import Served, get
from tests.web.conftest import ROOT


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, Served]]:
    """`hrta serve --host --port` as an operator runs it, on this session's database. Port 0:
    the port is the one gunicorn bound, read from its log, so no other process can take it
    between a choice and the bind."""
    hrta = Path(sys.executable).parent / "hrta"
    server = Served([hrta, "serve", "--workers", "1"], env=os.environ.copy(), cwd=ROOT,
                    timeout=60)
    yield server.url, server
    server.stop()


def test_serve_answers_health_checks(served):
    url, _ = served
    status, headers, body = get(url + "/healthz")
    assert (status, body) == (200, b"ok\n")
    assert headers["Content-Type"].startswith("text/plain")
    assert "no-cache" in headers["Cache-Control"]
    status, _, body = get(url + "/healthz/db")
    assert status == 200
    assert body.decode().splitlines() == ["default: ok", "contacts: ok"]


def test_uswds_and_site_assets_are_served_with_their_types(served):
    url, _ = served
    status, headers, body = get(url + "/static/uswds/css/uswds.min.css")
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert b".usa-button" in body
    assert "max-age" in headers["Cache-Control"]
    status, headers, body = get(url + "/static/uswds/js/uswds.min.js")
    assert status == 200 and "javascript" in headers["Content-Type"]
    # The fonts the stylesheet asks for come from the same place.
    status, headers, _ = get(url + "/static/uswds/fonts/source-sans-pro/"
                                    "sourcesanspro-regular-webfont.woff2")
    assert status == 200 and headers["Content-Type"] == "font/woff2"
    status, headers, _ = get(url + "/static/hrta/site.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert get(url + "/static/uswds/css/nothing-here.css")[0] == 404


def test_pages_link_the_served_styles(served, wave):
    url, _ = served
    status, _, body = get(f"{url}/w/{wave.slug}/")
    page = body.decode()
    assert status == 200
    assert 'href="/static/uswds/css/uswds.min.css"' in page
    assert 'src="/static/uswds/js/uswds.min.js"' in page


def test_sigterm_stops_gunicorn_and_all_its_workers(served):
    """`hrta serve` hands its process to gunicorn, so a service manager's stop reaches it."""
    url, server = served
    assert server.stop(timeout=30) == 0, server.output
    # Asked for port 0, it names the port it got, the one gunicorn listens on.
    assert f"Serving at {url}/  (staff pages: {url}/staff/)" in server.output
    assert f"Listening at: {url}" in server.output
    with pytest.raises(OSError):
        get(url + "/healthz")
