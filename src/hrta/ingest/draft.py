"""Draft an instrument from a SurveyMonkey export: its two header rows and its answers.

The contract: the YAML that `draft_yaml` returns parses as an instrument, and reading the
same export against it (`load_responses`) needs no edit. Each question gets the type its
columns show (a `Response` column of few distinct answers is a single choice, columns that
hold their own label are a select-all, columns sharing one set of values are a grid, an
`Open-Ended Response` is text), options in the order first seen (or in scale order when the
answers form a known scale, with the nets the 2022 instrument gives its agreement scale),
and a comment wherever the analyst has a decision to make. Metadata columns are left out.
"""

from __future__ import annotations

import json
import re
import textwrap
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from hrta.errors import InputError
from hrta.ingest.ids import unique
from hrta.ingest.labels import clean_header, header_key
from hrta.ingest.layout import OPEN_ENDED, RESPONSE, metadata_kind
from hrta.ingest.tables import Table, column_letter, column_name, read_table
from hrta.instrument import Instrument, parse

# A `Response` column with at most this many different answers is read as a single choice
# (the 56 states and territories fit); more, and each answer repeated less than twice on
# average, is typed text.
MAX_SINGLE_OPTIONS = 60
FEW_OPTIONS = 12
# Grid columns share one small set of ratings; more distinct values than this is free text.
MAX_SCALE_POINTS = 15

_RESPONSE_KEYS = {header_key(RESPONSE), header_key(OPEN_ENDED)}
_OTHER = re.compile(r"\bother\b|please specify|\bspecify\b|\bcomments?\b", re.IGNORECASE)
_CONTACT_FIELDS = {header_key(label) for label in (
    "Name", "First Name", "Last Name", "Full Name", "Company", "Organization",
    "Organization/agency", "Agency", "Title", "Address", "Address 2", "City/Town", "City",
    "State/Province", "State", "ZIP/Postal Code", "ZIP Code", "Country", "Email Address",
    "Email", "E-mail", "Phone Number", "Phone")}
_CONTACT_QUESTION = re.compile(
    r"contact (information|info|details)|e-?mail|phone number|telephone|your (full )?name|"
    r"mailing address", re.IGNORECASE)
_NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?$")


@dataclass(frozen=True)
class Scale:
    """A rating scale recognised by its labels: its points in order and their nets."""

    name: str
    points: tuple[tuple[str, str | None], ...]
    """(label, net) in scale order."""
    nets: dict[str, str] = field(default_factory=dict)
    extras: tuple[str, ...] = ()
    """Points outside the scale (I don't know, N/A), kept when answered, after the scale."""

    def keys(self) -> list[str]:
        return [header_key(label) for label, _ in self.points]


_DONT_KNOW = ("I don't know", "Don't know", "Not sure", "Unsure", "N/A", "Not applicable",
              "Prefer not to say", "Prefer not to answer")
# The 2022 instrument's agreement scale and its nets come first: an export of the same
# scale drafts to the same options and nets.
SCALES: tuple[Scale, ...] = (
    Scale("agreement", (("Strongly agree", "agree"), ("Somewhat agree", "agree"),
                        ("Somewhat disagree", "disagree"), ("Strongly disagree", "disagree")),
          {"agree": "Strongly or somewhat agree", "disagree": "Somewhat or strongly disagree"},
          _DONT_KNOW),
    Scale("agreement", (("Strongly agree", "agree"), ("Agree", "agree"),
                        ("Disagree", "disagree"), ("Strongly disagree", "disagree")),
          {"agree": "Strongly agree or agree", "disagree": "Disagree or strongly disagree"},
          _DONT_KNOW),
    Scale("agreement", (("Strongly agree", "agree"), ("Agree", "agree"),
                        ("Neither agree nor disagree", None), ("Disagree", "disagree"),
                        ("Strongly disagree", "disagree")),
          {"agree": "Strongly agree or agree", "disagree": "Disagree or strongly disagree"},
          _DONT_KNOW),
    Scale("frequency", (("Always", "often"), ("Often", "often"), ("Sometimes", None),
                        ("Rarely", "rarely"), ("Never", "rarely")),
          {"often": "Always or often", "rarely": "Rarely or never"}, _DONT_KNOW),
    Scale("frequency", (("Very often", "often"), ("Often", "often"), ("Sometimes", None),
                        ("Rarely", "rarely"), ("Never", "rarely")),
          {"often": "Very often or often", "rarely": "Rarely or never"}, _DONT_KNOW),
    Scale("satisfaction", (("Very satisfied", "satisfied"), ("Satisfied", "satisfied"),
                           ("Neither satisfied nor dissatisfied", None),
                           ("Dissatisfied", "dissatisfied"), ("Very dissatisfied", "dissatisfied")),
          {"satisfied": "Very satisfied or satisfied",
           "dissatisfied": "Dissatisfied or very dissatisfied"}, _DONT_KNOW),
    Scale("importance", (("Extremely important", "important"), ("Very important", "important"),
                         ("Somewhat important", None), ("Not so important", None),
                         ("Not at all important", None)),
          {"important": "Extremely or very important"}, _DONT_KNOW),
    Scale("yes_no", (("Yes", None), ("No", None)), {}, _DONT_KNOW),
)


