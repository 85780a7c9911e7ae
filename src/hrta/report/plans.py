"""The TA plan as a page (HTML that prints on one Letter page, and PDF), and the TA
center's demand view as a page with charts.

Text from answers and the catalog reaches the page only through Jinja2 autoescaping;
catalog links are checked to be http(s) addresses when the catalog is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from hrta.assistance.plan import Plan
from hrta.assistance.rules import Rules
from hrta.assistance.sheet import DENSITIES, Density, plan_sheet
from hrta.assistance.words import ENGLISH, words
from hrta.errors import InputError
from hrta.files import write_atomic, write_text_atomic

PAGE_SUFFIXES = (".html", ".pdf")


def render_plan_html(plan: Plan, *, rules: Rules, staff: bool = False,
                     made: date | None = None, density: Density | None = None) -> str:
    """The plan and profile as one self-contained HTML page; staff see resource notes.

    `density` limits what is shown in full (`fit_plan_html` picks one that prints on one
    sheet); by default as much as the rules allow is shown.
    """
    sheet = plan_sheet(plan, rules=rules, staff=staff, density=density or DENSITIES[0])
    # The catalog's titles and publishers are works' own names, in English: marked so, on a
    # page in another language, for screen readers and hyphenation.
    english = Markup(' lang="en"') if sheet.language != ENGLISH else ""
    return _environment().get_template("plan.html.j2").render(
        sheet=sheet, t=words(sheet.language), english=english,
        made=made.isoformat() if made else "")


@dataclass(frozen=True)
class FittedPlan:
    html: str
    density: Density
    pages: int
    """Printed pages: 1, unless even the sparest density runs over."""
    document: Any
    """WeasyPrint's laid-out document, ready to write as PDF without laying it out again."""

    def pdf(self) -> bytes:
        pdf: bytes = self.document.write_pdf(pdf_tags=True)
        return pdf


def fit_plan(plan: Plan, *, rules: Rules, staff: bool = False,
             made: date | None = None) -> FittedPlan:
    """The plan's page with as much shown in full as fits one printed Letter page.

    The page is laid out as WeasyPrint prints it, trying each density in turn; a browser
    printing the same HTML with the same fonts lays it out alike.
    """
    import weasyprint  # slow to import (Pango, fonts); only printable pages need it

    for density in DENSITIES:
        html = render_plan_html(plan, rules=rules, staff=staff, made=made, density=density)
        document = weasyprint.HTML(string=html).render(pdf_tags=True)
        if len(document.pages) == 1:
            break
    return FittedPlan(html, density, len(document.pages), document)


def fit_plan_html(plan: Plan, *, rules: Rules, staff: bool = False,
                  made: date | None = None) -> str:
    """The plan's HTML, fitted to print on one page (see `fit_plan`)."""
    return fit_plan(plan, rules=rules, staff=staff, made=made).html


def write_plan(plan: Plan, path: Path, *, rules: Rules, staff: bool = False,
               made: date | None = None) -> None:
    """Write the plan as .html or .pdf (by the file's extension), fitted to one printed
    page, whole or not at all."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in PAGE_SUFFIXES:
        raise InputError("name the plan *.html or *.pdf", file=str(path))
    fitted = fit_plan(plan, rules=rules, staff=staff, made=made)
    if suffix == ".html":
        write_text_atomic(path, fitted.html)
    else:
        write_atomic(path, lambda tmp: fitted.document.write_pdf(tmp, pdf_tags=True))


def html_to_pdf(html: str, path: Path) -> None:
    import weasyprint

    weasyprint.HTML(string=html).write_pdf(path, pdf_tags=True)


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("hrta.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment


def render_template(name: str, **context: Any) -> str:
    return _environment().get_template(name).render(**context)


# --- the TA center's demand view -------------------------------------------------------------

HIDDEN = "–"


def demand_charts(demand: dict[str, Any]) -> list[dict[str, Any]]:
    """The demand view's charts: TA areas, formats, and receiving TA among those who want
    it. Each is a Vega-Lite spec with its data inline, its rows (for the table beside it),
    title, n and alt text — for this page and for the report or dashboard to reuse."""
    from hrta.report.charts import Bar, bar_spec
    from hrta.wording import format_percent, in_sentence

    def figure(key: str, title: str, n: int, rows: list[dict[str, Any]], row_header: str,
               *, ranked: bool = True, label: str = "label") -> dict[str, Any]:
        # Most wanted first, as a reader scans a bar chart; an empty "Other" is left out.
        rows = [r for r in rows if r["count"] or not r["other"]]
        if ranked:
            rows.sort(key=lambda r: -r["count"])
        bars = [Bar(r[label], r["percent"] or 0.0, format_percent(r["percent"])) for r in rows]
        top = max(rows, key=lambda r: r["count"], default=None)
        alt = (f"Bar chart: {in_sentence(title)}, percent of {n} respondents. "
               + (f"Most often: {top[label]} ({format_percent(top['percent'])})." if top
                  else "No answers."))
        return {"key": key, "title": title, "n": n, "alt": alt, "row_header": row_header,
                "spec": bar_spec(bars, description=alt),
                "rows": [{"label": r[label], "count": r["count"],
                          "percent": format_percent(r["percent"])} for r in rows]}

    gap = demand["receiving_gap"]
    return [
        figure("areas", "TA areas organizations want", demand["areas"]["n"],
               demand["areas"]["rows"], "TA area"),
        figure("formats", "Formats of TA organizations prefer (top three)",
               demand["formats"]["n"], demand["formats"]["rows"], "Format"),
        figure("receiving", "Organizations that want TA: receiving TA now?", gap["n"],
               gap["rows"], "Receiving TA now", ranked=False),
    ]


def render_demand_html(demand: dict[str, Any]) -> str:

    from hrta.report.charts import to_svg

    figures = demand_charts(demand)
    for figure in figures:
        # Trusted: vl-convert escapes every label, and to_svg refuses any active content.
        figure["svg"] = Markup(to_svg(figure["spec"], prefix=f"demand-{figure['key']}"))
    return render_template(
        "demand.html.j2", demand=demand, figures=figures, hidden=HIDDEN,
        tables=list(demand["tables"].values()),
        unlock_titles={"services": "Planned services TA could help start",
                       "partners": "Planned partnerships TA could help build"},
        unlock_headers={"services": "Service", "partners": "Partner"},
    )


def write_demand(demand: dict[str, Any], path: Path) -> None:
    """The demand view as .html or .pdf, whole or not at all."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in PAGE_SUFFIXES:
        raise InputError("name the demand page *.html or *.pdf", file=str(path))
    html = render_demand_html(demand)
    if suffix == ".html":
        write_text_atomic(path, html)
    else:
        write_atomic(path, lambda tmp: html_to_pdf(html, tmp))
