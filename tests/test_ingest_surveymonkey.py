"""SurveyMonkey expanded exports: encodings, XLSX, tolerant matching, mapping, privacy."""

from __future__ import annotations

import openpyxl
import polars as pl
import pytest

from hrta.analysis import build_findings
from hrta.errors import InputError
from hrta.ingest import load_responses
from tests.conftest import read_rows, write_rows


def _answers(responses) -> pl.DataFrame:
    return responses.answers.sort("row", "question_id", "option_id")


def test_contact_metadata_is_dropped(small_export, instrument):
    responses = load_responses(small_export, instrument)
    assert responses.respondents.columns == ["response_id", "started_at", "ended_at", "eligible"]
    everything = str(responses.answers.to_dicts()) + str(responses.respondents.to_dicts())
    for secret in ("ann@example.org", "10.0.0.1", "Ann", "Lee"):
        assert secret not in everything
    assert responses.respondents["started_at"][0] == "05/10/2022 10:15:32 AM"


def test_utf8_bom_and_windows_1252_read_the_same(small_export, instrument, tmp_path):
    rows = read_rows(small_export)
    reference = _answers(load_responses(small_export, instrument))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + small_export.read_bytes())
    cp1252 = write_rows(tmp_path / "cp1252.csv", rows, encoding="cp1252")
    assert b"\x92" in cp1252.read_bytes()  # the curly apostrophe of "I don't know"
    for path in (bom, cp1252):
        assert _answers(load_responses(path, instrument)).equals(reference)


def test_xlsx_export_reads_like_csv(small_export, instrument, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in read_rows(small_export):
        sheet.append([int(c) if c.isdigit() else (c or None) for c in row])
    path = tmp_path / "export.xlsx"
    book.save(path)
    reference = load_responses(small_export, instrument)
    from_xlsx = load_responses(path, instrument)
    assert _answers(from_xlsx).equals(_answers(reference))
    assert from_xlsx.respondents["response_id"].to_list() == ["1001", "1002", "1003", "1004",
                                                             "1005"]


def test_mapping_file_handles_a_reworded_question_and_label(small_export, instrument, tmp_path):
    rows = read_rows(small_export)
    rows[0][10] = "What services do you offer directly to PWUD?"
    rows[1][10] = "Peer support"
    for row in rows[2:]:
        if row[10]:
            row[10] = "Peer support"
    reworded = write_rows(tmp_path / "reworded.csv", rows)
    with pytest.raises(InputError, match="unknown question"):
        load_responses(reworded, instrument)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        'questions:\n  "What services do you offer directly to PWUD?": services_direct\n'
        'options:\n  services_direct:\n    "Peer support": peer_support\n', encoding="utf-8")
    mapped = load_responses(reworded, instrument, mapping=mapping)
    assert _answers(mapped).equals(_answers(load_responses(small_export, instrument)))


def test_mapping_can_ignore_an_extra_question(small_export, instrument, tmp_path):
    rows = read_rows(small_export)
    for index, row in enumerate(rows):
        row.append(["How did you hear about this survey?", "Response"][index] if index < 2
                   else "Newsletter")
    extra = write_rows(tmp_path / "extra.csv", rows)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text('questions:\n  "How did you hear about this survey?": ignore\n',
                       encoding="utf-8")
    responses = load_responses(extra, instrument, mapping=mapping)
    assert _answers(responses).equals(_answers(load_responses(small_export, instrument)))


def test_choices_over_the_limit_are_counted_and_warned(instrument, tmp_path):
    formats = instrument.question("ta_formats")
    header1 = ["Respondent ID", formats.text] + [""] * (len(formats.options) - 1)
    header2 = [""] + [o.label for o in formats.options]
    row = ["1"] + [o.label for o in formats.options[:4]] + [""] * (len(formats.options) - 4)
    path = write_rows(tmp_path / "four.csv", [header1, header2, row])
    findings = build_findings(load_responses(path, instrument)).to_json()
    assert findings["questions"]["ta_formats"]["options"]["individualized"]["count"] == 0
    assert findings["questions"]["ta_formats"]["options"]["small_group"]["count"] == 1
    assert any("more than 3" in warning for warning in findings["warnings"])


def test_single_choice_other_text_is_kept_with_the_choice(instrument, tmp_path):
    role = instrument.question("role")
    rows = [
        ["Respondent ID", role.text, ""],
        ["", "Response", "Other (please specify)"],
        ["1", "Other (please specify)", "Board chair"],
        ["2", "", "Volunteer"],
        ["3", "Program Director", ""],
    ]
    path = write_rows(tmp_path / "role.csv", rows)
    question = build_findings(load_responses(path, instrument)).to_json()["questions"]["role"]
    assert question["n"] == 3
    assert question["options"]["other"]["count"] == 2
    assert question["options"]["program_director"]["count"] == 1
    assert question["other_texts"] == ["Board chair", "Volunteer"]


def test_round_trip_through_the_surveymonkey_writer(small_export, instrument, tmp_path):
    from hrta.exports import write_surveymonkey_csv

    original = load_responses(small_export, instrument)
    path = tmp_path / "again.csv"
    write_surveymonkey_csv(path, original)
    again = load_responses(path, instrument)
    assert _answers(again).equals(_answers(original))
    assert again.respondents.equals(original.respondents)
