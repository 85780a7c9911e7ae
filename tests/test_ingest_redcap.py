"""REDCap: the Data Dictionary as an instrument, and raw and labelled data exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hrta.errors import InputError
from hrta.ingest import load_responses
from hrta.ingest.definitions import read_definition
from hrta.instrument.loader import parse
from hrta.instrument.writing import instrument_yaml
from tests.conftest import read_rows, run_hrta, write_rows

FIXTURES = Path(__file__).parent / "fixtures" / "redcap"
DICTIONARY = FIXTURES / "DataDictionary.csv"
RAW = FIXTURES / "export_raw.csv"
LABELS = FIXTURES / "export_labels.csv"
# Planted in identifying columns of both exports: none may come out.
PERSONAL = ("alice@example.org", "bob@example.org", "Alice Smith", "Bob Jones", "555-0100",
            "555-0199")


@pytest.fixture(scope="module")
def instrument_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    converted = read_definition(DICTIONARY)
    path = tmp_path_factory.mktemp("redcap") / "instrument.yaml"
    path.write_text(instrument_yaml(converted.instrument, header=converted.header,
                                    notes=converted.notes, origin=str(DICTIONARY)))
    return path


def _instrument(path: Path):
    return parse(path.read_text(), origin=str(path))


def test_dictionary_becomes_instrument() -> None:
    converted = read_definition(DICTIONARY)
    instrument = converted.instrument
    ids = [q.id for q in instrument.questions]
    # record_id is the response id; descriptive and calc fields are no questions.
    assert ids == ["works_in_tx", "role", "role_other", "services", "fts_count", "state",
                   "agree", "confident", "readiness", "challenges", "contact_name",
                   "contact_email", "phone"]
    assert [s.title for s in instrument.sections] == ["Screening", "About you", "Services",
                                                      "Contact"]
    q = instrument.question
    assert q("works_in_tx").option_ids == ("1", "0") and q("works_in_tx").required
    assert q("role").type == "single" and q("role").option(
        "3").label == "Peer, outreach or other staff"
    assert q("services").type == "multi" and q("services").option_ids == ("1", "2", "3", "c_1")
    assert q("state").option_ids == ("ny", "nj", "pa")
    assert q("agree").type == "matrix"
    assert [s.id for s in q("agree").statements] == ["lead_support", "staff_support"]
    assert q("agree").text == "How much do you agree with each statement?"
    assert q("confident").option("0").label == "False"
    assert q("readiness").type == "text" and q("challenges").type == "text"
    assert [q(i).pii for i in ("contact_name", "contact_email", "phone")] == [True] * 3
    # Branching logic: radio code and checkbox box become show_if; the rest a note.
    assert q("role_other").show_if.question == "role"
    assert q("role_other").show_if.any_of == ("99",)
    assert q("fts_count").show_if.question == "services"
    assert q("fts_count").show_if.any_of == ("3",)
    assert q("state").show_if is None
    assert "[works_in_tx] = '1' and [role] <> ''" in " ".join(converted.notes["state"])
    assert any("score (calc)" in line for line in converted.header)


def _counts(findings: dict, qid: str) -> dict[str, int]:
    return {o: v["count"] for o, v in findings["questions"][qid]["options"].items()}


@pytest.mark.parametrize("export", [RAW, LABELS], ids=["raw", "labels"])
def test_exports_read_to_hand_counts(export: Path, instrument_file: Path) -> None:
    responses = load_responses(export, _instrument(instrument_file), fmt="auto")
    assert responses.total == 5
    assert responses.respondents["response_id"].to_list() == ["1", "2", "3", "4", "5"]
    assert responses.respondents["ended_at"].to_list() == [
        "2024-07-26 10:00:00", None, "2024-07-27 09:30:00", "2024-07-28 14:05:00",
        "2024-07-29 08:00:00"]
    assert responses.attributes["ta_survey_complete" if export == RAW else "Complete?"
                                ].to_list() == ["Complete", "Incomplete", "Unverified",
                                                "Complete", "Incomplete"]
    chosen = responses.choices.group_by("question_id", "option_id").len()
    counts = {(str(r["question_id"]), str(r["option_id"])): r["len"]
              for r in chosen.iter_rows(named=True)}
    assert counts[("services", "1")] == 2 and counts[("services", "c_1")] == 1
    assert counts[("role", "99")] == 1 and counts[("agree.lead_support", "1")] == 2
    assert ("agree.staff_support", "3") not in counts
    assert counts[("confident", "1")] == 2 and counts[("confident", "0")] == 1
    assert sorted(responses.contacts["value"].to_list()) == sorted(PERSONAL)


def test_cli_import_then_analyse_raw_and_labels_alike(tmp_path: Path) -> None:
    instrument = tmp_path / "instrument.yaml"
    done = run_hrta("instrument", "import", DICTIONARY, "-o", instrument)
    assert done.returncode == 0, done.stderr
    findings = []
    for export in (RAW, LABELS):
        out = tmp_path / f"{export.stem}.json"
        done = run_hrta("analyze", export, "--instrument", instrument, "--format", "redcap",
                        "--json", out)
        assert done.returncode == 0, done.stderr
        findings.append(json.loads(out.read_text()))
        text = out.read_text()
        assert not [p for p in PERSONAL if p in text]
    raw, labels = findings
    assert raw["responses"]["total"] == 5
    assert _counts(raw, "works_in_tx") == {"1": 4, "0": 1}
    assert _counts(raw, "role") == {"1": 1, "2": 1, "3": 1, "99": 1}
    assert _counts(raw, "services") == {"1": 2, "2": 2, "3": 2, "c_1": 1}
    assert raw["questions"]["services"]["n"] == 4
    assert _counts(raw, "state") == {"ny": 2, "nj": 1, "pa": 1}
    assert _counts(raw, "agree.lead_support") == {"1": 2, "2": 1, "3": 1}
    assert raw["questions"]["role_other"]["answers"] == ["Board chair"]
    assert raw["fielded"] == {"first": "2024-07-26", "last": "2024-07-29"}
    for key in ("questions", "responses", "fielded", "matrices", "sections"):
        assert raw[key] == labels[key]
    converted = tmp_path / "converted.csv"
    done = run_hrta("convert", RAW, "--instrument", instrument, "--format", "redcap",
                    "-o", converted)
    assert done.returncode == 0, done.stderr
    assert not [p for p in PERSONAL if p in converted.read_text()]
    report = tmp_path / "report.html"
    done = run_hrta("report", RAW, "--instrument", instrument, "--format", "redcap",
                    "-o", report, "--no-themes")
    assert done.returncode == 0, done.stderr
    assert not [p for p in PERSONAL if p in report.read_text(encoding="utf-8")]


def test_export_without_its_dictionary_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "findings.json"
    done = run_hrta("analyze", RAW, "--format", "redcap", "--json", out)
    assert done.returncode == 2
    assert "needs its project's Data Dictionary" in done.stderr
    assert "export_raw.csv, row 1" in done.stderr
    assert not out.exists()


def test_code_absent_from_dictionary_names_row_and_column(tmp_path: Path,
                                                          instrument_file: Path) -> None:
    rows = read_rows(RAW)
    rows[3][4] = "7"  # role of record 3
    bad = write_rows(tmp_path / "bad.csv", rows)
    with pytest.raises(InputError) as caught:
        load_responses(bad, _instrument(instrument_file), fmt="redcap")
    error = caught.value
    assert (error.row, error.column) == (4, "E ('role')")
    assert "code '7' is not in the data dictionary" in error.message


def test_several_events_are_refused_naming_the_column(tmp_path: Path,
                                                      instrument_file: Path) -> None:
    rows = read_rows(RAW)
    events = ["baseline_arm_1", "baseline_arm_1", "followup_arm_1", "baseline_arm_1",
              "baseline_arm_1"]
    rows = [[rows[0][0], "redcap_event_name", *rows[0][1:]]] + [
        [row[0], event, *row[1:]] for row, event in zip(rows[1:], events, strict=True)]
    longitudinal = write_rows(tmp_path / "events.csv", rows)
    with pytest.raises(InputError) as caught:
        load_responses(longitudinal, _instrument(instrument_file), fmt="auto")
    assert caught.value.column == "B ('redcap_event_name')"
    assert "2 events" in caught.value.message
    # One event alone reads, the event kept as an attribute.
    single = write_rows(tmp_path / "one.csv",
                        [rows[0]] + [r for r in rows[1:] if r[1] == "baseline_arm_1"])
    responses = load_responses(single, _instrument(instrument_file), fmt="redcap")
    assert responses.total == 4
    assert set(responses.attributes["redcap_event_name"].to_list()) == {"baseline_arm_1"}


def test_repeating_instrument_rows_are_refused(tmp_path: Path, instrument_file: Path) -> None:
    rows = read_rows(RAW)
    rows = [[rows[0][0], "redcap_repeat_instrument", "redcap_repeat_instance", *rows[0][1:]]] \
        + [[row[0], "", "", *row[1:]] for row in rows[1:]]
    rows.append(["1", "visits", "1", *[""] * (len(rows[0]) - 3)])
    repeated = write_rows(tmp_path / "repeat.csv", rows)
    with pytest.raises(InputError) as caught:
        load_responses(repeated, _instrument(instrument_file), fmt="redcap")
    assert (caught.value.row, caught.value.column) == (7, "B ('redcap_repeat_instrument')")


def test_missing_checkbox_column_is_refused(tmp_path: Path, instrument_file: Path) -> None:
    rows = [row[:9] + row[10:] for row in read_rows(RAW)]  # drop services____1
    cut = write_rows(tmp_path / "cut.csv", rows)
    with pytest.raises(InputError, match="lacks the column of code"):
        load_responses(cut, _instrument(instrument_file), fmt="redcap")


def test_dictionary_errors_name_the_line(tmp_path: Path) -> None:
    rows = read_rows(DICTIONARY)
    rows[4][5] = "1, Executive Director | Program Manager"
    bad = write_rows(tmp_path / "bad_DataDictionary.csv", rows)
    done = run_hrta("instrument", "import", bad, "-o", tmp_path / "out.yaml")
    assert done.returncode == 2
    assert "row 5, column F ('Choices, Calculations, OR Slider Labels')" in done.stderr
    assert "'Program Manager' is not written 'code, label'" in done.stderr
    assert not (tmp_path / "out.yaml").exists()


def test_codes_padded_by_hand_read_as_the_export_wrote_them(tmp_path: Path,
                                                            instrument_file: Path) -> None:
    """A code with spaces around it (a file edited by hand) is no code of the dictionary as
    written: the export is read again tolerantly, to the same counts."""
    rows = read_rows(RAW)
    role, lead = rows[0].index("role"), rows[0].index("lead_support")
    rows[2][role], rows[1][lead] = " 99 ", "1 "
    responses = load_responses(write_rows(tmp_path / "export.csv", rows),
                               _instrument(instrument_file), fmt="redcap")
    chosen = responses.choices.group_by("question_id", "option_id").len()
    counts = {(str(r["question_id"]), str(r["option_id"])): r["len"]
              for r in chosen.iter_rows(named=True)}
    assert counts[("role", "99")] == 1 and counts[("agree.lead_support", "1")] == 2
