"""Read a CSV or XLSX file into header rows and a table of text cells.

Decides the encoding (UTF-8 with or without BOM, else Windows-1252), refuses empty,
binary and UTF-16 files, and finds ragged rows, each with a message naming the file,
row and column.
"""

from __future__ import annotations

import codecs
import csv
import inspect
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from hrta.errors import InputError, Notice
from hrta.ingest import xlsx
from hrta.ingest.coordinates import column_letter

# Files up to this size get an exact row-by-row check for ragged rows; larger ones rely on
# the fast reader, which refuses rows with too many cells and pads short rows.
EXACT_CHECK_BYTES = 128 * 1024 * 1024
_SNIFF_BYTES = 64 * 1024
_HEAD_BYTES = 1024 * 1024
_CHUNK = 16 * 1024 * 1024
# Excel's widest sheet; a header row wider than this is a damaged or hostile file.
MAX_COLUMNS = xlsx.SHEET_COLUMNS


class LabelMismatch(Exception):  # noqa: N818 - a signal to retry, not an error for users
    """A cell holds a value outside the labels a column was read with (an Enum type).

    Exports normally hold their labels exactly, and reading them as Enum is the fastest
    way in; the reader of a file that does not then reads it again more tolerantly.
    """


Columns = Callable[[list[list[str]]], dict[int, Any]]
"""Given the header rows: column index -> Polars type, for the columns to read."""


@dataclass(frozen=True)
class Table:
    file: str
    header: list[list[str]]
    data: pl.DataFrame
    """Text cells; columns `c0`, `c1`, ...; an empty cell is null."""
    first_data_row: int
    """The 1-based file row of data row 0, as a spreadsheet numbers it."""
    kept: np.ndarray | None = None
    """Data row -> position among all data rows, where blank rows were dropped."""
    warnings: tuple[Notice, ...] = ()
    """What the reader had to assume (e.g. the file's encoding), to tell the user."""

    def file_row(self, index: int) -> int:
        """The file row (as a spreadsheet numbers it) of data row `index`."""
        position = index if self.kept is None else int(self.kept[index])
        return position + self.first_data_row

    @property
    def width(self) -> int:
        return self.data.width


def column_name(table_header: list[str], index: int) -> str:
    """A column as a person finds it: the letter and, where there is one, its header."""
    text = table_header[index].strip() if index < len(table_header) else ""
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{column_letter(index)} ({text!r})" if text else column_letter(index)


def read_table(path: Path, *, header_rows: int,
               columns: Columns | None = None) -> Table:
    """Read a CSV or XLSX file whole; cells are text as written (an empty cell is null).

    `columns`, given the header rows, picks the columns to read and their types (the
    rest are skipped): cells that repeat a few labels are best read as Categorical, which
    is several times smaller and faster to match than text when an export has a million
    rows. By default every column is read as text.
    """
    path = Path(path)
    head, size = _sniff(path)
    if head.startswith(b"PK\x03\x04"):
        table = _read_xlsx(path, header_rows)
        if columns is not None:
            wanted = columns(table.header)
            try:
                data = table.data.select(
                    pl.col(f"c{i}").cast(dtype) for i, dtype in sorted(wanted.items()))
            except pl.exceptions.PolarsError as exc:
                raise LabelMismatch(str(exc)) from exc
            table = Table(table.file, table.header, data, table.first_data_row, table.kept)
        return table
    return _read_csv(path, size, header_rows, columns)


