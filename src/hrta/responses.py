"""ResponseSet: the one shape every stage takes.

A long table of answers, one row per answered option, plus one row per response of
metadata. Contact details (questions flagged `pii`) are held apart and never analysed.

Columns of `answers`:
  row          UInt32  position of the response in `respondents`
  question_id  Enum    question id; a matrix statement is `MATRIX_ID.STATEMENT_ID`
  option_id    Enum    chosen option (null for open-ended text)
  value        String  open-ended text, or the text typed with an "Other (please specify)"
`respondents`: response_id (String, unique), eligible (Boolean), started_at, ended_at (String)
`contacts`:    row (UInt32), question_id (String), value (String)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from hrta.errors import InputError
from hrta.files import write_atomic
from hrta.instrument import Instrument

RESPONDENT_SCHEMA = {
    "response_id": pl.String,
    "started_at": pl.String,
    "ended_at": pl.String,
}
LONG_COLUMNS = ("response_id", "question_id", "option_id", "value")


def answer_question_ids(instrument: Instrument) -> list[str]:
    """Every question id an answer row may carry (no contact-detail questions)."""
    ids: list[str] = []
    for question in instrument.analysable_questions():
        ids.extend(question.statement_qids() if question.type == "matrix" else [question.id])
    return ids


def answer_option_ids(instrument: Instrument) -> list[str]:
    ids: dict[str, None] = {}
    for question in instrument.analysable_questions():
        ids.update(dict.fromkeys(question.option_ids))
    return list(ids)


def answer_schema(instrument: Instrument) -> dict[str, pl.DataType]:
    return {
        "row": pl.UInt32(),
        "question_id": pl.Enum(answer_question_ids(instrument)),
        "option_id": pl.Enum(answer_option_ids(instrument)),
        "value": pl.String(),
    }


CONTACT_SCHEMA = {"row": pl.UInt32, "question_id": pl.String, "value": pl.String}


@dataclass(frozen=True)
class ResponseSet:
    instrument: Instrument
    respondents: pl.DataFrame
    answers: pl.DataFrame
    contacts: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=CONTACT_SCHEMA))
    source: str = ""
    warnings: tuple[str, ...] = ()

    @classmethod
    def build(cls, instrument: Instrument, respondents: pl.DataFrame, answers: pl.DataFrame,
              contacts: pl.DataFrame | None = None, *, source: str = "",
              warnings: tuple[str, ...] = ()) -> ResponseSet:
        """Assemble a ResponseSet and mark eligibility from the instrument's screening rule."""
        respondents = respondents.select(
            pl.col(name).cast(dtype) for name, dtype in RESPONDENT_SCHEMA.items()
        )
        answers = answers.select(
            pl.col(name).cast(dtype) for name, dtype in answer_schema(instrument).items()
        )
        eligible = np.ones(respondents.height, dtype=bool)
        rule = instrument.eligibility
        if rule is not None:
            screened_out = answers.filter(
                (pl.col("question_id") == rule.question)
                & pl.col("option_id").cast(pl.String).is_in(list(rule.ineligible_options))
            )["row"].to_numpy()
            eligible[screened_out] = False
        respondents = respondents.with_columns(eligible=pl.Series(eligible, dtype=pl.Boolean))
        if contacts is None:
            contacts = pl.DataFrame(schema=CONTACT_SCHEMA)
        return cls(instrument, respondents, answers, contacts, source, warnings)

    @property
    def total(self) -> int:
        return self.respondents.height

    @property
    def eligible_count(self) -> int:
        return int(self.respondents["eligible"].sum())

    def eligible_answers(self) -> pl.DataFrame:
        mask = self.respondents["eligible"].to_numpy()[self.answers["row"].to_numpy()]
        return self.answers.filter(pl.Series(mask, dtype=pl.Boolean))

    def to_long(self) -> pl.DataFrame:
        """The native long table: response_id, question_id, option_id, value.

        A response with no answers keeps one row with an empty question so it is counted.
        """
        ids = self.respondents.select(pl.col("response_id"), pl.int_range(pl.len(), dtype=pl.UInt32)
                                      .alias("row"))
        long = self.answers.join(ids, on="row", how="left").select(
            "response_id",
            pl.col("question_id").cast(pl.String),
            pl.col("option_id").cast(pl.String),
            "value",
        )
        answered = self.answers["row"].unique()
        silent = ids.filter(~pl.col("row").is_in(answered.implode())).select(
            "response_id",
            *(pl.lit(None, pl.String).alias(name) for name in LONG_COLUMNS[1:]),
        )
        return pl.concat([long, silent]).sort("response_id", maintain_order=True)

    def write_parquet(self, path: Path) -> None:
        """The Findings-ready Parquet of the ResponseSet (native long form, no contacts)."""
        write_atomic(path, lambda tmp: self.to_long().write_parquet(tmp))


def duplicate_ids_error(ids: pl.Series, *, file: str, first_data_row: int,
                        column: str) -> InputError | None:
    """An error naming the first repeated respondent id, or None when all are unique."""
    if ids.null_count():
        index = int(ids.is_null().arg_true()[0])
        return InputError("respondent id is empty", file=file, row=index + first_data_row,
                          column=column)
    repeats = ~ids.is_first_distinct()
    if not repeats.any():
        return None
    index = int(repeats.arg_true()[0])
    value = ids[index]
    first = int((ids == value).arg_true()[0])
    return InputError(
        f"respondent id {value!r} appears more than once (first at row {first + first_data_row})",
        file=file, row=index + first_data_row, column=column,
    )
