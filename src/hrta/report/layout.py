"""The order of the stakeholder analysis: cover, summary, methods, findings, … appendix.

`build_document` is the one place the report is put together; every format draws what
it returns.
"""

from __future__ import annotations

import re
from dataclasses import replace

from hrta.findings.model import Findings, TextQuestion
from hrta.report.appendix import appendix_section
from hrta.report.comparisons import comparisons_section
from hrta.report.contract import check_findings
from hrta.report.discussion import discussion_section
from hrta.report.document import (
    Block,
    Column,
    Document,
    Figure,
    Heading,
    Listing,
    Row,
    Section,
    Table,
    bullets,
    paragraph,
)
from hrta.report.formatting import format_count
from hrta.report.items import build_item
from hrta.report.lookup import FindingsSource, as_findings, question_label
from hrta.report.methods import limitations_section, methods_section, question_type
from hrta.report.narrative import (
    fielded_sentence,
    item_sentences,
    overview_sentences,
    section_sentences,
)
from hrta.report.takeaways import ta_priorities, takeaways
from hrta.report.themes import summary_themes, theme_blocks
from hrta.report.trend import trend_section

SUBTITLE = "A Summary of Findings"


def _asked_options(findings: Findings) -> Findings:
    """The Findings without the options an export did not ask (`asked: false`): they have
    no percent to draw. The methods section's warnings name them."""
    questions = dict(findings.questions)
    for qid, entry in questions.items():
        if isinstance(entry, TextQuestion):
            continue
        if any(option.asked is False for option in entry.options.values()):
            questions[qid] = entry.model_copy(update={"options": {
                key: option for key, option in entry.options.items() if option.asked is not False}})
    return findings.model_copy(update={"questions": questions})


def build_document(source: FindingsSource, *, discussion: str | None = None,
                   verbatims: bool = False,
                   released: frozenset[str] = frozenset()) -> Document:
    """The whole report from Findings, the model or its JSON form (and the analyst's
    Markdown discussion, if any). `verbatims` adds the appendix of open-ended answers;
    `released` names quotes (QUESTION-N) the name screen withheld that the analyst lets
    through (hrta.report.themes).

    InputError, naming the key, when the Findings lack something the report reads."""
    findings = as_findings(source)
    check_findings(findings)
    findings = _asked_options(findings)
    findings_chapter, numbers, answers = _apart(_findings_chapter(findings, verbatims,
                                                                  released))
    chapters = [
        _summary(findings),
        _without_questions_table(methods_section(findings)),
        findings_chapter,
        comparisons_section(findings),
        trend_section(findings),
        discussion_section(discussion),
        limitations_section(findings),
        # Open-ended answers can name people, places and agencies: printed only when asked.
        *_appendices(findings, numbers, answers if verbatims else []),
    ]
    r = findings.responses
    facts = (("Responses", format_count(r.total)),
             ("Eligible respondents", format_count(r.eligible)),
             ("Excluded as ineligible", format_count(r.excluded)))
    cover = [f"Instrument {findings.instrument} (version {findings.instrument_version})"
             + (f"; data from {findings.source}" if findings.source else "") + "."]
    fielded = fielded_sentence(findings)
    if fielded:
        cover.insert(0, fielded)
    return Document(
        title=findings.title, subtitle=SUBTITLE, cover_lines=tuple(cover), facts=facts,
        sections=tuple(chapter for chapter in chapters if chapter is not None),
        generator=findings.generator, draft=discussion is None,
        footer=f"{findings.title}. Made by {findings.generator} from the Findings of "
               f"instrument {findings.instrument}; every number traces to the question "
               "and n shown with it.")


def _summary(findings: Findings) -> Section:
    overview = overview_sentences(findings)
    fielded = fielded_sentence(findings)
    blocks: list[Block] = [paragraph(" ".join(s for s in (fielded, *overview) if s))]
    points = takeaways(findings)
    if points:
        blocks += [Heading("Takeaways", 2), bullets(points, ordered=True)]
    # Themes of open-ended answers only once people reviewed their coding.
    themes = summary_themes(findings)
    if themes:
        blocks += [Heading("In respondents' own words", 2), bullets(themes)]
    offer = ta_priorities(findings)
    if offer:
        blocks += [Heading("What this means for TA", 2), bullets(offer)]
    blocks.append(paragraph(
        "The findings are subject to several limitations, described at the end of this "
        "report: respondents were a convenience sample, questions were optional so each has "
        "its own n, and small counts are not shown for subgroups."))
    return Section("summary", "Executive summary", tuple(blocks))


