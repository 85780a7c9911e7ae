"""Answers read column by column into a ResponseSet, for exports with one header row.

A reader decides what each column of its export holds (a single choice's code or label,
one option's tick, a select-all list, a text, a contact detail) and hands the column to
`Answers`; `Answers` reads the distinct cell values once, maps them to option ids through
the reader's `parse`, and names the first row and column of any value it cannot read.
A column's choices are kept as arrays (rows, option codes): a table from each distinct
value to its option maps the million cells at once, and the long choices table is made
once, for all columns, with the ResponseSet's Enums (a million responses make tens of
millions of choice rows, which as per-column frames of text would take gigabytes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from hrta.errors import InputError
from hrta.ingest.tables import Table, column_name
from hrta.instrument import Instrument
from hrta.responses import (
    CONTACT_SCHEMA,
    ResponseSet,
    answer_option_ids,
    answer_question_ids,
    answer_schema,
    duplicate_ids_error,
)

Parse = Callable[[str], list[str]]
"""A cell's text -> the option ids it chooses; ValueError with a message when it is no answer
the question offers (a CellError, so that the web can show it in the reader's language)."""


class CellError(ValueError):
    """A cell that is no answer the question offers: its message an English template with
    `%(name)s` placeholders filled from `params`, as an InputError's, so that the error
    `Answers` makes of it is still translatable."""

    def __init__(self, template: str, **params: object) -> None:
        super().__init__(template % params if params else template)
        self.template = template
        self.params = params

_TEXT = pl.Schema({"row": pl.UInt32(), "question_id": pl.String(), "option_id": pl.String(),
                   "value": pl.String()})
_CONTACT = pl.Schema(CONTACT_SCHEMA)
_NONE = np.iinfo(np.uint32).max
"""The option code of a cell that chooses nothing."""


@dataclass(frozen=True)
class _Chosen:
    """One column's choices as arrays: a million responses make tens of millions of choice
    rows, which are only turned into a frame once, all columns together."""

    qid: str
    rows: np.ndarray
    """Data row of each choice (uint32), ascending."""
    options: np.ndarray
    """Its option, as a position in `answer_option_ids` (uint32)."""


@dataclass
class Answers:
    table: Table
    header: list[str]
    instrument: Instrument
    choices: list[_Chosen] = field(default_factory=list)
    texts: list[pl.DataFrame] = field(default_factory=list)
    contacts: list[pl.DataFrame] = field(default_factory=list)
    others: list[_Chosen] = field(default_factory=list)
    """Choices an "Other" text makes, which its ticked box may name too."""

    def __post_init__(self) -> None:
        self._question_ids = answer_question_ids(self.instrument)
        self._option_ids = answer_option_ids(self.instrument)
        self._question_code = {qid: i for i, qid in enumerate(self._question_ids)}
        self._option_code = {oid: i for i, oid in enumerate(self._option_ids)}

    def cells(self, index: int) -> pl.Series:
        """The column's cells, stripped, an empty cell as null."""
        return self.table.data[f"c{index}"].cast(pl.String).str.strip_chars().replace("", None)

    def fail(self, message: str, index: int, row: int | None = None,
             params: dict[str, object] | None = None) -> InputError:
        return InputError(message, file=self.table.file,
                          row=None if row is None else self.table.file_row(row),
                          column=column_name(self.header, index), params=params)

    def chosen(self, index: int, qid: str, parse: Parse) -> None:
        """Options chosen in a column: each distinct cell is parsed once."""
        raw = self.table.data[f"c{index}"]
        if isinstance(raw.dtype, pl.Categorical | pl.Enum) \
                and self._chosen_categories(raw, index, qid, parse):
            return
        cells = self.cells(index)
        meaning: dict[str, list[int]] = {}
        for value in cells.drop_nulls().unique(maintain_order=True).to_list():
            meaning[value] = [self._option_code[option]
                              for option in self._parse(parse, value, cells, index)]
        if not any(meaning.values()):
            return
        if all(len(codes) <= 1 for codes in meaning.values()):
            # One option per cell (a single choice, a rating, a tick): a plain replacement,
            # much cheaper on a large export than a join on lists.
            one = {cell: codes[0] for cell, codes in meaning.items() if codes}
            picked = cells.replace_strict(one, default=None, return_dtype=pl.UInt32)
            rows = picked.is_not_null().arg_true()
            options = picked.drop_nulls()
        else:
            frame = pl.DataFrame({"row": pl.int_range(cells.len(), dtype=pl.UInt32, eager=True),
                                  "cell": cells}).drop_nulls("cell")
            lookup = pl.DataFrame({"cell": list(meaning), "option": list(meaning.values())},
                                  schema={"cell": pl.String, "option": pl.List(pl.UInt32)})
            picked_frame = frame.join(lookup, on="cell", how="left", maintain_order="left") \
                .explode("option").drop_nulls("option")
            rows, options = picked_frame["row"], picked_frame["option"]
        self.choices.append(_Chosen(qid, rows.to_numpy().astype(np.uint32, copy=False),
                                    options.to_numpy().astype(np.uint32, copy=False)))

    def _parse(self, parse: Parse, value: str, cells: pl.Series, index: int,
               raw: str | None = None) -> list[str]:
        """The options `value` chooses, or an error naming the first row holding `raw` (the
        cell as read, `value` unless stripped)."""
        try:
            return list(dict.fromkeys(parse(value)))  # "a, a" is a once
        except ValueError as exc:
            cell = value if raw is None else raw
            text = cells if cells.dtype == pl.String else cells.cast(pl.String)
            first = int((text == cell).arg_true()[0])
            if isinstance(exc, CellError):
                raise self.fail(exc.template, index, first, exc.params) from None
            raise self.fail(str(exc), index, first) from None

    def _chosen_categories(self, raw: pl.Series, index: int, qid: str, parse: Parse) -> bool:
        """A column read as Categorical or Enum (`read_table`'s `columns`): its few distinct values
        are parsed, then a table from category code to option code maps the million cells
        in numpy, without turning them into text. False when a cell chooses several
        options (a joined select-all), which the text path reads."""
        distinct = raw.drop_nulls().unique(maintain_order=True)
        codes = distinct.to_physical().to_list()
        lut = np.full(max(codes, default=0) + 1, _NONE, dtype=np.uint32)
        for code, value in zip(codes, distinct.cast(pl.String).to_list(), strict=True):
            cell = value.strip()
            if not cell:
                continue
            ids = self._parse(parse, cell, raw, index, value)
            if len(ids) > 1:
                return False
            if ids:
                lut[code] = self._option_code[ids[0]]
        if (lut == _NONE).all():
            return True
        physical = raw.to_physical()
        rows = physical.is_not_null().arg_true().to_numpy().astype(np.uint32, copy=False)
        options = lut[physical.drop_nulls().to_numpy()]
        keep = options != _NONE
        self.choices.append(_Chosen(qid, rows[keep], options[keep]))
        return True

    def text(self, index: int, qid: str, option_id: str | None = None) -> None:
        """Typed answers: an open-ended question's, or the text of its "Other" option, which
        also counts as choosing that option."""
        frame = self._filled(index).select("row", question_id=pl.lit(qid),
                                           option_id=pl.lit(option_id, pl.String),
                                           value="cell")
        self.texts.append(frame)
        if option_id is not None:
            rows = frame["row"].to_numpy().astype(np.uint32, copy=False)
            self.others.append(_Chosen(qid, rows, np.full(len(rows), self._option_code[option_id],
                                                          dtype=np.uint32)))

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
        choices = self._choice_frame(ids.len())
        texts = pl.concat([frame.cast(_TEXT) for frame in self.texts]) \
            if self.texts else pl.DataFrame(schema=_TEXT)
        contacts = pl.concat([frame.cast(_CONTACT) for frame in self.contacts]) \
            if self.contacts else pl.DataFrame(schema=_CONTACT)
        texts = texts.sort("row", maintain_order=True)
        return ResponseSet.build(self.instrument, respondents, choices=choices, texts=texts,
                                 contacts=contacts, source=self.table.file,
                                 warnings=(*self.table.warnings, *warnings),
                                 attributes=attributes)

    def _choice_frame(self, height: int) -> pl.DataFrame:
        """Every column's choices in one frame, by row (each row's in column order), its
        question and option ids the ResponseSet's Enums.

        An "Other" text and its ticked box name the same choice once: the texts' choices
        that no column of their question made are added after the columns'."""
        parts: list[_Chosen] = [*self.choices, *self._new_others(height)]
        rows, questions, options = self._by_row(parts, height)
        schema = answer_schema(self.instrument)
        return pl.DataFrame({
            "row": pl.Series(rows, dtype=pl.UInt32),
            "question_id": pl.Series(self._question_ids, dtype=schema["question_id"]).gather(
                questions),
            "option_id": pl.Series(self._option_ids, dtype=schema["option_id"]).gather(
                options),
        })

    def _by_row(self, parts: Sequence[_Chosen], height: int
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows, question and option codes of `parts` ordered by row, each row's in the
        order of `parts`: each part is placed straight where it belongs (a counting sort),
        so that tens of millions of choices are neither concatenated nor sorted copies."""
        count = np.zeros(height, dtype=np.int64)
        for part in parts:
            count += np.bincount(part.rows, minlength=height)
        cursor = np.cumsum(count) - count  # where each row's choices start
        total = int(count.sum())
        del count
        rows = np.empty(total, dtype=np.uint32)
        questions = np.empty(total, dtype=np.uint32)
        options = np.empty(total, dtype=np.uint32)
        for part in parts:
            part_rows, part_options = part.rows, part.options
            if len(part_rows) > 1 and bool((part_rows[1:] < part_rows[:-1]).any()):
                order = np.argsort(part_rows, kind="stable")
                part_rows, part_options = part_rows[order], part_options[order]
            places = cursor[part_rows]
            if len(part_rows) > 1 and bool((part_rows[1:] == part_rows[:-1]).any()):
                # A row a part names several times (a joined select-all) takes as many
                # places, one after another.
                places += np.arange(len(part_rows)) - np.searchsorted(part_rows, part_rows)
                np.add.at(cursor, part_rows, 1)
            else:
                cursor[part_rows] += 1
            rows[places] = part_rows
            questions[places] = self._question_code[part.qid]
            options[places] = part_options
        return rows, questions, options

    def _new_others(self, height: int) -> list[_Chosen]:
        """The "Other" texts' choices that no earlier column or text of their question made.
        Each text column is of one option: a mark per row of the responses that already
        chose it is all the comparison needs."""
        seen: dict[tuple[str, int], np.ndarray] = {}
        kept: list[_Chosen] = []
        for part in self.others:
            if not len(part.rows):
                continue
            option = int(part.options[0])
            marks = seen.get((part.qid, option))
            if marks is None:
                marks = seen[(part.qid, option)] = np.zeros(height, dtype=bool)
                for made in self.choices:
                    if made.qid == part.qid:
                        marks[made.rows[made.options == option]] = True
            new = ~marks[part.rows]
            marks[part.rows] = True
            kept.append(_Chosen(part.qid, part.rows[new], part.options[new]))
        return kept
