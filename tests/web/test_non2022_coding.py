"""Coding and TA pages for a wave whose questionnaire is not the 2022 one: its open-ended
question has no bundled codebook, gets theme discovery, and takes an uploaded codebook;
the TA pages say plainly that the questionnaire has no readiness rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hrta.ingest import load_responses
from hrta.web.coding import selectors
from hrta.web.coding.models import CodingRun, ProposedTheme
from hrta.web.surveys.instruments import draft_from_export
from hrta.web.surveys.models import Wave
from hrta.web.surveys.services import import_responses
from tests.conftest import read_rows, write_rows
from tests.web.staffdata import post, signed_in
from tests.web.test_coding_web import _run

EXPORT = Path(__file__).resolve().parents[1] / "fixtures" / "drafting" / "needs_assessment.csv"
QUESTION = "biggest_unmet_need"
NEEDS = ["More affordable housing", "Housing for people leaving jail", "Affordable housing",
         "Detox beds", "More detox beds", "Detox beds near us", "!!!"]
BOOK = ("question: biggest_unmet_need\nthemes:\n"
        "  - {id: housing, label: Housing, examples: [affordable housing]}\n"
        "  - {id: detox, label: Detox, examples: [detox beds]}\n")


@pytest.fixture
def drafted_wave(tmp_path) -> Wave:
    rows = read_rows(EXPORT)
    column = rows[0].index("What is the biggest unmet need in your community?")
    body = []
    for number, need in enumerate(NEEDS):
        row = list(rows[2])
        row[0], row[column] = str(900 + number), need
        row[-4:] = ["", "", "", ""]
        body.append(row)
    export = write_rows(tmp_path / "needs.csv", [rows[0], rows[1], *body])
    drafted = draft_from_export(export, name="needs.csv")
    wave = Wave.objects.create(slug=f"needs-{tmp_path.name[-20:].lower().replace('_', '-')}",
                               title="Needs", instrument_id=drafted.instrument.id,
                               instrument_yaml=drafted.yaml)
    import_responses(wave=wave, responses=load_responses(export, wave.instrument))
    return wave


def test_an_open_ended_question_without_a_codebook_gets_theme_discovery(drafted_wave):
    client, _user = signed_in("analyst")
    page = client.get(f"/staff/waves/{drafted_wave.slug}/coding/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f'id="question-{QUESTION}"' in text and "has no codebook yet" in text
    run = _run(client, drafted_wave, QUESTION)
    assert run.themes == [] and run.suggestions.count() == len(NEEDS)
    groups = sorted(sorted(p.representatives) for p in ProposedTheme.objects.filter(run=run))
    assert groups == [sorted(NEEDS[:3]), sorted(NEEDS[3:6])]
    assert client.get(f"/staff/waves/{drafted_wave.slug}/coding/{QUESTION}/proposals/"
                      ).status_code == 200


def test_a_codebook_uploaded_for_the_question_codes_it(drafted_wave):
    client, _user = signed_in("analyst")
    url = f"/staff/waves/{drafted_wave.slug}/coding/{QUESTION}/codebook/"
    bad = post(client, url, {"codebook": SimpleUploadedFile("needs.yaml", b"question: x\n")})
    assert bad.status_code == 302
    assert selectors.uploaded_codebook(drafted_wave, QUESTION) is None
    reply = post(client, url, {"codebook": SimpleUploadedFile("needs.yaml", BOOK.encode())})
    assert reply.status_code == 302
    assert selectors.wave_codebook(drafted_wave, QUESTION).ids == ("housing", "detox")
    assert "Uploaded as needs.yaml" in client.get(
        f"/staff/waves/{drafted_wave.slug}/coding/").content.decode()
    run = _run(client, drafted_wave, QUESTION)
    assert run.themes == ["housing", "detox"]
    coded = {s.text: [t for t, _c in s.themes] for s in run.suggestions.all()}
    assert coded["Affordable housing"] == ["housing"] and coded["More detox beds"] == ["detox"]
    assert run.status == CodingRun.Status.DONE


@pytest.mark.parametrize("page", ["demand/", "cohorts/"])
def test_ta_pages_say_the_questionnaire_has_no_readiness_rules(drafted_wave, page):
    client, _user = signed_in("admin")
    reply = client.get(f"/staff/waves/{drafted_wave.slug}/{page}")
    assert reply.status_code == 200, reply.content.decode()[:2000]
    assert "has no readiness rules" in reply.content.decode()


def test_a_response_s_plan_page_says_the_questionnaire_has_no_readiness_rules(drafted_wave):
    client, _user = signed_in("admin")
    response = drafted_wave.responses.first()
    reply = client.get(f"/staff/plans/{response.public_id}/")
    assert "has no readiness rules" in reply.content.decode()
