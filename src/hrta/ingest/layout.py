"""The column layout of a SurveyMonkey "expanded" export of an instrument.

One place for it: the reader matches exports against it and the demo writer produces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hrta.instrument import Instrument, Question

METADATA_HEADERS: tuple[str, ...] = (
    "Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
    "Email Address", "First Name", "Last Name", "Custom Data 1",
)
# Identifying metadata that is dropped at import and never stored with answers.
DROPPED_METADATA = frozenset({"IP Address", "Email Address", "First Name", "Last Name",
                              "Custom Data 1"})
RESPONSE = "Response"
OPEN_ENDED = "Open-Ended Response"

ColumnKind = Literal["choice", "other_text", "option", "statement", "text"]


@dataclass(frozen=True)
class Column:
    """One export column: which question it belongs to and what its cells hold."""

    question: Question
    kind: ColumnKind
    header2: str
    option_id: str | None = None
    statement_id: str | None = None

    @property
    def qid(self) -> str:
        """The answers-table question id: a matrix statement is `MATRIX.STATEMENT`."""
        if self.statement_id is not None:
            return f"{self.question.id}.{self.statement_id}"
        return self.question.id


def question_columns(question: Question) -> list[Column]:
    if question.type == "single":
        columns = [Column(question, "choice", RESPONSE)]
        columns += [Column(question, "other_text", o.label, option_id=o.id)
                    for o in question.options if o.other]
        return columns
    if question.type == "multi":
        return [Column(question, "other_text" if o.other else "option", o.label, option_id=o.id)
                for o in question.options]
    if question.type == "matrix":
        return [Column(question, "statement", s.text, statement_id=s.id)
                for s in question.statements]
    return [Column(question, "text", OPEN_ENDED)]


def export_columns(instrument: Instrument) -> list[Column]:
    return [column for q in instrument.questions for column in question_columns(q)]


def header_rows(instrument: Instrument) -> tuple[list[str], list[str]]:
    """The two header rows of an expanded export, metadata first."""
    row1, row2 = list(METADATA_HEADERS), [""] * len(METADATA_HEADERS)
    for question in instrument.questions:
        for index, column in enumerate(question_columns(question)):
            row1.append(question.text if index == 0 else "")
            row2.append(column.header2)
    return row1, row2
