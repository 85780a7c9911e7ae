"""The dashboard's figures: the report's own figures, with small counts hidden in
filtered views.

The whole wave is drawn exactly as the published report draws it (hrta.report.items
builds each figure's chart and tables from Findings). A filtered view is a small group of
respondents, so there each count is checked with hrta.analysis.suppression, as for the
report's subgroup comparisons: a figure with nothing to hide is again the report's own; a
figure with hidden counts gets tables that say "hidden" in place of those numbers, and a
chart only of what is shown (bar charts) or none. Numbers are never computed here: they
are read from Findings and formatted with the report's own formatting.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from django.core.cache import cache
from django.utils.translation import gettext as _

from hrta.analysis.suppression import suppress
from hrta.findings.model import ClosedQuestion, Findings, MatrixStatement, SectionItem
from hrta.findings.proportion import Proportion
from hrta.instrument.schema import Instrument
from hrta.report import charts
from hrta.report.document import Chart, Column, Figure, Listing, OtherTexts, Row, Table
from hrta.report.formatting import clean_text, format_count, format_interval, format_percent
from hrta.report.items import MAX_LISTED, SPARSE_OPTIONS, alt_text, build_item, max_choices_note
from hrta.report.lookup import (
    anchor,
    caption,
    closed,
    known_percent,
    ordered,
    other_texts,
    question_label,
)
from hrta.report.themes import Quote, write_ins
from hrta.report.worded import in_wording
from hrta.report.words import Words, report_words

Block = Figure | Listing
CHART_SECONDS = 60 * 60


@dataclass(frozen=True)
class Part:
    """One section of the findings as the dashboard shows it."""

    id: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ScreenedTexts(OtherTexts):
    """A question's write-ins as the dashboard lists them, screened for names as the report
    screens them (hrta.report.themes): one held back is listed by its id, without its text."""

    held: tuple[str, ...] = ()  # per text: the write-in's id when held back, else ""

    @property
    def listed(self) -> list[tuple[str, str]]:
        """(text, id) per write-in: the text when shown, the id when held back."""
        return list(zip(self.texts, self.held, strict=True))


def findings_parts(findings: Findings, *, threshold: int | None, language: str | None = None,
                   instrument: Instrument | None = None,
                   released: frozenset[str] = frozenset(),
                   whole: Findings | None = None) -> list[Part]:
    """Every figure, table and listing of the report's findings, section by section.

    `threshold` None draws the whole wave as published; a number hides counts below it
    (and the counts that would give them away), as in a filtered view. In `language`
    (the page's), captions, notes and charts read as the report in that language does,
    and questions and options as `instrument`, the questionnaire in it, words them.
    Write-ins are screened for names, and `released` (ids an analyst released) let
    through, as in the report; in a filtered view, `whole` is the whole wave's Findings,
    whose ids name the write-ins (the release page lists those).
    """
    words = report_words(language)
    if instrument is not None:
        findings = in_wording(findings, instrument)
    parts = []
    for section in findings.sections:
        blocks = tuple(screened_others(_block(item, findings, threshold, words), findings,
                                       released, whole)
                       for item in section.items)
        parts.append(Part(section.id, section.title, blocks))
    return parts


def screened_others(block: Block, findings: Findings, released: frozenset[str],
                    whole: Findings | None = None) -> Block:
    """The block with its write-ins screened (ScreenedTexts): the same screen and releases
    as the report's (hrta.report.appendix.screened_write_ins)."""
    if not isinstance(block, Figure) or not block.others:
        return block
    return replace(block, others=tuple(_screened(other, findings, released, whole)
                                       for other in block.others))


def _screened(other: OtherTexts, findings: Findings, released: frozenset[str],
              whole: Findings | None) -> ScreenedTexts:
    entry = findings.questions[other.qid]
    in_wave = whole.questions.get(other.qid) if whole is not None else None
    if in_wave is None:
        quotes = write_ins(other.qid, entry, released, listed=len(other.texts))
    else:
        # A filtered view's write-ins are a few of the wave's: each is named, and released,
        # as the same text is among the wave's, which the release page lists.
        quotes = _as_in_wave(write_ins(other.qid, entry, listed=len(other.texts)),
                             write_ins(other.qid, in_wave, released))
    held = tuple(quote.id if quote.withheld else "" for quote in quotes)
    texts = tuple("" if gone else text for text, gone in zip(other.texts, held, strict=True))
    return ScreenedTexts(other.question, texts, other.total, other.qid,
                         sum(1 for gone in held if gone), held=held)


def _as_in_wave(quotes: Sequence[Quote], wave: Sequence[Quote]) -> list[Quote]:
    by_text: dict[str, list[Quote]] = {}
    for quote in wave:
        by_text.setdefault(quote.text, []).append(quote)
    named = []
    for quote in quotes:
        same = by_text.get(quote.text, [])
        shown = next((q for q in same if not q.withheld), None)
        named.append(shown or (same[0] if same else quote))
    return named


def too_few(findings: Findings, threshold: int | None) -> bool:
    """A filtered view of fewer eligible respondents than the threshold shows no numbers."""
    eligible = findings.responses.eligible
    return threshold is not None and 0 < eligible < threshold


def _block(item: SectionItem, findings: Findings, threshold: int | None,
           words: Words) -> Block:
    if threshold is None or item.kind == "open_ended":
        return build_item(item, findings, words=words)
    entries = [(qid, closed(findings, qid)) for qid in _entry_ids(item, findings)]
    hidden = {qid: hidden_options(entry, threshold) for qid, entry in entries}
    if not any(any(mask.values()) for mask in hidden.values()):
        return build_item(item, findings, words=words)
    return _suppressed_figure(item, findings, entries, hidden, threshold, words)


def _entry_ids(item: SectionItem, findings: Findings) -> list[str]:
    """The Findings question entries an item draws: each question, or a grid's statements."""
    ids: list[str] = []
    for qid in item.questions:
        matrix = findings.matrices.get(qid)
        ids.extend(matrix.statements if matrix else [qid])
    return ids


def hidden_options(entry: ClosedQuestion, threshold: int) -> dict[str, bool]:
    """Option id -> whether its count is hidden, for one question (or statement) of a
    filtered view: the view is one group, so its n is the column total."""
    keys = list(entry.options)
    if not keys:
        return {}
    counts = np.array([entry.options[key].count for key in keys])[:, None]
    mask = suppress(counts, np.array([entry.n]), threshold=threshold,
                    columns_sum_to_n=entry.type in ("single", "matrix_statement"))
    return {key: bool(gone) for key, gone in zip(keys, mask[:, 0], strict=True)}


def _suppressed_figure(item: SectionItem, findings: Findings,
                       entries: Sequence[tuple[str, ClosedQuestion]],
                       hidden: dict[str, dict[str, bool]], threshold: int,
                       words: Words) -> Figure:
    several = len(entries) > 1
    tables = tuple(_table(qid, entry, hidden[qid], several, findings)
                   for qid, entry in entries)
    notes = [_("“hidden”: fewer than %(threshold)s respondents, or a count that would let "
               "such a small count be worked out.") % {"threshold": threshold}]
    for _qid, entry in entries:
        notes.extend(note for note in max_choices_note(entry, words=words)
                     if note not in notes)
    chart = None
    if item.kind == "figure":
        chart = _shown_bars(item, entries, hidden, words)
        notes.append(_("Options with hidden counts are left out of the chart.") if chart
                     else _("The chart is left out because some of its counts are hidden; "
                            "the tables show the rest."))
    others = tuple(
        OtherTexts(entry.title, tuple(clean_text(t) for t in texts[:MAX_LISTED]), len(texts),
                   qid)
        for qid, entry in entries if (texts := other_texts(entry)) and not any(
            hidden[qid].get(key) for key, option in entry.options.items() if option.other))
    return Figure(item.kind, anchor(item), caption(item, findings, words=words), chart=chart,
                  tables=tables, notes=tuple(notes), others=others)


def _cells(option: Proportion, gone: bool) -> tuple[str, ...]:
    if gone:
        word = _("hidden")
        return (word, word, word)
    return (format_count(option.count), format_percent(option.percent),
            format_interval(option.ci_low, option.ci_high))


def _table(qid: str, entry: ClosedQuestion, hidden: dict[str, bool], several: bool,
           findings: Findings) -> Table:
    columns = (Column(_("Count")), Column(_("Percent")), Column(_("95% CI")))
    named = f"{question_label(findings, qid)} (n={format_count(entry.n)})" if several else ""
    if entry.n == 0:
        return Table(columns, (), caption=named,
                     empty=_("No eligible respondent in this view answered this question."))
    # Survey order, not by count: ranked rows would tell which hidden count is larger.
    pairs = list(entry.options.items())
    if entry.type == "single" and len(pairs) >= SPARSE_OPTIONS:
        # Who answered (state, role): list only options someone in the view chose, as the
        # whole wave's figure does, not fifty rows of zeros.
        pairs = [(key, option) for key, option in pairs if option.count > 0]
    rows = [Row(clean_text(option.label), _cells(option, hidden.get(key, False)))
            for key, option in pairs]
    nets = entry.nets if isinstance(entry, MatrixStatement) else {}
    for net in nets.values():
        gone = any(hidden.get(key, False) for key in net.options)
        rows.append(Row(clean_text(net.label), _cells(net, gone), total=True))
    return Table(columns, tuple(rows), stub=_("Option"), caption=named)


def _shown_bars(item: SectionItem, entries: Sequence[tuple[str, ClosedQuestion]],
                hidden: dict[str, dict[str, bool]], words: Words) -> Chart | None:
    """A bar chart of the options shown, for a one-question bar figure; else None."""
    if len(entries) != 1 or item.chart not in (None, "bar"):
        return None
    qid, entry = entries[0]
    if entry.type not in ("single", "multi"):
        return None
    pairs = [(key, option) for key, option in ordered(entry) if not hidden[qid].get(key)]
    if entry.type == "single" and len(entry.options) >= SPARSE_OPTIONS:
        pairs = [(key, option) for key, option in pairs if option.count > 0]
    if not pairs:
        return None
    bars = [charts.Bar(clean_text(o.label), known_percent(o), format_percent(o.percent))
            for _key, o in pairs]
    alt = alt_text(item.title, words("chart.bars_shown"), [(b.label, b.text) for b in bars],
                   words=words)
    return Chart(charts.bar_spec(bars, description=alt), alt)


def chart_svg(block: Block) -> str | None:
    """The figure's chart as SVG markup, drawn offline by the report's own renderer, kept
    in the database cache under what it draws: a wave's charts are drawn once, by the
    worker that makes its Findings (hrta.web.tasks.runners.findings), not on first view."""
    chart: Chart | None = getattr(block, "chart", None)
    if chart is None:
        return None
    key = chart_key(block.anchor, chart)
    svg = cache.get(key)
    if not isinstance(svg, str):
        svg = charts.to_svg(chart.spec, prefix=block.anchor)
        cache.set(key, svg, CHART_SECONDS)
    return svg


def chart_key(anchor: str, chart: Chart) -> str:
    """The cache key of a figure's chart: its spec and anchor, so a changed chart is a new
    entry and an unchanged one is shared by every view that shows it."""
    spec = json.dumps(chart.spec, sort_keys=True, separators=(",", ":"))
    return "hrta:chart:" + hashlib.sha256(f"{anchor}\n{spec}".encode()).hexdigest()


def find_block(parts: Sequence[Part], name: str) -> Block | None:
    for part in parts:
        for block in part.blocks:
            if block.anchor == name:
                return block
    return None
