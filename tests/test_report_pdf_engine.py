"""The PDF's second process, its print page and its table widths.

`pdf.prepare()` starts WeasyPrint loading in a second process while the command analyses;
the PDF it then writes must be the one this process would write. The print page names its
chart pictures instead of carrying them as data: URLs, and gives its tables their column
widths. The document is the demo wave's, through the real pipeline.
"""

from __future__ import annotations

import gc
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from hrta.analysis import build_findings
from hrta.demo import demo_responses
from hrta.instrument import Instrument
from hrta.report import build_document, pdf
from hrta.report.document import Column, Document, Row, Table
from hrta.report.html import PICTURE_SCHEME, render_print_page
from hrta.report.pdf_engine import write_page
from hrta.report.widths import FULL, HALF, LETTER, PADDING, column_widths


@pytest.fixture(scope="module")
def document(instrument: Instrument) -> Document:
    return build_document(build_findings(demo_responses(instrument)).to_json())


def _read(path: Path) -> tuple[list[str], Any]:
    reader = PdfReader(path)
    return [page.extract_text() for page in reader.pages], reader.trailer["/Root"]


def test_a_prepared_engine_writes_the_pdf_this_process_would(document: Document,
                                                            tmp_path: Path) -> None:
    pdf.prepare()
    engine = pdf._engine
    assert engine is not None and engine.poll() is None  # waiting for its page
    pdf.write_pdf(document, tmp_path / "apart.pdf")
    assert engine.returncode == 0 and pdf._engine is None
    pdf.write_pdf(document, tmp_path / "here.pdf")  # no engine left: made in this process
    apart, root = _read(tmp_path / "apart.pdf")
    here, _ = _read(tmp_path / "here.pdf")
    assert apart == here and len(apart) > 20
    assert "/StructTreeRoot" in root and str(root["/Lang"]) == "en"


def test_an_unused_engine_ends_when_let_go(tmp_path: Path) -> None:
    pdf.prepare()
    engine = pdf._engine
    assert engine is not None
    pdf._dismiss()  # as at the exit of a command that failed before writing
    assert engine.returncode is not None and pdf._engine is None
    # Left the end of its input instead (its parent killed), it exits of itself.
    alone = subprocess.run([sys.executable, "-m", "hrta.report.pdf_engine"], input=b"",
                           capture_output=True, timeout=60, check=False)
    assert alone.returncode == 0 and not alone.stderr
    assert not list(tmp_path.iterdir())


def test_a_failure_in_the_engine_is_raised(document: Document, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    pdf.prepare()
    with pytest.raises(RuntimeError, match=r"blocker/report\.pdf failed"):
        pdf.write_pdf(document, blocker / "report.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]


def test_the_print_page_names_its_pictures_and_sizes_its_tables(document: Document,
                                                                tmp_path: Path) -> None:
    page, pictures = render_print_page(document)
    assert "data:" not in page
    named = re.findall(r'<img src="([^"]+)"', page)
    assert named and sorted(named) == sorted(pictures)
    assert all(url.startswith(f"{PICTURE_SCHEME}:") for url in named)
    assert all(picture.startswith(b"\xff\xd8") for picture in pictures.values())  # JPEG
    fixed = re.findall(r'<table class="[^"]*\bfixed\b[^"]*">\s*<colgroup>(.*?)</colgroup>',
                       page, re.S)
    assert fixed and len(fixed) == page.count('class="fixed"') + page.count(' fixed"')
    for columns in fixed:
        shares = [float(share) for share in re.findall(r"width: ([\d.]+)%", columns)]
        assert abs(sum(shares) - 100) < 0.5


def test_a_page_naming_a_picture_it_was_not_given_is_refused(tmp_path: Path) -> None:
    from weasyprint.urls import FatalURLFetchingError

    page = (f'<html lang="en"><body><p>Chart</p><img src="{PICTURE_SCHEME}:missing.jpg" '
            'alt="A chart"></body></html>')
    with pytest.raises(FatalURLFetchingError):
        write_page(page, {}, tmp_path / "report.pdf")
    assert gc.isenabled()  # collection is paused while WeasyPrint works, never left off


def test_columns_get_room_for_their_numbers_and_share_the_rest() -> None:
    table = Table(columns=(Column("Count"), Column("Percent"), Column("95% CI")),
                  rows=(Row("Strongly or somewhat agree with a long label to wrap",
                            ("1,234,567", "100%", "100.0–100.0%")),
                        Row("No", ("3", "2%", "1–8%"))),
                  stub="Option")
    for half, room in ((False, FULL), (True, HALF)):
        shares = column_widths(table, half=half)
        assert abs(sum(shares) - 100) < 0.5
        # Shares are given to a tenth of a percent, which may round an em down a little.
        ems = [room * (share + 0.05) / 100 for share in shares]
        # A figure is never wrapped: its column holds its widest cell.
        assert ems[1] >= len("1,234,567") * LETTER + PADDING
        assert ems[3] >= len("100.0–100.0%") * LETTER + PADDING
        assert ems[0] >= len("somewhat") * LETTER + PADDING  # a label wraps between words
    narrow, wide = column_widths(table, half=True), column_widths(table)
    assert wide[0] == max(wide)  # the labels take what the figures leave
    assert narrow[0] < wide[0]  # half the room: the labels give way, not the figures
