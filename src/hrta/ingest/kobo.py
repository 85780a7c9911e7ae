"""Import a KoboToolbox data export (XLSX, or CSV with `;` or `,`) of an imported XLSForm.

Kobo's export settings vary the layout, and each is read: XML values (choice names) or
labels, headers with the group path joined by `/` or `.` or without groups, and a
select_multiple as one column of space-separated choices, one 0/1 column per choice
(`services/naloxone`), or both (the split columns are then read). The text of an
`or_other` choice is its `NAME_other` column ("Specify other." in a labels export).

The instrument must be the one `hrta instrument import` made from the form's XLSForm, whose
ids are the form's names. The metadata tail is kept or dropped: `_uuid` (else `_id`,
`_index`) is the response id, `start` and `end` (else `_submission_time`) the times,
`_validation_status` a respondent attribute; `_submitted_by`, `username`, `deviceid`,
`phonenumber`, `_notes`, `_tags`, `_geolocation`, location columns and every other column the
instrument lacks are dropped. Only the main sheet of a workbook is read: the answers of a
repeat group (its other sheets) are left out, with a warning.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from hrta.errors import InputError, Notice, listing
from hrta.ingest import xlsx
from hrta.ingest.building import Answers, CellError, Parse
from hrta.ingest.labels import header_key
from hrta.ingest.tables import Table, column_name, read_table
from hrta.ingest.xlsform import OTHER, form_id
from hrta.instrument import Instrument, Question
from hrta.responses import ResponseSet

# Columns Kobo adds after the answers; those that say who answered are dropped.
METADATA = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
            "_submitted_by", "__version__", "_tags", "_index")
_ID_COLUMNS = ("_uuid", "_id", "_index", "meta/instanceid", "instanceid")
_TIMES = {"start": "started", "end": "ended", "_submission_time": "submitted"}
_KEPT = {"_validation_status": "validation status"}
_CHOSEN = {"1", "true", "yes"}
_NOT_CHOSEN = {"0", "false", "no"}
_SPECIFY_OTHER = {"specify other.", "specify other", "other (specify)", "please specify"}
_SEPARATORS = re.compile(r"[/.]")


def is_kobo(header: list[str]) -> bool:
    # A `;` export reads, as a comma CSV, as cells holding several names.
    names = {name.strip() for cell in header for name in cell.split(";")}
    return "_uuid" in names or "_submission_time" in names or "__version__" in names


@dataclass(frozen=True)
class _Column:
    index: int
    question: Question
    kind: str
    """value, joined (select_multiple, one column), box (one choice), text, other, contact."""
    option_id: str | None = None


def read(path: Path, instrument: Instrument) -> ResponseSet:
    path = Path(path)
    table = _read(path)
    warnings = list(table.warnings)
    if path.suffix.lower() == ".xlsx":
        others = xlsx.sheet_names(path)[1:]
        if others:
            warnings.append(Notice("sheet(s) %(sheets)s (repeat groups) are not read: hrta "
                                   "reads the main sheet",
                                   {"sheets": listing([repr(s) for s in others], last=True)}))
    return _Reader(table, instrument).read(tuple(warnings))


def _read(path: Path) -> Table:
    """A CSV export is written with `;` by default: read it as the comma CSV it stands for."""
    if path.suffix.lower() != ".csv" or not _semicolons(path):
        return read_table(path, header_rows=1)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    with tempfile.TemporaryDirectory() as folder:
        comma = Path(folder) / path.name
        with comma.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
        try:
            table = read_table(comma, header_rows=1)
        except InputError as error:
            error.file = str(path)
            raise
    return replace(table, file=str(path))


def _semicolons(path: Path) -> bool:
    with path.open("rb") as handle:
        line = handle.readline(1024 * 1024).decode("utf-8-sig", errors="replace")
    return line.count(";") > line.count(",")


class _Reader:
    def __init__(self, table: Table, instrument: Instrument) -> None:
        self.table = table
        self.instrument = instrument
        self.header = [cell.strip() for cell in table.header[0]]
        self.by_name = {q.id: q for q in instrument.questions}
        self.by_label: dict[str, list[Question]] = {}
        for question in instrument.questions:
            self.by_label.setdefault(header_key(question.text), []).append(question)
        self.metadata: dict[str, int] = {}
        self.attributes: dict[str, int] = {}
        self.columns: list[_Column] = []
        self.unknown: list[int] = []

    def read(self, warnings: tuple[Notice, ...]) -> ResponseSet:
        for index, name in enumerate(self.header):
            self._locate(index, name)
        columns = self._choose()
        # An instrument that fits only a few columns is another form's (the bundled
        # assessment shares a name or two with many forms).
        others = [i for i in self.unknown if not _is_metadata(self.header[i])]
        if len(others) >= len(columns):
            raise InputError(
                "%(count)s of the columns of this KoboToolbox export are not questions of "
                "%(instrument)r: a Kobo export is read with its form. Download the XLSForm "
                "(Project > Form > Download XLS), run `hrta instrument import form.xlsx -o "
                "instrument.yaml`, then pass --instrument instrument.yaml",
                file=self.table.file, row=1,
                column=column_name(self.header, others[0]) if others else None,
                params={"count": len(others), "instrument": self.instrument.id})
        id_index = next((self.metadata[k] for k in _ID_COLUMNS if k in self.metadata), None)
        if id_index is None:
            raise InputError("no response id column (_uuid, _id or _index): export with "
                             "Kobo's metadata columns", file=self.table.file, row=1)
        answers = Answers(self.table, self.header, self.instrument)
        for column in columns:
            self._read_column(answers, column)
        ids = answers.respondent_ids(id_index)
        started = self._cells(answers, "started")
        ended = self._cells(answers, "ended")
        if ended is None:
            ended = self._cells(answers, "submitted")
        attributes = pl.DataFrame({label: answers.cells(self.attributes[label])
                                   for label in self.attributes})
        return answers.build(ids, started=started, ended=ended, attributes=attributes,
                             warnings=warnings)

    def _cells(self, answers: Answers, kind: str) -> pl.Series | None:
        index = self.metadata.get(kind)
        if index is None:
            return None
        # `2024-07-26T10:00:00.000-04:00` as the local time every stage reads.
        return answers.cells(index).str.replace(
            r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d).*$", "${1} ${2}")

    # -- headers ---------------------------------------------------------------------

    def _locate(self, index: int, name: str) -> None:
        lowered = name.lower()
        if lowered in _ID_COLUMNS:
            self.metadata.setdefault(lowered, index)
            return
        if lowered in _TIMES:
            self.metadata.setdefault(_TIMES[lowered], index)
            return
        if lowered in _KEPT:
            self.attributes[_KEPT[lowered]] = index
            return
        column = self._by_names(index, name) or self._by_labels(index, name)
        if column is None:
            self.unknown.append(index)  # metadata, locations, calculations: dropped
        else:
            self.columns.append(column)

    def _by_names(self, index: int, name: str) -> _Column | None:
        parts = [form_id(p) for p in _SEPARATORS.split(name) if p]
        if not parts:
            return None
        last = parts[-1]
        question = self.by_name.get(last)
        if question is not None:
            return self._whole(index, question)
        if last.endswith("_other"):
            question = self.by_name.get(last[: -len("_other")])
            if question is not None and OTHER in question.option_ids and not question.pii:
                return _Column(index, question, "other", OTHER)
        if len(parts) >= 2:
            question = self.by_name.get(parts[-2])
            if question is not None and question.type == "multi" \
                    and last in question.option_ids:
                return _Column(index, question, "box", last)
        return None

    def _by_labels(self, index: int, name: str) -> _Column | None:
        segments = name.split("/")
        for start in range(len(segments)):
            text = "/".join(segments[start:])
            for question in self.by_label.get(header_key(text), []):
                return self._whole(index, question)
            if header_key(text) in _SPECIFY_OTHER and self.columns:
                previous = self.columns[-1].question
                if OTHER in previous.option_ids and not previous.pii:
                    return _Column(index, previous, "other", OTHER)
            for cut in range(1, len(segments) - start):
                left = "/".join(segments[start:start + cut])
                right = "/".join(segments[start + cut:])
                for question in self.by_label.get(header_key(left), []):
                    if question.type != "multi":
                        continue
                    for option in question.options:
                        if header_key(option.label) == header_key(right):
                            return _Column(index, question, "box", option.id)
        return None

    def _whole(self, index: int, question: Question) -> _Column:
        if question.pii:
            return _Column(index, question, "contact")
        kind = {"single": "value", "multi": "joined", "text": "text"}[question.type]
        return _Column(index, question, kind)

    def _choose(self) -> list[_Column]:
        """One reading of each question: a select_multiple's split columns over its joined one,
        all of them or none."""
        boxes: dict[str, dict[str, _Column]] = {}
        for column in self.columns:
            if column.kind == "box":
                boxes.setdefault(column.question.id, {})[column.option_id or ""] = column
        chosen = []
        seen: set[tuple[str, str, str | None]] = set()
        for column in self.columns:
            qid = column.question.id
            if column.kind == "joined" and qid in boxes:
                continue
            if column.kind == "box":
                missing = [o for o in column.question.option_ids
                           if o not in boxes[qid] and not column.question.option(o).other]
                if missing:
                    raise InputError(
                        "select_multiple %(question)r lacks the column of choice(s) "
                        "%(choices)s: a deleted column would count as chosen by nobody. "
                        "Export every column", file=self.table.file, row=1,
                        column=column_name(self.header, column.index),
                        params={"question": qid, "choices": ", ".join(missing)})
            key = (qid, column.kind, column.option_id)
            if key in seen:
                raise InputError("two columns hold %(question)r choice %(choice)r"
                                 if column.option_id else "two columns hold %(question)r",
                                 file=self.table.file, row=1,
                                 column=column_name(self.header, column.index),
                                 params={"question": qid, "choice": column.option_id})
            seen.add(key)
            chosen.append(column)
        return chosen

    # -- cells -----------------------------------------------------------------------

    def _read_column(self, answers: Answers, column: _Column) -> None:
        question, qid = column.question, column.question.id
        if column.kind == "contact":
            answers.contact(column.index, qid)
        elif column.kind == "text":
            answers.text(column.index, qid)
        elif column.kind == "other":
            answers.text(column.index, qid, OTHER)
        elif column.kind == "box":
            answers.chosen(column.index, qid, _box(question, column.option_id or ""))
        elif column.kind == "joined":
            answers.chosen(column.index, qid, _joined(question))
        else:
            answers.chosen(column.index, qid, _single(question))


_METADATA_NAMES = {"username", "deviceid", "phonenumber", "simserial", "subscriberid",
                   "today", "audit", "email"}


def _is_metadata(name: str) -> bool:
    """A column Kobo or the form's metadata adds, or a location's part (`_geo_latitude`)."""
    last = _SEPARATORS.split(name.lower())[-1]
    return last.startswith("_") or last in _METADATA_NAMES or name.lower().startswith(
        ("meta/", "formhub/", "meta.", "formhub."))


def _expected(question: Question) -> str:
    return "; ".join(f"{o.id} ({o.label})" for o in question.options[:8])


def _single(question: Question) -> Parse:
    labels = {header_key(o.label): o.id for o in question.options}
    ids = set(question.option_ids)

    def parse(cell: str) -> list[str]:
        found = form_id(cell) if form_id(cell) in ids else labels.get(header_key(cell))
        if found is None:
            raise CellError("%(cell)r is not a choice of %(question)r in the form; expected "
                            "one of: %(expected)s", cell=cell, question=question.id,
                            expected=_expected(question))
        return [found]
    return parse


def _joined(question: Question) -> Parse:
    """Space-separated choice names, or labels (which may hold spaces: matched longest
    first)."""
    ids = set(question.option_ids)
    labels = sorted(((header_key(o.label), o.id) for o in question.options),
                    key=lambda pair: -len(pair[0]))

    def parse(cell: str) -> list[str]:
        tokens = [form_id(token) for token in cell.split()]
        if all(token in ids for token in tokens):
            return tokens
        rest, found = header_key(cell), []
        while rest:
            match = next(((label, oid) for label, oid in labels
                          if rest == label or rest.startswith(label + " ")), None)
            if match is None:
                raise CellError("%(cell)r is not a choice of %(question)r in the form; "
                                "expected space-separated choices of: %(expected)s",
                                cell=rest, question=question.id,
                                expected=_expected(question))
            found.append(match[1])
            rest = rest[len(match[0]):].lstrip(" ;,")
        return found
    return parse


def _box(question: Question, option: str) -> Parse:
    label = header_key(question.option(option).label)

    def parse(cell: str) -> list[str]:
        key = header_key(cell)
        if key in _CHOSEN or key == label or form_id(cell) == option:
            return [option]
        if key in _NOT_CHOSEN:
            return []
        raise CellError("cell %(cell)r of %(question)r choice %(option)r: expected 1 (chosen) "
                        "or 0", cell=cell, question=question.id, option=option)
    return parse
