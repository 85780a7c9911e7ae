"""Accessibility of every respondent page, in real headless Chromium against gunicorn:
axe-core finds no serious or critical violation at 360 px and at desktop width, in English
and in Spanish; nothing is wider than a 360 px screen; a page can be answered with the
keyboard alone, with a visible focus, a working skip link, announced errors linked to
their fields, and required questions marked."""

from __future__ import annotations

import re

import pytest

from hrta.web.surveys.models import Answer, Response, Wave
from tests.web.conftest import ROOT
from tests.web.respondents import page_count

pytestmark = pytest.mark.sqlite_only(
    reason="accessibility audits check the markup, which does not depend on the database")

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"phone": 360, "desktop": 1280}
# The thank-you page's contact form (the page also has a form to e-mail the resume link).
CONTACT_SUBMIT = "main form:has(#may_contact) button[type=submit]"
# Every page a respondent can see; a walk that misses one fails.
PAGES = ["choose wave", "landing", "page 1", "page 1 with errors", "saved", "page 2",
         "page 2 with errors", "page 3", "page 4", "page 5", "page 6", "review", "thanks",
         "thanks with errors", "thanks after contact", "ineligible", "resume form",
         "resume error", "resume link error", "closed", "not found"]

_SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.slice(0, 3)
        .map(n => n.target.join(" ")).join(", ")}`);
}"""

_FOCUS_VISIBLE = """(element) => {
  const shows = (style) => (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
    || (style.boxShadow && style.boxShadow !== "none");
  if (shows(getComputedStyle(element))) return true;
  // USWDS draws radio buttons and checkboxes on the label: the ring is on its ::before.
  const label = element.id && document.querySelector(`label[for="${CSS.escape(element.id)}"]`);
  return Boolean(label) && shows(getComputedStyle(label, "::before"));
}"""


def with_axe(context) -> None:
    """Load axe-core into every page the context opens, before the page's own scripts."""
    if not AXE.is_file():
        pytest.fail(f"axe-core not found at {AXE}: run `npm ci` (make test does)")
    context.add_init_script(path=str(AXE))


class Audit:
    """Runs axe-core and the width check on each page a walk reaches, at each width: the
    window is resized in place, so one walk covers the phone and the desktop."""

    def __init__(self, page, widths: list[int]) -> None:
        self.page = page
        self.widths = widths
        self.seen: list[str] = []
        self.problems: list[str] = []

    def check(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        height = page.viewport_size["height"]
        for width in self.widths:
            page.set_viewport_size({"width": width, "height": height})
            for violation in page.evaluate(_SERIOUS):
                self.problems.append(f"{name} at {width} px ({page.url}): {violation}")
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > width:
                self.problems.append(f"{name} ({page.url}): {wide} px wide in a {width} px "
                                     "window: sideways scrolling")
        page.set_viewport_size({"width": self.widths[0], "height": height})
        self.seen.append(name)


def pick(page, input_id: str) -> None:
    """Choose an answer by its label, as a person taps it (USWDS hides the real input)."""
    page.locator(f'label[for="{input_id}"]').click()


def next_page(page) -> None:
    page.locator('button[name="action"][value="next"]').click()
    page.wait_for_load_state("load")


def _walk(browser, live_url: str, wave: Wave, language: str) -> Audit:
    Wave.objects.create(slug=f"{wave.slug}-other", title="Another open wave")
    closed = Wave.objects.create(slug=f"{wave.slug}-closed", title="A closed wave",
                                 accepting=False)
    widths = [WIDTHS["phone"], WIDTHS["desktop"]]
    context = browser.new_context(viewport={"width": widths[0], "height": 800})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_url}])
    with_axe(context)
    page = context.new_page()
    audit = Audit(page, widths)
    try:
        page.goto(f"{live_url}/")
        audit.check("choose wave")
        page.goto(f"{live_url}/w/{wave.slug}/")
        audit.check("landing")
        page.locator("form[action$='/start/'] button").click()
        page.wait_for_url(re.compile(r"/page/1/$"))
        audit.check("page 1")
        next_page(page)
        audit.check("page 1 with errors")
        pick(page, "screening-employed")
        next_page(page)
        page.wait_for_url(re.compile(r"/saved/$"))
        audit.check("saved")
        page.goto(f"{live_url}/w/{wave.slug}/page/2/")
        audit.check("page 2")
        pick(page, "role-other")
        page.locator("#role__other__text").fill("y" * 501)
        page.locator("#state").select_option("pr")
        next_page(page)
        audit.check("page 2 with errors")
        page.locator("#role__other__text").fill("Enfermera <b>líder</b> " + "z" * 200)
        next_page(page)
        for number in range(3, page_count(wave) + 1):
            page.wait_for_url(re.compile(f"/page/{number}/$"))
            audit.check(f"page {number}")
            next_page(page)
        page.wait_for_url(re.compile(r"/review/$"))
        audit.check("review")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/thanks/$"))
        audit.check("thanks")
        pick(page, "raffle_opt_in-yes")
        page.locator("#raffle_email").fill("not an address")
        page.locator(CONTACT_SUBMIT).click()
        audit.check("thanks with errors")
        page.locator("#raffle_email").fill("someone@example.org")
        page.locator(CONTACT_SUBMIT).click()
        page.wait_for_url(re.compile(r"/thanks/$"))
        audit.check("thanks after contact")

        context.clear_cookies()
        context.add_cookies([{"name": "django_language", "value": language, "url": live_url}])
        page.goto(f"{live_url}/w/{wave.slug}/")
        page.locator("form[action$='/start/'] button").click()
        pick(page, "screening-not_employed")
        next_page(page)
        page.wait_for_url(re.compile(r"/ineligible/$"))
        audit.check("ineligible")
        page.goto(f"{live_url}/resume/")
        audit.check("resume form")
        page.locator("#code").fill("not-a-code")
        page.locator("#resume-form button[type=submit]").click()
        audit.check("resume error")
        page.goto(f"{live_url}/resume/{'A' * 32}/")
        audit.check("resume link error")
        page.goto(f"{live_url}/w/{closed.slug}/")
        audit.check("closed")
        page.goto(f"{live_url}/w/{wave.slug}/no-such-page/")
        audit.check("not found")
    finally:
        context.close()
    return audit


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_respondent_page_passes_axe_and_fits(browser, live_url, wave, language):
    audit = _walk(browser, live_url, wave, language)
    assert audit.seen == PAGES
    assert not audit.problems, "\n".join(audit.problems)


def _tab_to(page, matches: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches a CSS selector."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({matches!r})"):
            return
    raise AssertionError(f"Tab never reached {matches}")


def _focus_is_visible(page) -> bool:
    return page.evaluate(f"({_FOCUS_VISIBLE})(document.activeElement)")


def test_a_page_answered_by_keyboard_alone(browser, live_url, wave):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{live_url}/w/{wave.slug}/")
        # The skip link is the first stop, visible when focused, and moves the focus.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.classList.contains('usa-skipnav')")
        # It slides into view (a short transition) when it takes the focus: wait until the
        # transition has run out and the link is on screen, however long a busy machine takes.
        page.wait_for_function(
            "() => { const link = document.activeElement;"
            " return link.getAnimations().every((a) => a.playState === 'finished')"
            " && link.getBoundingClientRect().top >= 0; }")
        assert _focus_is_visible(page)
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main-content"

        _tab_to(page, "form[action$='/start/'] button")
        assert _focus_is_visible(page)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/page/1/$"))

        # Saving with nothing chosen: the error is announced and linked to the question.
        _tab_to(page, "button[value=next]")
        page.keyboard.press("Enter")
        page.wait_for_load_state("load")
        summary = page.locator("#error-summary")
        assert summary.get_attribute("role") == "alert"
        assert page.evaluate("document.activeElement.id") == "error-summary"
        group = page.get_by_role("group", name=re.compile(r"employed .*\(required\)"))
        assert "screening-error" in group.get_attribute("aria-describedby")
        assert page.locator("#screening-error").inner_text() == "Please answer this question."
        assert page.locator("#screening-employed").get_attribute("required") is not None
        # The summary's link takes the focus to the question's first answer.
        _tab_to(page, "#error-summary a")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "screening-employed"
        assert _focus_is_visible(page)
        page.keyboard.press("Space")
        assert page.locator("#screening-employed").is_checked()
        _tab_to(page, "button[value=next]")
        assert _focus_is_visible(page)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/saved/$"))
        _tab_to(page, "main a.usa-button")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/page/2/$"))

        # Page 2 by keyboard: every stop shows where the focus is.
        stops = []
        for _ in range(40):
            page.keyboard.press("Tab")
            stops.append((page.evaluate("document.activeElement.id || "
                                        "document.activeElement.textContent.trim()"),
                          _focus_is_visible(page)))
            if page.evaluate("document.activeElement.matches('button[value=next]')"):
                break
        hidden = [name for name, visible in stops if not visible]
        assert not hidden, f"focus not visible on {hidden}"
        page.focus("#state")
        page.keyboard.press("ArrowDown")  # a drop-down answers by arrow keys
        page.keyboard.press("ArrowDown")
        _tab_to(page, "#communities-rural")
        page.keyboard.press("Space")
        _tab_to(page, "button[value=next]")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/page/3/$"))
    finally:
        context.close()
    response = Response.objects.get(wave=wave)
    rows = set(Answer.objects.filter(response=response).values_list("question_id", "option_id"))
    assert ("screening", "employed") in rows
    assert ("communities", "rural") in rows
    assert any(q == "state" for q, _ in rows)


def test_top_three_limit_is_said_and_kept_in_the_browser(browser, live_url, wave):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        page.goto(f"{live_url}/w/{wave.slug}/")
        page.locator("form[action$='/start/'] button").click()
        pick(page, "screening-employed")
        next_page(page)
        number = page_count(wave)
        for n in range(2, number):
            page.goto(f"{live_url}/w/{wave.slug}/page/{n}/")
            next_page(page)
        page.wait_for_url(re.compile(f"/page/{number}/$"))
        counter = page.locator("#ta_formats-count")
        assert counter.get_attribute("aria-live") == "polite"
        assert counter.inner_text() == "0 of 3 chosen."
        for option in ("toolkits", "webinars", "small_group"):
            pick(page, f"ta_formats-{option}")
        assert counter.inner_text() == "3 of 3 chosen."
        pick(page, "ta_formats-convenings")
        assert not page.locator("#ta_formats-convenings").is_checked()
        assert counter.inner_text() == ("You can choose up to 3 answers. Clear one to choose "
                                        "another.")
        # "Other" asks what it is only once it is chosen.
        assert not page.locator("#ta_formats__other__text").is_visible()
        pick(page, "ta_formats-webinars")
        pick(page, "ta_formats-other")
        assert page.locator("#ta_formats__other__text").is_visible()
    finally:
        context.close()


def test_axe_catches_a_broken_page(browser):
    """The audit means something only if axe-core really runs: a missing label, faint text
    and a too-wide block must all be caught."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        page.set_content('<html lang="en"><body><main><h1>x</h1><input type="text">'
                         '<p style="color:#ccc;background:#fff">faint</p>'
                         f'<div style="width:600px">{"w" * 10}</div></main></body></html>')
        audit = Audit(page, [360])
        audit.check("broken")
    finally:
        context.close()
    found = "\n".join(audit.problems)
    assert "critical label" in found and "serious color-contrast" in found
    assert "sideways scrolling" in found


# --- the printable plan on a phone, and the staff pages added since ---------------------------

_PRINTS = "window.__printed = 0; window.print = () => { window.__printed += 1; };"


def _signed_in_context(browser, live_url: str, client, width: int):
    """A browser profile carrying a test client's session (a respondent's or staff's), with
    axe-core loaded and window.print counted; the pages' own policy stays in force."""
    context = browser.new_context(viewport={"width": width, "height": 740})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_url}])
    with_axe(context)
    context.add_init_script(_PRINTS)
    return context


def test_printable_plan_fits_a_phone_with_a_print_button(browser, live_url, wave):
    """Respondent's and staff's printable plan at 360 px: nothing scrolls sideways, a
    visible "Print" button opens the browser's print dialog, no keyboard-shortcut text,
    axe clean."""
    from django.test import Client

    from tests.web.staffdata import signed_in
    from tests.web.test_assistance_web import RICH, submit

    respondent = Client(enforce_csrf_checks=True)
    response = submit(respondent, wave, RICH)
    analyst, _user = signed_in("analyst")
    for client, path in ((respondent, f"/w/{wave.slug}/plan/print/"),
                         (analyst, f"/staff/plans/{response.public_id}/print/")):
        context = _signed_in_context(browser, live_url, client, 360)
        page = context.new_page()
        try:
            page.goto(live_url + path)
            audit = Audit(page, [360])
            audit.check(path)
            assert not audit.problems, audit.problems
            button = page.get_by_role("button", name="Print")
            assert button.is_visible()
            button.click()
            assert page.evaluate("window.__printed") == 1
            assert "Ctrl+P" not in page.locator("body").inner_text()
        finally:
            context.close()


def test_new_staff_pages_pass_axe_and_fit(browser, live_url, wave):
    """The accounts pages, the responses list with its filters and the withheld quotes, at
    360 px and at desktop width, under the pages' own policy."""
    from tests.web.staffdata import add_response, signed_in

    add_response(wave, {"state": "pa", "org_type": "ccbhc"})
    admin, _user = signed_in("admin")
    _client, viewer = signed_in("viewer")
    paths = ["/staff/users/", f"/staff/users/{viewer.pk}/", "/staff/account/password/",
             f"/staff/waves/{wave.slug}/responses/",
             f"/staff/waves/{wave.slug}/responses/?q=W-&state=pa&show=submitted"
             "&from=2020-01-01", f"/staff/waves/{wave.slug}/coding/withheld-quotes/"]
    context = _signed_in_context(browser, live_url, admin, WIDTHS["phone"])
    page = context.new_page()
    try:
        audit = Audit(page, list(WIDTHS.values()))
        for path in paths:
            assert page.goto(live_url + path).status == 200, path
            assert page.url == live_url + path, page.url  # not sent to the sign-in page
            audit.check(path)
    finally:
        context.close()
    assert not audit.problems, "\n".join(audit.problems)


def test_invitation_pages_pass_axe_and_fit(browser, live_url, wave):
    """The invitations page with a list's problems and a failed message, the message
    written and previewed, and the invitee's personal-link, unsubscribe and broken-link
    pages, at 360 px and at desktop width."""
    from hrta.web.invitations import services
    from hrta.web.invitations.models import Delivery, Invitee
    from hrta.web.invitations.roster import read_roster
    from tests.web.staffdata import signed_in

    found = read_roster("Harbor,harbor@example.org\nbad,not-an-address\n")
    services.add_invitees(wave=wave, roster=found, user=None, source="pasted")
    invitee = Invitee.objects.get(wave_slug=wave.slug)
    services.queue_mailing(wave=wave, kind="invitation", to=[services.Recipient(
        invitee.name, invitee.address, invitee)], site=live_url, user=None,
        draft=services.Draft("Join", "{link}"))
    Delivery.objects.filter(invitee=invitee).update(status="failed", attempts=1,
                                                    error="550 5.1.1 Mailbox unavailable")
    unsubscribe = services.unsubscribe_token(address_digest=invitee.digest,
                                             wave_slug=wave.slug)
    admin, _user = signed_in("admin")
    context = _signed_in_context(browser, live_url, admin, WIDTHS["phone"])
    page = context.new_page()
    try:
        audit = Audit(page, list(WIDTHS.values()))
        page.goto(f"{live_url}/staff/waves/{wave.slug}/invitations/")
        page.locator("#invite-pasted").fill("Delta,delta@example.org\nharbor@example.org")
        page.locator("main form[enctype] button[type=submit]").click()
        page.wait_for_selector("#add-problems")
        audit.check("invitations with problems")
        page.goto(f"{live_url}/staff/waves/{wave.slug}/invitations/write/invitation/")
        audit.check("write")
        page.locator('button[value="preview"]').click()
        page.wait_for_selector("#preview")
        audit.check("preview")
        for name, path in (("welcome", f"/invite/{invitee.token}/"),
                           ("unsubscribe", f"/unsubscribe/{unsubscribe}/"),
                           ("broken link", "/invite/no-such-link-0000000000/")):
            page.goto(live_url + path)
            audit.check(name)
    finally:
        context.close()
    assert audit.seen == ["invitations with problems", "write", "preview", "welcome",
                          "unsubscribe", "broken link"]
    assert not audit.problems, "\n".join(audit.problems)
