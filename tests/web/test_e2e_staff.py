"""TA center staff in real headless Chromium against the app served by gunicorn: signing in,
a phone respondent's answers reaching the dashboard, a filter, excluding a response, and
downloading the report and the clean data."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from hrta.web.surveys.models import AuditEntry, Response
from tests.web.browsing import HOSTILE, complete_assessment, fail_on_dialog, question_of
from tests.web.conftest import make_user
from tests.web.staffdata import PASSWORD, add_response
from tests.web.tasking import empty_queue, work_queue


@pytest.fixture
def desk(browser):
    """A staff member's browser: a desktop window that accepts downloads."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US",
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def sign_in(page, live_url: str, username: str, password: str, path: str) -> None:
    """Open a staff page, get sent to the sign-in page, sign in, come back to it."""
    page.goto(live_url + path)
    page.wait_for_url(re.compile(r"/staff/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def counts(page) -> dict[str, int]:
    """The dashboard's live counts: "12 submitted, 0 screened out, ..."."""
    text = page.get_by_role("status").filter(has_text="submitted").first.inner_text()
    return {label: int(number) for number, label in
            re.findall(r"(\d+) (submitted|screened out|still answering|excluded)", text)}


def test_phone_answers_reach_the_dashboard_and_a_filter_narrows_it(phone, desk, live_url,
                                                                    wave):
    # Counted by hand: 6 CCBHCs and 5 mental health agencies answered already.
    for _ in range(6):
        add_response(wave, {"org_type": "ccbhc", "state": "ny", "communities": ["rural"]})
    for _ in range(5):
        add_response(wave, {"org_type": "community_mental_health", "state": "tx",
                            "communities": ["urban"]})
    # A director answers on a phone: the seventh CCBHC, with a written answer.
    complete_assessment(phone, live_url, wave, {
        "state": ("ny",), "org_type": ("ccbhc",), "communities": ("rural",),
        "challenges": HOSTILE})

    analyst = make_user("analyst", password=PASSWORD)
    dialogs = fail_on_dialog(desk)
    dashboard = f"/staff/waves/{wave.slug}/"
    sign_in(desk, live_url, analyst.username, "not-the-password", dashboard)
    expect(desk.get_by_role("alert")).to_be_visible()
    assert "/staff/login/" in desk.url
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    desk.wait_for_url(re.compile(re.escape(dashboard) + "$"))

    assert counts(desk) == {"submitted": 12, "screened out": 0, "still answering": 0,
                            "excluded": 0}
    # The phone respondent's written answer is listed, as text.
    expect(desk.get_by_text(HOSTILE, exact=True)).to_be_visible()
    assert dialogs == []
    expect(desk.get_by_text(re.compile("The whole wave, as the published report"))).to_be_visible()

    org_type = question_of(wave, "org_type")
    desk.get_by_label("Organization type").select_option(
        label=org_type.option("ccbhc").label)
    desk.get_by_role("button", name="Apply filters").click()
    desk.wait_for_url(re.compile(r"\?.*org_type=ccbhc"))
    note = desk.get_by_text(re.compile(r"Filtered view:")).inner_text()
    assert "Filtered view: 7 eligible respondents match." in note
    desk.get_by_role("link", name="Clear filters").click()
    desk.wait_for_url(re.compile(re.escape(dashboard) + "$"))


def test_exclude_a_response_then_download_report_and_data(desk, live_url, wave, tmp_path):
    for number in range(6):
        add_response(wave, {"org_type": "ccbhc", "state": "ny",
                            "challenges": f"Answer number {number}"})
    analyst = make_user("analyst", password=PASSWORD)
    sign_in(desk, live_url, analyst.username, PASSWORD, f"/staff/waves/{wave.slug}/")
    desk.get_by_role("link", name="Responses", exact=True).click()
    desk.wait_for_url(re.compile(r"/responses/$"))
    desk.get_by_role("table").get_by_role("link").first.click()
    desk.wait_for_url(re.compile(r"/staff/responses/[0-9a-f-]{36}/$"))
    public_id = desk.url.rstrip("/").rsplit("/", 1)[1]

    # A reason is required: sent empty, the page says so and nothing changes.
    desk.get_by_role("button", name="Exclude this response").click()
    assert not Response.objects.get(public_id=public_id).excluded
    desk.get_by_label("Reason").fill("Test entry made by our own staff")
    desk.get_by_role("button", name="Exclude this response").click()
    expect(desk.get_by_text("The response is excluded from the analysis.")).to_be_visible()
    expect(desk.get_by_text("excluded by staff (Test entry made by our own staff)")).to_be_visible()
    response = Response.objects.get(public_id=public_id)
    assert response.excluded
    audit = AuditEntry.objects.get(response=response, action="exclude")
    assert (audit.user, audit.reason) == (analyst, "Test entry made by our own staff")

    desk.goto(f"{live_url}/staff/waves/{wave.slug}/")
    assert counts(desk)["excluded"] == 1
    desk.get_by_role("link", name="Downloads", exact=True).click()
    # The report is made in the background: asking for it opens its task's page, a worker
    # makes it, and the page, polling, offers the file without a reload.
    empty_queue()  # the worker below takes this test's task only
    desk.get_by_role("button", name="Report (web page)").click()
    desk.wait_for_url(re.compile(r"/staff/tasks/[0-9a-f-]{36}/$"))
    expect(desk.get_by_text("Waiting for a worker.")).to_be_visible()
    assert work_queue() == 1
    expect(desk.get_by_text("Done.")).to_be_visible()
    with desk.expect_download() as report:
        desk.get_by_role("link", name=re.compile(r"^Download ")).click()
    report_file = tmp_path / report.value.suggested_filename
    report.value.save_as(report_file)
    html = report_file.read_text(encoding="utf-8")
    assert report_file.suffix == ".html" and html.lstrip().lower().startswith("<!doctype html")
    # The five responses still in the analysis (answers themselves are printed only with
    # --verbatims), and never the excluded one's answer.
    excluded_text = response.answers.get(question_id="challenges").value
    assert "describe the 5 eligible respondents" in html and excluded_text not in html

    desk.get_by_role("link", name="Back to the wave").click()
    with desk.expect_download() as data:
        desk.get_by_role("link", name="CSV", exact=True).click()
    rows = list(csv.reader(io.StringIO(data.value.path().read_text(encoding="utf-8-sig"))))
    # SurveyMonkey's layout: two header rows, then one row per response in the analysis.
    assert len(rows) - 2 == 5
    assert AuditEntry.objects.filter(wave=wave, action="download", user=analyst).count() == 2
