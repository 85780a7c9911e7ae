"""The API tested from its OpenAPI description (src/hrta/web/staff/openapi.json) against
the live server: schemathesis generates requests for every operation and checks status
codes, content types, headers and bodies against the description, and that each
operation refuses a call without credentials; every protected operation answers 401
without credentials or with a bad token and 403 to an account whose role may not read it,
by token and by session."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, settings

from hrta.web.accounts.tokens import issue_token
from tests.web.conftest import make_user
from tests.web.staffdata import add_response, staff_user

ROOT = Path(__file__).resolve().parents[2]
DESCRIPTION = ROOT / "src" / "hrta" / "web" / "staff" / "openapi.json"
PASSWORD = "correct-horse-battery"


@dataclass(frozen=True)
class Callers:
    wave: str
    viewer: str  # a token of an account that may read Findings
    no_role: str  # a token of an active account with no staff role
    no_role_name: str


@pytest.fixture(scope="module")
def callers(live_url: str) -> Callers:
    from hrta.instrument import load_bundled
    from hrta.web.surveys.models import Wave

    instrument = load_bundled()
    wave = Wave.objects.create(slug=f"api-schema-{Path(live_url).name.split(':')[-1]}",
                               title="API schema", instrument_id=instrument.id,
                               instrument_version=instrument.version)
    add_response(wave, {"org_type": "ccbhc", "ta_receiving": "yes"})
    _made, viewer = issue_token(user=staff_user("viewer"), name="schema")
    nobody = make_user("viewer", password=PASSWORD)
    nobody.groups.clear()  # signed-in, active, but no role
    _made, no_role = issue_token(user=nobody, name="schema")
    return Callers(wave.slug, viewer, no_role, nobody.username)


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _description() -> dict:
    return json.loads(DESCRIPTION.read_text(encoding="utf-8"))


def test_the_served_description_is_the_file_in_the_repository(live_url):
    status, headers, body = _get(f"{live_url}/api/openapi.json")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert json.loads(body) == _description()


def _api_routes(patterns: list, prefix: str = "") -> list[str]:
    routes = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += _api_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/"):
            routes.append("/" + route.replace("<slug:slug>", "{slug}"))
    return routes


def test_every_api_address_is_described():
    routes = _api_routes(get_resolver().url_patterns)
    assert routes and sorted(routes) == sorted(_description()["paths"])


def _protected(description: dict) -> list[tuple[str, str]]:
    return [(path, method) for path, item in description["paths"].items()
            for method, operation in item.items()
            if operation.get("security", description.get("security", []))]


def test_every_protected_operation_refuses_strangers_and_the_wrong_role(live_url, callers):
    protected = _protected(_description())
    assert protected  # the API is not open to anyone
    for path, method in protected:
        assert method == "get"
        url = live_url + path.replace("{slug}", callers.wave)
        for headers in ({}, {"Authorization": "Token hrta_not-a-token"},
                        {"Authorization": f"Bearer {callers.viewer}"}):
            status, got, body = _get(url, headers)
            assert status == 401, (path, headers)
            assert got["Content-Type"] == "application/json" and got["WWW-Authenticate"] == "Token"
            assert json.loads(body)["status"] == 401
        status, got, body = _get(url, {"Authorization": f"Token {callers.no_role}"})
        assert status == 403 and json.loads(body) == {
            "error": "Your account may not read Findings.", "status": 403}
        status, got, body = _get(url, {"Authorization": f"Token {callers.viewer}"})
        assert status == 200 and got["Content-Type"] == "application/json"
        assert json.loads(body)["responses"]["total"] == 1


def test_a_session_without_the_role_gets_403(live_url, callers):
    """The same refusal for a signed-in browser session as for a token."""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{live_url}/staff/login/", timeout=30).read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    form = urllib.parse.urlencode({"username": callers.no_role_name, "password": PASSWORD,
                                   "csrfmiddlewaretoken": csrf}).encode()
    with pytest.raises(urllib.error.HTTPError) as home:  # signed in; no staff page is theirs
        opener.open(urllib.request.Request(f"{live_url}/staff/login/", data=form, headers={
            "Referer": f"{live_url}/staff/login/"}), timeout=30)
    assert home.value.code == 403 and home.value.url.endswith("/staff/")
    assert any(c.name == "sessionid" for c in jar)
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(f"{live_url}/api/waves/{callers.wave}/findings", timeout=30)
    assert refused.value.code == 403
    assert refused.value.headers["Content-Type"] == "application/json"


# Loaded from the file in the repository, which the first test holds equal to the one served.
schema = schemathesis.openapi.from_path(DESCRIPTION)


@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_description(case, live_url, callers):
    """Status codes, content types, headers and bodies as described, no server error, and
    a call without credentials refused (schemathesis's `ignored_auth`)."""
    case.call_and_validate(base_url=live_url,
                           headers={"Authorization": f"Token {callers.viewer}"})
