"""Methods and limitations, filled in from the data: dates, counts, n, missing answers."""

from __future__ import annotations

from hrta.findings.model import Findings, MultiQuestion, QuestionEntry, TextQuestion, Weighting
from hrta.report.comparisons import correction
from hrta.report.document import (
    Block,
    Column,
    Paragraph,
    Row,
    Section,
    Table,
    bullets,
    paragraph,
)
from hrta.report.formatting import (
    clean_text,
    format_count,
    format_percent,
    in_sentence,
    join_words,
    subject,
)
from hrta.report.items import MAX_LISTED
from hrta.report.lookup import (
    other_texts,
    profile_groups,
    question_label,
    suppression_threshold,
)
from hrta.report.narrative import fielded_sentence, overview_sentences

MOST_MISSED = 3

TYPE_NAMES = {
    "single": "Single choice",
    "matrix_statement": "Agreement statement",
    "text": "Open-ended",
}


def question_type(entry: QuestionEntry) -> str:
    if isinstance(entry, MultiQuestion):
        limit = entry.max_choices
        return f"Choose up to {limit}" if limit else "Select all that apply"
    return TYPE_NAMES.get(entry.type, entry.type)


def methods_section(findings: Findings) -> Section:
    r = findings.responses
    collected = [s for s in (fielded_sentence(findings),) if s]
    export = f"the export {findings.source} and " if findings.source else ""
    blocks = [
        paragraph(" ".join([*collected, overview_sentences(findings)[0]])),
        paragraph(f"The analysis used {export}instrument {findings.instrument} (version "
                  f"{findings.instrument_version}). Every number in this report was "
                  f"computed from the answers of the {format_count(r.eligible)} eligible "
                  "respondents; responses that did not meet the participation criteria are "
                  "in no other number."),
        paragraph("Respondents could skip questions, so each question has its own n: the "
                  "number of eligible respondents who answered it."),
        *_dropoff(findings),
        paragraph(f"To protect respondents' privacy, counts below "
                  f"{suppression_threshold(findings)} are not shown for small subgroups."),
    ]
    weighting = findings.weighting
    if weighting:
        blocks.append(paragraph(_weighting_note(weighting, r.eligible)))
    subsections = [
        Section("methods-reading", "How to read this report", (
            paragraph("Each percentage is of the n shown beside its figure or table: the "
                      "eligible respondents who answered that question. Respondents who "
                      "skipped a question are not counted in its n, so n differs from question "
                      "to question. Where respondents could choose more than one option, "
                      "percentages add up to more than 100%."),
            paragraph("Each chart gives its n and the numbers at the ends of its bars; the "
                      "counts, percentages and 95% confidence intervals behind it are in "
                      "the tables of the figures in the appendix. Agreement statements show "
                      "“I don't know” apart from the scale, in grey."),
            paragraph("A Wilson 95% confidence interval is a range of plausible values for "
                      "the percentage among people like those who answered: with few "
                      "respondents it is wide, and options whose intervals overlap may differ "
                      "only by chance. It is still useful for a convenience sample, because it "
                      "shows how much a percentage could move with a few answers more or "
                      "fewer. It cannot say how far the respondents differ from everyone the "
                      "survey was meant to reach: people who chose to answer may not be like "
                      "those who did not, and no interval measures that."),
        )),
        Section("methods-questions", "Questions and their n", (_questions_table(findings),)),
    ]
    if findings.warnings:
        subsections.append(Section("methods-warnings", "Warnings about these data", (
            paragraph("The import found these problems in the data; the numbers in this "
                      "report include the answers concerned as they were given."),
            bullets(list(findings.warnings)),
        )))
    return Section("methods", "Methods", tuple(blocks), tuple(subsections))


def _weighting_note(weighting: Weighting, eligible: int) -> str:
    margins = join_words(list(weighting.margins))
    sentences = [f"Weighted percentages adjust the answers to known totals by {margins}."]
    if weighting.raked is not None and weighting.not_raked is not None:
        sentences.append(
            f"{format_count(weighting.raked)} of the {format_count(eligible)} eligible "
            "respondents could be placed on the margins and were weighted; "
            f"{format_count(weighting.not_raked)} could not (an answer to "
            f"{join_words(list(weighting.margins), 'or')} missing) and keep weight 1.")
    # A design effect says what weighting costs in precision, nothing more: the sample is
    # still one of convenience, so no "as precise as a random sample of N".
    sentences += [
        f"The weights have a design effect of {weighting.design_effect:.2f}: unequal weights "
        "widen the weighted intervals about as much as having about "
        f"{format_count(round(weighting.effective_n))} respondents (the effective n) instead "
        f"of {format_count(eligible)} would.",
        "The charts, the executive summary and the takeaways give the unweighted "
        "percentages: those are the headline estimates. The tables of the figures show "
        "weighted percentages and their 95% intervals beside them, to show how much "
        "weighting would move each one."]
    return " ".join(sentences)


