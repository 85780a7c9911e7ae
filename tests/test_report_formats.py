"""The report in its three formats, opened and read back: PDF text and pages, Word structure.

The Findings come through the real pipeline: the demo wave written as a native CSV, one
more respondent with hostile open-ended answers appended, then import and analysis.
Each format is rendered once for the module.
"""

from __future__ import annotations

import copy
import csv
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from PIL import Image
from pypdf import PdfReader

from hrta.analysis import build_findings
from hrta.demo import demo_responses
from hrta.errors import InputError
from hrta.exports import write_native_csv
from hrta.ingest import load_responses
from hrta.instrument import Instrument
from hrta.report import build_document, render_report, render_reports
from hrta.report.document import Document
from hrta.report.worker import write_apart

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","click")'
ODD = "Ünïcödé “quotes” – Ελληνικά, Кириллица, e\u0301, zero\u200bwidth, \u202eRTL\u202c"
BELL = "ring the \x07 bell"
LONG = " ".join(f"word{index:04d}" for index in range(556))  # 5,003 characters
HOSTILE = [SCRIPT, FORMULA, ODD, BELL, LONG]
CHAPTERS = ["Executive summary", "Methods", "Findings", "Discussion", "Limitations",
            "Appendix: the instrument"]


@pytest.fixture(scope="module")
def findings(instrument: Instrument, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("wave") / "responses.csv"
    write_native_csv(path, demo_responses(instrument))
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["hostile", "screening", "employed", ""])
        writer.writerow(["hostile", "challenges", "", "\n".join([SCRIPT, FORMULA, ODD, BELL])])
        writer.writerow(["hostile", "facilitators", "", LONG])
    return build_findings(load_responses(path, instrument, fmt="native")).to_json()


@pytest.fixture(scope="module")
def document(findings: dict[str, Any]) -> Document:
    return build_document(findings)


