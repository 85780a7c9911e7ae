"""The order of the stakeholder analysis: cover, summary, methods, findings, … appendix.

`build_document` is the one place the report is put together; every format draws what
it returns.
"""

from __future__ import annotations

import re
from dataclasses import replace

from hrta.findings.model import Findings, TextQuestion
from hrta.report.appendix import appendix_section, screened_write_ins
from hrta.report.comparisons import comparisons_section
from hrta.report.contract import check_findings
from hrta.report.discussion import discussion_section
from hrta.report.document import (
    Block,
    Document,
    Figure,
    Heading,
    Listing,
    Section,
    Table,
    bullets,
    paragraph,
)
from hrta.report.formatting import format_count
from hrta.report.items import build_item
from hrta.report.lookup import FindingsSource, as_findings
from hrta.report.methods import limitations_section, methods_section, questions_table
from hrta.report.narrative import (
    fielded_sentence,
    item_sentences,
    overview_sentences,
    section_sentences,
)
from hrta.report.takeaways import ta_priorities, takeaways
from hrta.report.themes import summary_themes, theme_blocks
from hrta.report.trend import trend_section
from hrta.report.words import Words, report_words


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
                   released: frozenset[str] = frozenset(),
                   words: Words | None = None) -> Document:
    """The whole report from Findings, the model or its JSON form (and the analyst's
    Markdown discussion, if any). `verbatims` adds the appendix of open-ended answers;
    `released` names quotes (QUESTION-N) and write-ins (QUESTION-other-N) the name screen
    withheld that the analyst lets through (hrta.report.themes); `words` the catalog of the
    report's language (English by default), whose questions and options are the Findings'
    own wording.

    InputError, naming the key, when the Findings lack something the report reads."""
    words = words or report_words()
    findings = as_findings(source)
    check_findings(findings)
    findings = _asked_options(findings)
    findings_chapter, numbers, answers = _apart(_findings_chapter(findings, verbatims,
                                                                  released, words), words)
    chapters = [
        _summary(findings, words),
        _without_questions_table(methods_section(findings, words=words), words),
        findings_chapter,
        comparisons_section(findings, words=words),
        trend_section(findings, words=words),
        discussion_section(discussion, words=words),
        limitations_section(findings, words=words),
        # Open-ended answers can name people, places and agencies: printed only when asked.
        *_appendices(findings, numbers, answers if verbatims else [], words),
    ]
    r = findings.responses
    facts = ((words("doc.cover.responses"), format_count(r.total)),
             (words("doc.cover.eligible"), format_count(r.eligible)),
             (words("doc.cover.excluded"), format_count(r.excluded)))
    instrument = words("doc.cover.instrument", instrument=findings.instrument,
                       version=findings.instrument_version)
    cover = [words("doc.cover.source", instrument=instrument, source=findings.source)
             if findings.source else words("doc.cover.no_source", instrument=instrument)]
    fielded = fielded_sentence(findings, words=words)
    if fielded:
        cover.insert(0, fielded)
    return Document(
        title=findings.title, subtitle=words("doc.subtitle"), cover_lines=tuple(cover),
        facts=facts, sections=tuple(chapter for chapter in chapters if chapter is not None),
        generator=findings.generator, draft=discussion is None, language=words.language,
        footer=words("doc.footer", title=findings.title, generator=findings.generator,
                     instrument=findings.instrument))


def _summary(findings: Findings, words: Words) -> Section:
    overview = overview_sentences(findings, words=words)
    fielded = fielded_sentence(findings, words=words)
    blocks: list[Block] = [paragraph(" ".join(s for s in (fielded, *overview) if s))]
    points = takeaways(findings, words=words)
    if points:
        blocks += [Heading(words("doc.takeaways"), 2), bullets(points, ordered=True)]
    # Themes of open-ended answers only once people reviewed their coding.
    themes = summary_themes(findings, words=words)
    if themes:
        blocks += [Heading(words("doc.own_words"), 2), bullets(themes)]
    offer = ta_priorities(findings, words=words)
    if offer:
        blocks += [Heading(words("doc.for_ta"), 2), bullets(offer)]
    blocks.append(paragraph(words("doc.summary.limitations")))
    return Section("summary", words("doc.summary"), tuple(blocks))


def _findings_chapter(findings: Findings, verbatims: bool,
                      released: frozenset[str], words: Words) -> Section:
    subsections = []
    for section in findings.sections:
        blocks: list[Block] = []
        opening = section_sentences(section, findings, words=words)
        if opening:
            blocks.append(paragraph(" ".join(opening), role="lead"))
        for item in section.items:
            blocks.append(paragraph(" ".join(item_sentences(item, findings,
                                                            verbatims=verbatims,
                                                            words=words)),
                                    role="lead"))
            blocks.extend(theme_blocks(item, findings, released, words=words))
            blocks.append(screened_write_ins(build_item(item, findings, words=words),
                                             findings, released, words=words))
        subsections.append(Section(f"section-{section.id}", section.title, tuple(blocks)))
    return Section("findings", words("doc.findings"), (), tuple(subsections))


