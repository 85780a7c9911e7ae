"""ResponseSet: the one shape every stage takes.

The answers are a long table, one row per answered option, plus one row per response of
metadata. Contact details (questions flagged `pii`) are held apart and never analysed.

The long table is kept in two parts so that a million responses fit in little memory:
`choices`   row (UInt32: position in `respondents`), question_id (Enum), option_id (Enum)
            one row per chosen option or matrix rating; each triple appears once
`texts`     row, question_id, option_id (null for open-ended), value (String)
            open-ended answers and the text typed with an "Other (please specify)"
`answers` joins them into the public long shape: row, question_id, option_id, value.
A matrix statement's question id is `MATRIX_ID.STATEMENT_ID`.
`respondents`: response_id (String, unique), started_at, ended_at (String), eligible (Boolean)
`contacts`:    row (UInt32), question_id (String), value (String)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from hrta.errors import InputError, Notice
from hrta.files import write_atomic
from hrta.instrument import Instrument

RESPONDENT_SCHEMA = {
    "response_id": pl.String,
    "started_at": pl.String,
    "ended_at": pl.String,
}
LONG_COLUMNS = ("response_id", "question_id", "option_id", "value")
CONTACT_SCHEMA = pl.Schema({"row": pl.UInt32(), "question_id": pl.String(), "value": pl.String()})


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


def answer_schema(instrument: Instrument) -> pl.Schema:
    return pl.Schema({
        "row": pl.UInt32(),
        "question_id": pl.Enum(answer_question_ids(instrument)),
        "option_id": pl.Enum(answer_option_ids(instrument)),
        "value": pl.String(),
    })


def choice_schema(instrument: Instrument) -> pl.Schema:
    schema = answer_schema(instrument)
    del schema["value"]
    return schema


@dataclass(frozen=True)
class ResponseSet:
    instrument: Instrument
    respondents: pl.DataFrame
    choices: pl.DataFrame
    texts: pl.DataFrame
    contacts: pl.DataFrame
    source: str = ""
    warnings: tuple[Notice, ...] = ()
    """What the reader had to assume or leave out, to tell the user (the command line
    prints them in English, the staff import page in its language)."""
    not_asked: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Question id -> options or statements the export did not ask (its mapping file says
    their columns are absent on purpose): their counts mean "not asked", not 0%."""
    attributes: pl.DataFrame = field(default_factory=pl.DataFrame)
    """Per respondent row, attributes the export holds beside the answers (SurveyMonkey
    Audience demographics: Gender, Age, ...), String columns named by their header; they
    can split respondents (`--by Gender`) and are never questions. Empty when none."""

    @classmethod
    def build(cls, instrument: Instrument, respondents: pl.DataFrame, *,
              choices: pl.DataFrame, texts: pl.DataFrame,
              contacts: pl.DataFrame | None = None, source: str = "",
              warnings: tuple[Notice, ...] = (),
              not_asked: dict[str, tuple[str, ...]] | None = None,
              attributes: pl.DataFrame | None = None) -> ResponseSet:
        """Assemble a ResponseSet and mark eligibility from the instrument's screening rule."""
        respondents = respondents.select(
            pl.col(name).cast(dtype) for name, dtype in RESPONDENT_SCHEMA.items()
        )
        # One chunk, so that later passes read the columns as arrays without copying.
        choices = choices.select(
            pl.col(name).cast(dtype) for name, dtype in choice_schema(instrument).items()
        ).rechunk()
        texts = texts.select(
            pl.col(name).cast(dtype) for name, dtype in answer_schema(instrument).items()
        )
        eligible = np.ones(respondents.height, dtype=bool)
        rule = instrument.eligibility
        if rule is not None:
            screened_out = choices.filter(
                (pl.col("question_id") == rule.question)
                & pl.col("option_id").is_in(list(rule.ineligible_options))
            )["row"].to_numpy()
            eligible[screened_out] = False
        respondents = respondents.with_columns(eligible=pl.Series(eligible, dtype=pl.Boolean))
        if contacts is None:
            contacts = pl.DataFrame(schema=CONTACT_SCHEMA)
        if attributes is None or not attributes.width:
            attributes = pl.DataFrame()
        elif attributes.height != respondents.height:
            raise ValueError("attributes need one row per respondent")
        return cls(instrument, respondents, choices, texts, contacts.cast(CONTACT_SCHEMA),
                   source, warnings, dict(not_asked or {}), attributes)

    @classmethod
    def from_answers(cls, instrument: Instrument, respondents: pl.DataFrame,
                     answers: pl.DataFrame, *,
                     contacts: pl.DataFrame | None = None, source: str = "",
                     warnings: tuple[Notice, ...] = (),
                     not_asked: dict[str, tuple[str, ...]] | None = None,
                     attributes: pl.DataFrame | None = None) -> ResponseSet:
        """Build from the public long shape (row, question_id, option_id, value)."""
        schema = answer_schema(instrument)
        answers = answers.select(pl.col(name).cast(dtype) for name, dtype in schema.items())
        choices = answers.filter(pl.col("option_id").is_not_null()).drop("value")
        texts = answers.filter(pl.col("value").is_not_null())
        return cls.build(instrument, respondents, choices=choices, texts=texts,
                         contacts=contacts, source=source, warnings=warnings,
                         not_asked=not_asked, attributes=attributes)

    @property
    def total(self) -> int:
        return self.respondents.height

    @property
    def eligible_count(self) -> int:
        return int(self.respondents["eligible"].sum())

    @property
    def answers(self) -> pl.DataFrame:
        """The public long table: one row per chosen option or text answer."""
        keys = ["row", "question_id", "option_id"]
        chosen = self.choices.join(self.texts.filter(pl.col("option_id").is_not_null()),
                                   on=keys, how="left", nulls_equal=True)
        open_ended = self.texts.filter(pl.col("option_id").is_null())
        return pl.concat([chosen, open_ended]).sort("row", "question_id", "option_id",
                                                     nulls_last=True, maintain_order=True)

    def _eligible(self, frame: pl.DataFrame) -> pl.DataFrame:
        mask = self.respondents["eligible"].to_numpy()[frame["row"].to_numpy()]
        return frame.filter(pl.Series(mask, dtype=pl.Boolean))

    def eligible_choices(self) -> pl.DataFrame:
        return self._eligible(self.choices)

    def eligible_texts(self) -> pl.DataFrame:
        return self._eligible(self.texts)

    def to_long(self) -> pl.DataFrame:
        """The native long table: response_id, question_id, option_id, value.

        A response with no answers keeps one row with an empty question so it is counted.
        """
        ids = self.respondents.select(
            "response_id", row=pl.int_range(pl.len(), dtype=pl.UInt32))
        answers = self.answers
        long = answers.join(ids, on="row", how="left").select(
            "row", "response_id",
            pl.col("question_id").cast(pl.String),
            pl.col("option_id").cast(pl.String),
            "value",
        )
        silent = ids.filter(~pl.col("row").is_in(answers["row"].unique().implode())).select(
            "row", "response_id",
            *(pl.lit(None, pl.String).alias(name) for name in LONG_COLUMNS[1:]),
        )
        return pl.concat([long, silent]).sort("row", maintain_order=True).drop("row")

    def write_parquet(self, path: Path) -> None:
        """The Findings-ready Parquet of the ResponseSet (native long form, no contacts)."""
        write_atomic(path, lambda tmp: self.to_long().write_parquet(tmp))


def duplicate_ids_error(ids: pl.Series, *, file: str, file_row: Callable[[int], int],
                        column: str) -> InputError | None:
    """An error naming the first empty or repeated respondent id, or None if all are fine."""
    if not ids.null_count() and ids.n_unique() == len(ids):
        return None
    if ids.null_count():
        index = int(ids.is_null().arg_true()[0])
        return InputError("respondent id is empty", file=file, row=file_row(index),
                          column=column)
    repeats = ~ids.is_first_distinct()
    if not repeats.any():
        return None
    index = int(repeats.arg_true()[0])
    value = ids[index]
    first = int((ids == value).arg_true()[0])
    return InputError(
        f"respondent id {value!r} appears more than once (first at row {file_row(first)})",
        file=file, row=file_row(index), column=column,
    )