# --- the export's columns ----------------------------------------------------------------

@dataclass(frozen=True)
class ExportColumn:
    index: int
    label: str
    """Row 2 as written (stripped)."""
    values: tuple[str, ...]
    """Distinct answers (one spelling per normalized label), in the order first seen."""
    first_rows: tuple[int, ...]
    """The data row where each of `values` is first seen."""
    answered: int


@dataclass(frozen=True)
class ExportQuestion:
    text: str
    """Row 1 as written (stripped)."""
    columns: tuple[ExportColumn, ...]

    @property
    def first(self) -> int:
        return self.columns[0].index


@dataclass(frozen=True)
class Export:
    table: Table
    questions: tuple[ExportQuestion, ...]

    @property
    def file(self) -> str:
        return self.table.file

    @property
    def row1(self) -> list[str]:
        return self.table.header[0]

    @property
    def row2(self) -> list[str]:
        return self.table.header[1]


def read_export(path: Path) -> Export:
    """The question columns of a SurveyMonkey export, grouped by question, with their answers."""
    table = read_table(Path(path), header_rows=2)
    width = max(len(row) for row in table.header)
    row1, row2 = ([cell or "" for cell in row] + [""] * (width - len(row))
                  for row in table.header)
    table = Table(table.file, [row1, row2], table.data, table.first_data_row, table.kept)
    if not row1 or metadata_kind(row1[0]) != "id":
        raise InputError("this is not a SurveyMonkey export: row 1 does not start with "
                         "'Respondent ID' (it starts with %(start)r)",
                         file=table.file, row=1, column=column_letter(0),
                         params={"start": row1[0].strip()})
    start = _metadata_end(table.file, row1, row2)
    if start == width:
        raise InputError("the export has no question columns: row 1 holds only metadata "
                         "(Respondent ID, dates, collector)", file=table.file, row=1,
                         column=column_letter(width - 1))
    if table.data.height == 0:
        raise InputError("the export has no responses below its two header rows: a draft "
                         "needs answers to tell question types apart", file=table.file, row=3)
    return grouped_export(table, start)


def grouped_export(table: Table, start: int) -> Export:
    """The columns from `start` on, grouped under the row-1 text that heads each question.

    Other tools' exports are drafted through this too: their reader lays their columns out
    as SurveyMonkey's two header rows (`hrta.ingest.googleforms.read_export`).
    """
    row1 = table.header[0]
    width = len(row1)
    groups: list[tuple[str, list[int]]] = []
    for index in range(start, width):
        if row1[index].strip():
            groups.append((row1[index].strip(), [index]))
        elif not groups:
            raise InputError("this column has no question text above it", file=table.file,
                             row=1, column=column_name(row1, index))
        else:
            groups[-1][1].append(index)
    columns = _columns(table, [i for _, indexes in groups for i in indexes])
    return Export(table, tuple(ExportQuestion(text, tuple(columns[i] for i in indexes))
                               for text, indexes in groups))


def _metadata_end(file: str, row1: list[str], row2: list[str]) -> int:
    """The index of the first question column; metadata must have row 2 empty."""
    index = 0
    while index < len(row1) and metadata_kind(row1[index]) is not None:
        if row2[index].strip():
            raise InputError("the second header row is missing: row 2 holds data where the "
                             "export puts an empty cell under %(header)r",
                             file=file, row=2, column=column_name(row1, index),
                             params={"header": row1[index].strip()})
        index += 1
    return index


