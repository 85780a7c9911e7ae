"""The TA pages with Django's test client on the real database: a respondent's plan after
submission and through the resume link, printable on one page and as PDF; TA requests from
the plan, tracked by staff to delivery with counts, time to delivery and a CSV export; the
TA catalog table and its staff pages; demand and cohorts for the TA center; who may open
what. Plans, demand and cohorts are checked against hrta.assistance run directly."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from hrta.assistance import answers_from_mapping, build_demand, build_plan, load_catalog
from hrta.web.assistance import selectors
from hrta.web.assistance.models import CatalogEntry, TARequest
from hrta.web.assistance.services import request_ta, seed_catalog, update_request
from hrta.web.contacts.models import Contact
from hrta.web.contacts.services import save_contact
from hrta.web.staff.selectors import reference
from hrta.web.surveys import flow
from hrta.web.surveys.models import AuditEntry, Response, Wave
from hrta.web.surveys.selectors import response_set
from tests.web import respondents
from tests.web.staffdata import add_response, signed_in, staff_user
from tests.web.staffdata import post as staff_post

ROOT = Path(__file__).resolve().parents[2]

# An organization whose answers point to funding (strongly disagrees that funding is
# adequate) and legal help ("I don't know" on state laws), and that asks for funding help
# in small groups.
RICH = {
    "state": "ny", "role": "ceo", "org_type": "ccbhc", "communities": ["rural"],
    "services_direct": ["naloxone", "overdose_education", "peer_support"],
    "services_planned": ["syringe_services"],
    "partners_current": ["local_public_health"],
    "fb_organizational.leadership_support": "strongly_agree",
    "fb_organizational.staff_knowledge": "somewhat_disagree",
    "fb_community.trust_ssp": "strongly_disagree",
    "fb_policy.adequate_funding": "strongly_disagree",
    "fb_policy.state_laws_help": "dont_know",
    "ta_receiving": "no", "ta_areas": ["funding", "staff_training"],
    "ta_formats": ["small_group", "toolkits"],
}


def submit(client: Client, wave: Wave, answers: dict) -> Response:
    """Answer the assessment page by page as a respondent's browser posts it, and send it."""
    respondents.start(client, wave)
    reply = respondents.post(client, f"/w/{wave.slug}/page/1/",
                             {"screening": "employed", "action": "next"})
    assert reply.status_code == 302
    sections = flow.pages(wave.instrument)
    for number in range(2, len(sections) + 1):
        keys = {k for q in sections[number - 1].questions for k in flow.answer_keys(q)}
        data = {k: v for k, v in answers.items() if k in keys}
        reply = respondents.post(client, f"/w/{wave.slug}/page/{number}/",
                                 {**data, "action": "next"})
        assert reply.status_code == 302, reply.content[:400]
    assert respondents.post(client, f"/w/{wave.slug}/review/").status_code == 302
    response = Response.objects.filter(wave=wave).latest("id")
    assert response.status == Response.Status.SUBMITTED
    return response


def core_plan(wave: Wave, answers: dict, response: Response):
    """The plan hrta.assistance makes from the same answers, given as a plain mapping."""
    instrument, rules = selectors.instrument_and_rules(wave.instrument_id)
    mapping = {"screening": "employed", **answers}
    given = answers_from_mapping(instrument, reference(response), mapping)
    return build_plan(given, instrument=instrument, rules=rules,
                      catalog=selectors.catalog_in_use(instrument.id))


