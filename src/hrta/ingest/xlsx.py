"""The first sheet of an XLSX workbook, read with limits.

An XLSX file is a zip of XML. A few kilobytes can declare a sheet of a million rows, or
unpack to gigabytes, so the reader checks before it parses: the uncompressed size and the
compression ratio of every member, then the sheet's declared dimension. It then streams
the cells one at a time, keeps only the filled ones, and stops at a cell limit. Every
failure of the zip or XML layers becomes an InputError naming the file.

openpyxl reads the workbook's parts (sheet order, shared strings, date styles); the cells
are read here, because openpyxl's sheet reader pads every row to the sheet's declared
width and fills every gap between rows with empty rows.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any

from hrta.errors import InputError
from hrta.ingest.coordinates import column_letter

# Excel's own grid: no sheet it writes is larger.
SHEET_ROWS = 1_048_576
SHEET_COLUMNS = 16_384


@dataclass(frozen=True)
class Limits:
    """What an XLSX file may hold before it is refused rather than read."""

    cells: int = 10_000_000
    """Cells read, and the rows x columns of the table they make."""
    uncompressed_bytes: int = 1024 * 1024 * 1024
    """All members of the zip together, unpacked."""
    ratio: int = 100
    """Unpacked size over packed size of one member (honest sheets stay under 20)."""
    ratio_floor: int = 1024 * 1024
    """Members smaller than this, unpacked, are not checked for their ratio."""


LIMITS = Limits()
ADVICE = "save it as CSV UTF-8, which hrta reads without this limit"


@dataclass(frozen=True)
class Sheet:
    """The filled cells of a sheet: file row (1-based) -> {column index (0-based): text}."""

    rows: dict[int, dict[int, str]]
    width: int
    """One past the last column that holds a filled cell."""


_COORDINATE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


def read_sheet(path: Path, *, max_row: int | None = None, limits: Limits = LIMITS,
               sheet: str | None = None) -> Sheet:
    """The first worksheet's filled cells (up to file row `max_row` if given), or those of
    the worksheet named `sheet` (matched ignoring case; InputError if there is none)."""
    name = str(path)
    try:
        with Path(path).open("rb") as handle:
            with zipfile.ZipFile(handle) as archive:
                _check_members(archive, name, limits)
            return _read(handle, name, max_row, limits, sheet)
    except InputError:
        raise
    except Exception as exc:  # zip, XML and openpyxl layers raise many types
        raise _unreadable(name, exc) from exc


def _unreadable(name: str, exc: BaseException) -> InputError:
    detail = " ".join(str(exc).split()) or type(exc).__name__
    if len(detail) > 200:
        detail = detail[:197] + "..."
    return InputError(f"not a readable XLSX workbook: {detail}", file=name)


def _check_members(archive: zipfile.ZipFile, name: str, limits: Limits) -> None:
    """Refuse zip bombs from the sizes the archive declares, before unpacking anything.

    zipfile never returns more bytes of a member than its declared size, so a member that
    lies about its size is cut short (and then fails its checksum) rather than growing.
    """
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if (info.file_size > limits.ratio_floor
                and info.file_size > limits.ratio * max(info.compress_size, 1)):
            raise InputError(
                f"the workbook's part {info.filename!r} unpacks to {info.file_size:,} bytes "
                f"from {info.compress_size:,}: more than {limits.ratio} times its packed size, "
                "as a zip bomb does", file=name)
    if total > limits.uncompressed_bytes:
        raise InputError(f"the workbook unpacks to {total:,} bytes, more than the limit of "
                         f"{limits.uncompressed_bytes:,}; {ADVICE}", file=name)


def sheet_names(path: Path) -> list[str]:
    """The names of the workbook's worksheets, in order."""
    from openpyxl.reader.excel import ExcelReader

    name = str(path)
    try:
        with Path(path).open("rb") as handle:
            reader = ExcelReader(handle, read_only=True, data_only=True)
            try:
                reader.read_manifest()
                reader.read_workbook()
                return [found.name for found, relation in reader.parser.find_sheets()
                        if "chartsheet" not in relation.Type]
            finally:
                reader.archive.close()
    except Exception as exc:  # zip, XML and openpyxl layers raise many types
        raise _unreadable(name, exc) from exc


def _read(handle: IO[bytes], name: str, max_row: int | None, limits: Limits,
          sheet: str | None = None) -> Sheet:
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    # Given an open file, openpyxl judges the content rather than the name's suffix.
    reader = ExcelReader(handle, read_only=True, data_only=True)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        target = (_first_worksheet(reader, name) if sheet is None
                  else _named_worksheet(reader, name, sheet))
        with reader.archive.open(target) as source:
            _check_dimension(_declared_size(source), name, limits)
        with reader.archive.open(target) as source:
            return _cells(source, reader.shared_strings, _DateStyles(reader.wb), name,
                          max_row, limits)
    finally:
        reader.archive.close()


def _first_worksheet(reader: Any, name: str) -> str:
    for _sheet, relation in reader.parser.find_sheets():
        if relation.target in reader.valid_files and "chartsheet" not in relation.Type:
            return relation.target
    raise InputError("the workbook has no worksheet", file=name)


def _named_worksheet(reader: Any, name: str, sheet: str) -> str:
    for found, relation in reader.parser.find_sheets():
        if found.name.strip().lower() == sheet.lower() and relation.target in reader.valid_files:
            return relation.target
    raise InputError(f"the workbook has no sheet named {sheet!r}", file=name)


