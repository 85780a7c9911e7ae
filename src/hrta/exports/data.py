"""The responses as data files for statistics packages and spreadsheets, by file extension.

`.sav` (SPSS) and `.dta` (Stata) hold the wide layout (`hrta.exports.wide`) with variable
labels (the questions), value labels (the options) and the two reasons for a missing
answer declared as missing values: in SPSS the codes -99 and -98 as user-missing values, in
Stata the extended missing values `.a` (not answered) and `.b` (not shown), labelled in
both. Stata keeps 80 characters of a variable label; a longer question is cut there and
given whole in the codebook. `.csv`, `.parquet` and `.xlsx` in the wide layout keep the -99
and -98 codes, and a codebook goes beside them: `NAME_codebook.csv` next to a CSV or
Parquet file (with `NAME.R`, an R script that reads the CSV with its labels), a second
sheet of the workbook.
Every file of an export is written whole or not at all.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import cast

import polars as pl

from hrta.errors import InputError
from hrta.exports.wide import MISSING_LABELS, NOT_ANSWERED, NOT_SHOWN, WideData
from hrta.formulas import neutralise_frame

STATA_LABEL = 80
STATA_MISSING = {NOT_ANSWERED: "a", NOT_SHOWN: "b"}
STATA_MISSING_LABELS = {STATA_MISSING[code]: label for code, label in MISSING_LABELS.items()}
"""`.a` and `.b` labelled as SPSS labels -99 and -98, so `tab VAR, missing` names them."""
WIDE_SUFFIXES = (".sav", ".dta", ".xlsx", ".csv", ".parquet")

Writer = Callable[[Path], None]


def codebook_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}_codebook.csv")


def r_script_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.R")


def write_wide(path: Path, data: WideData) -> list[Path]:
    """Write `data` to `path` by its extension, with the codebook (and R script) a CSV or
    Parquet file has beside it; return every path written."""
    suffix = path.suffix.lower()
    files: dict[Path, Writer] = {}
    if suffix == ".sav":
        files[path] = lambda tmp: write_sav(tmp, data)
    elif suffix == ".dta":
        files[path] = lambda tmp: write_dta(tmp, data)
    elif suffix == ".xlsx":
        files[path] = _bytes(lambda: xlsx_bytes(data))
    elif suffix == ".csv":
        files[path] = _bytes(lambda: csv_bytes(data))
        files[codebook_path(path)] = _bytes(lambda: codebook_bytes(data))
        files[r_script_path(path)] = _bytes(lambda: r_script(data, path.name).encode("utf-8"))
    elif suffix == ".parquet":
        files[path] = _bytes(lambda: parquet_bytes(data))
        files[codebook_path(path)] = _bytes(lambda: codebook_bytes(data))
    else:
        raise InputError(f"name the output one of {', '.join('*' + s for s in WIDE_SUFFIXES)}",
                         file=str(path))
    write_together(files)
    return list(files)


def _bytes(make: Callable[[], bytes]) -> Writer:
    def write(tmp: Path) -> None:
        tmp.write_bytes(make())
    return write


def write_together(files: dict[Path, Writer]) -> None:
    """Write each file to a temporary name beside it, then move them all into place: a
    failure on any leaves none of them half-written."""
    temps: dict[Path, Path] = {}
    try:
        for path, write in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
            temps[path] = tmp
            write(tmp)
        for path, tmp in temps.items():
            tmp.replace(path)
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)


def _text_frame(data: WideData) -> pl.DataFrame:
    """The frame for a spreadsheet or CSV: text that would run as a formula neutralised."""
    return neutralise_frame(data.frame)


def csv_bytes(data: WideData) -> bytes:
    # With the byte-order mark, Excel opens the file as UTF-8.
    return b"\xef\xbb\xbf" + _text_frame(data).write_csv().encode("utf-8")


def parquet_bytes(data: WideData) -> bytes:
    buffer = io.BytesIO()
    data.frame.write_parquet(buffer)
    return buffer.getvalue()


def codebook_bytes(data: WideData) -> bytes:
    return b"\xef\xbb\xbf" + neutralise_frame(data.codebook()).write_csv().encode("utf-8")


def xlsx_bytes(data: WideData) -> bytes:
    from openpyxl import Workbook

    from hrta.wording import clean_text

    book = Workbook(write_only=True)
    for title, frame in (("Responses", _text_frame(data)),
                         ("Codebook", neutralise_frame(data.codebook()))):
        sheet = book.create_sheet(title)
        sheet.append(frame.columns)
        for row in frame.iter_rows():
            # XLSX cannot hold control characters; they are shown as U+FFFD.
            sheet.append([clean_text(cell) if isinstance(cell, str) else cell for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _labels(data: WideData) -> dict[str, str | None]:
    return {v.name: v.label for v in data.variables}


def _value_labels(values: dict[int, str]) -> dict[int | float, str]:
    return dict(values.items())


def write_sav(path: Path, data: WideData) -> None:
    import pyreadstat

    numeric = [v for v in data.variables if v.numeric]
    frame = data.frame.with_columns(pl.col(v.name).fill_null("") for v in data.variables
                                    if not v.numeric)
    pyreadstat.write_sav(
        frame, str(path), file_label=data.title[:64], column_labels=_labels(data),
        variable_value_labels={v.name: _value_labels({**v.values, **MISSING_LABELS})
                               for v in numeric},
        missing_ranges={v.name: list(MISSING_LABELS) for v in numeric},
        variable_measure={v.name: "nominal" for v in numeric})


def write_dta(path: Path, data: WideData) -> None:
    import pandas as pd  # type: ignore[import-untyped]  # stubs are not installed here
    import pyreadstat

    columns: dict[str, pd.Series] = {}
    for variable in data.variables:
        series = data.frame[variable.name]
        if variable.numeric:
            # Stata declares a reason for a missing number by a letter, not a code.
            columns[variable.name] = pd.Series(
                [STATA_MISSING.get(value, value) for value in series.to_list()], dtype=object)
        else:
            columns[variable.name] = pd.Series(series.fill_null("").to_list(), dtype=object)
    frame = pd.DataFrame(columns)
    labels: dict[str, str | None] = {name: _cut(label or "", STATA_LABEL)
                                     for name, label in _labels(data).items()}
    pyreadstat.write_dta(
        frame, str(path), file_label=_cut(data.title, STATA_LABEL), column_labels=labels,
        variable_value_labels={v.name: _stata_value_labels(v.values)
                               for v in data.variables if v.numeric},
        missing_user_values={v.name: list(STATA_MISSING.values())
                             for v in data.variables if v.numeric})


def _stata_value_labels(values: dict[int, str]) -> dict[int | float, str]:
    labels: dict[int | float | str, str] = {}
    labels.update(values.items())
    labels.update(STATA_MISSING_LABELS.items())
    # pyreadstat takes the letters of Stata's missing values as keys, though its type
    # hints name numbers only.
    return cast("dict[int | float, str]", labels)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def r_script(data: WideData, csv_name: str) -> str:
    """Base R that reads the wide CSV: the two missing codes as NA, choices as factors with
    the options' labels, each variable's label as its `label` attribute.

    The text is read as UTF-8 without converting it to the session's encoding (which, in a
    C locale, would drop every row with a character it cannot hold), and every non-ASCII
    character in the script is written as a \\u escape, so the script means the same in
    any locale."""
    lines = [
        f"# Reads {csv_name} (hrta's wide layout) with its labels, in base R.",
        "# Run it in the folder that holds the CSV: Rscript NAME.R, or setwd() there and",
        "# source(\"NAME.R\").",
        "# -99 (not answered) and -98 (not shown) become NA; see the codebook for which.",
        f"data <- read.csv({_r(csv_name)}, stringsAsFactors = FALSE, na.strings = \"\","
        " encoding = \"UTF-8\", check.names = FALSE)",
        "# The byte-order mark that lets Excel open the file as UTF-8, off the first name.",
        "names(data)[1] <- sub(\"^\\ufeff\", \"\", names(data)[1])",
    ]
    for variable in data.variables:
        name = f"data[[{_r(variable.name)}]]"
        if variable.numeric:
            lines.append(f"{name}[{name} %in% c({NOT_ANSWERED}, {NOT_SHOWN})] <- NA")
            if variable.values:
                codes = ", ".join(str(code) for code in variable.values)
                labels = ", ".join(_r(label) for label in variable.values.values())
                lines.append(f"{name} <- factor({name}, levels = c({codes}), "
                             f"labels = c({labels}))")
        lines.append(f"attr({name}, \"label\") <- {_r(variable.label)}")
    return "\n".join(lines) + "\n"


def _r(text: str) -> str:
    """An R string literal of `text`, ASCII only."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + "".join(_r_char(c) for c in escaped) + '"'


def _r_char(char: str) -> str:
    point = ord(char)
    if 32 <= point < 127:
        return char
    return f"\\u{{{point:04x}}}" if point <= 0xFFFF else f"\\U{{{point:08x}}}"


def codebook_rows(data: WideData) -> list[list[str]]:
    """The codebook as rows of text, header first (for pages that write it themselves)."""
    buffer = io.StringIO()
    data.codebook().write_csv(buffer)
    return list(csv.reader(io.StringIO(buffer.getvalue())))
