"""The stakeholder analysis as one self-contained HTML page (also the source of the PDF).

This module only draws a `Document`; what it says is decided in `layout`. Text from data
reaches the page only through Jinja2 autoescaping; the one exception is chart SVG, which
vl-convert escapes itself and `charts.to_svg` checks before it is trusted.
"""

from __future__ import annotations

import base64
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
from hrta.report.words import report_words

__all__ = ["NO_ANSWERS", "caption", "format_interval", "format_percent", "render_html",
           "render_html_document"]


def render_html(findings: FindingsSource, *, discussion: str | None = None,
                verbatims: bool = False) -> str:
    """Render Findings (the model or its JSON form) as one HTML document that needs no
    network to view (`verbatims`: with the appendix of open-ended answers)."""
    return render_html_document(build_document(findings, discussion=discussion,
                                               verbatims=verbatims))


def render_html_document(document: Document, *, images: bool = False) -> str:
    """The page; with `images` each chart is an <img> of its print picture
    (`charts.to_print`, a data: URL) instead of inline SVG. The PDF takes images:
    WeasyPrint embeds a picture as it is, where an SVG chart costs it a Pango layout per
    label, and tags it as a figure whose alternate description is the img's alt."""
    figures = [f for f in document.figures() if f.chart is not None]
    pictures = (charts.draw_prints([f.chart.spec for f in figures if f.chart]) if images
                else [None] * len(figures))
    charts_by_anchor = {
        figure.anchor: _chart(figure.anchor, figure.chart.spec, figure.chart.alt, picture)
        for figure, picture in zip(figures, pictures, strict=True) if figure.chart}
    template = _environment().get_template("report.html.j2")
    return template.render(doc=document, charts=charts_by_anchor, dash=DASH,
                           words=report_words(document.language),
                           new_pages=document.new_pages(), small_rows=SMALL_TABLE_ROWS)


def _chart(anchor: str, spec: ChartSpec, alt: str,
           picture: bytes | None) -> dict[str, object]:
    share = round(100 * charts.print_share(spec), 1)
    if picture is not None:
        encoded = base64.b64encode(picture).decode("ascii")
        return {"svg": None, "image": f"data:image/jpeg;base64,{encoded}", "share": share}
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
