"""The bundled assessment as data, its validation, and `hrta instrument show`."""

from __future__ import annotations

import json

import pytest

from hrta.errors import InputError
from hrta.instrument import parse
from tests.conftest import run_hrta

REPORT_SERVICES = [  # named in the report's Findings and Background
    "peer_support", "counseling", "outreach_pwud", "overdose_education", "naloxone",
    "spiritual_wellness", "housing_services", "vending_machines", "mobile_methadone",
    "mail_based_supplies", "telehealth_methadone", "syringe_services",
    "infectious_disease_testing", "methadone", "reproductive_health",
    "safer_injection_education", "outreach_sex_trade", "other_drug_checking",
    "mobile_buprenorphine", "fentanyl_test_strips", "safer_smoking_kits", "buprenorphine",
    "wound_care", "mutual_aid", "overdose_prevention_sites",
]


def test_bundled_instrument_structure(instrument):
    types = {q.id: q.type for q in instrument.questions}
    assert types["screening"] == "single"
    assert [types[q] for q in ("services_direct", "services_referral", "services_planned")] == \
        ["multi"] * 3
    assert [types[q] for q in ("fb_organizational", "fb_community", "fb_policy")] == \
        ["matrix"] * 3
    assert sum(len(instrument.question(q).statements)
               for q in ("fb_organizational", "fb_community", "fb_policy")) == 12
    assert types["challenges"] == types["facilitators"] == "text"
    assert instrument.question("ta_formats").max_choices == 3
    assert {q.id for q in instrument.questions if q.pii} == {"raffle_name", "raffle_email"}
    assert instrument.eligibility.ineligible_options == ("not_employed",)


def test_shared_option_lists_are_one_list(instrument):
    direct = instrument.question("services_direct").options
    assert instrument.question("services_referral").options == direct
    assert instrument.question("services_planned").options == direct
    assert instrument.question("partners_planned").options == \
        instrument.question("partners_current").options
    assert set(REPORT_SERVICES) <= set(instrument.question("services_direct").option_ids)


def test_services_grouped_by_the_eight_program_approaches(instrument):
    approaches = {a.id for a in instrument.program_approaches}
    assert len(approaches) == 8
    for option in instrument.question("services_direct").options:
        assert option.other or option.approach in approaches
    core = {o.id for o in instrument.question("services_direct").options if o.core}
    assert {"syringe_services", "naloxone", "fentanyl_test_strips", "methadone",
            "buprenorphine", "safer_smoking_kits"} <= core


def test_every_option_records_its_source(instrument):
    for question in instrument.questions:
        for option in question.options:
            assert option.source in ("report", "added")
    state = instrument.question("state")
    assert len(state.options) == 56  # 50 states, DC and 5 territories
    assert {o.id for o in state.options if o.source == "report"} == {"ny", "fl", "md", "pa"}


@pytest.mark.parametrize(("old", "new"), [
    ("- id: role\n", "- id: state\n"),                       # a question id used twice
    ("[not_employed]", "[unemployed]"),                         # eligibility names no option
    ("max_choices: 3", "max_choices: 0"),                       # a limit below one
    ("option_list: partners\n", "option_list: allies\n"),     # an unknown shared list
    ("any_of: [\"yes\"]", "any_of: [\"maybe\"]"),            # skip logic names no option
    ("approach: housing,", "approach: shelter,"),               # not one of the eight
    # a continuum of questions with different options
    ("questions: [services_direct, services_referral, services_planned], chart: continuum",
     "questions: [services_direct, partners_current], chart: continuum"),
    # a supplement with no numbered figure before it
    ("- {kind: figure, title: Number of Survey Respondents by State, questions: [state], "
     "chart: bar}", "- {kind: figure, title: Number of Survey Respondents by State, questions: "
     "[state], chart: bar, supplement: true}"),
])
def test_invalid_instruments_are_refused(old, new):
    from importlib import resources

    text = (resources.files("hrta.instrument") / "assessments" /
            "harm_reduction_ta_2022.yaml").read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(InputError, match=r"broken\.yaml"):
        parse(text.replace(old, new), origin="broken.yaml")


def test_instrument_show_json_shape(instrument):
    result = run_hrta("instrument", "show", "--json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert set(shown) == {"id", "title", "questions"}
    assert shown["id"] == "harm_reduction_ta_2022"
    assert [q["id"] for q in shown["questions"]] == [q.id for q in instrument.questions]
    for entry in shown["questions"]:
        question = instrument.question(entry["id"])
        expected = {"id", "type", "text", "options", "pii"}
        expected |= {"statements"} if question.type == "matrix" else set()
        expected |= {"max_choices"} if question.type == "multi" else set()
        assert set(entry) == expected
        assert entry["options"] == [{"id": o.id, "label": o.label} for o in question.options]
        assert entry["pii"] is question.pii
    formats = next(q for q in shown["questions"] if q["id"] == "ta_formats")
    assert formats["max_choices"] == 3
    assert next(q for q in shown["questions"] if q["id"] == "communities")["max_choices"] is None


def test_instrument_show_readable():
    result = run_hrta("instrument", "show")
    assert result.returncode == 0, result.stderr
    assert "Harm Reduction Technical Assistance Needs Assessment" in result.stdout
    assert "ta_formats" in result.stdout and "choose up to 3" in result.stdout
    assert "contact details, kept apart" in result.stdout
