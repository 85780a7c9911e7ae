"""The order of the stakeholder analysis: cover, summary, methods, findings, … appendix.

`build_document` is the one place the report is put together; every format draws what
it returns.
"""

from __future__ import annotations

from hrta.report.appendix import appendix_section
from hrta.report.comparisons import comparisons_section
from hrta.report.contract import check_findings
from hrta.report.discussion import discussion_section
from hrta.report.document import Block, Bullets, Document, Run, Section, paragraph
from hrta.report.formatting import format_count
from hrta.report.items import build_item
from hrta.report.methods import limitations_section, methods_section
from hrta.report.narrative import (
    fielded_sentence,
    item_sentences,
    key_findings,
    overview_sentences,
    section_sentences,
)
from hrta.report.selectors import Findings
from hrta.report.themes import theme_blocks
from hrta.report.trend import trend_section

SUBTITLE = "A Summary of Findings"


def _asked_options(findings: Findings) -> Findings:
    """The Findings without the options an export did not ask (`asked: false`): they have
    no percent to draw. The methods section's warnings name them."""
    questions = dict(findings["questions"])
    for qid, entry in questions.items():
        options = entry.get("options") or {}
        if any(option.get("asked") is False for option in options.values()):
            questions[qid] = {**entry, "options": {
                key: option for key, option in options.items() if option.get("asked") is not False}}
    return {**findings, "questions": questions}


def build_document(findings: Findings, *, discussion: str | None = None) -> Document:
    """The whole report from Findings (and the analyst's Markdown discussion, if any).

    InputError, naming the key, when the Findings lack something the report reads."""
    check_findings(findings)
    findings = _asked_options(findings)
    chapters = [
        _summary(findings),
        methods_section(findings),
        _findings_chapter(findings),
        comparisons_section(findings),
        trend_section(findings),
        discussion_section(discussion),
        limitations_section(findings),
        appendix_section(findings),
    ]
    r = findings["responses"]
    facts = (("Responses", format_count(r["total"])),
             ("Eligible respondents", format_count(r["eligible"])),
             ("Excluded as ineligible", format_count(r["excluded"])))
    cover = [f"Instrument {findings['instrument']} (version {findings['instrument_version']})"
             + (f"; data from {findings['source']}" if findings.get("source") else "") + "."]
    fielded = fielded_sentence(findings)
    if fielded:
        cover.insert(0, fielded)
    return Document(
        title=findings["title"], subtitle=SUBTITLE, cover_lines=tuple(cover), facts=facts,
        sections=tuple(chapter for chapter in chapters if chapter is not None),
        generator=findings["generator"],
        footer=f"{findings['title']}. Made by {findings['generator']} from the Findings of "
               f"instrument {findings['instrument']}; every number traces to the question "
               "and n shown with it.")


def _summary(findings: Findings) -> Section:
    overview = overview_sentences(findings)
    fielded = fielded_sentence(findings)
    blocks: list[Block] = [paragraph(" ".join(s for s in (fielded, *overview) if s))]
    points = key_findings(findings)
    if points:
        blocks += [paragraph("Key findings from the analysis include:"),
                   Bullets(tuple((Run(f"{title}. ", bold=True), Run(text))
                                 for title, text in points), ordered=True)]
    blocks.append(paragraph(
        "The findings are subject to several limitations, described at the end of this "
        "report: respondents were a convenience sample, questions were optional so each has "
        "its own n, and small counts are not shown for subgroups."))
    return Section("summary", "Executive summary", tuple(blocks))


def _findings_chapter(findings: Findings) -> Section:
    subsections = []
    for section in findings["sections"]:
        blocks: list[Block] = []
        opening = section_sentences(section, findings)
        if opening:
            blocks.append(paragraph(" ".join(opening), role="lead"))
        for item in section["items"]:
            blocks.append(paragraph(" ".join(item_sentences(item, findings)), role="lead"))
            blocks.extend(theme_blocks(item, findings))
            blocks.append(build_item(item, findings))
        subsections.append(Section(f"section-{section['id']}", section["title"], tuple(blocks)))
    return Section("findings", "Findings", (), tuple(subsections))