def text_of(page: str) -> str:
    """A page's text as a reader sees it: tags gone, entities read, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# --- the respondent's plan ------------------------------------------------------------------


def test_thanks_page_leads_to_the_plan_made_by_the_core(client, wave):
    response = submit(client, wave, RICH)
    thanks = client.get(f"/w/{wave.slug}/thanks/").content.decode()
    expected = core_plan(wave, RICH, response)
    assert [a.id for a in expected.areas][:2] == ["funding", "staff_training"]
    assert "Your technical assistance plan is ready" in thanks
    assert f"It suggests {len(expected.areas)} areas of technical assistance" in thanks
    assert "Securing funding or reimbursement for harm reduction strategies" in thanks
    assert f'href="/w/{wave.slug}/plan/"' in thanks

    page = client.get(f"/w/{wave.slug}/plan/")
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    body = text_of(page.content.decode())
    assert expected.headline in body
    assert expected.profile.summary in body
    for area in expected.areas:
        assert area.label in body
        assert area.next_step in body
        for reason in area.reasons:
            assert reason.text in body
    # "I don't know" on state laws is a gap in knowledge, said so on the page.
    assert "a gap in knowledge" in body
    # Named by its pseudonym: the public id keys contact details and never leaves the app.
    assert reference(response) in body and reference(response).startswith("W-")
    assert str(response.public_id) not in page.content.decode()
    # Staff notes on catalog entries are for staff only.
    noted = [m.resource for a in expected.areas for m in a.resources if m.resource.notes]
    assert noted, "the fixture should reach a catalog entry with a staff note"
    assert "Staff note" not in body


def test_stored_answers_give_every_demo_respondent_the_command_lines_plan(wave):
    """The demo wave imported as the staff import page does: each stored response's plan
    equals the one `hrta plan` makes from the same answers in the export."""
    from hrta.assistance import answers_of
    from hrta.demo import demo_responses
    from hrta.web.surveys.services import import_responses

    exported = demo_responses(wave.instrument)
    import_responses(wave=wave, responses=exported, source_name="demo")
    instrument, rules = selectors.instrument_and_rules(wave.instrument_id)
    catalog = selectors.catalog_in_use(instrument.id)
    stored = {r.respondent_id: r for r in Response.objects.filter(wave=wave)}
    eligible = exported.respondents.filter(exported.respondents["eligible"])
    compared = 0
    for rid in eligible["response_id"].to_list():
        web = selectors.plan_of(stored[rid])
        cli = build_plan(answers_of(exported, rid), instrument=instrument, rules=rules,
                         catalog=catalog)
        assert web.to_json() == cli.to_json(), rid
        compared += 1
    assert compared == 151
    screened = [r for r in stored.values() if r.status == Response.Status.INELIGIBLE]
    assert len(screened) == 10 and all(selectors.plan_of(r) is None for r in screened)


def test_resume_link_of_a_sent_assessment_opens_the_plan(client, wave):
    respondents.start(client, wave)
    respondents.post(client, f"/w/{wave.slug}/page/1/", {"screening": "employed",
                                                         "action": "next"})
    code = respondents.resume_code(client, wave)
    for number in range(2, respondents.page_count(wave) + 1):
        respondents.post(client, f"/w/{wave.slug}/page/{number}/",
                         {**{k: v for k, v in RICH.items() if k in ("ta_areas",)},
                          "action": "next"})
    respondents.post(client, f"/w/{wave.slug}/review/")

    elsewhere = Client()  # another device: no session at all
    reply = elsewhere.get(f"/resume/{code}/")
    assert reply.status_code == 302 and reply["Location"] == f"/w/{wave.slug}/plan/"
    plan = elsewhere.get(reply["Location"])
    assert plan.status_code == 200
    assert "Securing funding or reimbursement" in plan.content.decode()


def test_no_plan_without_a_sent_eligible_assessment(client, wave):
    assert client.get(f"/w/{wave.slug}/plan/")["Location"] == f"/w/{wave.slug}/"
    respondents.reach(client, wave, 3)  # started, not sent
    for path in ("plan/", "plan/print/", "plan/ta-plan.pdf", "plan/ask/"):
        assert client.get(f"/w/{wave.slug}/{path}")["Location"] == f"/w/{wave.slug}/", path
    screened = Client(enforce_csrf_checks=True)
    respondents.start(screened, wave)
    respondents.post(screened, f"/w/{wave.slug}/page/1/", {"screening": "not_employed",
                                                           "action": "next"})
    assert screened.get(f"/w/{wave.slug}/plan/")["Location"] == f"/w/{wave.slug}/ineligible/"
    thanks = screened.get(f"/w/{wave.slug}/thanks/")
    assert "plan is ready" not in thanks.content.decode()


def test_in_spanish_the_box_and_the_page_around_the_plan_are_spanish(wave):
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "es"
    submit(client, wave, RICH)
    thanks = client.get(f"/w/{wave.slug}/thanks/").content.decode()
    assert "Su plan de asistencia técnica está listo" in thanks
    assert "Conseguir fondos o reembolsos para estrategias de reducción de daños" in thanks
    page = client.get(f"/w/{wave.slug}/plan/").content.decode()
    assert "Pedir asistencia técnica individualizada" in page
    # The plan itself is in Spanish too, in the questionnaire's words; only the catalog's
    # titles and publishers, the works' own names, are marked English.
    assert "escrito en inglés" not in page
    assert re.search(r'<h3 class="margin-bottom-05"><span lang="es">Conseguir fondos', page)
    assert "Securing funding" not in page


def test_plan_prints_on_one_page_and_downloads_as_pdf(client, wave):
    response = submit(client, wave, RICH)
    printable = client.get(f"/w/{wave.slug}/plan/print/")
    assert printable.status_code == 200
    assert printable["Content-Security-Policy"].startswith("default-src 'none'")
    html = printable.content.decode()
    assert "@page { size: letter" in html and "Back to the plan" in html
    assert reference(response) in html and str(response.public_id) not in html

    pdf = client.get(f"/w/{wave.slug}/plan/ta-plan.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="ta-plan.pdf"'
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Your technical assistance plan" in text
    assert "Securing funding or reimbursement" in text
    assert "Staff note" not in text


def test_a_response_with_almost_nothing_answered_gets_a_plan_that_says_so(client, wave):
    submit(client, wave, {})
    body = text_of(client.get(f"/w/{wave.slug}/plan/").content.decode())
    assert "Too little was answered to recommend technical assistance without guessing" in body
    assert "What could not be judged" in body


class _Pieces(HTMLParser):
    """A page's text cut into the pieces a reader reads: sentences, list items, the parts of
    a line set apart by "·" or "—". Each piece is kept with whether it sits in the plan's
    own text (`lang="en"` on the web page) and in a hint (why a resource, how a score)."""

    VOID = frozenset({"meta", "link", "br", "img", "input", "hr"})

    def __init__(self, page: str) -> None:
        super().__init__()
        self.pieces: list[tuple[str, frozenset[str]]] = []
        self._open: list[frozenset[str]] = [frozenset()]
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        marks = set(self._open[-1])
        values = dict(attrs)
        if values.get("lang"):
            marks.discard("en")
            if values["lang"] == "en":
                marks.add("en")
        classes = (values.get("class") or "").split()
        if "usa-hint" in classes:
            marks.add("hint")
        if tag in ("section", "footer", "style", "script") or "hrta-plan-who" in classes:
            marks.add(tag)
        self._open.append(frozenset(marks))

    def handle_endtag(self, tag):
        if tag not in self.VOID and len(self._open) > 1:
            self._open.pop()

    def handle_data(self, data):
        marks = self._open[-1]
        if "style" in marks or "script" in marks:
            return
        for piece in re.split(r"(?<=[.!?:;])\s+| · | — ", " ".join(data.split())):
            piece = piece.strip(" —·;,.")
            if piece:
                self.pieces.append((piece, marks))


def test_web_page_and_printed_page_say_the_same_sentences(client, wave):
    """The printed plan (what `hrta plan -o` and the print and PDF links show), shown in
    full, and the web page: every sentence of the printed page's profile and plan is on the
    web page, in English and in Spanish (the web page adds only why each resource was
    chosen and how each score is worked out)."""
    from hrta.assistance.sheet import EVERYTHING
    from hrta.report.plans import render_plan_html

    for answers in (RICH, {}):
        response = submit(client, wave, answers)
        _instrument, rules = selectors.instrument_and_rules(wave.instrument_id)
        for language in ("en", "es"):
            made = selectors.plan_of(response, language)
            assert made is not None
            printed = _Pieces(render_plan_html(made, rules=rules, density=EVERYTHING)).pieces
            client.cookies["django_language"] = language
            page = _Pieces(client.get(f"/w/{wave.slug}/plan/").content.decode())
            on_web = {piece for piece, _marks in page.pieces}
            body = [p for p, marks in printed if {"section", "footer"} & marks]
            assert len(body) > 10
            missing = [p for p in body if p not in on_web]
            assert missing == [], (language, missing)
        client.cookies.pop("sessionid", None)
        client.cookies.pop("django_language", None)


# --- TA requests ------------------------------------------------------------------------------


def test_request_from_the_plan_is_kept_with_contacts_apart(client, wave):
    response = submit(client, wave, RICH)
    form = client.get(f"/w/{wave.slug}/plan/ask/").content.decode()
    assert 'value="funding"' in form and "In your plan" in form
    audits = AuditEntry.objects.filter(action="ta_request").count()

    missing = respondents.post(client, f"/w/{wave.slug}/plan/ask/", {"areas": ["funding"]})
    assert missing.status_code == 400
    assert "Please give an e-mail address so we can reach you." in missing.content.decode()
    empty = respondents.post(client, f"/w/{wave.slug}/plan/ask/", {"email": "a@example.org"})
    assert empty.status_code == 400
    assert "Please choose at least one area, or tell us what you need." in \
        empty.content.decode()
    bad = respondents.post(client, f"/w/{wave.slug}/plan/ask/", {
        "areas": ["not_an_area"], "email": "a@example.org"})
    assert bad.status_code == 400
    assert not TARequest.objects.filter(response=response).exists()

    sent = respondents.post(client, f"/w/{wave.slug}/plan/ask/", {
        "areas": ["funding", "legal_policy"], "message": "Grants for <b>supplies</b>",
        "name": "Ana Díaz", "email": "ana@example.org", "may_contact": "on"})
    assert sent.status_code == 302 and sent["Location"] == f"/w/{wave.slug}/plan/"
    request = TARequest.objects.get(response=response)
    assert (request.areas, request.status, request.wave) == (["funding", "legal_policy"],
                                                             "received", wave)
    assert request.message == "Grants for <b>supplies</b>"
    assert AuditEntry.objects.filter(action="ta_request").count() == audits + 1
    contact = Contact.objects.get(response_key=response.public_id)
    assert contact.may_contact and contact.wave_slug == wave.slug
    assert contact.details == {"ta_name": "Ana Díaz", "ta_email": "ana@example.org"}
    assert "ana@example.org" not in contact.details_encrypted  # encrypted at rest

    plan = client.get(f"/w/{wave.slug}/plan/").content.decode()
    # The day the request was stored, not a second reading of the clock (midnight).
    day = TARequest.objects.get(response=response).received_on.isoformat()
    assert f"You asked for individualized TA on {day}. Status: Received." in plan
    again = client.get(f"/w/{wave.slug}/plan/ask/")
    assert again.status_code == 302  # one open request at a time
    assert TARequest.objects.filter(response=response).count() == 1


def _staff_update(client, request: TARequest, *, on: date, **data) -> object:
    fields = {"status": request.status, "on": on.isoformat(), **data}
    return staff_post(client, f"/staff/requests/{request.pk}/", fields)


def test_staff_move_a_request_to_delivery_and_the_counts_follow(client, wave):
    # Every day below is counted from one reading of the clock, so the test holds when it
    # runs across midnight (a day posted as today is yesterday by then: still allowed).
    today = timezone.localdate()
    response = submit(client, wave, RICH)
    request = request_ta(response=response, areas=["funding"], message="=SUM(A1:A9)",
                         name="Ana", email="ana@example.org", may_contact=False)
    # Received ten days ago: the respondent's request, recorded then.
    received = today - timedelta(days=10)
    TARequest.objects.filter(pk=request.pk).update(received_on=received)
    staff, user = signed_in("analyst")
    listing = staff.get("/staff/requests/").content.decode()
    assert request.reference in listing and reference(response) in listing

    refused = _staff_update(staff, request, status="assigned", on=today)
    assert refused.status_code == 400
    assert "Choose who the request is assigned to." in refused.content.decode()
    # Two days ahead: still the future if midnight passes meanwhile.
    future = _staff_update(staff, request, status="assigned", assignee=user.pk,
                           on=today + timedelta(days=2))
    assert "The day cannot be in the future." in future.content.decode()
    early = _staff_update(staff, request, status="assigned", assignee=user.pk,
                          on=received - timedelta(days=1))
    assert "cannot be before the request was received" in early.content.decode()

    steps = [("assigned", 8, {"assignee": user.pk}),
             ("scheduled", 7, {"scheduled_for": (received + timedelta(days=6)).isoformat()}),
             ("delivered", 4, {"outcome": "Budget walk-through; two grants found.",
                               "note": "Went well"})]
    for status, days_ago, extra in steps:
        reply = _staff_update(staff, request, status=status,
                              on=today - timedelta(days=days_ago), **extra)
        assert reply.status_code == 302, reply.content.decode()[:2000]
    request.refresh_from_db()
    assert request.status == "delivered" and request.assignee == user
    assert request.days_to_delivery == 6  # received 10 days ago, delivered 4 days ago
    assert request.events.count() == 4  # sent, assigned, scheduled, delivered
    detail = staff.get(f"/staff/requests/{request.pk}/").content.decode()
    assert "6 days after it was received" in detail and "Went well" in detail
    assert AuditEntry.objects.filter(action="ta_request_update",
                                     response=response).count() == 3

    page = staff.get(f"/staff/requests/?wave={wave.slug}").content.decode()
    assert re.search(r'data-count="total">1<', page)
    assert re.search(r'data-count="delivered">1<', page)
    assert re.search(r'data-count="open">0<', page)
    assert "6 days (1 request delivered)" in page
    panel = text_of(staff.get(f"/staff/waves/{wave.slug}/").content.decode())
    assert "TA requests from this wave 1 received, 0 open, 1 delivered. Median time to " \
        "delivery: 6 days." in panel

    # Moving back (the session has to be repeated) clears the delivery.
    reply = _staff_update(staff, request, status="scheduled", note="Repeat the session",
                          on=today)
    assert reply.status_code == 302
    request.refresh_from_db()
    assert request.delivered_on is None and request.days_to_delivery is None
    unexplained = _staff_update(staff, request, status="closed", outcome="", on=today)
    assert "Say why the request is closed without delivery." in \
        unexplained.content.decode()
    closed = _staff_update(staff, request, status="closed",
                           outcome="They found help nearer to them.", on=today)
    assert closed.status_code == 302
    request.refresh_from_db()
    assert request.closed_on == today

    # The respondent sees the current status on the plan.
    plan = client.get(f"/w/{wave.slug}/plan/").content.decode()
    assert "Closed without delivery" in plan


def test_median_time_to_delivery_by_hand(wave):
    """Four requests delivered 2, 5, 9 and 12 days after they came in: median 7 days."""
    user = staff_user("analyst")
    today = timezone.localdate()
    made = []
    for days in (2, 5, 9, 12):
        response = add_response(wave, {"ta_areas": ["funding"]})
        request = request_ta(response=response, areas=["funding"], message="", name="",
                             email="x@example.org", may_contact=False)
        TARequest.objects.filter(pk=request.pk).update(received_on=today - timedelta(days=20))
        update_request(request=request, user=user, status="delivered",
                       on=today - timedelta(days=20 - days))
        made.append(request.pk)
    open_one = request_ta(response=add_response(wave, {}), areas=["evaluation"], message="",
                          name="", email="y@example.org", may_contact=False)
    counts = selectors.request_counts(selectors.ta_requests(wave=wave))
    assert (counts.total, counts.open, counts.delivered) == (5, 1, 4)
    assert counts.median_days == 7
    assert dict((s, n) for s, _label, n in counts.by_status) == {
        "received": 1, "assigned": 0, "scheduled": 0, "delivered": 4, "follow_up": 0,
        "closed": 0}
    assert open_one.open


def test_request_export_is_formula_neutral_and_without_contacts(client, wave):
    response = submit(client, wave, RICH)
    request = request_ta(response=response, areas=["funding"],
                         message="=HYPERLINK(\"http://x\")", name="Ana",
                         email="ana@example.org", may_contact=True)
    staff, _user = signed_in("analyst")
    reply = staff.get(f"/staff/requests/export.csv?wave={wave.slug}")
    assert reply.status_code == 200
    assert reply["Content-Disposition"].startswith('attachment; filename="ta-requests-')
    text = reply.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["request", "wave", "response", "received_on", "status"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["request"] == request.reference and row["response"] == reference(response)
    assert row["message"] == "'=HYPERLINK(\"http://x\")"
    assert row["areas"] == "Securing funding or reimbursement for harm reduction strategies"
    assert "ana@example.org" not in text and "Ana" not in text
    assert AuditEntry.objects.filter(action="ta_requests_export", wave=wave).exists()


def test_contact_details_only_for_those_allowed_and_audited(client, wave):
    response = submit(client, wave, RICH)
    request = request_ta(response=response, areas=["funding"], message="", name="Ana",
                         email="ana@example.org", may_contact=True)
    analyst, _user = signed_in("analyst")
    page = analyst.get(f"/staff/requests/{request.pk}/").content.decode()
    assert "ana@example.org" not in page and "Show the contact details" not in page
    refused = staff_post(analyst, f"/staff/requests/{request.pk}/", {"action": "contacts"})
    assert refused.status_code == 403
    admin, _admin = signed_in("admin")
    before = AuditEntry.objects.filter(action="ta_contacts_view").count()
    shown = staff_post(admin, f"/staff/requests/{request.pk}/", {"action": "contacts"})
    assert shown.status_code == 200 and "ana@example.org" in shown.content.decode()
    assert AuditEntry.objects.filter(action="ta_contacts_view").count() == before + 1


# --- the catalog ------------------------------------------------------------------------------


def test_bundled_catalog_seeds_the_table():
    instrument, rules = selectors.instrument_and_rules("harm_reduction_ta_2022")
    bundled = {r.id: r for r in load_catalog(instrument, rules).resources
               if r.origin == "bundled"}
    stored = {e.resource_id: e for e in CatalogEntry.objects.filter(
        origin=CatalogEntry.Origin.BUNDLED)}
    assert set(bundled) <= set(stored)
    for resource_id, resource in bundled.items():
        assert stored[resource_id].to_resource() == resource
    again = seed_catalog()
    assert again.added == () and again.updated == ()


def _entry_form(**fields) -> dict:
    base = {"id": "", "title": "Harm reduction office hours", "publisher": "Our TA center",
            "format": "small_group", "topics": ["funding"], "communities": ["rural"],
            "link": "", "year": "", "last_reviewed": "", "notes": "Tuesdays, 2 pm"}
    return {**base, **fields}


def test_staff_add_change_retire_and_restore_an_entry(client, wave):
    staff, _user = signed_in("analyst")
    key = f"office_hours_{wave.pk}"
    before = CatalogEntry.objects.count()
    audits = AuditEntry.objects.filter(action__startswith="catalog_").count()
    bad = staff_post(staff, "/staff/catalog/new/", _entry_form(id=key, format="podcast"))
    assert bad.status_code == 400
    assert "unknown format &#x27;podcast&#x27;" in bad.content.decode()
    bad_topic = staff_post(staff, "/staff/catalog/new/", _entry_form(id=key, topics=[]))
    assert "&#x27;topics&#x27; is required" in bad_topic.content.decode()
    bad_link = staff_post(staff, "/staff/catalog/new/",
                          _entry_form(id=key, link="javascript:alert(1)"))
    assert "must be an http:// or https:// address" in bad_link.content.decode()
    bad_id = staff_post(staff, "/staff/catalog/new/", _entry_form(id="Office Hours"))
    assert "must be lower-case letters" in bad_id.content.decode()
    taken = staff_post(staff, "/staff/catalog/new/", _entry_form(id="nhrtac"))
    assert "is already in the catalog" in taken.content.decode()
    assert CatalogEntry.objects.count() == before
    assert AuditEntry.objects.filter(action__startswith="catalog_").count() == audits

    made = staff_post(staff, "/staff/catalog/new/", _entry_form(id=key))
    assert made.status_code == 302
    entry = CatalogEntry.objects.get(resource_id=key)
    assert (entry.origin, entry.format, entry.topics, entry.communities) == (
        "staff", "small_group", ["funding"], ["rural"])
    assert AuditEntry.objects.filter(action="catalog_add").latest("id").detail["entry"] == key

    # A rural organization that wants funding help in small groups now gets it first.
    response = submit(client, wave, RICH)
    plan = selectors.plan_of(response)
    funding = next(a for a in plan.areas if a.id == "funding")
    assert funding.resources[0].resource.id == key
    respondent_page = client.get(f"/w/{wave.slug}/plan/").content.decode()
    assert "Harm reduction office hours" in respondent_page
    assert "Tuesdays, 2 pm" not in respondent_page  # staff notes stay with staff
    staff_page = staff.get(f"/staff/plans/{response.public_id}/").content.decode()
    assert "Tuesdays, 2 pm" in staff_page

    changed = staff_post(staff, f"/staff/catalog/{entry.pk}/",
                         _entry_form(id="ignored", title="Office hours (online)"))
    assert changed.status_code == 302
    entry.refresh_from_db()
    assert entry.resource_id == key and entry.title == "Office hours (online)"

    staff_post(staff, f"/staff/catalog/{entry.pk}/retire/", {"action": "retire",
                                                              "reason": "Ended"})
    entry.refresh_from_db()
    assert entry.retired
    assert key not in {m.resource.id for a in selectors.plan_of(response).areas
                       for m in a.resources}
    assert "Office hours (online)" not in client.get(f"/w/{wave.slug}/plan/").content.decode()
    listed = staff.get("/staff/catalog/?show=retired").content.decode()
    assert "Office hours (online)" in listed
    staff_post(staff, f"/staff/catalog/{entry.pk}/retire/", {"action": "restore"})
    entry.refresh_from_db()
    assert not entry.retired
    staff_post(staff, f"/staff/catalog/{entry.pk}/retire/", {"action": "retire"})
    assert [a.action for a in AuditEntry.objects.filter(
        action__startswith="catalog_").order_by("-id")[:3]] == [
        "catalog_retire", "catalog_restore", "catalog_retire"]


def test_staff_changes_survive_updates_from_the_catalog_files(tmp_path, monkeypatch):
    staff, _user = signed_in("admin")
    entry = CatalogEntry.objects.get(resource_id="nhrtac")
    original = entry.to_resource()
    form = _entry_form(title="NHRTAC (checked)", publisher=original.publisher,
                       format=original.format, topics=list(original.topics),
                       communities=[], link=original.link, notes=original.notes)
    try:
        assert staff_post(staff, f"/staff/catalog/{entry.pk}/", form).status_code == 302
        entry.refresh_from_db()
        assert entry.edited and entry.origin == "bundled"

        # `hrta catalog import` writes the user catalog; the web catalog takes it in.
        user_file = tmp_path / "catalog.yaml"
        monkeypatch.setenv("HRTA_CATALOG", str(user_file))
        new = tmp_path / "new.csv"
        key = "center_funding_cohort"
        new.write_text("id,title,publisher,format,topics\n"
                       f"{key},Funding cohort,Our TA center,small_group,funding\n")
        from hrta.assistance import import_catalog

        instrument, rules = selectors.instrument_and_rules("harm_reduction_ta_2022")
        import_catalog(new, instrument, rules)
        reply = staff_post(staff, "/staff/catalog/update/")
        assert reply.status_code == 302
        message = staff.get("/staff/catalog/").content.decode()
        assert "New entries: 1; updated: 0; left as staff changed them: 1." in message
        made = CatalogEntry.objects.get(resource_id=key)
        assert (made.origin, made.source) == ("file", str(user_file))
        entry.refresh_from_db()
        assert entry.title == "NHRTAC (checked)"  # staff's change stands
        assert AuditEntry.objects.filter(action="catalog_update").latest("id").detail[
            "added"] == [key]

        # A bad user catalog is refused with its place; nothing changes.
        user_file.write_text("resources:\n  - id: broken\n    title: x\n    publisher: y\n"
                             "    format: podcast\n    topics: [funding]\n")
        count = CatalogEntry.objects.count()
        staff_post(staff, "/staff/catalog/update/")
        page = staff.get("/staff/catalog/").content.decode()
        assert "The catalog files were not read" in page and "row 5" in page \
            and "unknown format" in page
        assert CatalogEntry.objects.count() == count
        made.retired_at = timezone.now()
        made.save()
    finally:
        CatalogEntry.objects.filter(pk=entry.pk).update(
            title=original.title, edited=False)


# --- demand and cohorts ---------------------------------------------------------------------


def test_demand_page_shows_the_core_numbers_with_small_counts_hidden(wave):
    for areas in (["funding", "legal_policy"], ["funding"], ["evaluation"]):
        add_response(wave, {**RICH, "ta_areas": areas})
    add_response(wave, {"state": "ca"})  # wants nothing
    staff, _user = signed_in("viewer")
    page = staff.get(f"/staff/waves/{wave.slug}/demand/")
    assert page.status_code == 200
    html = page.content.decode()
    _instrument, rules = selectors.instrument_and_rules(wave.instrument_id)
    demand = build_demand(response_set(wave), rules=rules, threshold=5)
    assert demand["areas"]["n"] == 3 and demand["eligible"] == 4
    assert "Of 4 eligible respondents, 3 chose the areas of technical assistance they want." \
        in text_of(html)
    funding = re.search(r"Securing funding or reimbursement for harm reduction strategies"
                        r"</th><td class=\"text-right\">(\d+)</td><td class=\"text-right\">"
                        r"([^<]+)</td>", html)
    assert funding.groups() == ("2", "67%")  # 2 of 3, as the report rounds
    # Every group here is smaller than 5: each count by region is hidden.
    region = html[html.index("TA areas by group: Census region"):]
    region = region[:region.index("</table>")]
    assert "hidden" in region and not re.search(r">\d+ \(", region)
    assert f"/staff/waves/{wave.slug}/demand/areas.svg" in html
    chart = staff.get(f"/staff/waves/{wave.slug}/demand/areas.svg")
    assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"
    assert chart["Content-Security-Policy"].startswith("default-src 'none'")
    assert b"<svg" in chart.content and b"<script" not in chart.content
    assert staff.get(f"/staff/waves/{wave.slug}/demand/nothing.svg").status_code == 404


def test_cohorts_list_only_organizations_that_consented(wave):
    instrument = wave.instrument
    members = [add_response(wave, {**RICH, "state": state}) for state in ("ny", "pa", "nj")]
    lone = add_response(wave, {**RICH, "state": "ca"})
    for response in (members[0], members[1], lone):
        errors = save_contact(response=response, instrument=instrument, data={
            "raffle_opt_in": "no", "raffle_name": f"Org {response.pk}",
            "raffle_email": f"org{response.pk}@example.org", "may_contact": "yes"})
        assert errors == {}
    # members[2] left no consent: never listed.
    analyst, _user = signed_in("analyst")
    page = analyst.get(f"/staff/waves/{wave.slug}/cohorts/").content.decode()
    assert "3 organizations in this wave agreed to be contacted." in page
    cohorts = re.findall(r'<h2 id="cohort-\d+">([^<]+)<span class="text-normal">\((\d+)',
                         page)
    assert ("Securing funding or reimbursement for harm reduction strategies — Northeast ",
            "2") in cohorts
    assert all(size == "2" for _title, size in cohorts)  # the Northeast pair, by area
    assert reference(members[0]) in page and reference(members[1]) in page
    assert reference(members[2]) not in page and reference(lone) not in page
    assert f"org{members[0].pk}@example.org" not in page
    assert staff_post(analyst, f"/staff/waves/{wave.slug}/cohorts/",
                      {"action": "contacts"}).status_code == 403

    admin, _admin = signed_in("admin")
    shown = staff_post(admin, f"/staff/waves/{wave.slug}/cohorts/", {"action": "contacts"})
    html = shown.content.decode()
    assert f"org{members[0].pk}@example.org" in html and f"Org {members[1].pk}" in html
    assert f"org{lone.pk}@example.org" not in html
    entry = AuditEntry.objects.filter(action="ta_contacts_view", wave=wave).latest("id")
    assert set(entry.detail["organizations"]) == {reference(members[0]), reference(members[1])}
    bigger = admin.get(f"/staff/waves/{wave.slug}/cohorts/?min_size=3").content.decode()
    assert "No cohort of 3 or more yet." in bigger


# --- who may open what ----------------------------------------------------------------------

ROLES = ("viewer", "analyst", "admin")


@pytest.fixture(scope="module")
def place():
    from hrta.instrument import load_bundled

    instrument = load_bundled()
    wave = Wave.objects.create(slug="ta-access-checks", title="TA access checks",
                               instrument_id=instrument.id,
                               instrument_version=instrument.version)
    response = add_response(wave, RICH)
    request = request_ta(response=response, areas=["funding"], message="", name="",
                         email="z@example.org", may_contact=False)
    entry = CatalogEntry.objects.get(resource_id="nhrtac")
    return {"slug": wave.slug, "response": str(response.public_id), "request": request.pk,
            "entry": entry.pk}


PAGES = [
    ("/staff/catalog/", "viewer"),
    ("/staff/waves/{slug}/demand/", "viewer"),
    ("/staff/waves/{slug}/demand/areas.svg", "viewer"),
    ("/staff/plans/{response}/", "analyst"),
    ("/staff/plans/{response}/print/", "analyst"),
    ("/staff/waves/{slug}/cohorts/", "analyst"),
    ("/staff/catalog/new/", "analyst"),
    ("/staff/catalog/{entry}/", "analyst"),
    ("/staff/requests/", "analyst"),
    ("/staff/requests/{request}/", "analyst"),
    ("/staff/requests/export.csv", "analyst"),
]


@pytest.fixture(scope="module")
def clients():
    made = {role: signed_in(role)[0] for role in ROLES}
    made["none"] = signed_in(None)[0]
    return made


@pytest.mark.parametrize(("path", "lowest"), PAGES)
def test_each_role_opens_only_its_ta_pages(clients, place, path, lowest):
    url = path.format(**place)
    assert Client().get(url)["Location"].startswith("/staff/login/?next=")
    allowed = ROLES[ROLES.index(lowest):]
    for role, client in clients.items():
        status = client.get(url).status_code
        assert status == (200 if role in allowed else 403), (role, url, status)


def test_changes_are_refused_to_roles_without_them(clients, place):
    before = AuditEntry.objects.count()
    for role in ("viewer", "none"):
        client = clients[role]
        for url, data in ((f"/staff/requests/{place['request']}/", {"status": "delivered"}),
                          (f"/staff/catalog/{place['entry']}/retire/", {"action": "retire"}),
                          ("/staff/catalog/update/", {}),
                          ("/staff/catalog/new/", _entry_form(id="by_wrong_role"))):
            assert staff_post(client, url, data).status_code == 403, (role, url)
    assert AuditEntry.objects.count() == before
    assert TARequest.objects.get(pk=place["request"]).status == "received"
    assert not CatalogEntry.objects.get(pk=place["entry"]).retired


def test_menus_dashboard_and_response_page_lead_to_the_ta_pages(clients, place):
    analyst = clients["analyst"]
    dashboard = analyst.get(f"/staff/waves/{place['slug']}/").content.decode()
    assert 'href="/staff/requests/"' in dashboard and 'href="/staff/catalog/"' in dashboard
    assert f'href="/staff/waves/{place["slug"]}/demand/"' in dashboard
    assert f'href="/staff/waves/{place["slug"]}/cohorts/"' in dashboard
    assert 'id="ta-requests-panel"' in dashboard
    detail = analyst.get(f"/staff/responses/{place['response']}/").content.decode()
    assert f'href="/staff/plans/{place["response"]}/"' in detail
    viewer = clients["viewer"].get(f"/staff/waves/{place['slug']}/").content.decode()
    assert 'id="ta-requests-panel"' not in viewer and "/cohorts/" not in viewer


def test_staff_plan_pdf_has_the_staff_notes(clients, place):
    reply = clients["analyst"].get(f"/staff/plans/{place['response']}/ta-plan.pdf")
    assert reply.status_code == 200
    reader = PdfReader(io.BytesIO(reply.content))
    assert len(reader.pages) == 1
    assert "Staff note" in reader.pages[0].extract_text()


def test_docs_name_every_recorded_action():
    text = (ROOT / "docs" / "assistance.md").read_text(encoding="utf-8")
    sources = (ROOT / "src/hrta/web/assistance").rglob("*.py")
    recorded = {name for path in sources for name in re.findall(
        r'action="(\w+)"', path.read_text(encoding="utf-8"))}
    recorded |= {"catalog_add", "catalog_change", "catalog_retire", "catalog_restore"}
    missing = {name for name in recorded if f"`{name}`" not in text}
    assert not missing, missing


# --- end to end in Chromium -----------------------------------------------------------------

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
  .filter(v => v.impact === "serious" || v.impact === "critical")
  .map(v => `${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(" "))}`)"""


