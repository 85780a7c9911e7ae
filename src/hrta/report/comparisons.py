"""The optional chapter comparing subgroups, drawn when Findings carry `comparisons`.

The analysis computes the tests, adjusted p-values and suppression; this module only lays
out what `findings.comparisons` holds and names the significant differences.
"""

from __future__ import annotations

from hrta.findings.model import (
    ComparedOption,
    ComparedQuestion,
    Comparison,
    Findings,
    GroupCell,
    GroupSize,
    TestResult,
)
from hrta.report.document import Block, Column, Figure, Row, Section, Table, paragraph
from hrta.report.formatting import (
    DASH,
    clean_text,
    format_bound,
    format_count,
    format_p,
    format_percent,
    format_points,
    in_sentence,
)
from hrta.report.lookup import question_label
from hrta.report.words import ENGLISH, Words, report_words

SIGNIFICANT = "*"
NOT_APPLICABLE = "n/a"
DESCRIBED = 3
"""With no significant difference, this many of the report's last section's questions are
still shown by group, to describe the groups (see `_described`)."""
# A group with no cell for an option (it answered none of it) reads as an empty cell.
_NO_CELL = GroupCell(count=None, n=0, percent=None, suppressed=False)


def comparisons_section(findings: Findings, *, words: Words | None = None) -> Section | None:
    """The groups, the differences found, a table of every test, and the full tables of
    the questions that differ.

    Forty-odd questions by several groups would fill dozens of pages of mostly suppressed
    cells that show no difference; the chapter prints in full only the questions with a
    significant difference, and one line per question for the rest (the Findings JSON
    keeps every cell).
    """
    w = words or report_words()
    comparisons = findings.comparisons
    if not comparisons:
        return None
    groups = comparisons.groups
    by = comparisons.by_label
    described = w.join([f"{_label(g, w)} (n={format_count(g.n)})" for g in groups])
    blocks: list[Block] = [paragraph(w(
        "compare.intro", by=by.lower(), described=described,
        small=_small_groups_sentence(comparisons, w), correction=correction(comparisons, words=w),
        mark=SIGNIFICANT, threshold=comparisons.threshold, dash=DASH, na=NOT_APPLICABLE))]
    blocks.append(paragraph(" ".join(comparison_sentences(comparisons, findings, words=w)),
                            role="lead"))
    blocks.append(_tests_figure(comparisons, findings, w))
    differing = [(qid, q) for qid, q in comparisons.questions.items() if differs(q)]
    if differing:
        blocks.append(paragraph(w("compare.tables_note",
                                  questions=_count_of(len(differing), "question", w)),
                                role="note"))
    shown = [] if differing else _described(comparisons, findings)
    if shown:
        blocks.append(paragraph(w(
            "compare.described_note", questions=_count_of(len(shown), "question", w),
            section=in_sentence(clean_text(findings.sections[-1].title))), role="note"))
    elif not differing and comparisons.questions:
        blocks.append(paragraph(w("compare.none_note"), role="note"))
    for index, (qid, question) in enumerate(differing or shown, start=1):
        blocks.append(_comparison_figure(index, qid, question, comparisons, findings,
                                         descriptive=not differing, words=w))
    return Section("comparisons", w("compare.title", by=by.lower()), tuple(blocks))


def _described(comparisons: Comparison,
               findings: Findings) -> list[tuple[str, ComparedQuestion]]:
    """The questions shown by group when none differs: the first DESCRIBED the report's
    last section draws (for the 2022 instrument, the technical assistance organizations
    receive and want), where a program decides what to offer whom."""
    if not findings.sections:
        return []
    last = findings.sections[-1]
    drawn = [qid for item in last.items for qid in item.rows]
    return [(qid, comparisons.questions[qid]) for qid in dict.fromkeys(drawn)
            if qid in comparisons.questions][:DESCRIBED]


def differs(question: ComparedQuestion) -> bool:
    """Whether any test of a question (its whole table or one option) is significant."""
    tests = [question.test, *(o.test for o in question.options.values())]
    return any(test and test.significant for test in tests)


def _cell(option: ComparedOption, group_id: str) -> GroupCell:
    return option.groups.get(group_id, _NO_CELL)


def _label(group: GroupSize, words: Words) -> str:
    """A group's name: the analysis names the small groups compared together in English
    ("All other groups"), so another language names them from its catalog; so too those
    who did not choose the option of `--by QID=OPTION` ("Not rural", "No rurales")."""
    if group.id == "combined" and words.language != ENGLISH:
        return words("compare.combined")
    if group.id.startswith("not_") and group.label.startswith("Not "):
        option = group.label.removeprefix("Not ")
        return words("compare.not_chosen", option=in_sentence(clean_text(option)))
    return clean_text(group.label)


def _count_of(number: int, noun: str, words: Words) -> str:
    """'1 question', '3 options': the catalog's compare.<noun>.one/.other."""
    return words.count(f"compare.{noun}", number, number=format_count(number))


