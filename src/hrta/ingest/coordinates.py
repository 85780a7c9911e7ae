"""Spreadsheet coordinates: the letters a person finds a column by.

Both the CSV and the XLSX readers name columns in their messages this way; it lives apart
so that neither reader imports the other for it.
"""

from __future__ import annotations


def column_letter(index: int) -> str:
    """Spreadsheet column name of a 0-based index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