def _sniff(path: Path) -> tuple[bytes, int]:
    """The file's first bytes and size, after refusing empty, UTF-16 and binary files."""
    name = str(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        raise InputError("cannot read file: %(reason)s", file=name,
                         params={"reason": exc.strerror or exc}) from exc
    if size == 0 or not head.strip():
        raise InputError("the file is empty", file=name)
    if head.startswith(b"PK\x03\x04"):
        return head, size
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError("the file is encoded as UTF-16, which is not supported: "
                         "save it as CSV UTF-8 (or Windows-1252)", file=name)
    if b"\x00" in head:
        raise InputError("this is a binary file, not a CSV or XLSX export", file=name)
    return head, size


def first_row(path: Path) -> list[str]:
    """The first row alone, to tell formats apart without reading the whole file."""
    path = Path(path)
    head, _ = _sniff(path)
    if head.startswith(b"PK\x03\x04"):
        return _read_xlsx(path, header_rows=1, only_header=True).header[0]
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A cut multi-byte character at the end of the sample is still UTF-8.
        text = head.decode("utf-8-sig" if exc.start > len(head) - 4 else "cp1252",
                           errors="ignore")
    return _header(text, str(path), 1)[0]


def _utf8_error_offset(path: Path) -> int | None:
    """Byte offset of the first invalid UTF-8 sequence, or None if the file is valid."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            if not chunk:
                return None
            offset += len(chunk)


def _position(text: str) -> tuple[int, int]:
    """1-based (row, column index) of the end of `text`, the start of a CSV file."""
    rows: list[list[str]] = []
    try:
        rows.extend(csv.reader(io.StringIO(text)))
    except csv.Error:
        return len(rows) + 1, 0
    if not rows:
        return 1, 0
    return len(rows), max(len(rows[-1]) - 1, 0)


def _decode_cp1252(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        row, col = _position(raw[: exc.start].decode("cp1252", errors="replace"))
        raise InputError(
            "the file is neither UTF-8 nor Windows-1252 text (byte 0x%(byte)02X at offset "
            "%(offset)s); save it as CSV UTF-8", params={"byte": raw[exc.start],
                                                         "offset": exc.start},
            file=str(path), row=row, column=column_letter(col)) from exc


# A valid UTF-8 sequence of two to four bytes: text that has them is UTF-8.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                             rb"|[\xf0-\xf4][\x80-\xbf]{3}")


def _refuse_mixed(raw: bytes, bad: int, name: str) -> None:
    """Refuse a UTF-8 file with stray invalid bytes: read as Windows-1252, its accented
    letters and curly quotes would turn into garbage without a sign."""
    if _UTF8_MULTIBYTE.search(raw) is None:
        return
    row, col = _position(raw[:bad].decode("utf-8", errors="replace"))
    raise InputError(
        "the file is UTF-8 but holds an invalid byte 0x%(byte)02X (at offset %(offset)s) in "
        "this cell, as when a file is pasted together from differently saved parts: correct "
        "the cell or save the file again as CSV UTF-8", params={"byte": raw[bad],
                                                                "offset": bad},
        file=name, row=row,
        column=column_letter(col))


def _read_csv(path: Path, size: int, header_rows: int, columns: Columns | None) -> Table:
    name = str(path)
    text: str | None = None
    warnings: tuple[Notice, ...] = ()
    if size <= EXACT_CHECK_BYTES:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            _refuse_mixed(raw, exc.start, name)
            text = _decode_cp1252(path)
            warnings = (_not_utf8(name),)
        header, width = _check_rows(text, name, header_rows, raw)
    else:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES).decode("utf-8-sig", errors="ignore")
        header = _header(head, name, header_rows)
        width = len(header[0])

    schema = {f"c{i}": pl.String for i in range(width)}
    wanted = sorted(columns(header).items()) if columns is not None else None
    if wanted is not None:
        schema.update({f"c{i}": dtype for i, dtype in wanted})
    try:
        data = _parse(path if text is None else text, schema, header_rows)
    except pl.exceptions.PolarsError as exc:
        if text is not None:
            raise InputError("cannot parse the file as CSV: %(reason)s", file=name,
                             params={"reason": exc}) from exc
        if _utf8_error_offset(path) is not None:
            # Only a large Windows-1252 file gets here: decode it in memory.
            try:
                data = _parse(_decode_cp1252(path), schema, header_rows)
                warnings = (_not_utf8(name),)
            except pl.exceptions.PolarsError as again:
                raise InputError("cannot parse the file as CSV: %(reason)s", file=name,
                                 params={"reason": again}) from again
        else:
            row = _find_ragged_row(path, width)
            if row is not None:
                raise InputError("this row has more cells than the header's %(width)s",
                                 params={"width": width}, file=name, row=row,
                                 column=column_letter(width)) from exc
            raise InputError("cannot parse the file as CSV: %(reason)s", file=name,
                             params={"reason": exc}) from exc
    if wanted is not None:
        data = data.select(f"c{i}" for i, _ in wanted)
    return _without_blank_rows(Table(name, header, data, first_data_row=header_rows + 1,
                                     warnings=warnings))


def _not_utf8(name: str) -> Notice:
    return Notice("%(file)s is not UTF-8: read as Windows-1252 (what Excel writes for "
                  "'CSV (Comma delimited)'); check accented letters and quotes", file=name)


def _without_blank_rows(table: Table) -> Table:
    """Drop rows whose every cell is empty (blank lines, Excel's trailing ",,,,")."""
    if not table.data.width or not table.data[:, 0].null_count():
        return table  # a blank row is blank in every column, the first included
    blank = table.data.select(pl.all_horizontal(pl.all().is_null())).to_series()
    if not blank.any():
        return table
    kept = (~blank).arg_true().to_numpy()
    return Table(table.file, table.header, table.data.filter(~blank), table.first_data_row,
                 kept, table.warnings)


# A blank line just under the header would make the reader count one column and refuse the
# schema; read as a row of empty cells, it is dropped as every blank row is (Polars 2).
_BLANK_FIRST_ROW: dict[str, Any] = (
    {"missing_columns": "insert"}
    if "missing_columns" in inspect.signature(pl.scan_csv).parameters else {})


def _parse(source: Path | str, schema: dict[str, Any], header_rows: int) -> pl.DataFrame:
    """Parse every column (with a projection the reader stops refusing long rows).

    The streaming engine reads a large file in pieces, faster and in less memory.
    """
    data = (io.BytesIO(source.removeprefix("\ufeff").encode("utf-8"))
            if isinstance(source, str) else source)
    try:
        return pl.scan_csv(data, has_header=False, skip_rows=header_rows, schema=schema,
                           quote_char='"', raise_if_empty=False,
                           **_BLANK_FIRST_ROW).collect(engine="streaming")
    except pl.exceptions.ComputeError as exc:
        if "enum" in str(exc).lower():
            raise LabelMismatch(str(exc)) from exc
        raise


def _header(head: str, name: str, header_rows: int) -> list[list[str]]:
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(head))
    try:
        for row in reader:
            rows.append(row)
            if len(rows) == header_rows:
                break
    except csv.Error as exc:
        raise InputError("malformed CSV: %(reason)s", params={"reason": exc}, file=name,
                         row=len(rows) + 1) from exc
    if len(rows) < header_rows:
        raise InputError("expected %(wanted)s header rows, found %(found)s", file=name,
                         params={"wanted": header_rows, "found": len(rows)})
    _width(rows[0], name)
    return rows


def _width(header: list[str], name: str) -> int:
    if len(header) > MAX_COLUMNS:
        raise InputError("row 1 has %(cells)s cells, more than the %(limit)s columns a "
                         "spreadsheet holds", file=name, row=1,
                         params={"cells": f"{len(header):,}", "limit": f"{MAX_COLUMNS:,}"})
    return len(header)


def _check_rows(text: str, name: str, header_rows: int,
                raw: bytes | None = None) -> tuple[list[list[str]], int]:
    """Every row must have as many cells as the first header row.

    The cells of every row are first counted over the file's bytes (`raw`) at once; only a
    file that count does not clear is read row by row, for the message naming the row.
    """
    if raw is not None:
        leading = _leading_rows(text, name, header_rows)
        if leading is not None and _widths_agree(raw, len(leading[0])):
            return leading, len(leading[0])
    header: list[list[str]] = []
    width = 0
    reader = csv.reader(io.StringIO(text))
    # Rows are counted as a spreadsheet counts them, not as lines: a cell may hold several.
    number = 0
    try:
        for number, row in enumerate(reader, start=1):
            if not row:
                continue
            if number == 1:
                width = _width(row, name)
            if len(row) != width:
                where = column_letter(min(len(row), width))
                raise InputError("this row has %(cells)s cells but the header has %(width)s",
                                 params={"cells": len(row), "width": width},
                                 file=name, row=number, column=where)
            if len(header) < header_rows:
                header.append(row)
    except csv.Error as exc:
        raise InputError("malformed CSV: %(reason)s", params={"reason": exc}, file=name,
                         row=number + 1) from exc
    if len(header) < header_rows:
        raise InputError("expected %(wanted)s header rows, found %(found)s", file=name,
                         params={"wanted": header_rows, "found": len(header)})
    return header, width


def _lines(text: str) -> Iterator[str]:
    """The lines of `text`, one at a time, for a CSV reader that stops early."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end + 1]
        start = end + 1


def _leading_rows(text: str, name: str, header_rows: int) -> list[list[str]] | None:
    """The header rows, read without reading further; None if row 1 is blank or the file is
    too short (the row-by-row check then explains)."""
    rows: list[list[str]] = []
    try:
        for number, row in enumerate(csv.reader(_lines(text)), start=1):
            if number == 1 and not row:
                return None
            if row:
                rows.append(row)
            if len(rows) == header_rows:
                _width(rows[0], name)
                return rows
    except csv.Error:
        return None
    return None


_QUOTE, _COMMA, _NEWLINE, _RETURN = (ord(c) for c in '",\n\r')
_SCAN_BYTES = 8 * 1024 * 1024


def _widths_agree(raw: bytes, width: int, *, piece_bytes: int = _SCAN_BYTES) -> bool:
    """Whether every non-blank record of a CSV file has `width` cells.

    Counted with numpy over the bytes, a few megabytes at a time: a comma or line end
    between a quote and the next is inside a cell, as the parser reads it. A Python CSV
    reader takes five times longer for the same answer. False also where the bytes leave
    doubt (quotes that do not pair, a line ending in a lone carriage return): the row-by-row
    check then decides, and names the row.
    """
    if raw.count(b"\r") != raw.count(b"\r\n"):
        return False
    data = np.frombuffer(raw, dtype=np.uint8)
    quoted = False  # inside quotes where the previous piece ended
    commas = 0      # commas so far of the record the previous piece ended in
    length = 0      # its bytes so far
    for start in range(0, len(data), piece_bytes):
        piece = data[start:start + piece_bytes]
        # Quotes are few: the stretches between them are alternately inside and outside.
        bounds = np.concatenate(([0], np.flatnonzero(piece == _QUOTE), [len(piece)]))
        inside = (np.arange(len(bounds) - 1) % 2).astype(bool) ^ quoted
        outside = ~np.repeat(inside, np.diff(bounds))
        ends = np.flatnonzero((piece == _NEWLINE) & outside)
        places = np.flatnonzero((piece == _COMMA) & outside)
        if ends.size:
            per_record = np.diff(np.searchsorted(places, ends), prepend=0)
            per_record[0] += commas
            lengths = np.diff(ends, prepend=-1) - 1
            lengths[0] += length
            # `\r\n` alone is a blank line; every `\r` is followed by `\n` (checked above).
            before = data[np.maximum(start + ends - 1, 0)]
            blank = (lengths == 0) | ((lengths == 1) & (before == _RETURN))
            if np.any((per_record + 1 != width) & ~blank):
                return False
            commas = len(places) - int(np.searchsorted(places, ends[-1]))
            length = len(piece) - int(ends[-1]) - 1
        else:
            commas += len(places)
            length += len(piece)
        quoted = bool(inside[-1])
    if quoted:
        return False
    return length == 0 or commas + 1 == width


def _find_ragged_row(path: Path, width: int) -> int | None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        number = 0
        try:
            for number, row in enumerate(csv.reader(handle), start=1):
                if row and len(row) != width:
                    return number
        except csv.Error as exc:
            raise InputError("malformed CSV: %(reason)s", params={"reason": exc},
                             file=str(path), row=number + 1) from exc
    return None


def _read_xlsx(path: Path, header_rows: int, *, only_header: bool = False) -> Table:
    """The first sheet as a Table; blank rows are dropped and keep their file numbers."""
    name = str(path)
    sheet = xlsx.read_sheet(path, max_row=header_rows if only_header else None)
    if not only_header:
        if not sheet.rows:
            raise InputError("the workbook's first sheet is empty", file=name)
        last = max(sheet.rows)
        if last < header_rows:
            raise InputError("expected %(wanted)s header rows, found %(found)s", file=name,
                             params={"wanted": header_rows, "found": last})
    width = sheet.width
    body = sorted(row for row in sheet.rows if row > header_rows)
    if len(body) * width > xlsx.LIMITS.cells:
        raise InputError("the first sheet spans %(rows)s rows x %(columns)s columns, more "
                         "than the limit of %(limit)s cells; %(advice)s", file=name,
                         params={"rows": f"{len(body):,}", "columns": f"{width:,}",
                                 "limit": f"{xlsx.LIMITS.cells:,}", "advice": xlsx.ADVICE})
    header = [[sheet.rows.get(row, {}).get(i) or "" for i in range(width)]
              for row in range(1, header_rows + 1)]
    cells = [sheet.rows[row] for row in body]
    data = pl.DataFrame({f"c{i}": [cell.get(i) for cell in cells] for i in range(width)},
                        schema={f"c{i}": pl.String for i in range(width)})
    first = header_rows + 1
    positions = np.array([row - first for row in body], dtype=np.int64)
    # No blank row between: data row i is file row first + i.
    gaps = bool(len(positions)) and positions[-1] != len(positions) - 1
    return Table(name, header, data, first_data_row=first, kept=positions if gaps else None)
