"""Reading a report into paragraphs and sentences, each knowing its section and place.

Markdown and plain text are read the same way (a `.txt` export of a report is often
Markdown in all but name); HTML through its elements; Word files through python-docx; PDF
through its tags (headings, paragraphs, table rows) when it is a tagged PDF, else through
pypdf's text extraction. Charts are not read: their axis ticks and legends are drawing, not
claims (inline SVG in HTML, Figure elements and artifacts in a tagged PDF). Everything
downstream sees only `Document`, so the checks do not care which format the report came in.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from hrta.audit.language import local, speaking
from hrta.errors import InputError

SUFFIXES = (".md", ".markdown", ".txt", ".text", ".html", ".htm", ".docx", ".pdf")

# Headings under which a report restates findings made elsewhere: their figures are
# compared with the figures of every other section (see checks.conflicting_figures).
_SUMMARY_HEADING = re.compile(
    r"\b(discussion|summary|conclusions?|key (findings|takeaways)|highlights|abstract|"
    r"implications|recommendations)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    text: str
    index: int              # position in the document, counting every sentence
    paragraph: int          # index of its paragraph in Document.paragraphs


@dataclass
class Paragraph:
    text: str
    location: str           # "line 233", "paragraph 12", "page 3", "table 1, row 2, cell 3"
    headings: tuple[str, ...]   # the section path, outermost first
    index: int = 0
    table: bool = False         # a table row, its cells joined by "; "
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def section(self) -> str:
        return self.headings[-1] if self.headings else ""

    @property
    def in_summary(self) -> bool:
        summary = local("summary_heading", _SUMMARY_HEADING)
        return any(_SUMMARY_HEADING.search(h) or summary.search(h) for h in self.headings)


@dataclass
class Document:
    name: str
    paragraphs: list[Paragraph]
    lang: str = "en"        # the language the report declares; its wording is read in it

    @property
    def sentences(self) -> list[Sentence]:
        return [s for p in self.paragraphs for s in p.sentences]

    def paragraph_of(self, sentence: Sentence) -> Paragraph:
        return self.paragraphs[sentence.paragraph]


def read_document(path: Path) -> Document:
    """Read a report in Markdown, plain text, HTML, DOCX or PDF.

    Raises InputError, naming the file, when it is missing, of another kind, or cannot
    be read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            f"cannot audit a {suffix or 'file without an extension'}: give a Markdown (.md), "
            "plain text (.txt), HTML (.html), Word (.docx) or PDF (.pdf) report", file=str(path))
    if not path.is_file():
        raise InputError("no such file" if not path.exists() else "not a file", file=str(path))
    lang = "en"
    if suffix == ".docx":
        blocks = _docx_blocks(path)
        lang = _docx_language(path)
    elif suffix == ".pdf":
        blocks = _pdf_blocks(path)
        lang = _pdf_language(path)
    elif suffix in (".html", ".htm"):
        page = _read_utf8(path)
        blocks = html_blocks(page)
        lang = html_language(page)
    else:
        blocks = markdown_blocks(_read_utf8(path))
    return build_document(path.name, blocks, lang)


# A block is what a reader yields: ("heading", level, text, location),
# ("text", 0, text, location) or ("row", 0, cells joined by "; ", location).
Block = tuple[str, int, str, str]


def build_document(name: str, blocks: list[Block], lang: str = "en") -> Document:
    """Attach section paths to the text blocks and split them into sentences (where a
    sentence ends depends on the language: "¿" may open one, "p. ej." does not close one)."""
    with speaking(lang):
        return _build_document(name, blocks, lang)


def _build_document(name: str, blocks: list[Block], lang: str) -> Document:
    headings: list[tuple[int, str]] = []
    paragraphs: list[Paragraph] = []
    count = 0
    for kind, level, text, location in blocks:
        if kind == "heading":
            headings = [(lvl, h) for lvl, h in headings if lvl < level]
            headings.append((level, text))
            continue
        paragraph = Paragraph(text=text, location=location,
                              headings=tuple(h for _, h in headings), index=len(paragraphs),
                              table=kind == "row")
        for sentence in split_sentences(text):
            paragraph.sentences.append(Sentence(sentence, count, paragraph.index))
            count += 1
        paragraphs.append(paragraph)
    return Document(name, paragraphs, lang)


