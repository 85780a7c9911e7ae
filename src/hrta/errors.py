"""Errors about the user's input, phrased for the user: which file, row and column."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: a malformed export, an unknown label, a wrong encoding.

    The CLI prints it and exits with status 2; nothing is written.
    `row` is the 1-based line of the file as a spreadsheet shows it; `column` is the
    spreadsheet letter followed by the header text where there is one.
    """

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.column = column

    def __str__(self) -> str:
        where = [part for part in (
            self.file,
            f"row {self.row}" if self.row is not None else None,
            f"column {self.column}" if self.column is not None else None,
        ) if part]
        return f"{', '.join(where)}: {self.message}" if where else self.message
