"""The appendix: the instrument as respondents saw it, from the wording Findings carry;
and the write-ins the tables of the figures list, screened for names.

Findings hold the text and option labels of every question analysed, so the appendix
needs no instrument file and always matches the data it describes.
"""

from __future__ import annotations

from dataclasses import replace

from hrta.findings.model import Findings, Matrix, MatrixStatement, QuestionEntry, TextQuestion
from hrta.report.document import (
    Block,
    Figure,
    Listing,
    OtherTexts,
    Paragraph,
    Run,
    Section,
    bullets,
    paragraph,
)
from hrta.report.formatting import clean_text, format_count
from hrta.report.lookup import statement
from hrta.report.methods import question_type
from hrta.report.themes import write_ins
from hrta.report.words import Words, report_words

# Longer option lists (the states) are run together in one paragraph, not one per line.
INLINE_OPTIONS = 12


def appendix_section(findings: Findings, *, words: Words | None = None) -> Section:
    words = words or report_words()
    blocks: list[Block] = [paragraph(words("appendix.about"))]
    seen: set[str] = set()
    number = 0
    for qid, entry in findings.questions.items():
        matrix = entry.matrix if isinstance(entry, MatrixStatement) else None
        if matrix in seen:
            continue
        number += 1
        if matrix:
            seen.add(matrix)
            blocks += _matrix(number, findings.matrices[matrix], findings, words)
        else:
            blocks += _question(number, qid, entry, words)
    return Section("appendix", words("appendix.title"), tuple(blocks))


def _title(number: int, text: str) -> Paragraph:
    return Paragraph((Run(f"Q{number}. ", bold=True), Run(clean_text(text), bold=True)),
                     role="term")


def _question(number: int, qid: str, entry: QuestionEntry, words: Words) -> list[Block]:
    blocks: list[Block] = [_title(number, entry.text), paragraph(words(
        "appendix.question", type=question_type(entry, words), id=qid,
        n=format_count(entry.n)), role="note")]
    options = {} if isinstance(entry, TextQuestion) else entry.options
    labels = [clean_text(o.label) for o in options.values()]
    if labels:
        blocks.append(bullets(labels, inline=len(labels) > INLINE_OPTIONS))
    return blocks


def _matrix(number: int, matrix: Matrix, findings: Findings, words: Words) -> list[Block]:
    statements = [statement(findings, qid) for qid in matrix.statements]
    scale = [clean_text(o.label) for o in statements[0].options.values()] \
        if statements else []
    return [
        _title(number, matrix.text),
        paragraph(words("appendix.grid", scale=", ".join(scale), n=format_count(matrix.n)),
                  role="note"),
        bullets([clean_text(s.text) for s in statements]),
    ]


# Write-ins -------------------------------------------------------------------------------
# "Other (please specify)" texts can name a sheriff or a county as an open-ended answer
# can: the quotes' screen and release (hrta.report.themes) hold for them too.

def screened_write_ins(block: Figure | Listing, findings: Findings,
                       released: frozenset[str] = frozenset(),
                       *, words: Words | None = None) -> Figure | Listing:
    """The figure with each write-in the screen holds back replaced by a note naming its
    id, and counted; a released one is printed as written."""
    if not isinstance(block, Figure) or not block.others:
        return block
    w = words or report_words()
    return replace(block, others=tuple(_screened(other, findings, released, w)
                                       for other in block.others))


def _screened(other: OtherTexts, findings: Findings, released: frozenset[str],
              words: Words) -> OtherTexts:
    entry = findings.questions.get(other.qid)
    if entry is None:
        return other
    quotes = write_ins(other.qid, entry, released, listed=len(other.texts))
    texts = tuple(words("doc.others.withheld", id=quote.id) if quote.withheld else text
                  for quote, text in zip(quotes, other.texts, strict=True))
    return replace(other, texts=texts, withheld=sum(1 for q in quotes if q.withheld))
