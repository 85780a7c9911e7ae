"""hrta's own long format: one row per answered option, keyed by ids.

Columns `response_id, question_id, option_id, value` (CSV, XLSX or Parquet). A matrix
statement's question id is `MATRIX_ID.STATEMENT_ID`; a row with an empty question id
records a response that answered nothing.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from hrta.errors import InputError
from hrta.ingest.tables import Table, column_name, read_table
from hrta.instrument import Instrument
from hrta.responses import (
    CONTACT_SCHEMA,
    LONG_COLUMNS,
    ResponseSet,
    answer_question_ids,
    answer_schema,
)


def is_native(header: list[str]) -> bool:
    return [cell.strip().lower() for cell in header[:4]] == list(LONG_COLUMNS)


def read(path: Path, instrument: Instrument) -> ResponseSet:
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        return _read_parquet(path, instrument)
    table = read_table(path, header_rows=1)
    return from_table(table, instrument)


def _read_parquet(path: Path, instrument: Instrument) -> ResponseSet:
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several types for a damaged file
        raise InputError(f"not a readable Parquet file: {exc}", file=str(path)) from exc
    missing = [c for c in LONG_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"missing columns {missing}; expected {list(LONG_COLUMNS)}",
                         file=str(path))
    frame = frame.select(pl.col(c).cast(pl.String) for c in LONG_COLUMNS)
    frame.columns = [f"c{i}" for i in range(len(LONG_COLUMNS))]
    table = Table(str(path), [list(LONG_COLUMNS)], frame, first_data_row=2)
    return from_table(table, instrument)


def from_table(table: Table, instrument: Instrument) -> ResponseSet:
    header = [cell.strip() for cell in table.header[0]]
    if header[:4] != list(LONG_COLUMNS) or table.width != len(LONG_COLUMNS):
        raise InputError(f"the header must be exactly {','.join(LONG_COLUMNS)}",
                         file=table.file, row=1, column="A")
    data = table.data.rename(dict(zip(table.data.columns, LONG_COLUMNS, strict=True)))
    data = data.with_columns(pl.all().str.strip_chars().replace("", None))
    lines = [table.file_row(i) for i in range(data.height)] if table.kept is not None \
        else range(table.first_data_row, table.first_data_row + data.height)
    data = data.with_columns(line=pl.Series(lines, dtype=pl.UInt32))

    def fail(message: str, line: int, col: int) -> InputError:
        return InputError(message, file=table.file, row=line, column=column_name(header, col))

    missing_id = data.filter(pl.col("response_id").is_null())
    if missing_id.height:
        raise fail("response_id is empty", missing_id["line"][0], 0)

    order = data.select(pl.col("response_id").unique(maintain_order=True))
    respondents = order.with_columns(started_at=pl.lit(None, pl.String),
                                     ended_at=pl.lit(None, pl.String))
    rows = order.with_row_index("row")
    data = data.join(rows, on="response_id", how="left").sort("line")
    data = data.filter(pl.col("question_id").is_not_null())

    pii = {q.id for q in instrument.questions if q.pii}
    contacts = data.filter(pl.col("question_id").is_in(list(pii)))
    answers = data.filter(~pl.col("question_id").is_in(list(pii)))

    known = answer_question_ids(instrument)
    unknown = answers.filter(~pl.col("question_id").is_in(known))
    if unknown.height:
        raise fail(f"unknown question id {unknown['question_id'][0]!r} for {instrument.id!r}",
                   unknown["line"][0], 1)
    _check_options(answers, instrument, fail)

    schema = answer_schema(instrument)
    answer_frame = answers.select("row", "question_id", "option_id", "value").cast(schema)
    contact_frame = contacts.select("row", "question_id", "value").cast(CONTACT_SCHEMA)
    return ResponseSet.from_answers(instrument, respondents, answer_frame,
                                    contacts=contact_frame, source=table.file)


def _check_options(answers: pl.DataFrame, instrument: Instrument, fail) -> None:
    for question in instrument.analysable_questions():
        qids = question.statement_qids() if question.type == "matrix" else (question.id,)
        rows = answers.filter(pl.col("question_id").is_in(list(qids)))
        if not rows.height:
            continue
        if question.type == "text":
            bad = rows.filter(pl.col("option_id").is_not_null() | pl.col("value").is_null())
            if bad.height:
                raise fail(f"{question.id!r} is open-ended: give the text in 'value' and leave "
                           "'option_id' empty", bad["line"][0], 2)
            continue
        bad = rows.filter(~pl.col("option_id").is_in(list(question.option_ids))
                          | pl.col("option_id").is_null())
        if bad.height:
            raise fail(f"unknown option id {bad['option_id'][0]!r} for question "
                       f"{bad['question_id'][0]!r}; expected one of: "
                       f"{', '.join(question.option_ids)}", bad["line"][0], 2)
        repeated = rows.filter(pl.struct("row", "question_id", "option_id").is_duplicated())
        if repeated.height:
            raise fail(f"the same answer to {repeated['question_id'][0]!r} appears twice for "
                       f"response {repeated['response_id'][0]!r}", repeated["line"][-1], 2)
        if question.type in ("single", "matrix"):
            multiple = rows.filter(pl.struct("row", "question_id").is_duplicated())
            if multiple.height:
                raise fail(f"{multiple['question_id'][0]!r} takes one answer, but response "
                           f"{multiple['response_id'][0]!r} has several", multiple["line"][-1], 2)
