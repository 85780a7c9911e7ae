"""Cells a spreadsheet would run as a formula, and how every download keeps them text.

Excel, LibreOffice and Google Sheets read a cell as a formula when it starts with = + - or
@ (or their full-width and small forms, ＝ ＋ － ＠ ﹦ ﹢ ﹣ ﹫), also after leading spaces
or line breaks, and treat a leading tab, carriage return or line feed as the start of one.
Such a cell is written with a leading apostrophe, which spreadsheets show as text and hide.
One pattern serves single cells (Python) and whole columns (Polars), so both agree.
"""

from __future__ import annotations

import re

import polars as pl

# Spreadsheets skip these before looking at the first character: white space, line and
# paragraph separators, zero-width space and the byte-order mark.
_LEADING = (" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000-\u200b\u2028\u2029\u202f"
            "\u205f\u3000\ufeff")
_SIGNS = "=+\\-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b"
PATTERN = f"^(?:[{_LEADING}]*[{_SIGNS}]|[\t\r\n])"
_FORMULA = re.compile(PATTERN)


def is_formula(text: str) -> bool:
    """Would a spreadsheet run this cell?"""
    return _FORMULA.match(text) is not None


def neutralise(cell: str | None) -> str | None:
    """A cell as text a spreadsheet will not run."""
    if cell and is_formula(cell):
        return "'" + cell
    return cell


def unneutralise(cell: str) -> str:
    """The cell as it was before `neutralise`, for files hrta reads back."""
    return cell[1:] if cell.startswith("'") and is_formula(cell[1:]) else cell


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column of a frame, neutralised as `neutralise` does one cell."""
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(PATTERN)).then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name)).alias(name)
        for name in frame.columns if frame[name].dtype == pl.String)
