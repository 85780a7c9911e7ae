"""The stakeholder analysis as an editable Word file, drawn with python-docx.

Chapters are real Heading 1 paragraphs (Heading 2 for sections), so Word's navigation
pane and table of contents work; tables are Word tables with a repeating header row;
charts are PNG pictures from the same Vega-Lite specs as the HTML, each with alt text.
python-docx writes text as XML text nodes, so answers from data can never become markup.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import docx as python_docx
from docx.document import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.styles import CT_Style
from docx.shared import Inches, Pt, RGBColor
from docx.text.paragraph import Paragraph as WordParagraph

from hrta.report import charts
from hrta.report.document import (
    SMALL_TABLE_ROWS,
    Block,
    Bullets,
    Document,
    Figure,
    Heading,
    Listing,
    Paragraph,
    Run,
    Section,
    Table,
)
from hrta.report.palette import ACCENT, MUTED
from hrta.report.words import Words, report_words

FONT = "Arial"  # Liberation Sans, which has its metrics, stands in where Arial is missing
CODE_FONT = "Courier New"
TEXT_WIDTH = Inches(6.5)  # Letter with one-inch margins
HEADER_FILL = "DCE4EF"
NOTE_SIZE = Pt(8.5)
DRAFT_RED = "B50909"
# Word's proofing language of each report language: U.S. English and U.S. Spanish.
PROOFING = {"en": "en-US", "es": "es-US"}


def write_docx(document: Document, path: Path) -> None:
    word = python_docx.Document()
    words = report_words(document.language)
    pictures = _pictures(document)
    _set_up(word, document, words)
    _cover(word, document, words)
    _contents(word, document, words)
    starts = document.new_pages()
    for section in document.sections:
        _section(word, section, 1, pictures, starts, words)
    _add(word, document.footer, "Caption")
    word.save(str(path))


# Page, styles, cover, contents -----------------------------------------------------------

def _pictures(document: Document) -> dict[str, bytes]:
    """Each chart as a PNG, two at a time: vl-convert rasterises outside Python's lock, so
    on two cores the pictures take half the time."""
    from concurrent.futures import ThreadPoolExecutor

    figures = [f for f in document.figures() if f.chart]
    with ThreadPoolExecutor(max_workers=2) as pool:
        drawn = pool.map(lambda f: charts.to_png(f.chart.spec), figures)
        return {f.anchor: png for f, png in zip(figures, drawn, strict=True)}


def _set_up(word: WordDocument, document: Document, words: Words) -> None:
    for section in word.sections:
        section.left_margin = section.right_margin = Inches(1)
        section.top_margin = section.bottom_margin = Inches(1)
        section.different_first_page_header_footer = True  # a bare cover
        header = section.header.paragraphs[0]
        header.text = document.title
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _small(header, muted=True)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run(words("doc.page") + " ")
        _field(footer, "PAGE", "1")
        _small(footer, muted=True)
    if document.draft:
        mark = section.header.paragraphs[0].insert_paragraph_before()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = mark.add_run(words("doc.draft"))
        run.bold = True
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor.from_string(DRAFT_RED)
    _update_fields_on_open(word)
    styles = word.styles
    styles["Normal"].font.name = FONT
    styles["Normal"].font.size = Pt(10.5)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Caption"):
        styles[name].font.name = FONT
        _set_east_asian_font(styles[name].element, FONT)
    _set_east_asian_font(styles["Normal"].element, FONT)
    set_proofing_language(word, document.language)
    for name in ("Title", "Heading 1", "Heading 2"):
        styles[name].font.color.rgb = RGBColor.from_string(ACCENT.lstrip("#").upper())
    styles["Caption"].font.size = Pt(10)
    styles["Caption"].font.bold = True
    styles["Caption"].font.italic = False
    styles["Caption"].font.color.rgb = RGBColor(0x1B, 0x1B, 0x1B)
    word.core_properties.title = document.title
    word.core_properties.subject = document.subtitle
    word.core_properties.author = document.generator


def set_proofing_language(word: WordDocument, language: str) -> None:
    """Mark the text as written in `language` (Normal, which every style is based on), so
    Word checks its spelling in that language and a screen reader reads it in it."""
    code = PROOFING.get(language, language)
    defaults = word.styles.element.find(qn("w:docDefaults"))
    found = [] if defaults is None else defaults.findall(f".//{qn('w:rPr')}")
    for rpr in [*found, _oxml(word.styles["Normal"].element).get_or_add_rPr()]:
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), code)
    word.core_properties.language = code


def _update_fields_on_open(word: WordDocument) -> None:
    """Ask Word to update every field when the file opens, so the contents list gets its
    page numbers (python-docx cannot lay out pages to compute them)."""
    settings = word.settings.element
    flag = settings.find(qn("w:updateFields"))
    if flag is None:
        flag = OxmlElement("w:updateFields")
        settings.append(flag)
    flag.set(qn("w:val"), "true")


def _set_east_asian_font(style_element: CT_Style, font: str) -> None:
    """Word picks a theme font for some scripts unless every rFonts slot is named."""
    rpr = _oxml(style_element).get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), font)
    # A theme font (the template's headings use one) wins over a named font in Word and
    # LibreOffice alike, so headings would come out in the theme's face.
    for slot in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(slot), None)


def _cover(word: WordDocument, document: Document, words: Words) -> None:
    for _ in range(5):
        word.add_paragraph()
    if document.draft:
        run = word.add_paragraph().add_run(words("doc.draft.cover"))
        run.bold = True
        run.font.color.rgb = RGBColor.from_string(DRAFT_RED)
    else:
        word.add_paragraph()
    _add(word, document.title, "Title")
    subtitle = word.add_paragraph()
    subtitle.add_run(document.subtitle).italic = True
    facts = word.add_table(rows=2, cols=len(document.facts))
    facts.alignment = WD_TABLE_ALIGNMENT.LEFT
    for column, (label, value) in enumerate(document.facts):
        facts.rows[0].cells[column].text = label
        number = facts.rows[1].cells[column].paragraphs[0].add_run(value)
        number.bold = True
        number.font.size = Pt(20)
    for line in document.cover_lines:
        _small(word.add_paragraph(line), muted=True)
    word.add_page_break()


def _contents(word: WordDocument, document: Document, words: Words) -> None:
    """A Word table-of-contents field; until Word updates it (F9) it lists the chapters."""
    title = word.add_paragraph()
    run = title.add_run(words("doc.contents"))
    run.bold = True
    run.font.size = Pt(16)
    entries = [(t, depth) for s in document.sections
               for t, depth in [(s.title, 0), *((sub.title, 1) for sub in s.subsections)]]
    for index, (text, depth) in enumerate(entries):
        paragraph = word.add_paragraph()
        paragraph.paragraph_format.left_indent = Inches(0.3 * depth)
        if index == 0:
            _field_start(paragraph, 'TOC \\o "1-2" \\h \\z \\u')
        paragraph.add_run(text)
        if index == len(entries) - 1:
            _field_end(paragraph)


# Sections and blocks ---------------------------------------------------------------------

def _section(word: WordDocument, section: Section, level: int,
             pictures: dict[str, bytes], starts: set[str], words: Words) -> None:
    heading = word.add_heading(section.title, level=min(level, 4))
    heading.paragraph_format.keep_with_next = True
    if section.anchor in starts:
        heading.paragraph_format.page_break_before = True
    for block in section.blocks:
        _block(word, block, pictures, words)
    for sub in section.subsections:
        _section(word, sub, level + 1, pictures, starts, words)


def _block(word: WordDocument, block: Block, pictures: dict[str, bytes],
           words: Words) -> None:
    if isinstance(block, Paragraph):
        _paragraph(word, block)
    elif isinstance(block, Bullets):
        _bullets(word, block)
    elif isinstance(block, Heading):
        word.add_heading(block.text, level=min(block.level, 4))
    elif isinstance(block, Table):
        _table(word, block, words)
    elif isinstance(block, Figure):
        _figure(word, block, pictures, words)
    elif isinstance(block, Listing):
        _listing(word, block, words)


def _paragraph(word: WordDocument, block: Paragraph) -> None:
    paragraph = word.add_paragraph()
    _runs(paragraph, block.runs)
    if block.role == "term":
        paragraph.paragraph_format.keep_with_next = True
    if block.role in ("note", "placeholder"):
        _small(paragraph, muted=True, italic=block.role == "placeholder")


def _runs(paragraph: WordParagraph, runs: Sequence[Run]) -> None:
    for run in runs:
        text = f"{run.text} ({run.href})" if run.href and run.href != run.text else run.text
        added = paragraph.add_run(text)
        added.bold = run.bold or None
        added.italic = run.italic or None
        if run.code:
            added.font.name = CODE_FONT


def _bullets(word: WordDocument, block: Bullets) -> None:
    if block.inline:
        word.add_paragraph(" · ".join("".join(r.text for r in item) for item in block.items))
        return
    style = "List Number" if block.ordered else "List Bullet"
    number = _new_numbering(word) if block.ordered else None
    for item in block.items:
        paragraph = _add(word, "", style)
        if number is not None:
            num_pr = _oxml(paragraph._p).get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = 0
            num_pr.get_or_add_numId().val = number
        _runs(paragraph, item)


def _new_numbering(word: WordDocument) -> int:
    """A numbering of its own for one list, restarting at 1: paragraphs styled List Number
    otherwise share one count, so a second list would go on from the first."""
    numbering = word.part.numbering_part.numbering_definitions._numbering
    style_num = word.styles["List Number"].element.pPr.numPr.numId.val
    abstract = numbering.num_having_numId(style_num).abstractNumId.val
    num = numbering.add_num(abstract)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return int(num.numId)


def _figure(word: WordDocument, figure: Figure, pictures: dict[str, bytes],
            words: Words) -> None:
    caption = _add(word, figure.caption, "Caption")
    caption.paragraph_format.keep_with_next = True
    if figure.empty:
        _small(word.add_paragraph(figure.empty), muted=True, italic=True)
        return
    if figure.chart is not None:
        width = int(TEXT_WIDTH * charts.print_share(figure.chart.spec))
        word.add_picture(io.BytesIO(pictures[figure.anchor]), width=width)
        picture = word.inline_shapes[-1]
        # python-docx has no alt-text API: Word reads it from the drawing's docPr.
        picture._inline.docPr.set("descr", figure.chart.alt)
        picture._inline.docPr.set("title", figure.caption)
    for note in figure.notes:
        _small(word.add_paragraph(note), muted=True)
    for table in figure.tables:
        _table(word, table, words)
    for other in figure.others:
        _small(word.add_paragraph(words("doc.others", question=other.question.lower(),
                                        total=f"{other.total:,}")), muted=True)
        for text in other.texts:
            _add(word, text, "List Bullet")
        if other.total > len(other.texts):
            _small(word.add_paragraph(words("doc.others.first", shown=f"{len(other.texts):,}",
                                            total=f"{other.total:,}")), muted=True)
        if other.withheld:
            _small(word.add_paragraph(words.count("doc.others.withheld_count", other.withheld,
                                                  write_ins=f"{other.withheld:,}")), muted=True)


def _listing(word: WordDocument, listing: Listing, words: Words) -> None:
    _add(word, listing.caption, "Caption").paragraph_format.keep_with_next = True
    _small(word.add_paragraph(words("doc.listing.question", prompt=listing.prompt)),
           muted=True)
    if listing.empty:
        _small(word.add_paragraph(listing.empty), muted=True, italic=True)
        return
    for answer in listing.answers:
        _add(word, answer, "List Bullet")
    if listing.total > len(listing.answers):
        _small(word.add_paragraph(words("doc.listing.first", shown=f"{len(listing.answers):,}",
                                        total=f"{listing.total:,}")), muted=True)


def _table(word: WordDocument, table: Table, words: Words) -> None:
    stub = table.stub or words("table.option")
    if table.caption:
        caption = _add(word, table.caption, "Caption")
        caption.paragraph_format.keep_with_next = True
    if table.empty:
        _small(word.add_paragraph(table.empty), muted=True, italic=True)
        return
    header_rows = 2 if table.grouped else 1
    grid = word.add_table(rows=header_rows + len(table.rows), cols=1 + len(table.columns))
    grid.style = word.styles["Table Grid"]
    rows = grid.rows
    labels = [c.label for c in table.columns]
    size = Pt(7) if table.wide else Pt(9)
    _rules(grid)
    # Widths before merging: a merged header cell takes the sum of the cells it spans.
    grid.autofit = False
    for index, width in enumerate(_column_widths(table, size)):
        grid.columns[index].width = width
        for cell in grid.columns[index].cells:
            cell.width = width
    if table.grouped:
        # Each group's label goes in its first column only; merging then spans it.
        spans = [label for group, span in table.groups for label in [group] + [""] * (span - 1)]
        _header(rows[0].cells, [stub, *spans], size)
        _header(rows[1].cells, ["", *labels], size)
        rows[0].cells[0].merge(rows[1].cells[0])
        start = 1
        for _, span in table.groups:
            if span > 1:
                rows[0].cells[start].merge(rows[0].cells[start + span - 1])
            start += span
    else:
        _header(rows[0].cells, [stub, *labels], size)
    for row in rows[:header_rows]:
        _repeat_as_header(row)
    numeric = [c.numeric for c in table.columns]
    _keep_together(table, list(rows), header_rows)
    for row, cells in zip(table.rows, rows[header_rows:], strict=True):
        values = [row.label, *row.cells]
        for index, (cell, value) in enumerate(zip(cells.cells, values, strict=True)):
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(value)
            run.bold = row.total or None
            run.font.size = size
            if index and numeric[index - 1]:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for note in table.notes:
        _small(word.add_paragraph(note), muted=True)
    word.add_paragraph()


def _column_widths(table: Table, size: Pt) -> list[int]:
    """Widths that fit each column's longest entry, the row labels taking what is left.

    Word and LibreOffice otherwise split the page evenly, which wraps long option labels
    into a narrow first column over many lines beside mostly empty number columns.
    """
    # A generous average width of a character of Arial (digits and % are wide), and the
    # cell's left and right margins.
    character = size * 0.62
    padding = Inches(0.2)
    widths = []
    for index, column in enumerate(table.columns):
        cells = [row.cells[index] for row in table.rows]
        # Headers wrap between words; numbers and short text do not.
        longest = max([len(cell) for cell in cells] + [len(word) for word in column.label.split()]
                      + [min(len(column.label), 14)])
        wanted = int(longest * character) + padding
        limit = Inches(1.1) if column.numeric else Inches(1.4)
        widths.append(max(Inches(0.5), min(wanted, limit)))
    smallest_stub = Inches(1.6) if len(widths) > 3 else Inches(2.4)
    room = TEXT_WIDTH - smallest_stub
    if sum(widths) > room:
        widths = [int(width * room / sum(widths)) for width in widths]
    return [int(TEXT_WIDTH - sum(widths)), *widths]


def _rules(grid: object) -> None:
    """Horizontal rules only, as in the PDF: a line above and below the table and a light
    one between rows; no vertical lines."""
    borders = OxmlElement("w:tblBorders")
    for edge, value, weight, colour in (
            ("top", "single", "8", "1B1B1B"), ("left", "nil", "0", "auto"),
            ("bottom", "single", "8", "1B1B1B"), ("right", "nil", "0", "auto"),
            ("insideH", "single", "4", "DFE1E2"), ("insideV", "nil", "0", "auto")):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), value)
        line.set(qn("w:sz"), weight)
        line.set(qn("w:space"), "0")
        line.set(qn("w:color"), colour)
        borders.append(line)
    properties = _oxml(grid)._tbl.tblPr
    existing = properties.find(qn("w:tblBorders"))
    if existing is not None:
        properties.remove(existing)
    properties.append(borders)


def _header(cells: Sequence[object], labels: Sequence[str], size: Pt) -> None:
    for cell, label in zip(cells, labels, strict=True):
        if label:
            run = _oxml(cell).paragraphs[0].add_run(label)
            run.bold = True
            run.font.size = size
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:fill"), HEADER_FILL)
        _oxml(cell)._tc.get_or_add_tcPr().append(shading)


def _keep_together(table: Table, rows: list[object], header_rows: int) -> None:
    """No row breaks across a page; a short table stays on one page, and a net row stays
    with the rows above it (Word keeps a row with the next one when its paragraphs are
    kept with the next)."""
    small = len(rows) - header_rows <= SMALL_TABLE_ROWS
    for index, row in enumerate(rows):
        # cantSplit comes before tblHeader in a row's properties (the schema's order).
        _oxml(row)._tr.get_or_add_trPr().insert(0, OxmlElement("w:cantSplit"))
        following = index + 1 - header_rows
        if index == len(rows) - 1:
            continue
        if index < header_rows or small or (following >= 0 and table.rows[following].total):
            for cell in _oxml(row).cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True


def _repeat_as_header(row: object) -> None:
    """Mark a row as a header row: Word repeats it on every page the table spans."""
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    _oxml(row)._tr.get_or_add_trPr().append(flag)


# Small helpers ---------------------------------------------------------------------------

def _oxml(element: object) -> Any:
    """A python-docx object reached below its typed API. Its XML element classes gain their
    `get_or_add_*` methods when the module loads, so its type hints cannot declare them;
    this is the one place that says so."""
    return element


def _add(word: WordDocument, text: str, style: str) -> WordParagraph:
    paragraph = word.add_paragraph(text)
    # Setting the style id directly skips python-docx's scan for the default style, which
    # it repeats on every styled paragraph (a third of the time of a report's answers).
    paragraph._p.style = word.styles[style].style_id
    return paragraph


def _small(paragraph: WordParagraph, *, muted: bool = False, italic: bool = False) -> None:
    for run in paragraph.runs:
        run.font.size = NOTE_SIZE
        if muted:
            run.font.color.rgb = RGBColor.from_string(MUTED.lstrip("#").upper())
        if italic:
            run.italic = True


def _field(paragraph: WordParagraph, instruction: str, shown: str) -> None:
    _field_start(paragraph, instruction)
    paragraph.add_run(shown)
    _field_end(paragraph)


def _field_start(paragraph: WordParagraph, instruction: str) -> None:
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")  # stale until updated: Word recomputes it on open
    paragraph.add_run()._r.append(begin)
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = instruction
    paragraph.add_run()._r.append(code)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    paragraph.add_run()._r.append(separate)


def _field_end(paragraph: WordParagraph) -> None:
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)
