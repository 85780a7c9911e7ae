"""Reading a report into paragraphs and sentences, each knowing its section and place.

Markdown and plain text are read the same way (a `.txt` export of a report is often
Markdown in all but name); Word files through python-docx, PDF through pypdf's text
extraction. Everything downstream sees only `Document`, so the checks do not care
which format the report came in.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from hrta.errors import InputError

SUFFIXES = (".md", ".markdown", ".txt", ".text", ".docx", ".pdf")

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
        return any(_SUMMARY_HEADING.search(h) for h in self.headings)


@dataclass
class Document:
    name: str
    paragraphs: list[Paragraph]

    @property
    def sentences(self) -> list[Sentence]:
        return [s for p in self.paragraphs for s in p.sentences]

    def paragraph_of(self, sentence: Sentence) -> Paragraph:
        return self.paragraphs[sentence.paragraph]


def read_document(path: Path) -> Document:
    """Read a report in Markdown, plain text, DOCX or PDF.

    Raises InputError, naming the file, when it is missing, of another kind, or cannot
    be read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            f"cannot audit a {suffix or 'file without an extension'}: give a Markdown (.md), "
            "plain text (.txt), Word (.docx) or PDF (.pdf) report", file=str(path))
    if not path.is_file():
        raise InputError("no such file" if not path.exists() else "not a file", file=str(path))
    if suffix == ".docx":
        blocks = _docx_blocks(path)
    elif suffix == ".pdf":
        blocks = _pdf_blocks(path)
    else:
        blocks = markdown_blocks(_read_utf8(path))
    return build_document(path.name, blocks)


# A block is what a reader yields: ("heading", level, text, location),
# ("text", 0, text, location) or ("row", 0, cells joined by "; ", location).
Block = tuple[str, int, str, str]


def build_document(name: str, blocks: list[Block]) -> Document:
    """Attach section paths to the text blocks and split them into sentences."""
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
    return Document(name, paragraphs)


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
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = DocxParagraph(child, doc)
            text = re.sub(r"\s+", " ", paragraph.text).strip()
            if not text:
                continue
            number += 1
            level = _docx_heading_level(paragraph.style.name if paragraph.style else "")
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
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        candidate = text[start:end].strip()
        word = re.search(r"(\S+?)[.!?]+[\"”’)\]]*\s*$", candidate)
        token = word.group(1).lower().lstrip("(\"“") if word else ""
        if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
            continue
        if _CAPTION_HEAD.match(candidate):
            continue
        sentences.append(candidate)
        start = end
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences
