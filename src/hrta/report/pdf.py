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
"""

from __future__ import annotations

from pathlib import Path

from hrta.report.document import Document
from hrta.report.html import render_html_document

PDF_VARIANT = "pdf/ua-1"


def write_pdf(document: Document, path: Path) -> None:
    import weasyprint  # slow to import (Pango, fonts); only PDF output needs it

    html = weasyprint.HTML(string=render_html_document(document, images=True))
    html.write_pdf(path, pdf_variant=PDF_VARIANT)
