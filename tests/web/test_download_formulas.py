"""The clean-data downloads (CSV and XLSX) neutralise every way a cell can start a
formula: a leading space or line break before the sign, full-width signs, tab and CR."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.web.staffdata import add_response, signed_in

# Answers a spreadsheet would run, each starting differently.
HOSTILE = [" =1+1", "\n=1+1", "  \r\n=HYPERLINK(\"http://x\")", "＝1+1", "＋1", "－1", "＠SUM(A1)",
           "\u3000=1", "\t=1", "\r=1"]


def test_csv_and_xlsx_neutralise_every_formula_start(wave):
    for text in HOSTILE:
        add_response(wave, {"org_type": "ccbhc", "challenges": text})
    client, _ = signed_in("viewer")

    reply = client.get(f"/staff/waves/{wave.slug}/downloads/responses.csv")
    assert reply.status_code == 200
    rows = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig"), newline="")))
    column = next(i for i, h in enumerate(rows[0]) if h.startswith("What have been the "
                                                                   "greatest challenges"))
    assert sorted(row[column] for row in rows[2:]) == sorted("'" + text for text in HOSTILE)

    reply = client.get(f"/staff/waves/{wave.slug}/downloads/responses.xlsx")
    assert reply.status_code == 200
    sheet = load_workbook(io.BytesIO(reply.content))["Responses"]
    cells = [row[column].value for row in sheet.iter_rows(min_row=3)]
    # XLSX cannot hold a bare CR; the rest is the neutralised text.
    assert all(cell.startswith("'") for cell in cells), cells
    assert "'＝1+1" in cells and "' =1+1" in cells and "'\n=1+1" in cells