def _columns(table: Table, indexes: list[int]) -> dict[int, ExportColumn]:
    """Each column's distinct answers in the order first seen, in one pass over the data."""
    if not indexes:
        return {}
    names = [f"c{i}" for i in indexes]
    frame = table.data.select(names).with_row_index("_row")
    found: dict[int, ExportColumn] = {}
    for index, name in zip(indexes, names, strict=True):
        cells = (frame.select("_row", pl.col(name).str.strip_chars().alias("v"))
                 .filter(pl.col("v").is_not_null() & (pl.col("v") != "")))
        keys = cells.with_columns(k=pl.col("v").map_elements(header_key, return_dtype=pl.String))
        first = keys.unique("k", keep="first", maintain_order=True)
        found[index] = ExportColumn(index, table.header[1][index].strip(),
                                    tuple(first["v"].to_list()),
                                    tuple(first["_row"].to_list()), cells.height)
    return found


# --- typing the questions -----------------------------------------------------------------

@dataclass(frozen=True)
class DraftOption:
    id: str
    label: str
    other: bool = False
    net: str | None = None


@dataclass(frozen=True)
class DraftQuestion:
    id: str
    type: str
    text: str
    options: tuple[DraftOption, ...] = ()
    statements: tuple[tuple[str, str], ...] = ()
    nets: dict[str, str] = field(default_factory=dict)
    scale: str | None = None
    pii: bool = False
    comments: tuple[str, ...] = ()


def draft_questions(export: Export) -> list[DraftQuestion]:
    ids = _Ids()
    drafted = [_draft(export, question, ids) for question in export.questions]
    first = drafted[0]
    if first.type == "single" and any(header_key(o.label).startswith("no") for o in first.options):
        no = [o.id for o in first.options if header_key(o.label).startswith("no")]
        drafted[0] = _with_comment(first, (
            "Is this the eligibility question? If an answer rules a response out, add at the "
            f"top: eligibility: {{question: {first.id}, ineligible_options: [{', '.join(no)}]}}"))
    return drafted


def _with_comment(question: DraftQuestion, comment: str) -> DraftQuestion:
    return DraftQuestion(question.id, question.type, question.text, question.options,
                         question.statements, question.nets, question.scale, question.pii,
                         (*question.comments, comment))


def _draft(export: Export, question: ExportQuestion, ids: _Ids) -> DraftQuestion:
    text = clean_header(question.text)
    qid = ids.question(text)
    columns = question.columns
    keys = [header_key(c.label) for c in columns]
    if header_key(RESPONSE) in keys:
        return _single(export, qid, text, question)
    if len(columns) == 1 and keys[0] in _RESPONSE_KEYS | {""}:
        return _text(qid, text, columns[0])
    labelled = [c for c in columns if not header_key(c.label)]
    if labelled:
        raise _untyped(export, labelled[0], "cannot type this column: it has no label in "
                       "row 2, so it is neither an option nor a statement of the question "
                       "above it. Remove the column or re-export with answer text")
    if _is_contact(text, keys):
        return DraftQuestion(qid, "multi", text, _options(c.label for c in columns), pii=True,
                             comments=("Contact details: kept apart, never analysed.",))
    own = [c for c in columns if all(header_key(v) == header_key(c.label) for v in c.values)]
    rest = [c for c in columns if c not in own]
    if not rest or (own and all(_OTHER.search(c.label) for c in rest)):
        return _multi(export, qid, text, columns, {c.index for c in rest})
    return _matrix(export, qid, text, columns)


def _single(export: Export, qid: str, text: str, question: ExportQuestion) -> DraftQuestion:
    response = next(c for c in question.columns if header_key(c.label) == header_key(RESPONSE))
    boxes = [c for c in question.columns if c is not response]
    distinct = len(response.values)
    if not boxes and (distinct == 0 or (distinct > FEW_OPTIONS and (
            distinct > MAX_SINGLE_OPTIONS or distinct * 2 > response.answered))):
        why = ("nobody answered it, so its options are unknown" if not distinct else
               f"{distinct} different answers in {response.answered}")
        return _text(qid, text, response, (
            f"Typed as text: {why}. If it is a choice, make it `type: single` with options.",))
    if distinct == 0:
        raise _untyped(export, response, "cannot type this column: nobody chose an "
                       "answer, so its options are unknown. "
                       "Remove the column or re-export with answer text")
    labels, scale = _ordered([response])
    if scale is not None:
        comments = [f"Options in {scale.name.replace('_', '/')} scale order."]
    elif all(_NUMBER.match(label) for label in labels):
        comments = ["Options in numeric order."]
    else:
        comments = ["Options in the order first seen: reorder them as the survey shows them."]
    options = list(_options(labels))
    taken = {o.id for o in options}
    for box in boxes:
        same = [i for i, o in enumerate(options) if header_key(o.label) == header_key(box.label)]
        if same:  # the Response column names the choice, the box holds its text
            options[same[0]] = DraftOption(options[same[0]].id, box.label, other=True)
        else:
            option_id = unique(_slug(box.label, words=2) if not _OTHER.search(box.label)
                                else "other", taken)
            options.append(DraftOption(option_id, box.label, other=True))
        comments.append(f"{box.label!r} (column {column_letter(box.index)}) holds typed text: "
                        "read as choosing this option. If it is a separate comment box, "
                        "decide how to keep it.")
    return DraftQuestion(qid, "single", text, tuple(options), comments=tuple(comments))


