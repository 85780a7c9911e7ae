"""The figures, tables and open-ended listings of the findings, from Findings' layout.

Each figure's chart and its tables are built from the same rows, so they always agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from hrta.findings.model import (
    ClosedQuestion,
    Findings,
    MatrixStatement,
    SectionItem,
)
from hrta.findings.proportion import Proportion, WeightedProportion
from hrta.report import charts
from hrta.report.document import Chart, Column, Figure, Listing, OtherTexts, Row, Table
from hrta.report.formatting import (
    DASH,
    clean_text,
    format_count,
    format_interval,
    format_percent,
    whole,
)
from hrta.report.lookup import (
    Option,
    anchor,
    caption,
    closed,
    is_weighted,
    known_percent,
    max_choices,
    open_ended,
    ordered,
    other_texts,
    reference,
    represented,
    statement,
    weighted,
)
from hrta.report.tiles import tile_for
from hrta.report.words import Words, report_words

# In English, for the pages that draw a figure outside a report (its language: the catalog).
NO_ANSWERS = report_words()("narrative.item.no_answers")
# Single-choice questions with this many options or more (state, role) describe who
# answered: their chart leaves out options nobody chose, or it would be mostly empty rows.
SPARSE_OPTIONS = 10
# Percent labels inside narrower agreement segments would not fit, so they are left out
# (the tables under the chart give every percent).
MIN_SEGMENT_LABEL = 12.0
ALT_TEXT_OPTIONS = 5
# A wave of 100,000 responses has tens of thousands of open-ended answers: a printed report
# lists the first ones and says how many more there are (all are in the Findings JSON).
MAX_LISTED = 200


def build_item(item: SectionItem, findings: Findings,
               *, words: Words | None = None) -> Figure | Listing:
    w = words or report_words()
    if item.kind == "open_ended":
        return _listing(item, findings, w)
    if item.kind == "table":
        return _table_item(item, findings, w)
    if not any(item.n.values()):
        # One place for every chart kind: nobody answered, so there is nothing to draw.
        return Figure("figure", anchor(item), caption(item, findings, words=w),
                      empty=w("narrative.item.no_answers"))
    if _is_state_map(item, findings):
        return _map_figure(item, findings, w)
    builders: dict[str | None, Callable[[SectionItem, Findings, Words], Figure]] = {
        "grouped": _grouped_figure, "continuum": _grouped_figure, "agreement": _agreement_figure}
    return builders.get(item.chart, _bar_figure)(item, findings, w)


# Table cells ------------------------------------------------------------------------------

def describes_respondents(findings: Findings, qid: str) -> bool:
    """Whether a question tells who answered (the report's first section, e.g. states,
    roles, organization types): its percents describe the respondents themselves, so
    no interval goes with them — an interval would claim a population they estimate."""
    sections = findings.sections
    return len(sections) > 1 and any(qid in item.questions or qid in item.rows
                                     for item in sections[0].items)


def _columns(findings: Findings, qids: Sequence[str], words: Words,
             group: str = "") -> tuple[Column, ...]:
    """Count, percent and interval; weighted ones beside them when any question has weights.
    Questions describing the respondents get no interval columns."""
    interval = not all(describes_respondents(findings, qid) for qid in qids)
    columns = [Column(words("narrative.item.count"), group),
               Column(words("narrative.item.percent"), group)]
    columns += [Column(words("narrative.item.ci"), group)] if interval else []
    if any(is_weighted(findings, qid) for qid in qids):
        columns += [Column(words("narrative.item.weighted"), group)]
        columns += [Column(words("narrative.item.weighted_ci"), group)] if interval else []
    return tuple(columns)


def _cells(option: Proportion | None, findings: Findings, qid: str, key: str | None,
           weights: bool, *, net: bool = False) -> tuple[str, ...]:
    """Count, percent and interval, then (with `weights`) the weighted estimate of option
    `key` (of net `key` when `net`); a key of None has no weighted estimate to show."""
    interval = not describes_respondents(findings, qid)
    if option is None:
        cells = [DASH, DASH] + ([DASH] if interval else [])
    else:
        cells = [format_count(option.count), format_percent(option.percent)]
        cells += [format_interval(option.ci_low, option.ci_high)] if interval else []
    if weights:
        estimate = (_weighted_net(findings, qid, key) if net else weighted(findings, qid, key)
                    ) if key is not None else None
        cells.append(format_percent(estimate.percent) if estimate else DASH)
        if interval:
            cells.append(format_interval(estimate.ci_low, estimate.ci_high) if estimate
                         else DASH)
    return tuple(cells)


def _weighted_net(findings: Findings, qid: str, net_id: str) -> WeightedProportion | None:
    """A statement's weighted net (`agree`, `disagree`), keyed by the net's own id."""
    question = findings.weighting.questions.get(qid) if findings.weighting else None
    return (question.nets or {}).get(net_id) if question else None


def _option_table(qid: str, pairs: Sequence[Option], findings: Findings, words: Words,
                  *, caption_text: str = "") -> Table:
    columns = _columns(findings, [qid], words)
    weights = is_weighted(findings, qid)
    rows = tuple(Row(clean_text(o.label), _cells(o, findings, qid, key, weights))
                 for key, o in pairs)
    return Table(columns, rows, caption=caption_text)


def _others(qids: Sequence[str], findings: Findings) -> tuple[OtherTexts, ...]:
    entries = [(qid, closed(findings, qid)) for qid in qids]
    return tuple(OtherTexts(e.title, _listed(texts), len(texts), qid)
                 for qid, e in entries if (texts := other_texts(e)))


def _listed(texts: Sequence[str]) -> tuple[str, ...]:
    return tuple(clean_text(t) for t in texts[:MAX_LISTED])


def alt_text(title: str, kind: str, labelled: Sequence[tuple[str, str]],
             *, words: Words | None = None) -> str:
    """Title, chart type and the first few values; the table under the chart has them all."""
    w = words or report_words()
    shown = "; ".join(f"{label}: {value}" for label, value in labelled[:ALT_TEXT_OPTIONS])
    more = len(labelled) - ALT_TEXT_OPTIONS
    rest = w("narrative.item.alt_more", more=more) if more > 0 else ""
    return w("narrative.item.alt", title=title, kind=kind, shown=shown, rest=rest)


ROUNDING_NOTE = report_words()("narrative.item.rounding")


def rounding_note(entries: Sequence[ClosedQuestion],
                  *, words: Words | None = None) -> tuple[str, ...]:
    """A note when the rounded percents shown of a single answer per respondent (a
    single-choice question, a rated statement) do not add up to 100."""
    for entry in entries:
        if entry.type == "multi" or not entry.n:
            continue
        shown = [whole(o.percent) for o in entry.options.values() if o.percent is not None]
        if sum(shown) != 100:
            return ((words or report_words())("narrative.item.rounding"),)
    return ()


def max_choices_note(entry: ClosedQuestion, *, words: Words | None = None) -> tuple[str, ...]:
    w = words or report_words()
    limit = max_choices(entry)
    if entry.type != "multi":
        return ()
    if limit:
        return (w("narrative.item.up_to", limit=limit, most=100 * limit),)
    return (w("narrative.item.several"),)


# Figures ---------------------------------------------------------------------------------

def _bar_figure(item: SectionItem, findings: Findings, words: Words) -> Figure:
    qid = item.questions[0]
    entry = closed(findings, qid)
    where, text = anchor(item), caption(item, findings, words=words)
    pairs = ordered(entry)
    sparse = entry.type == "single" and len(pairs) >= SPARSE_OPTIONS
    drawn = [(k, o) for k, o in pairs if o.count > 0] if sparse else pairs
    bars = [charts.Bar(clean_text(o.label), known_percent(o), format_percent(o.percent))
            for _, o in drawn]
    alt = alt_text(item.title, words("narrative.item.bar_kind"),
                   [(b.label, b.text) for b in bars], words=words)
    notes = [*max_choices_note(entry, words=words), *rounding_note([entry], words=words)]
    if len(drawn) < len(pairs):
        notes.append(words("narrative.item.left_out"))
    return Figure("figure", where, text, chart=Chart(charts.bar_spec(bars, description=alt), alt),
                  tables=(_option_table(qid, pairs, findings, words),), notes=tuple(notes),
                  others=_others([qid], findings))


def _is_state_map(item: SectionItem, findings: Findings) -> bool:
    """A one-question figure of states (an option list with Census regions) is a map."""
    return (item.kind == "figure" and len(item.questions) == 1
            and represented(findings, item.questions[0]) is not None)


def _map_figure(item: SectionItem, findings: Findings, words: Words) -> Figure:
    qid = item.questions[0]
    entry = closed(findings, qid)
    where, text = anchor(item), caption(item, findings, words=words)
    pairs = ordered(entry)
    placed = {key: tile_for(key, o.label) for key, o in pairs}
    tiles = [charts.MapTile(tile.code, tile.row, tile.col, o.count,
                            format_count(o.count) if o.count else "")
             for key, o in pairs if (tile := placed[key]) is not None]
    chosen = [(k, o) for k, o in pairs if o.count > 0]
    alt = alt_text(item.title, words("narrative.item.map_kind"),
                   [(clean_text(o.label), format_count(o.count)) for _, o in chosen], words=words)
    spec = charts.tile_map_spec(tiles, description=alt,
                                legend_title=words("narrative.item.map_legend"))
    notes = [words("narrative.item.map_note",
                   states=format_count(represented(findings, qid) or 0))]
    unplaced = [clean_text(o.label) for k, o in chosen if placed[k] is None]
    if unplaced:
        notes.append(words("narrative.item.unplaced", names=", ".join(unplaced)))
    return Figure("figure", where, text, chart=Chart(spec, alt),
                  tables=(_option_table(qid, chosen, findings, words),), notes=tuple(notes),
                  others=_others([qid], findings))


def _grouped_figure(item: SectionItem, findings: Findings, words: Words) -> Figure:
    qids = item.questions
    entries = [closed(findings, qid) for qid in qids]
    where, text = anchor(item), caption(item, findings, words=words)
    answered = [e for e in entries if e.n > 0]
    # The first question answered sets the order (e.g. services provided directly).
    keys = [key for key, _ in ordered(answered[0])]
    keys += [key for e in entries for key in e.options if key not in keys]
    bars = [charts.Bar(clean_text(e.options[key].label), known_percent(e.options[key]),
                       format_percent(e.options[key].percent), series=e.title)
            for key in keys for e in answered if key in e.options]
    alt = alt_text(
        item.title, words("narrative.item.panels_kind",
                          titles=words.join([e.title.lower() for e in answered]),
                          first=answered[0].title.lower()),
        [(f"{b.label} ({b.series.lower()})", b.text) for b in bars], words=words)
    headers = [f"{e.title} (n={format_count(e.n)})" for e in entries]
    panels = [f"{e.title} (n={format_count(e.n)})" for e in answered]
    notes = tuple(f"{e.title}: {words('narrative.item.no_answers')}"
                  for e in entries if e.n == 0)
    notes += max_choices_note(answered[0], words=words)
    chart = Chart(charts.panels_spec(bars, panels=panels, description=alt), alt)
    if item.chart == "continuum":
        # The questions' own figures give counts, intervals and "Other" texts; this table
        # gives what the panels show, one narrow column per question.
        shown_in = words.join([reference(other, words=words)
                               for other in _items_with(qids, findings)
                               if other is not item and reference(other)])
        if shown_in:
            notes += (words("narrative.item.shown_in", figures=shown_in),)
        return Figure("figure", where, text, chart=chart,
                      tables=(_percent_table(keys, qids, entries, headers, findings, words),),
                      notes=notes)
    columns = tuple(column for header in headers
                    for column in _columns(findings, qids, words, header))
    weights = any(is_weighted(findings, qid) for qid in qids)
    rows = tuple(_grouped_row(key, qids, entries, findings, weights) for key in keys)
    return Figure("figure", where, text, chart=chart, tables=(Table(columns, rows),),
                  notes=notes, others=_others(qids, findings))


def _items_with(qids: Sequence[str], findings: Findings) -> list[SectionItem]:
    """The report's items that draw any of these questions, in order."""
    return [item for section in findings.sections for item in section.items
            if set(item.questions) & set(qids)]


