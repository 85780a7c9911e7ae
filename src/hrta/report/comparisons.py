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
    format_count,
    format_p,
    format_percent,
    format_points,
    in_sentence,
    join_words,
)
from hrta.report.lookup import question_label

SIGNIFICANT = "*"
NOT_APPLICABLE = "n/a"
DESCRIBED = 3
"""With no significant difference, this many of the report's last section's questions are
still shown by group, to describe the groups (see `_described`)."""
# A group with no cell for an option (it answered none of it) reads as an empty cell.
_NO_CELL = GroupCell(count=None, n=0, percent=None, suppressed=False)


def comparisons_section(findings: Findings) -> Section | None:
    """The groups, the differences found, a table of every test, and the full tables of
    the questions that differ.

    Forty-odd questions by several groups would fill dozens of pages of mostly suppressed
    cells that show no difference; the chapter prints in full only the questions with a
    significant difference, and one line per question for the rest (the Findings JSON
    keeps every cell).
    """
    comparisons = findings.comparisons
    if not comparisons:
        return None
    groups = comparisons.groups
    by = comparisons.by_label
    described = join_words([f"{clean_text(g.label)} (n={format_count(g.n)})"
                            for g in groups])
    blocks: list[Block] = [paragraph(
        f"This chapter compares the answers of respondents by {by.lower()}: {described}. "
        f"{_small_groups_sentence(comparisons)}"
        f"Differences were tested question by question and option by option; p-values were "
        f"adjusted for the number of tests ({correction(comparisons)}). Options marked "
        f"{SIGNIFICANT} differ significantly between groups after adjustment. Counts below "
        f"{comparisons.threshold} are not shown (“{DASH}”); “{NOT_APPLICABLE}” marks what "
        "does not apply (a p-value per option of a question tested as a whole). Screening "
        "and contact questions are not compared.")]
    blocks.append(paragraph(" ".join(comparison_sentences(comparisons, findings)), role="lead"))
    blocks.append(_tests_figure(comparisons, findings))
    differing = [(qid, q) for qid, q in comparisons.questions.items() if differs(q)]
    if differing:
        blocks.append(paragraph(
            f"The tables below give every option's percent by group for the "
            f"{_count_of(len(differing), 'question')} with a significant difference; the "
            "other questions' tables are in the Findings JSON (hrta analyze --by).",
            role="note"))
    shown = [] if differing else _described(comparisons, findings)
    if shown:
        blocks.append(paragraph(
            f"No difference is significant; to describe the groups, the tables below give "
            f"the {_count_of(len(shown), 'question')} on "
            f"{in_sentence(clean_text(findings.sections[-1].title))} by group. The other "
            "questions' tables are in the Findings JSON (hrta analyze --by).", role="note"))
    elif not differing and comparisons.questions:
        blocks.append(paragraph(
            "With no significant difference, the tables of each question by group are not "
            "printed; they are in the Findings JSON (hrta analyze --by).", role="note"))
    for index, (qid, question) in enumerate(differing or shown, start=1):
        blocks.append(_comparison_figure(index, qid, question, comparisons, findings,
                                         descriptive=not differing))
    return Section("comparisons", f"Comparisons by {by.lower()}", tuple(blocks))


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


def _count_of(number: int, noun: str) -> str:
    return f"{format_count(number)} {noun}{'' if number == 1 else 's'}"


def _small_groups_sentence(comparisons: Comparison) -> str:
    small = comparisons.small_groups
    if not small:
        return ""
    listed = join_words([f"{clean_text(g.label)} ({format_count(g.n)})" for g in small])
    fewer = f"fewer than {format_count(comparisons.min_group)} respondents"
    if comparisons.left_out:
        return (f"Groups with {fewer} are too small to compare, and even together they are "
                f"too few, so they are left out: {listed}. ")
    combined = next((g for g in comparisons.groups if g.id == "combined"), None)
    name = f"“{clean_text(combined.label)}”" if combined else "one group"
    return f"Groups with {fewer} are compared together as {name}: {listed}. "


