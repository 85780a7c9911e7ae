"""Every layout SurveyMonkey exports reads to the same, hand-counted answers.

The fixtures in tests/fixtures/surveymonkey/ (written by make_fixtures.py there) hold six
responses, one of them screened out, in each layout. Counted by hand among the five
eligible responses (101-105; 106 works elsewhere):

- role: 101 Executive Director, 102 Program Manager, 103 Other ("Board chair"),
  104 Social Worker, 105 no answer -> n 4, one each.
- communities: 101 Urban+Rural, 102 Rural, 103 Urban, 104 none, 105 Tribal+Rural
  -> n 4; Urban 2, Rural 3, Tribal 1, Suburban 0.
- leadership_support: SA, SA, SD, DK, - -> n 4; strongly agree 2, strongly disagree 1,
  don't know 1. staff_support: SwA, SwA, SA, -, SwD -> n 4. staff_knowledge: SA x4 -> n 4.
  principles_adopted: 101 SwD -> n 1.
- ta_receiving: Yes, No, Yes, Unsure, Yes -> n 5; yes 3, no 1, unsure 1.
- challenges: 101 and 103 -> n 2.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from hrta.analysis import build_findings
from hrta.ingest import load_responses
from tests.conftest import FIXTURES, run_hrta

LAYOUTS = FIXTURES / "surveymonkey"


def _findings(path: Path, instrument) -> dict[str, Any]:
    return build_findings(load_responses(path, instrument)).to_json()


def _counts(entry: dict[str, Any]) -> dict[str, int]:
    return {o: v["count"] for o, v in entry["options"].items() if v["count"]}


def assert_hand_counts(findings: dict[str, Any]) -> None:
    questions = findings["questions"]
    assert findings["responses"]["excluded"] == 1
    assert questions["role"]["n"] == 4
    assert _counts(questions["role"]) == {"executive_director": 1, "program_manager": 1,
                                          "social_worker": 1, "other": 1}
    assert questions["role"]["other_texts"] == ["Board chair"]
    assert questions["communities"]["n"] == 4
    assert _counts(questions["communities"]) == {"urban": 2, "rural": 3, "tribal": 1}
    leadership = questions["fb_organizational.leadership_support"]
    assert leadership["n"] == 4
    assert _counts(leadership) == {"strongly_agree": 2, "strongly_disagree": 1,
                                   "dont_know": 1}
    staff = questions["fb_organizational.staff_support"]
    assert (staff["n"], _counts(staff)) == (4, {"strongly_agree": 1, "somewhat_agree": 2,
                                                "somewhat_disagree": 1})
    assert questions["fb_organizational.staff_knowledge"]["n"] == 4
    assert questions["fb_organizational.principles_adopted"]["n"] == 1
    assert questions["ta_receiving"]["n"] == 5
    assert _counts(questions["ta_receiving"]) == {"yes": 3, "no": 1, "unsure": 1}
    assert questions["challenges"]["n"] == 2


@pytest.mark.parametrize("name", [
    "condensed.csv",            # single choice in one Response column
    "expanded.csv",             # single choice one column per option, labels in cells
    "expanded_numeric.csv",     # ... numbers in cells; grids hold the scale position
    "condensed_numeric.csv",    # Response holds the option's position, Other 0
    "expanded_dash.csv",        # row-2 labels written " - Strongly agree"
    "expanded_numeric.xlsx",    # XLSX with date cells
    "metadata_variants.csv",    # RespondentID, StartDate, no IP, Audience columns
    "messy_headers.csv",        # HTML, nbsp, curly quotes, comment box, contact, A/B
    "windows_1252.csv",
    "bom.csv",
])
def test_every_layout_gives_the_hand_counts(name, instrument):
    assert_hand_counts(_findings(LAYOUTS / name, instrument))


def test_windows_1252_is_read_and_said(instrument):
    responses = load_responses(LAYOUTS / "windows_1252.csv", instrument)
    assert any("not UTF-8: read as Windows-1252" in str(w) for w in responses.warnings)
    assert not any("Windows-1252" in str(w) for w in
                   load_responses(LAYOUTS / "bom.csv", instrument).warnings)


def test_a_stray_invalid_byte_in_utf8_is_refused_at_its_cell(instrument):
    from hrta.errors import InputError

    with pytest.raises(InputError) as caught:
        load_responses(LAYOUTS / "stray_byte.csv", instrument)
    error = caught.value
    assert "invalid byte 0x92" in error.message
    assert (error.row, error.column[:1]) == (5, "V")


def test_dates_as_excel_and_xlsx_write_them_read_as_dates(instrument):
    fielded = {name: _findings(LAYOUTS / name, instrument)["fielded"]
               for name in ("condensed.csv", "metadata_variants.csv", "expanded_numeric.xlsx")}
    assert set(map(json.dumps, fielded.values())) == {
        json.dumps({"first": "2024-07-26", "last": "2024-08-02"})}
    excel = load_responses(LAYOUTS / "metadata_variants.csv", instrument)
    assert excel.respondents["started_at"][0] == "2024-07-26 03:11:00"


def test_metadata_variants_keep_audience_attributes_and_drop_identifying_ones(instrument):
    responses = load_responses(LAYOUTS / "metadata_variants.csv", instrument)
    assert responses.respondents["response_id"].to_list() == ["101", "102", "103", "104",
                                                              "105", "106"]
    assert responses.attributes.columns == ["Gender", "Age", "Household Income", "Region",
                                            "Device Type"]
    assert responses.attributes["Gender"].to_list()[:2] == ["Female", "Male"]
    everything = str(responses.answers.to_dicts()) + str(responses.respondents.to_dicts()) \
        + str(responses.attributes.to_dicts())
    for secret in ("person101@example.org", "ref-101", "cd2-101", "Weblink"):
        assert secret not in everything
    assert any("Gender" in str(w) for w in responses.warnings) is False


def test_audience_attributes_split_respondents_with_by(tmp_path):
    out = tmp_path / "findings.json"
    result = run_hrta("analyze", LAYOUTS / "metadata_variants.csv", "--by", "Gender",
                      "--suppress-below", "1", "--min-group", "1", "--no-themes", "--json", out)
    assert result.returncode == 0, result.stderr
    comparison = json.loads(out.read_text(encoding="utf-8"))["comparisons"]
    # Eligible: 101 F, 102 M, 103 F, 104 F, 105 M.
    assert {g["label"]: g["n"] for g in comparison["groups"]} == {"Female": 3, "Male": 2}
    ta = comparison["questions"]["ta_receiving"]
    assert ta["options"]["yes"]["groups"]["female"]["count"] == 2  # 101, 103


def test_contact_question_is_held_apart_and_comment_box_is_the_other_text(instrument):
    responses = load_responses(LAYOUTS / "messy_headers.csv", instrument)
    contacts = responses.contacts
    assert sorted(set(contacts["row"].to_list())) == [0, 3]
    assert "contact_details.email_address" in contacts["question_id"].to_list()
    everything = str(responses.answers.to_dicts()) + str(responses.texts.to_dicts())
    assert "contact101@example.org" not in everything and "Name 101" not in everything
    findings = build_findings(responses).to_json()
    assert not any(q.startswith("contact") for q in findings["questions"])
    assert "contact101@example.org" not in json.dumps(findings)


def test_the_zip_as_downloaded_reads_its_csv(tmp_path):
    out = tmp_path / "findings.json"
    archive = LAYOUTS / "Data_All_240802.zip"
    result = run_hrta("analyze", archive, "--no-themes", "--json", out)
    assert result.returncode == 0, result.stderr
    findings = json.loads(out.read_text(encoding="utf-8"))
    assert_hand_counts(findings)


def test_a_zip_of_two_surveys_names_them_and_writes_nothing(tmp_path):
    out = tmp_path / "findings.json"
    archive = LAYOUTS / "Data_All_two_surveys.zip"
    result = run_hrta("analyze", archive, "--no-themes", "--json", out)
    assert result.returncode == 2
    said = " ".join(result.stderr.split())
    assert "2 surveys" in said and "Harm Reduction TA Survey.csv" in said
    assert "--member" in said
    assert "Staff Pulse Check.csv" in said and "CollectorList" not in said
    assert not out.exists()


def test_one_survey_of_a_zip_can_be_chosen(instrument):
    responses = load_responses(LAYOUTS / "Data_All_two_surveys.zip", instrument,
                               member="Staff Pulse Check")
    assert responses.source.endswith("Data_All_two_surveys.zip: CSV/Staff Pulse Check.csv")
    assert_hand_counts(build_findings(responses).to_json())


REPEATED_INSTRUMENT = """\
id: training_check
version: "1"
title: Before and after a naloxone training
sections:
  - id: before
    title: Before the training
    questions:
      - id: confidence_before
        type: single
        text: How confident are you in giving naloxone?
        options: &confidence
          - {id: very, label: Very confident}
          - {id: somewhat, label: Somewhat confident}
          - {id: not_confident, label: Not confident}
      - id: topics_before
        type: multi
        text: Which topics would you like to learn about?
        options: &topics
          - {id: naloxone, label: Naloxone}
          - {id: testing, label: Drug checking}
          - {id: peer, label: Peer support}
  - id: after
    title: After the training
    questions:
      - id: confidence_after
        type: single
        text: How confident are you in giving naloxone?
        options: *confidence
      - id: topics_after
        type: multi
        text: Which topics would you like to learn about?
        options: *topics
