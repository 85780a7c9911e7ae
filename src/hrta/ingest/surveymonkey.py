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
from hrta.responses import CONTACT_SCHEMA, ResponseSet, answer_schema, duplicate_ids_error

_METADATA = {normalize(h): h for h in METADATA_HEADERS}
_RESPONSE_HEADERS = {normalize(RESPONSE), normalize(OPEN_ENDED)}


@dataclass(frozen=True)
class _Located:
    index: int
    column: Column


def read(path: Path, instrument: Instrument, mapping: Mapping | None = None) -> ResponseSet:
    table = read_table(path, header_rows=2)
    return from_table(table, instrument, mapping or Mapping())


def is_surveymonkey(header: list[str]) -> bool:
    return bool(header) and normalize(header[0]) == normalize("Respondent ID")


def from_table(table: Table, instrument: Instrument, mapping: Mapping) -> ResponseSet:
    row1, row2 = (_pad(row, table.width) for row in table.header)
    metadata = _metadata_columns(table, row1, row2)
    columns = _question_columns(table, row1, row2, instrument, mapping, start=len(metadata))
    data = table.data

    id_column = metadata["Respondent ID"]
    ids = data[f"c{id_column}"]
    error = duplicate_ids_error(ids, file=table.file, first_data_row=table.first_data_row,
                                column=column_name(row1, id_column))
    if error is not None:
        raise error
    respondents = pl.DataFrame({
        "response_id": ids,
        "started_at": _optional(data, metadata.get("Start Date")),
        "ended_at": _optional(data, metadata.get("End Date")),
    })

    schema = answer_schema(instrument)
    parts: list[pl.DataFrame] = []
    contacts: list[pl.DataFrame] = []
    rows = pl.int_range(pl.len(), dtype=pl.UInt32).alias("row")
    for located in columns:
        column = located.column
        cells = pl.col(f"c{located.index}")
        if column.question.pii:
            contacts.append(_contact_rows(data, located, rows))
            continue
        if column.kind in ("choice", "statement"):
            lookup = _value_lookup(table, row1, located, mapping)
            frame = data.select(rows, cells.replace_strict(lookup, return_dtype=pl.String)
                                .alias("option_id"))
            frame = frame.filter(pl.col("option_id").is_not_null()).with_columns(
                value=pl.lit(None, pl.String))
        elif column.kind == "option":
            _check_option_cells(table, row1, located, mapping)
            frame = data.select(rows, cells).filter(cells.is_not_null()).select(
                "row", option_id=pl.lit(column.option_id), value=pl.lit(None, pl.String))
        elif column.kind == "other_text":
            frame = data.select(rows, cells.alias("value")).filter(pl.col("value").is_not_null())
            frame = frame.select("row", option_id=pl.lit(column.option_id), value="value")
        else:
            frame = data.select(rows, cells.alias("value")).filter(pl.col("value").is_not_null())
            frame = frame.select("row", option_id=pl.lit(None, pl.String), value="value")
        parts.append(frame.select("row", question_id=pl.lit(column.qid), option_id="option_id",
                                  value="value"))

    answers = _merge_single_other(
        pl.concat([p.cast(schema) for p in parts]) if parts else pl.DataFrame(schema=schema),
        instrument,
    )
    contact_frame = (pl.concat(contacts) if contacts else pl.DataFrame(schema=CONTACT_SCHEMA))
    warnings = _choice_limit_warnings(answers, instrument)
    return ResponseSet.build(instrument, respondents, answers, contact_frame,
                             source=table.file, warnings=tuple(warnings))


def _pad(row: list[str], width: int) -> list[str]:
    return [cell or "" for cell in row] + [""] * (width - len(row))


def _optional(data: pl.DataFrame, index: int | None) -> pl.Series:
    if index is None:
        return pl.Series([None] * data.height, dtype=pl.String)
    return data[f"c{index}"]