METHODS = {
    "chi-square": "Chi-square",
    "fisher-exact": "Fisher's exact",
    "fisher-exact (monte carlo)": "Fisher's exact (Monte Carlo)",
    "chi-square (monte carlo)": "Chi-square (Monte Carlo)",
}


def _tests_figure(comparisons: Comparison, findings: Findings) -> Figure:
    """One row per question: how it was tested, the smallest adjusted p, what differs."""
    rows = []
    for qid, question in comparisons.questions.items():
        label = clean_text(question_label(findings, qid) if qid in findings.questions
                           else question.title or qid)
        whole = question.test
        options = [(o, o.test) for o in question.options.values() if o.test]
        smallest: TestResult | None
        if whole:
            method = METHODS.get(whole.method, whole.method)
            smallest = whole
            found = "Yes" if whole.significant else "No"
        elif options:
            method = f"One per option ({format_count(len(options))})"
            smallest = min((t for _, t in options if t.p_adjusted is not None),
                           key=lambda t: t.p_adjusted or 0.0, default=None)
            hits = [o for o, t in options if t.significant]
            found = (f"Yes: {_count_of(len(hits), 'option')} {SIGNIFICANT}" if hits else "No")
        else:
            method, smallest, found = "Not tested (too few answers)", None, DASH
        rows.append(Row(f"{label}{f' {SIGNIFICANT}' if found.startswith('Yes') else ''}",
                        (method, format_p(smallest.p if smallest else None),
                         format_p(smallest.p_adjusted if smallest else None), found)))
    columns = (Column("Test", numeric=False), Column("p"), Column("Adjusted p"),
               Column("Significant difference", numeric=False))
    table = Table(columns, tuple(rows), stub="Question")
    notes = ("Questions asked as a single choice or an agreement statement get one test of "
             "the whole table; select-all questions get one test per option, and the "
             "option with the smallest adjusted p is shown, with its p before "
             "adjustment.",)
    return Figure("table", "comparison-tests",
                  f"Every question tested by {comparisons.by_label.lower()}",
                  tables=(table,), notes=notes)


def correction(comparisons: Comparison) -> str:
    """'Benjamini–Hochberg false discovery rate, α = 0.05'."""
    names = {"benjamini-hochberg": "Benjamini–Hochberg false discovery rate"}
    method = comparisons.correction or "adjusted"
    return f"{names.get(method, method)}, α = {comparisons.alpha:g}"


def comparison_sentences(comparisons: Comparison, findings: Findings) -> list[str]:
    """Name each significant difference with its groups' percents and adjusted p."""
    groups = comparisons.groups
    sentences = []
    for qid, question in comparisons.questions.items():
        asked = findings.questions.get(qid)
        title = question.title or (asked.title if asked else qid)
        whole = question.test
        if whole and whole.significant:
            sentences.append(_distribution_sentence(question, title, whole, comparisons))
        for option in question.options.values():
            test = option.test
            if not test or not test.significant:
                continue
            shown = [(g, _cell(option, g.id)) for g in groups]
            parts = [f"{clean_text(g.label)} {format_percent(cell.percent)} "
                     f"(n={format_count(cell.n)})"
                     for g, cell in shown if not cell.suppressed]
            sentences.append(
                f"For {in_sentence(clean_text(title))}, the share choosing "
                f"“{clean_text(option.label)}” differed by {comparisons.by_label.lower()}: "
                f"{join_words(parts)} (adjusted {p_is(test.p_adjusted)}).")
    if not sentences:
        sentences.append("No difference between groups was statistically significant after "
                         "adjustment for multiple comparisons.")
    return sentences


def _distribution_sentence(question: ComparedQuestion, title: str, test: TestResult,
                           comparisons: Comparison) -> str:
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
    parts = [f"{clean_text(g.label)} ({format_count(cell.count or 0)} of "
             f"{format_count(cell.n)}, {format_percent(cell.percent)})"
             for g in groups
             for cell in [_cell(option, g.id)] if not cell.suppressed]
    return (f"Answers to “{text}” differed by {comparisons.by_label.lower()} "
            f"(adjusted {p_is(test.p_adjusted)}); the largest gap was in "
            f"“{clean_text(option.label)}”: {join_words(parts)}.")


