"""Draw the first rows of each import fixture as a spreadsheet shows them, for
docs/importing.md: one PNG per layout in docs/images/layouts/.

    .venv/bin/python docs/images/layouts.py

Each picture is the file's top-left corner (its header rows and a few responses, the first
columns and the first question columns) in a grid with column letters and row numbers,
rendered by Debian's Chromium (HRTA_CHROMIUM, default /usr/bin/chromium) through
Playwright. Rerun it when a fixture changes.
"""

from __future__ import annotations

import csv
import html
import io
import os
from pathlib import Path

from hrta.ingest.coordinates import column_letter

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
OUT = Path(__file__).resolve().parent / "layouts"
CHROMIUM = os.environ.get("HRTA_CHROMIUM", "/usr/bin/chromium")

# (picture name, fixture, header rows, columns to show: metadata then questions)
LAYOUTS: tuple[tuple[str, str, int, tuple[int, ...]], ...] = (
    ("surveymonkey-condensed", "surveymonkey/condensed.csv", 2, (0, 1, 9, 10, 11, 12, 13)),
    ("surveymonkey-expanded", "surveymonkey/expanded.csv", 2, (0, 1, 9, 10, 11, 12, 13)),
    ("surveymonkey-expanded-dash", "surveymonkey/expanded_dash.csv", 2,
     (0, 1, 9, 10, 11, 12, 13)),
    ("surveymonkey-numeric", "surveymonkey/expanded_numeric.csv", 2,
     (0, 1, 9, 10, 11, 12, 13)),
    ("surveymonkey-metadata-variants", "surveymonkey/metadata_variants.csv", 2,
     tuple(range(8))),
    ("qualtrics-choice-text", "qualtrics/choice_text.csv", 3, (0, 2, 8, 17, 18, 19, 20)),
    ("qualtrics-numeric", "qualtrics/numeric_values.csv", 3, (0, 2, 8, 17, 18, 19, 20)),
    ("qualtrics-2016", "qualtrics/export_2016.csv", 3, tuple(range(7))),
    ("qualtrics-legacy", "qualtrics/legacy_v1.csv", 2, tuple(range(7))),
    ("qualtrics-multilingual", "qualtrics/multilingual_choice_text.csv", 3,
     (8, 16, 17, 18, 19, 20, 22)),
    ("redcap-raw", "redcap/export_raw.csv", 1, (0, 2, 3, 4, 5, 6, 7, 8, 9)),
    ("redcap-labels", "redcap/export_labels.csv", 1, (0, 2, 3, 4, 5, 6, 7, 8, 9)),
    ("kobo-xml-values", "kobo/export_xml.csv", 1, tuple(range(3, 11))),
    ("googleforms", "googleforms/responses.csv", 1, tuple(range(6))),
    ("googleforms-grids", "googleforms/grids.csv", 1, tuple(range(7))),
)
DATA_ROWS = 3
CELL_CHARACTERS = 34

STYLE = """
body { margin: 0; font: 12px/1.3 "DejaVu Sans", Arial, sans-serif; background: #fff; }
table { border-collapse: collapse; }
td, th { border: 1px solid #c8c8c8; padding: 3px 6px; white-space: nowrap; text-align: left; }
th { background: #f1f1f1; color: #555; font-weight: normal; text-align: center; }
tr.header td { background: #e8f0fb; font-weight: bold; }
td.more { color: #888; }
"""


def rows_of(path: Path, header_rows: int) -> list[list[str]]:
    text = path.read_text(encoding="utf-8-sig")
    delimiter = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") \
        else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return rows[:header_rows + DATA_ROWS]


def short(cell: str) -> str:
    cell = " ".join(cell.split())
    return cell if len(cell) <= CELL_CHARACTERS else cell[:CELL_CHARACTERS - 1] + "…"


def page(rows: list[list[str]], header_rows: int, columns: tuple[int, ...]) -> str:
    width = max(len(row) for row in rows)
    shown = [c for c in columns if c < width]
    heads = "".join(f"<th>{column_letter(c)}</th>" for c in shown)
    lines = [f"<tr><th></th>{heads}<th>…</th></tr>"]
    for number, row in enumerate(rows, start=1):
        cells = "".join(f"<td>{html.escape(short(row[c] if c < len(row) else ''))}</td>"
                        for c in shown)
        kind = ' class="header"' if number <= header_rows else ""
        lines.append(f"<tr{kind}><th>{number}</th>{cells}<td class=more>…</td></tr>")
    return (f"<!doctype html><meta charset=utf-8><style>{STYLE}</style>"
            f"<table>{''.join(lines)}</table>")


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1400, "height": 400},
                                      device_scale_factor=1)
        tab = context.new_page()
        for name, fixture, header_rows, columns in LAYOUTS:
            rows = rows_of(FIXTURES / fixture, header_rows)
            tab.set_content(page(rows, header_rows, columns))
            tab.locator("table").screenshot(path=str(OUT / f"{name}.png"))
            print(f"docs/images/layouts/{name}.png  ({fixture})")
        browser.close()


if __name__ == "__main__":
    main()
