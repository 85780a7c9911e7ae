"""Codebooks: the themes an open-ended question's answers are coded into, as data.

A codebook lives beside its instrument (instrument/assessments/codebooks/INSTRUMENT/QID.yaml)
and can be exchanged as CSV (one row per theme) or as a REFI-QDA codebook (`.qdc`, the
XML that NVivo, ATLAS.ti, MAXQDA and Taguette read and write). Themes may nest: a theme's
`children` are a finer level under it, and an answer coded with a child counts for its
parent too.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import uuid
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import yaml

from hrta.defaults import DEFAULT_INSTRUMENT
from hrta.errors import InputError
from hrta.files import write_text_atomic
from hrta.formulas import neutralise, unneutralise
from hrta.yamlfiles import load_yaml

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]*$")
CSV_COLUMNS = ("id", "label", "parent", "description", "include", "exclude", "examples")
QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
# A stable namespace for the GUIDs of exported codes, so that exporting the same codebook
# twice gives the same GUIDs and a QDA program sees the same codes.
_GUID_NAMESPACE = uuid.UUID("5b0f3c38-54c3-4a57-9a3e-6f1d1c2b7a10")
# Parts of a theme beyond its description, written into a .qdc <Description> under these
# headings so that a round trip through a QDA program keeps them.
_QDC_PARTS = (("include", "Include:"), ("exclude", "Exclude:"), ("examples", "Examples:"))
EXPORT_SUFFIXES = (".yaml", ".yml", ".csv", ".qdc")


@dataclass(frozen=True)
class Theme:
    id: str
    label: str
    description: str = ""
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    parent: str | None = None


@dataclass(frozen=True)
class Codebook:
    question: str
    themes: tuple[Theme, ...]
    title: str = ""
    source: str = ""
    uncoded_examples: tuple[str, ...] = ()
    """Answers that fit no theme ("n/a", "nothing yet"): the coder learns to leave these."""
    _index: dict[str, Theme] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({theme.id: theme for theme in self.themes})

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(theme.id for theme in self.themes)

    def theme(self, theme_id: str) -> Theme:
        return self._index[theme_id]

    def children(self, theme_id: str | None) -> tuple[Theme, ...]:
        return tuple(theme for theme in self.themes if theme.parent == theme_id)

    def ancestors(self, theme_id: str) -> tuple[str, ...]:
        """The themes above `theme_id`, nearest first."""
        found: list[str] = []
        parent = self._index[theme_id].parent
        while parent is not None:
            found.append(parent)
            parent = self._index[parent].parent
        return tuple(found)

    def depth(self, theme_id: str) -> int:
        return len(self.ancestors(theme_id))

    def fingerprint(self) -> str:
        """Changes whenever anything the automatic coder reads changes."""
        text = yaml.safe_dump(codebook_data(self), sort_keys=True, allow_unicode=True)
        return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


# --- reading -----------------------------------------------------------------------------

def bundled_codebook_path(question: str, instrument_id: str) -> Any:
    return (resources.files("hrta.instrument") / "assessments" / "codebooks" / instrument_id
            / f"{question}.yaml")


def bundled_questions(instrument_id: str) -> list[str]:
    folder = resources.files("hrta.instrument") / "assessments" / "codebooks" / instrument_id
    if not folder.is_dir():
        return []
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir()
                  if p.name.endswith(".yaml"))


def load_codebook(question: str, *, instrument_id: str = DEFAULT_INSTRUMENT,
                  path: Path | None = None) -> Codebook:
    """The codebook of `question`: from `path` (YAML, CSV or .qdc) or the bundled one."""
    if path is not None:
        return read_codebook(Path(path), question=question)
    resource = bundled_codebook_path(question, instrument_id)
    if not resource.is_file():
        known = ", ".join(bundled_questions(instrument_id)) or "none"
        raise InputError(f"no codebook for question {question!r} of {instrument_id!r}; "
                         f"codebooks exist for: {known}")
    return parse_codebook(_yaml(resource.read_text(encoding="utf-8")),
                          origin=f"codebooks/{instrument_id}/{question}.yaml")


def _yaml(text: str, origin: str = "codebook") -> Any:
    # LibYAML's parser (in load_yaml), where PyYAML has it, reads a codebook ten times faster.
    return load_yaml(text, origin=origin)


def read_codebook(path: Path, *, question: str | None = None) -> Codebook:
    """A codebook file by its extension: .yaml/.yml, .csv (or .xlsx) or .qdc."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx"):
        return codebook_from_csv(path, question=_required(question, path))
    if suffix == ".qdc":
        return codebook_from_qdc(path, question=_required(question, path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the codebook: {exc}", file=str(path)) from exc
    raw = _yaml(text, str(path))
    book = parse_codebook(raw, origin=str(path))
    if question is not None and book.question != question:
        raise InputError(f"this codebook is for question {book.question!r}, not {question!r}",
                         file=str(path))
    return book


def _required(question: str | None, path: Path) -> str:
    if not question:
        raise InputError("name the question this codebook is for (--question)", file=str(path))
    return question


def parse_codebook(raw: Any, *, origin: str) -> Codebook:
    """Check a codebook's YAML data (question, title, themes with optional children)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("question"), str):
        raise InputError("a codebook must be a mapping with 'question' and 'themes'",
                         file=origin)
    unknown = set(raw) - {"question", "title", "themes", "uncoded_examples"}
    if unknown:
        raise InputError(f"unknown keys {sorted(unknown)}; a codebook has question, title, "
                         "themes and uncoded_examples", file=origin)
    themes: list[Theme] = []
    _collect(raw.get("themes"), None, themes, origin)
    uncoded = raw.get("uncoded_examples") or []
    if not isinstance(uncoded, list) or not all(isinstance(e, str) for e in uncoded):
        raise InputError("uncoded_examples must be a list of texts", file=origin)
    return _checked(Codebook(raw["question"], tuple(themes), title=str(raw.get("title") or ""),
                             source=origin,
                             uncoded_examples=tuple(e.strip() for e in uncoded if e.strip())),
                    origin)


_THEME_KEYS = {"id", "label", "description", "include", "exclude", "examples", "children"}


def _collect(items: Any, parent: str | None, into: list[Theme], origin: str) -> None:
    if not isinstance(items, list) or not items:
        where = f"theme {parent!r}: children" if parent else "themes"
        raise InputError(f"{where} must be a non-empty list", file=origin)
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InputError(f"theme {position} under {parent or 'themes'} is not a mapping",
                             file=origin)
        unknown = set(item) - _THEME_KEYS
        name = item.get("id", f"#{position}")
        if unknown:
            raise InputError(f"theme {name!r} has unknown keys {sorted(unknown)}; known: "
                             f"{', '.join(sorted(_THEME_KEYS))}", file=origin)
        examples = item.get("examples") or []
        if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
            raise InputError(f"theme {name!r}: examples must be a list of texts", file=origin)
        into.append(Theme(
            id=str(item.get("id") or ""), label=_text(item.get("label")),
            description=_text(item.get("description")), include=_text(item.get("include")),
            exclude=_text(item.get("exclude")),
            examples=tuple(e.strip() for e in examples if e.strip()), parent=parent))
        if "children" in item:
            _collect(item["children"], into[-1].id, into, origin)


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _checked(book: Codebook, origin: str, rows: dict[str, int] | None = None) -> Codebook:
    """Ids well formed and unique, labels present, parents known and not circular."""
    seen: set[str] = set()
    for theme in book.themes:
        row = rows.get(theme.id) if rows else None
        if not ID_PATTERN.match(theme.id):
            raise InputError(f"theme id {theme.id!r} must be lower-case letters, digits and "
                             "underscores, starting with a letter or digit", file=origin,
                             row=row, column="A (id)" if rows else None)
        if theme.id in seen:
            raise InputError(f"theme id {theme.id!r} appears more than once", file=origin,
                             row=row, column="A (id)" if rows else None)
        seen.add(theme.id)
        if not theme.label:
            raise InputError(f"theme {theme.id!r} has no label", file=origin, row=row,
                             column="B (label)" if rows else None)
    for theme in book.themes:
        if theme.parent is not None and theme.parent not in seen:
            raise InputError(f"theme {theme.id!r} names unknown parent {theme.parent!r}",
                             file=origin, row=rows.get(theme.id) if rows else None,
                             column="C (parent)" if rows else None)
    for theme in book.themes:
        trail = {theme.id}
        parent = theme.parent
        while parent is not None:
            if parent in trail:
                raise InputError(f"theme {theme.id!r} is its own ancestor", file=origin)
            trail.add(parent)
            parent = book.theme(parent).parent
    return book


def check_against(book: Codebook, instrument: Any) -> None:
    """The codebook's question must be an open-ended question of the instrument."""
    try:
        question = instrument.question(book.question)
    except KeyError:
        raise InputError(f"the codebook is for question {book.question!r}, which instrument "
                         f"{instrument.id!r} does not have", file=book.source or None) from None
    if question.type != "text":
        raise InputError(f"question {book.question!r} is not open-ended",
                         file=book.source or None)


# --- YAML --------------------------------------------------------------------------------

def codebook_data(book: Codebook) -> dict[str, Any]:
    """The codebook as the YAML mapping it is read from (children nested)."""

    def entry(theme: Theme) -> dict[str, Any]:
        data: dict[str, Any] = {"id": theme.id, "label": theme.label}
        for key in ("description", "include", "exclude"):
            if getattr(theme, key):
                data[key] = getattr(theme, key)
        if theme.examples:
            data["examples"] = list(theme.examples)
        children = book.children(theme.id)
        if children:
            data["children"] = [entry(child) for child in children]
        return data

    data: dict[str, Any] = {"question": book.question}
    if book.title:
        data["title"] = book.title
    data["themes"] = [entry(theme) for theme in book.children(None)]
    if book.uncoded_examples:
        data["uncoded_examples"] = list(book.uncoded_examples)
    return data


def codebook_yaml(book: Codebook) -> str:
    return yaml.safe_dump(codebook_data(book), sort_keys=False, allow_unicode=True, width=96)


# --- CSV ---------------------------------------------------------------------------------

def codebook_csv(book: Codebook) -> str:
    """One row per theme; examples one per line inside their cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for theme in book.themes:
        writer.writerow([_safe_cell(v) for v in (
            theme.id, theme.label, theme.parent or "", theme.description, theme.include,
            theme.exclude, "\n".join(theme.examples))])
    return buffer.getvalue()


def _safe_cell(value: str) -> str:
    """Spreadsheets run a cell that starts with = + - or @ as a formula; a leading
    apostrophe keeps it text (and is taken off again on import)."""
    return neutralise(value) or ""


def _unsafe_cell(value: str | None) -> str:
    return unneutralise((value or "").strip()).strip()


def codebook_from_csv(path: Path, *, question: str) -> Codebook:
    from hrta.ingest.tables import column_name, read_table

    table = read_table(path, header_rows=1)
    header = [h.strip().lower() for h in table.header[0]]
    name = str(path)
    for required in ("id", "label"):
        if required not in header:
            raise InputError(f"the codebook needs a column named {required!r}; columns are "
                             f"{', '.join(repr(h) for h in header)}", file=name, row=1)
    unknown = [i for i, h in enumerate(header) if h not in CSV_COLUMNS]
    if unknown:
        raise InputError(f"unknown column; known: {', '.join(CSV_COLUMNS)}", file=name, row=1,
                         column=column_name(table.header[0], unknown[0]))
    index = {h: i for i, h in enumerate(header)}
    themes: list[Theme] = []
    rows: dict[str, int] = {}
    for position, values in enumerate(table.data.iter_rows()):
        row = table.file_row(position)

        def cell(key: str, values: tuple[Any, ...] = values) -> str:
            return _unsafe_cell(values[index[key]]) if key in index else ""

        theme_id = cell("id")
        if not ID_PATTERN.match(theme_id):
            raise InputError(f"theme id {theme_id!r} must be lower-case letters, digits and "
                             "underscores", file=name, row=row,
                             column=column_name(table.header[0], index["id"]))
        rows[theme_id] = row
        examples = tuple(line.strip() for line in cell("examples").splitlines() if line.strip())
        themes.append(Theme(theme_id, " ".join(cell("label").split()),
                            " ".join(cell("description").split()),
                            " ".join(cell("include").split()),
                            " ".join(cell("exclude").split()), examples,
                            cell("parent") or None))
    if not themes:
        raise InputError("the codebook has no themes", file=name)
    return _checked(Codebook(question, tuple(themes), source=name), name, rows)


# --- REFI-QDA codebook (.qdc) ------------------------------------------------------------

def _guid(book: Codebook, theme: Theme) -> str:
    return theme_guid(book.question, theme.id)


def theme_guid(question: str, theme_id: str) -> str:
    """The GUID a theme's code has in every REFI-QDA file hrta writes (.qdc and .qdpx)."""
    return str(uuid.uuid5(_GUID_NAMESPACE, f"{question}/{theme_id}"))


def codebook_qdc(book: Codebook) -> str:
    """The REFI-QDA Codebook 1.0 XML: one <Code> per theme, children nested."""
    ElementTree.register_namespace("", QDC_NAMESPACE)
    root = ElementTree.Element(f"{{{QDC_NAMESPACE}}}CodeBook", {"origin": "hrta"})
    codes = ElementTree.SubElement(root, f"{{{QDC_NAMESPACE}}}Codes")

    def add(parent: ElementTree.Element, theme: Theme) -> None:
        code = ElementTree.SubElement(parent, f"{{{QDC_NAMESPACE}}}Code", {
            "guid": _guid(book, theme), "name": theme.label, "isCodable": "true"})
        description = ElementTree.SubElement(code, f"{{{QDC_NAMESPACE}}}Description")
        description.text = _qdc_description(theme)
        for child in book.children(theme.id):
            add(code, child)

    for theme in book.children(None):
        add(codes, theme)
    ElementTree.indent(root)
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            + ElementTree.tostring(root, encoding="unicode") + "\n")


def _qdc_description(theme: Theme) -> str:
    """The description, then include, exclude and examples under headings, and the theme id
    last so a round trip keeps it."""
    parts = [theme.description] if theme.description else []
    if theme.include:
        parts.append(f"Include: {theme.include}")
    if theme.exclude:
        parts.append(f"Exclude: {theme.exclude}")
    if theme.examples:
        parts.append("Examples:\n" + "\n".join(f"- {e}" for e in theme.examples))
    parts.append(f"Id: {theme.id}")
    return "\n\n".join(parts)


def codebook_from_qdc(path: Path, *, question: str) -> Codebook:
    name = str(path)
    try:
        root = ElementTree.fromstring(path.read_bytes())
    except OSError as exc:
        raise InputError(f"cannot read the codebook: {exc}", file=name) from exc
    except ElementTree.ParseError as exc:
        line, column = exc.position
        raise InputError(f"not valid XML: {exc}", file=name, row=line,
                         column=str(column + 1)) from exc
    except (LookupError, ValueError) as exc:  # e.g. an encoding Python does not know
        raise InputError(f"not valid XML: {exc}", file=name) from exc
    if _local(root.tag) != "CodeBook":
        raise InputError(f"not a REFI-QDA codebook: the root element is <{_local(root.tag)}>, "
                         "not <CodeBook>", file=name)
    codes = next((child for child in root if _local(child.tag) == "Codes"), None)
    if codes is None:
        raise InputError("the codebook has no <Codes>", file=name)
    themes: list[Theme] = []
    taken: set[str] = set()

    def visit(element: ElementTree.Element, parent: str | None) -> None:
        for code in (child for child in element if _local(child.tag) == "Code"):
            label = " ".join((code.get("name") or "").split())
            if not label:
                raise InputError("a <Code> has no name", file=name)
            text = next((c.text or "" for c in code if _local(c.tag) == "Description"), "")
            parts = _qdc_parts(text)
            theme_id = parts.pop("id", "") or _slug(label, taken)
            taken.add(theme_id)
            themes.append(Theme(theme_id, label, parts.get("description", ""),
                                parts.get("include", ""), parts.get("exclude", ""),
                                tuple(parts.get("examples", "").splitlines()) if
                                parts.get("examples") else (), parent))
            visit(code, theme_id)

    try:
        visit(codes, None)
    except RecursionError:
        raise InputError("the codes are nested too deeply", file=name) from None
    if not themes:
        raise InputError("the codebook has no codes", file=name)
    return _checked(Codebook(question, tuple(themes), source=name), name)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _qdc_parts(text: str) -> dict[str, str]:
    """Split a <Description> written by codebook_qdc back into its parts; any other
    program's description is kept whole as the description."""
    parts: dict[str, str] = {}
    rest: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        block = block.strip()
        if block.startswith("Id: ") and ID_PATTERN.match(block[4:].strip()):
            parts["id"] = block[4:].strip()
        elif block.startswith("Examples:"):
            parts["examples"] = "\n".join(line.strip().removeprefix("- ").strip()
                                          for line in block.splitlines()[1:] if line.strip())
        elif block.startswith(("Include: ", "Exclude: ")):
            parts[block[:7].lower()] = " ".join(block[9:].split())
        elif block:
            rest.append(" ".join(block.split()))
    if rest:
        parts["description"] = " ".join(rest)
    return parts


def _slug(label: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40] or "theme"
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}_{number}", number + 1
    return slug


# --- writing -----------------------------------------------------------------------------

def write_codebook(book: Codebook, path: Path) -> None:
    """Write as YAML, CSV or .qdc by the extension, whole or not at all."""
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise InputError("name the codebook file *.yaml, *.csv or *.qdc", file=str(path))
    text = {".csv": codebook_csv, ".qdc": codebook_qdc}.get(suffix, codebook_yaml)(book)
    write_text_atomic(path, text)


def codebook_summary(book: Codebook) -> dict[str, Any]:
    """The public JSON of `hrta codebook show --json`."""
    return {"question": book.question,
            "themes": [{"id": t.id, "label": t.label, "description": t.description}
                       for t in book.themes]}
