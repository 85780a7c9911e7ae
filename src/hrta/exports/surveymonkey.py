"""A ResponseSet in the SurveyMonkey expanded layout (two header rows) and the native long CSV:
the layouts hrta reads back. Contact details are never written.
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

from hrta.files import write_atomic
from hrta.ingest.layout import METADATA_HEADERS, export_columns, header_rows
from hrta.responses import ResponseSet


def surveymonkey_frame(responses: ResponseSet) -> pl.DataFrame:
    """The data rows of an expanded export, one String column per export column."""
    instrument = responses.instrument
    height = responses.total
    base = pl.DataFrame({"row": pl.int_range(height, dtype=pl.UInt32, eager=True)})
    meta = {name: pl.Series([None] * height, dtype=pl.String) for name in METADATA_HEADERS}
    meta["Respondent ID"] = responses.respondents["response_id"]
    meta["Start Date"] = responses.respondents["started_at"]
    meta["End Date"] = responses.respondents["ended_at"]
    columns: list[pl.Series] = [series.alias(f"c{i}") for i, series in enumerate(meta.values())]

    answers = responses.answers.with_columns(pl.col("question_id").cast(pl.String),
                                             pl.col("option_id").cast(pl.String))
    by_qid = answers.partition_by("question_id", as_dict=True, include_key=False)
    empty = answers.clear().drop("question_id")
    for column in export_columns(instrument):
        if column.question.pii:
            columns.append(pl.Series(f"c{len(columns)}", [None] * height, dtype=pl.String))
            continue
        rows = by_qid.get((column.qid,), empty)
        labels = {o.id: o.label for o in column.question.options}
        if column.kind in ("choice", "statement"):
            cells = rows.filter(pl.col("option_id").is_not_null()).select(
                "row", cell=pl.col("option_id").replace_strict(labels, default=None))
        elif column.kind == "option":
            cells = rows.filter(pl.col("option_id") == column.option_id).select(
                "row", cell=pl.lit(column.header2))
        elif column.kind == "other_text":
            cells = rows.filter(pl.col("option_id") == column.option_id).select(
                "row", cell=pl.col("value"))
        else:
            cells = rows.select("row", cell=pl.col("value"))
        joined = base.join(cells.unique("row", keep="first"), on="row", how="left",
                           maintain_order="left")
        columns.append(joined["cell"].alias(f"c{len(columns)}"))
    return pl.DataFrame(columns)


def write_surveymonkey_csv(path: Path, responses: ResponseSet) -> None:
    row1, row2 = header_rows(responses.instrument)
    frame = surveymonkey_frame(responses)
    write_frame_with_headers(path, [row1, row2], frame)


def write_frame_with_headers(path: Path, headers: list[list[str]], frame: pl.DataFrame) -> None:
    """CSV with several header rows above the data, written whole or not at all."""

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerows(headers)
        with tmp.open("ab") as handle:
            frame.write_csv(handle, include_header=False)

    write_atomic(path, write)


def write_native_csv(path: Path, responses: ResponseSet) -> None:
    write_atomic(path, lambda tmp: responses.to_long().write_csv(tmp))
