"""The Content Security Policy in real headless Chromium against gunicorn: respondent and
staff pages load under it with no violation reported, their scripts (all in static files)
still run, and an inline script is refused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hrta.web.contacts.services import save_contact
from tests.web.browsing import choose, complete_assessment, save_and_continue, start
from tests.web.conftest import make_user
from tests.web.staffdata import PASSWORD, add_response

pytestmark = pytest.mark.sqlite_only(
    reason="the policy is headers and markup, which do not depend on the database")

# Reported by the page itself, for every kind of violation, and again from the console.
WATCH = """document.addEventListener("securitypolicyviolation", (event) =>
  window.hrtaViolation(`${event.violatedDirective} ${event.blockedURI || "inline"} `
                       + `at ${document.location.pathname}`));"""


def _watched(browser, **options):
    """A browser context that records every CSP violation of every page it opens."""
    context = browser.new_context(**options)
    found: list[str] = []
    context.expose_binding("hrtaViolation", lambda _source, text: found.append(text))
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text else None)
    return context, page, found


def _policy_of(reply) -> str:
    policy = reply.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, policy
    return policy


def test_respondent_pages_run_under_the_policy(browser, live_url, wave):
    context, page, violations = _watched(browser, viewport={"width": 360, "height": 740})
    _policy_of(page.goto(f"{live_url}/w/{wave.slug}/"))
    start(page, live_url, wave)
    choose(page, wave, "screening", "employed")
    save_and_continue(page)
    link = page.locator("#resume-link a").get_attribute("href")
    page.get_by_role("link", name=re.compile("Continue", re.I)).click()
    page.wait_for_url(re.compile(r"/page/2/$"))
    # assessment.js ran: it hides each "Other" box until "Other" is chosen.
    others = page.locator("[data-other-for]")
    assert others.count() and others.first.get_attribute("class").count("hrta-hidden")

    # The resume link's script takes the code from after "#" and sends it.
    again, second, more = _watched(browser, viewport={"width": 360, "height": 740})
    second.goto(link)
    second.wait_for_url(re.compile(rf"/w/{wave.slug}/page/2/$"))

    # The detector works: an inline script is refused and reported.
    ran = page.evaluate("""() => { const s = document.createElement("script");
        s.textContent = "window.inlineRan = true"; document.body.appendChild(s);
        return window.inlineRan === true; }""")
    assert ran is False
    for _ in range(50):  # the report comes back from the page a moment later
        if violations:
            break
        page.wait_for_timeout(100)
    refused = [v for v in violations if "inline" in v]
    assert refused, violations
    assert [v for v in violations if v not in refused] == []
    assert more == []
    context.close()
    again.close()


def test_a_whole_assessment_and_its_plan_run_under_the_policy(browser, live_url, wave):
    context, page, violations = _watched(browser, viewport={"width": 360, "height": 740})
    complete_assessment(page, live_url, wave, {"state": ("ny",), "org_type": ("ccbhc",),
                                               "challenges": "Funding."})
    _policy_of(page.reload())
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you. We received your answers.")
    _policy_of(page.goto(f"{live_url}/w/{wave.slug}/plan/"))
    assert violations == []
    context.close()


def test_staff_pages_run_under_the_policy(browser, live_url, wave):
    for n in range(6):
        response = add_response(wave, {"org_type": "ccbhc", "communities": ["rural"],
                                       "ta_receiving": "yes" if n < 4 else "no",
                                       "challenges": f"Answer {n}"})
    save_contact(response=response, instrument=wave.instrument, data={
        "raffle_opt_in": "yes", "raffle_name": "Pat", "raffle_email": "pat@example.net"})
    admin = make_user("admin", password=PASSWORD)
    context, page, violations = _watched(browser, viewport={"width": 1280, "height": 900})
    _policy_of(page.goto(f"{live_url}/staff/login/"))
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"/staff/waves/{wave.slug}/$"))
    waves, one = f"/staff/waves/{wave.slug}", response.public_id
    for path in [f"{waves}/", f"{waves}/responses/", f"/staff/responses/{one}/",
                 f"/staff/plans/{one}/", f"{waves}/downloads/", f"{waves}/raffle/",
                 f"{waves}/import/", f"{waves}/edit/", "/staff/waves/new/",
                 f"{waves}/coding/", f"{waves}/demand/", f"{waves}/cohorts/",
                 "/staff/catalog/", "/staff/requests/", "/staff/audit/", "/staff/account/"]:
        reply = page.goto(live_url + path)
        assert reply.ok, path
        _policy_of(reply)
        assert "no-store" in reply.headers["cache-control"], path
        # Every chart (an image from the app) loads under the policy.
        page.wait_for_load_state("load")
        broken = page.evaluate("""() => Array.from(document.images)
            .filter(img => img.complete && img.naturalWidth === 0).map(img => img.src)""")
        assert broken == [], path
    page.goto(f"{live_url}/staff/waves/{wave.slug}/raffle/")
    page.get_by_role("button", name=re.compile("Draw", re.I)).first.click()
    page.wait_for_load_state("load")
    expect(page.get_by_text("pat@example.net")).to_be_visible()
    # USWDS's script runs: the menu opens on a phone-sized window.
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_url}/staff/waves/{wave.slug}/")
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("navigation", name="Staff pages")
           .get_by_role("link", name="My account")).to_be_visible()
    assert violations == []
    context.close()