def _dropoff(findings: Findings) -> tuple[Block, ...]:
    """How far respondents went: a sentence and the table of sections, where Findings
    count them."""
    table = _dropoff_table(findings)
    if table is None:
        return ()
    return (paragraph("Respondents could also stop at any point. The table gives, section by "
                      "section of the questionnaire, how many eligible respondents answered "
                      "at least one of its questions."), table)


def _dropoff_table(findings: Findings) -> Table | None:
    """Respondents who answered each section of the questionnaire, in order: where they
    stopped. None for Findings written before sections were counted."""
    sections = findings.survey_sections
    eligible = findings.responses.eligible
    if not sections or not eligible:
        return None
    rows = tuple(Row(clean_text(s.title), (format_count(s.questions), format_count(s.count),
                                           format_percent(s.percent)))
                 for s in sections)
    return Table((Column("Questions"), Column("Answered"), Column("Percent of eligible")),
                 rows, stub="Section of the questionnaire",
                 caption=f"Eligible respondents (of {format_count(eligible)}) who answered "
                         "each section",
                 notes=("A respondent counts for a section when they answered at least one "
                        "of its questions; questions shown only to some (skip logic) make "
                        "a later section's number smaller without anyone stopping.",))


def _questions_table(findings: Findings) -> Table:
    eligible = findings.responses.eligible
    rows = tuple(Row(question_label(findings, qid),
                     (question_type(entry), format_count(entry.n),
                      format_count(entry.not_answered)))
                 for qid, entry in findings.questions.items())
    return Table((Column("Type", numeric=False), Column("n"), Column("Not answered")), rows,
                 stub="Question",
                 caption=f"Questions, their n and answers missing, of "
                         f"{format_count(eligible)} eligible respondents")


def limitations_section(findings: Findings) -> Section:
    r = findings.responses
    blocks: list[Paragraph] = [paragraph(
        "This stakeholder analysis is subject to several limitations. Respondents were a "
        "convenience sample: organizations chose whether to take part, so the findings "
        f"describe the {format_count(r.eligible)} eligible respondents and should not be "
        "applied to organizations generally.")]
    missing = _missing_sentence(findings)
    if missing:
        blocks.append(paragraph(missing))
    for qid, grouping in profile_groups(findings):
        if grouping.n:
            name, group = max(grouping.groups.items(), key=lambda g: g[1].count)
            asked = subject(findings.questions[qid].title)
            blocks.append(paragraph(
                f"Of the respondents who identified their {asked} "
                f"(n={format_count(grouping.n)}), {format_percent(group.percent)} held "
                f"{name} positions; more answers from people in other positions may have "
                "given different results, "
                "particularly on organizational facilitators and challenges."))
    threshold = suppression_threshold(findings)
    blocks.append(paragraph(
        f"To protect respondents' privacy, counts below {threshold} are not shown for small "
        "subgroups; such cells appear as “–”. Small subgroups therefore cannot be compared."))
    comparisons = findings.comparisons
    if comparisons:
        blocks.append(paragraph(
            f"The comparisons by {comparisons.by_label.lower()} test many differences at "
            "once; p-values were adjusted for multiple comparisons "
            f"({correction(comparisons)}), and a difference that is not significant may "
            "still be real but too small to detect with these numbers."))
    else:
        blocks.append(paragraph("This analysis did not compare subgroups, such as regions "
                                "or types of organization."))
    if findings.weighting:
        blocks.append(paragraph(
            "Weighting corrects the sample only on the characteristics it adjusts for; "
            "respondents may still differ from other organizations in ways the weights "
            "cannot see."))
    if _capped(findings):
        blocks.append(paragraph(
            f"Open-ended answers are listed up to {MAX_LISTED} per question; the rest are in "
            "the Findings JSON."))
    return Section("limitations", "Limitations", tuple(blocks))


def _missing_sentence(findings: Findings) -> str | None:
    eligible = findings.responses.eligible
    entries = list(findings.questions.items())
    if not entries or eligible == 0:
        return None
    ns = [entry.n for _, entry in entries]
    missed = sorted(entries, key=lambda pair: -pair[1].not_answered)[:MOST_MISSED]
    missed = [(qid, e) for qid, e in missed if e.not_answered > 0]
    if not missed:
        return "Every eligible respondent answered every question."
    named = join_words([f"{in_sentence(question_label(findings, qid))} (not answered by "
                        f"{format_count(e.not_answered)})" for qid, e in missed])
    return (f"Questions were optional, so n ranges from {format_count(min(ns))} to "
            f"{format_count(max(ns))} of the {format_count(eligible)} eligible respondents. "
            f"The questions left unanswered most often were {named}.")


def _capped(findings: Findings) -> bool:
    """Whether a question has more open-ended answers (or "Other" texts) than are listed."""
    return any(len(e.answers if isinstance(e, TextQuestion) else other_texts(e)) > MAX_LISTED
               for e in findings.questions.values())
