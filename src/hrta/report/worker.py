"""A second process that writes some formats of a report while this one writes the others.

WeasyPrint and python-docx are pure Python: in one process they take turns on one core.
The document goes to the child as a pickle in a temporary file (it is our own, trusted
data); the child is a fresh interpreter (`python -m hrta.report.worker`), so nothing of
the caller's main module or threads is inherited.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from hrta.report import charts
from hrta.report.document import Document
from hrta.report.formats import write_document


@contextmanager
def write_apart(document: Document, targets: Sequence[Path]) -> Iterator[Callable[[], None]]:
    """Start writing `targets` in a child process; the context gives a function that waits
    for it and raises if it failed. With no targets nothing is started."""
    if not targets:
        yield lambda: None
        return
    # The charts are drawn here first and sent along: drawing is most of a chart's cost,
    # and this process needs them too (HTML and PDF), so they are drawn once for both.
    drawn = charts.draw_all([f.chart.spec for f in document.figures() if f.chart])
    with tempfile.TemporaryDirectory(prefix="hrta-report-") as folder:
        job = Path(folder) / "document.pickle"
        job.write_bytes(pickle.dumps((document, [str(t) for t in targets], drawn)))
        child = subprocess.Popen([sys.executable, "-m", "hrta.report.worker", str(job)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

        def wait() -> None:
            _, errors = child.communicate()
            if child.returncode != 0:
                raise RuntimeError(f"writing {', '.join(map(str, targets))} failed:\n"
                                   f"{errors.decode('utf-8', 'replace')}")

        try:
            yield wait
        finally:
            if child.poll() is None:
                child.communicate()  # never leave the child running or its file half-read


def main(job: str) -> None:
    # Trusted: the parent wrote this file a moment ago in a private temporary folder.
    document, targets, drawn = pickle.loads(Path(job).read_bytes())
    charts.remember(drawn)
    for target in targets:
        write_document(document, Path(target))


if __name__ == "__main__":
    main(sys.argv[1])