def _text(qid: str, text: str, column: ExportColumn,
          comments: tuple[str, ...] = ()) -> DraftQuestion:
    notes = list(comments)
    numbers = [v for v in column.values if _NUMBER.match(v)]
    if column.values and len(numbers) == len(column.values):
        examples = ", ".join(numbers[:3])
        notes.append(f"The answers are numbers (e.g. {examples}): hrta reads them as text.")
    pii = bool(_CONTACT_QUESTION.search(text)) or (
        bool(column.values) and sum("@" in v for v in column.values) * 2 > len(column.values))
    if pii:
        notes.append("Contact details? Kept apart and never analysed while `pii: true`.")
    return DraftQuestion(qid, "text", text, pii=pii, comments=tuple(notes))


def _multi(export: Export, qid: str, text: str, columns: tuple[ExportColumn, ...],
           others: set[int]) -> DraftQuestion:
    options: list[DraftOption] = []
    taken: set[str] = set()
    comments = []
    for column in columns:
        if column.index in others:
            options.append(DraftOption(unique("other", taken), column.label, other=True))
        else:
            options.append(DraftOption(unique(_slug(column.label), taken), column.label))
    ticked = [c.index for c in columns if c.index not in others]
    if not any(c.values for c in columns):
        comments.append("Nobody answered it: typed as select-all; check the type.")
    elif _at_most_one(export.table, ticked):
        comments.append("No response ticked more than one option: is this a single choice "
                        "(one column per option)? hrta reads it as select-all.")
    return DraftQuestion(qid, "multi", text, tuple(options), comments=tuple(comments))


def _matrix(export: Export, qid: str, text: str,
            columns: tuple[ExportColumn, ...]) -> DraftQuestion:
    labels, scale = _ordered(list(columns))
    if len(labels) > MAX_SCALE_POINTS:
        free = max(columns, key=lambda c: len(c.values))
        raise _untyped(export, free, "cannot type this column: its cells hold %(count)s "
                       "different texts, which is neither its own label (select-all) nor a "
                       "rating scale shared with the question's other columns (grid). "
                       "Remove the column or re-export with answer text",
                       count=len(free.values))
    keys = {c.index: {header_key(v) for v in c.values} for c in columns}
    answered = [c for c in columns if c.values]
    if len(answered) > 1 and all(len(c.values) == 1 and _NUMBER.match(c.values[0])
                                 for c in answered):
        raise _untyped(export, answered[0], "cannot type this column: its cells hold "
                       "%(cell)r where a select-all column holds its label: this looks like a "
                       "numeric-value export; draft from one with actual answer text. "
                       "Remove the column or re-export with answer text",
                       cell=answered[0].values[0])
    for column in columns:
        if not column.values:
            continue
        shared = set().union(*(k for i, k in keys.items() if i != column.index))
        if shared and not keys[column.index] & shared and (
                _OTHER.search(column.label) or len(column.values) > 3):
            raise _untyped(export, column, "cannot type this column: its cells hold texts "
                           "that no other column of the question holds: a comment box beside "
                           "a grid, which hrta does not read. "
                           "Remove the column or re-export with answer text")
        if any(header_key(v) == header_key(column.label) for v in column.values):
            raise _untyped(export, column, "cannot type this column: its cells hold its "
                           "own label, as a select-all column does, but the question's other "
                           "columns hold ratings. Remove the column or re-export with answer text")
    taken: set[str] = set()
    statements = tuple((unique(_slug(c.label), taken), c.label) for c in columns)
    comments: list[str] = []
    nets: dict[str, str] = {}
    if scale is not None and scale.nets:
        nets = dict(scale.nets)
        comments.append(f"A recognised {scale.name} scale: the nets are reported as one figure "
                        "each.")
    elif scale is None:
        comments.append("Scale points in the order first seen (numbers in numeric order): "
                        "put them in scale order and add nets if some belong together.")
    net_of = {header_key(label): net for label, net in scale.points} if scale else {}
    options = tuple(DraftOption(o.id, o.label, net=net_of.get(header_key(o.label)))
                    for o in _options(labels))
    return DraftQuestion(qid, "matrix", text, options, statements, nets,
                         scale.name if scale else None, comments=tuple(comments))


