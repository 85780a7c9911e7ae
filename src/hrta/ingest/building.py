"""Answers read column by column into a ResponseSet, for exports with one header row.

A reader decides what each column of its export holds (a single choice's code or label,
one option's tick, a select-all list, a text, a contact detail) and hands the column to
`Answers`; `Answers` reads the distinct cell values once, maps them to option ids through
the reader's `parse`, and names the first row and column of any value it cannot read.
A column's choices are kept as arrays (rows, option codes): a table from each distinct
value to its option maps the million cells at once, and the long choices table is made
once, for all columns, with the ResponseSet's Enums (a million responses make tens of
millions of choice rows, which as per-column frames of text would take gigabytes). Inside
`Answers.together()` the choice columns are read all at once, on both cores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from hrta.errors import InputError, Notice
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
_NARROW = ((pl.UInt8, 2**8 - 1), (pl.UInt16, 2**16 - 1))
"""Physical types of small Enums, with the largest code each holds."""


def _categorical(cells: pl.Series) -> bool:
    return isinstance(cells.dtype, pl.Categorical | pl.Enum)


def _stripped(index: int) -> pl.Expr:
    """A column's cells as `Answers.cells` reads them: stripped, an empty cell as null."""
    return pl.col(f"c{index}").cast(pl.String).str.strip_chars().replace("", None)


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
    _waiting: list[tuple[int, str, Parse]] = field(default_factory=list, init=False)
    """Choice columns named inside `together()`, read when it ends."""
    _together: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self._question_ids = answer_question_ids(self.instrument)
        self._option_ids = answer_option_ids(self.instrument)
        self._question_code = {qid: i for i, qid in enumerate(self._question_ids)}
        self._option_code = {oid: i for i, oid in enumerate(self._option_ids)}

    def cells(self, index: int) -> pl.Series:
        """The column's cells, stripped, an empty cell as null."""
        # On the Series, not through `_stripped` in a select: a frame of a few hundred
        # columns makes a select of one several times slower.
        return self.table.data[f"c{index}"].cast(pl.String).str.strip_chars().replace("", None)

    def fail(self, message: str, index: int, row: int | None = None,
             params: dict[str, object] | None = None) -> InputError:
        return InputError(message, file=self.table.file,
                          row=None if row is None else self.table.file_row(row),
                          column=column_name(self.header, index), params=params)

    def chosen(self, index: int, qid: str, parse: Parse) -> None:
        """Options chosen in a column: each distinct cell is parsed once. Inside `together()`
        the column is read with the others named there, when the block ends."""
        self._waiting.append((index, qid, parse))
        if not self._together:
            self._read_waiting()

    @contextmanager
    def together(self) -> Iterator[None]:
        """Choice columns named inside are read when the block ends, all at once: their
        distinct values in one parallel Polars pass, their cells mapped in a pool of threads
        (numpy's look-ups run without the GIL), rather than one column after another. A
        bad cell is still reported from the first column, in the order named, that has one."""
        self._together = True
        try:
            yield
        finally:
            self._together = False
        self._read_waiting()

    def _read_waiting(self) -> None:
        waiting, self._waiting = self._waiting, []
        if not waiting:
            return
        data = self.table.data
        distinct = data.select(
            (pl.col(f"c{index}") if _categorical(data[f"c{index}"]) else _stripped(index))
            .drop_nulls().unique(maintain_order=True).implode().alias(str(k))
            for k, (index, _, _) in enumerate(waiting))
        # Parsed in order, so that the first bad column is the one named.
        jobs = [self._plan(index, qid, parse, distinct[str(k)][0])
                for k, (index, qid, parse) in enumerate(waiting)]
        if len(jobs) == 1:
            made = [jobs[0]()]
        else:
            with ThreadPoolExecutor(max_workers=max(pl.thread_pool_size(), 1)) as pool:
                made = list(pool.map(lambda job: job(), jobs))
        self.choices.extend(chosen for chosen in made if chosen is not None)

    def _plan(self, index: int, qid: str, parse: Parse, values: pl.Series
              ) -> Callable[[], _Chosen | None]:
        """Parse a column's distinct `values` (raising on the first that is no answer) and
        return the work that maps its cells."""
        raw = self.table.data[f"c{index}"]
        if _categorical(raw):
            table = self._category_table(index, parse, values)
            if table is not None:
                return lambda: self._by_category(raw, qid, table)
            # A cell choosing several options (a joined select-all): read as text.
            values = self.cells(index).drop_nulls().unique(maintain_order=True)
        meaning: dict[str, list[int]] = {}
        for value in values.to_list():
            meaning[value] = [self._option_code[option]
                              for option in self._parse(parse, value, index, stripped=True)]
        if not any(meaning.values()):
            return lambda: None
        return lambda: self._by_text(index, qid, meaning)

    def _by_text(self, index: int, qid: str, meaning: dict[str, list[int]]) -> _Chosen:
        cells = self.cells(index)
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
        return _Chosen(qid, rows.to_numpy().astype(np.uint32, copy=False),
                       options.to_numpy().astype(np.uint32, copy=False))

    def _parse(self, parse: Parse, value: str, index: int, raw: str | None = None, *,
               stripped: bool) -> list[str]:
        """The options `value` chooses, or an error naming the first row holding `raw` (the
        cell as read, `value` unless stripped) among the column's cells (`stripped` or as
        read)."""
        try:
            return list(dict.fromkeys(parse(value)))  # "a, a" is a once
        except ValueError as exc:
            cell = value if raw is None else raw
            cells = self.cells(index) if stripped else self.table.data[f"c{index}"]
            text = cells if cells.dtype == pl.String else cells.cast(pl.String)
            first = int((text == cell).arg_true()[0])
            if isinstance(exc, CellError):
                raise self.fail(exc.template, index, first, exc.params) from None
            raise self.fail(str(exc), index, first) from None

    def _category_table(self, index: int, parse: Parse, distinct: pl.Series
                        ) -> np.ndarray | None:
        """A column read as Categorical or Enum (`read_table`'s `columns`): its few distinct
        values are parsed into a table from category code to option code, which maps the
        million cells in numpy without turning them into text. None when a cell chooses
        several options (a joined select-all), which the text path reads."""
        codes = distinct.to_physical().to_list()
        # One place past the last code, for the empty cells.
        table = np.full(max(codes, default=0) + 2, _NONE, dtype=np.uint32)
        for code, value in zip(codes, distinct.cast(pl.String).to_list(), strict=True):
            cell = value.strip()
            if not cell:
                continue
            ids = self._parse(parse, cell, index, value, stripped=False)
            if len(ids) > 1:
                return None
            if ids:
                table[code] = self._option_code[ids[0]]
        return table

    @staticmethod
    def _by_category(raw: pl.Series, qid: str, table: np.ndarray) -> _Chosen | None:
        if (table == _NONE).all():
            return None
        physical = raw.to_physical()
        empty = len(table) - 1
        if physical.null_count():
            if any(physical.dtype == narrow and empty > top for narrow, top in _NARROW):
                physical = physical.cast(pl.UInt32)
            physical = physical.fill_null(empty)
        options = table[physical.to_numpy()]
        rows = np.flatnonzero(options != _NONE).astype(np.uint32)
        return _Chosen(qid, rows, options[rows])

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
              warnings: tuple[Notice, ...] = ()) -> ResponseSet:
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
        """Every column's choices in one frame, column after column as the SurveyMonkey
        reader's (each row's in column order: every later stage either sorts or looks only
        at the order within a row), its question and option ids the ResponseSet's Enums.

        An "Other" text and its ticked box name the same choice once: the texts' choices
        that no column of their question made are added after the columns'."""
        parts = [*self.choices, *self._new_others(height)]
        schema = answer_schema(self.instrument)
        if not parts:
            return pl.DataFrame(schema={"row": pl.UInt32, "question_id": schema["question_id"],
                                        "option_id": schema["option_id"]})
        questions = np.repeat(np.array([self._question_code[part.qid] for part in parts],
                                       dtype=np.uint32), [len(part.rows) for part in parts])
        options = np.concatenate([part.options for part in parts])
        # Indices as UInt32 Series (a numpy array would be converted first); the two
        # look-ups run side by side.
        with ThreadPoolExecutor(max_workers=2) as pool:
            question_ids = pool.submit(
                pl.Series(self._question_ids, dtype=schema["question_id"]).gather,
                pl.Series(questions, dtype=pl.UInt32))
            option_ids = pool.submit(
                pl.Series(self._option_ids, dtype=schema["option_id"]).gather,
                pl.Series(options, dtype=pl.UInt32))
            rows = pl.Series(np.concatenate([part.rows for part in parts]), dtype=pl.UInt32)
            return pl.DataFrame({"row": rows, "question_id": question_ids.result(),
                                 "option_id": option_ids.result()})

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
