"""Vega-Altair chart specs for the report's figures, drawn offline to SVG and PNG.

Every spec carries its data inline (never `data.url`) so a chart renders with no network:
SVG in the HTML and PDF reports, PNG in Word. The builders draw rows they are given,
already ordered and formatted by the caller: a chart and the table under it are made from
the same rows, so they cannot disagree. Colours come from `palette`, one for all charts.
"""

from __future__ import annotations

import json
import re
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import altair as alt
import vl_convert

from hrta.report.palette import (
    BAR,
    DARK_FILLS,
    DIVERGING,
    EMPTY_TILE,
    GRID,
    INK,
    OFF_SCALE,
    SEQUENTIAL,
)

# Arial and Liberation Sans share metrics: labels that vl-convert lays out with either one
# keep their size in the reader's browser, which draws the SVG text itself.
FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
# Word gets pictures: twice the CSS pixel size prints sharp at 6.5 inches wide.
PNG_SCALE = 2.0
# A chart this many CSS pixels wide fills the printed text width; narrower ones (the map)
# keep their proportion of it in PDF and Word, so type sizes match across charts.
PAGE_WIDTH = 680.0
# Taller charts are narrowed in print so they fit on one page with a caption of up to three
# lines (8 of the 9.25 inches a Letter page has inside its margins).
MAX_HEIGHT = 800.0
MAX_DRAWN = 256
_DRAWN: dict[str, str] = {}
_WARM_UP = {"data": {"values": [{"x": 0}]}, "mark": "point",
            "encoding": {"x": {"field": "x", "type": "quantitative"}}}
_warming: threading.Thread | None = None
_SVG_WIDTH = re.compile(r'<svg[^>]*?\swidth="([\d.]+)"')
_SVG_HEIGHT = re.compile(r'<svg[^>]*?\sheight="([\d.]+)"')

PLOT_WIDTH = 460
LABEL_SIZE = 13
TEXT_SIZE = 12
LABEL_WIDTH = 44  # characters per line of an axis label before it wraps
LINE_HEIGHT = 15
# Bars keep one thickness whatever their label's lines, so charts look alike.
BAR_SIZE = 18
STACK_SIZE = 28
OFF_SCALE_WIDTH = 110  # the panel of answers off the scale, beside the diverging bars
OFF_SCALE_GAP = 14
# Side-by-side panels (provided directly | through referral | planned): together this wide,
# with bars this thick and rows this little apart, so 30-odd options fit on one page.
PANEL_WIDTH = 470
PANEL_GAP = 30  # room for the percent past the longest bar of the panel on the left
PANEL_BAR = 13
PANEL_PADDING = 4
TILE_STEP = 42
TILE_GAP = 0.08
NO_COUNT = "None"
_LABEL_LINES = "split(datum.label, '\\n')"  # a fixed expression: data never enters it


@dataclass(frozen=True)
class Bar:
    """One bar: a category, the series it belongs to, its percent and the text shown."""

    label: str
    percent: float
    text: str
    series: str = ""


@dataclass(frozen=True)
class MapTile:
    """One square of the tile-grid map: a state's position, its count and the text shown."""

    code: str
    row: int
    col: int
    count: int
    text: str


@dataclass(frozen=True)
class Segment:
    """One stacked segment of an agreement row; `position` orders the segments in a row."""

    label: str
    option: str
    position: int
    percent: float
    text: str
    on_scale: bool = True
    side: int = 0  # -1 agree, +1 disagree, 0 the neutral middle of an odd scale


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
    bar = base.mark_bar(color=BAR, size=BAR_SIZE)
    return _finish(bar + _end_text(base), rows=bars, bar=BAR_SIZE)