def _declared_size(source: IO[bytes]) -> tuple[int, int] | None:
    """The rows and columns of the sheet's `dimension`, if it declares a valid one."""
    from lxml import etree

    for _event, element in etree.iterparse(source, events=("start",),
                                           resolve_entities=False, no_network=True):
        local = _local(element)
        if local == "sheetData":
            return None
        if local == "dimension":
            corners = (element.get("ref") or "").split(":")
            try:
                last = _coordinate(corners[-1])
            except ValueError:
                return None
            return last
    return None


def _check_dimension(size: tuple[int, int] | None, name: str, limits: Limits) -> None:
    """The size the sheet declares, checked before any cell is read."""
    if size is None:
        return  # no declared size: the cell limit applies while reading
    rows, columns = size
    if rows > SHEET_ROWS or columns > SHEET_COLUMNS:
        raise InputError(f"the first sheet declares {rows:,} rows and {columns:,} columns, "
                         f"more than a spreadsheet holds ({SHEET_ROWS:,} x {SHEET_COLUMNS:,})",
                         file=name)
    if rows * columns > limits.cells:
        raise InputError(f"the first sheet declares {rows:,} rows x {columns:,} columns, more "
                         f"than the limit of {limits.cells:,} cells; {ADVICE}", file=name)


def _cells(source: IO[bytes], strings: list[str], dates: _DateStyles, name: str,
           max_row: int | None, limits: Limits) -> Sheet:
    rows: dict[int, dict[int, str]] = {}
    width = 0
    for seen, (row, column, cell) in enumerate(_stream(source), start=1):
        if max_row is not None and row > max_row:
            break
        if seen > limits.cells:
            raise InputError(f"the first sheet has more than {limits.cells:,} cells; {ADVICE}",
                             file=name)
        if not 1 <= row <= SHEET_ROWS or not 0 <= column < SHEET_COLUMNS:
            raise InputError(f"a cell lies outside a spreadsheet's {SHEET_ROWS:,} rows and "
                             f"{SHEET_COLUMNS:,} columns", file=name)
        try:
            text = _text(cell, strings, dates)
        except (ValueError, IndexError, TypeError, OverflowError) as exc:
            raise InputError(f"this cell holds a value that cannot be read ({exc})",
                             file=name, row=row, column=column_letter(column)) from exc
        if text is not None:
            rows.setdefault(row, {})[column] = text
            width = max(width, column + 1)
    return Sheet(rows, width)


def _stream(source: IO[bytes]) -> Iterator[tuple[int, int, Any]]:
    """(file row, column index, element) of every cell, one at a time, in little memory."""
    from lxml import etree

    row = column = 0
    current = None
    for _event, cell in etree.iterparse(source, events=("end",), tag="{*}c",
                                        resolve_entities=False, no_network=True,
                                        huge_tree=False):
        parent = cell.getparent()
        if parent is not current:
            # A new row: its number, else the one after the last; earlier rows go.
            current = parent
            row = _row_number(parent.get("r"), row + 1) if parent is not None else row
            column = 0
            _drop_earlier(parent)
        reference = cell.get("r")
        if reference:
            row, column = _coordinate(reference)
        else:
            column += 1
        yield row, column - 1, cell
        cell.clear()
        # Cleared cells still hold a node each; a row of a million cells would keep them.
        _drop_earlier(cell)


def _drop_earlier(element: Any) -> None:
    parent = element.getparent() if element is not None else None
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _row_number(text: str | None, default: int) -> int:
    if text is None:
        return default
    value = float(text)
    if not value.is_integer():
        raise ValueError(f"{text!r} is not a row number")
    return int(value)


def _coordinate(reference: str) -> tuple[int, int]:
    """(row, 1-based column) of a reference like `B12`."""
    match = _COORDINATE.fullmatch(reference.strip())
    if match is None:
        raise ValueError(f"{reference!r} is not a cell reference")
    letters, digits = match.groups()
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return int(digits), column


def _local(element: Any) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child(element: Any, name: str) -> Any:
    for child in element:
        if _local(child) == name:
            return child
    return None


def _string(element: Any) -> str:
    """The text of an inline or shared string: its runs, without phonetic guides."""
    return "".join(node.text or "" for node in element.iter("{*}t")
                   if _local(node.getparent()) != "rPh")


def _text(cell: Any, strings: list[str], dates: _DateStyles) -> str | None:
    """A cell as the text a person sees in it; None for an empty cell."""
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = _child(cell, "is")
        return _clean(_string(inline)) if inline is not None else None
    node = _child(cell, "v")
    raw = node.text if node is not None else None
    if not raw:
        return None
    if kind == "s":
        index = int(raw)
        if not 0 <= index < len(strings):
            raise IndexError(f"shared string {index} does not exist")
        return _clean(strings[index])
    if kind == "b":
        return str(bool(int(raw)))
    if kind in ("str", "e"):
        return _clean(raw)
    if kind == "d":
        return _clean(raw.replace("T", " ", 1))
    number: float | int = float(raw) if any(c in raw for c in ".eEnN") else int(raw)
    if dates.is_date(cell.get("s")):
        return _date_text(number, dates.epoch)
    if isinstance(number, float):
        return str(int(number)) if number.is_integer() else str(number)
    return str(number)


def _clean(text: Any) -> str | None:
    text = str(text).strip()
    return text or None


def _date_text(serial: float, epoch: datetime) -> str:
    from openpyxl.utils.datetime import from_excel

    try:
        value = from_excel(serial, epoch)
    except (OverflowError, ValueError):
        return str(serial)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(serial)


class _DateStyles:
    """Which cell styles show a number as a date (the cell then holds a day count)."""

    def __init__(self, book: Any) -> None:
        self.styles: set[int] = set(getattr(book, "_date_formats", None) or ())
        self.epoch: datetime = book.epoch

    def is_date(self, style: str | None) -> bool:
        if not style:
            return False
        return int(style) in self.styles