def _percent_table(keys: Sequence[str], qids: Sequence[str], entries: Sequence[ClosedQuestion],
                   headers: Sequence[str], findings: Findings, words: Words) -> Table:
    """Each option's percent for each question (and weighted percent, when weighted)."""
    weights = any(is_weighted(findings, qid) for qid in qids)
    columns = tuple(column for header in headers for column in (
        (Column(words("narrative.item.percent"), header),
         Column(words("narrative.item.weighted"), header)) if weights
        else (Column(header),)))
    rows = []
    for key in keys:
        label = next(e.options[key].label for e in entries if key in e.options)
        cells: list[str] = []
        for qid, entry in zip(qids, entries, strict=True):
            option = entry.options.get(key)
            cells.append(format_percent(option.percent) if option else DASH)
            if weights:
                estimate = weighted(findings, qid, key)
                cells.append(format_percent(estimate.percent) if estimate else DASH)
        rows.append(Row(clean_text(label), tuple(cells)))
    return Table(columns, tuple(rows))


def _grouped_row(key: str, qids: Sequence[str], entries: Sequence[ClosedQuestion],
                 findings: Findings, weights: bool) -> Row:
    label = next(e.options[key].label for e in entries if key in e.options)
    cells = tuple(cell for qid, e in zip(qids, entries, strict=True)
                  for cell in _cells(e.options.get(key), findings, qid, key, weights))
    return Row(clean_text(label), cells)


