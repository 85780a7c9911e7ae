"""Import a SurveyMonkey "expanded" export (CSV or XLSX) of an instrument.

Row 1 holds metadata headers, then each question's text over the first of its columns;
row 2 holds `Response`, `Open-Ended Response`, an option label or a statement text under
each question column. Identifying metadata (IP address, e-mail, names, custom data) is
dropped here and never reaches the answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from hrta.errors import InputError
from hrta.ingest.labels import normalize
from hrta.ingest.layout import (
    METADATA_HEADERS,
    OPEN_ENDED,
    RESPONSE,
    Column,
)
from hrta.ingest.mapping import IGNORE, Mapping
from hrta.ingest.tables import Table, column_letter, column_name, read_table
from hrta.instrument import Instrument, Question
from hrta.responses import (
    CONTACT_SCHEMA,
    ResponseSet,
    answer_schema,
    choice_schema,
    duplicate_ids_error,
)

_METADATA = {normalize(h): h for h in METADATA_HEADERS}
_RESPONSE_HEADERS = {normalize(RESPONSE), normalize(OPEN_ENDED)}


@dataclass(frozen=True)
class _Located:
    index: int
    column: Column


@dataclass(frozen=True)
class _Layout:
    header: list[list[str]]
    metadata: dict[str, int]
    columns: list[_Located]

    def categorical(self) -> set[int]:
        """Columns whose cells repeat a few labels (read as Categorical)."""
        return {located.index for located in self.columns
                if located.column.kind in ("choice", "statement", "option")
                and not located.column.question.pii}


def read(path: Path, instrument: Instrument, mapping: Mapping | None = None) -> ResponseSet:
    mapping = mapping or Mapping()
    resolved: list[_Layout] = []

    def categorical(header: list[list[str]]) -> set[int]:
        resolved.append(_resolve(str(path), header, instrument, mapping))
        return resolved[-1].categorical()

    table = read_table(path, header_rows=2, categorical=categorical)
    return _build(table, resolved[-1], instrument, mapping)


def is_surveymonkey(header: list[str]) -> bool:
    return bool(header) and normalize(header[0]) == normalize("Respondent ID")


def _resolve(file: str, header: list[list[str]], instrument: Instrument,
             mapping: Mapping) -> _Layout:
    width = max(len(row) for row in header)
    row1, row2 = (_pad(row, width) for row in header)
    metadata = _metadata_columns(file, row1, row2)
    columns = _question_columns(file, row1, row2, instrument, mapping, start=len(metadata))
    return _Layout([row1, row2], metadata, columns)


def _build(table: Table, layout: _Layout, instrument: Instrument,
           mapping: Mapping) -> ResponseSet:
    data = table.data
    row1 = layout.header[0]
    id_column = layout.metadata["Respondent ID"]
    ids = data[f"c{id_column}"].cast(pl.String)
    error = duplicate_ids_error(ids, file=table.file, file_row=table.file_row,
                                column=column_name(row1, id_column))
    if error is not None:
        raise error
    respondents = pl.DataFrame({
        "response_id": ids,
        "started_at": _optional(data, layout.metadata.get("Start Date")),
        "ended_at": _optional(data, layout.metadata.get("End Date")),
    })

    builder = _Answers(table, row1, instrument, mapping)
    by_question: dict[str, list[_Located]] = {}
    for located in layout.columns:
        by_question.setdefault(located.column.question.id, []).append(located)
    for located_columns in by_question.values():
        builder.add_question(located_columns)
    return ResponseSet.build(instrument, respondents, choices=builder.choices(),
                             texts=builder.texts(), contacts=builder.contacts(),
                             source=table.file, warnings=tuple(builder.warnings()))


class _Answers:
    """Collects the long answer rows of an export, column by column."""

    def __init__(self, table: Table, row1: list[str], instrument: Instrument,
                 mapping: Mapping) -> None:
        self.table = table
        self.row1 = row1
        self.instrument = instrument
        self.mapping = mapping
        schema = answer_schema(instrument)
        self.question_dtype = schema["question_id"]
        self.option_dtype = schema["option_id"]
        self._choices: list[pl.DataFrame] = []
        self._texts: list[pl.DataFrame] = []
        self._contacts: list[pl.DataFrame] = []
        self._dropped_other: dict[str, int] = {}

    def add_question(self, columns: list[_Located]) -> None:
        question = columns[0].column.question
        if question.pii:
            for located in columns:
                self._contacts.append(self._contact_rows(located))
            return
        if question.type == "single":
            self._add_single(columns)
            return
        for located in columns:
            column = located.column
            if column.kind == "statement":
                rows, options = self._mapped(located)
                self._choices.append(self._choice_frame(column.qid, rows, options))
            elif column.kind == "option":
                rows = self._chosen(located)
                self._choices.append(self._choice_frame(column.qid, rows, column.option_id))
            else:
                rows, values = self._text(located)
                option = column.option_id if column.kind == "other_text" else None
                if option is not None:
                    self._choices.append(self._choice_frame(column.qid, rows, option))
                self._texts.append(self._text_frame(column.qid, rows, option, values))

    def _add_single(self, columns: list[_Located]) -> None:
        """A single choice, and the typed text of its "Other" where there is one.

        A text alone stands for choosing "Other"; a text beside a different choice is
        dropped (and counted in a warning) so that the response keeps one answer.
        """
        qid = columns[0].column.qid
        choice = next((c for c in columns if c.column.kind == "choice"), None)
        others = [c for c in columns if c.column.kind == "other_text"]
        chosen = _repeat(None, self.table.data.height, self.option_dtype)
        if choice is not None:
            rows, options = self._mapped(choice)
            chosen = chosen.scatter(rows, options)
        for other in others:
            rows, values = self._text(other)
            current = chosen.gather(rows)
            keep = current.is_null() | (current == other.column.option_id)
            self._dropped_other[qid] = self._dropped_other.get(qid, 0) + int((~keep).sum())
            rows, values = rows.filter(keep), values.filter(keep)
            chosen = chosen.scatter(rows, _repeat(other.column.option_id, len(rows),
                                                  self.option_dtype))
            self._texts.append(self._text_frame(qid, rows, other.column.option_id, values))
        answered = chosen.is_not_null()
        self._choices.append(self._choice_frame(
            qid, answered.arg_true().cast(pl.UInt32), chosen.filter(answered)))

    # -- cells to rows ---------------------------------------------------------------

    def _classified(self, located: _Located) -> tuple[pl.Series, list[int], list[str], bool]:
        """The column as category codes, each non-blank code's option id, and whether
        blank (white-space) cells occur.

        Unknown labels fail here, naming the first row that holds them.
        """
        cells = self.table.data[f"c{located.index}"]
        labels = _labels(located.column.question, self.mapping)
        distinct = cells.drop_nulls().unique()
        codes, ids = [], []
        blank = False
        for code, raw in zip(distinct.to_physical().to_list(),
                             distinct.cast(pl.String).to_list(), strict=True):
            key = normalize(raw)
            if not key:
                blank = True
                continue
            option_id = labels.get(key)
            if option_id is None or (located.column.kind == "option"
                                     and option_id != located.column.option_id):
                raise self._unknown(located, raw)
            codes.append(code)
            ids.append(option_id)
        return cells.to_physical(), codes, ids, blank

    def _mapped(self, located: _Located) -> tuple[pl.Series, pl.Series]:
        physical, codes, ids, _ = self._classified(located)
        options = physical.replace_strict(codes, ids, default=None,
                                          return_dtype=self.option_dtype)
        answered = options.is_not_null()
        return answered.arg_true().cast(pl.UInt32), options.filter(answered)

    def _chosen(self, located: _Located) -> pl.Series:
        physical, codes, _, blank = self._classified(located)
        chosen = physical.is_in(codes) if blank else physical.is_not_null()
        return chosen.arg_true().cast(pl.UInt32)

    def _text(self, located: _Located) -> tuple[pl.Series, pl.Series]:
        cells = self.table.data[f"c{located.index}"].cast(pl.String)
        present = cells.is_not_null()
        return present.arg_true().cast(pl.UInt32), cells.filter(present)

    def _unknown(self, located: _Located, raw: str) -> InputError:
        column = located.column
        row = self.table.file_row(int((self.table.data[f"c{located.index}"].cast(pl.String)
                                       == raw).arg_true()[0]))
        where = column_name(self.row1, located.index)
        if column.kind == "option":
            return InputError(
                f"unexpected value {raw!r} in the column of option {column.header2!r} "
                f"(question {column.qid!r}): expected that label or an empty cell",
                file=self.table.file, row=row, column=where)
        known = "; ".join(option.label for option in column.question.options)
        return InputError(f"unknown option label {raw!r} for question {column.qid!r}; "
                          f"expected one of: {known}", file=self.table.file, row=row,
                          column=where)

    # -- frames ------------------------------------------------------------------------

    def _choice_frame(self, qid: str, rows: pl.Series,
                      options: pl.Series | str | None) -> pl.DataFrame:
        count = len(rows)
        if not isinstance(options, pl.Series):
            options = _repeat(options, count, self.option_dtype)
        return pl.DataFrame({
            "row": rows,
            "question_id": _repeat(qid, count, self.question_dtype),
            "option_id": options,
        })

    def _text_frame(self, qid: str, rows: pl.Series, option: str | None,
                    values: pl.Series) -> pl.DataFrame:
        frame = self._choice_frame(qid, rows, option)
        return frame.with_columns(value=values)

    def _contact_rows(self, located: _Located) -> pl.DataFrame:
        rows, values = self._text(located)
        return pl.DataFrame({"row": rows, "question_id": [located.column.question.id] * len(rows),
                             "value": values}, schema=CONTACT_SCHEMA)

    def choices(self) -> pl.DataFrame:
        return pl.concat(self._choices) if self._choices else pl.DataFrame(
            schema=choice_schema(self.instrument))

    def texts(self) -> pl.DataFrame:
        return pl.concat(self._texts) if self._texts else pl.DataFrame(
            schema=answer_schema(self.instrument))

    def contacts(self) -> pl.DataFrame:
        return pl.concat(self._contacts) if self._contacts else pl.DataFrame(
            schema=CONTACT_SCHEMA)

    def warnings(self) -> list[str]:
        warnings = [f"{count} response(s) typed an 'Other' text for {qid!r} beside a different "
                    "choice; the choice is kept and the text dropped"
                    for qid, count in self._dropped_other.items() if count]
        choices = self.choices()
        for question in self.instrument.analysable_questions():
            if question.max_choices is None:
                continue
            over = (choices.filter(pl.col("question_id") == question.id)
                    .group_by("row").len().filter(pl.col("len") > question.max_choices).height)
            if over:
                warnings.append(f"{over} response(s) chose more than {question.max_choices} "
                                f"options for {question.id!r}; all their choices are counted")
        return warnings


def _repeat(value: str | None, count: int, dtype: pl.DataType) -> pl.Series:
    """A constant column, built without a Python list of `count` items."""
    return pl.repeat(value, count, dtype=dtype, eager=True)


def _pad(row: list[str], width: int) -> list[str]:
    return [cell or "" for cell in row] + [""] * (width - len(row))


def _optional(data: pl.DataFrame, index: int | None) -> pl.Series:
    if index is None:
        return pl.Series([None] * data.height, dtype=pl.String)
    return data[f"c{index}"]


def _metadata_columns(file: str, row1: list[str], row2: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, text in enumerate(row1):
        header = _METADATA.get(normalize(text))
        if header is None:
            break
        if header in found:
            raise InputError(f"metadata column {header!r} appears twice", file=file,
                             row=1, column=column_name(row1, index))
        found[header] = index
    if "Respondent ID" not in found:
        raise InputError("no 'Respondent ID' column at the start of row 1: this does not look "
                         "like a SurveyMonkey expanded export", file=file, row=1,
                         column=column_letter(0))
    for header, index in found.items():
        if row2[index].strip():
            raise InputError(
                "the second header row is missing: row 2 holds data where the export puts an "
                f"empty cell under {header!r}", file=file, row=2,
                column=column_name(row1, index))
    return found


def _match_question(text: str, instrument: Instrument, mapping: Mapping) -> Question | None:
    key = normalize(text)
    if key in mapping.questions:
        target = mapping.questions[key]
        return None if target == IGNORE else instrument.question(target)
    for question in instrument.questions:
        if normalize(question.text) == key:
            return question
    raise LookupError(text)


def _question_columns(file: str, row1: list[str], row2: list[str], instrument: Instrument,
                      mapping: Mapping, *, start: int) -> list[_Located]:
    located: list[_Located] = []
    current: Question | None = None
    ignoring = False
    seen: dict[tuple[str, str, str | None], int] = {}
    for index in range(start, len(row1)):
        where = column_name(row1, index)
        if row1[index].strip():
            try:
                current = _match_question(row1[index], instrument, mapping)
            except LookupError:
                raise InputError(
                    f"unknown question {row1[index].strip()!r}: it matches no question of "
                    f"{instrument.id!r} (a mapping file can name it)", file=file, row=1,
                    column=where) from None
            ignoring = current is None
        elif current is None and not ignoring:
            raise InputError("this column has no question text above it", file=file,
                             row=1, column=where)
        if ignoring or current is None:
            continue
        column = _column_for(current, row2[index], mapping)
        if column is None:
            expected = {"single": f"{RESPONSE!r} or an 'Other' option",
                        "multi": "one of its option labels",
                        "matrix": "one of its statements",
                        "text": repr(OPEN_ENDED)}[current.type]
            raise InputError(
                f"unknown label {row2[index].strip()!r} under question {current.id!r}: expected "
                f"{expected}", file=file, row=2, column=column_name(row2, index))
        key = (column.qid, column.kind, column.option_id)
        if key in seen:
            raise InputError(f"{row2[index].strip()!r} of question {current.id!r} appears twice "
                             f"(first in column {column_letter(seen[key])})",
                             file=file, row=2, column=column_name(row2, index))
        seen[key] = index
        located.append(_Located(index, column))
    return located


def _column_for(question: Question, label: str, mapping: Mapping) -> Column | None:
    key = normalize(label)
    if question.type == "matrix":
        statement_id = mapping.statements.get(question.id, {}).get(key)
        for statement in question.statements:
            if statement_id == statement.id or normalize(statement.text) == key:
                return Column(question, "statement", statement.text, statement_id=statement.id)
        return None
    if question.type == "text":
        return Column(question, "text", OPEN_ENDED) if key in _RESPONSE_HEADERS or not key \
            else None
    option_id = mapping.options.get(question.id, {}).get(key)
    for option in question.options:
        if option_id == option.id or normalize(option.label) == key:
            if option.other:
                return Column(question, "other_text", option.label, option_id=option.id)
            if question.type == "multi":
                return Column(question, "option", option.label, option_id=option.id)
    if question.type == "single" and key in _RESPONSE_HEADERS:
        return Column(question, "choice", RESPONSE)
    return None


def _labels(question: Question, mapping: Mapping) -> dict[str, str]:
    """Normalized label -> option id, the instrument's labels and the mapping's aliases."""
    labels = {normalize(option.label): option.id for option in question.options}
    labels.update(mapping.options.get(question.id, {}))
    return labels
