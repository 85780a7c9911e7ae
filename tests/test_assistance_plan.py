"""TA plans checked by hand: which areas, why, in what order, which resources; the page.

The catalog is tests/fixtures/assistance_catalog.yaml, small enough to rank by hand with the
rules file's points (preferred format 100, planned service 20, provided service 5,
community 10, organization type 10, meant only for others -30).
"""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader

from hrta.assistance import (
    Catalog,
    answers_from_mapping,
    answers_of,
    build_plan,
    load_catalog,
    load_rules,
    read_catalog,
)
from hrta.errors import InputError
from hrta.ingest import load_responses
from hrta.report.plans import DENSITIES, fit_plan_html, render_plan_html, write_plan
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def wave(instrument):
    return load_responses(FIXTURES / "assistance_profiles.csv", instrument, fmt="native")


@pytest.fixture(scope="module")
def rules(instrument):
    return load_rules(instrument)


@pytest.fixture(scope="module")
def catalog(instrument, rules):
    return Catalog(tuple(read_catalog(FIXTURES / "assistance_catalog.yaml", instrument, rules)))


@pytest.fixture(scope="module")
def full_plan(wave, rules, catalog):
    return build_plan(answers_of(wave, "full"), instrument=wave.instrument, rules=rules,
                      catalog=catalog)


def pdf_pages(html: str) -> int:
    import weasyprint

    return len(PdfReader(io.BytesIO(weasyprint.HTML(string=html).write_pdf())).pages)


def test_areas_asked_for_and_pointed_to_come_in_order(full_plan):
    # Asked and pointed to: funding (an answer), staff training (a "don't know"); asked
    # only: evaluation; pointed to only, most reasons first: partnering with SSPs (two),
    # legal and policy (one answer, one "don't know"), then implementing practices and
    # organizational culture (one each, in the instrument's order).
    assert [a.id for a in full_plan.areas] == [
        "funding", "staff_training", "evaluation", "partnering_ssps", "legal_policy",
        "implementing_practices", "organizational_culture"]
    assert [a.asked for a in full_plan.areas] == [True, True, True, False, False, False, False]
    assert full_plan.headline == ("7 areas of technical assistance, starting with securing "
                                  "funding or reimbursement for harm reduction strategies.")


def test_each_area_shows_its_reasons(full_plan):
    areas = {a.id: a for a in full_plan.areas}
    funding = [(r.kind, r.text) for r in areas["funding"].reasons]
    assert funding == [
        ("asked", "You asked for help with this."),
        ("answers", "You strongly disagree that there is adequate funding for harm reduction "
                    "in your organization.")]
    assert [(r.kind, r.rule) for r in areas["staff_training"].reasons][1] == \
        ("knowledge", "staff_knowledge_unknown")
    ssp = [r.text for r in areas["partnering_ssps"].reasons]
    assert ssp == [
        "You do not work with syringe services programs or community harm reduction "
        "organizations yet, and you strongly disagree that you have built trusting "
        "relationships with them.",
        "You plan to partner with syringe services programs (SSPs)."]
    legal = [r.text for r in areas["legal_policy"].reasons]
    assert legal == ["Your answers show barriers in law and policy: support from law "
                     "enforcement.",
                     "You don't know whether these help access to harm reduction: local laws."]
    assert [r.text for r in areas["implementing_practices"].reasons] == \
        ["You plan to provide safer smoking kits."]
    assert [r.text for r in areas["organizational_culture"].reasons] == \
        ["You disagree that these are in place: harm reduction principles and values adopted."]
    # Three core services are provided directly, so "fewer than 2" does not fire.
    assert "program_development" not in areas


def test_resources_rank_preferred_formats_first(full_plan):
    areas = {a.id: a for a in full_plan.areas}
    funding = areas["funding"].resources
    # a_toolkit: toolkit (preferred) 100 + fentanyl test strips, provided 5 = 105;
    # c_individual: individualized (preferred) 100; b_webinar: 0, not shown (two per area).
    assert [(m.resource.id, m.relevance) for m in funding] == [("a_toolkit", 105.0),
                                                           ("c_individual", 100.0)]
    assert funding[0].why == ("in one of your preferred formats", "covers services you offer")
    training = areas["staff_training"].resources
    # a_toolkit is listed already; d_rural 100 + rural 10 = 110; e_tribal 100 - 30 and
    # f_ccbhc 100 - 30 tie at 70, and the title decides.
    assert [(m.resource.id, m.relevance) for m in training] == [("d_rural", 110.0),
                                                            ("e_tribal", 70.0)]
    assert training[0].why == ("in one of your preferred formats", "meant for rural communities")


