"""The CLI's progress display: one transient line per step of long work, on stderr."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

_err = Console(stderr=True)


@contextmanager
def steps() -> Iterator[Progress]:
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                        console=_err, transient=True)
    with progress:
        yield progress


def step(progress: Progress, description: str) -> None:
    """Show `description` as the current step, hiding the previous one."""
    for task in progress.tasks:
        progress.update(task.id, visible=False)
    progress.add_task(description, total=None)