@pytest.fixture(scope="module")
def outputs(findings: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All three at once: Word is written by a second process while HTML and PDF are."""
    folder = tmp_path_factory.mktemp("report")
    render_reports(findings, [folder / f"report.{suffix}" for suffix in ("html", "pdf", "docx")])
    return folder


@pytest.fixture(scope="module")
def pdf_pages(outputs: Path) -> list[str]:
    """Each page's text as pypdf extracts it (once: it takes seconds for 40 pages)."""
    return [page.extract_text() for page in PdfReader(outputs / "report.pdf").pages]


@pytest.fixture(scope="module")
def pdf_text(pdf_pages: list[str]) -> str:
    return _flat("\n".join(pdf_pages))


@pytest.fixture(scope="module")
def word(outputs: Path) -> Any:
    return docx.Document(str(outputs / "report.docx"))


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_wave_went_through_the_pipeline(findings: dict[str, Any]) -> None:
    assert findings["responses"] == {"total": 162, "eligible": 152, "excluded": 10}
    assert findings["questions"]["state"]["n"] == 84
    assert SCRIPT in findings["questions"]["challenges"]["answers"][-1]
    assert findings["questions"]["facilitators"]["answers"][-1] == LONG
    assert len(LONG) > 5000


# PDF ------------------------------------------------------------------------------------

def test_pdf_has_every_figure_caption_with_its_n(document: Document, pdf_text: str) -> None:
    figures = document.figures()
    # The 2022 report's twelve figures and Figure 5a, which sets three of them side by side.
    assert len([f for f in figures if f.kind == "figure"]) == 13
    for figure in figures:
        assert _flat(figure.caption) in pdf_text, figure.caption
    assert "Figure 1. Number of Survey Respondents by State (n=84)" in pdf_text
    assert ("Figure 3. Services to Support PWUD Provided Directly and/or through Referral "
            "(Services provided directly n=101; Services provided through referral n=93)"
            in pdf_text)
    assert ("Figure 5a. Services to Support PWUD Provided Directly, through Referral and "
            "Planned for the Future (Services provided directly n=101; Services provided "
            "through referral n=93; Services planned for the future n=101)" in pdf_text)
    assert "(Figure 5a)." in pdf_text


def _structure(node: Any, kinds: dict[str, int], alts: list[str]) -> None:
    node = node.get_object()
    if isinstance(node, list):
        for child in node:
            _structure(child, kinds, alts)
        return
    if not isinstance(node, dict):
        return  # a marked-content id: text on a page
    kind = node.get("/S")
    if kind is not None:
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind == "/Figure":
            alts.append(str(node.get("/Alt", "")))
    if "/K" in node:
        _structure(node["/K"], kinds, alts)


def test_pdf_is_tagged_for_screen_readers(outputs: Path, document: Document) -> None:
    reader = PdfReader(outputs / "report.pdf")
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"]  # a pypdf BooleanObject, false when unmarked
    assert catalog["/Lang"] == "en"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata is not None and reader.metadata.title == document.title
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfuaid:part="1"' in xmp  # declares PDF/UA-1
    assert f'<rdf:li xml:lang="x-default">{document.title}</rdf:li>' in xmp
    kinds: dict[str, int] = {}
    alts: list[str] = []
    _structure(catalog["/StructTreeRoot"]["/K"], kinds, alts)
    # One H1 (the title), a heading per chapter and per findings section, real tables
    # with header cells, lists, and every chart a Figure whose alternate text is its alt.
    assert kinds["/H1"] == 1
    assert kinds["/H2"] >= len(CHAPTERS) + 1  # and Contents
    assert kinds["/H3"] >= 5
    tables = sum(len(f.tables) for f in document.figures())
    assert kinds["/Table"] >= tables and kinds["/TH"] > kinds["/Table"]
    assert kinds["/L"] > 0 and kinds["/LI"] > 0
    assert alts == [f.chart.alt for f in document.figures() if f.chart is not None]


def test_pdf_has_cover_and_chapters(findings: dict[str, Any], pdf_text: str) -> None:
    assert findings["title"] in pdf_text
    for chapter in CHAPTERS:
        assert chapter in pdf_text, chapter
    # Contents with page numbers, and a running footer on inner pages.
    assert re.search(r"Executive summary[ .]+\d+", pdf_text)
    assert re.search(r"Page 3 of \d+", pdf_text)


def test_pdf_pages_are_letter_and_charts_are_drawn(outputs: Path, pdf_pages: list[str]) -> None:
    box = PdfReader(outputs / "report.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    map_page = next(i for i, text in enumerate(pdf_pages)
                    if "Figure 1. Number of Survey Respondents" in text)
    # The tile map's state codes are text in the PDF, not a picture of text.
    assert re.search(r"\bNY\b", pdf_pages[map_page])
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm is not installed (make test installs poppler-utils)")
    for page in (1, map_page + 1):
        prefix = outputs / f"page{page}"
        subprocess.run([pdftoppm, "-r", "40", "-png", "-f", str(page), "-l", str(page),
                        "-singlefile", str(outputs / "report.pdf"), str(prefix)], check=True)
        image = Image.open(prefix.with_suffix(".png")).convert("RGB")
        assert image.size[0] > 300 and image.size[1] > image.size[0]
        colours = image.getcolors(maxcolors=1 << 16) or []
        assert len(colours) > 20, "a rendered page is more than a blank sheet"
        if page == map_page + 1:
            # The palette's dark blue (the top state's square) is on the map's page.
            assert any(b > 80 and b > r + 40 and b > g + 10 for _, (r, g, b) in colours)


def test_pdf_shows_hostile_text_literally(pdf_text: str) -> None:
    assert SCRIPT in pdf_text
    assert FORMULA in pdf_text
    for piece in ("Ünïcödé", "Ελληνικά", "Кириллица", "ring the \ufffd bell"):
        assert piece in pdf_text, piece
    # The 5,000-character answer is there whole, word after word (across lines and pages).
    position = 0
    for word_ in LONG.split():
        position = pdf_text.index(word_, position)


# Word -----------------------------------------------------------------------------------

def test_docx_has_real_headings(word: Any, document: Document) -> None:
    by_style = [(p.style.name, p.text) for p in word.paragraphs]
    assert [text for style, text in by_style if style == "Heading 1"] == CHAPTERS
    level_two = [text for style, text in by_style if style == "Heading 2"]
    findings_sections = next(s for s in document.sections if s.anchor == "findings").subsections
    assert [s.title for s in findings_sections] == [t for t in level_two
                                                    if t in {s.title for s in findings_sections}]
    captions = [text for style, text in by_style if style == "Caption"]
    for figure in document.figures():
        assert figure.caption in captions


def test_docx_tables_carry_the_numbers(word: Any, findings: dict[str, Any]) -> None:
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in word.tables]
    question = findings["questions"]["ta_receiving"]
    count, n = question["options"]["no"]["count"], question["n"]
    # Worked out from the count and n in integers (halves up, as the report rounds); not
    # with the report's own formatting.
    expected = ["No", f"{count:,}", f"{(200 * count + n) // (2 * n)}%"]
    assert any(row[:3] == expected for table in tables for row in table)
    # The methods table lists every question with its n and how many did not answer it.
    methods = next(t for t in tables if t[0] == ["Question", "Type", "n", "Not answered"])
    assert len(methods) - 1 == len(findings["questions"])
    assert ["State", "Single choice", "84", "68"] in methods
    # Grouped figures have a two-row header: question names over Count/Percent/95% CI.
    grouped = next(t for t in tables if t[0][1].startswith("Services provided directly"))
    assert grouped[1][1:4] == ["Count", "Percent", "95% CI"]
    header = word.tables[tables.index(grouped)].rows[0]._tr.trPr
    assert header is not None and header.find(docx.oxml.ns.qn("w:tblHeader")) is not None


