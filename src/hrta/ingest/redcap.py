"""Import a REDCap data export (CSV or XLSX) of a project whose Data Dictionary was imported.

REDCap exports either raw data (row 1 the variable names, cells the raw codes, a
checkbox one `field___code` column of 0/1) or labels (row 1 the field labels, a checkbox
`Label (choice=Option)` of Checked/Unchecked, cells the choice labels); a cell is read as
a code first, then as a label, so a "raw headers, labelled data" export reads too. The
export does not say what the codes mean: the instrument must be the one `hrta instrument
import` made from the project's Data Dictionary, whose question ids are the variable names
and option ids the codes.

The record id is the first column. Form status (`*_complete`), the data access group and
the event are kept as respondent attributes, the survey timestamp as the end time; the
survey identifier (an e-mail or a name) is dropped. A longitudinal export of several
events, and rows of repeating instruments, are refused naming the column: export one event
at a time (each is then a wave).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from hrta.errors import InputError, Notice, Phrase, listing
from hrta.ingest.building import Answers, CellError, Parse
from hrta.ingest.labels import header_key
from hrta.ingest.redcap_dictionary import option_id
from hrta.ingest.tables import LabelMismatch, Table, column_name, read_table
from hrta.instrument import Instrument, Question
from hrta.responses import ResponseSet

EVENT = "redcap_event_name"
REPEAT = "redcap_repeat_instrument"
_RAW_METADATA = {
    EVENT: "event", REPEAT: "repeat", "redcap_repeat_instance": "instance",
    "redcap_survey_identifier": "identifier", "redcap_data_access_group": "group",
}
_LABEL_METADATA = {
    "event name": "event", "repeat instrument": "repeat", "repeat instance": "instance",
    "survey identifier": "identifier", "data access group": "group",
    "survey timestamp": "timestamp", "complete?": "status",
}
_STATUS = {"0": "Incomplete", "1": "Unverified", "2": "Complete"}
_CHECKED = {"1", "checked"}
_UNCHECKED = {"0", "unchecked"}
_CHOICE_HEADER = re.compile(r"^(.*)\(choice=(.*)\)\s*$", re.DOTALL)
_NOT_COMPLETED = "[not completed]"


def is_redcap(header: list[str]) -> bool:
    """A REDCap export: a column REDCap adds to every export of a survey or a form."""
    for cell in header:
        text = cell.strip()
        if text in _RAW_METADATA or text.endswith("_complete") \
                or header_key(text) in ("complete?", "survey identifier", "event name"):
            return True
    return False


@dataclass(frozen=True)
class _Column:
    index: int
    question: Question
    kind: str
    """value: a code or label; box: one checkbox option's tick; text; contact."""
    qid: str
    option_id: str | None = None


def read(path: Path, instrument: Instrument) -> ResponseSet:
    try:
        table = read_table(path, header_rows=1, columns=_types(instrument, exact=True))
    except LabelMismatch:
        table = read_table(path, header_rows=1, columns=_types(instrument, exact=False))
    return _Reader(table, instrument).read()


def _types(instrument: Instrument, *, exact: bool
           ) -> Callable[[list[list[str]]], dict[int, Any]]:
    """Every column is read, the rest as text but those of choices and checkboxes as an
    Enum of the codes and labels the export may write (`exact`: a few codes repeated a
    million times take a byte a cell), or else as Categorical, which takes any spelling
    for matching later."""
    names = _raw_names(instrument)
    labels = _labels(instrument)

    def columns(rows: list[list[str]]) -> dict[int, Any]:
        types: dict[int, Any] = {}
        for index, cell in enumerate(rows[0]):
            name = cell.strip()
            spec = names.get(name) or names.get(name.lower())
            specs = [spec] if spec else labels.get(header_key(name), [])
            choice = "___" in name or (bool(specs) and all(s[1] in ("value", "box")
                                                           for s in specs))
            if not index or not choice:
                types[index] = pl.String
                continue
            cells = _cells(instrument, name, specs) if exact else None
            types[index] = pl.Categorical if cells is None else pl.Enum(cells)
        return types
    return columns