def _small_groups_sentence(comparisons: Comparison, words: Words) -> str:
    small = comparisons.small_groups
    if not small:
        return ""
    listed = words.join([f"{_label(g, words)} ({format_count(g.n)})" for g in small])
    fewer = words("compare.fewer", count=format_count(comparisons.min_group))
    if comparisons.left_out:
        return words("compare.small_left_out", fewer=fewer, listed=listed) + " "
    combined = next((g for g in comparisons.groups if g.id == "combined"), None)
    name = f"“{_label(combined, words)}”" if combined else words("compare.one_group")
    return words("compare.small_together", fewer=fewer, name=name, listed=listed) + " "


METHODS = {
    "chi-square": "Chi-square",
    "fisher-exact": "Fisher's exact",
    "fisher-exact (monte carlo)": "Fisher's exact (Monte Carlo)",
    "chi-square (monte carlo)": "Chi-square (Monte Carlo)",
}


def _method(name: str, words: Words) -> str:
    """A test's name in the report's language (compare.method.<name>), else as METHODS
    names it."""
    key = f"compare.method.{name}"
    return words(key) if key in words.messages else METHODS.get(name, name)


def _tests_figure(comparisons: Comparison, findings: Findings, words: Words) -> Figure:
    """One row per question: how it was tested, the smallest adjusted p, what differs."""
    rows = []
    for qid, question in comparisons.questions.items():
        label = clean_text(question_label(findings, qid) if qid in findings.questions
                           else question.title or qid)
        whole = question.test
        options = [(o, o.test) for o in question.options.values() if o.test]
        smallest: TestResult | None
        significant = False
        if whole:
            method = _method(whole.method, words)
            smallest = whole
            significant = bool(whole.significant)
            found = words("compare.yes") if significant else words("compare.no")
        elif options:
            method = words("compare.per_option", count=format_count(len(options)))
            smallest = min((t for _, t in options if t.p_adjusted is not None),
                           key=lambda t: t.p_adjusted or 0.0, default=None)
            hits = [o for o, t in options if t.significant]
            significant = bool(hits)
            found = (words("compare.yes_options", options=_count_of(len(hits), "option", words),
                           mark=SIGNIFICANT) if hits else words("compare.no"))
        else:
            method, smallest, found = words("compare.not_tested"), None, DASH
        rows.append(Row(f"{label}{f' {SIGNIFICANT}' if significant else ''}",
                        (method, format_p(smallest.p if smallest else None),
                         format_p(smallest.p_adjusted if smallest else None), found)))
    columns = (Column(words("compare.column_test"), numeric=False), Column("p"),
               Column(words("compare.column_adjusted")),
               Column(words("compare.column_significant"), numeric=False))
    table = Table(columns, tuple(rows), stub=words("compare.stub"))
    notes = (words("compare.tests_note"),)
    return Figure("table", "comparison-tests",
                  words("compare.tests_caption", by=comparisons.by_label.lower()),
                  tables=(table,), notes=notes)


def correction(comparisons: Comparison, *, words: Words | None = None) -> str:
    """'Benjamini–Hochberg false discovery rate, α = 0.05'."""
    w = words or report_words()
    method = comparisons.correction or "adjusted"
    key = f"compare.correction.{method}"
    name = w(key) if key in w.messages else method
    return w("compare.correction", name=name, alpha=f"{comparisons.alpha:g}")


def comparison_sentences(comparisons: Comparison, findings: Findings,
                         *, words: Words | None = None) -> list[str]:
    """Name each significant difference with its groups' percents and adjusted p."""
    w = words or report_words()
    groups = comparisons.groups
    sentences = []
    for qid, question in comparisons.questions.items():
        asked = findings.questions.get(qid)
        title = question.title or (asked.title if asked else qid)
        whole = question.test
        if whole and whole.significant:
            sentences.append(_distribution_sentence(question, title, whole, comparisons, w))
        for option in question.options.values():
            test = option.test
            if not test or not test.significant:
                continue
            shown = [(g, _cell(option, g.id)) for g in groups]
            parts = [f"{_label(g, w)} {format_percent(cell.percent)} "
                     f"(n={format_count(cell.n)})"
                     for g, cell in shown if not cell.suppressed]
            sentences.append(w(
                "compare.option_differed", title=in_sentence(clean_text(title)),
                option=clean_text(option.label), by=comparisons.by_label.lower(),
                parts=w.join(parts), adjusted=_adjusted(test.p_adjusted, w)))
    if not sentences:
        sentences.append(w("compare.none_significant"))
    return sentences


def _adjusted(value: float | None, words: Words) -> str:
    """'adjusted p=0.018', 'adjusted p<0.001'."""
    shown = p_is(value)
    return words("compare.adjusted_p", relation=shown.removeprefix("p"))


