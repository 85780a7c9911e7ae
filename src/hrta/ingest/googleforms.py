"""Import a Google Forms responses file: the CSV download or the linked Sheet as XLSX.

One header row: `Timestamp`, `Email Address` when the form collects e-mails (dropped here),
then each question's text; a grid's rows are columns `Question [Row]`. A cell holds the
chosen label, the typed text, or a checkbox question's (or a checkbox grid row's) labels
joined with ", " (";" in some sheets). A multiple-choice grid is a matrix; a checkbox grid,
which takes several answers per row, is one select-all question per row, `Question - Row`
(as a Qualtrics multi-answer matrix is). Labels may themselves contain commas, so a joined
cell is split against the question's known labels, longest first; a piece that is no
label is the text typed into "Other". There is no questionnaire file: `hrta instrument
draft --format googleforms` drafts the instrument from the answers (`read_export`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from hrta.errors import InputError
from hrta.ingest.building import Answers, CellError
from hrta.ingest.labels import header_key, normalize
from hrta.ingest.tables import Table, column_letter, column_name, read_table
from hrta.instrument import Instrument, Question
from hrta.responses import ResponseSet

if TYPE_CHECKING:
    from hrta.ingest.draft import Export

TIMESTAMP = "timestamp"
# Collected by the form itself, never a question: identifying, dropped at import.
_DROPPED = frozenset({"email address", "email", "e-mail address", "score", "username"})
_GRID = re.compile(r"^(?P<question>.+?)\s*\[(?P<row>[^\[\]]+)\]\s*$", re.DOTALL)
SEPARATORS = (", ", ";")


def is_googleforms(header: list[str]) -> bool:
    return bool(header) and normalize(header[0]) in (TIMESTAMP, "marca temporal",
                                                     "horodateur", "zeitstempel")


def split_choices(cell: str, labels: Sequence[str],
                  separators: Sequence[str] = SEPARATORS) -> tuple[list[str], list[str]]:
    """A joined cell as (known labels chosen, pieces that are no label).

    At each place the longest label that ends at a separator (or the cell's end) is taken,
    so a label with commas in it stays whole; otherwise the text up to the next separator
    is a piece of its own.
    """
    keyed = sorted(((normalize(label), label) for label in labels),
                   key=lambda pair: len(pair[0]), reverse=True)
    text = cell.strip()
    chosen: list[str] = []
    unknown: list[str] = []
    position = 0
    while position < len(text):
        rest = text[position:]
        found = None
        for key, label in keyed:
            size = len(key)
            if normalize(rest[:size]) == key and (size == len(rest) or any(
                    rest[size:].startswith(s) or rest[size:].lstrip().startswith(s.strip())
                    for s in separators)):
                found = (label, size)
                break
        if found is not None:
            chosen.append(found[0])
            position += found[1]
        else:
            cut = min((i for i in (rest.find(s) for s in separators) if i >= 0),
                      default=len(rest))
            piece = rest[:cut].strip()
            if piece:
                unknown.append(piece)
            position += cut
        rest = text[position:]
        for separator in separators:
            stripped = rest.lstrip()
            if stripped.startswith(separator.strip()):
                position = len(text) - len(stripped) + len(separator.strip())
                break
        while position < len(text) and text[position] == " ":
            position += 1
    return list(dict.fromkeys(chosen)), unknown


def read(path: Path, instrument: Instrument) -> ResponseSet:
    table = read_table(Path(path), header_rows=1)
    header = [(cell or "").strip() for cell in table.header[0]]
    if not header or not is_googleforms(header):
        raise InputError("this is not a Google Forms responses file: row 1 does not start with "
                         "'Timestamp'", file=table.file, row=1, column="A")
    answers = Answers(table, header, instrument)
    by_text = {header_key(q.text): q for q in instrument.questions}
    unknown: list[int] = []
    matched = 0
    for index, cell in enumerate(header[1:], start=1):
        if not cell or normalize(cell) in _DROPPED:
            continue
        question, qid = _question(cell, by_text)
        if question is None:
            unknown.append(index)
            continue
        matched += 1
        _read_column(answers, index, question, qid)
    if unknown:
        names = ", ".join(column_name(header, i) for i in unknown[:4])
        raise InputError("%(count)s column(s) match no question of %(instrument)r: "
                         "%(names)s. Draft an instrument from this file with `hrta instrument "
                         "draft FILE --format googleforms -o instrument.yaml`", file=table.file,
                         row=1, column=column_name(header, unknown[0]),
                         params={"count": len(unknown), "instrument": instrument.id,
                                 "names": names})
    ids = pl.Series([f"row {table.file_row(i)}" for i in range(table.data.height)],
                    dtype=pl.String)
    return answers.build(ids, started=answers.cells(0), ended=answers.cells(0))


def _question(cell: str, by_text: dict[str, Question]) -> tuple[Question | None, str]:
    question = by_text.get(header_key(cell))
    if question is not None:
        return question, question.id
    grid = _GRID.match(cell)
    if grid is not None:
        row = by_text.get(header_key(f"{grid['question'].strip()} - {grid['row'].strip()}"))
        if row is not None and row.type == "multi":
            return row, row.id
        matrix = by_text.get(header_key(grid["question"]))
        if matrix is not None and matrix.type == "matrix":
            key = header_key(grid["row"])
            for statement in matrix.statements:
                if header_key(statement.text) == key:
                    return matrix, f"{matrix.id}.{statement.id}"
    return None, ""


def _read_column(answers: Answers, index: int, question: Question, qid: str) -> None:
    if question.pii:
        answers.contact(index, qid)
    elif question.type == "text":
        answers.text(index, qid)
    else:
        other = next((o for o in question.options if o.other), None)
        answers.chosen(index, qid, _Cell(question))
        if other is not None:
            typed = _typed(answers.cells(index), question)
            if typed.any():
                frame = pl.DataFrame({"row": typed.arg_true().cast(pl.UInt32)})
                texts = answers.cells(index).filter(typed)
                values = [_other_text(cell, question) for cell in texts.to_list()]
                answers.texts.append(frame.with_columns(
                    question_id=pl.lit(qid), option_id=pl.lit(other.id),
                    value=pl.Series(values, dtype=pl.String)))


def _typed(cells: pl.Series, question: Question) -> pl.Series:
    """Which cells hold text typed into "Other" (a piece that is no label)."""
    distinct = cells.drop_nulls().unique().to_list()
    has = {cell: bool(_other_text(cell, question)) for cell in distinct}
    return cells.replace_strict(has, default=False, return_dtype=pl.Boolean).fill_null(False)


def _other_text(cell: str, question: Question) -> str:
    labels = [o.label for o in question.options if not o.other]
    if question.type == "multi":
        _, pieces = split_choices(cell, labels)
        return ", ".join(pieces)
    return "" if header_key(cell) in {header_key(o.label) for o in question.options} else cell


class _Cell:
    def __init__(self, question: Question) -> None:
        self.question = question
        self.labels = {header_key(o.label): o.id for o in question.options}
        self.other = next((o.id for o in question.options if o.other), None)

    def __call__(self, cell: str) -> list[str]:
        if self.question.type == "multi":
            labels = [o.label for o in self.question.options]
            chosen, unknown = split_choices(cell, labels)
            ids = [self.labels[header_key(label)] for label in chosen]
        else:
            found = self.labels.get(header_key(cell))
            ids, unknown = ([found], []) if found is not None else ([], [cell])
        if unknown:
            if self.other is None:
                expected = "; ".join(o.label for o in self.question.options)
                raise CellError("unknown answer %(cell)r for question %(question)r; expected "
                                "one of: %(expected)s", cell=unknown[0],
                                question=self.question.id, expected=expected)
            ids.append(self.other)
        return list(dict.fromkeys(ids))


# --- drafting -------------------------------------------------------------------------------

def read_export(path: Path) -> Export:
    """The responses file laid out as SurveyMonkey's two header rows, for
    `hrta.ingest.draft`: a checkbox question becomes one column per label, a grid one
    column per row, any other question one `Response` column."""
    from hrta.ingest.draft import grouped_export

    table = read_table(Path(path), header_rows=1)
    header = [(cell or "").strip() for cell in table.header[0]]
    if not is_googleforms(header):
        raise InputError("this is not a Google Forms responses file: row 1 does not start with "
                         "'Timestamp'", file=table.file, row=1, column="A")
    if table.data.height == 0:
        raise InputError("the file has no responses below its header row: a draft needs "
                         "answers to tell question types apart", file=table.file, row=2)
    row1: list[str] = []
    row2: list[str] = []
    columns: list[pl.Series] = []
    last_grid: str | None = None
    checkbox_grids = _checkbox_grids(table, header)
    for index, cell in enumerate(header[1:], start=1):
        if not cell or normalize(cell) in _DROPPED:
            continue
        cells = table.data[f"c{index}"].cast(pl.String).str.strip_chars().replace("", None)
        grid = _GRID.match(cell)
        if grid is not None and grid["question"].strip() in checkbox_grids:
            text = f"{grid['question'].strip()} - {grid['row'].strip()}"
            _add_checkboxes(row1, row2, columns, text, cells,
                            checkbox_grids[grid["question"].strip()])
            last_grid = None
            continue
        if grid is not None:
            text = grid["question"].strip()
            row1.append("" if text == last_grid else text)
            row2.append(grid["row"].strip())
            columns.append(cells)
            last_grid = text
            continue
        last_grid = None
        labels = _checkbox_labels(cells)
        if labels is None:
            row1.append(cell)
            # Every answer different: typed text, however few the responses.
            answered = cells.drop_nulls()
            typed = answered.len() >= 2 and answered.n_unique() == answered.len()
            row2.append("Open-Ended Response" if typed else "Response")
            columns.append(cells)
            continue
        _add_checkboxes(row1, row2, columns, cell, cells, labels)
    if not columns:
        raise InputError("the file has no question columns after 'Timestamp'",
                         file=table.file, row=1, column=column_letter(0))
    data = pl.DataFrame({f"c{i}": column for i, column in enumerate(columns)})
    laid = Table(table.file, [row1, row2], data, table.first_data_row, table.kept)
    return grouped_export(laid, 0)


def _add_checkboxes(row1: list[str], row2: list[str], columns: list[pl.Series], text: str,
                    cells: pl.Series, labels: list[str]) -> None:
    """A checkbox column as SurveyMonkey lays one out: a column per label, holding it when
    ticked."""
    chosen = [None if value is None else split_choices(value, labels)[0]
              for value in cells.to_list()]
    for number, label in enumerate(labels):
        row1.append(text if number == 0 else "")
        row2.append(label)
        columns.append(pl.Series([label if picked and label in picked else None
                                  for picked in chosen], dtype=pl.String))


def _checkbox_grids(table: Table, header: list[str]) -> dict[str, list[str]]:
    """Grids whose cells join several labels (a checkbox grid), with the labels of all
    their rows: the grid's columns are one set, whichever row they were ticked in."""
    cells: dict[str, list[pl.Series]] = {}
    for index, cell in enumerate(header[1:], start=1):
        grid = _GRID.match(cell) if cell else None
        if grid is not None:
            cells.setdefault(grid["question"].strip(), []).append(
                table.data[f"c{index}"].cast(pl.String).str.strip_chars().replace("", None))
    found: dict[str, list[str]] = {}
    for text, columns in cells.items():
        labels = _checkbox_labels(pl.concat(columns))
        if labels is not None:
            found[text] = labels
    return found


def _checkbox_labels(cells: pl.Series) -> list[str] | None:
    """The labels of a checkbox question, or None when the column is no checkbox question.

    A checkbox cell joins labels; most of its pieces recur in other cells. A piece that
    starts in lower case continues the label before it ("Housing, food, or transport").
    """
    values = cells.drop_nulls().to_list()
    split = [_pieces(value) for value in values]
    if not any(len(pieces) > 1 for pieces in split):
        return None
    counts = Counter(piece for pieces in split for piece in dict.fromkeys(pieces))
    recurring = sum(count >= 2 for count in counts.values())
    if recurring * 2 < len(counts):
        return None
    return list(counts)


def _pieces(value: str) -> list[str]:
    separator = ";" if ";" in value else ","
    pieces: list[str] = []
    for piece in (p.strip() for p in value.split(separator)):
        if not piece:
            continue
        if pieces and separator == "," and piece[:1].islower():
            pieces[-1] = f"{pieces[-1]}, {piece}"
        else:
            pieces.append(piece)
    return pieces
