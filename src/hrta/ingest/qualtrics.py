"""Import a Qualtrics data export (CSV or XLSX) of an instrument.

Current exports have three header rows: row 1 the column ids (`Q1`, `Q2_4`, `Q2_6_TEXT`,
`Q3_1`), row 2 the question texts, row 3 `{"ImportId":"QID2"}` (single-quoted, with
hyphens, in 2016's exports). Legacy exports have two: `V1`…`V10` then the column ids in
row 1, `ResponseID`…`Finished` then the question texts in row 2. Cells hold the choice
text or, in a "numeric values" export, the recode values, which the instrument imported
from the survey's .qsf carries as each option's `code`.

A column's id is its question's export tag, then for a select-all option its recode
value, for a matrix statement its id, and `_TEXT` for typed "Other" text; hrta's question
ids are those tags as ids (`hrta instrument import survey.qsf`), which is how columns are
matched. Identifying metadata (IP address, location, recipient names and e-mail, external
reference) and embedded data are dropped here. Responses whose `Status` is a survey
preview, a test or spam are left out; unfinished responses are kept unless
`finished_only`.

A multi-language survey's export (its `UserLanguage` / `Q_Language` column names each
respondent's language) may hold each choice text in the language the respondent answered
in: `translated`, the instrument in its other languages (the overlays `hrta instrument
import survey.qsf` writes beside it), lets a cell match an option's label in any of them,
so the counts of all languages come together under the instrument's options. The
`UserLanguage` column is kept as a respondent attribute (`--by UserLanguage`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from hrta.errors import InputError, Notice
from hrta.ingest.building import Answers, CellError
from hrta.ingest.googleforms import split_choices
from hrta.ingest.labels import header_key, normalize
from hrta.ingest.qsf import as_id
from hrta.ingest.tables import (
    Columns,
    LabelMismatch,
    Table,
    column_name,
    first_row,
    read_table,
)
from hrta.instrument import Instrument, Option, Question
from hrta.responses import ResponseSet

# Row-1 names (as ids) of the metadata Qualtrics writes; those not kept are dropped.
_KEPT = {"responseid": "id", "_recordid": "id", "startdate": "started", "enddate": "ended",
         "status": "status", "finished": "finished", "progress": "progress"}
_LEGACY = {"responseid": "id", "startdate": "started", "enddate": "ended",
           "status": "status", "finished": "finished"}
# Row-1 names (as ids) of metadata kept as respondent attributes, which can split them
# (`--by UserLanguage`): the language each respondent answered in.
_ATTRIBUTES = frozenset({"userlanguage"})
# Status values of responses that are not real answers (text and numeric exports).
EXCLUDED_STATUS = frozenset({"survey preview", "survey test", "spam", "preview spam",
                             "survey preview spam", "imported spam", "offline survey preview",
                             "1", "2", "8", "9", "12", "17"})
_NOT_FINISHED = frozenset({"false", "0", "no"})
# Cells Qualtrics writes for "seen but not answered" when asked to.
_UNANSWERED = frozenset({"-99", "-98"})
_IMPORT_ID = re.compile(r"""^\{\s*['"]ImportId['"]\s*:\s*['"]([^'"]*)['"]""")
_METADATA_IDS = re.compile(r"^(q_|location|recipient|external|distribution|userlanguage|"
                           r"ipaddress|duration|recordeddate|v\d+$|sc\d+$)")


def is_qualtrics(header: list[str]) -> bool:
    """Row 1 of a Qualtrics export: its metadata ids, or the legacy V1, V2, ..."""
    ids = {as_id(cell) for cell in header[:40]}
    return [c.strip() for c in header[:2]] == ["V1", "V2"] or (
        "startdate" in ids and ("responseid" in ids or "_recordid" in ids))


def read(path: Path, instrument: Instrument, *, finished_only: bool = False,
         translated: Sequence[Instrument] = ()) -> ResponseSet:
    path = Path(path)
    legacy = [c.strip() for c in first_row(path)[:2]] == ["V1", "V2"]
    versions = (instrument, *translated)
    found: list[tuple[list[list[str]], _Layout]] = []

    def columns(exact: bool) -> Columns:
        def pick(rows: list[list[str]]) -> dict[int, Any]:
            """The layout from the header rows; only its columns are read, the choices as
            an Enum of the texts and codes the export may write (`exact`; a few labels
            repeated a million times take a byte a cell) or else as Categorical, which
            takes any spelling for matching later."""
            width = max(len(row) for row in rows)
            header = [[(cell or "").strip() for cell in row] + [""] * (width - len(row))
                      for row in rows]
            if not legacy:
                _check_third_row(str(path), header)
            layout = _Layout.of(str(path), header, legacy, instrument, versions)
            found.append((header, layout))
            wanted: dict[int, Any] = {i: pl.String for i in layout.metadata.values()}
            wanted.update({i: pl.String for i in layout.attributes.values()})
            for i, target in layout.columns.items():
                chosen = target.kind in ("single", "rating", "tick") and not target.question.pii
                wanted[i] = (pl.Enum(_cells(target, header[1][i], versions)) if exact
                             else pl.Categorical) if chosen else pl.String
            return wanted
        return pick

    header_rows = 2 if legacy else 3
    try:
        table = read_table(path, header_rows=header_rows, columns=columns(exact=True))
    except LabelMismatch:
        found.clear()
        table = read_table(path, header_rows=header_rows, columns=columns(exact=False))
    header, layout = found[0]
    table, dropped = _kept_rows(table, layout, finished_only)
    answers = Answers(table, header[0], instrument)
    with answers.together():
        for index, target in layout.columns.items():
            _read_column(answers, index, target, header, versions)
    ids = answers.respondent_ids(layout.metadata["id"])
    warnings = [*layout.warnings, *dropped]
    attributes = pl.DataFrame({name: answers.cells(index)
                               for name, index in layout.attributes.items()},
                              schema={name: pl.String for name in layout.attributes})
    return answers.build(ids, started=_optional(answers, layout.metadata.get("started")),
                         ended=_optional(answers, layout.metadata.get("ended")),
                         attributes=attributes, warnings=tuple(warnings))


def _check_third_row(file: str, header: list[list[str]]) -> None:
    """Row 3 must be the ImportId row: without it the first response would be read as a
    header and every count would be one short."""
    row3 = header[2]
    filled = [i for i, cell in enumerate(row3) if cell]
    if filled and all(_IMPORT_ID.match(row3[i]) for i in filled):
        return
    bad = next((i for i in filled if not _IMPORT_ID.match(row3[i])), 0)
    raise InputError("the third header row is missing: row 3 holds data where a Qualtrics "
                     "export has {\"ImportId\": ...}; export the data again (CSV, with all "
                     "three header rows) rather than editing them away", file=file, row=3,
                     column=column_name(header[0], bad))


@dataclass(frozen=True)
class _Target:
    kind: str
    """text, contact, single, rating, joined, tick or other."""
    question: Question
    qid: str
    option: Option | None = None


@dataclass
class _Layout:
    metadata: dict[str, int]
    columns: dict[int, _Target]
    attributes: dict[str, int]
    """Respondent attributes (the language each answered in): row-1 name -> column."""
    warnings: list[Notice]

    @classmethod
    def of(cls, file: str, header: list[list[str]], legacy: bool,
           instrument: Instrument, versions: Sequence[Instrument]) -> _Layout:
        row1, row2 = header[0], header[1]
        keys = _keys(instrument)
        metadata: dict[str, int] = {}
        attributes: dict[str, int] = {}
        columns: dict[int, _Target] = {}
        unread: list[int] = []
        for index, cell in enumerate(row1):
            name = as_id(row2[index] if legacy and re.fullmatch(r"V\d+", cell) else cell)
            kind = (_LEGACY if legacy else _KEPT).get(name)
            if kind is not None and kind not in metadata:
                metadata[kind] = index
                continue
            if legacy and re.fullmatch(r"V\d+", cell):
                continue  # the legacy metadata block: names, e-mail, IP address, ...
            if name in _ATTRIBUTES and cell not in attributes:
                attributes[cell] = index
                continue
            if not legacy and not _IMPORT_ID.match(header[2][index] or ""):
                continue
            import_id = _import_id(header, index, legacy)
            if import_id is not None and not import_id.upper().startswith("QID"):
                continue  # embedded data, scores, metadata: never answers
            if _METADATA_IDS.match(name) or not cell:
                continue
            target = keys.get(name)
            if target is None:
                unread.append(index)
                continue
            _same_question(file, row1, row2, index, target, versions)
            columns[index] = target
        if "id" not in metadata:
            raise InputError("no ResponseId column: this does not look like a Qualtrics "
                             "export (row 1 holds StartDate, ..., ResponseId, then the "
                             "question ids)", file=file, row=1, column="A")
        if not columns:
            first = unread[0] if unread else 0
            raise InputError("no column of this export is a question of %(instrument)r: "
                             "read it with the instrument imported from this survey's .qsf "
                             "(`hrta instrument import survey.qsf -o instrument.yaml`)",
                             file=file, row=1, column=column_name(row1, first),
                             params={"instrument": instrument.id})
        warnings = []
        if unread:
            names = ", ".join(row1[i] for i in unread[:8]) + (" ..." if len(unread) > 8 else "")
            warnings.append(Notice("columns %(columns)s are no question of the instrument "
                                   "(timing, sliders, rankings, ...): not read",
                                   {"columns": names}, file=file))
        return cls(metadata, columns, attributes, warnings)


def _import_id(header: list[list[str]], index: int, legacy: bool) -> str | None:
    if legacy:
        return None
    match = _IMPORT_ID.match(header[2][index])
    return match.group(1) if match else None


def _same_question(file: str, row1: list[str], row2: list[str], index: int,
                   target: _Target, versions: Sequence[Instrument]) -> None:
    """Row 2 shows the question's text (in any of the survey's languages): a column of
    another survey that happens to have the same id (Q1, Q2, ... are every survey's
    defaults) is refused, not misread."""
    shown = normalize(row2[index])
    texts = [normalize(v.question(target.question.id).text) for v in versions]
    if not shown or not all(texts):
        return
    if not any(shown[:min(len(shown), len(t), 40)] == t[:min(len(shown), len(t), 40)]
               for t in texts):
        raise InputError(
            "column %(column)r is %(shown)r in this export but question %(question)r of the "
            "instrument is %(text)r: the export and the survey file (.qsf) are of different "
            "surveys", file=file, row=2, column=column_name(row1, index),
            params={"column": row1[index], "shown": row2[index][:80],
                    "question": target.question.id, "text": target.question.text[:80]})


def _keys(instrument: Instrument) -> dict[str, _Target]:
    """Column id (as an id) -> what the column holds, for every question of the instrument."""
    keys: dict[str, _Target] = {}

    def add(key: str, target: _Target) -> None:
        keys.setdefault(key, target)

    for question in instrument.questions:
        qid = question.id
        if question.type == "text":
            kind = "contact" if question.pii else "text"
            add(qid, _Target(kind, question, qid))
            add(f"{qid}_text", _Target(kind, question, qid))
            continue
        if question.type == "matrix":
            for statement in question.statements:
                target = _Target("rating", question, f"{qid}.{statement.id}")
                add(f"{qid}_{statement.id}", target)
                add(statement.id, target)
            continue
        add(qid, _Target("single" if question.type == "single" else "joined", question, qid))
        for option in question.options:
            for name in dict.fromkeys(filter(None, (option.code and as_id(option.code),
                                                    option.id))):
                if option.other:
                    add(f"{qid}_{name}_text", _Target("other", question, qid, option))
                if question.type == "multi":
                    add(f"{qid}_{name}", _Target("tick", question, qid, option))
        others = [o for o in question.options if o.other]
        if len(others) == 1:
            add(f"{qid}_text", _Target("other", question, qid, others[0]))
    return keys


def _kept_rows(table: Table, layout: _Layout,
               finished_only: bool) -> tuple[Table, list[Notice]]:
    """Previews, tests and spam out; unfinished responses too when asked."""
    data = table.data
    keep = np.ones(data.height, dtype=bool)
    warnings: list[Notice] = []
    status = layout.metadata.get("status")
    if status is not None:
        cells = data[f"c{status}"].cast(pl.String).str.strip_chars().str.to_lowercase()
        out = cells.is_in(list(EXCLUDED_STATUS)).fill_null(False).to_numpy()
        if out.any():
            count = int(out.sum())
            warnings.append(Notice(
                "%(count)s response left out: its Status is a survey preview, a test or spam"
                if count == 1 else
                "%(count)s responses left out: their Status is a survey preview, a test or spam",
                {"count": count}, file=table.file))
        keep &= ~out
    finished = layout.metadata.get("finished")
    if finished is not None:
        cells = data[f"c{finished}"].cast(pl.String).str.strip_chars().str.to_lowercase()
        unfinished = cells.is_in(list(_NOT_FINISHED)).fill_null(False).to_numpy() & keep
        if unfinished.any() and finished_only:
            count = int(unfinished.sum())
            warnings.append(Notice(
                "%(count)s unfinished response left out (--finished-only)" if count == 1
                else "%(count)s unfinished responses left out (--finished-only)",
                {"count": count}, file=table.file))
            keep &= ~unfinished
        elif unfinished.any():
            count = int(unfinished.sum())
            warnings.append(Notice(
                "%(count)s unfinished response kept with the questions it answered "
                "(--finished-only leaves it out)" if count == 1 else
                "%(count)s unfinished responses kept with the questions they answered "
                "(--finished-only leaves them out)",
                {"count": count}, file=table.file))
    elif finished_only:
        raise InputError("--finished-only needs the export's Finished column, which this "
                         "export lacks", file=table.file, row=1)
    if keep.all():
        return table, warnings
    positions = np.arange(data.height) if table.kept is None else table.kept
    kept = positions[keep]
    return replace(table, data=data.filter(pl.Series(keep)), kept=kept), warnings


def _read_column(answers: Answers, index: int, target: _Target,
                 header: list[list[str]], versions: Sequence[Instrument]) -> None:
    question = target.question
    labels = _labels(question, versions)
    if target.kind == "contact" or (question.pii and target.kind in ("text", "other")):
        answers.contact(index, target.qid)
    elif target.kind == "text":
        answers.text(index, target.qid)
    elif target.kind == "other":
        answers.text(index, target.qid, target.option.id if target.option else None)
    elif question.pii:
        answers.contact(index, target.qid)
    elif target.kind in ("single", "rating"):
        answers.chosen(index, target.qid, _OneOf(question, labels))
    elif target.kind == "joined":
        answers.chosen(index, target.qid, _Several(question, labels))
    else:
        assert target.option is not None
        answers.chosen(index, target.qid, _Tick(question, target.option, header[1][index],
                                                labels))


def _cells(target: _Target, shown: str, versions: Sequence[Instrument]) -> list[str]:
    """Every text a choice or tick column's cells may hold as the export writes them: the
    labels in each language, the recode values, "seen but not answered"."""
    question = target.question
    options = [target.option] if target.kind == "tick" and target.option else question.options
    labels = [o.label for v in versions for o in v.question(question.id).options
              if o.id in {option.id for option in options}]
    codes = [o.code for o in options if o.code is not None]
    ticks = [shown.rpartition(" - ")[2], "1", "0"] if target.kind == "tick" else []
    return list(dict.fromkeys([*labels, *codes, *ticks, *sorted(_UNANSWERED)]))


def _labels(question: Question, versions: Sequence[Instrument]) -> dict[str, str]:
    """Each option's label in every language -> its id. The instrument's own labels come
    first: a translated label that is another option's own label is not taken."""
    labels: dict[str, str] = {}
    for version in versions:
        for option in version.question(question.id).options:
            labels.setdefault(option.label, option.id)
    return labels


class _OneOf:
    """A single choice's or a rating's cell: the choice text or its recode value."""

    def __init__(self, question: Question, labels: dict[str, str]) -> None:
        self.question = question
        self.all_labels = labels
        self.labels: dict[str, str] = {}
        for label, option in labels.items():
            self.labels.setdefault(header_key(label), option)
        self.codes = {o.code: o.id for o in question.options if o.code is not None}

    def __call__(self, cell: str) -> list[str]:
        found = self.labels.get(header_key(cell)) or self.codes.get(cell)
        if found is not None:
            return [found]
        if cell in _UNANSWERED:
            return []
        raise self.unknown(cell)

    def unknown(self, cell: str) -> CellError:
        if re.fullmatch(r"-?\d+(\.\d+)?", cell) and not self.codes:
            return CellError("%(cell)r is a numeric value, but the instrument has no recode "
                             "values for question %(question)r: read a numeric-values export "
                             "with the instrument imported from the survey's .qsf (`hrta "
                             "instrument import survey.qsf -o instrument.yaml`), or export "
                             "choice text", cell=cell, question=self.question.id)
        expected = "; ".join(o.label + (f" ({o.code})" if o.code else "")
                             for o in self.question.options)
        return CellError("unknown answer %(cell)r for question %(question)r: the survey file "
                         "has no such choice or recode value; expected one of: %(expected)s",
                         cell=cell, question=self.question.id, expected=expected)


class _Several(_OneOf):
    """A select-all question in one column: choices joined with commas."""

    def __call__(self, cell: str) -> list[str]:
        pieces = [p.strip() for p in cell.split(",")]
        if self.codes and all(p in self.codes for p in pieces):
            return [self.codes[p] for p in pieces]
        labels = self.all_labels
        chosen, unknown = split_choices(cell, list(labels), separators=(",",))
        if unknown:
            raise self.unknown(unknown[0])
        return [labels[label] for label in chosen]


class _Tick:
    """One option's column of a select-all question: its text, its recode value or 1."""

    def __init__(self, question: Question, option: Option, shown: str,
                 labels: dict[str, str]) -> None:
        self.question, self.option = question, option
        self.yes = {header_key(option.label), header_key(shown.rpartition(" - ")[2]), "1"}
        self.yes |= {header_key(label) for label, own in labels.items() if own == option.id}
        if option.code is not None:
            self.yes.add(option.code)

    def __call__(self, cell: str) -> list[str]:
        if header_key(cell) in self.yes or cell in self.yes:
            return [self.option.id]
        if cell in _UNANSWERED or cell == "0":
            return []
        raise CellError("unexpected value %(cell)r in the column of option %(option)r of "
                        "%(question)r: expected its text, %(code)s or nothing", cell=cell,
                        option=self.option.id, question=self.question.id,
                        code=self.option.code or 1)


def _optional(answers: Answers, index: int | None) -> pl.Series | None:
    return None if index is None else answers.cells(index)
