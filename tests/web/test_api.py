"""`GET /api/waves/<slug>/findings`: the Findings JSON by session or personal token;
401 (JSON) without a valid one, 403 without the permission, 404 for an unknown wave."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from hrta.analysis import build_findings
from hrta.findings import Findings
from hrta.web.accounts.tokens import issue_token
from hrta.web.staff import selectors
from hrta.web.surveys.models import AuditEntry
from hrta.web.surveys.selectors import response_set
from tests.web.staffdata import add_response, post, signed_in, staff_user, token


@pytest.fixture
def filled(wave):
    add_response(wave, {"org_type": "ccbhc", "ta_receiving": "yes"})
    add_response(wave, {"org_type": "ccbhc", "ta_receiving": "no"})
    add_response(wave, {"screening": "not_employed"})
    return wave


def _api(client: Client, wave, **headers: str):
    return client.get(f"/api/waves/{wave.slug}/findings", **headers)


def test_anonymous_gets_401_json(filled):
    reply = _api(Client(), filled)
    assert reply.status_code == 401
    assert reply["Content-Type"] == "application/json"
    assert reply["WWW-Authenticate"] == "Token"
    assert json.loads(reply.content)["status"] == 401


@pytest.mark.parametrize("header", ["Token hrta_not-a-real-token", "Token ", "Bearer abc",
                                    "Token " + "x" * 5000, "Basic YWRtaW46YWRtaW4="])
def test_bad_tokens_get_401(filled, header):
    reply = _api(Client(), filled, HTTP_AUTHORIZATION=header)
    assert reply.status_code == 401 and "error" in json.loads(reply.content)


def test_token_gives_the_findings_of_the_wave(filled):
    user = staff_user("viewer")
    _record, token = issue_token(user=user, name="sheets")
    reply = _api(Client(), filled, HTTP_AUTHORIZATION=f"Token {token}")
    assert reply.status_code == 200
    found = json.loads(reply.content)
    expected = build_findings(response_set(filled)).to_json()
    assert found["questions"] == expected["questions"]
    assert found["responses"] == {"total": 3, "eligible": 2, "excluded": 1}
    assert found["questions"]["ta_receiving"]["options"]["no"]["count"] == 1
    entry = AuditEntry.objects.filter(wave=filled, action="download").get()
    assert entry.user == user and entry.detail == {"file": "findings.json", "via": "token"}
    assert user.api_tokens.get().last_used_at is not None


def test_findings_an_earlier_hrta_cached_are_read_back(filled):
    """The cache holds Findings JSON: an entry written before the Findings model (or by
    any earlier hrta) is read as the model and served unchanged; one that no longer fits
    is computed again rather than served."""
    fixture = Path(__file__).parents[1] / "fixtures" / "findings_small_before_model.json"
    older = json.loads(fixture.read_text(encoding="utf-8"))
    cache.set(selectors.findings_key(filled), older)
    found = selectors.wave_findings(filled)
    assert isinstance(found, Findings)
    assert (found.source, found.responses.total) == ("small_surveymonkey.csv", 5)
    client, _ = signed_in("viewer")
    assert json.loads(_api(client, filled).content) == older

    cache.set(selectors.findings_key(filled), {"questions": {"org_type": {"type": "?"}}})
    again = selectors.wave_findings(filled)
    assert (again.source, again.responses.total) == (filled.slug, 3)
    assert json.loads(_api(client, filled).content) == again.model_dump(mode="json")


def test_session_works_and_a_bad_token_beats_a_session(filled):
    client, _ = signed_in("viewer")
    assert _api(client, filled).status_code == 200
    assert _api(client, filled, HTTP_AUTHORIZATION="Token hrta_wrong").status_code == 401


def test_wrong_role_gets_403_and_unknown_wave_404(filled):
    nobody = staff_user("viewer")
    nobody.groups.clear()
    _record, token = issue_token(user=nobody, name="x")
    reply = _api(Client(), filled, HTTP_AUTHORIZATION=f"Token {token}")
    assert reply.status_code == 403 and json.loads(reply.content)["status"] == 403
    client, _ = signed_in(None)
    assert _api(client, filled).status_code == 403
    viewer = staff_user("viewer")
    _record, good = issue_token(user=viewer, name="y")
    missing = Client().get("/api/waves/no-such-wave/findings", HTTP_AUTHORIZATION=f"Token {good}")
    assert missing.status_code == 404 and json.loads(missing.content)["status"] == 404


def test_inactive_users_and_revoked_tokens_are_refused(filled):
    user = staff_user("analyst")
    _record, token = issue_token(user=user, name="z")
    user.is_active = False
    user.save()
    assert _api(Client(), filled, HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
    client, owner = signed_in("viewer")
    made = post(client, "/staff/account/", {"action": "create", "name": "script"})
    token = re.search(r'id="new-token">([^<]+)<', made.content.decode()).group(1)
    assert _api(Client(), filled, HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    post(client, f"/staff/account/tokens/{owner.api_tokens.get().pk}/revoke/")
    assert _api(Client(), filled, HTTP_AUTHORIZATION=f"Token {token}").status_code == 401


def test_only_get(filled):
    client, _ = signed_in("viewer")
    reply = client.post(f"/api/waves/{filled.slug}/findings",
                        {"csrfmiddlewaretoken": token(client)})
    assert reply.status_code == 405
