"""The optional chapter on change since an earlier wave, drawn when Findings carry `trend`.

The analysis computes each difference and its interval; this module lays them out and
names the changes whose 95% interval leaves out zero.
"""

from __future__ import annotations

from hrta.report.document import Block, Column, Figure, Row, Section, Table, paragraph
from hrta.report.formatting import (
    DASH,
    clean_text,
    format_percent,
    format_points,
    in_sentence,
)
from hrta.report.selectors import Entry, Findings, question_label


def trend_section(findings: Findings) -> Section | None:
    trend = findings.get("trend")
    if not trend:
        return None
    before = clean_text(trend["compare_to"])
    blocks: list[Block] = [paragraph(
        f"This chapter compares this wave with {before}: the percent of respondents choosing "
        "each option then and now, the change in percentage points and its 95% confidence "
        "interval. A change whose interval does not include zero is unlikely to be chance.")]
    blocks.append(paragraph(" ".join(trend_sentences(trend, findings)), role="lead"))
    # Every question gets a line; only those that changed get their full table, as in the
    # comparisons chapter (forty-odd tables of unchanged shares would bury the changes).
    blocks.append(_overview_figure(trend, before, findings))
    moved = [(qid, q) for qid, q in trend["questions"].items()
             if any(_beyond_chance(c) for c in q["options"].values())]
    if moved:
        count = len(moved)
        blocks.append(paragraph(
            f"The tables below give every option then and now for the {count:,} "
            f"question{'' if count == 1 else 's'} with a change; the other questions' "
            "tables are in the Findings JSON (hrta analyze --compare).", role="note"))
    elif trend["questions"]:
        blocks.append(paragraph(
            "With no change larger than chance, the tables of each question are not printed; "
            "they are in the Findings JSON (hrta analyze --compare).", role="note"))
    for index, (qid, question) in enumerate(moved, start=1):
        blocks.append(_trend_figure(index, qid, question, before, findings))
    return Section("trend", f"Change since {before}", tuple(blocks))


def _beyond_chance(change: Entry) -> bool:
    """Whether a change's 95% interval leaves out zero."""
    low, high = change.get("ci_low"), change.get("ci_high")
    if change.get("difference") is None or low is None or high is None:
        return False
    return not low <= 0 <= high


def _overview_figure(trend: Entry, before: str, findings: Findings) -> Figure:
    """One row per question: the option that moved most, its change and interval."""
    rows = []
    for qid, question in trend["questions"].items():
        label = clean_text(question_label(findings, qid))
        measured = [(oid, c) for oid, c in question["options"].items()
                    if c.get("difference") is not None]
        if not measured:
            rows.append(Row(label, (DASH, DASH, DASH, DASH)))
            continue
        oid, largest = max(measured, key=lambda pair: abs(pair[1]["difference"]))
        moved = any(_beyond_chance(c) for _, c in measured)
        rows.append(Row(label, (_option_label(findings, qid, oid),
                                format_points(largest["difference"]),
                                _points_interval(largest.get("ci_low"), largest.get("ci_high")),
                                "Yes" if moved else "No")))
    columns = (Column("Largest change in", numeric=False), Column("Change (points)"),
               Column("95% CI of change"), Column("Any change beyond chance", numeric=False))
    table = Table(columns, tuple(rows), stub="Question")
    return Figure("table", "trend-overview", f"Every question compared with {before}",
                  tables=(table,), notes=("A change is beyond chance when its 95% interval "
                                          "leaves out zero.",))


def _option_label(findings: Findings, qid: str, option_id: str) -> str:
    option = findings["questions"].get(qid, {}).get("options", {}).get(option_id)
    return clean_text(option["label"]) if option else option_id


def trend_sentences(trend: Entry, findings: Findings) -> list[str]:
    """Name each change whose 95% interval excludes zero."""
    sentences = []
    for qid, question in trend["questions"].items():
        title = findings["questions"].get(qid, {}).get("title", qid)
        for option_id, change in question["options"].items():
            if not _beyond_chance(change):
                continue
            low, high = change["ci_low"], change["ci_high"]
            direction = "rose" if change["difference"] > 0 else "fell"
            sentences.append(
                f"For {in_sentence(clean_text(title))}, the share choosing "
                f"“{_option_label(findings, qid, option_id)}” {direction} from "
                f"{format_percent(change.get('percent_before'))} to "
                f"{format_percent(change.get('percent'))} ({format_points(change['difference'])}"
                f" points; 95% CI {format_points(low)} to {format_points(high)}).")
    if not sentences:
        sentences.append(f"No change since {clean_text(trend['compare_to'])} was larger than "
                         "chance would explain.")
    return sentences


def _trend_figure(index: int, qid: str, question: Entry, before: str,
                  findings: Findings) -> Figure:
    columns = (Column(before), Column("This wave"), Column("Change (points)"),
               Column("95% CI of change"))
    rows = tuple(
        Row(_option_label(findings, qid, option_id),
            (format_percent(change.get("percent_before")), format_percent(change.get("percent")),
             format_points(change.get("difference")),
             _points_interval(change.get("ci_low"), change.get("ci_high"))))
        for option_id, change in question["options"].items())
    title = clean_text(question_label(findings, qid)).rstrip(".")
    return Figure("table", f"trend-{index}", f"{title}: change since {before}",
                  tables=(Table(columns, rows),))


def _points_interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return DASH
    return f"{format_points(low)} to {format_points(high)}"

