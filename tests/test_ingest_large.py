"""The reader for large files, on a wave of thousands of rows.

Files over `tables.EXACT_CHECK_BYTES` (128 MiB) skip the row-by-row check and go to the
fast reader alone. Writing such a file would take minutes, so each test lowers the
threshold below its file's size (`large=True`), or raises it above (`large=False`, the
exact reader), and reads the same file both ways.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from hrta.demo.generator import synthetic_responses
from hrta.errors import InputError
from hrta.exports import write_surveymonkey_csv
from hrta.ingest import load_responses, tables
from hrta.responses import ResponseSet

ROWS = 3000


@pytest.fixture(scope="module")
def wave_rows(tmp_path_factory, instrument) -> list[list[str]]:
    path = tmp_path_factory.mktemp("large") / "wave.csv"
    write_surveymonkey_csv(path, synthetic_responses(instrument, ROWS, seed=11))
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _write(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _read(path: Path, instrument, monkeypatch, *, large: bool) -> ResponseSet:
    size = path.stat().st_size
    monkeypatch.setattr(tables, "EXACT_CHECK_BYTES", size - 1 if large else size)
    return load_responses(path, instrument)


def test_the_large_reader_reads_the_same_wave(wave_rows, instrument, tmp_path, monkeypatch):
    path = _write(tmp_path / "wave.csv", wave_rows)
    assert path.stat().st_size > 1_000_000
    exact = _read(path, instrument, monkeypatch, large=False)
    large = _read(path, instrument, monkeypatch, large=True)
    assert exact.total == large.total == ROWS
    assert large.answers.equals(exact.answers)
    assert large.respondents.equals(exact.respondents)
    assert large.contacts.equals(exact.contacts)


def test_it_is_the_large_reader_that_runs(wave_rows, instrument, tmp_path, monkeypatch):
    """A row cut short far down: the exact reader refuses it, the large one reads its
    missing cells as empty, as docs/importing.md says."""
    rows = [list(row) for row in wave_rows]
    rows[2500] = rows[2500][:-3]
    path = _write(tmp_path / "short.csv", rows)
    with pytest.raises(InputError) as caught:
        _read(path, instrument, monkeypatch, large=False)
    assert caught.value.row == 2501
    assert _read(path, instrument, monkeypatch, large=True).total == ROWS


def test_windows_1252(wave_rows, instrument, tmp_path, monkeypatch):
    rows = [list(row) for row in wave_rows]
    challenges = rows[0].index(next(h for h in rows[0] if h.startswith("What have been")))
    rows[2900][challenges] = "Café staff – naïve about harm reduction"
    path = _write(tmp_path / "cp1252.csv", rows, encoding="cp1252")
    exact = _read(path, instrument, monkeypatch, large=False)
    large = _read(path, instrument, monkeypatch, large=True)
    assert large.texts.equals(exact.texts)
    assert "Café staff – naïve about harm reduction" in large.texts["value"].to_list()


def test_a_row_with_extra_cells_far_down(wave_rows, instrument, tmp_path, monkeypatch):
    rows = [list(row) for row in wave_rows]
    rows[2700].append("surprise")
    path = _write(tmp_path / "long.csv", rows)
    with pytest.raises(InputError) as caught:
        _read(path, instrument, monkeypatch, large=True)
    assert caught.value.row == 2701
    assert "more cells" in caught.value.message


def test_an_unknown_label_far_down_names_its_row(wave_rows, instrument, tmp_path,
                                                 monkeypatch):
    rows = [list(row) for row in wave_rows]
    column = rows[0].index("Which best describes your organization?")
    rows[2800][column] = "Spaceship operator"
    path = _write(tmp_path / "label.csv", rows)
    for large in (False, True):
        with pytest.raises(InputError) as caught:
            _read(path, instrument, monkeypatch, large=large)
        error = caught.value
        assert (error.row, error.column.split()[0]) == (2801, tables.column_letter(column))
        assert "Spaceship operator" in error.message


def test_blank_lines_keep_row_numbers(wave_rows, instrument, tmp_path, monkeypatch):
    rows = [list(row) for row in wave_rows]
    rows.insert(1000, [""] * len(rows[0]))
    column = rows[0].index("Which best describes your organization?")
    rows[2000][column] = "Spaceship operator"
    path = _write(tmp_path / "blank.csv", rows)
    with pytest.raises(InputError) as caught:
        _read(path, instrument, monkeypatch, large=True)
    assert caught.value.row == 2001
