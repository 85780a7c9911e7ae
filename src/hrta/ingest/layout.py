"""The column layout of a SurveyMonkey "expanded" export of an instrument.

One place for it: the reader matches exports against it and the demo writer produces it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from hrta.ingest.labels import normalize
from hrta.instrument import Instrument, Question

METADATA_HEADERS: tuple[str, ...] = (
    "Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
    "Email Address", "First Name", "Last Name", "Custom Data 1",
)
# Identifying metadata that is dropped at import and never stored with answers.
DROPPED_METADATA = frozenset({"IP Address", "Email Address", "First Name", "Last Name",
                              "Custom Data 1"})
# SurveyMonkey Audience panel demographics: row 2 empty, coded values. Kept per respondent
# as attributes to group by (`--by Gender`), never read as questions.
AUDIENCE_HEADERS: tuple[str, ...] = ("Gender", "Age", "Household Income", "Region",
                                     "Device Type")
# Any other column of the metadata block: how the response was collected, dropped.
EXTRA_METADATA: tuple[str, ...] = ("collector_type_source", "Collector Type", "Custom Data",
                                   "Custom Variable", "Language")
MetadataKind = Literal["id", "started", "ended", "dropped", "attribute"]
RESPONSE = "Response"
OPEN_ENDED = "Open-Ended Response"

ColumnKind = Literal["choice", "single_option", "other_text", "comment", "option", "statement",
                     "text", "contact"]
"""`choice`: a single choice's `Response` column; `single_option`: one option of a single
choice in an expanded export; `other_text`: the "Other (please specify)" box; `comment`: a
comment box (its own prompt in row 2) read as that box; `option`: a checkbox; `statement`:
a grid row; `text`: an open-ended answer; `contact`: a field of a contact question."""


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


def _squeeze(text: str) -> str:
    """A metadata header with case, spaces, underscores and a trailing number removed:
    `RespondentID`, `Respondent ID` and `respondent_id` are one header."""
    return re.sub(r"[\s_]+|\d+$", "", normalize(text)).rstrip("0123456789")


_KINDS: dict[str, MetadataKind] = {
    **{_squeeze(h): "dropped" for h in (*METADATA_HEADERS, *EXTRA_METADATA)},
    **{_squeeze(h): "attribute" for h in AUDIENCE_HEADERS},
    _squeeze("Respondent ID"): "id", _squeeze("Start Date"): "started",
    _squeeze("End Date"): "ended",
}


def metadata_kind(header: str) -> MetadataKind | None:
    """What a row-1 header of the metadata block is, or None if it is no metadata header.

    Identifying metadata (IP and e-mail address, names, custom data) is `dropped`, as is
    collector bookkeeping; Audience demographics are respondent `attribute`s.
    """
    return _KINDS.get(_squeeze(header))