def test_areas_without_resources_say_so(full_plan):
    areas = {a.id: a for a in full_plan.areas}
    assert areas["evaluation"].resources == ()
    assert areas["evaluation"].note == ("The catalog has no resource on this area yet; ask the "
                                        "TA center.")
    # c_individual, its only resource, is listed under funding already.
    assert areas["partnering_ssps"].resources == ()
    assert areas["partnering_ssps"].note == "The resources for this area are listed above."


def test_next_steps_come_from_the_rules(full_plan, rules):
    for area in full_plan.areas:
        assert area.next_step == " ".join(rules.plan.next_steps[area.id].split())


def test_planned_services_raise_a_resource(instrument, rules, catalog):
    answers = answers_from_mapping(instrument, "p1", {
        "ta_areas": ["funding"], "ta_formats": ["webinars"],
        "services_planned": ["fentanyl_test_strips"]})
    plan = build_plan(answers, instrument=instrument, rules=rules, catalog=catalog)
    funding = plan.areas[0].resources
    # b_webinar: preferred 100; a_toolkit: FTS planned 20 -> the webinar first.
    assert [(m.resource.id, m.relevance) for m in funding] == [("b_webinar", 100.0),
                                                           ("a_toolkit", 20.0)]
    assert funding[1].why == ("covers fentanyl test strips distribution, which you plan to "
                              "provide",)


def test_planned_services_already_provided_are_not_new(instrument, rules, catalog):
    answers = answers_from_mapping(instrument, "p3", {
        "services_direct": ["naloxone", "peer_support"],
        "services_planned": ["naloxone"],
        "partners_current": ["syringe_services_programs"],
        "partners_planned": ["syringe_services_programs"]})
    plan = build_plan(answers, instrument=instrument, rules=rules, catalog=catalog)
    # Naloxone is provided already and the SSP is a partner already: neither planning rule
    # fires; one core service provided directly is "fewer than 2", so program development.
    assert [a.id for a in plan.areas] == ["program_development"]
    assert plan.profile.domain("services").plans == ()
    answers = answers_from_mapping(instrument, "p4", {
        "services_direct": ["naloxone"], "services_planned": ["naloxone", "syringe_services"]})
    plan = build_plan(answers, instrument=instrument, rules=rules, catalog=catalog)
    implementing = next(a for a in plan.areas if a.id == "implementing_practices")
    assert [r.text for r in implementing.reasons] == [
        "You plan to provide syringe distribution and services."]


def test_no_resource_in_preferred_format_is_said(instrument, rules, catalog):
    answers = answers_from_mapping(instrument, "p2", {"ta_areas": ["funding"],
                                                      "ta_formats": ["convenings"]})
    plan = build_plan(answers, instrument=instrument, rules=rules, catalog=catalog)
    assert plan.areas[0].note == ("No resource in your preferred formats yet; these are the "
                                  "closest.")


def test_almost_nothing_answered_gives_a_plan_that_says_so(wave, rules, catalog):
    plan = build_plan(answers_of(wave, "sparse"), instrument=wave.instrument, rules=rules,
                      catalog=catalog)
    assert not plan.complete
    assert plan.areas == ()
    assert plan.headline.startswith("Too little was answered to recommend technical "
                                    "assistance without guessing.")
    assert len(plan.not_judged) == 15
    assert plan.notes == ()
    html = render_plan_html(plan, rules=rules)
    assert "What could not be judged" in html
    assert "Finish the assessment" in html


def test_answers_that_point_nowhere_say_so(instrument, rules, catalog):
    """A mature organization that asked for nothing: no guessed area, no "finish" prompt."""
    answers = answers_from_mapping(instrument, "m1", {
        "services_direct": ["naloxone", "buprenorphine", "syringe_services"],
        **{f"fb_organizational.{s}": "strongly_agree" for s in (
            "leadership_support", "staff_support", "staff_knowledge", "principles_adopted")}})
    plan = build_plan(answers, instrument=instrument, rules=rules, catalog=catalog)
    assert plan.areas == () and not plan.complete
    assert plan.headline.startswith("Your answers do not point to an area of technical "
                                    "assistance, and you did not choose one.")
    assert "Finish the assessment" not in render_plan_html(plan, rules=rules)


