"""What every `hrta` command shares: its consoles, progress display, error exit and options.

The command modules (`hrta.cli`, the `hrta.commands` modules, the
web app's commands) take these from here, so an option reads and behaves the same in every
command and a bad input always leaves the same way: `error: …` on stderr, exit status 2.

Nothing here reads Rich markup: file names, labels and cells may hold "[" and "]", which
Rich would take for tags (and fail on, as "[/]" does). Styles are given as styles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeAlias

import typer
from rich.console import Console
from rich.text import Text

from hrta.errors import InputError

if TYPE_CHECKING:
    from rich.progress import Progress

    Steps: TypeAlias = Progress | None
    """A command's progress display; None where stderr is no terminal, which shows none."""

out = Console(markup=False)
err = Console(stderr=True, markup=False)

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
    if not err.is_terminal:
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
                        *bar, TimeElapsedColumn(), console=err, transient=True)
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
    err.print(Text.assemble(("error:", "bold red"), " ", str(exc)), highlight=False,
              soft_wrap=True)
    raise typer.Exit(exc.exit_code)


@contextmanager
def failing_on_bad_input() -> Iterator[None]:
    """Turn an InputError raised inside into `fail`: the message, then exit status 2."""
    try:
        yield
    except InputError as exc:
        fail(exc)


def warn(message: str) -> None:
    err.print(Text.assemble(("warning:", "yellow"), " ", message), highlight=False,
              soft_wrap=True)


def say(message: str) -> None:
    """A line for the user on stdout, printed as it is."""
    out.print(message, highlight=False)


def note(message: str) -> None:
    """A line about the work done, on stderr (stdout may be the data)."""
    err.print(message, highlight=False)