def panels_spec(bars: Sequence[Bar], *, panels: Sequence[str], description: str,
                title: str | None = None) -> dict[str, Any]:
    """One panel of horizontal bars per series, side by side, on one shared percent scale
    and with the rows in the order given (labelled once, at the left).

    The questions that share an option list (services provided directly, through referral,
    planned) read across a row, and each panel is a plain bar chart: no colour has to be
    told apart, so it reads the same in grey print, and the rows stay thin enough for a
    list of 30-odd services to fit on one page. `panels` are the panel titles, one per
    series in order (e.g. with each question's n).
    """
    series = list(dict.fromkeys(b.series for b in bars))
    if len(panels) != len(series):
        raise ValueError(f"{len(series)} series but {len(panels)} panel titles")
    labels = list(dict.fromkeys(b.label for b in bars))
    top = max((b.percent for b in bars), default=0.0)
    limit = min(100, 20 * -(-top // 20)) or 20
    scale = alt.Scale(domain=[0, limit], nice=False)
    step = _row_step([Bar(label, 0.0, "") for label in labels], bar=PANEL_BAR,
                     padding=PANEL_PADDING)
    width = (PANEL_WIDTH - PANEL_GAP * (len(series) - 1)) // len(series)
    drawn = []
    for index, (name, heading) in enumerate(zip(series, panels, strict=True)):
        values = [{"label": wrap(b.label), "percent": b.percent, "text": b.text}
                  for b in bars if b.series == name]
        y = (_category_axis(labels) if index == 0 else
             alt.Y("label:N", sort=[wrap(label) for label in labels], axis=None, title=None))
        base = alt.Chart(alt.Data(values=values)).encode(
            y=y, x=alt.X("percent:Q", scale=scale, axis=alt.Axis(
                values=[0, limit / 2, limit], labelExpr="datum.value + '%'", title=None,
                grid=True, gridColor=GRID, labelColor=INK)))
        panel = base.mark_bar(color=BAR, size=PANEL_BAR) + _end_text(base)
        drawn.append(panel.properties(
            width=width, height=alt.Step(step),
            title=alt.TitleParams(wrap(heading, max(16, width // 7)).split("\n"), anchor="start",
                                  frame="group",
                                  fontSize=TEXT_SIZE, fontWeight="bold", color=INK,
                                  font=FONT)))
    chart = alt.hconcat(*drawn, spacing=PANEL_GAP, description=description)
    return _style(chart.properties(title=title) if title else chart)


def agreement_spec(segments: Sequence[Segment], *, description: str,
                   title: str | None = None) -> dict[str, Any]:
    """Diverging stacked bars, one per statement: agreement runs left of the centre line and
    disagreement right, the strongest answers outermost, so the balance of each statement
    reads at a glance; answers off the scale ("I don't know") have a panel of their own."""
    options = list(dict.fromkeys(s.option for s in sorted(segments, key=lambda s: s.position)))
    colors = _agreement_colors(options, segments)
    rows = list(dict.fromkeys(s.label for s in segments))
    scale_values: list[dict[str, Any]] = []
    off_values: list[dict[str, Any]] = []
    extent = 0.0
    for row in rows:
        placed = _diverging([s for s in segments if s.label == row and s.on_scale])
        scale_values += [_segment_value(s, start, colors) for s, start in placed]
        extent = max([extent, *(abs(start) for _, start in placed),
                      *(abs(start + s.percent) for s, start in placed)])
        off_values += [_segment_value(s, 0.0, colors)
                       for s in segments if s.label == row and not s.on_scale]
    fill = alt.Color("option:N", title=None, sort=options,
                     scale=alt.Scale(domain=options, range=[colors[o] for o in options]),
                     legend=alt.Legend(orient="top", columns=len(options), symbolType="square"))
    limit = min(100, 20 * -(-extent // 20)) or 20
    step = _row_step(segments, bar=STACK_SIZE)
    off_width = OFF_SCALE_WIDTH if off_values else 0
    left = _stacked(scale_values, rows, fill, domain=[-limit, limit], axis=alt.Axis(
        format="d", values=[-limit, -limit / 2, 0, limit / 2, limit],
        labelExpr="abs(datum.value) + '%'", title="← agree · disagree →",
        titleFontWeight="normal", titleColor=INK, grid=True, gridColor=GRID,
        labelColor=INK))
    centre = alt.Chart(alt.Data(values=[{"x": 0}])).mark_rule(color=INK).encode(x="x:Q")
    left = (left + centre).properties(width=PLOT_WIDTH - off_width, height=alt.Step(step))
    if not off_values:
        return _style(left.properties(description=description))
    top = max(v["end"] for v in off_values)
    right = _stacked(off_values, rows, fill, domain=[0, 20 * -(-top // 20) or 20], axis=alt.Axis(
        format="d", values=[0, int(20 * -(-top // 20) or 20)], labelExpr="datum.label + '%'",
        title=" / ".join(dict.fromkeys(v["option"] for v in off_values)),
        titleFontWeight="normal", titleColor=INK, grid=False, labelColor=INK),
        labels=False).properties(width=off_width - OFF_SCALE_GAP, height=alt.Step(step))
    return _style(alt.hconcat(left, right, spacing=OFF_SCALE_GAP, description=description))


def _diverging(scale: Sequence[Segment]) -> list[tuple[Segment, float]]:
    """Where each scale segment of one statement starts: agree options outward to the left
    of zero, disagree options outward to the right, a neutral middle centred on zero."""
    scale = sorted(scale, key=lambda s: s.position)
    neutral = sum(s.percent for s in scale if s.side == 0)
    placed: list[tuple[Segment, float]] = []
    edge = -neutral / 2
    for segment in reversed([s for s in scale if s.side < 0]):
        edge -= segment.percent
        placed.append((segment, edge))
    edge = -neutral / 2
    for segment in [s for s in scale if s.side == 0]:
        placed.append((segment, edge))
        edge += segment.percent
    edge = neutral / 2
    for segment in [s for s in scale if s.side > 0]:
        placed.append((segment, edge))
        edge += segment.percent
    return sorted(placed, key=lambda pair: pair[0].position)


def _segment_value(segment: Segment, start: float, colors: dict[str, str]) -> dict[str, Any]:
    return {"label": wrap(segment.label), "option": segment.option, "start": start,
            "end": start + segment.percent, "mid": start + segment.percent / 2,
            "text": segment.text,
            "ink": "white" if colors[segment.option] in DARK_FILLS else INK}


def _stacked(values: list[dict[str, Any]], rows: Sequence[str], fill: alt.Color, *,
             domain: list[float], axis: alt.Axis, labels: bool = True) -> alt.LayerChart:
    base = alt.Chart(alt.Data(values=values)).encode(
        y=_category_axis(rows) if labels else alt.Y("label:N", sort=[wrap(r) for r in rows],
                                                    axis=None, title=None))
    bars = base.mark_bar(stroke="white", strokeWidth=1, size=STACK_SIZE).encode(
        x=alt.X("start:Q", scale=alt.Scale(domain=domain, nice=False), axis=axis),
        x2="end:Q", color=fill)
    if labels:  # percents centred in their segments
        text = base.mark_text(fontSize=TEXT_SIZE, fontWeight="bold").encode(
            x="mid:Q", text="text:N", color=alt.Color("ink:N", scale=None))
    else:  # the panel apart: one bar a row, its percent just past its end
        text = base.mark_text(fontSize=TEXT_SIZE, align="left", dx=3, color=INK).encode(
            x="end:Q", text="text:N")
    return bars + text


def tile_map_spec(tiles: Sequence[MapTile], *, description: str, legend_title: str,
                  title: str | None = None) -> dict[str, Any]:
    """A tile-grid map: one square per state at its grid position, shaded by count.

    Counts fall into at most four classes on a light-to-dark blue ramp, so the shades read
    in grey print and the legend is a row of swatches (drawn the same by browsers, by
    WeasyPrint and in the Word picture); squares with no respondents are light grey.
    """
    rows = range(max((t.row for t in tiles), default=0) + 1)
    cols = range(max((t.col for t in tiles), default=0) + 1)
    classes = count_classes(max((t.count for t in tiles), default=0))
    labels = [NO_COUNT] + [label for label, _, _ in classes]
    fills = [EMPTY_TILE] + [fill for _, _, fill in classes]
    values = []
    for t in tiles:
        label, fill = next(((lb, f) for lb, top, f in classes if 0 < t.count <= top),
                           (NO_COUNT, EMPTY_TILE))
        values.append({"code": t.code, "row": t.row, "col": t.col, "text": t.text,
                       "class": label, "ink": "white" if fill in DARK_FILLS else INK})
    base = _base(values, description, title).encode(
        x=alt.X("col:O", axis=None, scale=alt.Scale(domain=list(cols), paddingInner=TILE_GAP)),
        y=alt.Y("row:O", axis=None, scale=alt.Scale(domain=list(rows), paddingInner=TILE_GAP)),
    )
    shade = alt.Color("class:N", title=legend_title, sort=labels,
                      scale=alt.Scale(domain=labels, range=fills),
                      legend=alt.Legend(orient="bottom", direction="horizontal",
                                        symbolType="square", symbolSize=220,
                                        symbolStrokeColor=GRID))
    squares = base.mark_rect(cornerRadius=2).encode(color=shade)
    codes = base.mark_text(fontSize=TEXT_SIZE, fontWeight="bold", baseline="bottom", dy=1).encode(
        text="code:N", color=alt.Color("ink:N", scale=None))
    counts = base.mark_text(fontSize=TEXT_SIZE - 1, baseline="top", dy=2).encode(
        text="text:N", color=alt.Color("ink:N", scale=None))
    chart = (squares + codes + counts).resolve_scale(color="independent").properties(
        width=TILE_STEP * len(cols), height=TILE_STEP * len(rows))
    return _style(chart)


def count_classes(top: int) -> list[tuple[str, int, str]]:
    """Up to four classes of whole counts from 1 to `top`, as (label, upper bound, fill):
    e.g. top 9 -> 1–2, 3–4, 5–7, 8–9. Fewer classes take the ramp's ends first."""
    number = min(len(SEQUENTIAL), top)
    bounds = [round(i * top / number) for i in range(number + 1)] if number else [0]
    shades = {1: (2,), 2: (0, 3), 3: (0, 2, 3), 4: (0, 1, 2, 3)}.get(number, ())
    classes = []
    for index, shade in enumerate(shades):
        low, high = bounds[index] + 1, bounds[index + 1]
        label = f"{low:,}" if low == high else f"{low:,}–{high:,}"
        classes.append((label, high, SEQUENTIAL[shade]))
    return classes


def to_png(spec: dict[str, Any], *, scale: float = PNG_SCALE) -> bytes:
    """Render a spec to PNG bytes, offline, for documents that take pictures (Word)."""
    return bytes(vl_convert.svg_to_png(_svg(_canonical(spec)), scale=scale))


def svg_size(spec: dict[str, Any]) -> tuple[float, float]:
    """The chart's intrinsic width and height in CSS pixels."""
    head = _svg(_canonical(spec))[:400]
    width, height = _SVG_WIDTH.search(head), _SVG_HEIGHT.search(head)
    if not width or not height:
        raise ValueError("vl-convert returned an SVG without a size")
    return float(width.group(1)), float(height.group(1))


def print_share(spec: dict[str, Any]) -> float:
    """The share of the printed text width a chart takes: its own width's proportion of
    the page, narrowed further when it would otherwise be taller than MAX_HEIGHT."""
    width, height = svg_size(spec)
    return min(1.0, width / PAGE_WIDTH, MAX_HEIGHT * width / (PAGE_WIDTH * height))


def to_svg(spec: dict[str, Any], *, prefix: str, title: str = "") -> str:
    """Render a spec to standalone SVG markup, offline.

    The caller marks this markup safe, so it is checked here: vl-convert escapes text
    from data, and nothing in a chart should ever be script. Element ids get `prefix`
    because many SVGs share one HTML document and ids must not collide between them.
    `title` (the alt text) becomes the SVG's <title>, escaped here: a tagged PDF takes a
    chart's alternate description from it.
    """
    svg = _svg(_canonical(spec))
    lowered = svg.lower()
    if ("<script" in lowered or "<foreignobject" in lowered
            or re.search(r"<[^>]*\son\w+\s*=", lowered)):
        raise ValueError("chart SVG contains active content; refusing to embed it")
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    if title:
        opening = re.search(r"<svg\b[^>]*>", svg)
        if opening is None:
            raise ValueError("vl-convert returned markup without an <svg> element")
        svg = f"{svg[:opening.end()]}<title>{escape(title)}</title>{svg[opening.end():]}"
    return svg


def _canonical(spec: dict[str, Any]) -> str:
    return json.dumps(spec, sort_keys=True, separators=(",", ":"))


def _svg(spec_json: str) -> str:
    """vl-convert's SVG of a spec, kept: the HTML, PDF and Word output of one report draw
    the same charts, and each conversion runs JavaScript (about 0.1 s a chart)."""
    svg = _DRAWN.get(spec_json)
    if svg is None:
        if len(_DRAWN) >= MAX_DRAWN:
            _DRAWN.clear()
        svg = _DRAWN[spec_json] = str(vl_convert.vegalite_to_svg(json.loads(spec_json)))
    return svg


def warm_up() -> None:
    """Start vl-convert's JavaScript runtime on a background thread now, so that the first
    chart does not wait for it: starting takes about half a second, which overlaps with
    whatever the caller does next (importing, analysing, laying out the document), since
    vl-convert runs outside the GIL. Calling it again does nothing."""
    global _warming
    if _warming is None:
        _warming = threading.Thread(target=vl_convert.vegalite_to_svg, args=(_WARM_UP,),
                                    name="vl-convert warm-up", daemon=True)
        _warming.start()


def draw_all(specs: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Draw charts now (they are kept) and return them, to hand to another process."""
    return {key: _svg(key) for key in map(_canonical, specs)}


def remember(drawn: dict[str, str]) -> None:
    """Keep charts another process has drawn, so this one need not draw them again."""
    _DRAWN.update(drawn)


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
                    title=None, grid=True, gridColor=GRID, labelColor=INK)


def _percent_axis() -> alt.X:
    """Zero-based and fitted to the largest bar, so small shares (one state among 33) stay
    readable; every bar carries its percent, so the changing axis cannot mislead."""
    return alt.X("percent:Q", axis=_percent_ticks(), scale=alt.Scale(zero=True, nice=True))


def _end_text(base: alt.Chart) -> alt.Chart:
    return base.mark_text(align="left", baseline="middle", dx=4, fontSize=TEXT_SIZE,
                          color=INK).encode(text="text:N")


def _finish(chart: alt.LayerChart, *, rows: Sequence[Bar | Segment], bar: int) -> dict[str, Any]:
    """Size the plot so every row fits its wrapped label, then apply the shared style."""
    step = _row_step(rows, bar=bar)
    return _style(chart.properties(width=PLOT_WIDTH, height=alt.Step(step)))


def _row_step(rows: Sequence[Bar | Segment], *, bar: int, padding: int = 10) -> int:
    """The band step that fits every row's wrapped label and its bar."""
    lines = max((wrap(r.label).count("\n") + 1 for r in rows), default=1)
    return max(lines * LINE_HEIGHT + padding, bar + 6)


def _style(chart: alt.LayerChart) -> dict[str, Any]:
    """The look every chart shares. ARIA is off inside the chart: the report wraps each one
    in an image role with its alt text, and per-mark labels would only repeat the table."""
    configured = chart.configure(font=FONT, aria=False,
                                 padding={"left": 5, "top": 5, "right": 40, "bottom": 5})
    return (configured.configure_view(stroke=None)
            .configure_axis(labelFont=FONT, labelFontSize=TEXT_SIZE)
            .configure_legend(labelFont=FONT, labelFontSize=TEXT_SIZE, titleFont=FONT,
                              titleFontSize=TEXT_SIZE, titleColor=INK, labelColor=INK,
                              symbolSize=120)
            .to_dict(validate=False))
