"""The stakeholder analysis as one self-contained HTML page.

Everything drawn comes from Findings; this module only orders, formats and lays it out.
Each figure's chart and its table are built from the same rows, so they always agree.
Text from data reaches the page only through Jinja2 autoescaping; the one exception is
chart SVG, which vl-convert escapes itself and `charts.to_svg` checks before it is trusted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import jinja2
from markupsafe import Markup

from hrta.report import charts

NO_ANSWERS = "No eligible respondent answered this question."
DASH = "–"
# Single-choice questions with this many options or more (state, role) describe who
# answered: their chart leaves out options nobody chose, or it would be mostly empty rows.
SPARSE_OPTIONS = 10
# Percent labels inside narrower agreement segments would not fit, so they are left out.
MIN_SEGMENT_LABEL = 6.0
ALT_TEXT_OPTIONS = 5

Findings = dict[str, Any]
Entry = dict[str, Any]


@dataclass(frozen=True)
class Cell:
    count: str
    percent: str
    ci: str


@dataclass(frozen=True)
class TableRow:
    label: str
    cells: tuple[Cell, ...]
    net: bool = False  # an agree/disagree net, shown as a subtotal under its options


@dataclass(frozen=True)
class Table:
    rows: tuple[TableRow, ...]
    series: tuple[str, ...] = ("",)  # column groups: one per question in a grouped figure
    caption: str = ""
    empty: str = ""  # shown instead of rows when nobody answered


@dataclass(frozen=True)
class OtherTexts:
    question: str
    texts: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    kind: str
    anchor: str
    caption: str
    prompt: str = ""  # the question as respondents saw it, for open-ended items
    svg: Markup | None = None
    alt: str = ""
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = ()
    empty: str = ""
    answers: tuple[str, ...] = ()
    others: tuple[OtherTexts, ...] = ()


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    items: tuple[Item, ...] = field(default_factory=tuple)


def render_html(findings: Findings) -> str:
    """Render Findings as one HTML document that needs no network to view."""
    sections = [_section(section, findings) for section in findings["sections"]]
    template = _environment().get_template("report.html.j2")
    return template.render(findings=findings, sections=sections, dash=DASH)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("hrta.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


# Formatting ------------------------------------------------------------------------------

def format_percent(value: float | None) -> str:
    """A whole percent, rounding halves up as readers expect (12.5 -> 13%)."""
    return DASH if value is None else f"{_whole(value)}%"


def format_interval(low: float | None, high: float | None) -> str:
    return DASH if low is None or high is None else f"{_whole(low)}–{_whole(high)}%"


def format_count(value: int) -> str:
    return f"{value:,}"


def _whole(value: float) -> int:
    return int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _cell(option: Entry) -> Cell:
    return Cell(format_count(option["count"]), format_percent(option["percent"]),
                format_interval(option["ci_low"], option["ci_high"]))


# Captions --------------------------------------------------------------------------------

def caption(item: Entry, findings: Findings) -> str:
    """'Figure N. Title (n=…)', naming each question's n when a figure draws several."""
    ns: dict[str, int] = item["n"]
    if len(ns) == 1:
        n_text = f"n={format_count(next(iter(ns.values())))}"
    else:
        n_text = "; ".join(f"{findings['questions'][qid]['title']} n={format_count(n)}"
                           for qid, n in ns.items())
    label = {"figure": "Figure", "table": "Table"}.get(item["kind"])
    prefix = f"{label} {item['number']}. " if label and item["number"] is not None else ""
    return f"{prefix}{item['title']} ({n_text})"


# Sections and items ----------------------------------------------------------------------

def _section(section: Entry, findings: Findings) -> Section:
    items = tuple(_item(item, findings) for item in section["items"])
    return Section(anchor=f"section-{section['id']}", title=section["title"], items=items)


def _item(item: Entry, findings: Findings) -> Item:
    if item["kind"] == "open_ended":
        return _open_ended(item, findings)
    if item["kind"] == "table":
        return _table_item(item, findings)
    builders: dict[str, Callable[[Entry, Findings], Item]] = {
        "grouped": _grouped_figure, "agreement": _agreement_figure}
    return builders.get(item["chart"], _bar_figure)(item, findings)