_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z_-]+)", re.IGNORECASE)


def html_language(page: str) -> str:
    """The language an HTML page declares on its <html> element; English when none."""
    match = _HTML_LANG.search(page[:4000])
    return match.group(1) if match else "en"


def _docx_language(path: Path) -> str:
    """The Word document's language (core properties, else the default run language)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            core = archive.read("docProps/core.xml").decode("utf-8", "replace") \
                if "docProps/core.xml" in names else ""
            styles = archive.read("word/styles.xml").decode("utf-8", "replace") \
                if "word/styles.xml" in names else ""
    except (zipfile.BadZipFile, OSError, KeyError):
        return "en"
    match = (re.search(r"<dc:language>\s*([A-Za-z_-]+)", core)
             or re.search(r"<w:lang\b[^>]*\bw:val=\"([A-Za-z_-]+)\"", styles))
    return match.group(1) if match else "en"


def _pdf_language(path: Path) -> str:
    """The PDF's document language (/Lang in its catalog); English when none."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        root: Any = PdfReader(str(path)).trailer["/Root"].get_object()
        lang = root.get("/Lang")
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        return "en"
    return str(lang) if lang else "en"


def _read_utf8(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read it: {exc.strerror or exc}", file=str(path)) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(f"is not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8",
                         file=str(path), row=line) from exc


# --- Markdown and plain text -------------------------------------------------------------

_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def markdown_blocks(text: str) -> list[Block]:
    """Headings and paragraphs of Markdown (or plain) text, with 1-based line numbers.

    List items and table rows each make their own paragraph: a list item is one claim,
    and a sentence must not run on from one item into the next.
    """
    blocks: list[Block] = []
    lines: list[str] = []
    start = 0

    def flush() -> None:
        if lines:
            joined = clean_inline(" ".join(line.strip() for line in lines))
            if joined:
                if len(lines) == 1 and _looks_like_plain_heading(joined):
                    blocks.append(("heading", 2, joined, f"line {start}"))
                else:
                    blocks.append(("text", 0, joined, f"line {start}"))
        lines.clear()

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        heading = _ATX.match(line)
        if heading:
            flush()
            title = clean_inline(heading.group(2))
            if title:
                blocks.append(("heading", len(heading.group(1)), title, f"line {number}"))
            continue
        if _SETEXT.match(line) and len(lines) == 1:
            title = clean_inline(lines[0])
            lines.clear()
            blocks.append(("heading", 1 if line.strip()[0] == "=" else 2, title,
                           f"line {start}"))
            continue
        if _RULE.match(line) or _TABLE_RULE.match(line):
            flush()
            continue
        if "\t" in line or line.lstrip().startswith("|"):
            flush()
            cells = [c.strip() for c in re.split(r"\t|\|", line) if c.strip()]
            blocks.append(("row", 0, clean_inline("; ".join(cells)), f"line {number}"))
            continue
        if _LIST_ITEM.match(line):
            flush()
            line = _LIST_ITEM.sub("", line, count=1)
        if not lines:
            start = number
        lines.append(line)
    flush()
    return [b for b in blocks if b[2]]


def _looks_like_plain_heading(text: str) -> bool:
    # Plain-text reports mark headings by capitals on a line of their own.
    letters = [c for c in text if c.isalpha()]
    return (len(text) <= 80 and len(letters) >= 3 and all(c.isupper() for c in letters)
            and text[-1] not in ".!?:;,")


