"""XLSX exports read with limits: a damaged workbook is a clear error, and a few kilobytes
that declare or hold a huge sheet are refused (or read in little memory), never a crash."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from hrta.errors import InputError
from hrta.ingest import load_responses
from hrta.ingest.xlsx import Limits, read_sheet
from tests.conftest import read_rows
from tests.limits import MEMORY_BYTES, run_limited
from tests.xlsxfiles import DAMAGE, damaged, sheet_xml, with_sheet, xlsx_bytes


@pytest.fixture
def rows(small_export) -> list[list[str]]:
    return read_rows(small_export)


def _file(tmp_path: Path, data: bytes, name: str = "export.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _error(path: Path, instrument) -> InputError:
    with pytest.raises(InputError) as caught:
        load_responses(path, instrument)
    assert caught.value.file == str(path)
    return caught.value


def test_the_hand_written_workbook_reads_like_the_csv(rows, small_export, instrument,
                                                      tmp_path):
    from_xlsx = load_responses(_file(tmp_path, xlsx_bytes(sheet_xml(rows))), instrument)
    from_csv = load_responses(small_export, instrument)
    assert from_xlsx.answers.equals(from_csv.answers)
    assert from_xlsx.respondents.equals(from_csv.respondents)


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_damaged_workbook_is_a_clear_error(rows, instrument, tmp_path, kind):
    error = _error(_file(tmp_path, damaged(rows, kind)), instrument)
    assert "XLSX" in error.message or "cannot be read" in error.message


def test_a_cell_that_cannot_be_read_is_named(rows, instrument, tmp_path):
    error = _error(_file(tmp_path, damaged(rows, "missing shared string")), instrument)
    assert (error.row, error.column) == (99, "B")
    assert "shared string 7 does not exist" in error.message


def test_a_declared_sheet_beyond_the_limit_is_refused_before_reading(rows, instrument,
                                                                     tmp_path):
    data = with_sheet(rows, before='<dimension ref="A1:XFD1048576"/>')
    started = time.monotonic()
    error = _error(_file(tmp_path, data), instrument)
    assert time.monotonic() - started < 5
    assert "declares 1,048,576 rows x 16,384 columns" in error.message
    assert "CSV" in error.message
    beyond = with_sheet(rows, before='<dimension ref="A1:A2000000"/>')
    error = _error(_file(tmp_path, beyond, "beyond.xlsx"), instrument)
    assert "more than a spreadsheet holds" in error.message


def test_a_cell_at_the_last_row_is_read_in_little_memory(rows, tmp_path):
    """9 KB once took over 5 GB: every empty row up to the cell was made, each as wide as
    the sheet. Now only filled cells are kept."""
    far = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>9999</t></is></c></row>'
    path = _file(tmp_path, with_sheet(rows, after=far))  # no declared size to go by
    assert path.stat().st_size < 12_000
    findings = tmp_path / "findings.json"
    run = run_limited("analyze", path, "--no-themes", "--json", findings, home=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.max_rss < MEMORY_BYTES / 2
    assert '"total": 6' in findings.read_text(encoding="utf-8")


def test_a_tall_declared_sheet_within_the_limit_is_read(rows, instrument, tmp_path):
    far = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>9999</t></is></c></row>'
    data = with_sheet(rows, before='<dimension ref="A1:A1048576"/>', after=far)
    started = time.monotonic()
    responses = load_responses(_file(tmp_path, data), instrument)
    assert time.monotonic() - started < 10
    assert responses.respondents["response_id"].to_list()[-1] == "9999"


def test_a_cell_beyond_the_last_row_is_refused(rows, instrument, tmp_path):
    far = '<row r="2000000"><c r="A2000000" t="inlineStr"><is><t>x</t></is></c></row>'
    error = _error(_file(tmp_path, with_sheet(rows, after=far)), instrument)
    assert "outside a spreadsheet" in error.message


def test_the_cell_limit(rows, tmp_path):
    path = _file(tmp_path, xlsx_bytes(sheet_xml(rows)))
    assert read_sheet(path, limits=Limits(cells=10_000)).width == len(rows[0])
    with pytest.raises(InputError, match="more than 50 cells"):
        read_sheet(path, limits=Limits(cells=50))


def test_a_zip_bomb_is_refused_before_it_is_unpacked(rows, instrument, tmp_path):
    padding = " " * (30 * 1024 * 1024)  # packs to about 30 KB
    data = with_sheet(rows, before=f"<sheetPr/>{padding}")
    assert len(data) < 200_000
    error = _error(_file(tmp_path, data), instrument)
    assert "zip bomb" in error.message and "xl/worksheets/sheet1.xml" in error.message


def test_the_unpacked_size_limit(rows, tmp_path):
    path = _file(tmp_path, xlsx_bytes(sheet_xml(rows)))
    with pytest.raises(InputError, match="unpacks to"):
        read_sheet(path, limits=Limits(uncompressed_bytes=1000))


def test_entities_are_not_expanded(rows, tmp_path):
    lol = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
           '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">'
           '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>')
    xml = sheet_xml(rows).replace(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', lol, 1).replace(
        "</sheetData>", '<row r="9"><c r="A9" t="inlineStr"><is><t>&d;</t></is></c></row>'
        "</sheetData>", 1)
    path = _file(tmp_path, xlsx_bytes(xml))
    try:
        sheet = read_sheet(path)
    except InputError:
        return  # refused: fine
    assert len(sheet.rows.get(9, {}).get(0, "")) < 1000


def test_dates_and_numbers_read_as_written(rows, instrument, tmp_path):
    """Exporters write dates as day counts with a date style, and ids as numbers."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.active["A3"] = 1001
    book.active["C3"] = datetime(2022, 5, 10, 10, 15, 32)
    book.active["C3"].number_format = "yyyy-mm-dd hh:mm:ss"
    path = tmp_path / "typed.xlsx"
    book.save(path)
    responses = load_responses(path, instrument)
    first = responses.respondents.row(0, named=True)
    assert first["response_id"] == "1001"
    assert first["started_at"] == "2022-05-10 10:15:32"