def _distribution_sentence(question: ComparedQuestion, title: str, test: TestResult,
                           comparisons: Comparison, words: Words) -> str:
    """A single-choice question or statement whose whole distribution differs by group:
    name the option whose published shares differ most."""
    groups = comparisons.groups

    def spread(option: ComparedOption) -> float:
        shares = [cell.percent for cell in option.groups.values()
                  if not cell.suppressed and cell.percent is not None]
        return max(shares) - min(shares) if len(shares) > 1 else -1.0

    option = max(question.options.values(), key=spread)
    text = clean_text(question.text or title)
    # Count and base together ("0 of 43, 0%"): a bare "(n=43)" after one group's percent
    # reads as the n of the next one.
    parts = [f"{_label(g, words)} ({share})"
             for g in groups
             for cell in [_cell(option, g.id)] if not cell.suppressed
             for share in [words("takeaway.of_n", count=format_count(cell.count or 0),
                                 n=format_count(cell.n), percent=format_percent(cell.percent))]]
    return words("compare.distribution_differed", text=text,
                 by=comparisons.by_label.lower(), adjusted=_adjusted(test.p_adjusted, words),
                 option=clean_text(option.label), parts=words.join(parts))


def _comparison_figure(index: int, qid: str, question: ComparedQuestion,
                       comparisons: Comparison, findings: Findings,
                       *, descriptive: bool = False, words: Words | None = None) -> Figure:
    """A question's options by group: each group headed by its own n for this question
    (the members who answered it, not the group's size), the gap between the highest and
    the lowest group with its 95% interval, and the raw and adjusted p."""
    w = words or report_words()
    groups = comparisons.groups
    columns = [Column(f"{_label(g, w)} (n={format_count(_answered(question, g.id))})",
                      group=w("compare.column_group")) for g in groups]
    columns += [Column(w("compare.column_difference")), Column("p"),
                Column(w("compare.column_adjusted"))]
    rows = []
    suppressed = not_applicable = False
    for option in question.options.values():
        cells = []
        for group in groups:
            cell = _cell(option, group.id)
            if cell.suppressed:
                suppressed = True
                cells.append(DASH)
            elif cell.count is None or cell.n == 0:
                not_applicable = True
                cells.append(NOT_APPLICABLE)
            else:
                cells.append(f"{format_percent(cell.percent)} ({format_count(cell.count)})")
        gap = _difference(option, groups, w)
        suppressed = suppressed or gap == DASH
        test = option.test
        if test is None:
            not_applicable = True
        mark = f" {SIGNIFICANT}" if test and test.significant else ""
        rows.append(Row(f"{clean_text(option.label)}{mark}", (
            *cells, gap,
            format_p(test.p) if test else NOT_APPLICABLE,
            format_p(test.p_adjusted) if test else NOT_APPLICABLE)))
    notes = [w("compare.cells_note")]
    if suppressed:
        notes.append(w("compare.suppressed_note", dash=DASH, threshold=comparisons.threshold))
    if not_applicable:
        notes.append(w("compare.na_note", na=NOT_APPLICABLE)
                     + (w("compare.na_whole") if question.test or question.type != "multi"
                        else w("compare.na_few"))
                     + (w("compare.na_no_percent")
                        if any(_answered(question, g.id) == 0 for g in groups) else ""))
    if any(o.test and o.test.significant for o in question.options.values()):
        notes.append(w("compare.significant_note", mark=SIGNIFICANT,
                       alpha=f"{comparisons.alpha:g}"))
    test = question.test
    if test:
        verdict = w("compare.significant") if test.significant else w("compare.not_significant")
        statistic = test.statistic
        # Fisher's exact test on a larger table has no statistic worth printing.
        shown = (w("compare.statistic", statistic=f"{statistic:.2f}")
                 if statistic is not None else "")
        notes.append(w("compare.across_note", method=_method(test.method, w), statistic=shown,
                       p=p_is(test.p), adjusted=_adjusted(test.p_adjusted, w), verdict=verdict))
    if descriptive:
        notes.append(w("compare.descriptive_note"))
    title = clean_text(question_label(findings, qid) if qid in findings.questions
                       else question.title or qid)
    # The notes follow the table, so the caption stays with the table it names.
    return Figure("table", f"comparison-{index}", w("compare.figure_caption",
                                                    title=title.rstrip("."),
                                                    by=comparisons.by_label.lower()),
                  tables=(Table(tuple(columns), tuple(rows), notes=tuple(notes)),))


def p_is(value: float | None, *, words: Words | None = None) -> str:
    """'p=0.018', or 'p<0.001' rather than 'p=<0.001'."""
    shown = format_p(value)
    return f"p{shown}" if shown.startswith("<") else f"p={shown}"


def _answered(question: ComparedQuestion, group_id: str) -> int:
    """The group's members who answered the question: every option's cell has the same n."""
    return next((o.groups[group_id].n for o in question.options.values()
                 if group_id in o.groups), 0)


def _difference(option: ComparedOption, groups: list[GroupSize], words: Words) -> str:
    """'+12 (−3 to +27)'; the dash when a hidden cell leaves fewer than two to compare,
    n/a when fewer than two groups answered."""
    gap = option.difference
    if gap is None:
        cells = [_cell(option, g.id) for g in groups]
        return DASH if any(c.suppressed for c in cells) else NOT_APPLICABLE
    return words("compare.difference", difference=format_points(gap.difference),
                 low=format_bound(gap.ci_low), high=format_bound(gap.ci_high))