def _anchor(item: Entry) -> str:
    if item["number"] is None:
        return f"{item['kind']}-{item['questions'][0]}"
    return f"{item['kind']}-{item['number']}"


def _ordered(entry: Entry) -> list[Entry]:
    """Options by count, highest first (Findings' rank), ties kept in instrument order."""
    options = list(entry["options"].values())
    return sorted(options, key=lambda option: option["rank"])


def _others(qids: Sequence[str], findings: Findings) -> tuple[OtherTexts, ...]:
    entries = [findings["questions"][qid] for qid in qids]
    return tuple(OtherTexts(e["title"], tuple(e["other_texts"]))
                 for e in entries if e.get("other_texts"))


def _svg(spec: dict[str, Any], anchor: str) -> Markup:
    # Trusted: vl-convert escapes every label, and to_svg refuses any active content.
    return Markup(charts.to_svg(spec, prefix=anchor))


def _alt_text(title: str, kind: str, labelled: Sequence[tuple[str, str]]) -> str:
    """Title, chart type and the first few values; the table under the chart has them all."""
    shown = "; ".join(f"{label}: {value}" for label, value in labelled[:ALT_TEXT_OPTIONS])
    more = len(labelled) - ALT_TEXT_OPTIONS
    rest = f"; and {more} more" if more > 0 else ""
    return f"{title}. {kind}. {shown}{rest}. The tables under the chart give every number."


def _bar_figure(item: Entry, findings: Findings) -> Item:
    qid = item["questions"][0]
    entry = findings["questions"][qid]
    anchor, text = _anchor(item), caption(item, findings)
    if entry["n"] == 0:
        return Item("figure", anchor, text, empty=NO_ANSWERS)
    represented = findings["profile"].get(f"{qid}_represented")
    ordered = _ordered(entry)
    sparse = entry["type"] == "single" and len(ordered) >= SPARSE_OPTIONS
    drawn = [o for o in ordered if o["count"] > 0] if sparse else ordered
    bars = [charts.Bar(o["label"], o["percent"], format_percent(o["percent"])) for o in drawn]
    alt_text = _alt_text(item["title"], "Bar chart of the percent of respondents choosing "
                         "each option, highest first", [(b.label, b.text) for b in bars])
    spec = charts.bar_spec(bars, description=alt_text)
    notes = []
    if represented is not None:
        notes.append(f"{format_count(represented)} states or territories were represented; "
                     "only those with at least one respondent are listed.")
    elif len(drawn) < len(ordered):
        notes.append("Options that no respondent chose are left out of the chart; "
                     "the table lists every option.")
    listed = drawn if represented is not None else ordered
    table = Table(tuple(TableRow(o["label"], (_cell(o),)) for o in listed))
    return Item("figure", anchor, text, svg=_svg(spec, anchor), alt=alt_text, tables=(table,),
                notes=tuple(notes), others=_others([qid], findings))


def _grouped_figure(item: Entry, findings: Findings) -> Item:
    qids = item["questions"]
    entries = [findings["questions"][qid] for qid in qids]
    anchor, text = _anchor(item), caption(item, findings)
    answered = [e for e in entries if e["n"] > 0]
    if not answered:
        return Item("figure", anchor, text, empty=NO_ANSWERS)
    # The first question sets the order (e.g. services provided directly, then referral).
    first = answered[0]
    keys = sorted(first["options"], key=lambda key: first["options"][key]["rank"])
    keys += [key for e in entries for key in e["options"] if key not in keys]
    bars = [charts.Bar(e["options"][key]["label"], e["options"][key]["percent"],
                       format_percent(e["options"][key]["percent"]), series=e["title"])
            for key in keys for e in answered if key in e["options"]]
    alt_text = _alt_text(
        item["title"], "Grouped bar chart of the percent of respondents, "
        f"{' beside '.join(e['title'].lower() for e in answered)}",
        [(f"{b.label} ({b.series.lower()})", b.text) for b in bars])
    spec = charts.grouped_spec(bars, description=alt_text)
    table = Table(tuple(_grouped_row(key, entries) for key in keys),
                  series=tuple(f"{e['title']} (n={format_count(e['n'])})" for e in entries))
    notes = tuple(f"{e['title']}: {NO_ANSWERS}" for e in entries if e["n"] == 0)
    return Item("figure", anchor, text, svg=_svg(spec, anchor), alt=alt_text, tables=(table,),
                notes=notes, others=_others(qids, findings))


def _grouped_row(key: str, entries: Sequence[Entry]) -> TableRow:
    label = next(e["options"][key]["label"] for e in entries if key in e["options"])
    cells = tuple(_cell(e["options"][key]) if key in e["options"] else Cell(DASH, DASH, DASH)
                  for e in entries)
    return TableRow(label, cells)


def _agreement_figure(item: Entry, findings: Findings) -> Item:
    matrix = item["questions"][0]
    statements = [findings["questions"][qid] for qid in item["rows"]]
    anchor, text = _anchor(item), caption(item, findings)
    if item["n"][matrix] == 0:
        return Item("figure", anchor, text, empty=NO_ANSWERS)
    segments = [s for statement in statements for s in _segments(statement)]
    nets = [(_statement_label(s), s["nets"]) for s in statements if s["n"] > 0]
    alt_text = _alt_text(
        item["title"], _agreement_kind(segments),
        [(label, ", ".join(f"{net['label'].lower()} {format_percent(net['percent'])}"
                           for net in net_set.values())) for label, net_set in nets])
    spec = charts.agreement_spec(segments, description=alt_text)
    # A statement nobody rated has no row in the chart and no table; a note says so.
    tables = tuple(_statement_table(statement) for statement in statements if statement["n"])
    notes = tuple(f"No eligible respondent rated “{s['text']}”" for s in statements
                  if s["n"] == 0)
    return Item("figure", anchor, text, svg=_svg(spec, anchor), alt=alt_text, tables=tables,
                notes=notes)


def _agreement_kind(segments: Sequence[charts.Segment]) -> str:
    scale = list(dict.fromkeys(s.option for s in segments if s.on_scale))
    apart = list(dict.fromkeys(s.option for s in segments if not s.on_scale))
    kind = f"Stacked bar chart per statement, from {scale[0]} to {scale[-1]}".lower()
    return kind.capitalize() + (f", then {' and '.join(apart)} in grey" if apart else "")


def _statement_label(statement: Entry) -> str:
    return f"{statement['text']} (n={format_count(statement['n'])})"


def _segments(statement: Entry) -> list[charts.Segment]:
    """The scale options in order (those counted in a net), then the rest, e.g. don't know."""
    if statement["n"] == 0:
        return []
    on_scale = {key for net in statement["nets"].values() for key in net["options"]}
    keys = list(statement["options"])
    ordered = [k for k in keys if k in on_scale] + [k for k in keys if k not in on_scale]
    label = _statement_label(statement)
    segments = []
    for position, key in enumerate(ordered):
        option = statement["options"][key]
        shown = option["percent"] >= MIN_SEGMENT_LABEL
        segments.append(charts.Segment(
            label, option["label"], position, option["percent"],
            format_percent(option["percent"]) if shown else "", on_scale=key in on_scale))
    return segments


def _statement_table(statement: Entry) -> Table:
    rows = [TableRow(o["label"], (_cell(o),)) for o in statement["options"].values()]
    rows += [TableRow(net["label"], (_cell(net),), net=True)
             for net in statement["nets"].values()]
    return Table(tuple(rows), caption=_statement_label(statement))


def _table_item(item: Entry, findings: Findings) -> Item:
    tables = []
    for qid in item["questions"]:
        entry = findings["questions"][qid]
        rows = tuple(TableRow(o["label"], (_cell(o),)) for o in _ordered(entry))
        named = entry["title"] if len(item["questions"]) > 1 else ""
        tables.append(Table(rows if entry["n"] else (), caption=named,
                            empty="" if entry["n"] else NO_ANSWERS))
    return Item("table", _anchor(item), caption(item, findings), tables=tuple(tables),
                others=_others(item["questions"], findings))


def _open_ended(item: Entry, findings: Findings) -> Item:
    qid = item["questions"][0]
    entry = findings["questions"][qid]
    return Item("open_ended", _anchor(item), caption(item, findings), prompt=entry["text"],
                answers=tuple(entry["answers"]), empty="" if entry["n"] else NO_ANSWERS)