def _cells(instrument: Instrument, name: str, specs: list[_Spec]) -> list[str] | None:
    """What a choice or checkbox column's cells may hold: the codes (which the option ids
    are) and the labels; None when the column's question is not known by its name."""
    questions = [spec[0] for spec in specs]
    if "___" in name and not questions:
        try:
            questions = [instrument.question(name.partition("___")[0].lower())]
        except KeyError:
            return None
    if not questions:
        return None
    boxes = any(q.type == "multi" for q in questions) or "___" in name
    ticks = ["0", "1", "Unchecked", "Checked"] if boxes else []
    return list(dict.fromkeys([*ticks, *(value for q in questions for o in q.options
                                         for value in (o.id, o.label))]))


class _Reader:
    def __init__(self, table: Table, instrument: Instrument) -> None:
        self.table = table
        self.instrument = instrument
        self.header = [cell.strip() for cell in table.header[0]]
        self.metadata: dict[str, list[int]] = {}
        self.unknown: list[int] = []
        self.columns: list[_Column] = []
        self._by_name = _raw_names(instrument)
        self._by_label = _labels(instrument)
        self._taken: set[tuple[str, str | None]] = set()

    def read(self) -> ResponseSet:
        if self.table.width < 2:
            raise InputError("a REDCap export has the record id and at least one field",
                             file=self.table.file, row=1)
        for index in range(1, len(self.header)):
            self._locate(index)
        self._check_found()
        self._refuse_events()
        answers = Answers(self.table, self.header, self.instrument)
        with answers.together():
            for column in self.columns:
                self._read_column(answers, column)
        ids = answers.respondent_ids(0)
        warnings = []
        if self.unknown:
            names = listing([column_name(self.header, i) for i in self.unknown[:6]],
                            len(self.unknown) - 6, last=True)
            warnings.append(Notice("not read: %(columns)s, which the instrument does not have "
                                   "(calculated fields, file uploads or fields left out at "
                                   "import)", {"columns": names}))
        return answers.build(ids, ended=self._timestamps(answers),
                             attributes=self._attributes(answers),
                             warnings=tuple(warnings))

    # -- columns ---------------------------------------------------------------------

    def _locate(self, index: int) -> None:
        name = self.header[index]
        column = self._by_name.get(name) or self._by_name.get(name.lower())
        if column is None:
            column = self._checkbox(name) or self._labelled(name)
        if column is None:
            kind = _RAW_METADATA.get(name) or _LABEL_METADATA.get(header_key(name))
            if kind is None and name.endswith("_complete"):
                kind = "status"
            elif kind is None and name.endswith("_timestamp"):
                kind = "timestamp"
            if kind is not None:
                self.metadata.setdefault(kind, []).append(index)
            else:
                self.unknown.append(index)
            return
        question, kind, qid, option = column
        key = (qid, option)
        if key in self._taken:
            raise InputError("two columns hold %(question)r option %(option)r" if option
                             else "two columns hold %(question)r",
                             file=self.table.file, row=1, column=column_name(self.header, index),
                             params={"question": qid, "option": option})
        self._taken.add(key)
        self.columns.append(_Column(index, question, kind, qid, option))

    def _checkbox(self, name: str) -> _Spec | None:
        # `services____1` is code -1 of `services`: the first `___` after a checkbox's name.
        question, code = None, ""
        start = name.find("___")
        while start > 0 and question is None:
            found = self._question(name[:start].lower())
            if found is not None and found.type == "multi":
                question, code = found, name[start + 3:]
            start = name.find("___", start + 1)
        if question is None:
            return None
        oid = option_id(code)
        if oid not in question.option_ids:
            raise InputError("checkbox column of code %(code)r, which question %(question)r "
                             "does not have in the data dictionary; its codes are %(codes)s",
                             file=self.table.file, row=1,
                             column=column_name(self.header, self.header.index(name)),
                             params={"code": code, "question": question.id,
                                     "codes": ", ".join(question.option_ids)})
        return _spec(question, oid)

    def _labelled(self, name: str) -> _Spec | None:
        match = _CHOICE_HEADER.match(name)
        if match is not None:
            text, label = match.groups()
            for spec in self._by_label.get(header_key(text), []):
                question = spec[0]
                if spec[1] == "box":
                    for option in question.options:
                        if header_key(option.label) == header_key(label) \
                                and (question.id, option.id) not in self._taken:
                            return _spec(question, option.id)
            return None
        for spec in self._by_label.get(header_key(name), []):
            if spec[1] == "box":
                continue  # a checkbox's columns say `(choice=...)`
            if (spec[2], None) not in self._taken:
                return spec
        return None

    def _question(self, qid: str) -> Question | None:
        try:
            return self.instrument.question(qid)
        except KeyError:
            return None

    def _check_found(self) -> None:
        # An instrument that fits only a few columns is another project's (the bundled
        # assessment shares a name or two with many REDCap projects).
        if len(self.unknown) >= len(self.columns):
            first = self.unknown[0] if self.unknown else 1
            raise InputError(
                "%(count)s of the %(fields)s fields of this REDCap export are not questions "
                "of %(instrument)r: a REDCap export needs its project's Data Dictionary. "
                "Download it (Project Setup > Data Dictionary), run `hrta instrument import "
                "DataDictionary.csv -o instrument.yaml`, then pass --instrument "
                "instrument.yaml",
                file=self.table.file, row=1, column=column_name(self.header, first),
                params={"count": len(self.unknown),
                        "fields": len(self.unknown) + len(self.columns),
                        "instrument": self.instrument.id})
        boxes: dict[str, set[str]] = {}
        starts: dict[str, int] = {}
        for column in self.columns:
            if column.kind == "box":
                boxes.setdefault(column.qid, set()).add(column.option_id or "")
                starts.setdefault(column.qid, column.index)
        for qid, found in boxes.items():
            missing = [o for o in self.instrument.question(qid).option_ids if o not in found]
            if missing:
                raise InputError("checkbox field %(question)r lacks the column of code(s) "
                                 "%(codes)s: a deleted column would count as ticked by "
                                 "nobody. Export every column of the field",
                                 file=self.table.file, row=1,
                                 column=column_name(self.header, starts[qid]),
                                 params={"question": qid, "codes": ", ".join(missing)})

    @staticmethod
    def _events(events: pl.Series) -> Phrase | str:
        """The first events by name ("'a', 'b' and 'c'"), "..." after them if there are
        more."""
        named = listing([repr(e) for e in events.to_list()[:4]], last=True)
        return Phrase("%(items)s, ...", {"items": named}) if events.len() > 4 else named

    def _refuse_events(self) -> None:
        for index in self.metadata.get("event", []):
            events = self._cells(index).drop_nulls().unique(maintain_order=True)
            if events.len() > 1:
                raise InputError(
                    "this longitudinal export holds %(count)s events (%(events)s); hrta reads "
                    "one event at a time: export each event on its own (a report filtered by "
                    "event) and analyse each as a wave, with --compare for the previous one",
                    file=self.table.file, row=1, column=column_name(self.header, index),
                    params={"count": events.len(), "events": self._events(events)})
        for index in self.metadata.get("repeat", []):
            cells = self._cells(index)
            if cells.null_count() < cells.len():
                row = int(cells.is_not_null().arg_true()[0])
                raise InputError(
                    "a row of repeating instrument %(instrument)r: hrta reads one row per "
                    "record. Export without the repeating instrument, or each repeat as its "
                    "own file with its own record ids", params={"instrument": cells[row]},
                    file=self.table.file, row=self.table.file_row(row),
                    column=column_name(self.header, index))

    def _cells(self, index: int) -> pl.Series:
        return self.table.data[f"c{index}"].cast(pl.String).str.strip_chars().replace("", None)

    # -- cells -----------------------------------------------------------------------

    def _read_column(self, answers: Answers, column: _Column) -> None:
        question = column.question
        if column.kind == "contact":
            answers.contact(column.index, column.qid)
        elif column.kind == "text":
            answers.text(column.index, column.qid)
        elif column.kind == "box":
            answers.chosen(column.index, column.qid, _ticks(question, column.option_id or ""))
        else:
            answers.chosen(column.index, column.qid, _value(question, column.qid))

    def _timestamps(self, answers: Answers) -> pl.Series | None:
        indexes = self.metadata.get("timestamp", [])
        if not indexes:
            return None
        stamps = answers.cells(indexes[0])
        return stamps.replace(_NOT_COMPLETED, None)

    def _attributes(self, answers: Answers) -> pl.DataFrame:
        """Form status, data access group and event: attributes that can split responses."""
        columns: dict[str, pl.Series] = {}
        for kind in ("status", "group", "event"):
            for index in self.metadata.get(kind, []):
                cells = answers.cells(index)
                if kind == "status":
                    cells = cells.replace(_STATUS)
                name = self.header[index]
                if name in columns:
                    name = f"{name} ({column_name(self.header, index)})"
                columns[name] = cells
        return pl.DataFrame(columns)


