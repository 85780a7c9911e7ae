"""The stakeholder analysis as one self-contained HTML page (also the source of the PDF).

This module only draws a `Document`; what it says is decided in `layout`. Text from data
reaches the page only through Jinja2 autoescaping; the one exception is chart SVG, which
vl-convert escapes itself and `charts.to_svg` checks before it is trusted.
"""

from __future__ import annotations

from functools import cache

import jinja2
from markupsafe import Markup

from hrta.report import charts
from hrta.report.charts import ChartSpec
from hrta.report.document import SMALL_TABLE_ROWS, Document
from hrta.report.formatting import DASH, format_interval, format_percent
from hrta.report.items import NO_ANSWERS
from hrta.report.layout import build_document
from hrta.report.lookup import FindingsSource, caption
from hrta.report.widths import column_widths
from hrta.report.words import report_words

__all__ = ["NO_ANSWERS", "PICTURE_SCHEME", "caption", "format_interval", "format_percent",
           "render_html", "render_html_document", "render_print_page"]

# The URL scheme naming a chart's print picture on the page the PDF is made from.
PICTURE_SCHEME = "hrta-chart"


def render_html(findings: FindingsSource, *, discussion: str | None = None,
                verbatims: bool = False) -> str:
    """Render Findings (the model or its JSON form) as one HTML document that needs no
    network to view (`verbatims`: with the appendix of open-ended answers)."""
    return render_html_document(build_document(findings, discussion=discussion,
                                               verbatims=verbatims))


def render_html_document(document: Document) -> str:
    """The page, each chart inline SVG."""
    return _page(document, images=False)


def render_print_page(document: Document) -> tuple[str, dict[str, bytes]]:
    """The page the PDF is made from, and the pictures it names: each chart is an <img>
    of its print picture (`charts.to_print`) whose src is a PICTURE_SCHEME URL, the key of
    its JPEG in the dict. WeasyPrint embeds a picture as it is, where an SVG chart costs
    it a Pango layout per label, and tags it as a figure whose alternate description is
    the img's alt; handed over by name rather than as a data: URL, the 3 MB of pictures
    are neither base64-encoded here nor read character by character by its HTML parser."""
    figures = [f for f in document.figures() if f.chart is not None]
    drawn = charts.draw_prints([f.chart.spec for f in figures if f.chart])
    pictures = {f"{PICTURE_SCHEME}:{figure.anchor}.jpg": picture
                for figure, picture in zip(figures, drawn, strict=True)}
    return _page(document, images=True), pictures


def _page(document: Document, *, images: bool) -> str:
    charts_by_anchor = {
        figure.anchor: _chart(figure.anchor, figure.chart.spec, figure.chart.alt, images)
        for figure in document.figures() if figure.chart is not None}
    template = _environment().get_template("report.html.j2")
    return template.render(doc=document, charts=charts_by_anchor, dash=DASH,
                           words=report_words(document.language),
                           new_pages=document.new_pages(), small_rows=SMALL_TABLE_ROWS,
                           print_page=images, column_widths=column_widths)


def _chart(anchor: str, spec: ChartSpec, alt: str, picture: bool) -> dict[str, object]:
    share = round(100 * charts.print_share(spec), 1)
    if picture:
        return {"svg": None, "image": f"{PICTURE_SCHEME}:{anchor}.jpg", "share": share}
    # Trusted: vl-convert escapes every label, to_svg refuses any active content and
    # escapes the alt text it adds as the SVG's title.
    svg = charts.to_svg(spec, prefix=anchor, title=alt)
    return {"svg": Markup(svg), "image": None, "share": share}


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("hrta.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def environment() -> jinja2.Environment:
    """The report's templates (the one-page brief renders through it too)."""
    return _environment()
