"""The assessment as pages: which sections a respondent sees, in which order, and which
questions on a page apply given the answers so far. Plain functions over the instrument."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hrta.instrument import Instrument, Question, Section

# Answers as the web app holds them: question id (or MATRIX.STATEMENT) -> chosen option ids.
Chosen = Mapping[str, Sequence[str]]


def is_contact_section(section: Section) -> bool:
    """A section that asks for contact details is offered after submission, apart."""
    return any(question.pii for question in section.questions)


def pages(instrument: Instrument) -> list[Section]:
    """The sections answered page by page: the eligibility screen first."""
    sections = [s for s in instrument.sections if not is_contact_section(s)]
    rule = instrument.eligibility
    if rule is None:
        return sections
    screen = [s for s in sections if any(q.id == rule.question for q in s.questions)]
    return screen + [s for s in sections if s not in screen]


def contact_questions(instrument: Instrument) -> list[Question]:
    return [q for s in instrument.sections if is_contact_section(s) for q in s.questions]


def applies(question: Question, chosen: Chosen) -> bool:
    """Skip logic: a question with `show_if` applies only after one of the named answers."""
    rule = question.show_if
    if rule is None:
        return True
    return any(option in rule.any_of for option in chosen.get(rule.question, ()))


def is_ineligible(instrument: Instrument, chosen: Chosen) -> bool:
    rule = instrument.eligibility
    if rule is None:
        return False
    return any(option in rule.ineligible_options for option in chosen.get(rule.question, ()))


def answer_keys(question: Question) -> tuple[str, ...]:
    """The question ids an answer to this question is stored under."""
    return question.statement_qids() if question.type == "matrix" else (question.id,)
