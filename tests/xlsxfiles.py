"""XLSX files written by hand, to the byte: the reader's tests need broken ones too.

The smallest workbook Excel and openpyxl open: one sheet of inline strings, which any
test can then damage (its XML, its zip) precisely.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

SHEET = "xl/worksheets/sheet1.xml"

_XML_ILLEGAL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF])


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(rows: list[list[str]]) -> str:
    """A worksheet of inline strings, the way exporters write one."""
    body = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(
            f'<c r="{_column_letters(c)}{r}" t="inlineStr"><is><t xml:space="preserve">'
            f"{escape(text.translate(_XML_ILLEGAL))}</t></is></c>"
            for c, text in enumerate(row) if text)
        body.append(f'<row r="{r}">{cells}</row>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<sheetData>{"".join(body)}</sheetData></worksheet>')


def xlsx_bytes(sheet: str | bytes, *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    parts = {
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="application'
            '/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels":
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            '//schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml":
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxml'
            'formats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            '//schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        SHEET: sheet,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def with_sheet(rows: list[list[str]], *, before: str = "", after: str = "") -> bytes:
    """A workbook of `rows`, with raw XML put before <sheetData> or inside it, last."""
    xml = sheet_xml(rows)
    if before:
        xml = xml.replace("<sheetData>", before + "<sheetData>", 1)
    if after:
        xml = xml.replace("</sheetData>", after + "</sheetData>", 1)
    return xlsx_bytes(xml)


def damaged(rows: list[list[str]], kind: str) -> bytes:
    """A workbook of `rows` broken one way: each way once crashed a reader."""
    if kind == "not a zip":
        return b"PK\x03\x04" + b"not really a zip" * 10
    if kind == "truncated":
        whole = xlsx_bytes(sheet_xml(rows))
        return whole[: len(whole) // 2]
    if kind == "damaged stream":
        # Stored, then the sheet's bytes bent in place: its checksum no longer matches.
        whole = bytearray(xlsx_bytes(sheet_xml(rows), compression=zipfile.ZIP_STORED))
        at = whole.index(b"<sheetData>")
        whole[at + 1:at + 5] = b"XXXX"
        return bytes(whole)
    if kind == "bad deflate":
        whole = bytearray(xlsx_bytes(sheet_xml(rows)))
        start = _member_data_offset(bytes(whole), SHEET)
        for at in range(start + 2, start + 40):
            whole[at] ^= 0xA5
        return bytes(whole)
    if kind == "broken xml":
        return xlsx_bytes(sheet_xml(rows).replace("</sheetData>", "<row><c>", 1))
    if kind == "missing shared string":
        return with_sheet(rows, after='<row r="99"><c r="B99" t="s"><v>7</v></c></row>')
    if kind == "no worksheet":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
        return buffer.getvalue()
    raise ValueError(kind)


def _member_data_offset(data: bytes, name: str) -> int:
    """Where a member's packed bytes start (after its local header)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    header = info.header_offset
    name_length = int.from_bytes(data[header + 26:header + 28], "little")
    extra_length = int.from_bytes(data[header + 28:header + 30], "little")
    return header + 30 + name_length + extra_length


DAMAGE = ("not a zip", "truncated", "damaged stream", "bad deflate", "broken xml",
          "missing shared string", "no worksheet")