_Spec = tuple[Question, str, str, str | None]
"""question, column kind, answer question id, option id."""


def _spec(question: Question, option: str | None = None, statement: str | None = None
          ) -> _Spec:
    if question.pii:
        part = statement or option
        return (question, "contact", question.id if part is None
                else f"{question.id}.{part}", None)
    if question.type == "matrix":
        return (question, "value", f"{question.id}.{statement}", None)
    if question.type == "multi":
        return (question, "box", question.id, option)
    if question.type == "text":
        return (question, "text", question.id, None)
    return (question, "value", question.id, None)


def _raw_names(instrument: Instrument) -> dict[str, _Spec]:
    """Variable name -> what its column holds (checkbox columns are found by their code)."""
    names: dict[str, _Spec] = {}
    for question in instrument.questions:
        if question.type == "matrix":
            for statement in question.statements:
                names[statement.id] = _spec(question, statement=statement.id)
        elif question.type != "multi":
            names[question.id] = _spec(question)
    return names


def _labels(instrument: Instrument) -> dict[str, list[_Spec]]:
    """Field label -> the fields with it, in order (a matrix field's label is its statement)."""
    labels: dict[str, list[_Spec]] = {}
    for question in instrument.questions:
        if question.type == "matrix":
            for statement in question.statements:
                labels.setdefault(header_key(statement.text), []).append(
                    _spec(question, statement=statement.id))
        else:
            labels.setdefault(header_key(question.text), []).append(_spec(question))
    return labels


def _value(question: Question, qid: str) -> Parse:
    by_label = {header_key(option.label): option.id for option in question.options}
    ids = set(question.option_ids)

    def parse(cell: str) -> list[str]:
        oid = option_id(cell)
        if oid in ids:
            return [oid]
        found = by_label.get(header_key(cell))
        if found is not None:
            return [found]
        expected = "; ".join(f"{o.id} ({o.label})" for o in question.options[:8])
        raise CellError("code %(code)r is not in the data dictionary for %(question)r; "
                        "expected one of: %(expected)s", code=cell, question=qid,
                        expected=expected)
    return parse


def _ticks(question: Question, option: str) -> Parse:
    label = header_key(question.option(option).label)

    def parse(cell: str) -> list[str]:
        key = header_key(cell)
        if key in _CHECKED or key == label:
            return [option]
        if key in _UNCHECKED:
            return []
        raise CellError("checkbox cell %(cell)r of %(question)r option %(option)r: expected "
                        "1 or 0 (Checked or Unchecked)", cell=cell, question=question.id,
                        option=option)
    return parse

