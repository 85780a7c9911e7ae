"""Errors about the user's input, phrased for the user: which file, row and column."""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Phrase:
    """A part of a message put together from pieces ("'A', 'B' and 3 more"): an English
    template and its params, so the words joining the pieces are translated too. A
    message's params may hold one; written with `%(name)s` it reads as its English."""

    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    def translated(self, translate: Callable[[str], str] = _same) -> str:
        return _filled(self.template, self.params, translate)

    def __str__(self) -> str:
        return self.translated()


def listing(items: Sequence[str], more: int = 0, *, last: bool = False) -> Phrase | str:
    """The items with commas, then "and N more" when `more` were left unnamed; with
    `last`, "A, B and C" (the last item after "and")."""
    if more > 0:
        return Phrase("%(items)s and %(more)s more", {"items": ", ".join(items), "more": more})
    if last and len(items) > 1:
        return Phrase("%(items)s and %(last)s", {"items": ", ".join(items[:-1]),
                                                  "last": items[-1]})
    return ", ".join(items)


def _filled(template: str, params: Mapping[str, object],
            translate: Callable[[str], str]) -> str:
    """The template looked up, then filled (a Phrase param in the same language); the
    English where the catalog lacks it or its translation has other placeholders."""
    if not params:
        return translate(template) if template else template
    values = {key: value.translated(translate) if isinstance(value, Phrase) else value
              for key, value in params.items()}
    try:
        return translate(template) % values
    except (KeyError, TypeError, ValueError):  # a translation with other placeholders
        return template % values


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
        return _filled(self.template, self.params, translate)

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


@dataclass(frozen=True)
class Notice:
    """What a reader had to assume or leave out (a file read as Windows-1252, unfinished
    responses kept), to tell the user; the import goes on.

    As InputError's message, an English template filled from `params`, so the web shows it
    in the reader's language (`text(gettext)`) and the command line prints the English.
    `file` is the file it is about: written where the template says `%(file)s`, else
    before the message ("export.csv: ..."); None where the notice does not name it.
    """

    template: str
    params: Mapping[str, object] = field(default_factory=dict)
    file: str | None = None

    def translated(self, translate: Callable[[str], str] = _same) -> str:
        """The message alone, in the language of `translate`."""
        params = dict(self.params)
        if "%(file)s" in self.template:
            params["file"] = self.file
        return _filled(self.template, params, translate)

    def text(self, translate: Callable[[str], str] = _same) -> str:
        """The notice naming its file, in the language of `translate`."""
        message = self.translated(translate)
        if self.file is None or "%(file)s" in self.template:
            return message
        return f"{self.file}: {message}"

    def about(self, file: str) -> Notice:
        """The notice naming `file` where it named none (for a page that lists notices of
        several files)."""
        return self if self.file is not None else Notice(self.template, self.params, file)

    def renamed(self, old: str, new: str) -> Notice:
        """The same notice writing the path `old` as `new` (a temporary copy's path as the
        person who gave the file knows it)."""
        params = {key: value.replace(old, new) if isinstance(value, str) else value
                  for key, value in self.params.items()}
        file = self.file.replace(old, new) if self.file is not None else None
        return Notice(self.template, params, file)

    def __str__(self) -> str:
        return self.text()


@cache
def catalog(language: str | None) -> Callable[[str], str]:
    """The gettext of the shared messages' catalog (hrta/locale) in `language` ('es',
    'es-US'): what a report or a command writes in that language outside the web, from the
    same catalog the web pages read. English, or a language with no catalog: the template."""
    code = (language or "en").replace("_", "-").split("-")[0].lower()
    if code == "en":
        return _same
    folder = resources.files("hrta") / "locale"
    found = gettext.translation("django", localedir=str(folder), languages=[code],
                                fallback=True)
    return found.gettext
