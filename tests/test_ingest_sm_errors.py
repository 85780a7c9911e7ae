"""Bad SurveyMonkey input: each refused with file, row and column, exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrta.errors import InputError
from hrta.ingest import load_responses
from tests.conftest import FIXTURES, read_rows, run_hrta, write_rows

LAYOUTS = FIXTURES / "surveymonkey"


def _error(path: Path, instrument, **kwargs) -> InputError:
    with pytest.raises(InputError) as caught:
        load_responses(path, instrument, **kwargs)
    return caught.value


def test_a_numeric_code_out_of_range_names_code_range_row_and_column(instrument, tmp_path):
    rows = read_rows(LAYOUTS / "condensed_numeric.csv")
    assert rows[1][22] == "Response" and rows[4][22] == "1"  # ta_receiving of 103
    rows[4][22] = "4"
    path = write_rows(tmp_path / "codes.csv", rows)
    error = _error(path, instrument)
    assert error.file == str(path) and (error.row, error.column[:1]) == (5, "W")
    assert "numeric code 4 is out of range for question 'ta_receiving'" in error.message
    assert "options 1 to 3" in error.message


def test_a_grid_code_out_of_range(instrument, tmp_path):
    rows = read_rows(LAYOUTS / "condensed_numeric.csv")
    rows[3][17] = "9"  # leadership_support of 102; the scale has 5 positions
    error = _error(write_rows(tmp_path / "grid.csv", rows), instrument)
    assert (error.row, error.column[:1]) == (4, "R")
    assert "numeric code 9" in error.message and "1 to 5" in error.message


def test_two_columns_mapped_to_one_option(instrument, tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text('options:\n  communities:\n    "Suburban": urban\n', encoding="utf-8")
    error = _error(LAYOUTS / "condensed.csv", instrument, mapping=mapping)
    assert "two columns map to option 'urban' of question 'communities'" in error.message
    assert (error.row, error.column) == (2, "N ('Suburban')")
    assert "M ('Urban') and this one" in error.message


def test_two_options_ticked_in_an_expanded_single_choice(instrument, tmp_path):
    rows = read_rows(LAYOUTS / "expanded.csv")
    at = rows[1].index("Unsure")
    rows[2][at] = "Unsure"  # 101 already answered Yes
    error = _error(write_rows(tmp_path / "two.csv", rows), instrument)
    assert "fills two options of the single-choice question 'ta_receiving'" in error.message
    assert error.row == 3 and "Unsure" in error.column


def test_headers_of_another_questionnaire_name_the_misfits_and_suggest_draft(tmp_path):
    rows = read_rows(LAYOUTS / "condensed.csv")
    rows[0][9] = "How many staff do you have?"
    rows[0][10] = "What is your favourite colour?"
    rows[0][15] = "Which <strong>days</strong> are you open?"
    path = write_rows(tmp_path / "other.csv", rows)
    out = tmp_path / "findings.json"
    result = run_hrta("analyze", path, "--no-themes", "--json", out)
    assert result.returncode == 2
    said = " ".join(result.stderr.split())
    assert "row 1" in said and "column J" in said
    assert "3 questions of row 1 do not fit it" in said
    assert "J ('How many staff do you have?')" in said and "P ('Which days are you open?')" \
        in said
    assert "hrta instrument draft" in said and "hrta instrument match" in said
    assert not out.exists()


def test_a_file_that_is_not_a_survey_export(instrument, tmp_path):
    path = tmp_path / "budget.csv"
    path.write_text("Item,Cost\nNaloxone,120\n", encoding="utf-8")
    error = _error(path, instrument)
    assert "this is not a survey export" in error.message
    zipped = tmp_path / "photos.zip"
    import zipfile
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8")
    error = _error(zipped, instrument)
    assert "no CSV or XLSX survey file" in error.message and error.file == str(zipped)


def test_an_error_inside_a_zip_names_the_zip_and_its_file(instrument, tmp_path):
    import zipfile

    rows = read_rows(LAYOUTS / "condensed.csv")
    rows[5][17] = "Kind of"
    inner = write_rows(tmp_path / "Survey.csv", rows)
    zipped = tmp_path / "Data_All_240802.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(inner, "CSV/Survey.csv")
    error = _error(zipped, instrument)
    assert error.file == f"{zipped}: CSV/Survey.csv"
    assert (error.row, error.column[:1]) == (6, "R")