"""
CONFIDENCE = "How confident are you in giving naloxone?"
TOPICS = "Which topics would you like to learn about?"
# The same two question texts asked twice, before and after: SurveyMonkey writes each time
# under its own columns, in survey order. Row 1 of the second time carries HTML, as an export
# may write it, and must still be the second question.
REPEATED_EXPORT = [
    ["Respondent ID", "Collector ID", "Start Date", "End Date",
     CONFIDENCE, TOPICS, "", "", f"{CONFIDENCE}<br>", TOPICS, "", ""],
    ["", "", "", "", "Response", "Naloxone", "Drug checking", "Peer support",
     "Response", "Naloxone", "Drug checking", "Peer support"],
    ["r1", "7", "", "", "Not confident", "Naloxone", "", "",
     "Very confident", "", "", "Peer support"],
    ["r2", "7", "", "", "Not confident", "Naloxone", "Drug checking", "",
     "Somewhat confident", "", "", ""],
    ["r3", "7", "", "", "Somewhat confident", "", "", "",
     "Very confident", "Naloxone", "", "Peer support"],
    ["r4", "7", "", "", "", "", "", "",
     "Very confident", "", "Drug checking", ""],
]


def test_a_question_text_asked_twice_goes_to_each_question_in_order(tmp_path):
    from hrta.instrument import load

    (tmp_path / "training.yaml").write_text(REPEATED_INSTRUMENT, encoding="utf-8")
    instrument = load(tmp_path / "training.yaml")
    export = tmp_path / "training.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(REPEATED_EXPORT)

    questions = _findings(export, instrument)["questions"]
    # Before: r1 not, r2 not, r3 somewhat, r4 no answer. After: very (r1, r3, r4), somewhat r2.
    assert questions["confidence_before"]["n"] == 3
    assert _counts(questions["confidence_before"]) == {"not_confident": 2, "somewhat": 1}
    assert questions["confidence_after"]["n"] == 4
    assert _counts(questions["confidence_after"]) == {"very": 3, "somewhat": 1}
    # Before: r1 naloxone, r2 naloxone + checking. After: r1 peer, r3 naloxone + peer,
    # r4 checking.
    assert questions["topics_before"]["n"] == 2
    assert _counts(questions["topics_before"]) == {"naloxone": 2, "testing": 1}
    assert questions["topics_after"]["n"] == 3
    assert _counts(questions["topics_after"]) == {"naloxone": 1, "testing": 1, "peer": 2}


def test_the_command_line_reads_one_survey_of_a_zip_by_member(tmp_path):
    archive = LAYOUTS / "Data_All_two_surveys.zip"
    out = tmp_path / "findings.json"
    result = run_hrta("analyze", archive, "--member", "Staff Pulse Check", "--no-themes",
                      "--json", out)
    assert result.returncode == 0, result.stderr
    assert_hand_counts(json.loads(out.read_text(encoding="utf-8")))

    native = tmp_path / "pulse.csv"
    result = run_hrta("convert", archive, "--member", "CSV/Staff Pulse Check.csv", "-o", native)
    assert result.returncode == 0, result.stderr
    assert "Wrote 6 responses" in result.stdout

    report = tmp_path / "pulse.html"
    result = run_hrta("report", archive, "--member", "Staff Pulse Check.csv", "--no-themes",
                      "-o", report)
    assert result.returncode == 0, result.stderr
    assert report.stat().st_size > 0


def test_a_member_the_zip_lacks_or_a_member_of_no_zip_is_refused(tmp_path):
    out = tmp_path / "findings.json"
    result = run_hrta("analyze", LAYOUTS / "Data_All_two_surveys.zip", "--member", "Pulse",
                      "--no-themes", "--json", out)
    assert result.returncode == 2
    said = " ".join(result.stderr.split())
    assert "no survey 'Pulse'" in said and "Staff Pulse Check.csv" in said
    result = run_hrta("analyze", LAYOUTS / "condensed.csv", "--member", "Staff Pulse Check",
                      "--no-themes", "--json", out)
    assert result.returncode == 2
    assert "not a zip of surveys" in " ".join(result.stderr.split())
    assert not out.exists()
