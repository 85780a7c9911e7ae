"""The CSV reader's check that every row has as many cells as the header.

Files up to `EXACT_CHECK_BYTES` are checked before they are parsed. The cells are first
counted over the bytes at once; that count must agree with Python's CSV reader on every
file, whatever its quoting, line endings or blank lines, and wherever the pieces it is
counted in are cut.
"""

from __future__ import annotations

import csv
import io

import pytest

from hrta.errors import InputError
from hrta.ingest.tables import _widths_agree, read_table

CASES = {
    "plain": "a,b,c\n1,2,3\n4,5,6\n",
    "crlf": "a,b,c\r\n1,2,3\r\n4,5,6\r\n",
    "no final newline": "a,b,c\n1,2,3\n4,5,6",
    "blank lines": "a,b,c\n\n1,2,3\r\n\r\n4,5,6\n\n",
    "quoted commas": 'a,b,c\n"1,5",2,"3,4,5"\n4,"5",6\n',
    "quoted line ends": 'a,b,c\n"one\nline, two",2,"x\r\ny"\n4,5,6\n',
    "escaped quotes": 'a,b,c\n"say ""hi, there""",2,""""\n4,5,6\n',
    "empty cells": "a,b,c\n,,\n,,3\n",
    "a quoted empty line": 'a\n""\nx\n',
    "bom": "\ufeffa,b,c\n1,2,3\n",
    "short row": "a,b,c\n1,2,3\n4,5\n",
    "long row": "a,b,c\n1,2,3,4\n4,5,6\n",
    "long last row without newline": "a,b,c\n1,2,3\n4,5,6,7",
    "short quoted row": 'a,b,c\n"1,2",3\n',
    "comma in quotes hides a short row": 'a,b,c\n"1,2,3"\n',
    "unbalanced quote": 'a,b,c\n"1,2,3\n4,5,6\n',
    "spaces only": "a\n \n",
}


def _reader_agrees(text: str) -> bool:
    rows = [row for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"))) if row]
    return all(len(row) == len(rows[0]) for row in rows)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("piece_bytes", [1, 2, 3, 5, 8, 1 << 20])
def test_counting_bytes_agrees_with_the_csv_reader(name, piece_bytes):
    text = CASES[name]
    width = len(next(csv.reader(io.StringIO(text.removeprefix("\ufeff")))))
    raw = text.encode("utf-8")
    if name == "unbalanced quote":
        # Quotes that do not pair leave doubt: the row-by-row reader decides.
        assert _widths_agree(raw, width, piece_bytes=piece_bytes) is False
        return
    assert _widths_agree(raw, width, piece_bytes=piece_bytes) is _reader_agrees(text)


def test_a_lone_carriage_return_is_left_to_the_row_by_row_reader():
    assert _widths_agree(b"a,b\r1,2\r", 2) is False


@pytest.mark.parametrize(("text", "row"), [
    ('a,b,c\n"x\ny",2,3\n"1,2",3\n', 3),   # the short row comes after a two-line cell
    ("a,b,c\r\n\r\n1,2,3\r\n4,5,6,7\r\n", 4),
])
def test_a_ragged_row_is_still_named_by_its_row(tmp_path, text, row):
    path = tmp_path / "ragged.csv"
    path.write_bytes(text.encode("utf-8"))
    with pytest.raises(InputError) as caught:
        read_table(path, header_rows=1)
    assert caught.value.row == row


def test_a_file_of_quoted_line_ends_and_commas_reads_whole(tmp_path):
    path = tmp_path / "quoted.csv"
    path.write_bytes(CASES["quoted line ends"].encode("utf-8"))
    table = read_table(path, header_rows=1)
    assert table.data.shape == (2, 3)
    assert table.data["c0"].to_list() == ["one\nline, two", "4"]
