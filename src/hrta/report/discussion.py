"""The analyst's discussion: a Markdown file turned into the report's own blocks.

CommonMark with raw HTML switched off, so anything that looks like markup is shown as
text. Headings, paragraphs, lists, emphasis, code and links are kept; each format then
draws them natively (real Word headings and lists in DOCX).
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from hrta.report.document import Block, Bullets, Heading, Paragraph, Run, Section, paragraph
from hrta.report.formatting import clean_text
from hrta.report.words import Words, report_words

# The discussion is a chapter (level 1): its Markdown "#" headings sit one level below.
DEEPEST = 4


def discussion_section(markdown: str | None, *, words: Words | None = None) -> Section:
    words = words or report_words()
    if markdown is None or not markdown.strip():
        return Section("discussion", words("discussion.title"), (
            paragraph(words("discussion.placeholder"), role="placeholder"),))
    return Section("discussion", words("discussion.title"), tuple(markdown_blocks(markdown)))


def markdown_blocks(markdown: str) -> list[Block]:
    parser = MarkdownIt("commonmark", {"html": False})
    tokens = parser.parse(clean_text(markdown))
    blocks: list[Block] = []
    lists: list[tuple[bool, list[tuple[Run, ...]]]] = []  # open lists, outermost first
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            level = min(int(token.tag[1:]) + 1, DEEPEST)
            blocks.append(Heading("".join(r.text for r in _runs(tokens[index + 1])), level))
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append((token.type == "ordered_list_open", []))
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            ordered, items = lists.pop()
            if lists:
                lists[-1][1].extend(items)  # nested lists are flattened into their parent
            else:
                blocks.append(Bullets(tuple(items), ordered=ordered))
        elif token.type == "inline" and lists and tokens[index - 1].type == "paragraph_open":
            lists[-1][1].append(_runs(token))
        elif token.type == "inline" and tokens[index - 1].type == "paragraph_open":
            blocks.append(Paragraph(_runs(token)))
        elif token.type in ("fence", "code_block"):
            blocks.append(Paragraph((Run(token.content.rstrip("\n"), code=True),)))
        index += 1
    return blocks


def _runs(inline: Token) -> tuple[Run, ...]:
    runs: list[Run] = []
    bold = italic = False
    href = ""
    for child in inline.children or []:
        kind = child.type
        if kind == "strong_open" or kind == "strong_close":
            bold = kind == "strong_open"
        elif kind == "em_open" or kind == "em_close":
            italic = kind == "em_open"
        elif kind == "link_open":
            href = str(child.attrs.get("href", ""))
        elif kind == "link_close":
            href = ""
        elif kind in ("softbreak", "hardbreak"):
            runs.append(Run(" " if kind == "softbreak" else "\n", bold, italic))
        elif kind == "code_inline":
            runs.append(Run(child.content, bold, italic, code=True))
        elif kind == "image":
            runs.append(Run(child.content, bold, italic))  # alt text; no remote pictures
        elif kind == "text":
            runs.append(Run(child.content, bold, italic, href=href))
    return tuple(runs)
