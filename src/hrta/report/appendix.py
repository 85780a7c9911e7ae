"""The appendix: the instrument as respondents saw it, from the wording Findings carry.

Findings hold the text and option labels of every question analysed, so the appendix
needs no instrument file and always matches the data it describes.
"""

from __future__ import annotations

from hrta.findings.model import Findings, Matrix, MatrixStatement, QuestionEntry, TextQuestion
from hrta.report.document import Block, Paragraph, Run, Section, bullets, paragraph
from hrta.report.formatting import clean_text, format_count
from hrta.report.lookup import statement
from hrta.report.methods import question_type
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