def test_json_has_everything_and_hides_staff_notes_from_respondents(full_plan):
    data = full_plan.to_json(staff=False)
    assert json.loads(json.dumps(data)) == data
    funding = data["areas"][0]
    assert funding["resources"][1]["id"] == "c_individual"
    assert "notes" not in funding["resources"][1]
    staff = full_plan.to_json(staff=True)
    assert staff["areas"][0]["resources"][1]["notes"] == "Staff only <em>note</em>"
    assert data["formats"] == [{"id": "toolkits", "label": "toolkit or roadmap"},
                               {"id": "small_group", "label": "small-group discussion"},
                               {"id": "individualized", "label": "individualized TA"}]
    assert data["receiving_ta"] == "no"
    # "score" is the readiness score; a resource's ranking points are its relevance.
    assert data["profile"]["domains"][0]["score"] == 31
    assert [r["relevance"] for r in funding["resources"]] == [105.0, 100.0]
    assert not any("score" in r for area in data["areas"] for r in area["resources"])


def test_page_escapes_answers_and_catalog_text(wave, rules, catalog):
    plan = build_plan(answers_of(wave, "unknown"), instrument=wave.instrument, rules=rules,
                      catalog=catalog)
    html = render_plan_html(plan, rules=rules, staff=True)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; help with grants" in html
    assert "&lt;b&gt;Crisis&lt;/b&gt; &amp; outreach" in html
    full = build_plan(answers_of(wave, "full"), instrument=wave.instrument, rules=rules,
                      catalog=catalog)
    staff_html = render_plan_html(full, rules=rules, staff=True)
    assert "Staff note: Staff only &lt;em&gt;note&lt;/em&gt;" in staff_html
    assert "Staff note" not in render_plan_html(full, rules=rules)
    assert 'href="https://example.org/d?x=1&amp;y=2"' in staff_html


def test_full_plan_prints_on_one_page(full_plan, rules, tmp_path):
    path = tmp_path / "plan.pdf"
    write_plan(full_plan, path, rules=rules)
    reader = PdfReader(path)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Your technical assistance plan" in text
    assert "Next step" in text


def test_a_crowded_plan_is_fitted_to_one_page(instrument, rules):
    """Every area asked for and every rule firing, long "Other" texts, the bundled catalog:
    more than a page at full density, one page once fitted."""
    areas_q = instrument.question(rules.plan.areas_question)
    services = [o.id for o in instrument.question("services_direct").options if not o.other]
    answers = answers_from_mapping(instrument, "crowded", {
        "state": "ak", "org_type": "other", "communities": ["rural", "tribal", "frontier"],
        "services_direct": ["peer_support"],
        "services_planned": services[:20],
        "partners_current": ["law_enforcement"],
        "partners_planned": ["syringe_services_programs", "drug_user_unions",
                             "mail_based_supply_orgs"],
        **{f"fb_organizational.{s}": "strongly_disagree" for s in
           ("leadership_support", "staff_support", "principles_adopted")},
        "fb_organizational.staff_knowledge": "dont_know",
        "fb_community.trust_pwud": "strongly_disagree",
        "fb_community.trust_ssp": "dont_know",
        "fb_community.community_support": "strongly_disagree",
        "fb_policy.local_laws_help": "strongly_disagree",
        "fb_policy.state_laws_help": "dont_know",
        "fb_policy.law_enforcement_support": "strongly_disagree",
        "fb_policy.adequate_funding": "strongly_disagree",
        "ta_areas": list(areas_q.option_ids),
        "ta_formats": ["small_group", "convenings", "other"],
    }, texts={"org_type.other": "A very long description of our organization " * 6,
              "ta_areas.other": "Help with something we could describe at great length " * 8})
    plan = build_plan(answers, instrument=instrument, rules=rules,
                      catalog=load_catalog(instrument, rules, user=FIXTURES / "absent.yaml"))
    assert len(plan.areas) == len(areas_q.option_ids)
    assert pdf_pages(render_plan_html(plan, rules=rules, density=DENSITIES[0])) > 1
    assert pdf_pages(fit_plan_html(plan, rules=rules)) == 1


def test_plan_page_must_be_html_or_pdf(full_plan, rules, tmp_path):
    with pytest.raises(InputError, match=r"name the plan \*.html or \*.pdf"):
        write_plan(full_plan, tmp_path / "plan.docx", rules=rules)
    assert not (tmp_path / "plan.docx").exists()
