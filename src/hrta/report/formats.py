"""The formats a report is written in, by the output file's extension.

Both the process that builds a report (render) and the second one that writes some of its
formats meanwhile (worker) write through here, so neither imports the other back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hrta.files import write_atomic
from hrta.report.document import Document

# Each writer imports its format's library when called: a report in one format never
# waits for another's (python-docx, WeasyPrint and Pango take seconds to load).


def _write_html(document: Document, path: Path) -> None:
    from hrta.report.html import render_html_document

    path.write_text(render_html_document(document), encoding="utf-8")


def write_pdf(document: Document, path: Path) -> None:
    from hrta.report.pdf import write_pdf as write

    write(document, path)


def write_docx(document: Document, path: Path) -> None:
    from hrta.report.docx import write_docx as write

    write(document, path)


WRITERS: dict[str, Callable[[Document, Path], None]] = {
    ".html": _write_html,
    ".htm": _write_html,
    ".pdf": write_pdf,
    ".docx": write_docx,
}


def write_document(document: Document, path: Path) -> None:
    """Write `path` whole or not at all, in the format its extension names."""
    writer = WRITERS[path.suffix.lower()]
    write_atomic(path, lambda tmp: writer(document, tmp))