# Appendices ------------------------------------------------------------------------------
# The body carries each chart with its n and the numbers at the ends of its bars; the
# tables of counts and intervals behind it, the write-ins, the open-ended answers, the
# table of every question's n and the instrument are reference matter, kept after it.

def _apart(chapter: Section, words: Words) -> tuple[Section, list[Figure], list[Listing]]:
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
                table = _numbers_of(block, words)
                numbers.append(table)
                # Tables of who answered carry no interval (see items.describes_respondents).
                held = ("doc.numbers.with_intervals" if any(
                    "95%" in column.label for t in block.tables for column in t.columns)
                    else "doc.numbers.without_intervals")
                blocks.append(replace(block, tables=(), others=(), notes=(
                    *block.notes, words(held, table=_label_of(table)))))
            else:
                blocks.append(block)
        return replace(section, blocks=tuple(blocks),
                       subsections=tuple(slim(sub) for sub in section.subsections))

    return slim(chapter), numbers, answers


def _numbers_of(figure: Figure, words: Words) -> Figure:
    """The appendix table of a chart: its tables and write-ins under a caption naming it
    ("Figure 3. Services" gives "Table A3. Services", in the report's words)."""
    found = re.match(r"^\S+ (\w+)\. ", figure.caption)
    number = found.group(1) if found else figure.anchor.removeprefix("figure-")
    title = figure.caption[found.end():] if found else figure.caption
    # The figure's notes (percents that do not add up, a choice limit) follow its last
    # table: read alone, the table still says why; above it they could strand the caption.
    tables = figure.tables
    notes = tuple(_in_appendix(note, words) for note in figure.notes)
    if tables and notes:
        tables = (*tables[:-1], replace(tables[-1], notes=(*tables[-1].notes, *notes)))
    return Figure("table", f"{figure.anchor}-numbers",
                  words("doc.numbers.caption", number=number, title=title),
                  tables=tables, others=figure.others)


def _in_appendix(note: str, words: Words) -> str:
    """A note pointing to other figures' tables ("… in the tables of Figure 3 and Figure
    5") names, under an appendix table, the appendix tables ("… in Tables A3 and A5")."""
    before, _, after = words("narrative.item.shown_in", figures="\0").partition("\0")
    if not (note.startswith(before) and note.endswith(after)):
        return note
    figure = re.escape(words("narrative.figure", number="\0")).replace("\0", r"(\w+)")
    numbers = re.findall(figure, note[len(before):len(note) - len(after)])
    if not numbers:
        return note
    return words.count("doc.numbers.shown_in", len(numbers), tables=words.join(
        [words("doc.numbers.label", number=number) for number in numbers]))


def _label_of(figure: Figure) -> str:
    return figure.caption.split(". ", 1)[0]


def _without_questions_table(methods: Section, words: Words) -> Section:
    """Methods with the table of every question's n left to an appendix (it runs to pages)."""
    kept = tuple(sub for sub in methods.subsections if sub.anchor != "methods-questions")
    if len(kept) == len(methods.subsections):
        return methods
    return replace(methods, subsections=kept, blocks=(*methods.blocks, paragraph(
        words("doc.questions.where", appendix=words("doc.appendix.questions")),
        role="note")))


def _appendices(findings: Findings, numbers: list[Figure],
                answers: list[Listing], words: Words) -> list[Section]:
    found: list[tuple[str, str, tuple[Block, ...]]] = []
    if numbers:
        first = re.sub(r"^\S+ A", "", _label_of(numbers[0]))
        found.append(("appendix-numbers", words("doc.appendix.numbers"), (paragraph(
            words("doc.appendix.numbers.about", first=first)), *numbers)))
    found.append(("appendix-questions", words("doc.appendix.questions"),
                  (_questions_table(findings, words),)))
    if answers:
        found.append(("appendix-answers", words("doc.appendix.answers"), tuple(answers)))
    instrument = appendix_section(findings, words=words)
    found.append((instrument.anchor, words("doc.appendix.instrument"), instrument.blocks))
    return [Section(anchor, words("doc.appendix.title", letter=chr(ord("A") + index),
                                  title=title), blocks, appendix=True)
            for index, (anchor, title, blocks) in enumerate(found)]


def _questions_table(findings: Findings, words: Words) -> Table:
    """Every question the report draws, with its n: contact and raffle questions, which
    no figure draws, are left out."""
    drawn = {qid for section in findings.sections for item in section.items
             for qid in (*item.questions, *item.rows)}
    return questions_table(findings, words, drawn)
