"""The one-page brief: takeaways, four small charts, TA priorities, where to read more."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import docx
import pytest
from pypdf import PdfReader

from hrta.analysis import build_findings
from hrta.demo import demo_responses
from hrta.exports import write_surveymonkey_csv
from hrta.instrument import Instrument
from hrta.report.brief import CHARTS, build_brief, render_brief
from hrta.report.lookup import as_findings
from hrta.report.takeaways import takeaways
from tests.conftest import run_hrta


@pytest.fixture(scope="module")
def export(instrument: Instrument, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wave") / "responses.csv"
    write_surveymonkey_csv(path, demo_responses(instrument))
    return path


@pytest.fixture(scope="module")
def findings(instrument: Instrument) -> dict[str, Any]:
    return build_findings(demo_responses(instrument)).to_json()


def test_brief_pdf_from_the_command_line_is_one_page(export: Path, tmp_path: Path) -> None:
    target = tmp_path / "brief.pdf"
    result = run_hrta("report", export, "-o", target, "--brief", "--no-themes")
    assert result.returncode == 0, result.stderr
    reader = PdfReader(target)
    assert len(reader.pages) == 1
    text = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    for heading in ("DRAFT", "Takeaways", "What this means for TA", "Where to read more"):
        assert heading in text
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged, like the report


def test_brief_says_the_takeaways_and_draws_four_small_charts(findings: dict[str, Any],
                                                              tmp_path: Path) -> None:
    brief = build_brief(findings)
    assert list(brief.takeaways) == takeaways(as_findings(findings))
    assert 3 <= len(brief.takeaways) <= 5
    assert len(brief.charts) == CHARTS
    assert all("(n=" in chart.title for chart in brief.charts)
    render_brief(findings, tmp_path / "brief.html")
    page = (tmp_path / "brief.html").read_text(encoding="utf-8")
    assert page.count("<svg") == CHARTS
    assert "The tables under" not in page and "<script" not in page.lower()


def test_brief_docx_has_its_pictures_with_alt_text(findings: dict[str, Any],
                                                   tmp_path: Path) -> None:
    render_brief(findings, tmp_path / "brief.docx", draft=False)
    word = docx.Document(str(tmp_path / "brief.docx"))
    alts = [shape._inline.docPr.get("descr") for shape in word.inline_shapes]
    assert len(alts) == CHARTS and all(alt and "Bar chart" in alt for alt in alts)
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings[1:] == ["Takeaways", "What this means for TA", "Where to read more"]
    assert not any("DRAFT" in p.text for p in word.paragraphs)


def test_brief_of_another_extension_is_refused(findings: dict[str, Any],
                                              tmp_path: Path) -> None:
    from hrta.errors import InputError

    with pytest.raises(InputError, match="brief"):
        render_brief(findings, tmp_path / "brief.txt")
    assert not (tmp_path / "brief.txt").exists()
