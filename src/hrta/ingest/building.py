"""Answers read column by column into a ResponseSet, for exports with one header row.

A reader decides what each column of its export holds (a single choice's code or label,
one option's tick, a select-all list, a text, a contact detail) and hands the column to
`Answers`; `Answers` reads the distinct cell values once, maps them to option ids through
the reader's `parse`, and names the first row and column of any value it cannot read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from hrta.errors import InputError
from hrta.ingest.tables import Table, column_name
from hrta.instrument import Instrument
from hrta.responses import CONTACT_SCHEMA, ResponseSet, duplicate_ids_error

Parse = Callable[[str], list[str]]
"""A cell's text -> the option ids it chooses; ValueError with a message when it is no answer
the question offers."""

_CHOICE = pl.Schema({"row": pl.UInt32(), "question_id": pl.String(), "option_id": pl.String()})
_TEXT = pl.Schema({**_CHOICE, "value": pl.String()})
_CONTACT = pl.Schema(CONTACT_SCHEMA)


@dataclass
class Answers:
    table: Table
    header: list[str]
    instrument: Instrument
    choices: list[pl.DataFrame] = field(default_factory=list)
    texts: list[pl.DataFrame] = field(default_factory=list)
    contacts: list[pl.DataFrame] = field(default_factory=list)
    others: list[pl.DataFrame] = field(default_factory=list)
    """Choices an "Other" text makes, which its ticked box may name too."""

    def cells(self, index: int) -> pl.Series:
        """The column's cells, stripped, an empty cell as null."""
        return self.table.data[f"c{index}"].cast(pl.String).str.strip_chars().replace("", None)

    def fail(self, message: str, index: int, row: int | None = None) -> InputError:
        return InputError(message, file=self.table.file,
                          row=None if row is None else self.table.file_row(row),
                          column=column_name(self.header, index))

    def chosen(self, index: int, qid: str, parse: Parse) -> None:
        """Options chosen in a column: each distinct cell is parsed once."""
        raw = self.table.data[f"c{index}"]
        if raw.dtype == pl.Categorical and self._chosen_categories(raw, index, qid, parse):
            return
        cells = self.cells(index)
        meaning: dict[str, list[str]] = {}
        for value in cells.drop_nulls().unique(maintain_order=True).to_list():
            try:
                meaning[value] = list(dict.fromkeys(parse(value)))  # "a, a" is a once
            except ValueError as exc:
                first = int((cells == value).arg_true()[0])
                raise self.fail(str(exc), index, first) from None
        if not meaning:
            return
        frame = pl.DataFrame({"row": pl.int_range(cells.len(), dtype=pl.UInt32, eager=True),
                              "cell": cells}).drop_nulls("cell")
        if all(len(ids) <= 1 for ids in meaning.values()):
            # One option per cell (a single choice, a rating, a tick): a plain replacement,
            # much cheaper on a large export than a join on lists.
            one = {cell: ids[0] if ids else None for cell, ids in meaning.items()}
            picked = frame.select("row", option_id=pl.col("cell").replace_strict(
                one, return_dtype=pl.String))
        else:
            lookup = pl.DataFrame({"cell": list(meaning), "option_id": list(meaning.values())},
                                  schema={"cell": pl.String, "option_id": pl.List(pl.String)})
            picked = frame.join(lookup, on="cell", how="left").explode("option_id")
        self.choices.append(picked.drop_nulls("option_id").select(
            "row", pl.lit(qid).alias("question_id"), "option_id"))

    def _chosen_categories(self, raw: pl.Series, index: int, qid: str, parse: Parse) -> bool:
        """A column read as Categorical (`read_table`'s `columns`): its few distinct values
        are parsed and replaced without turning a million cells into text. False when a
        cell chooses several options (a joined select-all), which the text path reads."""
        one: dict[str, str | None] = {}
        for value in raw.drop_nulls().unique().to_list():
            cell = value.strip()
            if not cell:
                one[value] = None
                continue
            try:
                ids = list(dict.fromkeys(parse(cell)))
            except ValueError as exc:
                first = int((raw == value).arg_true()[0])
                raise self.fail(str(exc), index, first) from None
            if len(ids) > 1:
                return False
            one[value] = ids[0] if ids else None
        if any(option is not None for option in one.values()):
            picked = pl.DataFrame({
                "row": pl.int_range(raw.len(), dtype=pl.UInt32, eager=True),
                "option_id": raw.replace_strict(one, default=None, return_dtype=pl.String)})
            self.choices.append(picked.drop_nulls("option_id").select(
                "row", pl.lit(qid).alias("question_id"), "option_id"))
        return True

    def text(self, index: int, qid: str, option_id: str | None = None) -> None:
        """Typed answers: an open-ended question's, or the text of its "Other" option, which
        also counts as choosing that option."""
        frame = self._filled(index).select("row", question_id=pl.lit(qid),
                                           option_id=pl.lit(option_id, pl.String),
                                           value="cell")
        self.texts.append(frame)
        if option_id is not None:
            self.others.append(frame.drop("value"))

    def contact(self, index: int, qid: str) -> None:
        """Personal data (questions flagged pii): held apart, never analysed."""
        self.contacts.append(self._filled(index).select(
            "row", question_id=pl.lit(qid), value="cell"))

    def _filled(self, index: int) -> pl.DataFrame:
        cells = self.cells(index)
        return pl.DataFrame({"row": pl.int_range(cells.len(), dtype=pl.UInt32, eager=True),
                             "cell": cells}).drop_nulls("cell")

    def respondent_ids(self, index: int) -> pl.Series:
        ids = self.cells(index)
        error = duplicate_ids_error(ids, file=self.table.file, file_row=self.table.file_row,
                                    column=column_name(self.header, index))
        if error is not None:
            raise error
        return ids

    def build(self, ids: pl.Series, *, started: pl.Series | None = None,
              ended: pl.Series | None = None, attributes: pl.DataFrame | None = None,
              warnings: tuple[str, ...] = ()) -> ResponseSet:
        empty = pl.Series([None] * ids.len(), dtype=pl.String)
        respondents = pl.DataFrame({
            "response_id": ids,
            "started_at": empty if started is None else started,
            "ended_at": empty if ended is None else ended,
        })
        choices = pl.concat([frame.cast(_CHOICE) for frame in self.choices]) \
            if self.choices else pl.DataFrame(schema=_CHOICE)
        if self.others:
            # An "Other" text and its ticked box name the same choice once. Each column's
            # own choices are distinct already, so only the texts' need checking, against
            # their own questions' choices.
            others = pl.concat([frame.cast(_CHOICE) for frame in self.others]).unique(
                maintain_order=True)
            asked = set(others["question_id"].unique().to_list())
            same = [frame.cast(_CHOICE) for frame in self.choices
                    if frame.height and frame["question_id"][0] in asked]
            if same:
                others = others.join(pl.concat(same),
                                     on=["row", "question_id", "option_id"], how="anti")
            choices = pl.concat([choices, others])
        texts = pl.concat([frame.cast(_TEXT) for frame in self.texts]) \
            if self.texts else pl.DataFrame(schema=_TEXT)
        contacts = pl.concat([frame.cast(_CONTACT) for frame in self.contacts]) \
            if self.contacts else pl.DataFrame(schema=_CONTACT)
        choices = choices.sort("row", maintain_order=True)
        texts = texts.sort("row", maintain_order=True)
        return ResponseSet.build(self.instrument, respondents, choices=choices, texts=texts,
                                 contacts=contacts, source=self.table.file,
                                 warnings=(*self.table.warnings, *warnings),
                                 attributes=attributes)
