"""The stakeholder analysis as a designed PDF: WeasyPrint on the report's own HTML.

The PDF is the HTML page under its print styles (Letter pages, running header, page
numbers, a page break before each chapter, figures kept whole), so the two formats cannot
drift apart. Fonts are the system's (Liberation Sans, DejaVu), installed at set-up.
"""

from __future__ import annotations

from pathlib import Path

from hrta.report.document import Document
from hrta.report.html import render_html_document


def write_pdf(document: Document, path: Path) -> None:
    import weasyprint  # slow to import (Pango, fonts); only PDF output needs it

    html = weasyprint.HTML(string=render_html_document(document))
    html.write_pdf(path, pdf_tags=True)

