"""Checks the command line shares with the web (import errors from hrta.ingest, what a
reader noticed while importing, the TA catalog's checks), shown in the page's language.

An InputError (and a reader's Notice) keeps its English message as a template and what it
names apart (`params`, file, row, column); the page looks the template up in the catalog
src/hrta/locale/<lang>/LC_MESSAGES/django.po (in LOCALE_PATHS) and fills it. The command
line prints the English.
"""

from __future__ import annotations

from django.utils.translation import gettext

from hrta.errors import InputError, Notice


def message(error: InputError) -> str:
    """The message alone, for pages that show the file, row and column on lines of their
    own."""
    return error.translated(gettext)


def text(error: InputError) -> str:
    """Where and what in one line: "export.csv, fila 3, columna C (Q1): …"."""
    return error.text(gettext)


def notice(found: Notice) -> str:
    """What a reader noticed, naming its file: "export.csv: se conservaron …"."""
    return found.text(gettext)
