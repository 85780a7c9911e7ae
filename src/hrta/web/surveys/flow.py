"""The assessment as pages: which sections a respondent sees, in which order, and which
questions on a page apply given the answers so far. Plain functions over the instrument."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hrta.instrument import Instrument, Question, Section

# Answers as the web app holds them: question id (or MATRIX.STATEMENT) -> chosen option ids.
Chosen = Mapping[str, Sequence[str]]


def _contact_ids(section: Section) -> set[str]:
    """The section's contact questions: those marked `pii`, and the question that opens them
    (the raffle opt-in, whose answer `show_if` of a detail names). They are asked together,
    after submission."""
    details = [q for q in section.questions if q.pii]
    openers = {q.show_if.question for q in details if q.show_if}
    return {q.id for q in section.questions if q.pii or q.id in openers}


def is_contact_section(section: Section) -> bool:
    """A section that asks only for contact details (and the opt-in before them) is offered
    after submission, apart."""
    return _contact_ids(section) == {q.id for q in section.questions}


def pages(instrument: Instrument) -> list[Section]:
    """The sections answered page by page: the eligibility screen first. Contact questions
    are offered after submission, apart, also where a section (as in one drafted from an
    export) holds them among other questions: the page shows the others."""
    sections = [_without_contact(s) for s in instrument.sections if not is_contact_section(s)]
    rule = instrument.eligibility
    if rule is None:
        return sections
    screen = [s for s in sections if any(q.id == rule.question for q in s.questions)]
    return screen + [s for s in sections if s not in screen]


def _without_contact(section: Section) -> Section:
    contact = _contact_ids(section)
    if not contact:
        return section
    return section.model_copy(update={
        "questions": tuple(q for q in section.questions if q.id not in contact)})


def contact_questions(instrument: Instrument) -> list[Question]:
    """The questions of the form after submission, in the instrument's order."""
    return [q for s in instrument.sections for q in s.questions if q.id in _contact_ids(s)]


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