def _comparison_figure(index: int, qid: str, question: ComparedQuestion,
                       comparisons: Comparison, findings: Findings,
                       *, descriptive: bool = False) -> Figure:
    """A question's options by group: each group headed by its own n for this question
    (the members who answered it, not the group's size), the gap between the highest and
    the lowest group with its 95% interval, and the raw and adjusted p."""
    groups = comparisons.groups
    columns = [Column(f"{clean_text(g.label)} (n={format_count(_answered(question, g.id))})",
                      group="Percent of the group (count)") for g in groups]
    columns += [Column("Difference, points (95% CI)"), Column("p"), Column("Adjusted p")]
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
        gap = _difference(option, groups)
        suppressed = suppressed or gap == DASH
        test = option.test
        if test is None:
            not_applicable = True
        mark = f" {SIGNIFICANT}" if test and test.significant else ""
        rows.append(Row(f"{clean_text(option.label)}{mark}", (
            *cells, gap,
            format_p(test.p) if test else NOT_APPLICABLE,
            format_p(test.p_adjusted) if test else NOT_APPLICABLE)))
    notes = ["Cells show the percent of the group, with the count in brackets; each group's "
             "n is its members who answered this question. Difference: the highest group's "
             "percent minus the lowest group's, in percentage points, with its 95% "
             "confidence interval (Newcombe), not adjusted for the number of tests: only the "
             "adjusted p says whether groups differ."]
    if suppressed:
        notes.append(f"{DASH} Not shown to protect privacy: fewer than "
                     f"{comparisons.threshold} respondents, or hidden so that such a count "
                     "cannot be worked out from the totals or from a difference.")
    if not_applicable:
        notes.append(f"{NOT_APPLICABLE} Not applicable: "
                     + ("the question has one test of its whole table, given below, not one "
                        "per option." if question.test or question.type != "multi"
                        else "too few answers to test.")
                     + (" A group none of whose members answered has no percent."
                        if any(_answered(question, g.id) == 0 for g in groups) else ""))
    if any(o.test and o.test.significant for o in question.options.values()):
        notes.append(f"{SIGNIFICANT} Significant after adjustment (α = "
                     f"{comparisons.alpha:g}).")
    test = question.test
    if test:
        verdict = "significant" if test.significant else "not significant"
        statistic = test.statistic
        # Fisher's exact test on a larger table has no statistic worth printing.
        shown = f", statistic {statistic:.2f}" if statistic is not None else ""
        method = METHODS.get(test.method, test.method)
        notes.append(f"Across all options: {method}{shown}, {p_is(test.p)}, adjusted "
                     f"{p_is(test.p_adjusted)} ({verdict}).")
    if descriptive:
        notes.append("Shown to describe the groups: no difference in this question is "
                     "significant after adjustment.")
    title = clean_text(question_label(findings, qid) if qid in findings.questions
                       else question.title or qid)
    # The notes follow the table, so the caption stays with the table it names.
    return Figure("table", f"comparison-{index}", f"{title.rstrip('.')}, by "
                  f"{comparisons.by_label.lower()}",
                  tables=(Table(tuple(columns), tuple(rows), notes=tuple(notes)),))


def p_is(value: float | None) -> str:
    """'p=0.018', or 'p<0.001' rather than 'p=<0.001'."""
    shown = format_p(value)
    return f"p{shown}" if shown.startswith("<") else f"p={shown}"


def _answered(question: ComparedQuestion, group_id: str) -> int:
    """The group's members who answered the question: every option's cell has the same n."""
    return next((o.groups[group_id].n for o in question.options.values()
                 if group_id in o.groups), 0)


def _difference(option: ComparedOption, groups: list[GroupSize]) -> str:
    """'+12 (−3 to +27)'; the dash when a hidden cell leaves fewer than two to compare,
    n/a when fewer than two groups answered."""
    gap = option.difference
    if gap is None:
        cells = [_cell(option, g.id) for g in groups]
        return DASH if any(c.suppressed for c in cells) else NOT_APPLICABLE
    return (f"{format_points(gap.difference)} ({format_points(gap.ci_low)} to "
            f"{format_points(gap.ci_high)})")
