"""Vega-Lite chart specs for the report's figures, drawn offline to SVG and PNG.

The specs are plain dicts, written out here rather than built with a chart library: a
library's object model and validation cost seconds for a dozen small charts, and the JSON
it would emit is fixed by what is below (`tests/test_report_charts.py` holds a few specs
to it). Every spec carries its data inline (never `data.url`) so a chart renders with no network:
SVG in the HTML and PDF reports, PNG in Word. The builders draw rows they are given,
already ordered and formatted by the caller: a chart and the table under it are made from
the same rows, so they cannot disagree. Colours come from `palette`, one for all charts.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import textwrap
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any, Literal

import vl_convert

from hrta.report.palette import (
    BAR,
    DARK_FILLS,
    DIVERGING,
    EMPTY_TILE,
    GRID,
    INK,
    OFF_SCALE,
    ORDERED,
    SEQUENTIAL,
)
from hrta.wording import format_percent

# Arial and Liberation Sans share metrics: labels that vl-convert lays out with either one
# keep their size in the reader's browser, which draws the SVG text itself.
FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
# Word gets pictures: twice the CSS pixel size prints sharp at 6.5 inches wide.
PNG_SCALE = 2.0
# The PDF's pictures: a chart PAGE_WIDTH CSS pixels wide prints 6.8 inches wide, so this
# scale gives at least 200 dots an inch (more for the charts printed narrower).
PRINT_SCALE = 2.0
PRINT_DPI = 200
PRINT_QUALITY = 92
# A chart this many CSS pixels wide fills the printed text width; narrower ones (the map)
# keep their proportion of it in PDF and Word, so type sizes match across charts.
PAGE_WIDTH = 680.0
# Taller charts are narrowed in print so they fit on one page with a caption of up to three
# lines and the paragraph that leads to them (5.5 of the 9.25 inches a Letter page has
# inside its margins): a chart alone on a page would leave its question's text a page of
# its own, which ran the Spanish body to 23 pages.
MAX_HEIGHT = 550.0
MAX_DRAWN = 256
_DRAWN: dict[str, str] = {}
_WARM_UP = {"data": {"values": [{"x": 0}]}, "mark": "point",
            "encoding": {"x": {"field": "x", "type": "quantitative"}}}
_warming: threading.Thread | None = None
_SVG_WIDTH = re.compile(r'<svg[^>]*?\swidth="([\d.]+)"')
_SVG_HEIGHT = re.compile(r'<svg[^>]*?\sheight="([\d.]+)"')

PLOT_WIDTH = 420
LABEL_SIZE = 13
TEXT_SIZE = 12
# Characters per line of an axis label before it wraps: wide enough that most of the
# 30-odd service names take one line, so a list of them fits half a page.
LABEL_WIDTH = 52
LINE_HEIGHT = 14
ROW_PADDING = 5
# Bars keep one thickness whatever their label's lines, so charts look alike.
BAR_SIZE = 13
STACK_SIZE = 24
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

# The Vega-Lite version the specs are written for (vl-convert draws them with its own).
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"

# A Vega-Lite spec as JSON: the one shape charts are passed around in.
ChartSpec = dict[str, Any]


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


def bar_spec(bars: Sequence[Bar], *, description: str, title: str | None = None,
             label_width: int = LABEL_WIDTH, width: int = PLOT_WIDTH) -> ChartSpec:
    """Horizontal bars of percent in the order given, with the percent at each bar's end.
    A small chart (the one-page brief's) takes a narrower plot and shorter label lines."""
    values = [{"label": wrap(b.label, label_width), "percent": b.percent, "text": b.text}
              for b in bars]
    labels = [b.label for b in bars]

    def encoding() -> dict[str, Any]:
        return {"y": _category_axis(labels, label_width), "x": _percent_axis(),
                "tooltip": {"field": "text", "type": "nominal", "title": "Percent"}}

    shared = _described(description, title)
    layers = [{"mark": {"type": "bar", "color": BAR, "size": BAR_SIZE}, **shared,
               "encoding": encoding()},
              _end_text(encoding(), shared)]
    step = _row_step(bars, bar=BAR_SIZE, label_width=label_width)
    return _style({"layer": layers, "data": {"values": values}, "height": {"step": step},
                   "width": width})


def panels_spec(bars: Sequence[Bar], *, panels: Sequence[str], description: str,
                title: str | None = None) -> ChartSpec:
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
    step = _row_step([Bar(label, 0.0, "") for label in labels], bar=PANEL_BAR,
                     padding=PANEL_PADDING)
    width = (PANEL_WIDTH - PANEL_GAP * (len(series) - 1)) // len(series)
    drawn = []
    for index, (name, heading) in enumerate(zip(series, panels, strict=True)):
        values = [{"label": wrap(b.label), "percent": b.percent, "text": b.text}
                  for b in bars if b.series == name]
        first = index == 0

        def encoding(first: bool = first) -> dict[str, Any]:
            return {"y": _category_axis(labels) if first else _unlabelled_rows(labels),
                    "x": {"field": "percent", "type": "quantitative",
                          "scale": {"domain": [0, limit], "nice": False},
                          "axis": {"values": [0, limit / 2, limit],
                                   "labelExpr": "datum.value + '%'", "title": None,
                                   "grid": True, "gridColor": GRID, "labelColor": INK}}}

        drawn.append({
            "layer": [{"mark": {"type": "bar", "color": BAR, "size": PANEL_BAR},
                       "encoding": encoding()},
                      _end_text(encoding(), {})],
            "data": {"values": values}, "height": {"step": step}, "width": width,
            "title": {"text": wrap(heading, max(16, width // 7)).split("\n"),
                      "anchor": "start", "frame": "group", "fontSize": TEXT_SIZE,
                      "fontWeight": "bold", "color": INK, "font": FONT}})
    chart: ChartSpec = {"hconcat": drawn, "spacing": PANEL_GAP, "description": description}
    return _style(chart | ({"title": title} if title else {}))


def agreement_spec(segments: Sequence[Segment], *, description: str,
                   title: str | None = None,
                   sides: tuple[str, str] = ("agree", "disagree")) -> ChartSpec:
    """Diverging stacked bars, one per statement: agreement runs left of the centre line and
    disagreement right, the strongest answers outermost, so the balance of each statement
    reads at a glance; answers off the scale ("I don't know") have a panel of their own.
    `sides` names the two sides under the axis: the scale's own nets ("often", "rarely")
    when it is not an agreement scale."""
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
    fill = {"field": "option", "type": "nominal", "title": None, "sort": options,
            "scale": {"domain": options, "range": [colors[o] for o in options]},
            "legend": {"orient": "top", "columns": len(options), "symbolType": "square"}}
    nets = _net_values(segments, rows)
    # Room past the longest bar for its net's label.
    extent = max([extent, *(abs(v["at"]) + 14 for v in nets)])
    limit = min(120, 20 * -(-extent // 20)) or 20
    step = _row_step(segments, bar=STACK_SIZE)
    off_width = OFF_SCALE_WIDTH if off_values else 0
    left = _stacked(scale_values, rows, fill, domain=[-limit, limit], axis={
        "format": "d", "values": [-min(limit, 100), -min(limit, 100) / 2, 0,
                                  min(limit, 100) / 2, min(limit, 100)],
        "labelExpr": "abs(datum.value) + '%'", "title": f"← {sides[0]} · {sides[1]} →",
        "titleFontWeight": "normal", "titleColor": INK, "grid": True, "gridColor": GRID,
        "labelColor": INK})
    if nets:
        # Each statement's agree net at the left end of its bar and its disagree net at
        # the right end, so the balance reads as numbers too; segments too narrow for a
        # label of their own are in the statement's table.
        ends: tuple[tuple[Literal["right", "left"], int], ...] = (("right", -4), ("left", 4))
        for align, dx in ends:
            beside = [v for v in nets if v["align"] == align]
            if beside:
                left["layer"].append({
                    "data": {"values": beside},
                    "mark": {"type": "text", "fontSize": TEXT_SIZE, "fontWeight": "bold",
                             "color": INK, "baseline": "middle", "align": align, "dx": dx},
                    "encoding": {"y": _category_axis(rows),
                                 "x": {"field": "at", "type": "quantitative"},
                                 "text": {"field": "text", "type": "nominal"}}})
    left["layer"].append({"data": {"values": [{"x": 0}]},
                          "mark": {"type": "rule", "color": INK},
                          "encoding": {"x": {"field": "x", "type": "quantitative"}}})
    left |= {"width": PLOT_WIDTH - off_width, "height": {"step": step}}
    if not off_values:
        return _style(left | {"description": description})
    top = max(v["end"] for v in off_values)
    right = _stacked(off_values, rows, fill, domain=[0, 20 * -(-top // 20) or 20], axis={
        "format": "d", "values": [0, int(20 * -(-top // 20) or 20)],
        "labelExpr": "datum.label + '%'",
        "title": " / ".join(dict.fromkeys(v["option"] for v in off_values)),
        "titleFontWeight": "normal", "titleColor": INK, "grid": False, "labelColor": INK},
        labels=False)
    right |= {"width": off_width - OFF_SCALE_GAP, "height": {"step": step}}
    return _style({"hconcat": [left, right], "spacing": OFF_SCALE_GAP,
                   "description": description})


def stacked_spec(segments: Sequence[Segment], *, description: str,
                 title: str | None = None) -> ChartSpec:
    """Stacked bars from 0 to 100%, one per statement, the options in scale order from the
    left: for a grid whose scale has no agree / disagree sides to diverge about (how often,
    how much). Answers off the scale come last, in grey; segments too narrow for their
    percent leave it to the statement's table."""
    ordered = sorted(segments, key=lambda s: s.position)
    options = list(dict.fromkeys(s.option for s in ordered))
    scale = [o for o in options if any(s.option == o and s.on_scale for s in segments)]
    if len(scale) > max(ORDERED):
        raise ValueError(f"no ordered palette for a {len(scale)}-point scale")
    colors = dict.fromkeys(options, OFF_SCALE)
    colors.update(zip(scale, ORDERED.get(len(scale), ()), strict=True))
    rows = list(dict.fromkeys(s.label for s in segments))
    values: list[dict[str, Any]] = []
    for row in rows:
        start = 0.0
        for segment in (s for s in ordered if s.label == row):
            values.append(_segment_value(segment, start, colors))
            start += segment.percent
    fill = {"field": "option", "type": "nominal", "title": None, "sort": options,
            "scale": {"domain": options, "range": [colors[o] for o in options]},
            "legend": {"orient": "top", "columns": min(len(options), 4),
                       "symbolType": "square"}}
    chart = _stacked(values, rows, fill, domain=[0, 100], axis={
        "format": "d", "values": [0, 25, 50, 75, 100], "labelExpr": "datum.value + '%'",
        "title": None, "grid": True, "gridColor": GRID, "labelColor": INK})
    chart |= {"width": PLOT_WIDTH, "height": {"step": _row_step(segments, bar=STACK_SIZE)}}
    return _style(chart | {"description": description} | ({"title": title} if title else {}))


def _net_values(segments: Sequence[Segment], rows: Sequence[str]) -> list[dict[str, Any]]:
    """The agree and disagree nets of each statement, placed past the ends of its bar."""
    values: list[dict[str, Any]] = []
    for row in rows:
        scale = [s for s in segments if s.label == row and s.on_scale]
        neutral = sum(s.percent for s in scale if s.side == 0)
        for side, align in ((-1, "right"), (1, "left")):
            net = sum(s.percent for s in scale if s.side == side)
            if any(s.side == side for s in scale):
                at = side * (neutral / 2 + net)
                values.append({"label": wrap(row), "at": at, "text": format_percent(net),
                               "align": align})
    return values


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


def _stacked(values: list[dict[str, Any]], rows: Sequence[str], fill: dict[str, Any], *,
             domain: list[float], axis: dict[str, Any], labels: bool = True) -> ChartSpec:
    def rows_axis() -> dict[str, Any]:
        return _category_axis(rows) if labels else _unlabelled_rows(rows)

    bars = {"mark": {"type": "bar", "stroke": "white", "strokeWidth": 1, "size": STACK_SIZE},
            "encoding": {"y": rows_axis(),
                         "x": {"field": "start", "type": "quantitative",
                               "scale": {"domain": domain, "nice": False}, "axis": axis},
                         "x2": {"field": "end"}, "color": fill}}
    if labels:  # percents centred in their segments
        text = {"mark": {"type": "text", "fontSize": TEXT_SIZE, "fontWeight": "bold"},
                "encoding": {"y": rows_axis(), "x": {"field": "mid", "type": "quantitative"},
                             "text": {"field": "text", "type": "nominal"},
                             "color": _ink()}}
    else:  # the panel apart: one bar a row, its percent just past its end
        text = {"mark": {"type": "text", "fontSize": TEXT_SIZE, "align": "left", "dx": 3,
                         "color": INK},
                "encoding": {"y": rows_axis(), "x": {"field": "end", "type": "quantitative"},
                             "text": {"field": "text", "type": "nominal"}}}
    return {"layer": [bars, text], "data": {"values": values}}


def tile_map_spec(tiles: Sequence[MapTile], *, description: str, legend_title: str,
                  title: str | None = None) -> ChartSpec:
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
    def grid(**channels: dict[str, Any]) -> dict[str, Any]:
        return {"x": {"field": "col", "type": "ordinal", "axis": None,
                      "scale": {"domain": list(cols), "paddingInner": TILE_GAP}},
                "y": {"field": "row", "type": "ordinal", "axis": None,
                      "scale": {"domain": list(rows), "paddingInner": TILE_GAP}},
                **channels}

    shade = {"field": "class", "type": "nominal", "title": legend_title, "sort": labels,
             "scale": {"domain": labels, "range": fills},
             "legend": {"orient": "bottom", "direction": "horizontal", "symbolType": "square",
                        "symbolSize": 220, "symbolStrokeColor": GRID}}
    shared = _described(description, title)
    squares = {"mark": {"type": "rect", "cornerRadius": 2}, **shared,
               "encoding": grid(color=shade)}
    codes = {"mark": {"type": "text", "fontSize": TEXT_SIZE, "fontWeight": "bold",
                      "baseline": "bottom", "dy": 1}, **shared,
             "encoding": grid(text={"field": "code", "type": "nominal"}, color=_ink())}
    counts = {"mark": {"type": "text", "fontSize": TEXT_SIZE - 1, "baseline": "top", "dy": 2},
              **shared, "encoding": grid(text={"field": "text", "type": "nominal"},
                                         color=_ink())}
    return _style({"layer": [squares, codes, counts], "data": {"values": values},
                   "resolve": {"scale": {"color": "independent"}},
                   "width": TILE_STEP * len(cols), "height": TILE_STEP * len(rows)})


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


def to_png(spec: ChartSpec, *, scale: float = PNG_SCALE) -> bytes:
    """Render a spec to PNG bytes, offline, for documents that take pictures (Word). Kept
    in the cache folder like the SVGs: rasterising a chart costs about 0.15 s."""
    spec_json = _canonical(spec)
    return _kept(f"png {scale}\n{spec_json}", ".png",
                 lambda: bytes(vl_convert.svg_to_png(_svg(spec_json), scale=scale)))


def to_print(spec: ChartSpec) -> bytes:
    """The chart as a JPEG picture for the PDF, at PRINT_DPI or more where it prints.

    WeasyPrint draws an SVG chart by laying out each of its labels through Pango, which
    cost the PDF about half a second a chart; a JPEG it embeds as it is, with no decoding
    or re-encoding (a PNG it would decode and compress again). At this resolution and
    quality with full-resolution colour the labels print as sharp as type. Kept in the
    cache folder like the SVGs and PNGs."""
    spec_json = _canonical(spec)
    return _kept(f"jpeg {PRINT_SCALE} {PRINT_QUALITY}\n{spec_json}", ".jpg",
                 lambda: bytes(vl_convert.svg_to_jpeg(_svg(spec_json), scale=PRINT_SCALE,
                                                      quality=PRINT_QUALITY)))


def draw_prints(specs: Sequence[ChartSpec]) -> list[bytes]:
    """`to_print` of each spec, two at a time: vl-convert rasterises outside the GIL, so
    on a first run (nothing kept yet) both cores draw."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(to_print, specs))


def svg_size(spec: ChartSpec) -> tuple[float, float]:
    """The chart's intrinsic width and height in CSS pixels."""
    head = _svg(_canonical(spec))[:400]
    width, height = _SVG_WIDTH.search(head), _SVG_HEIGHT.search(head)
    if not width or not height:
        raise ValueError("vl-convert returned an SVG without a size")
    return float(width.group(1)), float(height.group(1))


def print_share(spec: ChartSpec) -> float:
    """The share of the printed text width a chart takes: its own width's proportion of
    the page, narrowed further when it would otherwise be taller than MAX_HEIGHT."""
    width, height = svg_size(spec)
    return min(1.0, width / PAGE_WIDTH, MAX_HEIGHT * width / (PAGE_WIDTH * height))


def to_svg(spec: ChartSpec, *, prefix: str, title: str = "") -> str:
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


def _canonical(spec: ChartSpec) -> str:
    return json.dumps(spec, sort_keys=True, separators=(",", ":"))


def _svg(spec_json: str) -> str:
    """vl-convert's SVG of a spec, kept: the HTML, PDF and Word output of one report draw
    the same charts, and each conversion runs JavaScript (about 0.1 s a chart)."""
    svg = _DRAWN.get(spec_json)
    if svg is None:
        if len(_DRAWN) >= MAX_DRAWN:
            _DRAWN.clear()
        svg = _DRAWN[spec_json] = _drawn_before(spec_json)
    return svg


def _drawn_before(spec_json: str) -> str:
    """The SVG from the cache folder when this spec was drawn by an earlier run (a report
    made again while its discussion is edited draws the same charts), else drawn now and
    kept there."""
    return _kept(spec_json, ".svg",
                 lambda: str(vl_convert.vegalite_to_svg(json.loads(spec_json))).encode()
                 ).decode("utf-8")


def _kept(source: str, suffix: str, make: Callable[[], bytes]) -> bytes:
    """What `make` returns for `source`, from the cache folder when an earlier run made it.
    The key is the source and the vl-convert version; a folder that cannot be written
    only means no cache."""
    folder = _cache_folder()
    version = getattr(vl_convert, "__version__", "")
    key = hashlib.sha256(f"{version}\n{source}".encode()).hexdigest()
    path = folder / f"{key}{suffix}" if folder else None
    if path is not None:
        try:
            return path.read_bytes()
        except OSError:
            pass
    made = make()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            partial.write_bytes(made)
            partial.replace(path)
        except OSError:
            pass
    return made


def _kept_before() -> bool:
    """Whether an earlier run kept any chart in the cache folder."""
    folder = _cache_folder()
    if folder is None:
        return False
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is not None
    except OSError:
        return False


def _cache_folder() -> Path | None:
    from hrta.coding.embedder import cache_dir  # the one setting (HRTA_CACHE_DIR) for both

    embeddings = cache_dir()
    return embeddings.parent / "charts" if embeddings else None


def warm_up() -> None:
    """Start vl-convert's JavaScript runtime on a background thread now, so that the first
    chart does not wait for it: starting takes about half a second, which overlaps with
    whatever the caller does next (importing, analysing, laying out the document), since
    vl-convert runs outside the GIL. Calling it again does nothing.

    Not when the cache folder already holds charts: a report made again finds its charts
    there and needs no runtime, and starting one would take a core from the work that
    decides how long the command takes (about 0.2 s of a PDF's 4); a chart not found pays
    the start when it is drawn."""
    global _warming
    if _warming is None and not _kept_before():
        _warming = threading.Thread(target=vl_convert.vegalite_to_svg, args=(_WARM_UP,),
                                    name="vl-convert warm-up", daemon=True)
        _warming.start()


def draw_all(specs: Sequence[ChartSpec]) -> dict[str, str]:
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


def _described(description: str, title: str | None) -> dict[str, str]:
    """What every layer of a single chart carries: its description, and its title if any
    (one title drawn once for the layered chart)."""
    return {"description": description, **({"title": title} if title else {})}


def _category_axis(labels: Sequence[str], label_width: int = LABEL_WIDTH) -> dict[str, Any]:
    order = list(dict.fromkeys(wrap(label, label_width) for label in labels))
    return {"field": "label", "type": "nominal", "sort": order, "title": None,
            "axis": {"labelExpr": _LABEL_LINES, "labelLimit": 0, "labelFontSize": LABEL_SIZE,
                     "labelColor": INK, "ticks": False, "domain": False, "labelPadding": 6}}


def _unlabelled_rows(labels: Sequence[str]) -> dict[str, Any]:
    """The rows of a panel beside another that already names them."""
    return {"field": "label", "type": "nominal", "sort": [wrap(label) for label in labels],
            "axis": None, "title": None}


def _ink() -> dict[str, Any]:
    """Text colour taken as given from each datum (white on dark fills)."""
    return {"field": "ink", "type": "nominal", "scale": None}


def _percent_axis() -> dict[str, Any]:
    """Zero-based and fitted to the largest bar, so small shares (one state among 33) stay
    readable; every bar carries its percent, so the changing axis cannot mislead."""
    return {"field": "percent", "type": "quantitative",
            "axis": {"format": "d", "tickMinStep": 1, "tickCount": 5,
                     "labelExpr": "datum.label + '%'", "title": None, "grid": True,
                     "gridColor": GRID, "labelColor": INK},
            "scale": {"zero": True, "nice": True}}


def _end_text(encoding: dict[str, Any], shared: dict[str, str]) -> dict[str, Any]:
    """The layer of percents just past the end of each bar."""
    return {"mark": {"type": "text", "align": "left", "baseline": "middle", "dx": 4,
                     "fontSize": TEXT_SIZE, "color": INK}, **shared,
            "encoding": encoding | {"text": {"field": "text", "type": "nominal"}}}


def _row_step(rows: Sequence[Bar | Segment], *, bar: int, padding: int = ROW_PADDING,
              label_width: int = LABEL_WIDTH) -> int:
    """The band step that fits every row's wrapped label and its bar."""
    lines = max((wrap(r.label, label_width).count("\n") + 1 for r in rows), default=1)
    return max(lines * LINE_HEIGHT + padding, bar + 6)


def _style(chart: ChartSpec) -> ChartSpec:
    """The look every chart shares. ARIA is off inside the chart: the report wraps each one
    in an image role with its alt text, and per-mark labels would only repeat the table.
    The view's continuous size is Vega-Lite's usual default, stated so every spec says it."""
    config = {"font": FONT, "aria": False,
              "padding": {"left": 5, "top": 5, "right": 40, "bottom": 5},
              "view": {"continuousWidth": 300, "continuousHeight": 300, "stroke": None},
              "axis": {"labelFont": FONT, "labelFontSize": TEXT_SIZE},
              "legend": {"labelFont": FONT, "labelFontSize": TEXT_SIZE, "titleFont": FONT,
                         "titleFontSize": TEXT_SIZE, "titleColor": INK, "labelColor": INK,
                         "symbolSize": 120}}
    return {"config": config, **chart, "$schema": SCHEMA}