def _agreement_figure(item: SectionItem, findings: Findings, words: Words) -> Figure:
    statements = [(qid, statement(findings, qid)) for qid in item.rows]
    where, text = anchor(item), caption(item, findings, words=words)
    if not _two_sided(rated for _, rated in statements):
        return _stacked_figure(item, findings, [rated for _, rated in statements], words)
    segments = [s for _, rated in statements for s in _segments(rated)]
    nets = [(statement_label(s), s.nets) for _, s in statements if s.n > 0]
    # The chart names the scale's two sides by its nets' ids: agree and disagree, often
    # and rarely, satisfied and dissatisfied (a drafted instrument's nets).
    ids = list(next(s.nets for _, s in statements if len(s.nets) > 1))
    sides = (ids[0].replace("_", " "), ids[-1].replace("_", " "))
    alt = alt_text(
        item.title, _agreement_kind(segments, sides, words),
        [(label, ", ".join(f"{net.label.lower()} {format_percent(net.percent)}"
                           for net in net_set.values())) for label, net_set in nets],
        words=words)
    named = tuple(words(f"narrative.item.side.{side}")
                  if f"narrative.item.side.{side}" in words.messages else side for side in sides)
    spec = charts.agreement_spec(segments, description=alt, sides=(named[0], named[1]))
    # A statement nobody rated has no row in the chart and no table; a note says so.
    tables = tuple(_statement_table(qid, s, findings, words) for qid, s in statements if s.n)
    notes = (*(words("narrative.item.unrated", text=s.text) for _, s in statements
               if s.n == 0), *rounding_note([s for _, s in statements], words=words))
    return Figure("figure", where, text, chart=Chart(spec, alt), tables=tables, notes=notes)


def _two_sided(statements: Iterable[MatrixStatement]) -> bool:
    """Whether a grid's scale has two sides to diverge about (agree and disagree, often
    and rarely): its first and last nets."""
    return any(len(s.nets) > 1 for s in statements if s.n)


def _stacked_figure(item: SectionItem, findings: Findings,
                    statements: Sequence[MatrixStatement], words: Words) -> Figure:
    """A grid whose scale has no two sides (how much, a scale without nets): a stacked bar
    per statement in scale order, with its n; the tables give every percent."""
    segments = []
    for rated in statements:
        if rated.n == 0:
            continue
        for position, option in enumerate(rated.options.values()):
            percent = known_percent(option)
            segments.append(charts.Segment(
                statement_label(rated), option.label, position, percent,
                format_percent(option.percent) if percent >= MIN_SEGMENT_LABEL else ""))
    scale = list(dict.fromkeys(s.option for s in segments))
    alt = alt_text(
        item.title, words("narrative.item.stacked_kind", first=scale[0], last=scale[-1]),
        [(statement_label(rated), ", ".join(f"{o.label} {format_percent(o.percent)}"
                                             for o in rated.options.values()))
         for rated in statements if rated.n], words=words)
    spec = charts.stacked_spec(segments, description=alt)
    tables = tuple(_statement_table(qid, s, findings, words)
                   for qid, s in zip(item.rows, statements, strict=True) if s.n)
    notes = (*(words("narrative.item.unrated", text=s.text) for s in statements if s.n == 0),
             *rounding_note(statements, words=words))
    return Figure("figure", anchor(item), caption(item, findings, words=words),
                  chart=Chart(spec, alt), tables=tables, notes=notes)


