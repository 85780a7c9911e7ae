"""Import a SurveyMonkey "expanded" export (CSV or XLSX) of an instrument.

Row 1 holds metadata headers, then each question's text over the first of its columns;
row 2 holds `Response`, `Open-Ended Response`, an option label or a statement text under
each question column. Identifying metadata (IP address, e-mail, names, custom data) is
dropped here and never reaches the answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from hrta.errors import InputError
from hrta.ingest.labels import normalize
from hrta.ingest.layout import (
    METADATA_HEADERS,
    OPEN_ENDED,
    RESPONSE,
    Column,
    question_columns,
)
from hrta.ingest.mapping import IGNORE, Mapping
from hrta.ingest.tables import (
    Columns,
    LabelMismatch,
    Table,
    column_letter,
    column_name,
    read_table,
)
from hrta.instrument import Instrument, Question
from hrta.responses import (
    CONTACT_SCHEMA,
    ResponseSet,
    answer_option_ids,
    answer_question_ids,
    answer_schema,
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
    not_asked: dict[str, tuple[str, ...]]
    """Question id -> its options or statements with no column, marked absent on purpose."""

    def read_columns(self, *, exact: bool) -> dict[int, Any]:
        """The columns to keep and their types; identifying metadata is dropped.

        Label columns are read as an Enum of the labels as the export writes them
        (`exact`), else as Categorical, which accepts any spelling for matching later.
        Texts are read as String.
        """
        wanted: dict[int, Any] = {self.metadata[name]: pl.String for name in
                                  ("Respondent ID", "Start Date", "End Date")
                                  if name in self.metadata}
        for located in self.columns:
            column = located.column
            if column.kind not in ("choice", "statement", "option") or column.question.pii:
                wanted[located.index] = pl.String
            elif not exact:
                wanted[located.index] = pl.Categorical
            elif column.kind == "option":
                header = self.header[1][located.index].strip()
                wanted[located.index] = pl.Enum(list(dict.fromkeys([header, column.header2])))
            else:
                wanted[located.index] = pl.Enum([o.label for o in column.question.options])
        return wanted


def read(path: Path, instrument: Instrument, mapping: Mapping | None = None) -> ResponseSet:
    mapping = mapping or Mapping()
    resolved: list[_Layout] = []

    def columns(exact: bool) -> Columns:
        def pick(header: list[list[str]]) -> dict[int, Any]:
            resolved.append(_resolve(str(path), header, instrument, mapping))
            return resolved[-1].read_columns(exact=exact)
        return pick

    try:
        table = read_table(path, header_rows=2, columns=columns(exact=True))
    except LabelMismatch:
        table = read_table(path, header_rows=2, columns=columns(exact=False))
    return _build(table, resolved[-1], instrument, mapping)


def is_surveymonkey(header: list[str]) -> bool:
    return bool(header) and normalize(header[0]) == normalize("Respondent ID")


def _resolve(file: str, header: list[list[str]], instrument: Instrument,
             mapping: Mapping) -> _Layout:
    width = max(len(row) for row in header)
    row1, row2 = (_pad(row, width) for row in header)
    metadata = _metadata_columns(file, row1, row2)
    columns = _question_columns(file, row1, row2, instrument, mapping, start=len(metadata))
    not_asked = _check_complete(file, row1, columns, mapping)
    return _Layout([row1, row2], metadata, columns, not_asked)


def _build(table: Table, layout: _Layout, instrument: Instrument,
           mapping: Mapping) -> ResponseSet:
    data = table.data
    row1 = layout.header[0]
    id_column = layout.metadata["Respondent ID"]
    ids = data[f"c{id_column}"].cast(pl.String).str.strip_chars().replace("", None)
    error = duplicate_ids_error(ids, file=table.file, file_row=table.file_row,
                                column=column_name(row1, id_column))
    if error is not None:
        raise error
    respondents = pl.DataFrame({
        "response_id": ids,
        "started_at": _optional(data, layout.metadata.get("Start Date")),
        "ended_at": _optional(data, layout.metadata.get("End Date")),
    })
    answers = _Answers(table, row1, instrument, mapping, layout.columns)
    warnings = [f"{qid!r}: {', '.join(ids)} not asked in this export (the mapping file marks "
                "it absent): shown as not asked, not as chosen by nobody"
                for qid, ids in layout.not_asked.items()]
    return ResponseSet.build(instrument, respondents, choices=answers.choices,
                             texts=answers.texts, contacts=answers.contacts,
                             source=table.file, warnings=(*warnings, *answers.warnings),
                             not_asked=layout.not_asked)


_NO_OPTION = np.iinfo(np.uint16).max


@dataclass(frozen=True)
class _Lookup:
    options: np.ndarray
    """Category code -> option code, `_NO_OPTION` for a blank label."""
    all_chosen: bool
    """No label is blank: every filled cell is an answer."""


@dataclass
class _Cells:
    """The answered rows of one column and, per row, an option code or a text."""

    rows: np.ndarray
    codes: np.ndarray | None = None
    values: pl.Series | None = None


class _Answers:
    """Turns the export's columns into the long choices and texts tables.

    Every column is read in one parallel pass of polars expressions: first the distinct
    labels of each choice column (to validate them and map them to option ids), then the
    answered rows of every column. The long tables are assembled from integer arrays.
    """

    def __init__(self, table: Table, row1: list[str], instrument: Instrument,
                 mapping: Mapping, columns: list[_Located]) -> None:
        self.table = table
        self.row1 = row1
        self.mapping = mapping
        self.height = table.data.height
        schema = answer_schema(instrument)
        self.question_ids = answer_question_ids(instrument)
        self.option_ids = answer_option_ids(instrument)
        self.question_code = {qid: i for i, qid in enumerate(self.question_ids)}
        self.option_code = {oid: i for i, oid in enumerate(self.option_ids)}
        self.question_enum = pl.Series(self.question_ids, dtype=schema["question_id"])
        self.option_enum = pl.Series(self.option_ids, dtype=schema["option_id"])
        self.warnings: list[str] = []

        cells = self._read(columns)
        choice_parts: list[tuple[str, np.ndarray, np.ndarray]] = []
        text_parts: list[tuple[str, str | None, _Cells]] = []
        contact_parts: list[pl.DataFrame] = []
        by_question: dict[str, list[_Located]] = {}
        for located in columns:
            by_question.setdefault(located.column.question.id, []).append(located)
        for located_columns in by_question.values():
            question = located_columns[0].column.question
            if question.pii:
                contact_parts += [self._contact_frame(loc, cells[loc.index])
                                  for loc in located_columns]
            elif question.type == "single":
                self._single(located_columns, cells, choice_parts, text_parts)
            else:
                for loc in located_columns:
                    self._column(loc, cells[loc.index], choice_parts, text_parts)

        self.choices = self._choice_frame(choice_parts)
        self.texts = self._text_frame(text_parts)
        self.contacts = pl.concat(contact_parts) if contact_parts else pl.DataFrame(
            schema=CONTACT_SCHEMA)
        self._choice_limits(instrument, choice_parts)

    # -- reading ---------------------------------------------------------------------

    def _read(self, columns: list[_Located]) -> dict[int, _Cells]:
        labelled = [loc for loc in columns if loc.column.kind in ("choice", "statement", "option")
                    and not loc.column.question.pii]
        data = self.table.data
        schema = data.schema
        # An Enum column can only hold its categories, all labels the reader knew; the
        # labels of a Categorical column are whatever the cells hold.
        tolerant = [f"c{loc.index}" for loc in labelled
                    if not isinstance(schema[f"c{loc.index}"], pl.Enum)]
        found = data.select(pl.col(tolerant).drop_nulls().unique().implode()) if tolerant \
            else pl.DataFrame()
        distinct = [
            found[name][0] if name in found.columns
            else pl.Series(schema[name].categories, dtype=schema[name])  # type: ignore[attr-defined]
            for name in (f"c{loc.index}" for loc in labelled)
        ]

        # One parallel pass: the answered rows of every column, with their raw category
        # codes or texts. Mapping codes to options is then a table look-up in numpy.
        luts = {loc.index: self._classify(loc, values)
                for loc, values in zip(labelled, distinct, strict=True)}
        expressions: list[pl.Expr] = []
        for loc in columns:
            name = f"c{loc.index}"
            cells = pl.col(name)
            expressions.append(pl.arg_where(cells.is_not_null()).implode().alias(f"{name}_rows"))
            if loc.index not in luts:
                expressions.append(cells.drop_nulls().implode().alias(f"{name}_values"))
            elif loc.column.kind != "option" or not luts[loc.index].all_chosen:
                expressions.append(cells.drop_nulls().to_physical().implode()
                                   .alias(f"{name}_codes"))
        frame = data.select(expressions) if expressions else pl.DataFrame()
        result = {name: frame[name][0] for name in frame.columns}

        cells: dict[int, _Cells] = {}
        for loc in columns:
            name = f"c{loc.index}"
            rows = result[f"{name}_rows"].to_numpy().astype(np.uint32, copy=False)
            if f"{name}_values" in result:
                texts = result[f"{name}_values"].cast(pl.String).str.strip_chars()
                keep = (texts.str.len_bytes() > 0).to_numpy()
                cells[loc.index] = _Cells(rows[keep], None, texts.filter(pl.Series(keep)))
            elif f"{name}_codes" in result:
                mapped = luts[loc.index].options[result[f"{name}_codes"].to_numpy()]
                keep = mapped != _NO_OPTION
                cells[loc.index] = _Cells(rows[keep], mapped[keep])
            else:
                cells[loc.index] = _Cells(rows)
        return cells

    def _classify(self, located: _Located, distinct: pl.Series) -> _Lookup:
        """Category code -> option code for every label the column holds.

        Unknown labels fail here, naming the first row that holds them.
        """
        labels = _labels(located.column.question, self.mapping)
        codes = distinct.to_physical().to_list()
        options = np.full(max(codes, default=0) + 1, _NO_OPTION, dtype=np.uint16)
        all_chosen = True
        for code, raw in zip(codes, distinct.cast(pl.String).to_list(), strict=True):
            key = normalize(raw)
            if not key:
                all_chosen = False  # white space only: an empty cell
                continue
            option_id = labels.get(key)
            if option_id is None or (located.column.kind == "option"
                                     and option_id != located.column.option_id):
                raise self._unknown(located, raw)
            options[code] = self.option_code[option_id]
        return _Lookup(options, all_chosen)

    def _unknown(self, located: _Located, raw: str) -> InputError:
        column = located.column
        cells = self.table.data[f"c{located.index}"].cast(pl.String)
        row = self.table.file_row(int((cells == raw).arg_true()[0]))
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

    # -- columns to long rows --------------------------------------------------------

    def _column(self, located: _Located, cells: _Cells,
                choice_parts: list[tuple[str, np.ndarray, np.ndarray]],
                text_parts: list[tuple[str, str | None, _Cells]]) -> None:
        column = located.column
        if column.kind == "statement":
            choice_parts.append((column.qid, cells.rows, cells.codes))  # type: ignore[arg-type]
            return
        if column.kind in ("option", "other_text"):
            code = self.option_code[column.option_id]  # type: ignore[index]
            choice_parts.append((column.qid, cells.rows,
                                 np.full(len(cells.rows), code, dtype=np.uint16)))
        if column.kind != "option":
            text_parts.append((column.qid, column.option_id, cells))

    def _single(self, columns: list[_Located], cells: dict[int, _Cells],
                choice_parts: list[tuple[str, np.ndarray, np.ndarray]],
                text_parts: list[tuple[str, str | None, _Cells]]) -> None:
        """A single choice, and the typed text of its "Other" where there is one.

        A text alone stands for choosing "Other"; a text beside a different choice is
        dropped (and counted in a warning) so that the response keeps one answer.
        """
        qid = columns[0].column.qid
        chosen = np.full(self.height, _NO_OPTION, dtype=np.uint16)
        for loc in columns:
            if loc.column.kind == "choice":
                chosen[cells[loc.index].rows] = cells[loc.index].codes
        dropped = 0
        for loc in columns:
            if loc.column.kind != "other_text":
                continue
            other = cells[loc.index]
            code = self.option_code[loc.column.option_id]  # type: ignore[index]
            current = chosen[other.rows]
            keep = (current == _NO_OPTION) | (current == code)
            dropped += int((~keep).sum())
            chosen[other.rows[keep]] = code
            text_parts.append((qid, loc.column.option_id, _Cells(
                other.rows[keep], None, other.values.filter(pl.Series(keep)))))  # type: ignore[union-attr]
        if dropped:
            self.warnings.append(f"{dropped} response(s) typed an 'Other' text for {qid!r} "
                                 "beside a different choice; the choice is kept and the text "
                                 "dropped")
        rows = np.flatnonzero(chosen != _NO_OPTION).astype(np.uint32)
        choice_parts.append((qid, rows, chosen[rows]))

    def _choice_frame(self, parts: list[tuple[str, np.ndarray, np.ndarray]]) -> pl.DataFrame:
        if not parts:
            return pl.DataFrame(schema={"row": pl.UInt32, "question_id": self.question_enum.dtype,
                                        "option_id": self.option_enum.dtype})
        rows = np.concatenate([p[1] for p in parts])
        questions = np.repeat(np.array([self.question_code[p[0]] for p in parts], np.uint32),
                              [len(p[1]) for p in parts])
        options = np.concatenate([p[2] for p in parts]).astype(np.uint32)
        return pl.DataFrame({
            "row": pl.Series(rows, dtype=pl.UInt32),
            "question_id": self.question_enum.gather(questions),
            "option_id": self.option_enum.gather(options),
        })

    def _text_frame(self, parts: list[tuple[str, str | None, _Cells]]) -> pl.DataFrame:
        frames = [
            pl.DataFrame({
                "row": pl.Series(cells.rows, dtype=pl.UInt32),
                "question_id": self.question_enum.gather(
                    np.full(len(cells.rows), self.question_code[qid], np.uint16)),
                "option_id": pl.Series([option] * len(cells.rows), dtype=self.option_enum.dtype),
                "value": cells.values,
            })
            for qid, option, cells in parts
        ]
        return pl.concat(frames) if frames else pl.DataFrame(
            schema={"row": pl.UInt32, "question_id": self.question_enum.dtype,
                    "option_id": self.option_enum.dtype, "value": pl.String})

    def _contact_frame(self, located: _Located, cells: _Cells) -> pl.DataFrame:
        return pl.DataFrame({
            "row": pl.Series(cells.rows, dtype=pl.UInt32),
            "question_id": [located.column.question.id] * len(cells.rows),
            "value": cells.values,
        }, schema=CONTACT_SCHEMA)

    def _choice_limits(self, instrument: Instrument,
                       parts: list[tuple[str, np.ndarray, np.ndarray]]) -> None:
        for question in instrument.analysable_questions():
            if question.max_choices is None:
                continue
            chosen = [p[1] for p in parts if p[0] == question.id]
            rows = np.concatenate(chosen) if chosen else np.empty(0, np.uint32)
            over = int((np.bincount(rows, minlength=self.height) > question.max_choices).sum())
            if over:
                self.warnings.append(
                    f"{over} response(s) chose more than {question.max_choices} options for "
                    f"{question.id!r}; all their choices are counted")


def _pad(row: list[str], width: int) -> list[str]:
    return [cell or "" for cell in row] + [""] * (width - len(row))


def _optional(data: pl.DataFrame, index: int | None) -> pl.Series:
    if index is None:
        return pl.repeat(None, data.height, dtype=pl.String, eager=True)
    return data[f"c{index}"].str.strip_chars().replace("", None)


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


def _check_complete(file: str, row1: list[str], located: list[_Located],
                    mapping: Mapping) -> dict[str, tuple[str, ...]]:
    """Every question in the export has all its columns, or says which were not asked.

    A deleted option column would read as an option nobody chose, and a deleted "Other"
    box or statement as one nobody answered: the numbers would be wrong without a sign.
    """
    found: dict[str, tuple[Question, set[tuple[str, str | None, str | None]], int]] = {}
    for loc in located:
        question = loc.column.question
        if not question.pii:
            found.setdefault(question.id, (question, set(), loc.index))[1].add(_key(loc.column))
    not_asked: dict[str, tuple[str, ...]] = {}
    for qid, (question, keys, first) in found.items():
        missing = [c for c in question_columns(question) if _key(c) not in keys]
        absent = mapping.absent.get(qid, frozenset())
        unexplained = [c for c in missing if (c.option_id or c.statement_id) not in absent]
        if unexplained:
            raise InputError(f"question {qid!r} lacks the column of {_names(unexplained)}: a "
                             "column deleted from an export would count as chosen by nobody. "
                             f"Export every column{_absent_hint(qid, unexplained)}",
                             file=file, row=1, column=column_name(row1, first))
        if missing:
            not_asked[qid] = tuple(c.option_id or c.statement_id for c in missing)  # type: ignore[misc]
    return not_asked


def _absent_hint(qid: str, columns: list[Column]) -> str:
    ids = [c.option_id or c.statement_id for c in columns]
    if None in ids:
        return ""  # a single choice's Response column is the question itself
    return (", or, if the survey did not ask it, list it in a mapping file: "
            f"'absent: {{{qid}: [{', '.join(ids)}]}}'")  # type: ignore[arg-type]


def _key(column: Column) -> tuple[str, str | None, str | None]:
    return column.kind, column.option_id, column.statement_id


def _names(columns: list[Column]) -> str:
    names = [f"{c.header2!r} ({c.option_id or c.statement_id})"
             if c.option_id or c.statement_id else repr(c.header2) for c in columns]
    if len(names) > 4:
        names = [*names[:3], f"{len(names) - 3} more"]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


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
