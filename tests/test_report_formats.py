"""The report in its three formats, opened and read back: PDF text and pages, Word structure.

The Findings come through the real pipeline: the demo wave written as a native CSV, one
more respondent with hostile open-ended answers appended, then import and analysis.
Each format is rendered once for the module.
"""

from __future__ import annotations

import copy
import csv
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from PIL import Image
from pypdf import PdfReader

from hrta.analysis import build_findings
from hrta.demo import demo_responses
from hrta.errors import InputError
from hrta.exports import write_native_csv
from hrta.ingest import load_responses
from hrta.instrument import Instrument
from hrta.report import build_document, charts, render_report, render_reports
from hrta.report.document import SMALL_TABLE_ROWS, Document, Figure, Listing, Section
from hrta.report.html import render_html_document
from hrta.report.worker import write_apart

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","click")'
ODD = "Ünïcödé “quotes” – Ελληνικά, Кириллица, e\u0301, zero\u200bwidth, \u202eRTL\u202c"
BELL = "ring the \x07 bell"
LONG = " ".join(f"word{index:04d}" for index in range(556))  # 5,003 characters
HOSTILE = [SCRIPT, FORMULA, ODD, BELL, LONG]
CHAPTERS = ["Executive summary", "Methods", "Findings", "Discussion", "Limitations",
            "Appendix A: Tables of the figures", "Appendix B: Questions and their n",
            "Appendix C: Open-ended answers", "Appendix D: The instrument"]
BODY_PAGES = 20  # the demo wave's body, cover to limitations


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
    return build_document(findings, verbatims=True)


