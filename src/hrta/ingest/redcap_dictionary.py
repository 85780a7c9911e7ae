"""A REDCap Data Dictionary (CSV) read into an hrta instrument.

REDCap writes the dictionary with 18 columns, one field a line. Each form becomes a
section, and a Section Header starts a new one; radio and dropdown fields become single
choices, checkboxes select-all questions, yesno and truefalse single choices coded 1/0;
text, notes and slider fields open-ended questions; a matrix group of radio fields one
matrix question whose statements are its fields. Question ids are the variable names and
option ids the raw codes (see `option_id`), so that a raw data export maps through them.
Fields marked `Identifier? = y` (and e-mail or phone fields) hold personal data. A text
field `QUESTION_CODE` shown only when that code of QUESTION is chosen is the option's
"please specify" box; the `@MAXCHECKED=N` action tag limits a checkbox field's choices. Branching
logic that names one earlier question's codes becomes `show_if`; any other is kept as a
note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from hrta.errors import InputError
from hrta.ingest.definitions import Converted, Kind, register
from hrta.ingest.ids import unique
from hrta.ingest.labels import clean_header, normalize
from hrta.ingest.tables import Table, column_letter, first_row, read_table
from hrta.instrument.schema import Condition, Instrument, Option, Question, Section, Statement

# Header of each column used, as REDCap writes it (matched after `normalize`).
COLUMNS = {
    "name": "Variable / Field Name",
    "form": "Form Name",
    "section": "Section Header",
    "type": "Field Type",
    "label": "Field Label",
    "choices": "Choices, Calculations, OR Slider Labels",
    "note": "Field Note",
    "validation": "Text Validation Type OR Show Slider Number",
    "minimum": "Text Validation Min",
    "maximum": "Text Validation Max",
    "identifier": "Identifier?",
    "branching": "Branching Logic (Show field only if...)",
    "required": "Required Field?",
    "matrix": "Matrix Group Name",
    "ranking": "Matrix Ranking?",
    "annotation": "Field Annotation",
}
_REQUIRED_COLUMNS = ("name", "form", "type", "label")
_CHOICE_TYPES = {"radio": "single", "dropdown": "single", "checkbox": "multi"}
_FIXED = {"yesno": (("1", "Yes"), ("0", "No")), "truefalse": (("1", "True"), ("0", "False"))}
_TEXT_TYPES = {"text", "notes", "slider"}
_SKIPPED = {"descriptive": "shows text only", "calc": "is calculated",
            "file": "holds an uploaded file", "sql": "is a database look-up"}
_PERSONAL_VALIDATION = {"email", "phone", "phone_australia", "postalcode_french",
                        "postalcode_canada", "postalcode_australia", "zipcode"}
_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_BAD_ID_CHARS = re.compile(r"[^a-z0-9_]")
# `[field] = 'code'` and `[field(code)] = '1'`, joined by `or`.
_TERM = re.compile(r"""^\s*\[([a-z0-9_]+)(?:\(([^)\s]+)\))?\]\s*(=|<>|!=)\s*"""
                   r"""(['"]?)([^'"]*)\4\s*$""", re.IGNORECASE)


def option_id(code: str) -> str:
    """The option id of a REDCap code, and of the code as a checkbox column writes it
    (`services___m1`: lower case, `-` as `_`): both give the same id."""
    text = _BAD_ID_CHARS.sub("_", code.strip().lower())
    return text if text[:1].isalnum() else f"c{text}"


def checkbox_column(variable: str, code: str) -> str:
    """The column REDCap's export gives one checkbox option."""
    return f"{variable}___{code.strip().lower().replace('-', '_').replace('.', '_')}"


class ChoiceError(ValueError):
    """A piece of a choices cell with no code: `piece` is it, as written."""

    def __init__(self, piece: str) -> None:
        super().__init__(f"choice {piece!r} is not written 'code, label'")
        self.piece = piece


def parse_choices(text: str) -> list[tuple[str, str]]:
    """`1, Yes | 2, No` -> [("1", "Yes"), ("2", "No")]; a label may hold commas. ChoiceError
    naming the piece that has no code."""
    choices = []
    for piece in text.split("|"):
        if not piece.strip():
            continue
        code, comma, label = piece.partition(",")
        if not comma or not code.strip():
            raise ChoiceError(piece.strip())
        choices.append((code.strip(), clean_header(label.strip()) or code.strip()))
    return choices


def is_dictionary(path: Path) -> bool:
    if path.suffix.lower() != ".csv":
        return False
    try:
        header = first_row(path)
    except InputError:
        return False
    return bool(header) and normalize(header[0]).replace(" ", "") == "variable/fieldname"


def read(path: Path) -> Converted:
    table = read_table(path, header_rows=1)
    return _Reader(table, Path(path)).convert()


@dataclass
class _Field:
    line: int
    name: str
    form: str
    section: str
    type: str
    label: str
    choices: str
    note: str
    validation: str
    minimum: str
    maximum: str
    identifier: bool
    branching: str
    required: bool
    matrix: str
    ranking: bool
    annotation: str = ""


@dataclass
class _Section:
    id: str
    title: str
    questions: list[Question] = field(default_factory=list)


class _Reader:
    def __init__(self, table: Table, path: Path) -> None:
        self.table = table
        self.path = path
        self.file = table.file
        self.header = [cell.strip() for cell in table.header[0]]
        self.where = self._columns()
        self.sections: list[_Section] = []
        self.questions: dict[str, Question] = {}
        self.notes: dict[str, list[str]] = {}
        self.skipped: list[str] = []
        self.section_ids: set[str] = set()

    def _columns(self) -> dict[str, int]:
        found: dict[str, int] = {}
        keys = {normalize(text).replace(" ", ""): key for key, text in COLUMNS.items()}
        for index, text in enumerate(self.header):
            key = keys.get(normalize(text).replace(" ", ""))
            if key is not None and key not in found:
                found[key] = index
        missing = [COLUMNS[key] for key in _REQUIRED_COLUMNS if key not in found]
        if missing:
            raise InputError("not a REDCap Data Dictionary: row 1 lacks the column(s) "
                             "%(columns)s", file=self.file, row=1,
                             params={"columns": ", ".join(repr(m) for m in missing)})
        return found

    def _fields(self) -> list[_Field]:
        rows = self.table.data.rows()
        fields = []
        for number, row in enumerate(rows):
            def cell(key: str, row: tuple[str | None, ...] = row) -> str:
                index = self.where.get(key)
                return (row[index] or "").strip() if index is not None else ""
            if not cell("name"):
                continue
            fields.append(_Field(
                self.table.file_row(number), cell("name"), cell("form"), cell("section"),
                cell("type").lower(), cell("label"), cell("choices"), cell("note"),
                cell("validation").lower(), cell("minimum"), cell("maximum"),
                cell("identifier").lower() == "y", cell("branching"),
                cell("required").lower() == "y", cell("matrix"), cell("ranking").lower() == "y",
                cell("annotation")))
        if not fields:
            raise InputError("the data dictionary lists no fields", file=self.file)
        return fields

    def field_error(self, message: str, line: int, key: str, **params: object) -> InputError:
        """`message`, a template filled from `params`, about the `key` cell of row `line`."""
        index = self.where.get(key, 0)
        return InputError(message, file=self.file, row=line,
                          column=f"{column_letter(index)} ({COLUMNS[key]!r})", params=params)

    def convert(self) -> Converted:
        fields = self._fields()
        record_id, rest = fields[0], fields[1:]
        index = 0
        while index < len(rest):
            item = rest[index]
            if item.matrix and item.type in ("radio", "dropdown"):
                group = [item]
                while index + len(group) < len(rest) \
                        and rest[index + len(group)].matrix == item.matrix:
                    group.append(rest[index + len(group)])
                self._matrix(group)
                index += len(group)
                continue
            self._field(item)
            index += 1
        return self._converted(record_id)

    def _section_for(self, item: _Field, *, header: bool = True) -> _Section:
        current = self.sections[-1] if self.sections else None
        new_form = current is None or current.id.split("__")[0] != _slug(item.form or "form")
        if new_form or (header and item.section):
            title = clean_header(item.section) if header and item.section \
                else _title(item.form or "Form")
            base = _slug(item.form or "form")
            sid = base if base not in self.section_ids else unique(
                f"{base}__{_slug(title)}", self.section_ids, claim=False)
            self.section_ids.add(sid)
            self.sections.append(_Section(sid, title))
        return self.sections[-1]

    def _field(self, item: _Field) -> None:
        if item.type in _SKIPPED:
            if item.type != "descriptive":
                self.skipped.append(f"{item.name} ({item.type})")
            if item.section:
                self._section_for(item)
            return
        kind = _CHOICE_TYPES.get(item.type) or ("single" if item.type in _FIXED else None) \
            or ("text" if item.type in _TEXT_TYPES else None)
        if kind is None:
            raise self.field_error("unknown field type %(type)r for %(field)r", item.line,
                                   "type", type=item.type, field=item.name)
        self._check_name(item)
        if item.type == "text" and not item.identifier and self._other_box(item):
            return
        notes: list[str] = []
        options: tuple[Option, ...] = ()
        if kind != "text":
            options = self._options(item)
        if item.matrix and item.type == "checkbox":
            notes.append(f"REDCap shows it in matrix group {item.matrix!r}; each checkbox "
                         "field of a matrix is its own select-all question here.")
        pii = item.identifier or item.validation in _PERSONAL_VALIDATION
        if item.type == "slider":
            notes.append("A REDCap slider (0-100): its numbers are read as typed answers.")
        elif item.type == "text" and item.validation and not pii:
            notes.append(f"REDCap checks it as {item.validation}"
                         + (f" from {item.minimum}" if item.minimum else "")
                         + (f" to {item.maximum}" if item.maximum else "")
                         + "; hrta reads it as typed text.")
        if pii and not item.identifier:
            notes.append(f"Held apart as personal data: REDCap checks it as {item.validation}.")
        question = self._question(item, kind, options, pii, notes)
        self._section_for(item).questions.append(question)

    def _other_box(self, item: _Field) -> bool:
        """Is this text field the "please specify" box of an earlier choice: named
        `QUESTION_CODE` (or labelled as that choice) and shown only when that code is
        chosen (as `hrta instrument export` writes one)? If so, that option takes it."""
        condition = self._condition(item.branching) if item.branching else None
        if condition is None or len(condition.any_of) != 1:
            return False
        code = condition.any_of[0]
        question = self.questions[condition.question]
        # A name cut to REDCap's 26 characters no longer says whose box it is; the label,
        # the option's own, still does.
        if item.name != f"{condition.question}_{code}" and clean_header(item.label) != next(
                (o.label for o in question.options if o.id == code), None):
            return False
        options = tuple(o.model_copy(update={"other": True}) if o.id == code else o
                        for o in question.options)
        changed = question.model_copy(update={"options": options})
        self.questions[question.id] = changed
        for section in self.sections:
            section.questions = [changed if q.id == question.id else q
                                 for q in section.questions]
        return True

    def _matrix(self, group: list[_Field]) -> None:
        first = group[0]
        options = self._options(first)
        for item in group[1:]:
            if self._options(item) != options:
                raise self.field_error("matrix group %(group)r: field %(field)r has other "
                                       "choices than its first field", item.line, "choices",
                                       group=first.matrix, field=item.name)
        for item in group:
            self._check_name(item)
        qid = _slug(first.matrix)
        if qid in self.questions or any(qid == item.name for item in group):
            qid = unique(f"{qid}_matrix", set(self.questions), claim=False)
        notes = []
        if first.ranking:
            notes.append("REDCap ranks this matrix (one column each); hrta reads each "
                         "statement's answer.")
        text = clean_header(first.section) or _title(first.matrix)
        statements = tuple(Statement(id=item.name, text=clean_header(item.label) or item.name)
                           for item in group)
        question = self._question(first, "matrix", options, any(i.identifier for i in group),
                                  notes, qid=qid, text=text, statements=statements)
        self._section_for(first, header=False).questions.append(question)

    def _question(self, item: _Field, kind: str, options: tuple[Option, ...], pii: bool,
                  notes: list[str], *, qid: str | None = None, text: str | None = None,
                  statements: tuple[Statement, ...] = ()) -> Question:
        qid = qid or item.name
        show_if = None
        if item.branching:
            show_if = self._condition(item.branching)
            if show_if is None:
                notes.append(f"REDCap shows it only if: {item.branching} (hrta cannot express "
                             "this rule, so every response counts in its base).")
        try:
            question = Question(
                id=qid, type=kind, text=text or clean_header(item.label) or item.name,
                help=clean_header(item.note) or None, required=item.required, pii=pii,
                max_choices=_max_checked(item) if kind == "multi" else None,
                options=options, statements=statements, show_if=show_if)
        except ValidationError as exc:
            raise self.field_error("field %(field)r cannot be read: %(reason)s", item.line,
                                   "name", field=item.name,
                                   reason=exc.errors()[0]["msg"]) from exc
        self.questions[qid] = question
        if notes:
            self.notes[qid] = notes
        return question

    def _check_name(self, item: _Field) -> None:
        if not _ID.match(item.name):
            raise self.field_error("variable name %(field)r is not a REDCap variable name "
                                   "(lower-case letters, digits and underscores)", item.line,
                                   "name", field=item.name)
        if item.name in self.questions:
            raise self.field_error("variable %(field)r is listed twice", item.line, "name",
                                   field=item.name)

    def _options(self, item: _Field) -> tuple[Option, ...]:
        if item.type in _FIXED:
            pairs = list(_FIXED[item.type])
        else:
            try:
                pairs = parse_choices(item.choices)
            except ChoiceError as exc:
                raise self.field_error("%(field)r: choice %(choice)r is not written 'code, "
                                       "label'", item.line, "choices", field=item.name,
                                       choice=exc.piece) from None
            if not pairs:
                raise self.field_error("%(type)s field %(field)r lists no choices", item.line,
                                       "choices", type=item.type, field=item.name)
        seen: dict[str, str] = {}
        options = []
        for code, label in pairs:
            oid = option_id(code)
            if oid in seen:
                raise self.field_error("%(field)r: codes %(first)r and %(code)r are the same "
                                       "code to hrta (case and punctuation aside)", item.line,
                                       "choices", field=item.name, first=seen[oid], code=code)
            seen[oid] = code
            options.append(Option(id=oid, label=label))
        return tuple(options)

    def _condition(self, logic: str) -> Condition | None:
        """`[q] = '1' or [q] = '2'` (or `[q(2)] = '1'` for a checkbox) as a show_if."""
        terms = re.split(r"\s+or\s+", _unwrap(logic), flags=re.IGNORECASE)
        question: str | None = None
        codes: list[str] = []
        for term in terms:
            match = _TERM.match(_unwrap(term))
            if match is None:
                return None
            name, box, operator, _quote, value = match.groups()
            if operator != "=" or (question is not None and name != question):
                return None
            source = self.questions.get(name)
            if source is None or source.type not in ("single", "multi") or source.pii:
                return None
            code = box if box is not None else value
            if box is not None and value.strip() != "1":
                return None
            if option_id(code) not in source.option_ids:
                return None
            question = name
            codes.append(option_id(code))
        if question is None:
            return None
        return Condition(question=question, any_of=tuple(dict.fromkeys(codes)))

    def _converted(self, record_id: _Field) -> Converted:
        # REDCap names the file `ProjectTitle_DataDictionary_2024-07-26.csv`.
        stem = re.sub(r"_?DataDictionary.*$", "", self.path.stem, flags=re.IGNORECASE) \
            or self.path.stem
        header = [f"Imported from the REDCap Data Dictionary {self.path.name}. Question ids "
                  "are REDCap variable names and option ids its raw codes: analyse a REDCap "
                  "export with --format redcap and this file as --instrument.",
                  f"{record_id.name!r} (the first field) is the record id of each response."]
        if self.skipped:
            header.append("Not questions here: " + ", ".join(self.skipped) + ".")
        sections = [Section(id=s.id, title=s.title, questions=tuple(s.questions))
                    for s in self.sections if s.questions]
        if not sections:
            raise InputError("the data dictionary has no field hrta can read as a question",
                             file=self.file)
        try:
            instrument = Instrument(id=_slug(stem) or "redcap", version="1",
                                    title=_title(stem), sections=tuple(sections))
        except ValidationError as exc:
            raise InputError("the data dictionary does not make an instrument: %(reason)s",
                             file=self.file, params={"reason": exc.errors()[0]["msg"]}) from exc
        return Converted(instrument, tuple(header),
                         {qid: tuple(notes) for qid, notes in self.notes.items()})


def _max_checked(item: _Field) -> int | None:
    """REDCap's `@MAXCHECKED=N` action tag: at most N boxes of a checkbox field."""
    match = re.search(r"@MAXCHECKED\s*=\s*(\d+)", item.annotation, flags=re.IGNORECASE)
    return int(match.group(1)) if match and int(match.group(1)) >= 1 else None


def _unwrap(text: str) -> str:
    """Without the parentheses around the whole of it."""
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and text.count("(") == text.count(")"):
        text = text[1:-1].strip()
    return text


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", normalize(text)).strip("_")
    return slug if slug[:1].isalnum() else f"s{slug}" if slug else ""


def _title(name: str) -> str:
    text = re.sub(r"[_]+", " ", name).strip()
    return text[:1].upper() + text[1:] if text else name


register(Kind("redcap", "a REDCap Data Dictionary (CSV whose row 1 starts "
              "'Variable / Field Name')", is_dictionary, read))
