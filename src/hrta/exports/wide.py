"""The wide layout: one row per response, one column per question, option or statement.

The layout every statistics export shares (SPSS, Stata, and the wide CSV, Parquet and XLSX):

`response_id`, `started_at`, `ended_at`   as imported (String)
`eligible`                 1 when the screening question let the response through, else 0
a single choice `Q`        the chosen option's number (1 for the first option, …)
a select-all question      one 0/1 variable per option, `Q_OPTION`
a matrix                   one variable per statement, `Q_STATEMENT`, holding the rating's number
an open-ended question     the text
an "Other (please specify)" box   `Q_OPTION_text`, the text typed beside that option

A choice variable with no answer says why: -99 (not answered) when the question was shown,
-98 (not shown) when its skip logic hid it or the screening question ended the assessment
before it. Text variables are empty either way. Names are cut to 28 characters where needed
(see `hrta.exports.names`); the codebook lists every variable with its label, the ids it
stands for and its values. Contact-detail questions are never in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import polars as pl

from hrta.exports.names import Names
from hrta.instrument import Instrument, Question
from hrta.responses import ResponseSet

NOT_ANSWERED = -99
NOT_SHOWN = -98
MISSING_LABELS: dict[int, str] = {
    NOT_ANSWERED: "Not answered",
    NOT_SHOWN: "Not shown (skip logic or screened out)",
}
NAME_LIMIT = 28
"""Stata takes 32 characters (SPSS 64), and a Stata value-label set is named after its
variable with a number added: 28 leaves room for up to 9,999 of them."""
FLAG_LABELS: dict[int, str] = {0: "Not selected", 1: "Selected"}
METADATA = ("response_id", "started_at", "ended_at")

VariableKind = Literal["id", "text", "code", "flag"]
"""`id`: metadata text; `text`: typed answers; `code`: a numbered choice; `flag`: 0/1."""


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    kind: VariableKind
    question_id: str | None = None
    item_id: str | None = None
    """The option (select-all, other text) or statement (matrix) the variable stands for."""
    values: dict[int, str] = field(default_factory=dict)

    @property
    def numeric(self) -> bool:
        return self.kind in ("code", "flag")


@dataclass(frozen=True)
class WideData:
    """The wide frame (one column per variable, in order) and what each column is."""

    frame: pl.DataFrame
    variables: tuple[Variable, ...]
    title: str
    numbered: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Wanted name -> (the name given, the cut name another variable had taken)."""

    def renaming_notes(self) -> list[str]:
        """One sentence per variable numbered because its cut name was taken."""
        return [f"{wanted!r} is the variable {given!r}: cut to {NAME_LIMIT} characters it "
                f"would be {taken!r}, which an earlier variable has (the codebook says which "
                "is which)." for wanted, (given, taken) in self.numbered.items()]

    def codebook(self) -> pl.DataFrame:
        """variable, label, question_id, item_id, type, values, missing: one row each."""
        missing = "; ".join(f"{code}={label}" for code, label in MISSING_LABELS.items())
        return pl.DataFrame({
            "variable": [v.name for v in self.variables],
            "label": [v.label for v in self.variables],
            "question_id": [v.question_id or "" for v in self.variables],
            "item_id": [v.item_id or "" for v in self.variables],
            "type": [v.kind for v in self.variables],
            "values": ["; ".join(f"{code}={label}" for code, label in v.values.items())
                       for v in self.variables],
            "missing": [missing if v.numeric else "" for v in self.variables],
        })


def wide_data(responses: ResponseSet) -> WideData:
    """The responses in the wide layout; contact details left out."""
    return _Builder(responses).build()


