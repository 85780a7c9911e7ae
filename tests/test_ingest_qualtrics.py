"""Qualtrics in: the .qsf survey file as an instrument, and each export layout as answers.

The fixtures (tests/fixtures/qualtrics/) hold one survey: six responses, of which one is a
survey preview and one spam (left out) and one unfinished (kept). Counts were worked out
by hand from the rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hrta.errors import InputError
from hrta.ingest import load_responses
from hrta.ingest.definitions import read_definition
from hrta.instrument import Instrument
from hrta.responses import ResponseSet
from tests.conftest import FIXTURES, read_rows, run_hrta, write_rows

HERE = FIXTURES / "qualtrics"
QSF = HERE / "ta_needs_2024.qsf"
LAYOUTS = ("choice_text.csv", "numeric_values.csv", "export_2016.csv", "legacy_v1.csv")
PLANTED = ("jane.roe@example.org", "carlos.diaz@example.net", "203.0.113.7", "198.51.100.23",
           "39.7392", "-104.9903", "EXT-0001", "Roe", "ORG-17")


@pytest.fixture(scope="module")
def survey() -> Instrument:
    return read_definition(QSF).instrument


def _counts(responses: ResponseSet, qid: str) -> dict[str, int]:
    chosen = responses.choices.filter(responses.choices["question_id"] == qid)
    return {str(k): int(v) for k, v in
            chosen["option_id"].cast(str).value_counts().iter_rows()}


def _texts(responses: ResponseSet, qid: str) -> list[str]:
    texts = responses.texts.filter(responses.texts["question_id"] == qid)
    return texts["value"].to_list()


def test_the_survey_file_becomes_sections_questions_codes_and_skip_logic() -> None:
    converted = read_definition(QSF)
    survey = converted.instrument
    # Blocks in the flow's order (the branch's block before the last one); the trash
    # block, the descriptive text and the timing question are left out.
    assert [s.id for s in survey.sections] == ["screening", "services", "your_organization"]
    assert [q.id for q in survey.questions] == ["q1", "q2", "q3", "q4_1", "q4_2", "q5", "q8",
                                                "q6", "q7_1", "q7_2"]
    q2 = survey.question("q2")
    assert q2.type == "multi" and q2.options[-1].other and q2.options[-1].code == "6"
    assert q2.show_if is not None and q2.show_if.question == "q1"
    assert q2.show_if.any_of == ("yes",)
    assert survey.question("q1").required
    assert [o.code for o in survey.question("q1").options] == ["1", "0"]
    q3 = survey.question("q3")
    assert q3.type == "matrix" and [s.id for s in q3.statements] == ["1", "2"]
    assert [(o.id, o.code) for o in q3.options][-1] == ("dont_know", "9")
    assert survey.question("q4_2").type == "multi"
    assert survey.question("q4_2").text.endswith("- Clinical team")
    q8 = survey.question("q8")
    assert q8.show_if is not None
    assert q8.show_if.any_of == ("executive_director", "program_manager")
    # "A And B" has no show_if form: kept as a note above the question.
    assert survey.question("q5").show_if is None
    assert "joined with And" in converted.notes["q5"][0]
    assert survey.question("q7_2").pii and survey.question("q6").type == "text"
    assert any("Q11 (Timing" in line for line in converted.header)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_reads_to_the_same_answers(layout: str, survey: Instrument) -> None:
    responses = load_responses(HERE / layout, survey)
    # Six rows: a survey preview and a spam response are left out; the unfinished kept.
    assert responses.total == 4
    assert "R_3aBcDeFgHiJk03" not in responses.respondents["response_id"].to_list()
    assert _counts(responses, "q1") == {"yes": 3, "no": 1}
    assert _counts(responses, "q2") == {"naloxone_distribution": 2, "fentanyl_test_strips": 1,
                                        "housing_food_or_transport": 1, "other": 1}
    assert _texts(responses, "q2") == ["Mobile van"]
    assert _counts(responses, "q3.1") == {"strongly_agree": 2, "disagree": 1}
    assert _counts(responses, "q3.2") == {"agree": 1, "dont_know": 1}
    assert _counts(responses, "q4_1") == {"training": 1, "coaching": 1}
    assert _counts(responses, "q4_2") == {"materials": 1, "training": 1}
    assert _counts(responses, "q5") == {"executive_director": 1, "other": 1}
    assert _texts(responses, "q5") == ["Board chair"]
    assert _texts(responses, "q6") == ["Funding, mostly", "Staff turnover"]
    assert sorted(responses.contacts["value"].to_list()) == [
        "Carlos Diaz", "Jane Roe", "carlos.diaz@example.net", "jane.roe@example.org"]


def test_finished_only_leaves_out_the_unfinished(survey: Instrument) -> None:
    responses = load_responses(HERE / "choice_text.csv", survey, finished_only=True)
    assert responses.total == 3
    assert "R_4aBcDeFgHiJk04" not in responses.respondents["response_id"].to_list()
    assert _counts(responses, "q3.1") == {"strongly_agree": 1, "disagree": 1}


def test_a_numeric_export_needs_the_recode_values(survey: Instrument) -> None:
    plain = Instrument.model_validate({**survey.model_dump(), "sections": [
        {**section.model_dump(), "questions": [
            {**q.model_dump(), "options": [{**o.model_dump(), "code": None} for o in q.options]}
            for q in section.questions]} for section in survey.sections]})
    with pytest.raises(InputError) as caught:
        load_responses(HERE / "numeric_values.csv", plain)
    assert "no recode values" in caught.value.message and "hrta instrument import" in \
        caught.value.message
    assert caught.value.row == 4 and caught.value.column == "R ('Q1')"


def test_a_code_absent_from_the_survey_file_is_refused(tmp_path: Path,
                                                        survey: Instrument) -> None:
    rows = read_rows(HERE / "numeric_values.csv")
    rows[4][rows[0].index("Q5")] = "7"
    with pytest.raises(InputError) as caught:
        load_responses(write_rows(tmp_path / "export.csv", rows), survey)
    assert "unknown answer '7'" in caught.value.message
    assert caught.value.row == 5 and caught.value.column == "Y ('Q5')"


def test_of_two_bad_columns_the_first_is_named(tmp_path: Path, survey: Instrument) -> None:
    """The choice columns are read together, in one pass: the error still names the first
    column holding a bad cell, not the first row."""
    rows = read_rows(HERE / "numeric_values.csv")
    rows[3][rows[0].index("Q5")] = "7"
    rows[4][rows[0].index("Q1")] = "9"
    with pytest.raises(InputError) as caught:
        load_responses(write_rows(tmp_path / "export.csv", rows), survey)
    assert "unknown answer '9'" in caught.value.message
    assert caught.value.row == 5 and caught.value.column == "R ('Q1')"


def test_an_export_without_its_third_header_row_is_refused(tmp_path: Path,
                                                           survey: Instrument) -> None:
    rows = read_rows(HERE / "choice_text.csv")
    del rows[2]
    with pytest.raises(InputError) as caught:
        load_responses(write_rows(tmp_path / "export.csv", rows), survey)
    assert "third header row is missing" in caught.value.message
    assert caught.value.row == 3 and caught.value.column == "A ('StartDate')"


def test_the_survey_file_of_another_survey_is_refused(tmp_path: Path,
                                                      survey: Instrument) -> None:
    rows = read_rows(HERE / "choice_text.csv")
    rows[1][rows[0].index("Q1")] = "How many staff does your program have?"
    with pytest.raises(InputError) as caught:
        load_responses(write_rows(tmp_path / "export.csv", rows), survey)
    assert "different surveys" in caught.value.message and caught.value.row == 2


def test_import_then_analyze_through_the_command_line(tmp_path: Path) -> None:
    instrument = tmp_path / "survey.yaml"
    imported = run_hrta("instrument", "import", QSF, "-o", instrument)
    assert imported.returncode == 0, imported.stderr
    findings_path = tmp_path / "findings.json"
    result = run_hrta("analyze", HERE / "numeric_values.csv", "--instrument", instrument,
                      "--format", "qualtrics", "--json", findings_path, "--no-themes",
                      "--finished-only")
    assert result.returncode == 0, result.stderr
    findings = json.loads(findings_path.read_text(encoding="utf-8"))
    assert findings["responses"]["total"] == 3
    options = findings["questions"]["q2"]["options"]
    assert options["naloxone_distribution"]["count"] == 1  # R_4, unfinished, left out
    assert options["housing_food_or_transport"]["count"] == 1
    converted = tmp_path / "wave.csv"
    assert run_hrta("convert", HERE / "legacy_v1.csv", "--instrument", instrument,
                    "-o", converted).returncode == 0
    report = tmp_path / "report.html"
    done = run_hrta("report", HERE / "choice_text.csv", "--instrument", instrument,
                    "-o", report, "--no-themes")
    assert done.returncode == 0, done.stderr
    # Identifying metadata and contact answers reach neither Findings, the report nor
    # converted files.
    for text in (findings_path.read_text(encoding="utf-8"),
                 converted.read_text(encoding="utf-8"), report.read_text(encoding="utf-8")):
        assert not [planted for planted in PLANTED if planted in text]


def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    instrument = tmp_path / "survey.yaml"
    run_hrta("instrument", "import", QSF, "-o", instrument)
    rows = read_rows(HERE / "choice_text.csv")
    del rows[2]
    findings_path = tmp_path / "findings.json"
    result = run_hrta("analyze", write_rows(tmp_path / "export.csv", rows), "--instrument",
                      instrument, "--json", findings_path, "--no-themes")
    assert result.returncode == 2
    assert "row 3" in result.stderr and "third header row" in result.stderr
    assert not findings_path.exists()


# A survey in English and Spanish (tests/fixtures/qualtrics/multilingual.qsf): five
# responses, three in Spanish, each choice text exported in the respondent's language.
# By hand: q1 yes 4 (R1 R2 R4 R5), no 1 (R3); q2 naloxone 3 (R1 R2 R5), syringes 2 (R1 R5),
# test strips 2 (R2 R4); q3.1 agree 2, disagree 2, neutral 1; q3.2 agree 2, neutral 2,
# disagree 1.
MULTILINGUAL = HERE / "multilingual.qsf"
MULTILINGUAL_EXPORT = HERE / "multilingual_choice_text.csv"


def test_a_translated_survey_file_gives_its_other_languages() -> None:
    converted = read_definition(MULTILINGUAL)
    assert list(converted.translations) == ["es"]  # the survey's own English is the instrument
    spanish = converted.translations["es"]["questions"]
    assert isinstance(spanish, dict)
    assert spanish["q1"] == {"text": "¿Trabaja en un programa de reducción de daños?",
                             "options": {"yes": "Sí", "no": "No"}}
    assert spanish["q2"]["options"]["fentanyl_test_strips"] == "Tiras reactivas de fentanilo"
    assert spanish["q3"]["options"] == {"agree": "De acuerdo", "neutral": "Neutral",
                                        "disagree": "En desacuerdo"}
    assert spanish["q3"]["statements"]["2"] == "El personal tiene la formación que necesita"
    assert spanish["q4"] == {"text": "¿Cuál es el mayor desafío de su programa?"}


def test_answers_in_each_respondents_language_are_counted_together(tmp_path: Path) -> None:
    from hrta.instrument import load
    from hrta.instrument.translation import versions_beside

    instrument_file = tmp_path / "survey.yaml"
    imported = run_hrta("instrument", "import", MULTILINGUAL, "-o", instrument_file)
    assert imported.returncode == 0, imported.stderr
    assert (tmp_path / "survey.es.yaml").is_file()
    survey = load(instrument_file)
    with pytest.raises(InputError) as caught:  # Spanish labels without the Spanish overlay
        load_responses(MULTILINGUAL_EXPORT, survey)
    assert "'Sí'" in caught.value.message and caught.value.row == 5
    responses = load_responses(MULTILINGUAL_EXPORT, survey,
                               translated=versions_beside(survey, instrument_file))
    assert responses.total == 5
    assert _counts(responses, "q1") == {"yes": 4, "no": 1}
    assert _counts(responses, "q2") == {"naloxone_distribution": 3, "syringe_services": 2,
                                        "fentanyl_test_strips": 2}
    assert _counts(responses, "q3.1") == {"agree": 2, "disagree": 2, "neutral": 1}
    assert _counts(responses, "q3.2") == {"agree": 2, "neutral": 2, "disagree": 1}
    assert _texts(responses, "q4") == ["Funding", "Financiación", "Personal"]
    # The command finds the overlay beside the instrument by itself.
    findings_path = tmp_path / "findings.json"
    result = run_hrta("analyze", MULTILINGUAL_EXPORT, "--instrument", instrument_file,
                      "--json", findings_path, "--no-themes")
    assert result.returncode == 0, result.stderr
    findings = json.loads(findings_path.read_text(encoding="utf-8"))
    assert findings["questions"]["q1"]["options"]["yes"]["count"] == 4
    assert findings["questions"]["q2"]["options"]["naloxone_distribution"]["count"] == 3


def test_each_respondents_language_is_an_attribute_that_splits_them(tmp_path: Path) -> None:
    from hrta.instrument import load
    from hrta.instrument.translation import versions_beside

    instrument_file = tmp_path / "survey.yaml"
    imported = run_hrta("instrument", "import", MULTILINGUAL, "-o", instrument_file)
    assert imported.returncode == 0, imported.stderr
    survey = load(instrument_file)
    responses = load_responses(MULTILINGUAL_EXPORT, survey,
                               translated=versions_beside(survey, instrument_file))
    assert responses.attributes["UserLanguage"].to_list() == ["EN", "ES", "ES", "EN", "ES"]
    out = tmp_path / "findings.json"
    result = run_hrta("analyze", MULTILINGUAL_EXPORT, "--instrument", instrument_file,
                      "--by", "UserLanguage", "--suppress-below", "1", "--min-group", "1",
                      "--no-themes", "--json", out)
    assert result.returncode == 0, result.stderr
    comparison = json.loads(out.read_text(encoding="utf-8"))["comparisons"]
    assert {g["label"]: g["n"] for g in comparison["groups"]} == {"EN": 2, "ES": 3}
    # q1 yes: R1 R4 in English, R2 R5 in Spanish; no: R3 in Spanish.
    q1 = comparison["questions"]["q1"]["options"]
    assert q1["yes"]["groups"]["en"]["count"] == 2
    assert q1["yes"]["groups"]["es"]["count"] == 2
    assert q1["no"]["groups"]["es"]["count"] == 1


def test_labels_respelled_by_hand_read_as_the_export_wrote_them(tmp_path: Path,
                                                                survey: Instrument) -> None:
    """A label with other case or spaces (a file edited by hand) is no exact label of the
    survey file: the export is read again tolerantly, to the same counts."""
    rows = read_rows(HERE / "choice_text.csv")
    q1, q3 = rows[0].index("Q1"), rows[0].index("Q3_1")
    rows[3][q1], rows[3][q3] = " YES ", "strongly  agree"
    responses = load_responses(write_rows(tmp_path / "export.csv", rows), survey)
    assert _counts(responses, "q1") == {"yes": 3, "no": 1}
    assert _counts(responses, "q3.1") == {"strongly_agree": 2, "disagree": 1}
    assert responses.attributes["UserLanguage"].to_list() == ["EN"] * 4
