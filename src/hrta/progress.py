"""The CLI's progress display and its messages: one transient line per step, on stderr.

Nothing here reads Rich markup: file names, labels and cells may hold "[" and "]", which
Rich would take for tags (and fail on, as "[/]" does). Styles are given as styles.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from hrta.errors import InputError

_err = Console(stderr=True, markup=False)


@contextmanager
def steps() -> Iterator[Progress]:
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False),
                        TimeElapsedColumn(), console=_err, transient=True)
    with progress:
        yield progress


def step(progress: Progress, description: str) -> None:
    """Show `description` as the current step, hiding the previous one."""
    for task in progress.tasks:
        progress.update(task.id, visible=False)
    progress.add_task(description, total=None)


def fail(exc: InputError) -> NoReturn:
    """Print a bad-input error as text, then leave with its status (2)."""
    _err.print(Text.assemble(("error:", "bold red"), " ", str(exc)), highlight=False,
               soft_wrap=True)
    raise typer.Exit(exc.exit_code)


def warn(message: str) -> None:
    _err.print(Text.assemble(("warning:", "yellow"), " ", message), highlight=False,
               soft_wrap=True)
