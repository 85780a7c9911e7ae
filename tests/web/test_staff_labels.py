"""No raw codes on staff pages: audit actions and channels, a response's history and
language, the TA areas an entry names and the raffle winner's details are shown in words
(the codes stay in the log's exports, where scripts filter on them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hrta.web import audit
from hrta.web.assistance.services import request_ta
from hrta.web.contacts.services import save_contact
from hrta.web.surveys.models import Response
from hrta.web.surveys.services import record, set_excluded
from tests.web.staffdata import add_response, signed_in, token

SOURCE = Path(__file__).resolve().parents[2] / "src" / "hrta"


@pytest.fixture(scope="module")
def admin():
    return signed_in("admin")


def _text(html: bytes) -> str:
    """What a reader sees: the page's text without tags and attributes."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_every_recorded_action_has_a_label():
    """Each action the code records (`action="…"`, either side of a conditional) has
    words on the audit page."""
    recorded: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        source = path.read_text()
        recorded |= set(re.findall(r'\baction\s*=\s*"([a-z_]+)"', source))
        recorded |= set(re.findall(r'\baction\s*=\s*"[a-z_]+" if .+? else "([a-z_]+)"', source))
    assert len(recorded) > 40
    assert sorted(recorded - set(audit.ACTIONS)) == []


def test_audit_log_names_actions_and_channels_in_words(wave, admin):
    client, user = admin
    record(action="user_role", user=user, detail={"account": "someone", "role": "analyst"})
    page = client.get("/staff/audit/")
    assert page.status_code == 200
    text = _text(page.content)
    assert "user_role" not in text
    assert "Role changed" in text and "Settings changed" in text
    assert "Command line" in text and " cli " not in text
    # The filter offers the words and still filters on the code.
    assert '<option value="user_role">Role changed</option>' in page.content.decode()
    chosen = _text(client.get("/staff/audit/?action=user_role").content)
    assert "Role changed" in chosen.split("Reason or details", 1)[1]
    assert "Settings changed" not in chosen.split("Reason or details", 1)[1]


def test_response_history_and_language_in_words(wave, admin):
    client, user = admin
    response = add_response(wave, {"state": "pa", "org_type": "ccbhc"})
    Response.objects.filter(pk=response.pk).update(language="es")
    set_excluded(response=response, excluded=True, reason="A test entry", user=user)
    text = _text(client.get(f"/staff/responses/{response.public_id}/").content)
    history = text.split("History", 1)[1]
    assert "Excluded from the analysis" in history and " exclude" not in history
    assert "Language Spanish" in text and "Language es " not in text


def test_ta_areas_in_the_audit_log_read_as_the_questionnaire_words(wave, admin):
    client, _ = admin
    response = add_response(wave, {"state": "pa", "org_type": "ccbhc",
                                   "ta_areas": ["funding"]})
    request_ta(response=response, areas=["funding", "staff_training"], message="",
               name="Ann", email="ann@example.org", may_contact=False)
    text = _text(client.get(f"/staff/audit/?action=ta_request&wave={wave.slug}").content)
    assert "TA requested" in text
    assert "Securing funding or reimbursement for harm reduction strategies" in text
    assert "'funding'" not in text and "staff_training" not in text


def test_raffle_winner_details_under_the_readers_wording(wave, admin):
    client, _ = admin
    response = add_response(wave, {"state": "pa", "org_type": "ccbhc"})
    assert save_contact(response=response, instrument=wave.instrument, data={
        "raffle_opt_in": "yes", "raffle_name": "Ana Sorteo",
        "raffle_email": "ana.sorteo@example.org"}) == {}
    client.cookies["django_language"] = "es"
    try:
        text = _text(client.post(f"/staff/waves/{wave.slug}/raffle/", {
            "action": "draw", "csrfmiddlewaretoken": token(client)}).content)
    finally:
        del client.cookies["django_language"]
    assert "Ana Sorteo" in text
    assert "Su nombre" in text and "Su correo electrónico" in text
    assert "Your name" not in text and "raffle_name" not in text
