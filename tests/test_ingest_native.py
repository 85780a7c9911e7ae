"""The native long format (CSV and Parquet) and its validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrta.analysis import build_findings
from hrta.errors import InputError
from hrta.ingest import load_responses


def _native(path: Path, lines: list[str]) -> Path:
    path.write_text("response_id,question_id,option_id,value\n" + "\n".join(lines) + "\n",
                    encoding="utf-8")
    return path


def test_parquet_round_trip_keeps_every_answer_and_silent_response(small_export, instrument,
                                                                    tmp_path):
    original = load_responses(small_export, instrument)
    parquet = tmp_path / "wave.parquet"
    original.write_parquet(parquet)
    again = load_responses(parquet, instrument)
    assert again.total == original.total
    assert build_findings(again).questions == build_findings(original).questions


def test_native_csv_equals_the_export_it_came_from(small_export, instrument, tmp_path):
    from hrta.exports import write_native_csv

    original = load_responses(small_export, instrument)
    path = tmp_path / "wave.csv"
    write_native_csv(path, original)
    assert build_findings(load_responses(path, instrument)).questions == \
        build_findings(original).questions


def test_response_with_no_answers_is_counted(instrument, tmp_path):
    path = _native(tmp_path / "a.csv", ["r1,screening,employed,", "r2,,,"])
    findings = build_findings(load_responses(path, instrument)).to_json()
    assert findings["responses"] == {"total": 2, "eligible": 2, "excluded": 0}


@pytest.mark.parametrize(("lines", "row", "column", "message"), [
    (["r1,services_direct,teleportation,"], 2, "C", "unknown option id 'teleportation'"),
    (["r1,screening,employed,", "r1,favourite_colour,blue,"], 3, "B", "unknown question id"),
    (["r1,state,ny,", "r1,state,pa,"], 3, "C", "takes one answer"),
    (["r1,challenges,funding,"], 2, "C", "open-ended"),
    ([",screening,employed,"], 2, "A", "response_id is empty"),
    (["r1,services_direct,naloxone,", "r1,services_direct,naloxone,"], 3, "C", "appears twice"),
])
def test_native_errors_name_row_and_column(instrument, tmp_path, lines, row, column, message):
    path = _native(tmp_path / "bad.csv", lines)
    with pytest.raises(InputError) as caught:
        load_responses(path, instrument, fmt="native")
    error = caught.value
    assert message in error.message
    assert error.row == row
    assert error.column.startswith(column)
    assert error.file == str(path)
