"""The stakeholder analysis as a designed PDF: WeasyPrint on the report's own HTML.

The PDF is the HTML page under its print styles (Letter pages, running header, page
numbers, a page break before each chapter, figures kept whole), so the two formats cannot
drift apart; only its charts are embedded as pictures (JPEG at 200 dots an inch or more,
`charts.to_print`) rather than inline SVG: WeasyPrint embeds a picture as it is, where it
would lay out every label of an SVG chart, which took most of the time a PDF's pages
took to draw. Fonts are the system's (Liberation Sans, DejaVu), installed at set-up.

It is a tagged PDF declaring PDF/UA-1 (WeasyPrint's `pdf/ua-1` variant): headings,
lists and tables carry their structure for screen readers, each chart is a Figure whose
alternate description is its alt text (the chart's img alt), and the catalogue names the
language and shows the report's title instead of the file name. WeasyPrint calls its
PDF/UA output experimental, so conformance is declared, not certified: the tests check
the parts a screen reader relies on.

Loading WeasyPrint (Pango, HarfBuzz, fontconfig) takes half a second. A command that
knows from the start it will write a PDF calls `prepare()`: a second process
(`pdf_engine`) loads it while this one reads and analyses the export, and the next
`write_pdf` hands it the page. Without `prepare()` the PDF is made in this process.
"""

from __future__ import annotations

import atexit
import pickle
import subprocess
import sys
from pathlib import Path

from hrta.report.document import Document
from hrta.report.html import render_print_page
from hrta.report.pdf_engine import PDF_VARIANT, write_page

__all__ = ["PDF_VARIANT", "prepare", "write_pdf"]

_engine: subprocess.Popen[bytes] | None = None


def prepare() -> None:
    """Start loading WeasyPrint in a second process for the next `write_pdf`, which sends
    it the page on its standard input. If this process exits without sending one, the
    engine is ended at exit; were this process killed, the engine would read the end of
    its input and exit. Calling it again does nothing."""
    global _engine
    if _engine is None:
        _engine = subprocess.Popen([sys.executable, "-m", "hrta.report.pdf_engine"],
                                   stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        atexit.register(_dismiss)


def write_pdf(document: Document, path: Path) -> None:
    page, pictures = render_print_page(document)
    engine = _take_engine()
    if engine is None:
        write_page(page, pictures, path)
        return
    # Our own data, to our own child: the page, its pictures and where to write.
    _, errors = engine.communicate(pickle.dumps((page, pictures, str(path))))
    if engine.returncode != 0:
        raise RuntimeError(f"writing {path} failed:\n{errors.decode('utf-8', 'replace')}")


def _take_engine() -> subprocess.Popen[bytes] | None:
    """The prepared engine, once: a second PDF in the same run is made here."""
    global _engine
    engine, _engine = _engine, None
    if engine is not None and engine.poll() is not None:
        return None  # it could not start (its error is WeasyPrint's, which we meet here)
    return engine


def _dismiss() -> None:
    """End an engine that was never used (the command failed first), without waiting for
    it to finish loading."""
    engine = _take_engine()
    if engine is not None:
        engine.terminate()
        engine.communicate()
