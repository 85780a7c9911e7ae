"""Cells a spreadsheet would run as a formula are neutralised, whatever comes first."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hrta.formulas import is_formula, neutralise, neutralise_frame, unneutralise

# Each sign spreadsheets start a formula with, ASCII, full-width and small forms.
SIGNS = ["=", "+", "-", "@", "＝", "＋", "－", "＠", "﹦", "﹢", "﹣", "﹫"]
# What may come before it and still be skipped by a spreadsheet.
LEADS = ["", " ", "  ", "\n", "\r\n", "\t", " \n ", "\u3000", "\u00a0", "\ufeff", "\u200b"]
HOSTILE = [lead + sign + 'HYPERLINK("http://example.com/steal","click")'
           for lead in LEADS for sign in SIGNS]
# A tab, carriage return or line feed at the start is itself how a formula can begin.
HOSTILE += ["\tx", "\rx", "\nx", "\r\n"]
SAFE = ["", "plain text", "a=1", "x + y", "email@example.org", "'=already quoted", "1-2",
        "Strongly agree", "（＝）", "x\n=1"]


@pytest.mark.parametrize("cell", HOSTILE, ids=repr)
def test_each_hostile_prefix_is_neutralised(cell):
    assert is_formula(cell)
    assert neutralise(cell) == "'" + cell
    assert unneutralise(neutralise(cell)) == cell


@pytest.mark.parametrize("cell", SAFE, ids=repr)
def test_ordinary_text_is_left_alone(cell):
    assert not is_formula(cell)
    assert neutralise(cell) == cell


def test_none_stays_none():
    assert neutralise(None) is None


def test_a_frame_is_neutralised_cell_by_cell():
    frame = pl.DataFrame({"text": [*HOSTILE, *SAFE, None], "number": range(len(HOSTILE)
                                                                            + len(SAFE) + 1)})
    done = neutralise_frame(frame)
    assert done["text"].to_list() == [neutralise(c) for c in frame["text"].to_list()]
    assert done["number"].equals(frame["number"])


@settings(max_examples=300, derandomize=True, database=None)
@given(st.lists(st.text(alphabet=st.sampled_from([*SIGNS, *"\t\r\n x'a1", "\u3000", "\u00a0",
                                                  "\u2028", "\x1c", "\ufeff"]), max_size=6)
                | st.text(max_size=6), max_size=20))
def test_python_and_polars_agree(cells):
    # The one pattern serves single cells and whole columns: they never disagree.
    frame = neutralise_frame(pl.DataFrame({"text": cells}, schema={"text": pl.String}))
    assert frame["text"].to_list() == [neutralise(cell) for cell in cells]
