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
    whole,
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
    # A table read on its own still says which wave is which: an unnamed wave by its year.
    headers = ((capitalize(before), _year(None if trend.label else trend.fielded_before)),
               (w("trend.column_now"), _year(findings.fielded)))
    for index, (qid, question) in enumerate(moved, start=1):
        blocks.append(_trend_figure(index, qid, question, before, headers, findings, w))
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
    unchanged = False
    for qid, question in trend.questions.items():
        label = clean_text(question_label(findings, qid))
        measured = [(oid, c, c.difference) for oid, c in question.options.items()
                    if c.difference is not None and _nameable(c)]
        if not measured:
            held = _least_precise(question)
            if held is not None:
                unchanged = True
                oid, change = held
                rows.append(Row(label, (_option_label(findings, qid, oid), format_points(0.0),
                                        _points_interval(change.ci_low, change.ci_high, words),
                                        words("compare.no"))))
                continue
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
                                          *((words("trend.unchanged_note"),) if unchanged
                                            else ()),
                                          _comparisons_note(trend, words)))


def _least_precise(question: QuestionChange) -> tuple[str, OptionChange] | None:
    """When no option changed, the one with the widest 95% interval: a change of 0 still
    has one (Newcombe), and the widest says how large a change the data cannot rule out.
    None when no option was chosen in either wave."""
    held = [(oid, c) for oid, c in question.options.items()
            if c.difference is not None and c.ci_low is not None and c.ci_high is not None
            and (c.percent or c.percent_before)]
    if not held:
        return None
    return max(held, key=lambda found: (found[1].ci_high or 0.0) - (found[1].ci_low or 0.0))


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
        # Each percent with its own wave's n: the two waves' bases differ.
        bases = {"n_before": format_count(question.n_before or 0),
                 "n": format_count(question.n or 0)}
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
                high=format_bound(high), **bases))
    if not sentences:
        sentences.append(w("trend.none", before=earlier_wave(trend, words=w)))
    return sentences


def _year(fielded: Fielded | None) -> str:
    """'2022', '2021–2022' for a wave fielded over New Year; empty without dates."""
    if fielded is None:
        return ""
    return "–".join(str(y) for y in sorted({fielded.first.year, fielded.last.year}))


def _header(wave: str, year: str, n: int | None, words: Words) -> str:
    """'The earlier wave (2022, n=101)'; a wave with no dates, or named by the analyst,
    as 'The 2021 survey (n=87)'."""
    if year:
        return words("trend.column_with_year", wave=wave, year=year, n=format_count(n or 0))
    return words("trend.column_with_n", wave=wave, n=format_count(n or 0))


def _trend_figure(index: int, qid: str, question: QuestionChange, before: str,
                  headers: tuple[tuple[str, str], tuple[str, str]], findings: Findings,
                  words: Words) -> Figure:
    # Each wave's own n heads its column: the percents below are of it.
    (then, then_year), (now, now_year) = headers
    columns = (Column(_header(then, then_year, question.n_before, words)),
               Column(_header(now, now_year, question.n, words)),
               Column(words("trend.column_change")), Column(words("trend.column_ci")))
    rows = tuple(
        Row(_option_label(findings, qid, option_id),
            (format_percent(change.percent_before), format_percent(change.percent),
             format_points(change.difference),
             _points_interval(change.ci_low, change.ci_high, words)))
        for option_id, change in question.options.items())
    title = clean_text(question_label(findings, qid)).rstrip(".")
    notes = ((words("trend.rounding_note"),)
             if any(_rounding_shows(c) for c in question.options.values()) else ())
    return Figure("table", f"trend-{index}", words("trend.figure_caption", title=title,
                                                    before=before),
                  tables=(Table(columns, rows),), notes=notes)


def _rounding_shows(change: OptionChange) -> bool:
    """Whether the change shown differs from the difference of the rounded percents shown
    (8% to 20% is a change of +11 when it is 8.05% to 19.54%)."""
    if change.difference is None or change.percent is None or change.percent_before is None:
        return False
    return whole(change.difference) != whole(change.percent) - whole(change.percent_before)


def _points_interval(low: float | None, high: float | None, words: Words) -> str:
    if low is None or high is None:
        return DASH
    return words("compare.interval", low=format_bound(low), high=format_bound(high))

