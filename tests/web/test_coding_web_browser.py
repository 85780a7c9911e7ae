"""The review page in real headless Chromium against gunicorn, driven by the keyboard
alone: number keys tick themes, H hides the quote, Enter confirms, J and K move; the run's
progress on the overview page; axe-core finds nothing serious on the coding pages."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from hrta.web.coding.models import CodingRun, HumanCode
from hrta.web.coding.services import start_run
from tests.web.conftest import ROOT, make_user
from tests.web.staffdata import PASSWORD, add_response
from tests.web.tasking import empty_queue, work_queue

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
  .filter(v => v.impact === "serious" || v.impact === "critical")
  .map(v => `${v.impact} ${v.id}: ${v.help}`)"""
ANSWERS = ["We do not have the funding.", "Stigma in our town.", "Staff burnout.",
           "State law gets in the way."]


def test_review_page_by_keyboard(browser, live_url, wave):
    for text in ANSWERS:
        add_response(wave, {"challenges": text})
    analyst = make_user("analyst", password=PASSWORD)
    # axe-core goes in as an inline script, which the pages' policy refuses.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{live_url}/staff/login/")
    page.get_by_label("Username").fill(analyst.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")

    # The run is an explicit action; the page follows its progress, then offers review.
    page.goto(f"{live_url}/staff/waves/{wave.slug}/coding/")
    section = page.locator("#question-challenges")
    empty_queue()  # the worker below takes this test's run only
    section.get_by_role("button", name="Code the answers").click()
    expect(section.get_by_text("Coding: 0 of")).to_be_visible()  # queued, waiting for a worker
    assert work_queue() == 1  # as `hrta worker` takes it
    expect(section.get_by_role("link", name="Review answers")).to_be_visible(timeout=120_000)
    assert CodingRun.objects.get(wave=wave, question="challenges").status == "done"
    expect(section).to_contain_text("Confirmed by a reviewer: 0 of 4.")

    section.get_by_role("link", name="Review answers").click()
    page.wait_for_url(re.compile(r"/coding/challenges/review/"))
    expect(page.locator("#progress")).to_contain_text("Coded 0 of 4")
    expect(page.locator("#shortcuts")).to_contain_text("Next answer, without saving")
    first = page.locator("#answer").inner_text()
    page.locator("body").click(position={"x": 5, "y": 5})  # focus the page, not a field

    # J moves on without saving, K comes back.
    page.keyboard.press("j")
    page.wait_for_url(re.compile(r"at=\d+"))
    assert page.locator("#answer").inner_text() != first
    page.keyboard.press("k")
    expect(page.locator("#answer")).to_have_text(first)

    # Untick whatever the machine suggested, tick themes 8 (policy) and 1 (funding).
    for box in page.locator("input[name=themes]:checked").all():
        page.keyboard.press(box.get_attribute("data-key"))
    page.keyboard.press("8")
    page.keyboard.press("1")
    expect(page.locator("#theme-policy_legal")).to_be_checked()
    expect(page.locator("#theme-funding")).to_be_checked()
    page.keyboard.press("h")
    expect(page.locator("#hide-quote")).to_be_checked()
    page.keyboard.press("Enter")
    expect(page.locator("#progress")).to_contain_text("Coded 1 of 4")
    code = HumanCode.objects.get(wave=wave, coder=analyst)
    assert sorted(code.themes) == ["funding", "policy_legal"]
    assert code.primary and code.hide_quote
    assert code.response.answers.get(question_id="challenges").value == first
    assert page.locator("#answer").inner_text() != first  # the next answer is shown

    problems = []
    for path in ("", "challenges/review/", "challenges/review/?mode=blind",
                 "challenges/agreement/", "challenges/proposals/"):
        page.goto(f"{live_url}/staff/waves/{wave.slug}/coding/{path}")
        page.add_script_tag(path=str(AXE))
        problems += [f"{path}: {v}" for v in page.evaluate(SERIOUS)]
    assert problems == []
    context.close()


def test_progress_is_shown_while_a_run_works(browser, live_url, wave):
    add_response(wave, {"challenges": "Money."})
    analyst = make_user("analyst", password=PASSWORD)
    start_run(wave=wave, question="challenges", user=analyst, wait=True)
    # A run that is working: the page shows how far it has got and updates itself.
    CodingRun.objects.filter(wave=wave).update(status="running", done=3, total=10)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_url}/staff/login/")
    page.get_by_label("Username").fill(analyst.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    page.goto(f"{live_url}/staff/waves/{wave.slug}/coding/")
    status = page.locator("#question-challenges [role=status]")
    expect(status).to_contain_text("Coding: 3 of 10 answers.")
    assert page.locator("#question-challenges progress").get_attribute("value") == "3"
    CodingRun.objects.filter(wave=wave).update(done=7)
    expect(status).to_contain_text("Coding: 7 of 10 answers.")
    CodingRun.objects.filter(wave=wave).update(status="done", done=10)
    expect(page.locator("#question-challenges").get_by_role(
        "link", name="Review answers")).to_be_visible()
    context.close()
