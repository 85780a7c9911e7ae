"""Findings in another wording of their questionnaire, numbers untouched.

A wave's Findings are computed once, under the questionnaire's own wording. A page or a
report in another language names questions, options, grids, sections and figures as the
questionnaire's translation does (`hrta.instrument.translation.translate`): the ids are
the same, so only the words are swapped, and every count, percent and n stays as it was.
"""

from __future__ import annotations

from typing import Any

from hrta.analysis.findings import survey_order_layout
from hrta.findings.model import Findings, MatrixStatement, TextQuestion
from hrta.instrument.schema import Instrument, Question


def in_wording(findings: Findings, instrument: Instrument) -> Findings:
    """`findings` with the labels of `instrument` (a translation of the questionnaire they
    were computed from). A question, option or item the instrument does not have keeps
    its label."""
    known = {question.id: question for question in instrument.questions}
    questions = {qid: _entry(qid, entry, known) for qid, entry in findings.questions.items()}
    matrices = {mid: matrix.model_copy(update={"title": known[mid].title,
                                               "text": known[mid].text})
                if mid in known else matrix for mid, matrix in findings.matrices.items()}
    titles = {section.id: section.title for section in instrument.sections}
    surveyed = [s.model_copy(update={"title": titles.get(s.id, s.title)})
                for s in findings.survey_sections or []]
    layout = instrument.report or survey_order_layout(instrument)
    laid = {section.id: section for section in layout.sections}
    sections = []
    for section in findings.sections:
        own = laid.get(section.id)
        if own is None or len(own.items) != len(section.items):
            sections.append(section)
            continue
        items = [item.model_copy(update={"title": mine.title})
                 for item, mine in zip(section.items, own.items, strict=True)]
        sections.append(section.model_copy(update={"title": own.title, "items": items}))
    update: dict[str, Any] = {"questions": questions, "matrices": matrices,
                              "sections": sections, "title": layout.title
                              if instrument.report else findings.title}
    if findings.survey_sections:
        update["survey_sections"] = surveyed
    return findings.model_copy(update=update)


def _entry(qid: str, entry: Any, known: dict[str, Question]) -> Any:
    if isinstance(entry, MatrixStatement):
        grid = known.get(entry.matrix)
        if grid is None:
            return entry
        said = {s.id: s.text for s in grid.statements}
        return entry.model_copy(update={
            "title": grid.title, "text": said.get(entry.statement, entry.text),
            "options": _options(entry.options, grid),
            "nets": {net: tally.model_copy(update={"label": grid.nets.get(net, tally.label)})
                     for net, tally in entry.nets.items()}})
    question = known.get(qid)
    if question is None:
        return entry
    update: dict[str, Any] = {"title": question.title, "text": question.text}
    if not isinstance(entry, TextQuestion):
        update["options"] = _options(entry.options, question)
    return entry.model_copy(update=update)


def _options(options: dict[str, Any], question: Question) -> dict[str, Any]:
    labels = {option.id: option.label for option in question.options}
    return {key: tally.model_copy(update={"label": labels.get(key, tally.label)})
            for key, tally in options.items()}
