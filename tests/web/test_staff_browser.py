"""The staff pages in real headless Chromium against gunicorn: axe-core finds no serious
or critical violation on any of them at 360 px and at desktop width, nothing scrolls
sideways, every chart loads, and the dashboard's counts update themselves."""

from __future__ import annotations

import re

import pytest

from hrta.web.contacts.services import save_contact
from tests.web.conftest import ROOT, make_user
from tests.web.staffdata import PASSWORD, add_response

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
  .filter(v => v.impact === "serious" || v.impact === "critical")
  .map(v => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.slice(0, 3)
      .map(n => n.target.join(" ")).join(", ")}`)"""
CHARTS = """() => Array.from(document.querySelectorAll("img.hrta-chart"))
  .map(img => [img.getAttribute("src"), img.complete && img.naturalWidth > 0])"""


@pytest.fixture
def staff_page(browser, live_url, wave):
    """An admin signed in through the sign-in page, in a desktop window."""
    for n in range(6):
        response = add_response(wave, {
            "org_type": "ccbhc", "state": "ny" if n % 2 else "pa", "communities": ["rural"],
            "ta_receiving": "yes" if n < 4 else "no", "challenges": f"Answer <b>{n}</b>"})
    save_contact(response=response, instrument=wave.instrument, data={
        "raffle_opt_in": "yes", "raffle_name": "Pat", "raffle_email": "pat@example.net"})
    admin = make_user("admin", password=PASSWORD)
    # axe-core goes in as an inline script, which the pages' policy refuses (see
    # test_hardening_browser.py for the pages under the policy).
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_url}/staff/login/")
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"/staff/waves/{wave.slug}/$"))
    yield page
    context.close()


@pytest.mark.sqlite_only(
    reason="accessibility audits check the markup, which does not depend on the database")
def test_every_staff_page_passes_axe_and_fits(staff_page, live_url, wave):
    if not AXE.is_file():
        pytest.fail(f"axe-core not found at {AXE}: run `npm ci` (make test does)")
    response = wave.responses.first()
    paths = ["/staff/login/", f"/staff/waves/{wave.slug}/",
             f"/staff/waves/{wave.slug}/?org_type=ccbhc",
             f"/staff/waves/{wave.slug}/?region=west",
             f"/staff/waves/{wave.slug}/responses/", f"/staff/responses/{response.public_id}/",
             f"/staff/waves/{wave.slug}/import/", f"/staff/waves/{wave.slug}/downloads/",
             f"/staff/waves/{wave.slug}/raffle/", "/staff/audit/", "/staff/waves/",
             "/staff/waves/new/", f"/staff/waves/{wave.slug}/edit/", "/staff/account/"]
    problems = []
    page = staff_page
    for path in paths:
        page.goto(live_url + path)
        page.wait_for_load_state("load")
        page.add_script_tag(path=str(AXE))
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900})
            problems += [f"{path} at {width} px: {v}" for v in page.evaluate(SERIOUS)]
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > width:
                problems.append(f"{path}: {wide} px wide in a {width} px window")
        page.set_viewport_size({"width": 1280, "height": 900})
        if path.startswith(f"/staff/waves/{wave.slug}/?"):
            continue
        if path == f"/staff/waves/{wave.slug}/":
            # Charts load lazily; make them all load, then check each one drew.
            page.evaluate("""async () => { for (const img of document.querySelectorAll(
                "img.hrta-chart")) { img.loading = "eager"; await img.decode().catch(() => 0); }
                }""")
            loaded = page.evaluate(CHARTS)
            # The state map and the bar chart of the one closed question answered.
            assert len(loaded) == 2 and all(ok for _src, ok in loaded), loaded
    # The sign-in page, signed out, and an error on a form.
    page.get_by_role("button", name=re.compile("^Sign out")).click()
    page.wait_for_url(re.compile(r"/staff/login/$"))
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    page.add_script_tag(path=str(AXE))
    problems += [f"sign-in error: {v}" for v in page.evaluate(SERIOUS)]
    assert problems == []


def test_live_counts_update_without_a_reload(staff_page, live_url, wave):
    page = staff_page
    page.clock.install()
    page.goto(f"{live_url}/staff/waves/{wave.slug}/")
    submitted = page.locator('[data-count="submitted"]')
    assert submitted.inner_text() == "6"
    assert page.locator("#live-news").is_hidden()
    add_response(wave, {"org_type": "ccbhc"})
    page.clock.run_for(31_000)
    page.wait_for_function(
        "document.querySelector('[data-count=\"submitted\"]').textContent === '7'")
    assert page.locator("#live-news").is_visible()
    page.get_by_role("link", name="Update the figures").click()
    page.wait_for_load_state("load")
    assert page.get_by_text(re.compile(r"7 responses, 7 eligible")).is_visible()


@pytest.mark.sqlite_only(reason="the menu is markup and script, not the database")
def test_menu_opens_on_a_phone(staff_page, live_url, wave):
    page = staff_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_url}/staff/waves/{wave.slug}/")
    nav = page.get_by_role("navigation", name="Staff pages")
    assert not nav.get_by_role("link", name="My account").is_visible()
    page.get_by_role("button", name="Menu").click()
    nav.get_by_role("link", name="My account").click()
    page.wait_for_url(re.compile(r"/staff/account/$"))