def test_docx_tables_fit_their_columns_and_headings_keep_the_font(word: Any) -> None:
    qn = docx.oxml.ns.qn
    grouped = next(t for t in word.tables
                   if t.rows[0].cells[1].text.startswith("Services provided directly"))
    widths = [int(col.get(qn("w:w"))) for col in grouped._tbl.tblGrid.findall(qn("w:gridCol"))]
    # Six number columns just wide enough for "80–93%", the option labels the rest of the
    # 6.5-inch text width (twips: 1,440 an inch).
    assert len(widths) == 7
    assert abs(sum(widths) - 6.5 * 1440) < 10
    assert widths[0] > 2 * max(widths[1:])
    assert min(widths[1:]) >= 0.5 * 1440
    borders = grouped._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders.find(qn("w:insideV")).get(qn("w:val")) == "nil"
    for name in ("Heading 1", "Heading 2", "Title"):
        fonts = word.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:ascii")) == "Arial"
        assert fonts.get(qn("w:asciiTheme")) is None, name


def test_docx_pictures_have_alt_text(word: Any, document: Document) -> None:
    charts = [f for f in document.figures() if f.chart is not None]
    pictures = list(word.inline_shapes)
    assert len(pictures) == len(charts) == 13
    for picture, figure in zip(pictures, charts, strict=True):
        doc_pr = picture._inline.docPr
        assert doc_pr.get("descr") == figure.chart.alt
        assert len(doc_pr.get("descr")) > 40
        assert doc_pr.get("title") == figure.caption


def test_docx_shows_hostile_text_literally(word: Any) -> None:
    texts = [p.text for p in word.paragraphs]
    assert LONG in texts
    challenge = next(t for t in texts if SCRIPT in t)
    assert FORMULA in challenge and ODD in challenge and "ring the \ufffd bell" in challenge