def accessible(page) -> None:
    """axe-core finds nothing serious, and nothing is wider than the window."""
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    assert page.evaluate(SERIOUS) == [], page.url
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_a_request_tracked_end_to_end_in_chromium(browser, live_url, wave):
    """A respondent sends the assessment on a phone, reads the plan, asks for TA; an
    analyst moves the request through to delivered; the counts and the respondent's plan
    follow."""
    from playwright.sync_api import expect

    from tests.web.browsing import complete_assessment, tap
    from tests.web.conftest import make_user
    from tests.web.staffdata import PASSWORD

    if not AXE.is_file():
        pytest.fail(f"axe-core not found at {AXE}: run `npm ci` (make test does)")
    # axe-core goes in as an inline script, which the pages' policy refuses.
    phone_context = browser.new_context(viewport={"width": 360, "height": 740},
                                        device_scale_factor=2, is_mobile=True, has_touch=True,
                                        bypass_csp=True)
    desk_context = browser.new_context(viewport={"width": 1280, "height": 900},
                                       bypass_csp=True)
    try:
        phone = phone_context.new_page()
        phone.set_default_timeout(20_000)
        complete_assessment(phone, live_url, wave, {
            "state": ("ny",), "org_type": ("ccbhc",), "communities": ("rural",),
            "ta_receiving": ("no",), "ta_areas": ("funding", "staff_training"),
            "ta_formats": ("small_group", "toolkits")})
        box = phone.locator("#plan-ready")
        expect(box).to_contain_text("Your technical assistance plan is ready")
        expect(box).to_contain_text("Securing funding or reimbursement")
        accessible(phone)
        box.get_by_role("link", name="See your TA plan").click()
        phone.wait_for_url(re.compile(r"/plan/$"))
        expect(phone.get_by_role("heading", level=1)).to_have_text(
            "Your technical assistance plan")
        expect(phone.locator("main")).to_contain_text("Next step:")
        accessible(phone)

        phone.get_by_role("link", name="Ask for individualized TA").click()
        phone.wait_for_url(re.compile(r"/plan/ask/$"))
        accessible(phone)
        phone.get_by_role("button", name="Send my request").click()  # nothing filled in
        expect(phone.locator("#error-summary")).to_contain_text("Please give an e-mail")
        accessible(phone)
        tap(phone.get_by_role("group", name="What do you want help with?"),
            "Securing funding or reimbursement for harm reduction strategies In your plan")
        phone.get_by_label("Tell us more (optional)").fill("We run a rural mobile unit.")
        phone.get_by_label("Your e-mail address").fill("director@example.org")
        phone.get_by_role("button", name="Send my request").click()
        phone.wait_for_url(re.compile(r"/plan/$"))
        expect(phone.locator("#request-status")).to_contain_text("Status: Received.")
        request = TARequest.objects.get(wave=wave)
        assert request.areas == ["funding"]

        analyst = make_user("analyst", password=PASSWORD)
        desk = desk_context.new_page()
        desk.set_default_timeout(20_000)
        desk.goto(f"{live_url}/staff/requests/?wave={wave.slug}")
        desk.get_by_label("Username").fill(analyst.username)
        desk.get_by_label("Password").fill(PASSWORD)
        desk.get_by_role("button", name="Sign in").click()
        desk.wait_for_url(re.compile(r"/staff/requests/"))
        expect(desk.locator('[data-count="total"]')).to_have_text("1")
        expect(desk.locator('[data-count="received"]')).to_have_text("1")
        accessible(desk)
        desk.get_by_role("link", name=request.reference).click()
        expect(desk.locator("#request-status")).to_have_text("Received")
        accessible(desk)
        today = timezone.localdate().isoformat()
        steps = [("Assigned", {"Assigned to": analyst.username}),
                 ("Scheduled", {"Scheduled for": today}),
                 ("Delivered", {"Outcome": "Walked through two funding sources."})]
        for status, fields in steps:
            desk.get_by_label(re.compile(r"^Status")).select_option(label=status)
            for label, value in fields.items():
                field = desk.get_by_label(re.compile(f"^{label}"))
                if label == "Assigned to":
                    field.select_option(label=value)
                else:
                    field.fill(value)
            desk.get_by_role("button", name="Save the step").click()
            expect(desk.locator("#request-status")).to_have_text(status)
        expect(desk.locator("#request-history li")).to_have_count(4)
        desk.get_by_role("link", name="Back to the TA requests").click()
        desk.goto(f"{live_url}/staff/requests/?wave={wave.slug}")
        expect(desk.locator('[data-count="delivered"]')).to_have_text("1")
        expect(desk.locator('[data-count="open"]')).to_have_text("0")
        expect(desk.locator('[data-count="median_days"]')).to_contain_text(
            "0 days (1 request delivered)")

        # The center's other TA pages pass the same accessibility checks.
        for path in (f"/staff/plans/{request.response.public_id}/",
                     f"/staff/waves/{wave.slug}/demand/", f"/staff/waves/{wave.slug}/cohorts/",
                     "/staff/catalog/", "/staff/catalog/new/"):
            desk.goto(live_url + path)
            accessible(desk)

        phone.reload()
        expect(phone.locator("#ask-for-ta")).to_contain_text(
            f"Your request of {today}: Delivered.")
        request.refresh_from_db()
        assert (request.status, request.delivered_on, request.assignee) == (
            "delivered", timezone.localdate(), analyst)
    finally:
        phone_context.close()
        desk_context.close()