def _is_contact(text: str, keys: list[str]) -> bool:
    fields = sum(key in _CONTACT_FIELDS for key in keys)
    return fields * 2 > len(keys) or (fields > 0 and bool(_CONTACT_QUESTION.search(text)))


def _at_most_one(table: Table, indexes: list[int]) -> bool:
    if len(indexes) < 2:
        return False
    ticked = pl.sum_horizontal(pl.col(f"c{i}").is_not_null().cast(pl.UInt32) for i in indexes)
    return bool(table.data.select(ticked.max()).item() <= 1)


def _ordered(columns: list[ExportColumn]) -> tuple[list[str], Scale | None]:
    """The answers of some columns as options: in scale order if they form a known scale,
    all numbers in numeric order, else in the order first seen."""
    first: dict[str, tuple[int, str]] = {}
    for column in columns:
        for value, row in zip(column.values, column.first_rows, strict=True):
            key = header_key(value)
            if key not in first or row < first[key][0]:
                first[key] = (row, value)
    seen = [value for _, value in sorted(first.values(), key=lambda item: item[0])]
    scale = _scale({header_key(v) for v in seen})
    if scale is not None:
        spelled = {header_key(v): v for v in seen}
        points = [spelled.get(header_key(label), label) for label, _ in scale.points]
        extras = [spelled[header_key(e)] for e in scale.extras if header_key(e) in spelled]
        return points + extras, scale
    if seen and all(_NUMBER.match(v) for v in seen):
        return sorted(seen, key=lambda v: float(v.replace(",", "").rstrip("%"))), None
    return seen, None


def _scale(keys: set[str]) -> Scale | None:
    """The smallest known scale whose points and extras cover every answer."""
    if len(keys) < 2:
        return None
    fits = [s for s in SCALES
            if keys <= set(s.keys()) | {header_key(e) for e in s.extras}
            and len(keys & set(s.keys())) >= 2]
    return min(fits, key=lambda s: len(s.points)) if fits else None


def _untyped(export: Export, column: ExportColumn, message: str,
             **params: object) -> InputError:
    """`message` ("cannot type this column: why. Remove the column or re-export with answer
    text", a whole template for the catalog) about `column`'s header."""
    return InputError(message, file=export.file, row=2,
                      column=column_name(export.row2, column.index), params=params)


# --- ids ------------------------------------------------------------------------------------

_STOP = frozenset(str.split(
    "a an the of to in on for and or do does did you your is are was were what which how "
    "please with at by this that be it as from about all apply select each following any if "
    "our we us have has would could there these those who whom when where why can i me my "
    "following statements statement best describes currently much been type types kind kinds many"))
_YAML_WORDS = frozenset(str.split("y n yes no on off true false null"))


def _slug(text: str, *, words: int = 4, stop: frozenset[str] = frozenset()) -> str:
    plain = unicodedata.normalize("NFKD", clean_header(text)).encode("ascii", "ignore").decode()
    tokens = re.findall(r"[a-z0-9]+", plain.lower().replace("'", ""))
    kept = [t for t in tokens if t not in stop] or tokens
    slug = "_".join(kept[:words])[:40].strip("_")
    return slug or "item"


class _Ids:
    def __init__(self) -> None:
        self.taken: set[str] = set()

    def question(self, text: str) -> str:
        return unique(_slug(text, words=3, stop=_STOP), self.taken)


def _options(labels: Iterable[str]) -> tuple[DraftOption, ...]:
    taken: set[str] = set()
    return tuple(DraftOption(unique(_slug(label), taken), label) for label in labels)


# --- the YAML -------------------------------------------------------------------------------

