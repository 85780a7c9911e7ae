"""The optional chapter on change since an earlier wave, drawn when Findings carry `trend`.

The analysis computes each difference and its interval; this module lays them out and
names the changes whose 95% interval leaves out zero.
"""

from __future__ import annotations

from hrta.findings.model import (
    Fielded,
    Findings,
    OptionChange,
    QuestionChange,
    TextQuestion,
    Trend,
)
from hrta.report.document import Block, Column, Figure, Row, Section, Table, paragraph
from hrta.report.formatting import (
    DASH,
    capitalize,
    clean_text,
    format_bound,
    format_count,
    format_percent,
    format_points,
    in_sentence,
)
from hrta.report.lookup import question_label
from hrta.report.narrative import day_of
from hrta.report.words import Words, report_words


def trend_section(findings: Findings, *, words: Words | None = None) -> Section | None:
    w = words or report_words()
    trend = findings.trend
    if not trend:
        return None
    before = earlier_wave(trend, words=w)
    trend = _drawn_only(trend, findings)
    blocks: list[Block] = [paragraph(w(
        "trend.intro", fielded=_fielded(findings.fielded, w), before=before,
        fielded_before=_fielded(trend.fielded_before, w)))]
    blocks.append(paragraph(" ".join(trend_sentences(trend, findings, words=w)), role="lead"))
    # Every question gets a line; only those that changed get their full table, as in the
    # comparisons chapter (forty-odd tables of unchanged shares would bury the changes).
    blocks.append(_overview_figure(trend, before, findings, w))
    moved = [(qid, q) for qid, q in trend.questions.items()
             if any(_beyond_chance(c) for c in q.options.values())]
    if moved:
        blocks.append(paragraph(w("trend.tables_note", questions=w.count(
            "compare.question", len(moved), number=f"{len(moved):,}")), role="note"))
    elif trend.questions:
        blocks.append(paragraph(w("trend.none_note"), role="note"))
    for index, (qid, question) in enumerate(moved, start=1):
        blocks.append(_trend_figure(index, qid, question, before, findings, w))
    return Section("trend", w("trend.title", before=before), tuple(blocks))


def earlier_wave(trend: Trend, *, words: Words | None = None) -> str:
    """The earlier wave's name as the analyst gave it, else "the earlier wave": a file
    name (`responses_2021_final(2).csv`) tells a reader nothing."""
    if trend.label:
        return clean_text(trend.label)
    return (words or report_words())("trend.earlier")


def _fielded(fielded: Fielded | None, words: Words) -> str:
    """' (fielded May 16 to June 3, 2022)', or nothing when the export had no dates."""
    if not fielded:
        return ""
    first, last = day_of(fielded.first, words), day_of(fielded.last, words)
    return (words("trend.fielded_on", day=first) if first == last
            else words("trend.fielded_between", first=first, last=last))


def _drawn_only(trend: Trend, findings: Findings) -> Trend:
    """The trend of the questions the report draws: screening and contact questions (no
    figure draws them) say nothing about change and only add comparisons."""
    drawn = {qid for section in findings.sections for item in section.items
             for qid in (*item.questions, *item.rows)}
    return trend.model_copy(update={"questions": {
        qid: q for qid, q in trend.questions.items() if qid in drawn}})


def _nameable(change: OptionChange) -> bool:
    """Whether a change can be named as the largest: not zero, and not from an option
    nobody chose in either wave."""
    return bool(change.difference) and bool(change.percent or change.percent_before)


def _beyond_chance(change: OptionChange) -> bool:
    """Whether a change's 95% interval leaves out zero."""
    low, high = change.ci_low, change.ci_high
    if change.difference is None or low is None or high is None:
        return False
    return not low <= 0 <= high