def _findings_chapter(findings: Findings, verbatims: bool,
                      released: frozenset[str]) -> Section:
    subsections = []
    for section in findings.sections:
        blocks: list[Block] = []
        opening = section_sentences(section, findings)
        if opening:
            blocks.append(paragraph(" ".join(opening), role="lead"))
        for item in section.items:
            blocks.append(paragraph(" ".join(item_sentences(item, findings,
                                                            verbatims=verbatims)),
                                    role="lead"))
            blocks.extend(theme_blocks(item, findings, released))
            blocks.append(build_item(item, findings))
        subsections.append(Section(f"section-{section.id}", section.title, tuple(blocks)))
    return Section("findings", "Findings", (), tuple(subsections))


# Appendices ------------------------------------------------------------------------------
# The body carries each chart with its n and the numbers at the ends of its bars; the
# tables of counts and intervals behind it, the write-ins, the open-ended answers, the
# table of every question's n and the instrument are reference matter, kept after it.

_FIGURE_NUMBER = re.compile(r"^Figure (\w+)\. ")


def _apart(chapter: Section) -> tuple[Section, list[Figure], list[Listing]]:
    """The findings chapter with its charts' tables and its listings taken out, and what
    was taken out: one appendix table per chart, and the listings."""
    numbers: list[Figure] = []
    answers: list[Listing] = []

    def slim(section: Section) -> Section:
        blocks: list[Block] = []
        for block in section.blocks:
            if isinstance(block, Listing):
                answers.append(block)
            elif isinstance(block, Figure) and block.chart is not None and (
                    block.tables or block.others):
                table = _numbers_of(block)
                numbers.append(table)
                # Tables of who answered carry no interval (see items.describes_respondents).
                held = ("Counts, percentages and 95% confidence intervals" if any(
                    column.label == "95% CI" for t in block.tables for column in t.columns)
                    else "Counts and percentages")
                blocks.append(replace(block, tables=(), others=(), notes=(
                    *block.notes, f"{held}: {_label_of(table)} in the appendix.")))
            else:
                blocks.append(block)
        return replace(section, blocks=tuple(blocks),
                       subsections=tuple(slim(sub) for sub in section.subsections))

    return slim(chapter), numbers, answers


def _numbers_of(figure: Figure) -> Figure:
    """The appendix table of a chart: its tables and write-ins under a caption naming it."""
    found = _FIGURE_NUMBER.match(figure.caption)
    number = found.group(1) if found else figure.anchor.removeprefix("figure-")
    title = figure.caption[found.end():] if found else figure.caption
    return Figure("table", f"{figure.anchor}-numbers", f"Table A{number}. {title}",
                  tables=figure.tables, others=figure.others)


def _label_of(figure: Figure) -> str:
    return figure.caption.split(". ", 1)[0]


def _without_questions_table(methods: Section) -> Section:
    """Methods with the table of every question's n left to an appendix (it runs to pages)."""
    kept = tuple(sub for sub in methods.subsections if sub.anchor != "methods-questions")
    if len(kept) == len(methods.subsections):
        return methods
    return replace(methods, subsections=kept, blocks=(*methods.blocks, paragraph(
        "The appendix “Questions and their n” lists every question analysed with its n "
        "and how many eligible respondents left it unanswered.", role="note")))


def _appendices(findings: Findings, numbers: list[Figure],
                answers: list[Listing]) -> list[Section]:
    found: list[tuple[str, str, tuple[Block, ...]]] = []
    if numbers:
        first = _label_of(numbers[0]).removeprefix("Table A")
        found.append(("appendix-numbers", "Tables of the figures", (paragraph(
            "The counts, percentages and 95% confidence intervals behind each figure, and "
            f"what respondents wrote in under “Other”: Table A{first} gives the numbers of "
            f"Figure {first}, and so on. Tables of who answered (the first chapter's) give "
            "counts and percentages without intervals: they describe the respondents, not "
            "a wider population."), *numbers)))
    found.append(("appendix-questions", "Questions and their n", (_questions_table(findings),)))
    if answers:
        found.append(("appendix-answers", "Open-ended answers", tuple(answers)))
    instrument = appendix_section(findings)
    found.append((instrument.anchor, "The instrument", instrument.blocks))
    return [Section(anchor, f"Appendix {chr(ord('A') + index)}: {title}", blocks,
                    appendix=True)
            for index, (anchor, title, blocks) in enumerate(found)]


def _questions_table(findings: Findings) -> Table:
    """Every question the report draws, with its n: contact and raffle questions, which
    no figure draws, are left out."""
    drawn = {qid for section in findings.sections for item in section.items
             for qid in (*item.questions, *item.rows)}
    rows = tuple(Row(question_label(findings, qid),
                     (question_type(entry), format_count(entry.n),
                      format_count(entry.not_answered)))
                 for qid, entry in findings.questions.items() if qid in drawn)
    return Table((Column("Type", numeric=False), Column("n"), Column("Not answered")), rows,
                 stub="Question",
                 caption=f"Questions, their n and answers missing, of "
                         f"{format_count(findings.responses.eligible)} eligible respondents")
