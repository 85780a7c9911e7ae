"""The fast path for large files (over the exact-check size), exercised on small files."""

from __future__ import annotations

import pytest

from hrta.errors import InputError
from hrta.ingest import load_responses, tables
from tests.conftest import read_rows, write_rows


@pytest.fixture
def fast_path(monkeypatch):
    """Treat every file as large, so that the fast reader alone checks it."""
    monkeypatch.setattr(tables, "EXACT_CHECK_BYTES", 0)






def test_fast_path_reads_the_same_answers(small_export, instrument, fast_path):
    exact = load_responses(small_export, instrument)
    tables.EXACT_CHECK_BYTES = 10**12
    fast = load_responses(small_export, instrument)
    assert fast.answers.equals(exact.answers)


def test_fast_path_windows_1252(small_export, instrument, tmp_path, fast_path):
    cp1252 = write_rows(tmp_path / "cp1252.csv", read_rows(small_export), encoding="cp1252")
    funding = load_responses(cp1252, instrument).answers
    assert "dont_know" in funding["option_id"].cast(str).to_list()


def test_fast_path_refuses_a_row_with_extra_cells(small_export, instrument, tmp_path,
                                                   fast_path):
    rows = read_rows(small_export)
    rows[4].append("surprise")
    with pytest.raises(InputError) as caught:
        load_responses(write_rows(tmp_path / "long.csv", rows), instrument)
    assert caught.value.row == 5
    assert "more cells" in caught.value.message
