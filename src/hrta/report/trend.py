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
    format_date,
    format_percent,
    format_points,
    in_sentence,
)
from hrta.report.lookup import question_label


def trend_section(findings: Findings) -> Section | None:
    trend = findings.trend
    if not trend:
        return None
    before = earlier_wave(trend)
    trend = _drawn_only(trend, findings)
    blocks: list[Block] = [paragraph(
        f"This chapter compares this wave{_fielded(findings.fielded)} with "
        f"{before}{_fielded(trend.fielded_before)}: the percent of respondents choosing "
        "each option then and now, the change in percentage points and its 95% confidence "
        "interval. A change whose interval does not include zero is unlikely to be chance.")]
    blocks.append(paragraph(" ".join(trend_sentences(trend, findings)), role="lead"))
    # Every question gets a line; only those that changed get their full table, as in the
    # comparisons chapter (forty-odd tables of unchanged shares would bury the changes).
    blocks.append(_overview_figure(trend, before, findings))
    moved = [(qid, q) for qid, q in trend.questions.items()
             if any(_beyond_chance(c) for c in q.options.values())]
    if moved:
        count = len(moved)
        blocks.append(paragraph(
            f"The tables below give every option then and now for the {count:,} "
            f"question{'' if count == 1 else 's'} with a change; the other questions' "
            "tables are in the Findings JSON (hrta analyze --compare).", role="note"))
    elif trend.questions:
        blocks.append(paragraph(
            "With no change larger than chance, the tables of each question are not printed; "
            "they are in the Findings JSON (hrta analyze --compare).", role="note"))
    for index, (qid, question) in enumerate(moved, start=1):
        blocks.append(_trend_figure(index, qid, question, before, findings))
    return Section("trend", f"Change since {before}", tuple(blocks))


def earlier_wave(trend: Trend) -> str:
    """The earlier wave's name as the analyst gave it, else "the earlier wave": a file
    name (`responses_2021_final(2).csv`) tells a reader nothing."""
    return clean_text(trend.label) if trend.label else "the earlier wave"


def _fielded(fielded: Fielded | None) -> str:
    """' (fielded May 16 to June 3, 2022)', or nothing when the export had no dates."""
    if not fielded:
        return ""
    first, last = format_date(fielded.first), format_date(fielded.last)
    return f" (fielded {first})" if first == last else f" (fielded {first} to {last})"


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


def _overview_figure(trend: Trend, before: str, findings: Findings) -> Figure:
    """One row per question: the option that moved most, its change and interval."""
    rows = []
    for qid, question in trend.questions.items():
        label = clean_text(question_label(findings, qid))
        measured = [(oid, c, c.difference) for oid, c in question.options.items()
                    if c.difference is not None and _nameable(c)]
        if not measured:
            compared = any(c.difference is not None for c in question.options.values())
            rows.append(Row(label, (DASH, format_points(0.0), DASH, "No") if compared
                            else (DASH, DASH, DASH, DASH)))
            continue
        oid, largest, difference = max(measured, key=lambda found: abs(found[2]))
        moved = any(_beyond_chance(c) for _, c, _ in measured)
        rows.append(Row(label, (_option_label(findings, qid, oid),
                                format_points(difference),
                                _points_interval(largest.ci_low, largest.ci_high),
                                "Yes" if moved else "No")))
    columns = (Column("Largest change in", numeric=False), Column("Change (points)"),
               Column("95% CI of change"), Column("Any change beyond chance", numeric=False))
    table = Table(columns, tuple(rows), stub="Question")
    return Figure("table", "trend-overview", f"Every question compared with {before}",
                  tables=(table,), notes=("A change is beyond chance when its 95% interval "
                                          "leaves out zero.", _comparisons_note(trend)))


def _comparisons_note(trend: Trend) -> str:
    """How many changes were looked at: with many, some look real by chance alone."""
    options = sum(c.difference is not None for q in trend.questions.values()
                  for c in q.options.values())
    questions = sum(any(c.difference is not None for c in q.options.values())
                    for q in trend.questions.values())
    return (f"{options:,} option{'' if options == 1 else 's'} of {questions:,} "
            f"question{'' if questions == 1 else 's'} were compared, each by its own 95% "
            "confidence interval, without adjustment: where nothing changed, about 1 in 20 "
            "comparisons would still show a change beyond chance, so a single change among "
            "many is weak evidence on its own.")


def _option_label(findings: Findings, qid: str, option_id: str) -> str:
    """The option's wording in this wave's Findings; its id when this wave lacks it."""
    entry = findings.questions.get(qid)
    option = (None if entry is None or isinstance(entry, TextQuestion)
              else entry.options.get(option_id))
    return clean_text(option.label) if option else option_id


def trend_sentences(trend: Trend, findings: Findings) -> list[str]:
    """Name each change whose 95% interval excludes zero."""
    sentences = []
    for qid, question in trend.questions.items():
        entry = findings.questions.get(qid)
        title = entry.title if entry else qid
        for option_id, change in question.options.items():
            low, high, difference = change.ci_low, change.ci_high, change.difference
            if low is None or high is None or difference is None or not _beyond_chance(change):
                continue
            direction = "rose" if difference > 0 else "fell"
            sentences.append(
                f"For {in_sentence(clean_text(title))}, the share choosing "
                f"“{_option_label(findings, qid, option_id)}” {direction} from "
                f"{format_percent(change.percent_before)} to "
                f"{format_percent(change.percent)} ({format_points(difference)}"
                f" points; 95% CI {format_points(low)} to {format_points(high)}).")
    if not sentences:
        sentences.append(f"No change since {earlier_wave(trend)} was larger than "
                         "chance would explain.")
    return sentences


def _trend_figure(index: int, qid: str, question: QuestionChange, before: str,
                  findings: Findings) -> Figure:
    columns = (Column(capitalize(before)), Column("This wave"), Column("Change (points)"),
               Column("95% CI of change"))
    rows = tuple(
        Row(_option_label(findings, qid, option_id),
            (format_percent(change.percent_before), format_percent(change.percent),
             format_points(change.difference),
             _points_interval(change.ci_low, change.ci_high)))
        for option_id, change in question.options.items())
    title = clean_text(question_label(findings, qid)).rstrip(".")
    return Figure("table", f"trend-{index}", f"{title}: change since {before}",
                  tables=(Table(columns, rows),))


def _points_interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return DASH
    return f"{format_points(low)} to {format_points(high)}"

