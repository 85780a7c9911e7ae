"""What a command prints to a pipe or a file without loading Rich is what Rich would print.

hrta.commandline writes short plain lines itself when its stream is no terminal; every
other line (long ones that Rich wraps, emoji codes that Rich replaces, non-ASCII, tabs)
still goes through Rich. Each case here is printed both ways and compared.
"""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.text import Text

from hrta import commandline

MESSAGES = [
    "Findings: /tmp/findings.json",
    "161 responses: 151 eligible, 10 excluded as ineligible",
    "x" * 79,
    "x" * 80,
    "a long line of words " * 8,
    "the :thumbs_up: code and :smile:",
    "a path with a colon:in:it",
    "café in Montréal",
    "a\ttab",
    "two\nlines",
    "  indented",
    "[bold]not markup[/]",
]


@pytest.fixture(autouse=True)
def _fresh_consoles():
    # A command's consoles are made once per process and read COLUMNS then; each case
    # here sets its own environment, as a fresh process would meet it.
    commandline._console.cache_clear()
    yield
    commandline._console.cache_clear()


def rich_output(message: str, *, label: tuple[str, str] | None, soft_wrap: bool) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, markup=False)
    if label is None:
        console.print(message, highlight=False, soft_wrap=soft_wrap)
    else:
        console.print(Text.assemble(label, " ", message), highlight=False, soft_wrap=soft_wrap)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch):
    for key in (*commandline._RICH_SETTINGS, "COLUMNS"):
        monkeypatch.delenv(key, raising=False)


@pytest.mark.parametrize("message", MESSAGES)
def test_say_and_note_print_what_rich_prints(message, capsys):
    commandline.say(message)
    commandline.note(message)
    captured = capsys.readouterr()
    assert captured.out == rich_output(message, label=None, soft_wrap=False)
    assert captured.err == rich_output(message, label=None, soft_wrap=False)


@pytest.mark.parametrize("message", MESSAGES)
def test_warnings_and_errors_print_what_rich_prints(message, capsys):
    commandline.warn(message)
    with pytest.raises(commandline.typer.Exit):
        commandline.fail(commandline.InputError(message))
    err = capsys.readouterr().err
    assert err == (rich_output(message, label=("warning:", "yellow"), soft_wrap=True)
                   + rich_output(message, label=("error:", "bold red"), soft_wrap=True))


def test_a_narrow_columns_setting_is_the_width(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "30")
    message = "Findings: /a/folder/with/a/long/name/findings.json"
    commandline.say(message)
    assert capsys.readouterr().out == rich_output(message, label=None, soft_wrap=False)
    assert not commandline._plain(io.StringIO(), message, wraps=True, emoji=True)


def test_plain_lines_are_written_without_rich_where_rich_would_not_change_them():
    stream = io.StringIO()
    assert commandline._plain(stream, "Findings: /tmp/findings.json", wraps=True, emoji=True)
    assert not commandline._plain(stream, "the :smile: code", wraps=True, emoji=True)
    assert not commandline._plain(stream, "x" * 200, wraps=True, emoji=True)
    assert commandline._plain(stream, "x" * 200, wraps=False, emoji=True)


def test_a_terminal_or_forced_colour_goes_through_rich(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert not commandline._plain(Terminal(), "short", wraps=True, emoji=True)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not commandline._plain(io.StringIO(), "short", wraps=True, emoji=True)