_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),             # images: keep alt text
    (re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)"), r"\1"),  # links: keep the text
    (re.compile(r"<(?:https?|mailto):[^>]+>"), ""),             # autolinks
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),                      # inline HTML tags
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>])"), r"\1"),       # backslash escapes
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),                   # strong
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),  # emphasis
    (re.compile(r"(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?![\w_])"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
]


def clean_inline(text: str) -> str:
    """Plain text of a Markdown line: markup dropped, entities decoded, spaces collapsed."""
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    text = html.unescape(text).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip()


# --- HTML -------------------------------------------------------------------------------

_HTML_BLOCKS = frozenset({"p", "li", "caption", "figcaption", "dt", "dd", "blockquote", "pre",
                          "address", "summary", "td", "th"})
# Charts and what a browser does not show are not read: an SVG's text is axis ticks and
# legend entries, not claims.
_HTML_SKIPPED = frozenset({"svg", "script", "style", "template", "head", "noscript", "math"})
_HTML_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                        "meta", "source", "track", "wbr"})


class _HtmlReader(HTMLParser):
    """Headings, paragraph-like elements and table rows of an HTML page, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.skipping = 0
        self.text: list[str] = []       # the open block's text
        self.heading = 0
        self.cells: list[str] | None = None
        self.cell: list[str] | None = None
        self.rows = self.tables = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HTML_VOID:
            return
        if self.skipping or tag in _HTML_SKIPPED or ("hidden", None) in attrs:
            self.skipping += 1
            return
        if tag == "table":
            self.tables += 1
            self.rows = 0
        elif tag == "tr":
            self._flush()
            self.cells = []
        elif tag in ("td", "th") and self.cells is not None:
            self.cell = []
        elif re.fullmatch(r"h[1-6]", tag) or tag in _HTML_BLOCKS:
            self._flush()
            self.heading = int(tag[1]) if re.fullmatch(r"h[1-6]", tag) else 0

    def handle_endtag(self, tag: str) -> None:
        if tag in _HTML_VOID:
            return
        if self.skipping:
            self.skipping -= 1
            return
        if tag in ("td", "th") and self.cell is not None and self.cells is not None:
            cell = _spaced("".join(self.cell))
            if cell:
                self.cells.append(cell)
            self.cell = None
        elif tag == "tr" and self.cells is not None:
            self.rows += 1
            if self.cells:
                self.blocks.append(("row", 0, "; ".join(self.cells),
                                    f"table {self.tables}, row {self.rows}"))
            self.cells = None
        elif re.fullmatch(r"h[1-6]", tag) or tag in _HTML_BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        (self.cell if self.cell is not None else self.text).append(data)

    def _flush(self) -> None:
        text = _spaced("".join(self.text))
        if text:
            kind = "heading" if self.heading else "text"
            self.blocks.append((kind, self.heading, text, f"paragraph {self._count() + 1}"))
        self.text = []
        self.heading = 0

    def _count(self) -> int:
        return sum(1 for kind, *_ in self.blocks if kind != "row")

    def close(self) -> None:
        super().close()
        self._flush()


def _spaced(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def html_blocks(text: str) -> list[Block]:
    """Headings, paragraphs and table rows of an HTML report; charts (inline SVG) left out.
    Locations count paragraphs and headings (`paragraph 12`) and table rows (`table 2, row 3`)."""
    reader = _HtmlReader()
    reader.feed(text)
    reader.close()
    return reader.blocks


# --- Word ---------------------------------------------------------------------------------

def _docx_blocks(path: Path) -> list[Block]:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph as DocxParagraph

    try:
        doc = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(f"cannot be read as a Word document: {exc}", file=str(path)) from exc

    blocks: list[Block] = []
    number = tables = 0
    # python-docx looks a paragraph's style up afresh each time (a scan of every style):
    # the report uses a handful, so each is looked up once.
    styles: dict[str | None, str] = {}
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = DocxParagraph(child, doc)
            text = re.sub(r"\s+", " ", paragraph.text).strip()
            if not text:
                continue
            number += 1
            style_id = child.style
            if style_id not in styles:
                styles[style_id] = paragraph.style.name if paragraph.style else ""
            level = _docx_heading_level(styles[style_id])
            kind = "heading" if level else "text"
            blocks.append((kind, level, text, f"paragraph {number}"))
        elif tag == "tbl":
            tables += 1
            table = Table(child, doc)
            for r, row in enumerate(table.rows, start=1):
                # A row keeps its label beside its figures; a merged cell appears once per
                # grid column it spans, so it is read once.
                cells: list[str] = []
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    text = re.sub(r"\s+", " ", cell.text).strip()
                    if text:
                        cells.append(text)
                if cells:
                    blocks.append(("row", 0, "; ".join(cells), f"table {tables}, row {r}"))
    return blocks


def _docx_heading_level(style: str) -> int:
    if style == "Title":
        return 1
    match = re.fullmatch(r"Heading\s*(\d)", style)
    return int(match.group(1)) if match else 0


# --- PDF ----------------------------------------------------------------------------------

_CAPTION = re.compile(r"^(Figure|Fig\.|Table|Exhibit|Chart)\s+\d+", re.IGNORECASE)


def _pdf_blocks(path: Path) -> list[Block]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and reader.decrypt("") == 0:
            raise InputError("is an encrypted PDF: save an unprotected copy", file=str(path))
        tagged = _tagged_pdf_blocks(reader)
        if tagged:
            return tagged
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(f"cannot be read as a PDF: {exc}", file=str(path)) from exc
    if not any(page.strip() for page in pages):
        raise InputError("has no text to read (a scanned PDF needs OCR first)", file=str(path))

    blocks: list[Block] = []
    for number, page in enumerate(pages, start=1):
        blocks.extend(_pdf_page_blocks(page, f"page {number}"))
    return blocks


# A tagged PDF (PDF/UA, as hrta writes) says what each piece of text is: headings, paragraphs,
# list items and table cells are read from its structure tree; Figure elements (charts, with
# their ticks and legends) and artifacts (running headers, page numbers) are not.
_PDF_HEADING = re.compile(r"/H([1-6])")
_PDF_TEXT = frozenset({"/P", "/LBody", "/Caption", "/Note", "/Quote", "/BlockQuote", "/TOCI",
                       "/Title"})
_PDF_SKIPPED = frozenset({"/Figure", "/Formula", "/Artifact", "/Lbl"})


def _tagged_pdf_blocks(reader: Any) -> list[Block] | None:
    """Blocks of a tagged PDF in structure order, or None when the PDF has no structure tree."""
    root = reader.trailer["/Root"].get_object()
    tree = root.get("/StructTreeRoot")
    if tree is None:
        return None
    pages = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages)}
    hidden = _hidden_ids(tree, pages)
    marked = [_marked_text(page, hidden.get(number, set()))
              for number, page in enumerate(reader.pages)]
    blocks: list[Block] = []
    rows: dict[int, int] = {}

    def content(node: Any, page: int | None, out: list[tuple[int, str]]) -> None:
        """The text under a node as (page, text) pieces, figures left out."""
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, int):
            if page is not None:
                out.append((page, marked[page].get(node, "")))
            return
        if not hasattr(node, "get"):
            return
        if node.get("/S") in _PDF_SKIPPED:
            return
        page = _page_of(node, pages, page)
        if "/MCID" in node:
            content(node["/MCID"], page, out)
            return
        for kid in _kids(node):
            content(kid, page, out)

    def joined(pieces: list[tuple[int, str]]) -> str:
        return re.sub(r"\s+", " ", "".join(text for _, text in pieces)).strip()

    def visit(node: Any, page: int | None) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if not hasattr(node, "get"):
            return
        kind = str(node.get("/S", ""))
        if kind in _PDF_SKIPPED:
            return
        page = _page_of(node, pages, page)
        heading = _PDF_HEADING.fullmatch(kind)
        if kind == "/TR":
            cells = []
            first: int | None = None
            for cell in _kids(node):
                pieces: list[tuple[int, str]] = []
                content(cell, page, pieces)
                if pieces and first is None:
                    first = pieces[0][0]
                text = joined(pieces)
                if text:
                    cells.append(text)
            if cells and first is not None:
                rows[first] = rows.get(first, 0) + 1
                blocks.append(("row", 0, "; ".join(cells), f"page {first + 1}"))
            return
        if heading or kind in _PDF_TEXT:
            pieces = []
            content(node, page, pieces)
            text = joined(pieces)
            if text and pieces:
                level = int(heading.group(1)) if heading else 0
                blocks.append(("heading" if heading else "text", level, text,
                               f"page {pieces[0][0] + 1}"))
            return
        # A grouping element (Document, Sect, Div, L, Table…): text marked directly under it
        # is a paragraph of its own, between its block children.
        loose: list[tuple[int, str]] = []
        for kid in _kids(node):
            target = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(target, int) or (hasattr(target, "get") and (
                    "/MCID" in target or target.get("/S") in ("/Span", "/Link"))):
                content(kid, page, loose)
                continue
            _flush_loose(loose, blocks, joined)
            visit(kid, page)
        _flush_loose(loose, blocks, joined)

    visit(tree, None)
    return blocks


def _flush_loose(loose: list[tuple[int, str]], blocks: list[Block], joined: Any) -> None:
    text = joined(loose)
    if text:
        blocks.append(("text", 0, text, f"page {loose[0][0] + 1}"))
    loose.clear()


def _kids(node: Any) -> list[Any]:
    kids = node.get("/K")
    if kids is None:
        return []
    kids = kids.get_object() if hasattr(kids, "get_object") else kids
    return list(kids) if isinstance(kids, list) else [kids]


def _page_of(node: Any, pages: dict[int, int], inherited: int | None) -> int | None:
    ref = node.raw_get("/Pg") if hasattr(node, "raw_get") and "/Pg" in node else None
    if ref is not None and hasattr(ref, "idnum"):
        return pages.get(ref.idnum, inherited)
    return inherited


def _hidden_ids(tree: Any, pages: dict[int, int]) -> dict[int, set[int]]:
    """The marked-content ids, by page, of the elements the audit leaves out (figures,
    artifacts): one pass over the structure tree, before the pages are read."""
    hidden: dict[int, set[int]] = {}

    def visit(node: Any, page: int | None, inside: bool) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, int):
            if inside and page is not None:
                hidden.setdefault(page, set()).add(node)
            return
        if not hasattr(node, "get"):
            return
        inside = inside or node.get("/S") in _PDF_SKIPPED
        page = _page_of(node, pages, page)
        if "/MCID" in node:
            visit(node["/MCID"], page, inside)
            return
        for kid in _kids(node):
            visit(kid, page, inside)

    visit(tree, None, False)
    return hidden


_ARTIFACT_ID = -1  # marks an artifact on the stack of marked content


class _FormGate:
    """Hides a page's form XObjects from pypdf while `closed`.

    A chart is drawn as form XObjects (thousands of text runs for ticks and legends) inside
    a Figure element; pypdf would parse every one of them only for the text to be dropped.
    Shown an image in their place, it skips them: reading a report's PDF takes half the time.
    """

    closed = False


def _marked_text(page: Any, hidden: set[int] | frozenset[int] = frozenset()) -> dict[int, str]:
    """The text of each marked-content id on a page (text outside any is not collected).

    Form XObjects drawn where no text would be collected (outside any id, in an artifact,
    or under an id in `hidden`) are not read at all.
    """
    stack: list[int | None] = []
    texts: dict[int, list[str]] = {}
    gate = _gate_forms(page)

    def owner() -> int | None:
        return next((mcid for mcid in reversed(stack) if mcid is not None), None)

    def before(operator: bytes, operands: list[Any], cm: Any, tm: Any) -> None:
        if operator == b"Do" and gate is not None:
            current = owner()
            gate.closed = (_ARTIFACT_ID in stack or current is None or current in hidden)
        elif operator == b"BDC":
            props: Any = operands[1] if len(operands) > 1 else None
            props = props.get_object() if hasattr(props, "get_object") else props
            mcid = props.get("/MCID") if hasattr(props, "get") else None
            stack.append(_ARTIFACT_ID if operands[0] == "/Artifact"
                         else None if mcid is None else int(mcid))
        elif operator == b"BMC":
            stack.append(_ARTIFACT_ID if operands[0] == "/Artifact" else None)
        elif operator == b"EMC" and stack:
            stack.pop()

    def text(value: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        # Marked content nests: the innermost id owns the text, and text anywhere inside an
        # artifact belongs to nobody.
        if not value or _ARTIFACT_ID in stack:
            return
        current = owner()
        if current is not None:
            texts.setdefault(current, []).append(value)

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return {mcid: "".join(parts) for mcid, parts in texts.items()}


def _gate_forms(page: Any) -> _FormGate | None:
    """Put a gated copy of the page's /XObject resources in place (on this reader's copy
    of the page only; the file is not changed)."""
    from pypdf.generic import DictionaryObject, NameObject

    found = page.get("/Resources")
    resources: Any = found.get_object() if found is not None else None
    forms = resources.get("/XObject") if resources is not None else None
    if forms is None:
        return None
    gate = _FormGate()
    image = DictionaryObject({NameObject("/Subtype"): NameObject("/Image")})

    class Gated(DictionaryObject):
        def __getitem__(self, key: Any) -> Any:
            return image if gate.closed else super().__getitem__(key)

    replaced = DictionaryObject(resources)
    replaced[NameObject("/XObject")] = Gated(forms.get_object())
    page[NameObject("/Resources")] = replaced
    return gate


def _pdf_page_blocks(page: str, location: str) -> list[Block]:
    """Paragraphs of one page of extracted text.

    Extraction gives lines, not paragraphs: a blank line, a caption, a heading in
    capitals or a short line ending a sentence closes a paragraph.
    """
    blocks: list[Block] = []
    lines: list[str] = []
    width = max((len(line.strip()) for line in page.splitlines()), default=0)

    def flush() -> None:
        text = ""
        for line in lines:
            # A word broken at a line end keeps its hyphen: "step-by-" + "step".
            text += line if text.endswith("-") else (" " + line if text else line)
        text = re.sub(r"\s+", " ", text).strip()
        if text:
            blocks.append(("text", 0, text, location))
        lines.clear()

    for raw in page.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if _looks_like_plain_heading(line) and not _CAPTION.match(line):
            flush()
            blocks.append(("heading", 2, line, location))
            continue
        if _CAPTION.match(line):
            flush()
        lines.append(line)
        if line.endswith((".", "!", "?", ":", ")")) and len(line) < 0.7 * width:
            flush()
    flush()
    return blocks


# --- Sentences ----------------------------------------------------------------------------

# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(re.findall(r"\S+", """
    e.g i.e etc vs al dr mr mrs ms prof no nos fig figs approx inc ltd co corp jr sr st
    p pp vol ed eds jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k ph.d
"""))
_BOUNDARY = re.compile(r"[.!?]+[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
_CAPTION_HEAD = re.compile(r"^(Figure|Fig|Table|Exhibit|Chart)\s+\d+[A-Za-z]?\.$", re.IGNORECASE)


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; abbreviations, initials and caption numbers do not split."""
    sentences: list[str] = []
    start = 0
    abbreviations = local("abbreviations", _ABBREVIATIONS)
    for match in local("boundary", _BOUNDARY).finditer(text):
        end = match.end()
        candidate = text[start:end].strip()
        word = re.search(r"(\S+?)[.!?]+[\"”’)\]]*\s*$", candidate)
        token = word.group(1).lower().lstrip("(\"“") if word else ""
        if token in abbreviations or (len(token) == 1 and token.isalpha()):
            continue
        if _CAPTION_HEAD.match(candidate) or local("caption_head", _CAPTION_HEAD).match(candidate):
            continue
        sentences.append(candidate)
        start = end
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences
