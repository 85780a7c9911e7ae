"""Google Forms in: the responses CSV (and the Sheet as XLSX), drafted and read.

The fixture has five responses; a checkbox label holds commas ("Housing, food, or
transport help") and one response typed "Mobile van" into Other. Counts worked by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from hrta.errors import InputError
from hrta.ingest import load_responses
from hrta.ingest.draft import draft_yaml
from hrta.ingest.googleforms import read_export, split_choices
from hrta.instrument import Instrument, parse
from hrta.responses import ResponseSet
from tests.conftest import FIXTURES, read_rows, run_hrta, write_rows

HERE = FIXTURES / "googleforms"
LABELS = ["Naloxone distribution", "Fentanyl test strips", "Housing, food, or transport help"]
PLANTED = ("jane.roe@example.org", "carlos.diaz@example.net", "pat.lee@example.com",
           "Jane Roe", "Carlos Diaz")


@pytest.fixture(scope="module")
def drafted() -> Instrument:
    return parse(draft_yaml(read_export(HERE / "responses.csv")), origin="draft")


def test_joined_answers_split_against_labels_with_commas() -> None:
    assert split_choices("Housing, food, or transport help, Naloxone distribution", LABELS) \
        == (["Housing, food, or transport help", "Naloxone distribution"], [])
    assert split_choices("Fentanyl test strips;Housing, food, or transport help", LABELS) \
        == (["Fentanyl test strips", "Housing, food, or transport help"], [])
    assert split_choices("Naloxone distribution, Mobile van", LABELS) \
        == (["Naloxone distribution"], ["Mobile van"])


def test_the_draft_types_each_question(drafted: Instrument) -> None:
    services = drafted.question("services_program_offer")
    assert services.type == "multi"
    assert [o.label for o in services.options][:3] == [
        "Naloxone distribution", "Housing, food, or transport help", "Fentanyl test strips"]
    assert drafted.question("role").type == "single"
    grid = drafted.question("agree")
    assert grid.type == "matrix" and len(grid.statements) == 2
    assert drafted.question("biggest_challenge_program").type == "text"
    assert drafted.question("name_raffle").pii
    # The form's own e-mail column is no question.
    assert not [q for q in drafted.questions if "email" in q.id]


@pytest.mark.parametrize("name", ["responses.csv", "responses_semicolon.csv", "sheet.xlsx"])
def test_csv_semicolons_and_the_sheet_read_alike(name: str, drafted: Instrument,
                                                 tmp_path: Path) -> None:
    path = HERE / name
    if name.endswith(".xlsx"):
        path = _as_xlsx(HERE / "responses.csv", tmp_path / name)
    responses = load_responses(path, drafted)
    assert responses.total == 5
    chosen = responses.choices.filter(responses.choices["question_id"] == "services_program_offer")
    counts = dict(chosen["option_id"].cast(str).value_counts().iter_rows())
    assert counts == {"naloxone_distribution": 4, "housing_food_or_transport": 2,
                      "fentanyl_test_strips": 2, "mobile_van": 1}
    grid = responses.choices.filter(
        responses.choices["question_id"] == "agree.leadership_supports_harm_reduction")
    assert dict(grid["option_id"].cast(str).value_counts().iter_rows()) == {
        "strongly_agree": 2, "agree": 2, "disagree": 1}
    assert responses.texts["value"].to_list() == [
        "Funding, mostly", "Staff turnover", "Stigma in the county"]
    assert sorted(responses.contacts["value"].to_list()) == ["Carlos Diaz", "Jane Roe"]


def test_an_answer_the_form_does_not_offer_is_refused(tmp_path: Path,
                                                      drafted: Instrument) -> None:
    rows = read_rows(HERE / "responses.csv")
    rows[3][3] = "Nurse"
    with pytest.raises(InputError) as caught:
        load_responses(write_rows(tmp_path / "responses.csv", rows), drafted)
    assert "unknown answer 'Nurse'" in caught.value.message
    assert caught.value.row == 4 and caught.value.column == "D ('What is your role?')"


def test_draft_then_analyze_through_the_command_line(tmp_path: Path) -> None:
    instrument = tmp_path / "form.yaml"
    drafted = run_hrta("instrument", "draft", HERE / "responses.csv", "--format", "googleforms",
                       "-o", instrument)
    assert drafted.returncode == 0, drafted.stderr
    findings_path = tmp_path / "findings.json"
    result = run_hrta("analyze", HERE / "responses.csv", "--instrument", instrument,
                      "--format", "googleforms", "--json", findings_path, "--no-themes")
    assert result.returncode == 0, result.stderr
    findings = json.loads(findings_path.read_text(encoding="utf-8"))
    assert findings["responses"]["total"] == 5
    assert findings["questions"]["role"]["options"]["executive_director"]["count"] == 2
    converted = tmp_path / "wave.csv"
    assert run_hrta("convert", HERE / "responses.csv", "--instrument", instrument,
                    "-o", converted).returncode == 0
    report = tmp_path / "report.html"
    done = run_hrta("report", HERE / "responses.csv", "--instrument", instrument,
                    "-o", report, "--no-themes")
    assert done.returncode == 0, done.stderr
    for text in (findings_path.read_text(encoding="utf-8"),
                 converted.read_text(encoding="utf-8"), report.read_text(encoding="utf-8")):
        assert not [planted for planted in PLANTED if planted in text]


def test_a_file_without_timestamp_is_refused_and_nothing_written(tmp_path: Path) -> None:
    rows = read_rows(HERE / "responses.csv")
    rows[0][0] = "When"
    output = tmp_path / "form.yaml"
    result = run_hrta("instrument", "draft", write_rows(tmp_path / "r.csv", rows),
                      "--format", "googleforms", "-o", output)
    assert result.returncode == 2 and "Timestamp" in result.stderr
    assert not output.exists()


def _as_xlsx(source: Path, target: Path) -> Path:
    """The Sheet's download: the same cells in the first sheet of a workbook."""
    book = Workbook()
    sheet = book.active
    for row in read_rows(source):
        sheet.append(row)
    book.save(target)
    return target


