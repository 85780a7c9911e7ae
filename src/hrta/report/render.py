"""One report, three formats: the output file's extension picks HTML, PDF or Word."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from hrta.errors import InputError
from hrta.files import write_atomic
from hrta.report import charts
from hrta.report.document import Document
from hrta.report.docx import write_docx
from hrta.report.html import render_html_document
from hrta.report.layout import build_document
from hrta.report.pdf import write_pdf
from hrta.report.selectors import Findings
from hrta.report.worker import write_apart


def _write_html(document: Document, path: Path) -> None:
    path.write_text(render_html_document(document), encoding="utf-8")


WRITERS: dict[str, Callable[[Document, Path], None]] = {
    ".html": _write_html,
    ".htm": _write_html,
    ".pdf": write_pdf,
    ".docx": write_docx,
}


def render_report(findings: Findings, path: Path | str, *,
                  discussion: str | None = None) -> None:
    """Write the stakeholder analysis to `path` as HTML, PDF or DOCX, by its extension.

    `discussion` is the analyst's Markdown text (not a path). The file is written whole or
    not at all: a failure leaves any earlier report at `path` untouched.
    """
    render_reports(findings, [path], discussion=discussion)


def render_reports(findings: Findings, paths: Sequence[Path | str], *,
                   discussion: str | None = None) -> None:
    """Write the same report in several formats, building it once: the charts are drawn
    once and shared. Every extension is checked before anything is written."""
    targets = [Path(path) for path in paths]
    for target in targets:
        if target.suffix.lower() not in WRITERS:
            raise InputError("name the report *.html, *.pdf or *.docx", file=str(target))
    charts.warm_up()  # while the document is built
    document = build_document(findings, discussion=discussion)
    # PDF (WeasyPrint) and Word (python-docx, PNG charts) each take seconds of work that
    # holds one core; asked for together, Word is written by a second process meanwhile.
    apart = ([t for t in targets if t.suffix.lower() == ".docx"]
             if any(t.suffix.lower() == ".pdf" for t in targets) else [])
    with write_apart(document, apart) as waiting:
        for target in targets:
            if target not in apart:
                write_document(document, target)
        waiting()


def write_document(document: Document, path: Path) -> None:
    writer = WRITERS[path.suffix.lower()]
    write_atomic(path, lambda tmp: writer(document, tmp))
