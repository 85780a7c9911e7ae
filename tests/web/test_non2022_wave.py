"""A questionnaire that is not the 2022 one, through the staff pages and the assessment in
real headless Chromium against the app served by gunicorn: a Qualtrics export with its .qsf
reaches the dashboard; an instrument drafted from an export becomes a wave a respondent
answers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hrta.web.surveys import flow
from hrta.web.surveys.models import Answer, Response, Wave
from tests.web.browsing import choose, fail_on_dialog, save_and_continue
from tests.web.conftest import make_user
from tests.web.staffdata import PASSWORD

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def desk(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def _signed_in(page, live_url: str, path: str) -> None:
    user = make_user("admin", name=f"admin-{timezone.now().strftime('%H%M%S%f')}",
                     password=PASSWORD)
    page.goto(live_url + path)
    page.wait_for_url(re.compile(r"/staff/login/"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _create_wave(page, slug: str) -> None:
    page.get_by_label("Short name for links").fill(slug)
    page.get_by_label("Title").fill(f"Wave {slug}")
    page.get_by_role("button", name="Save the wave").click()
    page.wait_for_url(re.compile(r"/staff/waves/$"))


def test_qualtrics_export_and_its_qsf_reach_the_dashboard(desk, live_url):
    slug = f"qx-{timezone.now().strftime('%H%M%S%f')}"
    _signed_in(desk, live_url, "/staff/waves/new/")
    _create_wave(desk, slug)
    desk.goto(f"{live_url}/staff/waves/{slug}/import/")
    desk.locator("#id_file").set_input_files(FIXTURES / "qualtrics" / "choice_text.csv")
    desk.get_by_label("Survey tool").select_option("qualtrics")
    desk.locator("#id_definition").set_input_files(FIXTURES / "qualtrics" / "ta_needs_2024.qsf")
    desk.get_by_role("button", name="Import", exact=True).click()
    desk.wait_for_url(re.compile(rf"/staff/waves/{slug}/responses/"))
    wave = Wave.objects.get(slug=slug)
    assert wave.instrument.id == "ta_needs_2024"
    desk.goto(f"{live_url}/staff/waves/{slug}/")
    first = next(q for s in wave.instrument.sections for q in s.questions
                 if q.type == "multi")
    expect(desk.get_by_text(first.text, exact=False).first).to_be_visible()
    expect(desk.locator("figure svg, figure img, .hrta-chart").first).to_be_attached()


def test_a_drafted_instrument_becomes_a_wave_a_respondent_answers(desk, phone, live_url):
    slug = f"drafted-{timezone.now().strftime('%H%M%S%f')}"
    _signed_in(desk, live_url, "/staff/waves/draft/")
    desk.locator("#id_file").set_input_files(FIXTURES / "drafting" / "needs_assessment.csv")
    desk.get_by_role("button", name="Draft the instrument").click()
    expect(desk.locator("#draft-summary")).to_contain_text("questions drafted")
    desk.get_by_role("button", name="Create a wave from this instrument").click()
    expect(desk.get_by_label("Instrument YAML")).to_contain_text("sections:")
    _create_wave(desk, slug)
    wave = Wave.objects.get(slug=slug)
    assert wave.instrument_yaml

    dialogs = fail_on_dialog(phone)
    phone.goto(f"{live_url}/w/{slug}/")
    phone.get_by_role("button", name=re.compile("Start the assessment", re.I)).click()
    for _page in range(len(wave.instrument.sections) + 2):
        if re.search(r"/review/$", phone.url):
            break
        if re.search(r"/page/\d+/$", phone.url):
            number = int(re.search(r"/page/(\d+)/$", phone.url).group(1))
            # The first answer of each page's first single choice, as a person taps it.
            single = next((q for q in flow.pages(wave.instrument)[number - 1].questions
                           if q.type == "single"), None)
            if single is not None:
                choose(phone, wave, single.id, single.options[0].id)
            save_and_continue(phone)
        else:
            phone.get_by_role("link", name=re.compile("Continue", re.I)).click()
    phone.wait_for_url(re.compile(r"/review/$"))
    phone.get_by_role("button", name=re.compile(r"^(Submit|Send)", re.I)).click()
    phone.wait_for_url(re.compile(r"/thanks/$"))
    assert not dialogs
    response = Response.objects.get(wave=wave)
    assert response.status == Response.Status.SUBMITTED
    first = wave.instrument.sections[0].questions[0]
    assert Answer.objects.filter(response=response, question_id=first.id).exists()
