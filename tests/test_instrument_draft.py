"""`hrta instrument draft`: an instrument from an unseen export, then `analyze` with it unedited.

The two fixtures under tests/fixtures/drafting are questionnaires hrta does not ship, in
SurveyMonkey's expanded layout; every count asserted below is worked out by hand from them.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from hrta.instrument import load
from tests.conftest import FIXTURES, run_hrta, write_rows

DRAFTING = FIXTURES / "drafting"
NEEDS = DRAFTING / "needs_assessment.csv"
CUSTOMERS = DRAFTING / "customer_survey.csv"


def _draft(export: Path, out: Path) -> str:
    done = run_hrta("instrument", "draft", export, "-o", out)
    assert done.returncode == 0, done.stderr
    return out.read_text(encoding="utf-8")


def _analyze(export: Path, instrument: Path, out: Path) -> dict:
    done = run_hrta("analyze", export, "--instrument", instrument, "--json", out, "--no-themes")
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def _counts(entry: dict) -> dict[str, int]:
    return {option_id: option["count"] for option_id, option in entry["options"].items()}


@pytest.fixture(scope="module")
def needs(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, dict]:
    folder = tmp_path_factory.mktemp("needs")
    text = _draft(NEEDS, folder / "needs.yaml")
    return text, folder / "needs.yaml", _analyze(NEEDS, folder / "needs.yaml",
                                                  folder / "findings.json")


def test_draft_types_every_question_of_a_needs_assessment(needs):
    _, path, _ = needs
    instrument = load(path)
    assert [(q.id, q.type, q.pii) for q in instrument.questions] == [
        ("program_serve_residents", "single", False),
        ("program_run", "single", False),
        ("populations_program_serve", "multi", False),
        ("often_program_face", "matrix", False),
        ("rate_agreement", "matrix", False),
        ("full_time_staff", "text", False),
        ("biggest_unmet_need", "text", False),
        ("contact_information_optional", "multi", True),
    ]
    # Single choice: a known scale (yes/no) in its order, else the order first seen, and
    # the typed "Other" box as an option that takes text.
    assert [o.label for o in instrument.question("program_serve_residents").options] == \
        ["Yes", "No"]
    run = instrument.question("program_run")
    assert [(o.label, o.other) for o in run.options] == [
        ("Peer recovery center", False), ("Prevention coalition", False),
        ("Treatment provider", False), ("Other (please specify)", True)]
    assert [o.id for o in instrument.question("populations_program_serve").options] == \
        ["youth", "adults", "older_adults", "veterans", "other"]
    # Grids: the frequency and agreement scales in scale order, with their nets.
    often = instrument.question("often_program_face")
    assert [(o.label, o.net) for o in often.options] == [
        ("Always", "often"), ("Often", "often"), ("Sometimes", None), ("Rarely", "rarely"),
        ("Never", "rarely")]
    assert often.nets == {"often": "Always or often", "rarely": "Rarely or never"}
    agreement = instrument.question("rate_agreement")
    assert [o.label for o in agreement.options] == [
        "Strongly agree", "Agree", "Neither agree nor disagree", "Disagree",
        "Strongly disagree"]
    assert agreement.nets == {"agree": "Strongly agree or agree",
                              "disagree": "Disagree or strongly disagree"}
    assert [s.text for s in agreement.statements] == [
        "Our county supports our program", "We have enough staff"]
    assert instrument.eligibility is None  # the analyst decides; the draft only asks


def test_draft_comments_where_the_analyst_decides(needs):
    text, _, _ = needs
    assert "# Is this the eligibility question?" in text
    assert "eligibility: {question: program_serve_residents, ineligible_options: [no]}" in text
    assert "# The answers are numbers (e.g. 12, 4, 30)" in text
    assert "# Contact details: kept apart, never analysed." in text
    assert "separate comment box" in text
    # Metadata is left out: no question about IP addresses or collectors.
    assert "IP Address" not in text and "Collector" not in text


def test_analyze_with_the_draft_counts_the_needs_assessment(needs):
    _, _, findings = needs
    questions = findings["questions"]
    assert findings["responses"]["total"] == 8
    screen = questions["program_serve_residents"]
    assert (screen["n"], _counts(screen)) == (7, {"yes": 6, "no": 1})
    run = questions["program_run"]
    assert (run["n"], _counts(run)) == (7, {"peer_recovery_center": 3, "prevention_coalition": 2,
                                            "treatment_provider": 1, "other": 1})
    assert run["other_texts"] == ["Mobile outreach van"]
    populations = questions["populations_program_serve"]
    assert (populations["n"], _counts(populations)) == (
        7, {"youth": 4, "adults": 5, "older_adults": 2, "veterans": 2, "other": 1})
    turnover = questions["often_program_face.staff_turnover"]
    assert (turnover["n"], _counts(turnover)) == (
        6, {"always": 1, "often": 2, "sometimes": 1, "rarely": 1, "never": 1})
    assert {k: v["count"] for k, v in turnover["nets"].items()} == {"often": 3, "rarely": 2}
    funding = questions["often_program_face.lack_of_funding"]
    assert (funding["n"], funding["nets"]["often"]["count"]) == (7, 6)
    county = questions["rate_agreement.our_county_supports_our"]
    assert (county["n"], {k: v["count"] for k, v in county["nets"].items()}) == (
        6, {"agree": 5, "disagree": 1})
    staff = questions["rate_agreement.we_have_enough_staff"]
    assert _counts(staff) == {"strongly_agree": 0, "agree": 2, "neither_agree_nor_disagree": 1,
                              "disagree": 2, "strongly_disagree": 1}
    assert questions["full_time_staff"]["n"] == 6
    assert questions["biggest_unmet_need"]["n"] == 5
    # Contact details never reach the Findings.
    assert "contact_information_optional" not in questions
    assert "ann@hope.example" not in json.dumps(findings)


def test_draft_and_analyze_a_customer_survey_saved_as_xlsx(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    with CUSTOMERS.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    export = tmp_path / "customer_survey.xlsx"
    workbook.save(export)

    text = _draft(export, tmp_path / "customers.yaml")
    instrument = load(tmp_path / "customers.yaml")
    assert [(q.id, q.type, q.pii) for q in instrument.questions] == [
        ("satisfied_service", "single", False),
        ("products_buy_today", "multi", False),
        ("likely_recommend_friend", "single", False),
        ("other_comments", "text", False),
        ("enter_email_address", "text", True),
    ]
    # A satisfaction scale in scale order, unanswered points included; scores in numeric order.
    assert [o.label for o in instrument.question("satisfied_service").options] == [
        "Very satisfied", "Satisfied", "Neither satisfied nor dissatisfied", "Dissatisfied",
        "Very dissatisfied"]
    assert [o.id for o in instrument.question("likely_recommend_friend").options] == \
        ["4", "7", "8", "9", "10"]
    assert "# Options in numeric order." in text

    questions = _analyze(export, tmp_path / "customers.yaml", tmp_path / "f.json")["questions"]
    assert _counts(questions["satisfied_service"]) == {
        "very_satisfied": 2, "satisfied": 3, "neither_satisfied_nor_dissatisfied": 0,
        "dissatisfied": 1, "very_dissatisfied": 0}
    products = questions["products_buy_today"]
    assert (products["n"], _counts(products)) == (6, {"coffee": 4, "tea": 3, "pastries": 3})
    assert _counts(questions["likely_recommend_friend"]) == {"4": 1, "7": 1, "8": 1, "9": 1,
                                                             "10": 2}
    assert questions["other_comments"]["n"] == 3
    assert "enter_email_address" not in questions


def _refused(tmp_path: Path, export: Path, *parts: str) -> None:
    out = tmp_path / "instrument.yaml"
    done = run_hrta("instrument", "draft", export, "-o", out)
    assert done.returncode == 2, done.stderr
    message = " ".join(done.stderr.split())
    for part in (str(export), *parts):
        assert part in message, message
    assert not out.exists()


def test_draft_refuses_a_file_that_is_not_a_survey_export(tmp_path):
    export = write_rows(tmp_path / "people.csv", [["name", "age"], ["", ""], ["Bob", "3"]])
    _refused(tmp_path, export, "row 1, column A", "not a SurveyMonkey export")


def test_draft_refuses_an_empty_file(tmp_path):
    export = tmp_path / "empty.csv"
    export.write_bytes(b"")
    _refused(tmp_path, export, "the file is empty")


def test_draft_refuses_an_export_with_no_question_columns(tmp_path):
    rows = [["Respondent ID", "Collector ID", "Start Date", "End Date"], ["", "", "", ""],
            ["1", "9", "", ""]]
    export = write_rows(tmp_path / "metadata.csv", rows)
    _refused(tmp_path, export, "row 1, column D", "no question columns")


def test_draft_refuses_a_column_it_cannot_type(tmp_path):
    rows = [
        ["Respondent ID", "How often does each happen?", "", ""],
        ["", "Staff leave", "Funding ends", "Comments"],
        ["1", "Often", "Never", "We lost two nurses this spring"],
        ["2", "Never", "Often", "Budget cuts"],
        ["3", "Always", "Often", "Nothing to add"],
        ["4", "Often", "Always", "Rent went up"],
    ]
    export = write_rows(tmp_path / "grid.csv", rows)
    _refused(tmp_path, export, "row 2, column D ('Comments')", "cannot type this column")


def test_draft_refuses_a_column_without_a_label(tmp_path):
    rows = [["Respondent ID", "Which colours?", ""], ["", "Red", ""], ["1", "Red", "x"]]
    export = write_rows(tmp_path / "unlabelled.csv", rows)
    _refused(tmp_path, export, "row 2, column C", "no label in row 2")


def test_draft_refuses_select_all_columns_of_a_numeric_export(tmp_path):
    rows = [["Respondent ID", "Which colours?", "", ""], ["", "Red", "Green", "Blue"],
            ["1", "1", "", "3"], ["2", "", "2", ""]]
    export = write_rows(tmp_path / "numeric.csv", rows)
    _refused(tmp_path, export, "row 2, column B ('Red')", "numeric-value export")