def _agreement_kind(segments: Sequence[charts.Segment], sides: tuple[str, str],
                    words: Words) -> str:
    scale = list(dict.fromkeys(s.option for s in segments if s.on_scale))
    apart = list(dict.fromkeys(s.option for s in segments if not s.on_scale))
    left, right = ((words("narrative.item.agreement"), words("narrative.item.disagreement"))
                   if sides == ("agree", "disagree") else sides)
    kind = words("narrative.item.diverging_kind", first=scale[0], last=scale[-1], left=left,
                 right=right).lower()
    beside = words("narrative.item.apart", apart=f" {words('and')} ".join(apart))
    return kind.capitalize() + (beside if apart else "")


def statement_label(statement: MatrixStatement, *, words: Words | None = None) -> str:
    return f"{statement.text} (n={format_count(statement.n)})"


def _segments(statement: MatrixStatement) -> list[charts.Segment]:
    """The scale options in order (those counted in a net), then the rest, e.g. don't know."""
    if statement.n == 0:
        return []
    nets = list(statement.nets.values())
    on_scale = {key for net in nets for key in net.options}
    # The first net (agree) runs left of the centre line, the last (disagree) right.
    side = {key: -1 for key in nets[0].options} if nets else {}
    side.update({key: 1 for key in nets[-1].options} if len(nets) > 1 else {})
    keys = list(statement.options)
    keys = [k for k in keys if k in on_scale] + [k for k in keys if k not in on_scale]
    label = statement_label(statement)
    segments = []
    for position, key in enumerate(keys):
        option = statement.options[key]
        percent = known_percent(option)
        # Off-scale answers are drawn apart, their percent beside the bar: always room.
        shown = percent >= MIN_SEGMENT_LABEL or key not in on_scale
        segments.append(charts.Segment(
            label, option.label, position, percent,
            format_percent(option.percent) if shown else "", on_scale=key in on_scale,
            side=side.get(key, 0)))
    return segments


def _statement_table(qid: str, statement: MatrixStatement, findings: Findings,
                     words: Words) -> Table:
    columns = _columns(findings, [qid], words)
    weights = is_weighted(findings, qid)
    rows = [Row(o.label, _cells(o, findings, qid, key, weights))
            for key, o in statement.options.items()]
    rows += [Row(net.label, _cells(net, findings, qid, key, weights, net=True), total=True)
             for key, net in statement.nets.items()]
    return Table(columns, tuple(rows), caption=statement_label(statement))


def _table_item(item: SectionItem, findings: Findings, words: Words) -> Figure:
    tables = []
    for qid in item.questions:
        entry = closed(findings, qid)
        named = entry.title if len(item.questions) > 1 else ""
        if entry.n:
            tables.append(_option_table(qid, ordered(entry), findings, words,
                                        caption_text=named))
        else:
            tables.append(Table(_columns(findings, [qid], words), (), caption=named,
                                empty=words("narrative.item.no_answers")))
    notes = (*(note for qid in item.questions
               for note in max_choices_note(closed(findings, qid), words=words)),
             *rounding_note([closed(findings, qid) for qid in item.questions], words=words))
    return Figure("table", anchor(item), caption(item, findings, words=words),
                  tables=tuple(tables),
                  notes=notes, others=_others(item.questions, findings))


def _listing(item: SectionItem, findings: Findings, words: Words) -> Listing:
    entry = open_ended(findings, item.questions[0])
    answers = entry.answers
    return Listing(anchor(item), caption(item, findings, words=words),
                   prompt=clean_text(entry.text), answers=_listed(answers), total=len(answers),
                   empty="" if entry.n else words("narrative.item.no_answers"))
