"""Bad input gets a clear error naming file, row and column, and exit status 2 from the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrta.errors import InputError
from hrta.ingest import load_responses
from tests.conftest import read_rows, run_hrta, write_rows


def _error(path: Path, instrument) -> InputError:
    with pytest.raises(InputError) as caught:
        load_responses(path, instrument)
    assert caught.value.file == str(path)
    return caught.value


def test_unknown_question_text(small_export, instrument, tmp_path):
    rows = read_rows(small_export)
    rows[0][13] = "How do you feel about Mondays?"
    error = _error(write_rows(tmp_path / "q.csv", rows), instrument)
    assert "unknown question 'How do you feel about Mondays?'" in error.message
    assert (error.row, error.column[:1]) == (1, "N")


def test_unknown_option_label_in_a_cell(small_export, instrument, tmp_path):
    rows = read_rows(small_export)
    rows[4][13] = "Kind of"
    error = _error(write_rows(tmp_path / "o.csv", rows), instrument)
    assert "unknown option label 'Kind of'" in error.message
    assert "Strongly agree" in error.message
    assert (error.row, error.column[:1]) == (5, "N")


def test_unknown_label_in_the_second_header_row(small_export, instrument, tmp_path):
    rows = read_rows(small_export)
    rows[1][11] = "Teleportation"
    error = _error(write_rows(tmp_path / "h.csv", rows), instrument)
    assert "unknown label 'Teleportation'" in error.message
    assert (error.row, error.column[:1]) == (2, "L")


def test_wrong_value_in_a_multi_choice_column(small_export, instrument, tmp_path):
    rows = read_rows(small_export)
    rows[2][10] = "7"  # a numeric export may write 1 or the option's number (1), not 7
    error = _error(write_rows(tmp_path / "m.csv", rows), instrument)
    assert "unexpected value '7'" in error.message
    assert (error.row, error.column[:1]) == (3, "K")


def test_missing_second_header_row(small_export, instrument, tmp_path):
    rows = read_rows(small_export)
    del rows[1]
    error = _error(write_rows(tmp_path / "two.csv", rows), instrument)
    assert "second header row is missing" in error.message
    assert (error.row, error.column[:1]) == (2, "A")


def test_duplicate_respondent_ids(small_export, instrument, tmp_path):
    rows = read_rows(small_export)
    rows[5][0] = "1001"
    error = _error(write_rows(tmp_path / "dup.csv", rows), instrument)
    assert "'1001' appears more than once (first at row 3)" in error.message
    assert (error.row, error.column[:1]) == (6, "A")


@pytest.mark.parametrize("change", ["short", "long"])
def test_raggedread_rows(small_export, instrument, tmp_path, change):
    rows = read_rows(small_export)
    if change == "short":
        rows[3] = rows[3][:-2]
    else:
        rows[3].append("surprise")
    error = _error(write_rows(tmp_path / "ragged.csv", rows), instrument)
    assert f"cells but the header has {len(read_rows(small_export)[0])}" in error.message
    assert error.row == 4


def test_empty_file(instrument, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert "empty" in _error(path, instrument).message


def test_binary_file(instrument, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "binary" in _error(path, instrument).message


def test_utf16_file_is_refused_with_advice(small_export, instrument, tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_bytes(small_export.read_text(encoding="utf-8").encode("utf-16"))
    assert "UTF-16" in _error(path, instrument).message


def test_undecodable_bytes_name_their_row(small_export, instrument, tmp_path):
    data = small_export.read_bytes().replace(b"Funding is short", b"Funding \x81 short")
    path = tmp_path / "bad-bytes.csv"
    path.write_bytes(data)
    error = _error(path, instrument)
    assert "UTF-8 but holds an invalid byte 0x81" in error.message
    assert error.row == 3


def test_damaged_xlsx(instrument, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"not really a zip" * 10)
    assert "XLSX" in _error(path, instrument).message


def test_not_an_export_at_all(instrument, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("name,score\nann,3\n", encoding="utf-8")
    error = _error(path, instrument)
    assert "cannot tell the format" in error.message


def test_cli_error_exit_code_and_nothing_written(small_export, tmp_path):
    rows = read_rows(small_export)
    rows[4][13] = "Kind of"
    bad = write_rows(tmp_path / "bad.csv", rows)
    out = tmp_path / "findings.json"
    result = run_hrta("analyze", bad, "--json", out)
    assert result.returncode == 2
    assert f"{bad}, row 5, column N" in result.stderr
    assert "Kind of" in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]

    out.write_text("previous findings", encoding="utf-8")
    assert run_hrta("report", bad, "-o", tmp_path / "r.html").returncode == 2
    assert run_hrta("analyze", bad, "--json", out).returncode == 2
    assert out.read_text(encoding="utf-8") == "previous findings"
    assert not (tmp_path / "r.html").exists()


def test_cli_missing_file(tmp_path):
    result = run_hrta("analyze", tmp_path / "nope.csv", "--json", tmp_path / "f.json")
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_blank_rows_are_skipped_and_rows_keep_their_numbers(small_export, instrument,
                                                           tmp_path):
    rows = read_rows(small_export)
    rows.insert(3, [""] * len(rows[0]))
    rows.append([""] * len(rows[0]))
    rows[5][13] = "Kind of"  # the row of respondent 1003, now file row 6
    path = write_rows(tmp_path / "blank.csv", rows)
    error = _error(path, instrument)
    assert error.row == 6
    rows[5][13] = "somewhat agree"
    responses = load_responses(write_rows(tmp_path / "blank-ok.csv", rows), instrument)
    assert responses.total == 5


def _markup_folder(tmp_path: Path) -> Path:
    """A folder whose path reads "a[/b]": Rich markup that fails if printed as markup."""
    folder = tmp_path / "a[" / "b]"
    folder.mkdir(parents=True)
    return folder


def test_markup_in_a_cell_and_a_path_is_printed_as_it_is(small_export, tmp_path):
    rows = read_rows(small_export)
    rows[4][13] = "[/] [bold]Kind of[/bold]"
    folder = _markup_folder(tmp_path)
    bad = write_rows(folder / "bad [b].csv", rows)
    result = run_hrta("analyze", bad, "--no-themes", "--json", folder / "out.json")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    said = " ".join(result.stderr.split())
    assert f"error: {bad}, row 5" in said
    assert "'[/] [bold]Kind of[/bold]'" in said


def test_markup_in_an_output_path_is_printed_as_it_is(small_export, tmp_path):
    out = _markup_folder(tmp_path) / "findings.json"
    result = run_hrta("analyze", small_export, "--no-themes", "--json", out)
    assert result.returncode == 0, result.stderr
    assert f"Findings: {out}" in " ".join(result.stdout.split())


def test_markup_in_an_instrument_is_shown_as_it_is(tmp_path):
    from hrta.instrument import loader

    bundled = Path(loader.__file__).parent / "assessments" / "harm_reduction_ta_2022.yaml"
    text = bundled.read_text(encoding="utf-8")
    assert "label: Peer support services" in text
    mine = tmp_path / "mine.yaml"
    mine.write_text(text.replace("label: Peer support services",
                                 'label: "Peer [/] support [bold]services[/bold]"'),
                    encoding="utf-8")
    result = run_hrta("instrument", "show", "--instrument", mine)
    assert result.returncode == 0, result.stderr
    assert "Peer [/] support [bold]services[/bold]" in result.stdout
