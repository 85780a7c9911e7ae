"""What every `hrta` command shares: its consoles, progress display, error exit and options.

The command modules (`hrta.cli`, the `hrta.commands` modules, the
web app's commands) take these from here, so an option reads and behaves the same in every
command and a bad input always leaves the same way: `error: …` on stderr, exit status 2.

Nothing here reads Rich markup: file names, labels and cells may hold "[" and "]", which
Rich would take for tags (and fail on, as "[/]" does). Styles are given as styles.

Rich is imported only when something needs it: a command whose output goes to a pipe or
a file writes its short plain lines itself, exactly as Rich would (`_plain`), so a plain
`hrta analyze` in a script does not wait for Rich to load.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TextIO, TypeAlias

import typer

from hrta.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    Steps: TypeAlias = Progress | None
    """A command's progress display; None where stderr is no terminal, which shows none."""

    out: Console
    err: Console


@cache
def _console(stderr: bool) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, markup=False)


def __getattr__(name: str) -> Any:
    # `out` (stdout) and `err` (stderr), the commands' Rich consoles, made on first use.
    if name in ("out", "err"):
        return _console(name == "err")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Environment settings under which Rich may style or size output itself.
_RICH_SETTINGS = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS")
# What Rich's print turns into an emoji (":smile:") in a plain string.
_EMOJI_CODE = re.compile(r":\S*?:")


def _styled(stream: TextIO) -> bool:
    """Whether Rich might style or size what it writes to `stream`: a terminal, or a
    setting that says to treat the stream as one (rich.console.Console.is_terminal)."""
    if sys.platform == "win32" or "IPython" in sys.modules or any(
            key in os.environ for key in _RICH_SETTINGS):
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return isatty is None or bool(isatty())
    except ValueError:  # a closed stream: let Rich say so
        return True


def _plain(stream: TextIO, text: str, *, wraps: bool, emoji: bool) -> bool:
    """Whether Rich would write `text` to `stream` as it is, plus a newline: an unstyled
    stream, and a line of printable ASCII that Rich would neither wrap (`wraps`: shorter
    than its width) nor read emoji codes in (`emoji`). Anything else goes through Rich."""
    if _styled(stream):
        return False
    if not (text and text.isascii() and text.isprintable() and text == text.strip()):
        return False
    if emoji and _EMOJI_CODE.search(text):
        return False
    return not wraps or len(text) < _rich_width()


def _rich_width() -> int:
    """The width Rich wraps at: COLUMNS, else the first standard stream's terminal width,
    else 80 (rich.console.Console.size)."""
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns)
    for descriptor in (0, 1, 2):
        try:
            return os.get_terminal_size(descriptor).columns or 80
        except (AttributeError, ValueError, OSError):
            continue
    return 80


def _print(stderr: bool, text: str, *, label: tuple[str, str] | None = None,
           soft_wrap: bool = False) -> None:
    """`text` on stdout or stderr, after a styled `label` ("error:") if given; through
    Rich unless `_plain` says Rich would write it unchanged."""
    stream = sys.stderr if stderr else sys.stdout
    line = f"{label[0]} {text}" if label else text
    if _plain(stream, line, wraps=not soft_wrap, emoji=label is None):
        stream.write(line + "\n")
        return
    if label is None:
        _console(stderr).print(text, highlight=False, soft_wrap=soft_wrap)
        return
    from rich.text import Text

    _console(stderr).print(Text.assemble(label, " ", text), highlight=False,
                           soft_wrap=soft_wrap)


# --- options more than one command takes ----------------------------------------------------
# Defaults stay in each signature (`= DEFAULT_INSTRUMENT`), where Typer reads them.

FileArgument = Annotated[Path, typer.Argument(help="The export or native file to read.")]
InstrumentOption = Annotated[str, typer.Option(
    "--instrument", help="A bundled instrument id or the path of an instrument YAML file.")]
FormatOption = Annotated[str, typer.Option(
    "--format", help="Input format: auto, surveymonkey (expanded CSV or XLSX), redcap "
    "(data export; --instrument imported from its Data Dictionary), kobo (KoboToolbox "
    "export; --instrument imported from its XLSForm), qualtrics (CSV or XLSX; --instrument "
    "imported from its .qsf), googleforms (responses CSV or XLSX; --instrument drafted from "
    "it) or native.")]
MappingOption = Annotated[Path | None, typer.Option(
    "--mapping", help="YAML file mapping reworded questions and labels to instrument ids.")]
MemberOption = Annotated[str | None, typer.Option(
    "--member", metavar="NAME", help="The survey to read from a zip that holds several, as "
    "SurveyMonkey's download of several surveys does: its file name, with or without the "
    "folder and extension (e.g. 'Staff Pulse Check').")]
SuppressOption = Annotated[int, typer.Option(
    "--suppress-below", min=1, help="Hide group counts below this.")]


# --- progress -------------------------------------------------------------------------------

Counted = Callable[[str, int], Callable[[int], None]]
"""Starts a step of `total` things (0: not counted); returns the callback that advances it."""


@contextmanager
def steps(*, counted: bool = False) -> Iterator[Steps]:
    """One transient line per step on stderr; `counted` adds a bar and "done of total".

    Only a terminal shows it: in a pipe or a file a transient display leaves nothing, so
    there it is not built, nor its modules imported.
    """
    if not _styled(sys.stderr) or not _console(True).is_terminal:
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    bar = (BarColumn(), MofNCompleteColumn()) if counted else ()
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False),
                        *bar, TimeElapsedColumn(), console=_console(True), transient=True)
    with progress:
        yield progress


def step(progress: Steps, description: str) -> None:
    """Show `description` as the current step, hiding the previous one."""
    counter(progress)(description, 0)


def counter(progress: Steps) -> Counted:
    """The callback domain code is given to report its own counted steps (coding answers)."""

    def start(description: str, total: int) -> Callable[[int], None]:
        if progress is None:
            return _uncounted
        for earlier in progress.tasks:
            progress.update(earlier.id, visible=False)
        task = progress.add_task(description, total=total or None)
        return lambda count: progress.advance(task, count)

    return start


def _uncounted(count: int) -> None:
    """Advances a step no display shows."""


# --- messages and exits ---------------------------------------------------------------------

def fail(exc: InputError) -> NoReturn:
    """Print a bad-input error as text, then leave with its status (2)."""
    _print(True, str(exc), label=("error:", "bold red"), soft_wrap=True)
    raise typer.Exit(exc.exit_code)


@contextmanager
def failing_on_bad_input() -> Iterator[None]:
    """Turn an InputError raised inside into `fail`: the message, then exit status 2."""
    try:
        yield
    except InputError as exc:
        fail(exc)


def warn(message: str) -> None:
    _print(True, message, label=("warning:", "yellow"), soft_wrap=True)


def say(message: str) -> None:
    """A line for the user on stdout, printed as it is."""
    _print(False, message)


def note(message: str) -> None:
    """A line about the work done, on stderr (stdout may be the data)."""
    _print(True, message)
