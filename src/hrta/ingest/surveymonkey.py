"""Import a SurveyMonkey "expanded" export (CSV or XLSX) of an instrument.

Row 1 holds metadata headers, then each question's text over the first of its columns;
row 2 holds `Response`, `Open-Ended Response`, an option label or a statement text under
each question column. Identifying metadata (IP address, e-mail, names, custom data) is
dropped here and never reaches the answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from hrta.errors import InputError, Notice, Phrase, listing
from hrta.ingest.labels import clean_header, header_key, normalize
from hrta.ingest.layout import (
    OPEN_ENDED,
    RESPONSE,
    Column,
    metadata_kind,
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

_RESPONSE_HEADERS = {normalize(RESPONSE), normalize(OPEN_ENDED)}
_LABELLED = ("choice", "single_option", "statement", "option")
_OTHER_TEXT = ("other_text", "comment")
_VIEWED = "question viewed"
# Row-2 labels of SurveyMonkey's contact-information question: personal data, held apart.
_CONTACT_FIELDS = frozenset(header_key(f) for f in (
    "Name", "First Name", "Last Name", "Company", "Organization", "Company/Organization",
    "Organization/agency", "Agency", "Address", "Address 2", "City/Town", "City",
    "State/Province", "State", "ZIP/Postal Code", "ZIP", "Postal Code", "Country",
    "Email Address", "Email", "E-mail Address", "Phone Number", "Phone"))
# How many columns that do not fit the instrument an error names.
_NAMED_MISFITS = 4


@dataclass(frozen=True)
class _Located:
    index: int
    column: Column
    position: int = 1
    """1-based place of the column among its question's columns in the export: a numeric
    export may code a ticked option by it."""

    @property
    def answer_qid(self) -> str:
        """The question id its cells are stored under (a contact field keeps its label)."""
        if self.column.kind == "contact":
            return f"{self.column.question.id}.{_slug(self.column.header2)}"
        return self.column.qid

    def ticks(self, header: str) -> list[str]:
        """What a cell of an option column may hold to say "chosen": the label as written
        and as the instrument has it, or a number (1, or the option's place)."""
        question, column = self.column.question, self.column
        plain = [o.id for o in question.options if not o.other]
        place = plain.index(column.option_id) + 1 if column.option_id in plain else 0
        return list(dict.fromkeys([header.strip(), clean_header(header), column.header2, "1",
                                   str(self.position), str(place)]))


@dataclass(frozen=True)
class _Layout:
    header: list[list[str]]
    metadata: dict[str, int]
    """`id`, `started`, `ended` -> column index."""
    attributes: dict[str, int]
    """Respondent attributes (Audience demographics): header -> column index."""
    columns: list[_Located]
    not_asked: dict[str, tuple[str, ...]]
    """Question id -> its options or statements with no column, not asked."""
    warnings: tuple[Notice, ...] = ()

    def read_columns(self, *, exact: bool) -> dict[int, Any]:
        """The columns to keep and their types; identifying metadata is dropped.

        Label columns are read as an Enum of the labels (and numeric codes) the export
        may write (`exact`), else as Categorical, which accepts any spelling for matching
        later. Texts are read as String.
        """
        wanted: dict[int, Any] = {index: pl.String for index in self.metadata.values()}
        wanted.update({index: pl.String for index in self.attributes.values()})
        for located in self.columns:
            column = located.column
            if column.kind not in _LABELLED or column.question.pii:
                wanted[located.index] = pl.String
            elif not exact:
                wanted[located.index] = pl.Categorical
            elif column.kind in ("option", "single_option"):
                wanted[located.index] = pl.Enum(located.ticks(self.header[1][located.index]))
            else:
                wanted[located.index] = pl.Enum(list(dict.fromkeys(
                    [o.label for o in column.question.options]
                    + list(_codes(column.question, column.kind)))))
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
    return bool(header) and metadata_kind(header[0] or "") == "id"


def _resolve(file: str, header: list[list[str]], instrument: Instrument,
             mapping: Mapping) -> _Layout:
    width = max(len(row) for row in header)
    row1, row2 = (_pad(row, width) for row in header)
    scan = _Scan(file, row1, row2, instrument, mapping)
    not_asked, added = _check_complete(file, row1, scan.located, mapping)
    warnings = [*scan.warnings]
    warnings += [Notice(_ADDED[len(ids) == 1], {"question": qid, "options": ", ".join(ids)})
                 for qid, ids in added.items()]
    return _Layout([row1, row2], scan.metadata, scan.attributes, scan.located, not_asked,
                   tuple(warnings))


def _build(table: Table, layout: _Layout, instrument: Instrument,
           mapping: Mapping) -> ResponseSet:
    data = table.data
    row1 = layout.header[0]
    id_column = layout.metadata["id"]
    ids = data[f"c{id_column}"].cast(pl.String).str.strip_chars().replace("", None)
    error = duplicate_ids_error(ids, file=table.file, file_row=table.file_row,
                                column=column_name(row1, id_column))
    if error is not None:
        raise error
    respondents = pl.DataFrame({
        "response_id": ids,
        "started_at": _dates(_optional(data, layout.metadata.get("started"))),
        "ended_at": _dates(_optional(data, layout.metadata.get("ended"))),
    })
    attributes = pl.DataFrame({name: _optional(data, index)
                               for name, index in layout.attributes.items()},
                              schema={name: pl.String for name in layout.attributes})
    answers = _Answers(table, row1, instrument, mapping, layout.columns)
    warnings = [Notice("%(question)r: %(options)s not asked in this export (the mapping file "
                       "marks it absent): shown as not asked, not as chosen by nobody",
                       {"question": qid, "options": ", ".join(ids)})
                for qid, ids in layout.not_asked.items()
                if set(ids) <= mapping.absent.get(qid, frozenset())]
    return ResponseSet.build(instrument, respondents, choices=answers.choices,
                             texts=answers.texts, contacts=answers.contacts,
                             source=table.file,
                             warnings=(*table.warnings, *layout.warnings, *warnings,
                                       *answers.warnings),
                             not_asked=layout.not_asked, attributes=attributes)


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


def _option_id(column: Column) -> str:
    """The option an option, single-option, "Other" or comment column stands for: every
    such column is built with it (`question_columns`, `_Layout`)."""
    assert column.option_id is not None, f"{column.kind} column {column.header2!r} has no option"
    return column.option_id


def _enum_labels(dtype: pl.DataType) -> pl.Series:
    """Every label of a column read as an Enum (only those skip the distinct-label pass)."""
    assert isinstance(dtype, pl.Enum), f"expected an Enum column, not {dtype}"
    return pl.Series(dtype.categories, dtype=dtype)


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
        self.warnings: list[Notice] = []
        self._label_keys: dict[str, dict[str, str]] = {}

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
                    if loc.column.kind not in _OTHER_TEXT:
                        self._column(loc, cells[loc.index], choice_parts, text_parts)
                others = [loc for loc in located_columns if loc.column.kind in _OTHER_TEXT]
                if others:
                    chosen, typed = self._other(others, cells)
                    code = self.option_code[_option_id(others[0].column)]
                    qid = others[0].column.qid
                    choice_parts.append((qid, chosen, np.full(len(chosen), code, np.uint16)))
                    text_parts.append((qid, others[0].column.option_id, typed))

        self.choices = self._choice_frame(choice_parts)
        self.texts = self._text_frame(text_parts)
        self.contacts = pl.concat(contact_parts) if contact_parts else pl.DataFrame(
            schema=CONTACT_SCHEMA)
        self._choice_limits(instrument, choice_parts)

    # -- reading ---------------------------------------------------------------------

    def _read(self, columns: list[_Located]) -> dict[int, _Cells]:
        labelled = [loc for loc in columns if loc.column.kind in _LABELLED
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
            else _enum_labels(schema[name])
            for name in (f"c{loc.index}" for loc in labelled)
        ]

        # One parallel pass: the answered rows of every column, with their raw category
        # codes or texts. Mapping codes to options is then a table look-up in numpy.
        luts = {loc.index: self._classify(loc, values)
                for loc, values in zip(labelled, distinct, strict=True)}
        expressions: list[pl.Expr] = []
        for loc in columns:
            name = f"c{loc.index}"
            cell = pl.col(name)
            expressions.append(pl.arg_where(cell.is_not_null()).implode().alias(f"{name}_rows"))
            if loc.index not in luts:
                expressions.append(cell.drop_nulls().implode().alias(f"{name}_values"))
            elif loc.column.kind not in ("option", "single_option") \
                    or not luts[loc.index].all_chosen:
                expressions.append(cell.drop_nulls().to_physical().implode()
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

        Unknown labels and numeric codes out of range fail here, naming the first row
        that holds them.
        """
        column = located.column
        if column.kind in ("option", "single_option") and isinstance(distinct.dtype, pl.Enum):
            # Read as an Enum of its ticks (`_Layout.read_columns`): every filled cell says
            # "chosen", with nothing to check label by label.
            code = self.option_code[_option_id(column)]
            return _Lookup(np.full(len(distinct), code, dtype=np.uint16), all_chosen=True)
        labels = self._labels(column.question)
        codes = distinct.to_physical().to_list()
        options = np.full(max(codes, default=0) + 1, _NO_OPTION, dtype=np.uint16)
        all_chosen = True
        ticks: set[str] = set()
        if column.kind in ("option", "single_option"):
            ticks = {header_key(t) for t in located.ticks(
                self.table.header[1][located.index])}
        numeric = {} if ticks else _codes(column.question, column.kind)
        for code, raw in zip(codes, distinct.cast(pl.String).to_list(), strict=True):
            key = header_key(raw)
            if not key:
                all_chosen = False  # white space only: an empty cell
                continue
            option_id: str | None
            if ticks:
                if key not in ticks and labels.get(key) != column.option_id:
                    raise self._unknown(located, raw)
                option_id = _option_id(column)
            else:
                option_id = labels.get(key) or numeric.get(key)
                if option_id is None:
                    raise self._unknown(located, raw)
            options[code] = self.option_code[option_id]
        return _Lookup(options, all_chosen)

    def _labels(self, question: Question) -> dict[str, str]:
        # Once per question, not once per column: an expanded single choice has a column
        # per option.
        if question.id not in self._label_keys:
            self._label_keys[question.id] = _labels(question, self.mapping)
        return self._label_keys[question.id]

    def _unknown(self, located: _Located, raw: str) -> InputError:
        column = located.column
        cells = self.table.data[f"c{located.index}"].cast(pl.String)
        row = self.table.file_row(int((cells == raw).arg_true()[0]))
        where = self._where(located.index)
        if column.kind in ("option", "single_option"):
            return InputError(
                "unexpected value %(value)r in the column of option %(option)r (question "
                "%(question)r): expected that label, its number (in a numeric export) or an "
                "empty cell", params={"value": raw, "option": column.header2,
                                      "question": column.qid},
                file=self.table.file, row=row, column=where)
        if raw.strip().lstrip("-").isdigit():
            numeric = _codes(column.question, column.kind)
            top = max(int(code) for code in numeric)
            zero = "0" in numeric
            return InputError(
                "numeric code %(code)s is out of range for question %(question)r: a numeric "
                "export codes its %(count)s options 1 to %(top)s and 0 for 'Other', in the "
                "instrument's order" if zero else
                "numeric code %(code)s is out of range for question %(question)r: a numeric "
                "export codes its %(count)s options 1 to %(top)s, in the instrument's order",
                file=self.table.file, row=row, column=where,
                params={"code": raw.strip(), "question": column.qid,
                        "count": len(numeric) - zero, "top": top})
        known = "; ".join(option.label for option in column.question.options)
        return InputError("unknown option label %(value)r for question %(question)r; "
                          "expected one of: %(known)s", params={
                              "value": raw, "question": column.qid, "known": known},
                          file=self.table.file, row=row, column=where)

    def _where(self, index: int) -> str:
        """A column named by its question text or, under it, by its row-2 label."""
        header = self.row1 if self.row1[index].strip() else self.table.header[1]
        return column_name([clean_header(cell) for cell in header], index)

    def _other(self, columns: list[_Located], cells: dict[int, _Cells]
               ) -> tuple[np.ndarray, _Cells]:
        """The rows that chose "Other" and the text each typed, from its box and any
        comment box: a cell holding just the label (or its number) is a tick without
        text, and where two boxes hold texts the first is kept."""
        chosen = np.zeros(self.height, dtype=bool)
        has_text = np.zeros(self.height, dtype=bool)
        rows: list[np.ndarray] = []
        values: list[pl.Series] = []
        for loc in columns:
            found = cells[loc.index]
            texts = found.values if found.values is not None else pl.Series([], dtype=pl.String)
            ticks = [header_key(t) for t in loc.ticks(self.table.header[1][loc.index])]
            ticked = texts.str.to_lowercase().is_in([*ticks, "other", "0"]).to_numpy() \
                if loc.column.kind == "other_text" else np.zeros(len(texts), dtype=bool)
            chosen[found.rows] = True
            keep = ~ticked & ~has_text[found.rows]
            has_text[found.rows[keep]] = True
            rows.append(found.rows[keep])
            values.append(texts.filter(pl.Series(keep)))
        return (np.flatnonzero(chosen).astype(np.uint32),
                _Cells(np.concatenate(rows), None, pl.concat(values)))

    # -- columns to long rows --------------------------------------------------------

    def _column(self, located: _Located, cells: _Cells,
                choice_parts: list[tuple[str, np.ndarray, np.ndarray]],
                text_parts: list[tuple[str, str | None, _Cells]]) -> None:
        column = located.column
        if column.kind == "statement":
            # A grid row is labelled, so `_read` mapped its cells to option codes.
            assert cells.codes is not None
            choice_parts.append((column.qid, cells.rows, cells.codes))
            return
        if column.kind in ("option", "other_text"):
            code = self.option_code[_option_id(column)]
            choice_parts.append((column.qid, cells.rows,
                                 np.full(len(cells.rows), code, dtype=np.uint16)))
        if column.kind != "option":
            text_parts.append((column.qid, column.option_id, cells))

    def _single(self, columns: list[_Located], cells: dict[int, _Cells],
                choice_parts: list[tuple[str, np.ndarray, np.ndarray]],
                text_parts: list[tuple[str, str | None, _Cells]]) -> None:
        """A single choice, and the typed text of its "Other" where there is one.

        The choice is in one `Response` column or, expanded, in one column per option (a
        response that fills two of them is refused). A text alone stands for choosing
        "Other"; a text beside a different choice is dropped (and counted in a warning) so
        that the response keeps one answer.
        """
        qid = columns[0].column.qid
        chosen = np.full(self.height, _NO_OPTION, dtype=np.uint16)
        for loc in columns:
            kind = loc.column.kind
            if kind not in ("choice", "single_option"):
                continue
            found = cells[loc.index]
            codes = found.codes if found.codes is not None else np.full(
                len(found.rows), self.option_code[_option_id(loc.column)],
                dtype=np.uint16)
            twice = np.flatnonzero(chosen[found.rows] != _NO_OPTION)
            if twice.size:
                raise InputError(
                    "this response fills two options of the single-choice question "
                    "%(question)r", params={"question": qid}, file=self.table.file,
                    row=self.table.file_row(int(found.rows[twice[0]])),
                    column=self._where(loc.index))
            chosen[found.rows] = codes
        others = [loc for loc in columns if loc.column.kind in _OTHER_TEXT]
        if others:
            code = self.option_code[_option_id(others[0].column)]
            picked, typed = self._other(others, cells)
            current = chosen[picked]
            keep = (current == _NO_OPTION) | (current == code)
            chosen[picked[keep]] = code
            dropped = picked[~keep]
            stays = ~np.isin(typed.rows, dropped)
            if not stays.all():
                self.warnings.append(Notice(
                    "%(count)s response(s) typed an 'Other' text for %(question)r beside a "
                    "different choice; the choice is kept and the text dropped",
                    {"count": int((~stays).sum()), "question": qid}))
            assert typed.values is not None  # `_other` always returns the typed texts
            text_parts.append((qid, others[0].column.option_id, _Cells(
                typed.rows[stays], None, typed.values.filter(pl.Series(stays)))))
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
        # Indices as a UInt32 Series: gathering by a numpy array converts it first.
        return pl.DataFrame({
            "row": pl.Series(rows, dtype=pl.UInt32),
            "question_id": self.question_enum.gather(pl.Series(questions, dtype=pl.UInt32)),
            "option_id": self.option_enum.gather(pl.Series(options, dtype=pl.UInt32)),
        })

    def _text_frame(self, parts: list[tuple[str, str | None, _Cells]]) -> pl.DataFrame:
        frames = [
            pl.DataFrame({
                "row": pl.Series(cells.rows, dtype=pl.UInt32),
                "question_id": pl.repeat(qid, len(cells.rows), dtype=self.question_enum.dtype,
                                         eager=True),
                "option_id": pl.repeat(option, len(cells.rows), dtype=self.option_enum.dtype,
                                       eager=True),
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
            "question_id": [located.answer_qid] * len(cells.rows),
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
                self.warnings.append(Notice(
                    "%(count)s response(s) chose more than %(most)s options for "
                    "%(question)r; all their choices are counted",
                    {"count": over, "most": question.max_choices, "question": question.id}))


def _pad(row: list[str], width: int) -> list[str]:
    return [cell or "" for cell in row] + [""] * (width - len(row))


def _optional(data: pl.DataFrame, index: int | None) -> pl.Series:
    if index is None:
        return pl.repeat(None, data.height, dtype=pl.String, eager=True)
    return data[f"c{index}"].cast(pl.String).str.strip_chars().replace("", None)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header_key(text)).strip("_") or "field"


# SurveyMonkey writes `07/26/2024 03:11:31 AM`, which every stage reads; Excel re-saves it
# as `7/26/24 3:11` and an XLSX date cell reads as ISO. Other forms are rewritten as ISO.
_SURVEYMONKEY_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2} [AP]M")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_OTHER_DATES = ("%m/%d/%y %H:%M", "%m/%d/%Y %H:%M", "%m/%d/%y %H:%M:%S", "%m/%d/%Y %H:%M:%S",
                "%m/%d/%y %I:%M %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y", "%m/%d/%y")


def _dates(stamps: pl.Series) -> pl.Series:
    """Start or end times in a form every stage reads.

    Only the first stamp is looked at when it is in SurveyMonkey's or ISO form (a column
    holds one form), so a million-row export is not parsed twice.
    """
    first = stamps.drop_nulls().head(1).to_list()
    if not first or _SURVEYMONKEY_DATE.fullmatch(first[0]) or _ISO_DATE.match(first[0]):
        return stamps
    parsed = pl.repeat(None, len(stamps), dtype=pl.Datetime, eager=True)
    for fmt in _OTHER_DATES:
        parsed = parsed.fill_null(stamps.str.to_datetime(fmt, strict=False))
    iso = parsed.dt.strftime("%Y-%m-%d %H:%M:%S")
    return iso.fill_null(stamps)


def _codes(question: Question, kind: str) -> dict[str, str]:
    """Numeric export code -> option id: a choice's options are 1, 2, ... in the
    instrument's order and "Other" 0; a grid's cells hold the scale position."""
    if kind == "statement":
        return {str(i): o.id for i, o in enumerate(question.options, start=1)}
    codes = {str(i): o.id for i, o in enumerate(
        (o for o in question.options if not o.other), start=1)}
    other = next((o.id for o in question.options if o.other), None)
    if other is not None:
        codes["0"] = other
    return codes


class _Scan:
    """Reads the two header rows column by column: metadata, attributes, questions.

    Row 1 names a question above its first column; row 2 says what each column holds.
    Metadata columns (row 2 empty) may come first or, for Audience demographics, anywhere.
    Every column that fits no question is collected, so that one error names them all.
    """

    def __init__(self, file: str, row1: list[str], row2: list[str], instrument: Instrument,
                 mapping: Mapping) -> None:
        self.file, self.row1, self.row2 = file, row1, row2
        self.instrument, self.mapping = instrument, mapping
        self.metadata: dict[str, int] = {}
        self.attributes: dict[str, int] = {}
        self.located: list[_Located] = []
        self.warnings: list[Notice] = []
        self.used: set[str] = set()
        self.misfits: list[tuple[int, str]] = []
        self.extra: list[int] = []
        self.contacts = 0
        self.seen: dict[tuple[str, str, str | None, str | None], int] = {}
        self._scan()

    def _scan(self) -> None:
        row1, row2 = self.row1, self.row2
        if metadata_kind(row1[0]) != "id":
            raise InputError("no 'Respondent ID' column at the start of row 1: this does not "
                             "look like a SurveyMonkey export", file=self.file, row=1,
                             column=column_letter(0))
        index, questions_started = 0, False
        while index < len(row1):
            top, below = row1[index].strip(), row2[index].strip()
            if top and self._metadata(index, top, below, questions_started):
                index += 1
                continue
            if (not top and not below) or _VIEWED in header_key(below) \
                    or (top and not below and header_key(top).endswith(_VIEWED)):
                index += 1  # an empty trailing header, or an A/B test's "Question Viewed"
                continue
            if not top:
                raise InputError("this column has no question text above it", file=self.file,
                                 row=1, column=column_name(row1, index))
            questions_started = True
            index = self._question(index)
        if self.misfits:
            raise self._misfit_error()
        if self.extra:
            names = ", ".join(column_name(row1, i) for i in self.extra)
            self.warnings.append(Notice("column(s) %(columns)s read as collector metadata "
                                        "and dropped", {"columns": names}))

    def _metadata(self, index: int, top: str, below: str, questions_started: bool) -> bool:
        """Take a metadata column; False if the column starts a question."""
        kind = metadata_kind(top)
        if kind is None and (questions_started or below):
            return False
        if kind is not None and below and kind != "attribute" and not questions_started:
            raise InputError(
                "the second header row is missing: row 2 holds data where the export puts an "
                "empty cell under %(header)r", params={"header": top}, file=self.file, row=2,
                column=column_name(self.row1, index))
        if below or self._matches_question(top):
            return False
        if kind is None:
            self.extra.append(index)  # an unknown collector column, e.g. a custom variable
        elif kind == "attribute":
            self.attributes[clean_header(top)] = index
        elif kind != "dropped":
            if kind in self.metadata:
                raise InputError("metadata column %(header)r appears twice (first in column "
                                 "%(first)s)", params={
                                     "header": top,
                                     "first": column_letter(self.metadata[kind])},
                                 file=self.file, row=1, column=column_name(self.row1, index))
            self.metadata[kind] = index
        return True

    def _matches_question(self, text: str) -> bool:
        key = header_key(text)
        return key in self.mapping.questions or any(
            header_key(q.text) == key for q in self.instrument.questions)

    def _block_end(self, start: int) -> int:
        end = start + 1
        while end < len(self.row1) and not self.row1[end].strip():
            end += 1
        return end

    def _question(self, start: int) -> int:
        """Locate the columns of the question whose text is in row 1 at `start`."""
        end = self._block_end(start)
        top = self.row1[start]
        labels = [self.row2[i].strip() for i in range(start, end)]
        try:
            question = self._match(top)
        except LookupError:
            if labels and all(header_key(label) in _CONTACT_FIELDS for label in labels
                              if label):
                self.contacts += 1
                suffix = f"_{self.contacts}" if self.contacts > 1 else ""
                question = Question(id=f"contact_details{suffix}", type="text",
                                    text=clean_header(top) or "contact details", pii=True)
            else:
                self.misfits.append((start, top.strip()))
                return end
        if question is None:
            return end  # the mapping file says to ignore it
        self.used.add(question.id)
        position = 0
        for index in range(start, end):
            below = self.row2[index].strip()
            if (not below and index > start) or _VIEWED in header_key(below):
                continue
            position += 1
            column = _column_for(question, below, self.mapping)
            if column is None and below and question.type in ("single", "multi") \
                    and index == end - 1:
                column = self._comment(question, below, index)
                if column is None:
                    continue
            if column is None:
                expected = {"single": f"{RESPONSE!r}, an option label or an 'Other' option",
                            "multi": "one of its option labels",
                            "matrix": "one of its statements",
                            "text": repr(OPEN_ENDED)}[question.type]
                raise InputError(
                    "unknown label %(label)r under question %(question)r: expected "
                    "%(expected)s", params={"label": below, "question": question.id,
                                            "expected": expected},
                    file=self.file, row=2, column=column_name(self.row2, index))
            self._add(_Located(index, column, position))
        return end

    def _comment(self, question: Question, label: str, index: int) -> Column | None:
        """A comment box after a question's options: its text is the "Other" text where the
        question has an "Other"; otherwise it is left out, with a warning."""
        other = next((o for o in question.options if o.other), None)
        if other is None:
            self.warnings.append(Notice(
                "the comment box %(column)s of %(question)r is not read: the instrument has "
                "no 'Other' for it",
                {"column": column_name(self.row2, index), "question": question.id}))
            return None
        return Column(question, "comment", label, option_id=other.id)

    def _add(self, located: _Located) -> None:
        column = located.column
        key = (column.qid, "option" if column.kind == "single_option" else column.kind,
               column.option_id, column.statement_id if column.kind != "contact"
               else column.header2)
        if key in self.seen:
            what = ("option" if column.option_id
                    else "statement" if column.statement_id else "header")
            raise InputError(
                _TWO_COLUMNS[what], file=self.file, row=2,
                column=column_name(self.row2, located.index),
                params={"option": column.option_id, "statement": column.statement_id,
                        "header": column.header2, "question": column.question.id,
                        "first": column_name(self.row2, self.seen[key])})
        self.seen[key] = located.index
        self.located.append(located)

    def _match(self, text: str) -> Question | None:
        """The instrument's question with this text; a text asked twice matches in order."""
        key = header_key(text)
        mapped = self.mapping.questions.get(key, self.mapping.questions.get(normalize(text)))
        if mapped is not None:
            return None if mapped == IGNORE else self.instrument.question(mapped)
        found = [q for q in self.instrument.questions if header_key(q.text) == key]
        if not found:
            raise LookupError(text)
        return next((q for q in found if q.id not in self.used), found[0])

    def _misfit_error(self) -> InputError:
        first = self.misfits[0][0]
        named = [f"{column_letter(i)} ({_short(text)!r})" for i, text in
                 self.misfits[:_NAMED_MISFITS]]
        more = len(self.misfits) - len(named)
        return InputError(
            _MISFITS if len(self.misfits) > 1 else _MISFIT,
            file=self.file, row=1, column=column_name(self.row1, first),
            params={"question": _short(self.misfits[0][1]), "instrument": self.instrument.id,
                    "count": len(self.misfits), "columns": listing(named, more)})


# Whole messages, so each has its translation (hrta.web.inputerrors).
_ADDED = {  # one option, or several
    True: "%(question)r: %(options)s not in this export; the instrument marks it as added to "
          "the original questionnaire, so shown as not asked, not as chosen by nobody",
    False: "%(question)r: %(options)s not in this export; the instrument marks them as added "
           "to the original questionnaire, so shown as not asked, not as chosen by nobody",
}
_TWO_COLUMNS = {
    what: f"two columns map to {named} of question %(question)r: %(first)s and this one. "
          "Each option has one column: check the mapping file and row 2"
    for what, named in (("option", "option %(option)r"),
                        ("statement", "statement %(statement)r"), ("header", "%(header)r"))}
_MISFIT_ADVICE = (
    ". If this is another questionnaire, draft an instrument from it with `hrta instrument "
    "draft EXPORT -o instrument.yaml`; if it is a reworded wave, `hrta instrument match "
    "EXPORT --instrument %(instrument)s -o mapping.yaml` proposes a mapping file (a mapping "
    "file can also name or ignore a question)")
_MISFIT = "unknown question %(question)r: it matches no question of %(instrument)r" \
    + _MISFIT_ADVICE
_MISFITS = "unknown question %(question)r: it matches no question of %(instrument)r; " \
    "%(count)s questions of row 1 do not fit it: %(columns)s" + _MISFIT_ADVICE
_LACKS = "question %(question)r lacks the column of %(columns)s: a column deleted from an " \
    "export would count as chosen by nobody. Export every column"
_LACKS_ABSENT = _LACKS + ", or, if the survey did not ask it, list it in a mapping file: " \
    "'absent: {%(question)s: [%(ids)s]}'"


def _short(text: str) -> str:
    text = clean_header(text)
    return text if len(text) <= 80 else text[:77] + "..."


def _check_complete(file: str, row1: list[str], located: list[_Located], mapping: Mapping
                    ) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Every question in the export has all its columns, or says which were not asked.

    A deleted option column would read as an option nobody chose, and a deleted "Other"
    box or statement as one nobody answered: the numbers would be wrong without a sign.
    An option the instrument marks `source: added` (not in the original questionnaire)
    may be missing: it was not asked. Returns all the columns not asked and, of them,
    those not asked because they were added.
    """
    found: dict[str, tuple[Question, set[tuple[str, str | None, str | None]], int]] = {}
    for loc in located:
        question = loc.column.question
        if not question.pii:
            found.setdefault(question.id, (question, set(), loc.index))[1].add(_key(loc.column))
    not_asked: dict[str, tuple[str, ...]] = {}
    added: dict[str, tuple[str, ...]] = {}
    for qid, (question, keys, first) in found.items():
        expanded = ("single_option", None, None) in {(k[0], None, None) for k in keys}
        missing = [c for c in _expected(question, expanded) if _key(c) not in keys]
        absent = mapping.absent.get(qid, frozenset())
        unexplained = [c for c in missing if (c.option_id or c.statement_id) not in absent
                       and not _is_added(c)]
        if unexplained:
            ids = _absent_ids(unexplained)
            raise InputError(_LACKS_ABSENT if ids else _LACKS, file=file, row=1,
                             column=column_name(row1, first),
                             params={"question": qid, "columns": _names(unexplained),
                                     "ids": ", ".join(ids)})
        if missing:
            ids = [c.option_id or c.statement_id or "" for c in missing]
            not_asked[qid] = tuple(ids)
            by_source = tuple(i for i in ids if i not in absent)
            if by_source:
                added[qid] = by_source
    return not_asked, added


def _expected(question: Question, expanded: bool) -> list[Column]:
    """The columns an export of the question holds: a single choice either has one
    `Response` column or, expanded, one column per option."""
    columns = question_columns(question)
    if question.type == "single" and expanded:
        columns = [Column(question, "single_option", o.label, option_id=o.id)
                   for o in question.options if not o.other] + columns[1:]
    return columns


def _is_added(column: Column) -> bool:
    if column.option_id is not None and column.kind != "choice":
        return column.question.option(column.option_id).source == "added"
    if column.statement_id is not None:
        return next(s for s in column.question.statements
                    if s.id == column.statement_id).source == "added"
    return False


def _absent_ids(columns: list[Column]) -> list[str]:
    """The ids a mapping file's `absent:` would list for `columns`, or none where it cannot
    list them."""
    ids = [c.option_id or c.statement_id for c in columns]
    named = [i for i in ids if i is not None]
    if len(named) < len(ids) or any(c.kind == "single_option" for c in columns):
        return []  # a single choice's Response column is the question itself
    return named


def _key(column: Column) -> tuple[str, str | None, str | None]:
    kind = "other_text" if column.kind == "comment" else column.kind
    return kind, column.option_id, column.statement_id


def _names(columns: list[Column]) -> Phrase | str:
    names = [f"{c.header2!r} ({c.option_id or c.statement_id})"
             if c.option_id or c.statement_id else repr(c.header2) for c in columns]
    return listing(names[:3], len(names) - 3) if len(names) > 4 else listing(names, last=True)


def _keys(label: str) -> list[str]:
    """The keys a row-2 label may match by: whole, then each side of a " - " (recent
    exports write `Response - Other`; a grid of drop-downs `Row - Column`)."""
    keys = [header_key(label)]
    if " - " in label.strip():
        left, _, right = clean_header(label).partition(" - ")
        keys += [header_key(right), header_key(left)]
    return keys


def _column_for(question: Question, label: str, mapping: Mapping) -> Column | None:
    keys = _keys(label)
    if question.pii:
        text = question.type == "text" and (not keys[0] or keys[0] in _RESPONSE_HEADERS)
        return Column(question, "text" if text else "contact", label or OPEN_ENDED)
    if question.type == "matrix":
        for key in keys:
            statement_id = mapping.statements.get(question.id, {}).get(key)
            for statement in question.statements:
                if statement_id == statement.id or header_key(statement.text) == key:
                    return Column(question, "statement", statement.text,
                                  statement_id=statement.id)
        return None
    if question.type == "text":
        return Column(question, "text", OPEN_ENDED) if keys[0] in _RESPONSE_HEADERS \
            or not keys[0] else None
    if question.type == "single" and keys[0] in _RESPONSE_HEADERS:
        return Column(question, "choice", RESPONSE)
    for key in keys:
        option_id = mapping.options.get(question.id, {}).get(key)
        for option in question.options:
            if option_id == option.id or header_key(option.label) == key \
                    or (option.other and key.startswith("other")):
                if option.other:
                    return Column(question, "other_text", option.label, option_id=option.id)
                if question.type == "multi":
                    return Column(question, "option", option.label, option_id=option.id)
                return Column(question, "single_option", option.label, option_id=option.id)
    return None


def _labels(question: Question, mapping: Mapping) -> dict[str, str]:
    """Normalized label -> option id, the instrument's labels and the mapping's aliases."""
    labels = {header_key(option.label): option.id for option in question.options}
    labels.update(mapping.options.get(question.id, {}))
    return labels