class _Builder:
    def __init__(self, responses: ResponseSet) -> None:
        self.responses = responses
        self.instrument: Instrument = responses.instrument
        self.height = responses.total
        self.names = Names(NAME_LIMIT)
        self.columns: list[pl.Series] = []
        self.variables: list[Variable] = []
        choices = responses.choices.with_columns(pl.col("question_id").cast(pl.String),
                                                 pl.col("option_id").cast(pl.String))
        self.chosen = {key[0]: part for key, part in choices.partition_by(
            "question_id", as_dict=True, include_key=False).items()}
        texts = responses.texts.with_columns(pl.col("question_id").cast(pl.String),
                                             pl.col("option_id").cast(pl.String))
        self.typed = {key[0]: part for key, part in texts.partition_by(
            "question_id", as_dict=True, include_key=False).items()}
        self.eligible = responses.respondents["eligible"].to_numpy().astype(bool)

    def build(self) -> WideData:
        for column in METADATA:
            self._add(Variable(self.names.name(column), column.replace("_", " ").capitalize(),
                               "id"), self.responses.respondents[column])
        self._add(Variable(self.names.name("eligible"), "Passed the screening question",
                           "flag", values={0: "No", 1: "Yes"}),
                  pl.Series(self.eligible.astype(np.int32)))
        for question in self.instrument.analysable_questions():
            self._question(question)
        return WideData(pl.DataFrame(self.columns), tuple(self.variables),
                        self.instrument.title, dict(self.names.numbered))

    def _add(self, variable: Variable, series: pl.Series) -> None:
        self.variables.append(variable)
        dtype = pl.Int32 if variable.numeric else pl.String
        self.columns.append(series.cast(dtype).alias(variable.name))

    def _question(self, question: Question) -> None:
        shown = self._shown(question)
        if question.type == "text":
            self._add(Variable(self.names.name(question.id), question.text, "text",
                               question.id), self._text(question.id, None))
            return
        values = {i + 1: option.label for i, option in enumerate(question.options)}
        if question.type == "single":
            codes = self._codes(question.id, question, shown)
            self._add(Variable(self.names.name(question.id), question.text, "code",
                               question.id, values=values), pl.Series(codes))
        elif question.type == "matrix":
            for statement in question.statements:
                qid = f"{question.id}.{statement.id}"
                codes = self._codes(qid, question, shown)
                if statement.id in self.responses.not_asked.get(question.id, ()):
                    codes[codes == NOT_ANSWERED] = NOT_SHOWN
                self._add(Variable(self.names.name(f"{question.id}_{statement.id}"),
                                   f"{question.title}: {statement.text}", "code", question.id,
                                   statement.id, values), pl.Series(codes))
        else:
            self._flags(question, shown)
        for option in question.options:
            if option.other:
                self._add(Variable(self.names.name(f"{question.id}_{option.id}_text"),
                                   f"{question.title}: {option.label} (text)", "text",
                                   question.id, option.id),
                          self._text(question.id, option.id))

    def _shown(self, question: Question) -> np.ndarray:
        """Per response, whether the assessment showed this question."""
        shown = np.ones(self.height, dtype=bool)
        rule = self.instrument.eligibility
        if rule is not None and question.id != rule.question:
            shown &= self.eligible
        if question.show_if is not None:
            part = self.chosen.get(question.show_if.question)
            met = np.zeros(self.height, dtype=bool)
            if part is not None:
                rows = part.filter(pl.col("option_id").is_in(list(question.show_if.any_of)))
                met[rows["row"].to_numpy()] = True
            shown &= met
        return shown

    def _missing(self, shown: np.ndarray) -> np.ndarray:
        return np.where(shown, NOT_ANSWERED, NOT_SHOWN).astype(np.int32)

    def _codes(self, qid: str, question: Question, shown: np.ndarray) -> np.ndarray:
        codes = self._missing(shown)
        part = self.chosen.get(qid)
        if part is not None:
            numbers = {option.id: i + 1 for i, option in enumerate(question.options)}
            # A single answer per response; were an export to hold two, the first is kept.
            first = part.unique("row", keep="first", maintain_order=True)
            codes[first["row"].to_numpy()] = first["option_id"].replace_strict(
                numbers, return_dtype=pl.Int32).to_numpy()
        return codes

    def _flags(self, question: Question, shown: np.ndarray) -> None:
        part = self.chosen.get(question.id)
        answered = np.zeros(self.height, dtype=bool)
        if part is not None:
            answered[part["row"].to_numpy()] = True
        base = np.where(answered, 0, self._missing(shown)).astype(np.int32)
        not_asked = self.responses.not_asked.get(question.id, ())
        for option in question.options:
            flags = base.copy()
            if option.id in not_asked:
                flags[:] = NOT_SHOWN
            if part is not None:
                flags[part.filter(pl.col("option_id") == option.id)["row"].to_numpy()] = 1
            self._add(Variable(self.names.name(f"{question.id}_{option.id}"),
                               f"{question.title}: {option.label}", "flag", question.id,
                               option.id, dict(FLAG_LABELS)), pl.Series(flags))

    def _text(self, qid: str, option_id: str | None) -> pl.Series:
        cells: list[str | None] = [None] * self.height
        part = self.typed.get(qid)
        if part is not None:
            rows = part.filter(pl.col("option_id").is_null() if option_id is None
                               else pl.col("option_id") == option_id)
            for row, value in zip(rows["row"].to_list(), rows["value"].to_list(), strict=True):
                cells[row] = value
        return pl.Series(cells, dtype=pl.String)