@pytest.fixture(scope="module")
def outputs(findings: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All three at once: Word is written by a second process while HTML and PDF are."""
    folder = tmp_path_factory.mktemp("report")
    render_reports(findings, [folder / f"report.{suffix}" for suffix in ("html", "pdf", "docx")],
                   verbatims=True)
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


def test_pdf_pages_are_letter_and_charts_are_drawn(outputs: Path, pdf_pages: list[str],
                                                    document: Document) -> None:
    reader = PdfReader(outputs / "report.pdf")
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    map_page = next(i for i, text in enumerate(pdf_pages)
                    if "Figure 1. Number of Survey Respondents" in text)
    # Each chart is a picture sharp enough for print: 200 dots an inch or more at the
    # width it prints (its share of the 6.8-inch text width).
    tile_map = next(f for f in document.figures() if f.chart and "by State" in f.caption)
    inches = 6.8 * charts.print_share(tile_map.chart.spec)
    drawn = Image.open(io.BytesIO(charts.to_print(tile_map.chart.spec)))
    assert drawn.width / inches >= 200
    pictures = [p.image for p in reader.pages[map_page].images if p.image is not None]
    assert drawn.size in [picture.size for picture in pictures]
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
    # The appendix table lists every question a figure draws with its n and how many did
    # not answer it; the screening and raffle questions, which none draws, are left out.
    methods = next(t for t in tables if t[0] == ["Question", "Type", "n", "Not answered"])
    drawn = {qid for section in findings["sections"] for item in section["items"]
             for qid in [*item["questions"], *item["rows"]]} & set(findings["questions"])
    assert len(methods) - 1 == len(drawn) == len(findings["questions"]) - 2
    assert not any(row[0].startswith("Conference") for row in methods)
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


@pytest.mark.parametrize("path", [
    ("title",),
    ("responses", "eligible"),
    ("questions", "ta_receiving", "n"),
    ("questions", "ta_receiving", "options", "yes", "rank"),
    ("questions", "fb_policy.adequate_funding", "nets"),
    ("questions", "challenges", "answers"),
    ("matrices", "fb_policy", "statements"),
    ("sections", 0, "items", 0, "rows"),
])
def test_findings_missing_a_key_are_refused_by_name(findings: dict[str, Any], tmp_path: Path,
                                                    path: tuple[str | int, ...]) -> None:
    """The model reads the Findings handed to the report and names the key by its place
    in the document."""
    target = tmp_path / "report.html"
    with pytest.raises(InputError) as caught:
        render_report(_without(findings, *path), target)
    where = "/".join(str(part) for part in path)
    assert str(caught.value) == ("findings: is not a Findings document this hrta can read: "
                                 f"at {where}: Field required (1 problem)")
    assert caught.value.exit_code == 2
    assert not target.exists()


def _item_of(findings: dict[str, Any], kind: str, chart: str | None,
             questions: list[str]) -> dict[str, Any]:
    """The Findings with one section of one item drawing `questions`."""
    item = {"kind": kind, "number": 1, "title": "T", "chart": chart, "questions": questions,
            "n": {qid: 1 for qid in questions}, "rows": questions}
    return {**findings, "sections": [{"id": "x", "title": "X", "items": [item]}]}


@pytest.mark.parametrize(("kind", "chart", "qid", "message"), [
    ("open_ended", None, "ta_receiving",
     "open_ended 1 (T) in section 'x' lists 'ta_receiving', which is not an open-ended "
     "question"),
    ("figure", "bar", "challenges",
     "figure 1 (T) in section 'x' draws 'challenges', which is not a question with options"),
    ("figure", "agreement", "ta_receiving",
     "figure 1 (T) in section 'x' draws 'ta_receiving', which is not a statement of an "
     "agreement grid"),
])
def test_an_item_drawing_the_wrong_kind_of_question_is_refused(
        findings: dict[str, Any], kind: str, chart: str | None, qid: str,
        message: str) -> None:
    """The model cannot see how the parts refer to each other: the report checks that each
    item names a question it can draw, before drawing anything."""
    with pytest.raises(InputError) as caught:
        build_document(_item_of(findings, kind, chart, [qid]))
    assert str(caught.value) == f"the Findings do not fit the report: {message}"


def test_findings_of_the_wrong_shape_are_refused(findings: dict[str, Any]) -> None:
    with pytest.raises(InputError, match=r"^findings: is not a Findings document: it has no "
                                         r"\"questions\" object"):
        build_document({**findings, "questions": []})
    broken = copy.deepcopy(findings)
    broken["questions"]["ta_receiving"]["options"]["yes"]["count"] = "many"
    with pytest.raises(InputError, match=r"^findings: is not a Findings document this hrta can "
                                         r"read: at questions/ta_receiving/options/yes/count: "
                                         r"Input should be a valid integer"):
        build_document(broken)
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


def _first_page_of(pages: list[str], heading: str) -> int:
    """The 1-based page a chapter starts on (the contents page names it too, with leaders)."""
    return next(number for number, text in enumerate(pages, 1)
                if heading in text and ". . ." not in text)


def test_body_fits_twenty_pages_and_the_tables_follow(pdf_pages: list[str]) -> None:
    appendix = _first_page_of(pdf_pages, "Appendix A: Tables of the figures")
    assert appendix - 1 <= BODY_PAGES, f"the body runs to {appendix - 1} pages"
    assert _first_page_of(pdf_pages, "Limitations") < appendix


def test_body_charts_carry_n_and_numbers_and_leave_tables_to_the_appendix(
        document: Document) -> None:
    body = [block for sub in _sections(document.body) for block in sub.blocks]
    charted = [b for b in body if isinstance(b, Figure) and b.chart is not None]
    assert charted and all(not figure.tables and not figure.others for figure in charted)
    assert all("n=" in figure.caption for figure in charted)
    tables = {block.caption.split(". ")[0] for section in document.appendices
              for block in section.blocks if isinstance(block, Figure)}
    for figure in charted:
        label = "Table A" + figure.caption.split(". ")[0].removeprefix("Figure ")
        assert label in tables
        assert any(label in note for note in figure.notes)
    assert not any(isinstance(block, Listing) for block in body)
    assert any(isinstance(block, Listing) for sub in _sections(document.appendices)
               for block in sub.blocks)


def _sections(chapters: tuple[Section, ...]) -> list[Section]:
    found: list[Section] = []
    for chapter in chapters:
        found += [chapter, *_sections(chapter.subsections)]
    return found


def test_no_page_of_the_body_is_left_mostly_empty(outputs: Path, pdf_pages: list[str]) -> None:
    """A page of the body before its last holds text or a chart over most of it: no chart
    pushed to the next page leaving a blank one behind."""
    reader = PdfReader(outputs / "report.pdf")
    appendix = _first_page_of(pdf_pages, "Appendix A: Tables of the figures")
    sparse = [number for number in range(3, appendix - 1)
              if len(pdf_pages[number - 1]) < 400
              and not reader.pages[number - 1].images]
    assert not sparse, f"nearly empty pages: {sparse}"


def test_draft_is_marked_on_the_cover_and_every_page(pdf_pages: list[str], word: Any,
                                                     findings: dict[str, Any]) -> None:
    assert "DRAFT" in pdf_pages[0]
    assert all("DRAFT" in page for page in pdf_pages[2:])
    header = word.sections[0].header
    assert any("DRAFT" in p.text for p in header.paragraphs)
    final = build_document(findings, discussion="Our reading of these findings.")
    assert not final.draft
    assert "DRAFT" not in render_html_document(final)


def test_docx_contents_update_on_open_and_tables_keep_their_rows(outputs: Path,
                                                                 word: Any) -> None:
    with zipfile.ZipFile(outputs / "report.docx") as archive:
        settings = archive.read("word/settings.xml").decode("utf-8")
    assert re.search(r'<w:updateFields w:val="(true|1)"/>', settings)
    captions = [p for p in word.paragraphs if p.style.name == "Caption"]
    assert any(p.text.startswith("Figure 1.") for p in captions)
    assert any(p.text.startswith("Table A1.") for p in captions)
    for table in word.tables[1:]:  # the cover's counts are not a data table
        rows = table._tbl.tr_lst
        assert rows[0].trPr.find(qn("w:tblHeader")) is not None
        assert all(row.trPr is not None and row.trPr.find(qn("w:cantSplit")) is not None
                   for row in rows)
        order = [child.tag for child in rows[0].trPr]
        assert order.index(qn("w:cantSplit")) < order.index(qn("w:tblHeader"))
        if len(rows) <= SMALL_TABLE_ROWS:
            # Every row but the last is kept with the next: the table stays on one page.
            assert all(cell.paragraphs[0].paragraph_format.keep_with_next
                       for row in table.rows[:-1] for cell in row.cells[:1])
