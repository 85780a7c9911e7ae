"""An XLSForm (KoboToolbox, ODK) read into an hrta instrument.

The form is an `.xlsx` or `.xls` workbook with `survey`, `choices` and `settings` sheets,
or the `survey` CSV with its `choices` CSV beside it (the same name with `choices` for
`survey`). select_one and select_multiple become single and select-all questions (with
`or_other`, an "Other" option whose text is the `NAME_other` column); text, integer,
decimal, date, time and range become open-ended questions; groups become sections;
`relevant` becomes `show_if` where it names one earlier question's choices, else a note.
A `table-list` group of `select_one` questions of one list is a matrix (its questions the
statements), and a text question `QUESTION_CHOICE` shown only when that choice is picked
is the choice's "please specify" box. A `pii` column saying `yes` (as `hrta instrument
export` writes it) marks contact details.
`label::Language (code)` columns beside the form's own become translations. Metadata
(start, end, username, deviceid, phone number), locations, media and notes are no
questions; questions inside a repeat group are left out (an export holds them in other
sheets). Question and option ids are the XLSForm names, lower-cased (see `form_id`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from hrta.errors import InputError
from hrta.ingest import xlsx
from hrta.ingest.definitions import Converted, Kind, register
from hrta.ingest.labels import clean_header
from hrta.ingest.tables import column_letter, first_row, read_table
from hrta.instrument.schema import (
    Condition,
    Instrument,
    Option,
    Question,
    Section,
    Statement,
)

OTHER = "other"
_TEXT_TYPES = {"text", "integer", "decimal", "date", "time", "datetime", "range", "int"}
_NOT_QUESTIONS = {
    "start", "end", "today", "deviceid", "username", "phonenumber", "simserial",
    "subscriberid", "email", "audit", "note", "calculate", "hidden", "geopoint",
    "geotrace", "geoshape", "image", "audio", "video", "file", "barcode", "acknowledge",
    "background-audio", "start-geopoint", "xml-external", "csv-external", "rank",
    "select_one_from_file", "select_multiple_from_file", "begin_rank",
}
_TRUE = {"yes", "true", "true()", "1", "y"}
_BAD = re.compile(r"[^a-z0-9_]")
_LANGUAGE = re.compile(r"^(.*?)\s*\(([^)]+)\)\s*$")
# Names that hold who a person is: read as personal data, never analysed.
_PERSONAL = re.compile(r"(^|_)(name|first_?name|last_?name|full_?name|surname|e_?mail|phone|"
                       r"telephone|mobile|address|contact)(_|$)")
_EQUALS = re.compile(r"""^\$\{([^}]+)\}\s*=\s*(['"])([^'"]*)\2$""")
# A limit on a select-all question's choices: hrta's max_choices.
_COUNT_SELECTED = re.compile(r"^count-selected\(\s*\.\s*\)\s*<=\s*(\d+)$")
_SELECTED = re.compile(r"""^selected\(\s*\$\{([^}]+)\}\s*,\s*(['"])([^'"]*)\2\s*\)$""")


def form_id(name: str) -> str:
    """The hrta id of an XLSForm name (question or choice), as an export's header gives it."""
    text = _BAD.sub("_", name.strip().lower())
    return text if text[:1].isalnum() else f"q{text}"


@dataclass(frozen=True)
class _Row:
    line: int
    cells: dict[str, str]

    def get(self, key: str) -> str:
        return self.cells.get(key, "").strip()


@dataclass(frozen=True)
class _Sheet:
    file: str
    name: str
    header: list[str]
    """As written; matched lower-cased."""
    rows: list[_Row]

    def column(self, key: str) -> str:
        keys = [h.strip().lower() for h in self.header]
        index = keys.index(key) if key in keys else 0
        text = self.header[index] if index < len(self.header) else key
        return f"{column_letter(index)} ({text!r})"


def _sheet_from(file: str, name: str, grid: list[list[str]], first_line: int = 1) -> _Sheet:
    if not grid:
        return _Sheet(file, name, [], [])
    header = [cell.strip() for cell in grid[0]]
    keys = [_key(cell) for cell in header]
    rows = []
    for offset, row in enumerate(grid[1:], start=first_line + 1):
        cells = {key: (row[i] or "") for i, key in enumerate(keys) if key and i < len(row)}
        if any(value.strip() for value in cells.values()):
            rows.append(_Row(offset, cells))
    return _Sheet(file, name, header, rows)


def _key(header: str) -> str:
    key = header.strip()
    head, sep, rest = key.partition("::")
    head = head.strip().lower().replace(" ", "_")
    return f"{head}::{rest.strip()}" if sep else head


def _workbook(path: Path) -> dict[str, _Sheet]:
    file = str(path)
    if path.suffix.lower() == ".xls":
        return _xls(path)
    names = {name.strip().lower(): name for name in xlsx.sheet_names(path)}
    sheets: dict[str, _Sheet] = {}
    for wanted in ("survey", "choices", "settings"):
        if wanted not in names:
            continue
        sheet = xlsx.read_sheet(path, sheet=names[wanted])
        width = sheet.width
        grid = [[sheet.rows.get(row, {}).get(i) or "" for i in range(width)]
                for row in range(1, max(sheet.rows, default=0) + 1)]
        sheets[wanted] = _sheet_from(f"{file}, sheet {names[wanted]!r}", wanted, grid)
    return sheets


def _xls(path: Path) -> dict[str, _Sheet]:
    import xlrd  # type: ignore[import-untyped]  # xlrd ships no type hints

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:  # xlrd raises several types for damaged files
        raise InputError("not a readable .xls workbook: %(reason)s", file=str(path),
                         params={"reason": str(exc)}) from exc
    sheets: dict[str, _Sheet] = {}
    for name in book.sheet_names():
        wanted = name.strip().lower()
        if wanted not in ("survey", "choices", "settings"):
            continue
        sheet = book.sheet_by_name(name)
        grid = [[_xls_text(sheet.cell(r, c)) for c in range(sheet.ncols)]
                for r in range(sheet.nrows)]
        sheets[wanted] = _sheet_from(f"{path}, sheet {name!r}", wanted, grid)
    return sheets


def _xls_text(cell: object) -> str:
    value = getattr(cell, "value", "")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _csv_pair(path: Path) -> dict[str, _Sheet]:
    sheets: dict[str, _Sheet] = {}
    for wanted in ("survey", "choices", "settings"):
        part = path.with_name(_swap(path.name, wanted))
        if wanted != "survey" and (part == path or not part.is_file()):
            continue
        table = read_table(part, header_rows=1)
        grid = [table.header[0], *([cell or "" for cell in row] for row in table.data.rows())]
        sheets[wanted] = _sheet_from(str(part), wanted, grid)
    return sheets


def _swap(name: str, part: str) -> str:
    return re.sub("survey", part, name, count=1, flags=re.IGNORECASE)


def is_xlsform(path: Path) -> bool:
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            return any(n.strip().lower() == "survey" for n in xlsx.sheet_names(path))
        if suffix == ".xls":
            return True
        if suffix == ".csv":
            keys = {_key(cell) for cell in first_row(path)}
            return {"type", "name"} <= keys
    except InputError:
        return False
    return False


def read(path: Path) -> Converted:
    path = Path(path)
    sheets = _csv_pair(path) if path.suffix.lower() == ".csv" else _workbook(path)
    if "survey" not in sheets:
        raise InputError("this XLSForm has no 'survey' sheet", file=str(path))
    return _Form(path, sheets).convert()


@dataclass
class _Section:
    id: str
    title: str
    titles: dict[str, str]
    questions: list[Question] = field(default_factory=list)


@dataclass
class _Choice:
    id: str
    label: str
    labels: dict[str, str]


# One question's overlay in one language: its text and help, and id -> label maps of its
# statements and options.
_Entry = dict[str, str | dict[str, str]]


class _Form:
    def __init__(self, path: Path, sheets: dict[str, _Sheet]) -> None:
        self.path = path
        self.survey = sheets["survey"]
        self.choices_sheet = sheets.get("choices")
        self.settings = (sheets["settings"].rows[0].cells
                         if "settings" in sheets and sheets["settings"].rows else {})
        for key in ("type", "name"):
            if key not in {_key(h) for h in self.survey.header}:
                raise InputError("the survey sheet has no %(column)r column",
                                 file=self.survey.file, row=1, params={"column": key})
        self.base, self.languages = self._languages()
        self.lists = self._choices()
        self.sections: dict[str, _Section] = {}
        self.questions: dict[str, Question] = {}
        self.notes: dict[str, list[str]] = {}
        self.translations: dict[str, dict[str, _Entry]] = {
            code: {} for code in self.languages}
        self.left_out: list[str] = []
        self.repeats: list[str] = []

    def _languages(self) -> tuple[str, dict[str, str]]:
        """The label column of the form's own language, and code -> column of the others."""
        columns = [_key(h) for h in self.survey.header if _key(h).startswith("label")]
        if not columns:
            raise InputError("the survey sheet has no 'label' column", file=self.survey.file,
                             row=1)
        default = self.settings.get("default_language", "").strip()
        base = "label" if "label" in columns else next(
            (c for c in columns if default and default in c), columns[0])
        languages = {}
        for column in columns:
            if column == base or "::" not in column:
                continue
            language = column.partition("::")[2]
            match = _LANGUAGE.match(language)
            code = match.group(2) if match else language
            languages[form_id(code)] = column
        return base, languages

    def _label(self, row: _Row, column: str) -> str:
        return clean_header(row.get(column))

    def _choices(self) -> dict[str, list[_Choice]]:
        lists: dict[str, list[_Choice]] = {}
        if self.choices_sheet is None:
            return lists
        seen: dict[tuple[str, str], int] = {}
        for row in self.choices_sheet.rows:
            name = row.get("list_name") or row.get("list name")
            choice = row.get("name")
            if not name or not choice:
                continue
            oid = form_id(choice)
            if (name, oid) in seen:
                raise InputError("list %(list)r has choice %(choice)r twice (to hrta, case "
                                 "and punctuation aside; first at row %(first)s)",
                                 file=self.choices_sheet.file, row=row.line,
                                 column=self.choices_sheet.column("name"),
                                 params={"list": name, "choice": choice,
                                         "first": seen[name, oid]})
            seen[name, oid] = row.line
            label = self._label(row, self.base) or choice
            labels = {code: self._label(row, column)
                      for code, column in self.languages.items() if row.get(column)}
            lists.setdefault(name, []).append(_Choice(oid, label, labels))
        return lists

    def row_error(self, message: str, row: _Row, key: str,
                  **params: object) -> InputError:
        """`message` (a template filled from `params`) about the survey sheet's `row`, in
        its column `key`."""
        return InputError(message, file=self.survey.file, row=row.line,
                          column=self.survey.column(key), params=params)

    def convert(self) -> Converted:
        groups: list[tuple[str, str, _Row]] = []  # kind, name, row
        grid: tuple[_Row, list[_Row]] | None = None  # a table-list group and its rows
        for row in self.survey.rows:
            kind = " ".join(row.get("type").split())
            word = kind.replace("_", " ").lower()
            if grid is not None:
                if word == "end group":
                    self._grid(groups, *grid)
                    grid = None
                else:
                    grid[1].append(row)
                continue
            if word == "begin group" and "table-list" in row.get("appearance").lower() \
                    and not any(g[0] == "repeat" for g in groups):
                grid = (row, [])
                continue
            if word in ("begin group", "begin repeat"):
                groups.append((word.split()[1], row.get("name"), row))
                if word == "begin repeat":
                    self.repeats.append(row.get("name"))
                continue
            if word in ("end group", "end repeat"):
                if groups:
                    groups.pop()
                continue
            if not kind or any(g[0] == "repeat" for g in groups):
                continue
            question = self._question(row, kind)
            if question is not None:
                self._section(groups).questions.append(question)
        return self._converted()

    def _grid(self, groups: list[tuple[str, str, _Row]], head: _Row, rows: list[_Row]) -> None:
        """A `table-list` group: one matrix when its questions are all `select_one` of one
        list (as `hrta instrument export` writes an agreement grid), else a section."""
        kinds = {" ".join(r.get("type").split()).lower() for r in rows}
        parts = next(iter(kinds)).split() if len(kinds) == 1 else []
        if len(parts) != 2 or parts[0] != "select_one" or not head.get("name"):
            groups.append(("group", head.get("name"), head))
            for row in rows:
                question = self._question(row, " ".join(row.get("type").split()))
                if question is not None:
                    self._section(groups).questions.append(question)
            groups.pop()
            return
        qid = form_id(head.get("name"))
        prefix = f"{qid}_"
        ids = [form_id(r.get("name")).removeprefix(prefix) or form_id(r.get("name"))
               for r in rows]
        statements = tuple(Statement(id=sid, text=self._label(r, self.base) or r.get("name"))
                           for sid, r in zip(ids, rows, strict=True))
        show_if = self._condition(head.get("relevant")) if head.get("relevant") else None
        try:
            question = Question(id=qid, type="matrix",
                                text=self._label(head, self.base) or head.get("name"),
                                required=all(r.get("required").lower() in _TRUE for r in rows),
                                options=self._options(rows[0], parts, qid),
                                statements=statements, show_if=show_if)
        except ValidationError as exc:
            raise self.row_error("grid %(grid)r cannot be read: %(reason)s", head, "name",
                                 grid=head.get("name"),
                                 reason=exc.errors()[0]["msg"]) from exc
        if head.get("relevant") and show_if is None:
            self.notes[qid] = [f"Kobo shows it only if: {head.get('relevant')} (hrta cannot "
                               "express this rule, so every response counts in its base)."]
        self.questions[qid] = question
        self._section(groups).questions.append(question)
        for code, column in self.languages.items():
            entry: _Entry = {}
            if head.get(column):
                entry["text"] = self._label(head, column)
            texts = {sid: self._label(r, column) for sid, r in zip(ids, rows, strict=True)
                     if r.get(column)}
            if texts:
                entry["statements"] = texts
            labels = {c.id: c.labels[code] for c in self.lists.get(parts[1], [])
                      if code in c.labels}
            if labels:
                entry["options"] = labels
            if entry:
                self.translations[code][qid] = entry

    def _other_box(self, row: _Row, qid: str) -> bool:
        """Is this text question the "please specify" box of an earlier choice: named
        `QUESTION_CHOICE` and shown when that choice is picked (the form XLSForm recommends
        over `or_other` in a form with translations)? If so, that option takes it."""
        match = _EQUALS.match(row.get("relevant")) or _SELECTED.match(row.get("relevant"))
        if match is None:
            return False
        source, code = form_id(match.group(1)), form_id(match.group(3))
        question = self.questions.get(source)
        if question is None or question.type not in ("single", "multi") \
                or code not in question.option_ids or qid != f"{source}_{code}":
            return False
        options = tuple(o.model_copy(update={"other": True}) if o.id == code else o
                        for o in question.options)
        changed = question.model_copy(update={"options": options})
        self.questions[source] = changed
        for section in self.sections.values():
            section.questions = [changed if q.id == source else q for q in section.questions]
        return True

    def _section(self, groups: list[tuple[str, str, _Row]]) -> _Section:
        if not groups:
            key, title, titles = "main", self.settings.get("form_title") or "Questions", {}
        else:
            _, name, row = groups[-1]
            key = form_id(name or f"group_{row.line}")
            title = self._label(row, self.base) or name
            titles = {code: self._label(row, column)
                      for code, column in self.languages.items() if row.get(column)}
        if key not in self.sections:
            self.sections[key] = _Section(key, title, titles)
        return self.sections[key]

    def _question(self, row: _Row, kind: str) -> Question | None:
        name = row.get("name")
        parts = kind.split()
        base = parts[0].lower()
        if base in _NOT_QUESTIONS or base.startswith("begin"):
            if base not in ("note", "start", "end", "today", "calculate"):
                self.left_out.append(f"{name} ({base})")
            return None
        if not name:
            raise self.row_error("this question has no name", row, "name")
        qid = form_id(name)
        if qid in self.questions:
            raise self.row_error("question name %(name)r is used twice (to hrta, case and "
                                 "punctuation aside)", row, "name", name=name)
        notes: list[str] = []
        options: tuple[Option, ...] = ()
        if base in ("select_one", "select_multiple"):
            qtype = "single" if base == "select_one" else "multi"
            options = self._options(row, parts, qid)
        elif base == "text" and self._other_box(row, qid):
            return None
        elif base in _TEXT_TYPES:
            qtype = "text"
            if base != "text":
                notes.append(f"An XLSForm {base}: read as typed text.")
        else:
            self.left_out.append(f"{name} ({base})")
            return None
        marked = row.get("pii").lower() in _TRUE  # as `hrta instrument export` writes it
        pii = marked or (qtype == "text" and bool(_PERSONAL.search(qid)))
        if pii and not marked:
            notes.append("Held apart as personal data (its name says it identifies a person); "
                         "remove `pii: true` if it does not.")
        limit = _COUNT_SELECTED.match(row.get("constraint"))
        max_choices = int(limit.group(1)) if limit and qtype == "multi" else None
        for key, what in (("constraint", "Kobo checks"), ("choice_filter", "Kobo filters the "
                                                         "choices by")):
            if row.get(key) and not (key == "constraint" and max_choices):
                message = row.get("constraint_message") if key == "constraint" else ""
                notes.append(f"{what}: {row.get(key)}" + (f" ({message})" if message else ""))
        show_if = None
        if row.get("relevant"):
            show_if = self._condition(row.get("relevant"))
            if show_if is None:
                notes.append(f"Kobo shows it only if: {row.get('relevant')} (hrta cannot "
                             "express this rule, so every response counts in its base).")
        try:
            question = Question(id=qid, type=qtype, text=self._label(row, self.base) or name,
                                help=self._label(row, self.base.replace("label", "hint", 1))
                                or self._label(row, "hint") or None,
                                required=row.get("required").lower() in _TRUE, pii=pii,
                                max_choices=max_choices, options=options, show_if=show_if)
        except ValidationError as exc:
            raise self.row_error("question %(name)r cannot be read: %(reason)s", row, "name",
                                 name=name, reason=exc.errors()[0]["msg"]) from exc
        self.questions[qid] = question
        if notes:
            self.notes[qid] = notes
        self._translate(row, question)
        return question

    def _options(self, row: _Row, parts: list[str], qid: str) -> tuple[Option, ...]:
        if len(parts) < 2:
            raise self.row_error("%(type)s names no choice list", row, "type", type=parts[0])
        if self.choices_sheet is None:
            raise self.row_error("this XLSForm has no 'choices' sheet, which %(type)s "
                                 "%(list)r needs", row, "type", type=parts[0], list=parts[1])
        choices = self.lists.get(parts[1])
        if not choices:
            raise self.row_error("choice list %(list)r is not in the choices sheet", row, "type",
                                 list=parts[1])
        or_other = len(parts) > 2 and parts[2].lower() == "or_other"
        options = [Option(id=c.id, label=c.label, other=or_other and c.id == OTHER)
                   for c in choices]
        if or_other and OTHER not in {c.id for c in choices}:
            options.append(Option(id=OTHER, label="Other", other=True))
        return tuple(options)

    def _translate(self, row: _Row, question: Question) -> None:
        parts = row.get("type").split()
        choices = self.lists.get(parts[1], []) if len(parts) > 1 else []
        for code, column in self.languages.items():
            entry: _Entry = {}
            if row.get(column):
                entry["text"] = self._label(row, column)
            hint = f"hint::{column.partition('::')[2]}"
            if row.get(hint):
                entry["help"] = self._label(row, hint)
            labels = {c.id: c.labels[code] for c in choices if code in c.labels}
            if labels:
                entry["options"] = labels
            if entry:
                self.translations[code][question.id] = entry

    def _condition(self, relevant: str) -> Condition | None:
        text = relevant.strip()
        while text.startswith("(") and text.endswith(")") and text.count("(") == 1:
            text = text[1:-1].strip()
        source: str | None = None
        codes: list[str] = []
        for term in re.split(r"\s+or\s+", text):
            term = term.strip()
            match = _EQUALS.match(term) or _SELECTED.match(term)
            if match is None:
                return None
            name, _quote, code = match.groups()
            qid = form_id(name)
            question = self.questions.get(qid)
            if question is None or question.type not in ("single", "multi") \
                    or (source is not None and qid != source) \
                    or form_id(code) not in question.option_ids:
                return None
            source = qid
            codes.append(form_id(code))
        if source is None:
            return None
        return Condition(question=source, any_of=tuple(dict.fromkeys(codes)))

    def _converted(self) -> Converted:
        header = [f"Imported from the XLSForm {self.path.name}. Question ids are the form's "
                  "names (lower-cased) and option ids its choice names: analyse a KoboToolbox "
                  "export with --format kobo and this file as --instrument."]
        if self.left_out:
            header.append("Not questions here: " + ", ".join(self.left_out) + ".")
        if self.repeats:
            header.append("Left out: the questions of repeat group(s) "
                          + ", ".join(self.repeats) + "; an export holds them in other "
                          "sheets, which hrta does not read.")
        sections = [Section(id=s.id, title=s.title, questions=tuple(s.questions))
                    for s in self.sections.values() if s.questions]
        if not sections:
            raise InputError("the XLSForm has no question hrta can read", file=self.survey.file)
        ident = form_id(self.settings.get("form_id", "") or self.path.stem.replace(
            "survey", "").strip("_- ") or "xlsform")
        try:
            instrument = Instrument(
                id=ident, version=self.settings.get("version", "").strip() or "1",
                title=self.settings.get("form_title", "").strip() or self.path.stem,
                sections=tuple(sections))
        except ValidationError as exc:
            raise InputError("the XLSForm does not make an instrument: %(reason)s",
                             file=self.survey.file,
                             params={"reason": exc.errors()[0]["msg"]}) from exc
        translations: dict[str, dict[str, object]] = {}
        for code, questions in self.translations.items():
            titles = {s.id: s.titles[code] for s in self.sections.values()
                      if code in s.titles and s.questions}
            title = self.settings.get(f"form_title::{code}", "")
            overlay: dict[str, object] = {}
            if title:
                overlay["title"] = title
            if titles:
                overlay["sections"] = titles
            if questions:
                overlay["questions"] = questions
            if overlay:
                translations[code] = overlay
        return Converted(instrument, tuple(header),
                         {qid: tuple(notes) for qid, notes in self.notes.items()},
                         translations)


register(Kind("xlsform", "an XLSForm (KoboToolbox, ODK: .xlsx or .xls with a 'survey' "
              "sheet, or its survey CSV)", is_xlsform, read))