def test_html_escapes_hostile_text(outputs: Path) -> None:
    page = (outputs / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert "=HYPERLINK(&#34;http://evil.example&#34;,&#34;click&#34;)" in page
    assert "Ελληνικά" in page and LONG in page
    assert "\x07" not in page


def test_unknown_extension_is_refused_and_nothing_written(findings: dict[str, Any],
                                                          tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.html, \*\.pdf or \*\.docx"):
        render_report(findings, tmp_path / "report.odt")
    with pytest.raises(InputError, match=r"report\.txt"):
        render_reports(findings, [tmp_path / "report.html", tmp_path / "report.txt"])
    assert list(tmp_path.iterdir()) == []


def test_several_formats_from_one_build(findings: dict[str, Any], tmp_path: Path) -> None:
    render_reports(findings, [tmp_path / "a.html", tmp_path / "A.HTM"])
    assert (tmp_path / "a.html").read_text(encoding="utf-8").startswith("<!doctype html>")
    assert (tmp_path / "A.HTM").stat().st_size > 100_000


def test_failed_render_keeps_the_earlier_report(findings: dict[str, Any],
                                                tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text("earlier", encoding="utf-8")
    broken = {**findings, "sections": [{"id": "x", "title": "X", "items": [
        {"kind": "figure", "number": 1, "title": "T", "chart": "bar",
         "questions": ["no_such_question"], "n": {"no_such_question": 1}, "rows": []}]}]}
    with pytest.raises(InputError) as caught:
        render_report(broken, path)
    assert str(caught.value) == (
        "the Findings do not fit the report: figure 1 (T) in section 'x' names "
        "'no_such_question', which is neither a question nor a grid of the Findings")
    assert path.read_text(encoding="utf-8") == "earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def _without(findings: dict[str, Any], *path: str | int) -> dict[str, Any]:
    """A deep copy of the Findings with the key at `path` taken out."""
    broken = copy.deepcopy(findings)
    parent: Any = broken
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    return broken


@pytest.mark.parametrize(("path", "message"), [
    (("title",), "no key 'title' at the top level"),
    (("responses", "eligible"), "no key 'eligible' in responses"),
    (("questions", "ta_receiving", "n"), "no key 'n' in questions['ta_receiving']"),
    (("questions", "ta_receiving", "options", "yes", "rank"),
     "no key 'rank' in questions['ta_receiving'].options['yes']"),
    (("questions", "fb_policy.adequate_funding", "nets"),
     "no key 'nets' in questions['fb_policy.adequate_funding']"),
    (("matrices", "fb_policy", "statements"), "no key 'statements' in matrices['fb_policy']"),
    (("sections", 0, "items", 0, "rows"), "no key 'rows' in sections[0].items[0]"),
])
def test_findings_missing_a_key_are_refused_by_name(findings: dict[str, Any], tmp_path: Path,
                                                    path: tuple[str | int, ...],
                                                    message: str) -> None:
    target = tmp_path / "report.html"
    with pytest.raises(InputError) as caught:
        render_report(_without(findings, *path), target)
    assert str(caught.value) == f"the Findings do not fit the report: {message}"
    assert not target.exists()


def test_findings_of_the_wrong_shape_are_refused(findings: dict[str, Any]) -> None:
    with pytest.raises(InputError, match=r"^the Findings do not fit the report: questions is "
                                         r"not an object"):
        build_document({**findings, "questions": []})
    gone = copy.deepcopy(findings)
    gone["matrices"]["fb_policy"]["statements"].append("fb_policy.retired")
    with pytest.raises(InputError, match=r"matrices\['fb_policy'\] lists statement "
                                         r"'fb_policy.retired', which is not among"):
        build_document(gone)


def test_a_failure_in_the_second_process_is_raised(document: Document, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be", encoding="utf-8")
    with pytest.raises(RuntimeError, match=r"report\.docx failed"), \
            write_apart(document, [blocker / "report.docx"]) as wait:
        wait()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]