# tests/fixtures/googleforms/grids.csv: a checkbox grid (two teams, several kinds of TA
# each) and a multiple-choice grid (how often, per supply), five responses. By hand:
# outreach training 3 (rows 1 2 5), coaching 3 (1 4 5), materials 2 (4 5); clinical
# training 2 (2 5), coaching 1 (3), materials 2 (1 2); naloxone always 3, often 1, rarely
# 1; test strips sometimes 2, never 1, often 1, always 1.
GRIDS = HERE / "grids.csv"
TEAMS = "Which kinds of technical assistance did each team receive?"


def _by_text(instrument: Instrument, text: str) -> str:
    return next(q.id for q in instrument.questions if q.text == text)


def _grid_counts(responses: ResponseSet, qid: str) -> dict[str, int]:
    choices = responses.choices
    chosen = choices.filter(choices["question_id"] == qid)
    return {str(k): int(v) for k, v in chosen["option_id"].cast(str).value_counts().iter_rows()}


@pytest.mark.parametrize("separator", [", ", ";"])
def test_checkbox_and_multiple_choice_grids_draft_and_read(separator: str,
                                                           tmp_path: Path) -> None:
    rows = read_rows(GRIDS)
    for row in rows[1:]:
        row[2], row[3] = (cell.replace(", ", separator) for cell in (row[2], row[3]))
    path = write_rows(tmp_path / "grids.csv", rows)
    drafted = parse(draft_yaml(read_export(path)), origin="draft")
    outreach = drafted.question(_by_text(drafted, f"{TEAMS} - Outreach team"))
    clinical = drafted.question(_by_text(drafted, f"{TEAMS} - Clinical team"))
    assert outreach.type == clinical.type == "multi"
    assert [o.label for o in outreach.options] == ["Training", "Coaching", "Materials"]
    often = [q for q in drafted.questions if q.type == "matrix"]
    assert len(often) == 1 and [s.text for s in often[0].statements] == [
        "Naloxone", "Fentanyl test strips"]
    responses = load_responses(path, drafted)
    assert responses.total == 5
    assert _grid_counts(responses, outreach.id) == {"training": 3, "coaching": 3,
                                                    "materials": 2}
    assert _grid_counts(responses, clinical.id) == {"training": 2, "coaching": 1,
                                                    "materials": 2}
    naloxone, strips = (f"{often[0].id}.{s.id}" for s in often[0].statements)
    assert _grid_counts(responses, naloxone) == {"always": 3, "often": 1, "rarely": 1}
    assert _grid_counts(responses, strips) == {"sometimes": 2, "never": 1, "often": 1,
                                               "always": 1}
