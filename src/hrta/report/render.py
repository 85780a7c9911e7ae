"""One report, three formats: the output file's extension picks HTML, PDF or Word."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from hrta.errors import InputError
from hrta.report import charts
from hrta.report.formats import WRITERS, write_document
from hrta.report.layout import build_document
from hrta.report.lookup import FindingsSource
from hrta.report.words import Words, report_words
from hrta.report.worker import write_apart

__all__ = ["WRITERS", "render_report", "render_reports", "write_document"]


def render_report(findings: FindingsSource, path: Path | str, *,
                  discussion: str | None = None, verbatims: bool = False,
                  released: frozenset[str] = frozenset(), language: str = "en") -> None:
    """Write the stakeholder analysis to `path` as HTML, PDF or DOCX, by its extension.

    `findings` is the model or its JSON form; `discussion` is the analyst's Markdown text
    (not a path); `verbatims` and `released` as for `build_document`; `language` the
    report's (hrta.report.words), the Findings' own wording being the questionnaire's in
    it. The file is written whole or not at all: a failure leaves any earlier report at
    `path` untouched.
    """
    render_reports(findings, [path], discussion=discussion, verbatims=verbatims,
                   released=released, language=language)


def render_reports(findings: FindingsSource, paths: Sequence[Path | str], *,
                   discussion: str | None = None, verbatims: bool = False,
                   released: frozenset[str] = frozenset(),
                   language: str = "en", on_web: bool = False) -> None:
    """Write the same report in several formats, building it once: the charts are drawn
    once and shared. Every extension is checked before anything is written. `on_web`: made
    on the web, where a withheld write-in is released on a page, not with --release-quote."""
    targets = [Path(path) for path in paths]
    for target in targets:
        if target.suffix.lower() not in WRITERS:
            raise InputError("name the report *.html, *.pdf or *.docx", file=str(target))
    charts.warm_up()  # while the document is built
    document = build_document(findings, discussion=discussion, verbatims=verbatims,
                              released=released,
                              words=_on_web(report_words(language)) if on_web
                              else report_words(language))
    # PDF (WeasyPrint) and Word (python-docx, PNG charts) each take seconds of work that
    # holds one core; asked for together, Word is written by a second process meanwhile.
    apart = ([t for t in targets if t.suffix.lower() == ".docx"]
             if any(t.suffix.lower() == ".pdf" for t in targets) else [])
    with write_apart(document, apart) as waiting:
        for target in targets:
            if target not in apart:
                write_document(document, target)
        waiting()


def _on_web(words: Words) -> Words:
    web_note = words.messages["doc.others.withheld_web"]
    return replace(words, messages={**words.messages, "doc.others.withheld": web_note})
