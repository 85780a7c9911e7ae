"""Errors about the user's input, phrased for the user: which file, row and column."""

from __future__ import annotations

from collections.abc import Callable, Mapping


def _same(text: str) -> str:
    return text


class InputError(Exception):
    """Bad input: a malformed export, an unknown label, a wrong encoding.

    The CLI prints it and exits with status 2; nothing is written.
    `row` is the 1-based line of the file as a spreadsheet shows it; `column` is the
    spreadsheet letter followed by the header text where there is one.

    The message is English. Where it names things from the file, it is a template with
    `%(name)s` placeholders filled from `params`, so the web can show it in the reader's
    language: the template is the msgid of the catalog in src/hrta/locale (see `text`).
    """

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None,
                 params: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        self.template = message
        self.params: dict[str, object] = dict(params or {})
        self.file = file
        self.row = row
        self.column = column

    @property
    def message(self) -> str:
        return self.template % self.params if self.params else self.template

    @message.setter
    def message(self, text: str) -> None:
        # A message rewritten by hand is plain text: it has no template to translate.
        self.template, self.params = text, {}

    def renamed(self, old: str, new: str, *, file: str | None) -> InputError:
        """The same error about `file`, its message writing the path `old` as `new` (a
        temporary copy's path as the person who gave the file knows it), still
        translatable."""
        params = {key: value.replace(old, new) if isinstance(value, str) else value
                  for key, value in self.params.items()}
        template = self.template if self.params else self.template.replace(old, new)
        return InputError(template, file=file, row=self.row, column=self.column,
                          params=params)

    def translated(self, translate: Callable[[str], str] = _same) -> str:
        """The message in the language of `translate` (a gettext): the template looked up,
        then filled; the English where the catalog lacks it."""
        found = translate(self.template) if self.template else self.template
        try:
            return found % self.params if self.params else found
        except (KeyError, TypeError, ValueError):  # a translation with other placeholders
            return self.message

    def text(self, translate: Callable[[str], str] = _same) -> str:
        """Where, then what: "file, row 3, column C (Q1): message", in the language of
        `translate` (the words "row" and "column" too; the file and column stay as given)."""
        where = [part for part in (
            self.file,
            translate("row %(row)s") % {"row": self.row} if self.row is not None else None,
            translate("column %(column)s") % {"column": self.column}
            if self.column is not None else None,
        ) if part]
        message = self.translated(translate)
        return f"{', '.join(where)}: {message}" if where else message

    def __str__(self) -> str:
        return self.text()
