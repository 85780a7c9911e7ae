""""Never loses an answer": leaving a page with a mistake on it keeps every valid answer,
a mistake shows what was typed, and the resume link brings the answers back in a new
browser. Also: a page stays a handful of database queries."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from hrta.web.surveys.models import Response
from tests.web.respondents import page_of, post, reach, resume_code

QUERY_BUDGET = 12


def _rows(wave) -> set[tuple[str, str, str | None]]:
    response = Response.objects.get(wave=wave)
    return set(response.answers.values_list("question_id", "option_id", "value"))


def test_back_with_a_mistake_keeps_the_valid_answers_and_the_saved_one(client, wave):
    number = page_of(wave, "state")
    reach(client, wave, number)
    url = f"/w/{wave.slug}/page/{number}/"
    post(client, url, {"role": "ceo", "action": "next"})
    # Back to the page: a new state and communities are fine, the role's "Other" text is
    # too long.
    reply = post(client, url, {"state": "ny", "communities": ["rural", "tribal"],
                               "role": "other", "role__other__text": "x" * 501,
                               "action": "back"})
    assert reply.status_code == 302
    assert reply["Location"] == f"/w/{wave.slug}/page/{number - 1}/"
    rows = _rows(wave)
    assert {("state", "ny", None), ("communities", "rural", None),
            ("communities", "tribal", None)} <= rows
    assert ("role", "ceo", None) in rows  # the answer saved before is kept, not lost
    assert not any(q == "role" and o == "other" for q, o, _ in rows)
    shown = client.get(reply["Location"]).content.decode()
    assert "We saved your other answers. Some answers on the page “Your organization” were " \
           "not saved" in shown


def test_back_with_a_tampered_rating_keeps_the_other_ratings(client, wave):
    number = page_of(wave, "fb_organizational")
    reach(client, wave, number)
    reply = post(client, f"/w/{wave.slug}/page/{number}/", {
        "fb_organizational.leadership_support": "strongly_agree",
        "fb_organizational.staff_support": "not-an-option",
        "challenges": "Funding, mostly.",
        "action": "back"})
    assert reply.status_code == 302
    rows = _rows(wave)
    assert ("fb_organizational.leadership_support", "strongly_agree", None) in rows
    assert ("challenges", "", "Funding, mostly.") in rows
    assert not any(q == "fb_organizational.staff_support" for q, _, _ in rows)


def test_save_later_with_a_mistake_keeps_the_valid_answers(client, wave):
    number = page_of(wave, "ta_formats")
    reach(client, wave, number)
    formats = wave.instrument.question("ta_formats").option_ids
    reply = post(client, f"/w/{wave.slug}/page/{number}/", {
        "ta_receiving": "yes", "ta_formats": list(formats[:4]), "action": "later"})
    assert reply["Location"] == f"/w/{wave.slug}/saved/"
    rows = _rows(wave)
    assert ("ta_receiving", "yes", None) in rows
    assert not any(q == "ta_formats" for q, _, _ in rows)


def test_next_with_a_mistake_saves_nothing_and_shows_what_was_typed(client, wave):
    number = page_of(wave, "challenges")
    reach(client, wave, number)
    reply = post(client, f"/w/{wave.slug}/page/{number}/", {
        "challenges": "Stigma <em>everywhere</em>",
        "fb_community.trust_pwud": "somewhat_agree",
        "fb_community.community_support": "bogus", "action": "next"})
    assert reply.status_code == 400
    body = reply.content.decode()
    assert "Stigma &lt;em&gt;everywhere&lt;/em&gt;" in body
    assert re.search(r'id="fb_community\.trust_pwud-somewhat_agree"[^>]*checked', body)
    # The summary at the top links to the field with the problem and is announced.
    assert 'role="alert"' in body
    assert 'href="#fb_community.community_support-strongly_agree"' in body
    assert 'aria-describedby="fb_community.community_support-error"' in body
    assert _rows(wave) == {("screening", "employed", None)}


def _queries(request) -> list[str]:
    """The SQL one request runs (read at once: the next request clears Django's log)."""
    with CaptureQueriesContext(connection) as captured:
        request()
    return [query["sql"] for query in captured.captured_queries]


def test_a_page_is_a_handful_of_queries(client, wave):
    number = page_of(wave, "state")
    reach(client, wave, number)
    url = f"/w/{wave.slug}/page/{number}/"

    def save():
        reply = post(client, url, {"state": "ny", "role": "other", "role__other__text": "Nurse",
                                   "org_type": "ccbhc", "communities": ["rural", "urban", "tribal"],
                                   "action": "next"})
        assert reply.status_code == 302

    counts = {"page view": _queries(lambda: client.get(url)),
              "page save": _queries(save),
              "page with errors": _queries(lambda: post(client, url, {"state": "xx"}))}
    last = page_of(wave, "ta_formats")
    for n in range(number + 1, last + 1):
        post(client, f"/w/{wave.slug}/page/{n}/", {"action": "next"})
    counts["review"] = _queries(lambda: client.get(f"/w/{wave.slug}/review/"))
    assert all(0 < len(sql) <= QUERY_BUDGET for sql in counts.values()), {
        name: len(sql) for name, sql in counts.items()}
    # Answers are written in one statement, not one per option; the save's audit entry in
    # one more.
    inserts = [sql.split()[2] for sql in counts["page save"] if sql.startswith("INSERT")]
    assert inserts == ['"surveys_answer"', '"surveys_auditentry"'], counts["page save"]


def test_resume_link_brings_the_answers_back_in_a_new_browser(browser, live_url, wave):
    first = browser.new_context(viewport={"width": 360, "height": 740})
    page = first.new_page()
    page.goto(f"{live_url}/w/{wave.slug}/")
    page.get_by_role("button", name="Start the assessment").click()
    page.get_by_text("Yes, I work at a mental health", exact=False).click()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/saved/$"))
    link = page.locator("#resume-link a").get_attribute("href")
    page.get_by_role("link", name="Continue the assessment").click()
    page.wait_for_url(re.compile(r"/page/2/$"))
    page.get_by_label("In which state or territory").select_option(label="Puerto Rico")
    page.get_by_text("Community Health Worker", exact=True).click()
    page.get_by_text("Rural", exact=True).click()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/page/3/$"))
    first.close()

    fresh = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = fresh.new_page()
        page.goto(link)
        page.wait_for_url(re.compile(r"/page/3/$"))
        page.get_by_role("button", name="Back").click()
        page.wait_for_url(re.compile(r"/page/2/$"))
        assert page.get_by_label("In which state or territory").input_value() == "pr"
        assert page.get_by_label("Community Health Worker").is_checked()
        assert page.get_by_label("Rural", exact=True).is_checked()
        assert not page.get_by_label("Urban", exact=True).is_checked()
        page.get_by_role("button", name="Back").click()
        page.wait_for_url(re.compile(r"/page/1/$"))
        assert page.get_by_label("Yes, I work at a mental health", exact=False).is_checked()
    finally:
        fresh.close()
    assert _rows(wave) >= {("screening", "employed", None), ("state", "pr", None),
                           ("role", "community_health_worker", None),
                           ("communities", "rural", None)}


def test_resume_code_typed_by_hand_works_in_any_case_and_spacing(client, wave):
    reach(client, wave, 2)
    code = resume_code(client, wave)
    from django.test import Client

    other = Client(enforce_csrf_checks=True)
    sloppy = " " + code.lower().replace("-", " ") + " "
    reply = post(other, "/resume/", {"code": sloppy})
    assert reply.status_code == 302
    assert reply["Location"] == f"/w/{wave.slug}/page/2/"
