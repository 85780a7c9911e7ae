"""The report as one format-neutral document, built once from Findings.

HTML, PDF and Word renderers only draw a `Document`: they decide how a paragraph, a table
or a figure looks, never what it says. Text from data is held here as plain strings;
each renderer escapes it its own way (Jinja autoescaping, python-docx's XML writer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from hrta.report.charts import ChartSpec


@dataclass(frozen=True)
class Run:
    """A stretch of text in one style, e.g. a bold phrase of the analyst's discussion."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    href: str = ""


@dataclass(frozen=True)
class Paragraph:
    block: ClassVar[str] = "paragraph"
    runs: tuple[Run, ...]
    # body; lead (generated findings sentences); note (small print); term (a line that
    # introduces the ones after it, kept on their page); placeholder
    role: str = "body"

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class Bullets:
    block: ClassVar[str] = "bullets"
    items: tuple[tuple[Run, ...], ...]
    ordered: bool = False
    # A long list of short entries (the 56 states of a question) reads better run together.
    inline: bool = False


@dataclass(frozen=True)
class Heading:
    """A heading inside a section's flow; `level` counts from 1 (a chapter) like Word."""

    block: ClassVar[str] = "heading"
    text: str
    level: int


# Tables this short are never split across pages (in print and in Word).
SMALL_TABLE_ROWS = 15
# Tables with more value columns than this are set smaller to fit the page.
WIDE_COLUMNS = 6


@dataclass(frozen=True)
class Column:
    label: str
    group: str = ""  # columns of one group share a spanning header (e.g. one per question)
    numeric: bool = True


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[str, ...]
    total: bool = False  # a subtotal, e.g. an agree/disagree net under its options


@dataclass(frozen=True)
class Table:
    block: ClassVar[str] = "table"
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    stub: str = ""  # header of the first column, which labels the rows
    caption: str = ""
    notes: tuple[str, ...] = ()
    empty: str = ""  # shown instead of rows when there are none

    @property
    def groups(self) -> list[tuple[str, int]]:
        """Runs of columns sharing a group header, as (header, span)."""
        runs: list[tuple[str, int]] = []
        for column in self.columns:
            if runs and runs[-1][0] == column.group:
                runs[-1] = (column.group, runs[-1][1] + 1)
            else:
                runs.append((column.group, 1))
        return runs

    @property
    def grouped(self) -> bool:
        return any(column.group for column in self.columns)

    @property
    def wide(self) -> bool:
        """Too many columns for the usual type size (e.g. a comparison of many groups)."""
        return len(self.columns) > WIDE_COLUMNS


@dataclass(frozen=True)
class Chart:
    """A Vega-Lite spec with its data inline, and the alt text every format carries."""

    spec: ChartSpec
    alt: str


@dataclass(frozen=True)
class OtherTexts:
    question: str
    texts: tuple[str, ...]
    total: int  # how many were written; more than len(texts) when the listing is capped
    qid: str = ""  # the question's id, which names each write-in (hrta.report.themes)
    withheld: int = 0  # how many of `texts` are a note that the name screen held one back


@dataclass(frozen=True)
class Figure:
    """A numbered figure (chart and its tables) or table of the findings."""

    block: ClassVar[str] = "figure"
    kind: str  # figure or table
    anchor: str
    caption: str
    chart: Chart | None = None
    tables: tuple[Table, ...] = ()
    notes: tuple[str, ...] = ()
    empty: str = ""
    others: tuple[OtherTexts, ...] = ()


@dataclass(frozen=True)
class Listing:
    """Open-ended answers, listed as written."""

    block: ClassVar[str] = "listing"
    anchor: str
    caption: str
    prompt: str
    answers: tuple[str, ...] = ()
    total: int = 0
    empty: str = ""


Block = Paragraph | Bullets | Heading | Table | Figure | Listing


@dataclass(frozen=True)
class Section:
    """A chapter (top level) or a subsection of one; nesting gives the heading level."""

    anchor: str
    title: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = field(default_factory=tuple)
    # An appendix: the numbers behind the figures and other reference matter, after the
    # body a reader is meant to read through.
    appendix: bool = False


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: str
    cover_lines: tuple[str, ...]
    facts: tuple[tuple[str, str], ...]  # the counts on the cover
    sections: tuple[Section, ...]
    generator: str
    footer: str
    # Written without the analyst's discussion: the cover and every page header say DRAFT.
    draft: bool = False
    # The language it is written in (hrta.report.words): each format declares it, and
    # draws its own fixed words (the draft mark, "Contents") from that catalog.
    language: str = "en"

    @property
    def body(self) -> tuple[Section, ...]:
        """The chapters before the appendices."""
        return tuple(s for s in self.sections if not s.appendix)

    @property
    def appendices(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.appendix)

    def new_pages(self) -> set[str]:
        """The chapters that start a printed page: the summary, the findings and the first
        appendix. The chapters between follow on, so a short one (the discussion) does not
        leave most of a page blank."""
        starts = {"summary", "findings"}
        if self.appendices:
            starts.add(self.appendices[0].anchor)
        return starts

    def figures(self) -> list[Figure]:
        return [block for section in self.walk() for block in section.blocks
                if isinstance(block, Figure)]

    def walk(self) -> list[Section]:
        """Every section, depth first, in reading order."""
        found: list[Section] = []

        def visit(section: Section) -> None:
            found.append(section)
            for sub in section.subsections:
                visit(sub)

        for section in self.sections:
            visit(section)
        return found


def text(value: str, **style: Any) -> tuple[Run, ...]:
    return (Run(value, **style),)


def paragraph(value: str, role: str = "body") -> Paragraph:
    return Paragraph(text(value), role=role)


def bullets(values: list[str] | tuple[str, ...], *, ordered: bool = False,
            inline: bool = False) -> Bullets:
    return Bullets(tuple(text(value) for value in values), ordered=ordered, inline=inline)
