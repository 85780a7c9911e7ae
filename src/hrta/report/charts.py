"""Vega-Altair chart specs for the report's figures, drawn offline to SVG.

Every spec carries its data inline (never `data.url`) so a chart renders with no network,
in the HTML report today and in PDF or Word later. The builders draw rows they are given,
already ordered and formatted by the caller: a chart and the table under it are made from
the same rows, so they cannot disagree.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import vl_convert

# Arial and Liberation Sans share metrics: labels that vl-convert lays out with either one
# keep their size in the reader's browser, which draws the SVG text itself.
FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
INK = "#1b1b1b"

# Okabe-Ito blue and orange: distinguishable under the common colour-vision deficiencies.
BAR_COLOR = "#0072B2"
SERIES_COLORS = ("#0072B2", "#E69F00")

# Blue-orange diverging scales (agree is blue, disagree orange) by scale length, with dark
# ends dark enough for white text; answers off the scale ("I don't know") are grey.
DIVERGING: dict[int, tuple[str, ...]] = {
    2: ("#08519c", "#a63603"),
    3: ("#08519c", "#e0e0e0", "#a63603"),
    4: ("#08519c", "#6baed6", "#fdae6b", "#a63603"),
    5: ("#08519c", "#6baed6", "#e0e0e0", "#fdae6b", "#a63603"),
}
OFF_SCALE = "#bdbdbd"
DARK_FILLS = frozenset({"#08519c", "#a63603"})

PLOT_WIDTH = 460
LABEL_SIZE = 13
TEXT_SIZE = 12
LABEL_WIDTH = 44  # characters per line of an axis label before it wraps
LINE_HEIGHT = 15
# Bars keep one thickness whatever their label's lines, so charts look alike.
BAR_SIZE = 20
STACK_SIZE = 28
_LABEL_LINES = "split(datum.label, '\\n')"  # a fixed expression: data never enters it


@dataclass(frozen=True)
class Bar:
    """One bar: a category, the series it belongs to, its percent and the text shown."""

    label: str
    percent: float
    text: str
    series: str = ""


@dataclass(frozen=True)
class Segment:
    """One stacked segment of an agreement row; `position` orders the segments in a row."""

    label: str
    option: str
    position: int
    percent: float
    text: str
    on_scale: bool = True


def wrap(label: str, width: int = LABEL_WIDTH) -> str:
    """Break a long label into lines; the axis draws each line under the last."""
    return "\n".join(textwrap.wrap(label, width)) or label


def bar_spec(bars: Sequence[Bar], *, description: str, title: str | None = None) -> dict[str, Any]:
    """Horizontal bars of percent in the order given, with the percent at each bar's end."""
    values = [{"label": wrap(b.label), "percent": b.percent, "text": b.text} for b in bars]
    base = _base(values, description, title).encode(
        y=_category_axis([b.label for b in bars]),
        x=_percent_axis(),
        tooltip=alt.Tooltip("text:N", title="Percent"),
    )
    bar = base.mark_bar(color=BAR_COLOR, size=BAR_SIZE)
    return _finish(bar + _end_text(base), rows=bars)


def grouped_spec(bars: Sequence[Bar], *, description: str,
                 title: str | None = None) -> dict[str, Any]:
    """Side-by-side bars per category, one per series (e.g. provided directly vs referral)."""
    series = list(dict.fromkeys(b.series for b in bars))
    values = [{"label": wrap(b.label), "percent": b.percent, "text": b.text, "series": b.series}
              for b in bars]
    color = alt.Color("series:N", title=None, sort=series,
                      scale=alt.Scale(domain=series, range=list(SERIES_COLORS[:len(series)])),
                      legend=alt.Legend(orient="top", direction="vertical", labelLimit=500))
    base = _base(values, description, title).encode(
        y=_category_axis([b.label for b in bars]),
        yOffset=alt.YOffset("series:N", sort=series),
        x=_percent_axis(),
    )
    chart = base.mark_bar().encode(color=color) + _end_text(base)
    return _finish(chart, rows=bars, bars_per_row=len(series))


def agreement_spec(segments: Sequence[Segment], *, description: str,
                   title: str | None = None) -> dict[str, Any]:
    """One stacked bar per statement: the scale in order, then off-scale answers in grey."""
    options = list(dict.fromkeys(s.option for s in sorted(segments, key=lambda s: s.position)))
    colors = _agreement_colors(options, segments)
    values = [{"label": wrap(s.label), "option": s.option, "position": s.position,
               "percent": s.percent, "text": s.text,
               "ink": "white" if colors[s.option] in DARK_FILLS else INK}
              for s in segments]
    base = _base(values, description, title).encode(
        y=_category_axis([s.label for s in segments]),
        x=alt.X("percent:Q", stack="zero", axis=_percent_ticks(),
                scale=alt.Scale(domain=[0, 100])),
        order=alt.Order("position:Q"),
    )
    fill = alt.Color("option:N", title=None, sort=options,
                     scale=alt.Scale(domain=options, range=[colors[o] for o in options]),
                     legend=alt.Legend(orient="top", columns=len(options), symbolType="square"))
    bars = base.mark_bar(stroke="white", strokeWidth=1, size=STACK_SIZE).encode(color=fill)
    # Centre each percent in its own segment: the text stacks like the bars, half a band in.
    labels = base.mark_text(fontSize=TEXT_SIZE, fontWeight="bold").encode(
        x=alt.X("percent:Q", stack="zero", bandPosition=0.5),
        text="text:N", color=alt.Color("ink:N", scale=None))
    return _finish(bars + labels, rows=segments)


def to_svg(spec: dict[str, Any], *, prefix: str) -> str:
    """Render a spec to standalone SVG markup, offline.

    The caller marks this markup safe, so it is checked here: vl-convert escapes text
    from data, and nothing in a chart should ever be script. Element ids get `prefix`
    because many SVGs share one HTML document and ids must not collide between them.
    """
    svg = vl_convert.vegalite_to_svg(spec)
    lowered = svg.lower()
    if ("<script" in lowered or "<foreignobject" in lowered
            or re.search(r"<[^>]*\son\w+\s*=", lowered)):
        raise ValueError("chart SVG contains active content; refusing to embed it")
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)


def _agreement_colors(options: list[str], segments: Sequence[Segment]) -> dict[str, str]:
    scale = [o for o in options if any(s.option == o and s.on_scale for s in segments)]
    if len(scale) not in DIVERGING:
        raise ValueError(f"no diverging palette for a {len(scale)}-point scale")
    colors = dict.fromkeys(options, OFF_SCALE)
    colors.update(zip(scale, DIVERGING[len(scale)], strict=True))
    return colors


def _base(values: list[dict[str, Any]], description: str, title: str | None) -> alt.Chart:
    chart = alt.Chart(alt.Data(values=values), description=description)
    return chart.properties(title=title) if title else chart


def _category_axis(labels: Sequence[str]) -> alt.Y:
    order = list(dict.fromkeys(wrap(label) for label in labels))
    return alt.Y("label:N", sort=order, title=None,
                 axis=alt.Axis(labelExpr=_LABEL_LINES, labelLimit=0, labelFontSize=LABEL_SIZE,
                               labelColor=INK, ticks=False, domain=False, labelPadding=6))


def _percent_ticks() -> alt.Axis:
    return alt.Axis(format="d", tickMinStep=1, tickCount=5, labelExpr="datum.label + '%'",
                    title=None, grid=True, gridColor="#e5e5e5", labelColor=INK)


def _percent_axis() -> alt.X:
    """Zero-based and fitted to the largest bar, so small shares (one state among 33) stay
    readable; every bar carries its percent, so the changing axis cannot mislead."""
    return alt.X("percent:Q", axis=_percent_ticks(), scale=alt.Scale(zero=True, nice=True))


def _end_text(base: alt.Chart) -> alt.Chart:
    return base.mark_text(align="left", baseline="middle", dx=4, fontSize=TEXT_SIZE,
                          color=INK).encode(text="text:N")


def _finish(chart: alt.LayerChart, *, rows: Sequence[Bar | Segment],
            bars_per_row: int = 1) -> dict[str, Any]:
    """Size the plot so every row fits its wrapped label, then apply the shared style.

    With an offset channel (grouped bars) Vega-Lite's step is one bar, not one row.
    """
    lines = max((wrap(r.label).count("\n") + 1 for r in rows), default=1)
    row = max(lines * LINE_HEIGHT + 10, 18 * bars_per_row + 8, STACK_SIZE + 6)
    step = -(-row // bars_per_row)
    sized = chart.properties(width=PLOT_WIDTH, height=alt.Step(step)).configure(
        font=FONT, padding={"left": 5, "top": 5, "right": 40, "bottom": 5})
    return (sized.configure_view(stroke=None)
            .configure_axis(labelFont=FONT, labelFontSize=TEXT_SIZE)
            .configure_legend(labelFont=FONT, labelFontSize=TEXT_SIZE, symbolSize=120)
            .to_dict())
