"""The TA plan as a page (HTML that prints on one Letter page, and PDF), and the TA
center's demand view as a page with charts.

Text from answers and the catalog reaches the page only through Jinja2 autoescaping;
catalog links are checked to be http(s) addresses when the catalog is read.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from hrta.assistance.plan import Plan
from hrta.assistance.rules import Rules
from hrta.errors import InputError
from hrta.files import write_atomic, write_text_atomic
from hrta.wording import join_words

ITEM_CHARACTERS = 100
PAGE_SUFFIXES = (".html", ".pdf")


@dataclass(frozen=True)
class Density:
    """How much of a plan the page shows in full; all of it is in the JSON and on screen."""

    areas: int
    """Areas shown with their resources (at most the rules' `areas_shown`); the rest are
    named in one line."""
    items: int
    """Strengths, gaps and gaps in knowledge listed, of each."""


# Tried in turn until the printed plan fits one page.
DENSITIES = (Density(5, 3), Density(4, 3), Density(4, 2), Density(3, 2), Density(3, 1),
             Density(2, 1), Density(1, 0))


def render_plan_html(plan: Plan, *, rules: Rules, staff: bool = False,
                     made: date | None = None, density: Density | None = None) -> str:
    """The plan and profile as one self-contained HTML page; staff see resource notes.

    `density` limits what is shown in full (`fit_plan_html` picks one that prints on one
    sheet); by default as much as the rules allow is shown.
    """
    profile = plan.profile
    org = profile.organization
    density = density or DENSITIES[0]
    shown = min(density.areas, plan.areas_shown)

    def gather(kind: str) -> list[str]:
        items = [item for domain in profile.domains for item in getattr(domain, kind)]
        return [textwrap.shorten(item, ITEM_CHARACTERS, placeholder=" …")
                for item in items[:density.items]]

    levels = rules.levels
    bands = []
    for index, level in enumerate(levels):
        if index == 0:
            bands.append(f"{level.label.lower()} {level.min:g} and over")
        elif level.min == 0:
            bands.append(f"{level.label.lower()} under {levels[index - 1].min:g}")
        else:
            bands.append(f"{level.label.lower()} {level.min:g}–{levels[index - 1].min - 1:g}")
    template = _environment().get_template("plan.html.j2")
    return template.render(
        plan=plan, profile=profile, org=org, staff=staff,
        shown=plan.areas[:shown], also=plan.areas[shown:],
        title="Harm reduction technical assistance",
        region=(org.get("region") or "").replace("_", " ").capitalize(),
        made=made.isoformat() if made else "",
        strengths=(gather("strengths") + gather("plans"))[:density.items],
        gaps=gather("gaps"), knowledge=gather("knowledge_gaps"),
        levels=", ".join(bands),
    )


@dataclass(frozen=True)
class FittedPlan:
    html: str
    density: Density
    pages: int
    """Printed pages: 1, unless even the sparest density runs over."""
    document: Any
    """WeasyPrint's laid-out document, ready to write as PDF without laying it out again."""

    def pdf(self) -> bytes:
        return self.document.write_pdf(pdf_tags=True)


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
        loader=jinja2.PackageLoader("hrta.assistance", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["words"] = join_words
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
    from markupsafe import Markup

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