def _overview_figure(trend: Trend, before: str, findings: Findings, words: Words) -> Figure:
    """One row per question: the option that moved most, its change and interval."""
    rows = []
    for qid, question in trend.questions.items():
        label = clean_text(question_label(findings, qid))
        measured = [(oid, c, c.difference) for oid, c in question.options.items()
                    if c.difference is not None and _nameable(c)]
        if not measured:
            compared = any(c.difference is not None for c in question.options.values())
            rows.append(Row(label, (DASH, format_points(0.0), DASH, words("compare.no"))
                            if compared else (DASH, DASH, DASH, DASH)))
            continue
        oid, largest, difference = max(measured, key=lambda found: abs(found[2]))
        moved = any(_beyond_chance(c) for _, c, _ in measured)
        rows.append(Row(label, (_option_label(findings, qid, oid),
                                format_points(difference),
                                _points_interval(largest.ci_low, largest.ci_high, words),
                                words("compare.yes") if moved else words("compare.no"))))
    columns = (Column(words("trend.column_largest"), numeric=False),
               Column(words("trend.column_change")), Column(words("trend.column_ci")),
               Column(words("trend.column_beyond"), numeric=False))
    table = Table(columns, tuple(rows), stub=words("compare.stub"))
    return Figure("table", "trend-overview", words("trend.overview_caption", before=before),
                  tables=(table,), notes=(words("trend.beyond_note"),
                                          _comparisons_note(trend, words)))


def _comparisons_note(trend: Trend, words: Words) -> str:
    """How many changes were looked at: with many, some look real by chance alone."""
    options = sum(c.difference is not None for q in trend.questions.values()
                  for c in q.options.values())
    questions = sum(any(c.difference is not None for c in q.options.values())
                    for q in trend.questions.values())
    return words("trend.compared_note",
                 options=words.count("compare.option", options, number=f"{options:,}"),
                 questions=words.count("compare.question", questions, number=f"{questions:,}"))


def _option_label(findings: Findings, qid: str, option_id: str) -> str:
    """The option's wording in this wave's Findings; its id when this wave lacks it."""
    entry = findings.questions.get(qid)
    option = (None if entry is None or isinstance(entry, TextQuestion)
              else entry.options.get(option_id))
    return clean_text(option.label) if option else option_id


def trend_sentences(trend: Trend, findings: Findings, *, words: Words | None = None) -> list[str]:
    """Name each change whose 95% interval excludes zero."""
    w = words or report_words()
    sentences = []
    for qid, question in trend.questions.items():
        entry = findings.questions.get(qid)
        title = entry.title if entry else qid
        for option_id, change in question.options.items():
            low, high, difference = change.ci_low, change.ci_high, change.difference
            if low is None or high is None or difference is None or not _beyond_chance(change):
                continue
            sentences.append(w(
                "trend.rose" if difference > 0 else "trend.fell",
                title=in_sentence(clean_text(title)),
                option=_option_label(findings, qid, option_id),
                before=format_percent(change.percent_before), now=format_percent(change.percent),
                points=format_points(difference), low=format_bound(low),
                high=format_bound(high)))
    if not sentences:
        sentences.append(w("trend.none", before=earlier_wave(trend, words=w)))
    return sentences


def _trend_figure(index: int, qid: str, question: QuestionChange, before: str,
                  findings: Findings, words: Words) -> Figure:
    # Each wave's own n heads its column: the percents below are of it.
    columns = (Column(words("trend.column_with_n", wave=capitalize(before),
                            n=format_count(question.n_before or 0))),
               Column(words("trend.column_with_n", wave=words("trend.column_now"),
                            n=format_count(question.n or 0))),
               Column(words("trend.column_change")), Column(words("trend.column_ci")))
    rows = tuple(
        Row(_option_label(findings, qid, option_id),
            (format_percent(change.percent_before), format_percent(change.percent),
             format_points(change.difference),
             _points_interval(change.ci_low, change.ci_high, words)))
        for option_id, change in question.options.items())
    title = clean_text(question_label(findings, qid)).rstrip(".")
    return Figure("table", f"trend-{index}", words("trend.figure_caption", title=title,
                                                    before=before),
                  tables=(Table(columns, rows),))


def _points_interval(low: float | None, high: float | None, words: Words) -> str:
    if low is None or high is None:
        return DASH
    return words("compare.interval", low=format_bound(low), high=format_bound(high))

