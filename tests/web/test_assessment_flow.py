"""The respondent's path through the assessment, with Django's test client on the real
database: pages, saving, skip and limits, resume codes, eligibility, submission."""

from __future__ import annotations

import re

from hrta.web.surveys.models import Answer, Response
from hrta.web.surveys.services import find_by_code, normalise_code


def _csrf(client, url: str) -> str:
    client.get(url)
    return client.cookies["csrftoken"].value


def _post(client, url: str, data: dict) -> object:
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else \
        _csrf(client, url)
    return client.post(url, {**data, "csrfmiddlewaretoken": token})


def _start(client, wave) -> None:
    _csrf(client, f"/w/{wave.slug}/")
    response = _post(client, f"/w/{wave.slug}/start/", {})
    assert response.status_code == 302
    assert response["Location"] == f"/w/{wave.slug}/page/1/"


def test_post_without_csrf_token_is_refused(client, wave):
    client.get(f"/w/{wave.slug}/")
    refused = client.post(f"/w/{wave.slug}/start/")
    assert refused.status_code == 403
    assert "Please try again" in refused.content.decode()  # said plainly, not "CSRF"
    assert not Response.objects.filter(wave=wave).exists()


def test_eligible_path_saves_each_page_and_submits(client, wave):
    _start(client, wave)
    page1 = _post(client, f"/w/{wave.slug}/page/1/", {"screening": "employed",
                                                      "action": "next"})
    assert page1["Location"] == f"/w/{wave.slug}/saved/"
    saved = client.get(f"/w/{wave.slug}/saved/")
    code = re.search(r'id="resume-code">([^<]+)<', saved.content.decode()).group(1)
    assert len(normalise_code(code)) == 32  # 160 random bits in base 32
    response = Response.objects.get(wave=wave)
    assert find_by_code(code) == response
    assert list(response.answers.values_list("question_id", "option_id")) == [
        ("screening", "employed")]

    _post(client, f"/w/{wave.slug}/page/2/", {
        "state": "ny", "role": "other", "role__other__text": "Nurse <b>lead</b>",
        "communities": ["rural", "tribal"], "action": "next"})
    rows = set(response.answers.values_list("question_id", "option_id", "value"))
    assert ("role", "other", "Nurse <b>lead</b>") in rows
    assert ("communities", "rural", None) in rows and ("communities", "tribal", None) in rows

    # Going back re-saves the page; changing an answer replaces the earlier one.
    _post(client, f"/w/{wave.slug}/page/2/", {"state": "pa", "action": "back"})
    assert set(response.answers.filter(question_id="state").values_list("option_id",
                                                                        flat=True)) == {"pa"}
    assert not response.answers.filter(question_id="communities").exists()

    from hrta.web.surveys import flow

    last = len(flow.pages(wave.instrument))
    for number in range(2, last + 1):
        reply = _post(client, f"/w/{wave.slug}/page/{number}/", {"action": "next"})
        assert reply.status_code == 302, reply.content[:500]
    assert reply["Location"] == f"/w/{wave.slug}/review/"
    review = client.get(f"/w/{wave.slug}/review/")
    assert review.status_code == 200
    done = _post(client, f"/w/{wave.slug}/review/", {})
    assert done["Location"] == f"/w/{wave.slug}/thanks/"
    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED
    assert response.submitted_at is not None


def test_top_three_limit_is_enforced_with_a_message(client, wave):
    _start(client, wave)
    _post(client, f"/w/{wave.slug}/page/1/", {"screening": "employed", "action": "next"})
    question = wave.instrument.question("ta_formats")
    from hrta.web.surveys import flow

    number = next(i for i, s in enumerate(flow.pages(wave.instrument), 1)
                  if question in s.questions)
    for earlier in range(2, number):
        _post(client, f"/w/{wave.slug}/page/{earlier}/", {"action": "next"})
    four = list(question.option_ids[:4])
    reply = _post(client, f"/w/{wave.slug}/page/{number}/", {"ta_formats": four,
                                                           "action": "next"})
    assert reply.status_code == 400
    assert "You can choose up to 3 answers. You chose 4." in reply.content.decode()
    assert not Answer.objects.filter(response__wave=wave, question_id="ta_formats").exists()
    ok = _post(client, f"/w/{wave.slug}/page/{number}/", {"ta_formats": four[:3],
                                                        "action": "next"})
    assert ok.status_code == 302
    assert Answer.objects.filter(response__wave=wave, question_id="ta_formats").count() == 3


def test_screened_out_respondent_gets_end_page_and_is_recorded(client, wave):
    _start(client, wave)
    reply = _post(client, f"/w/{wave.slug}/page/1/", {"screening": "not_employed",
                                                      "action": "next"})
    assert reply["Location"] == f"/w/{wave.slug}/ineligible/"
    response = Response.objects.get(wave=wave)
    assert response.status == Response.Status.INELIGIBLE
    # No further page can be answered.
    assert client.get(f"/w/{wave.slug}/page/2/")["Location"] == f"/w/{wave.slug}/ineligible/"


def test_screening_is_required(client, wave):
    _start(client, wave)
    reply = _post(client, f"/w/{wave.slug}/page/1/", {"action": "next"})
    assert reply.status_code == 400
    assert "Please answer this question." in reply.content.decode()


def test_tampered_and_unknown_resume_codes_are_refused(client, wave):
    _start(client, wave)
    _post(client, f"/w/{wave.slug}/page/1/", {"screening": "employed", "action": "next"})
    code = re.search(r'id="resume-code">([^<]+)<',
                     client.get(f"/w/{wave.slug}/saved/").content.decode()).group(1)
    flipped = ("B" if code[0] == "A" else "A") + code[1:]
    from django.test import Client

    other = Client()
    assert other.get(f"/resume/{flipped}/").status_code == 404
    assert other.get("/resume/short/").status_code == 404
    assert other.get(f"/resume/{code}/").status_code == 302


def test_expired_resume_code_is_refused(client, wave):
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    _start(client, wave)
    _post(client, f"/w/{wave.slug}/page/1/", {"screening": "employed", "action": "next"})
    code = re.search(r'id="resume-code">([^<]+)<',
                     client.get(f"/w/{wave.slug}/saved/").content.decode()).group(1)
    Response.objects.filter(wave=wave).update(
        updated_at=timezone.now() - timedelta(days=settings.RESUME_DAYS + 1))
    assert find_by_code(code) is None
    wave.accepting = False
    wave.save()
    Response.objects.filter(wave=wave).update(updated_at=timezone.now())
    assert find_by_code(code) is None