def draft_yaml(export: Export, *, instrument_id: str | None = None) -> str:
    """The drafted instrument as YAML with comments, checked to load as an instrument."""
    stem = Path(export.file).stem
    ident = instrument_id or _slug(stem, words=6)
    if not ident[0].isalpha():
        ident = f"survey_{ident}"
    questions = draft_questions(export)
    lines = [
        f"# Drafted by `hrta instrument draft` from {Path(export.file).name}: "
        f"{len(questions)} questions.",
        "# Read it and edit it: ids, `short:` titles for figures, sections, the comments'",
        "# questions. `hrta analyze` reads the export with it as it is.",
        f"id: {_id(ident)}",
        'version: "1"',
        f"title: {_quote(stem.replace('_', ' ').strip().capitalize() or ident)}",
        "# eligibility: {question: QUESTION_ID, ineligible_options: [OPTION_ID]}",
        "#   if an answer to a screening question rules a response out.",
    ]
    names = _scale_names(questions)
    lines += _scales_block(questions, names)
    lines += [
        "sections:",
        "  # The export does not say where the survey's pages begin: one section holds all.",
        "  - id: survey",
        f"    title: {_quote(ident.replace('_', ' ').capitalize())}",
        "    questions:",
    ]
    for question in questions:
        lines += _question_lines(question, names)
    text = "\n".join(lines) + "\n"
    _check(text, export.file)
    return text


def _scale_names(questions: list[DraftQuestion]) -> dict[str, str]:
    """Grids sharing one recognised scale share one `scales:` entry: agreement, agreement_2 …"""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for question in questions:
        if question.scale is not None and question.nets and _points(question) not in names:
            names[_points(question)] = unique(question.scale, taken)
    return names


def _points(question: DraftQuestion) -> str:
    return "|".join(f"{o.label}={o.net}" for o in question.options)


def _scales_block(questions: list[DraftQuestion], names: dict[str, str]) -> list[str]:
    if not names:
        return []
    lines = ["scales:", "  # Grid scales recognised by their labels; each grid names one."]
    for points, name in names.items():
        question = next(q for q in questions if q.nets and _points(q) == points)
        lines.append(f"  {name}:")
        lines.append("    options:")
        lines += [f"      - {_option(o)}" for o in question.options]
        lines.append("    nets: {" + ", ".join(f"{_id(k)}: {_quote(v)}"
                                               for k, v in question.nets.items()) + "}")
    return lines


def _question_lines(question: DraftQuestion, names: dict[str, str]) -> list[str]:
    pad = "      "
    lines = [line for comment in question.comments for line in comment_lines(pad, comment)]
    lines += [f"{pad}- id: {_id(question.id)}", f"{pad}  type: {question.type}",
              f"{pad}  text: {_quote(question.text)}"]
    if question.pii:
        lines.append(f"{pad}  pii: true")
    if question.statements:
        lines.append(f"{pad}  statements:")
        lines += [f"{pad}    - {{id: {_id(sid)}, text: {_quote(text)}}}"
                  for sid, text in question.statements]
    if _points(question) in names and question.nets:
        lines.append(f"{pad}  scale: {names[_points(question)]}")
    elif question.options:
        lines.append(f"{pad}  options:")
        lines += [f"{pad}    - {_option(o)}" for o in question.options]
    return lines


def comment_lines(pad: str, text: str) -> list[str]:
    """A comment wrapped to the width of the file's other lines."""
    return textwrap.wrap(text, width=94, initial_indent=f"{pad}# ",
                         subsequent_indent=f"{pad}#   ", break_on_hyphens=False)


def _option(option: DraftOption) -> str:
    parts = [f"id: {_id(option.id)}", f"label: {_quote(option.label)}"]
    if option.other:
        parts.append("other: true")
    if option.net:
        parts.append(f"net: {_id(option.net)}")
    return "{" + ", ".join(parts) + "}"


def _id(value: str) -> str:
    return json.dumps(value) if value in _YAML_WORDS or not value[:1].isalpha() else value


def _quote(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar: every character survives as written.
    return json.dumps(text, ensure_ascii=False)


def _check(text: str, file: str) -> Instrument:
    try:
        return parse(text, origin=f"the draft of {file}")
    except InputError as exc:  # a drafting fault, not the user's: say what broke
        raise InputError("the drafted instrument does not load (%(reason)s)", file=file,
                         params={"reason": exc.message}) from exc