def _metadata_columns(table: Table, row1: list[str], row2: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, text in enumerate(row1):
        header = _METADATA.get(normalize(text))
        if header is None:
            break
        if header in found:
            raise InputError(f"metadata column {header!r} appears twice", file=table.file,
                             row=1, column=column_name(row1, index))
        found[header] = index
    if "Respondent ID" not in found:
        raise InputError("no 'Respondent ID' column at the start of row 1: this does not look "
                         "like a SurveyMonkey expanded export", file=table.file, row=1,
                         column=column_letter(0))
    for header, index in found.items():
        if row2[index].strip():
            raise InputError(
                "the second header row is missing: row 2 holds data where the export puts an "
                f"empty cell under {header!r}", file=table.file, row=2,
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


def _question_columns(table: Table, row1: list[str], row2: list[str], instrument: Instrument,
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
                    f"{instrument.id!r} (a mapping file can name it)", file=table.file, row=1,
                    column=where) from None
            ignoring = current is None
        elif current is None and not ignoring:
            raise InputError("this column has no question text above it", file=table.file,
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
                f"{expected}", file=table.file, row=2, column=column_name(row2, index))
        key = (column.qid, column.kind, column.option_id)
        if key in seen:
            raise InputError(f"{row2[index].strip()!r} of question {current.id!r} appears twice "
                             f"(first in column {column_letter(seen[key])})",
                             file=table.file, row=2, column=column_name(row2, index))
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


def _first_row(table: Table, index: int, raw: str) -> int:
    return int((table.data[f"c{index}"] == raw).arg_true()[0]) + table.first_data_row


def _value_lookup(table: Table, row1: list[str], located: _Located,
                  mapping: Mapping) -> dict[str, str]:
    """Every distinct cell of a choice or matrix column -> option id; unknown labels fail."""
    question = located.column.question
    labels = _labels(question, mapping)
    lookup: dict[str, str] = {}
    for raw in table.data[f"c{located.index}"].drop_nulls().unique().sort():
        option_id = labels.get(normalize(raw))
        if option_id is None:
            known = "; ".join(option.label for option in question.options)
            raise InputError(
                f"unknown option label {raw!r} for question {located.column.qid!r}; "
                f"expected one of: {known}", file=table.file,
                row=_first_row(table, located.index, raw),
                column=column_name(row1, located.index))
        lookup[raw] = option_id
    return lookup


def _check_option_cells(table: Table, row1: list[str], located: _Located,
                        mapping: Mapping) -> None:
    """A multi-choice column holds its own option's label or nothing."""
    option_id = located.column.option_id
    labels = _labels(located.column.question, mapping)
    for raw in table.data[f"c{located.index}"].drop_nulls().unique().sort():
        if labels.get(normalize(raw)) != option_id:
            raise InputError(
                f"unexpected value {raw!r} in the column of option {located.column.header2!r} "
                f"(question {located.column.qid!r}): expected that label or an empty cell",
                file=table.file, row=_first_row(table, located.index, raw),
                column=column_name(row1, located.index))


def _contact_rows(data: pl.DataFrame, located: _Located, rows: pl.Expr) -> pl.DataFrame:
    cells = pl.col(f"c{located.index}")
    return (data.select(rows, cells.alias("value")).filter(pl.col("value").is_not_null())
            .select("row", question_id=pl.lit(located.column.question.id), value="value")
            .cast(CONTACT_SCHEMA))


def _merge_single_other(answers: pl.DataFrame, instrument: Instrument) -> pl.DataFrame:
    """A single-choice "Other" arrives in two columns: the choice and the typed text.

    Keep one row per response: the text goes onto the choice row when both are there, and
    a text alone stands for the choice of "Other". Text beside a different choice is kept
    as that choice only.
    """
    singles = [q.id for q in instrument.analysable_questions()
               if q.type == "single" and any(o.other for o in q.options)]
    if not singles:
        return answers
    is_single = pl.col("question_id").is_in(singles)
    rest = answers.filter(~is_single)
    single = answers.filter(is_single)
    merged = (
        single.group_by("row", "question_id", maintain_order=True)
        .agg(
            pl.col("option_id").filter(pl.col("value").is_null()).first().alias("choice"),
            pl.col("option_id").filter(pl.col("value").is_not_null()).first().alias("other_id"),
            pl.col("value").drop_nulls().first(),
        )
        .select(
            "row", "question_id",
            option_id=pl.coalesce("choice", "other_id"),
            value=pl.when(pl.col("choice").is_null() | (pl.col("choice") == pl.col("other_id")))
            .then("value"),
        )
    )
    return pl.concat([rest, merged.select(answers.columns).cast(answers.schema)])


def _choice_limit_warnings(answers: pl.DataFrame, instrument: Instrument) -> list[str]:
    warnings = []
    for question in instrument.analysable_questions():
        if question.max_choices is None:
            continue
        over = (answers.filter(pl.col("question_id") == question.id)
                .group_by("row").len().filter(pl.col("len") > question.max_choices).height)
        if over:
            warnings.append(f"{over} response(s) chose more than {question.max_choices} options "
                            f"for {question.id!r}; all their choices are counted")
    return warnings
