"""A grid whose scale has no agree / disagree sides (here "A lot / A little / Not at all",
a scale hrta does not know) in a drafted instrument: the default layout draws it as a
stacked bar per statement in scale order, with its n, in HTML, PDF and Word."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from hrta.report import render_reports
from hrta.report.document import Figure
from hrta.report.layout import build_document
from tests.conftest import read_rows, run_hrta, write_rows

EXPORT = Path(__file__).resolve().parent / "fixtures" / "drafting" / "needs_assessment.csv"
GRID = "How often does your program face each of these barriers?"
# The fixture's frequency answers put on a scale no drafting rule recognises, so the
# drafted grid has options and no nets.
HOW_MUCH = {"Always": "A lot", "Often": "A lot", "Sometimes": "A little",
            "Rarely": "Not at all", "Never": "Not at all"}
SCALE = ["A lot", "A little", "Not at all"]  # the drafted option order (order first seen)


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("grids")
    rows = read_rows(EXPORT)
    first = rows[0].index(GRID)
    for row in rows[2:]:
        row[first:first + 3] = [HOW_MUCH.get(cell, cell) for cell in row[first:first + 3]]
    export = write_rows(folder / "how_much.csv", rows)
    instrument = folder / "instrument.yaml"
    drafted = run_hrta("instrument", "draft", export, "-o", instrument)
    assert drafted.returncode == 0, drafted.stderr
    assert "nets:" not in instrument.read_text(encoding="utf-8").split(GRID)[1].split("- id:")[0]
    target = folder / "findings.json"
    analysed = run_hrta("analyze", export, "--instrument", instrument, "--json", target,
                        "--no-themes")
    assert analysed.returncode == 0, analysed.stderr
    loaded: dict[str, object] = json.loads(target.read_text(encoding="utf-8"))
    return loaded


def _grid_figure(findings: dict[str, object]) -> Figure:
    document = build_document(findings)
    drawn = [f for f in document.figures() if f.chart is not None and GRID in f.caption]
    assert len(drawn) == 1, [f.caption for f in document.figures()]
    return drawn[0]


def test_a_grid_without_nets_is_a_stacked_bar_per_statement_in_scale_order(findings):
    figure = _grid_figure(findings)
    assert figure.chart is not None
    spec = figure.chart.spec
    bars = spec["layer"][0]
    assert bars["encoding"]["x"]["scale"]["domain"] == [0, 100]
    assert bars["encoding"]["color"]["sort"] == SCALE
    rows = list(dict.fromkeys(v["label"] for v in spec["data"]["values"]))
    # Every statement someone rated, with its own n (one respondent skipped the grid and
    # one answered only "Lack of funding").
    assert rows == ["Staff turnover (n=6)", "Lack of funding (n=7)",
                    "Transportation for clients (n=6)"]
    staff = [v for v in spec["data"]["values"] if v["label"] == rows[0]]
    assert [v["option"] for v in staff] == SCALE
    assert [round(v["start"], 6) for v in staff] == [0, 50, round(100 * 4 / 6, 6)]
    assert round(staff[-1]["end"], 6) == 100
    assert "Stacked bar chart per statement, from A lot to Not at all" in figure.chart.alt
    assert any("Table A" in note for note in figure.notes)  # its numbers, in the appendix


def test_the_grid_is_drawn_in_html_pdf_and_word(findings, tmp_path):
    paths = [tmp_path / "r.html", tmp_path / "r.pdf", tmp_path / "r.docx"]
    render_reports(findings, paths)
    html = paths[0].read_text(encoding="utf-8")
    start = html.index(f"{GRID} (n=")  # its caption
    figure_html = html[start:html.index("</figure>", start)]
    assert "<svg" in figure_html and "Staff turnover (n=6)" in figure_html

    reader = PdfReader(paths[1])
    page = next((p for p in reader.pages if GRID in p.extract_text()), None)
    assert page is not None and len(page.images) >= 1

    word = docx.Document(str(paths[2]))
    descriptions = [shape._inline.docPr.get("descr") for shape in word.inline_shapes]
    assert any(d.startswith(GRID) or "from A lot to Not at all" in d for d in descriptions)


def test_a_frequency_grid_diverges_about_its_own_sides(tmp_path):
    """The same grid as exported (Always … Never), which drafting recognises as a frequency
    scale with "often" and "rarely" nets: a diverging chart whose axis names those sides,
    never agreement."""
    instrument = tmp_path / "instrument.yaml"
    drafted = run_hrta("instrument", "draft", EXPORT, "-o", instrument)
    assert drafted.returncode == 0, drafted.stderr
    target = tmp_path / "findings.json"
    analysed = run_hrta("analyze", EXPORT, "--instrument", instrument, "--json", target,
                        "--no-themes")
    assert analysed.returncode == 0, analysed.stderr
    figure = _grid_figure(json.loads(target.read_text(encoding="utf-8")))
    assert figure.chart is not None
    titles = json.dumps(figure.chart.spec, ensure_ascii=False)
    assert "← often · rarely →" in titles
    assert "agree" not in titles
