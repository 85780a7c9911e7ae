"""A respondent in real headless Chromium on a 360 px phone, against the app served by
gunicorn: the whole assessment, stopping and resuming in a new browser, and screening out.

Controls are found the way a person finds them: by the question's wording and the answer's
label (both read from the instrument), and buttons by their text.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hrta.web.surveys import flow
from hrta.web.surveys.models import Response
from tests.web.browsing import (
    HOSTILE,
    choose,
    fail_on_dialog,
    fits_phone,
    page_number,
    question_of,
    rate,
    resume_link,
    save_and_continue,
    start,
    stored,
    write,
)


def test_phone_respondent_completes_the_assessment(phone, live_url, wave):
    dialogs = fail_on_dialog(phone)
    start(phone, live_url, wave)
    choose(phone, wave, "screening", "employed")
    save_and_continue(phone)
    # After screening the private resume link and code are shown once.
    assert "/saved/" in phone.url
    link = resume_link(phone)
    fits_phone(phone)
    phone.get_by_role("link", name=re.compile("Continue", re.I)).click()

    formats = list(question_of(wave, "ta_formats").option_ids[:3])
    services = list(question_of(wave, "services_direct").option_ids[:2])
    answers_by_page = {
        "state": lambda: choose(phone, wave, "state", "ny"),
        "org_type": lambda: choose(phone, wave, "org_type", "ccbhc"),
        "communities": lambda: choose(phone, wave, "communities", "rural", "tribal"),
        "services_direct": lambda: choose(phone, wave, "services_direct", *services),
        "fb_organizational": lambda: rate(phone, wave, "fb_organizational",
                                          "leadership_support", "somewhat_agree"),
        "challenges": lambda: write(phone, wave, "challenges", HOSTILE),
        "ta_formats": lambda: choose(phone, wave, "ta_formats", *formats),
    }
    sections = flow.pages(wave.instrument)
    for number in range(2, len(sections) + 1):
        phone.wait_for_url(re.compile(rf"/page/{number}/$"))
        fits_phone(phone)
        on_page = {q.id for q in sections[number - 1].questions}
        for question_id, answer in answers_by_page.items():
            if question_id in on_page:
                answer()
        save_and_continue(phone)

    phone.wait_for_url(re.compile(r"/review/$"))
    fits_phone(phone)
    # The review page lists the answers, the open-ended one as text, not markup.
    expect(phone.get_by_text(HOSTILE, exact=True)).to_be_visible()
    expect(phone.get_by_text("New York", exact=True)).to_be_visible()
    response = Response.objects.get(wave=wave)
    assert response.status == Response.Status.IN_PROGRESS
    phone.get_by_role("button", name=re.compile(r"^(Submit|Send)", re.I)).click()
    phone.wait_for_url(re.compile(r"/thanks/$"))
    assert phone.get_by_role("heading", level=1).inner_text().startswith("Thank you")
    fits_phone(phone)
    assert dialogs == [], "a typed answer ran as script"

    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED
    expected = {("screening", "employed", None), ("state", "ny", None),
                ("org_type", "ccbhc", None), ("communities", "rural", None),
                ("communities", "tribal", None),
                ("fb_organizational.leadership_support", "somewhat_agree", None),
                ("challenges", "", HOSTILE)}
    expected |= {("services_direct", option, None) for option in services}
    expected |= {("ta_formats", option, None) for option in formats}
    assert stored(wave) == expected
    # The resume link of a submitted assessment leads to the TA plan, not the answers.
    phone.goto(link)
    assert "/plan/" in phone.url


@pytest.fixture
def new_phone(browser):
    """Phones opened one after another in the same test, each with no cookies at all."""
    contexts = []

    def open_phone():
        context = browser.new_context(viewport={"width": 360, "height": 740},
                                      is_mobile=True, has_touch=True, locale="en-US")
        contexts.append(context)
        return context, context.new_page()

    yield open_phone
    for context in contexts:
        context.close()


def test_resume_in_a_new_browser_after_closing_the_first(new_phone, live_url, wave):
    context, page = new_phone()
    start(page, live_url, wave)
    choose(page, wave, "screening", "employed")
    save_and_continue(page)
    page.get_by_role("link", name=re.compile("Continue", re.I)).click()
    page.wait_for_url(re.compile(r"/page/2/$"))
    choose(page, wave, "org_type", "ccbhc")
    choose(page, wave, "communities", "frontier")
    page.get_by_role("button", name=re.compile("finish later", re.I)).click()
    page.wait_for_url(re.compile(r"/saved/$"))
    link = resume_link(page)
    code = page.get_by_text(re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){7}$")).inner_text()
    context.close()  # the browser is gone, and its session cookie with it

    # A new browser with nothing but the link lands where the respondent left off.
    _, page = new_phone()
    page.goto(link)
    assert page_number(page) == 3
    page.get_by_role("button", name=re.compile("^Back$", re.I)).click()
    page.wait_for_url(re.compile(r"/page/2/$"))
    org_type = question_of(wave, "org_type")
    expect(page.get_by_label(org_type.option("ccbhc").label, exact=True)).to_be_checked()
    expect(page.get_by_label("Frontier", exact=True)).to_be_checked()
    save_and_continue(page)
    services = question_of(wave, "services_direct")
    choose(page, wave, "services_direct", services.option_ids[0])
    save_and_continue(page)

    # A third browser types the code instead of following the link.
    _, page = new_phone()
    page.goto(f"{live_url}/resume/")
    page.get_by_label(re.compile("code", re.I)).first.fill(code.lower().replace("-", " "))
    page.get_by_role("button", name=re.compile("Continue", re.I)).click()
    page.wait_for_url(re.compile(r"/page/4/$"))

    assert Response.objects.filter(wave=wave).count() == 1
    assert stored(wave) == {("screening", "employed", None), ("org_type", "ccbhc", None),
                            ("communities", "frontier", None),
                            ("services_direct", services.option_ids[0], None)}


def test_screened_out_respondent_sees_a_polite_end(phone, live_url, wave):
    start(phone, live_url, wave)
    choose(phone, wave, "screening", "not_employed")
    save_and_continue(phone)
    phone.wait_for_url(re.compile(r"/ineligible/$"))
    assert phone.get_by_role("heading", level=1).inner_text().startswith("Thank you")
    fits_phone(phone)
    response = Response.objects.get(wave=wave)
    assert response.status == Response.Status.INELIGIBLE
    assert stored(wave) == {("screening", "not_employed", None)}
    # The other pages stay closed to a screened-out respondent.
    phone.goto(f"{live_url}/w/{wave.slug}/page/2/")
    assert phone.url.endswith("/ineligible/")
