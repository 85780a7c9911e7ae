"""Answers from files: the coder's bundled tuning set, labelled tables people give
(`hrta code --tune` and `--evaluate`) and tables of answers to code (`--format answers`).

The bundled tuning set of an instrument is `coding/tuning/INSTRUMENT.yaml`: per
open-ended question, answers with the themes people gave them. It belongs to the coder;
the demo wave has its own text bank, so editing one never changes the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hrta.errors import InputError
from hrta.yamlfiles import load_yaml

if TYPE_CHECKING:
    from hrta.coding.codebook import Codebook
    from hrta.ingest.tables import Table


@dataclass(frozen=True)
class TaggedAnswer:
    """An answer with the themes a person gave it (a tuning or evaluation example)."""

    text: str
    themes: tuple[str, ...]


# --- the bundled tuning sets ----------------------------------------------------------------

def bundled_tuning(codebook: Codebook, instrument_id: str) -> tuple[str, list[TaggedAnswer]]:
    """(its file name, the tagged answers) of the codebook's question in the instrument's
    bundled tuning set; ("", []) when there is none, or when its tags are not the
    codebook's themes (another codebook, given with --codebook, tunes on its examples)."""
    name, answers = _tuning_file(instrument_id)
    tagged = answers.get(codebook.question, ())
    if not tagged or any(t not in codebook.ids for a in tagged for t in a.themes):
        return "", []
    return name, list(tagged)


@cache
def _tuning_file(instrument_id: str) -> tuple[str, dict[str, tuple[TaggedAnswer, ...]]]:
    name = f"{instrument_id}.yaml"
    resource = resources.files("hrta.coding") / "tuning" / name
    origin = f"coding/tuning/{name}"
    if not resource.is_file():
        return origin, {}
    raw = load_yaml(resource.read_text(encoding="utf-8"), origin=origin)
    if not isinstance(raw, dict):
        raise InputError("expected questions, each a list of answers", file=origin)
    return origin, {str(question): tuple(_tagged(item, origin, str(question)) for item in
                                         _list(answers, origin, str(question)))
                    for question, answers in raw.items()}


def _list(value: Any, origin: str, question: str) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(f"{question}: expected a list of answers", file=origin)
    return value


def _tagged(item: Any, origin: str, question: str) -> TaggedAnswer:
    if not (isinstance(item, dict) and isinstance(item.get("text"), str)
            and isinstance(item.get("themes"), list)):
        raise InputError(f"{question}: each answer needs `text` and a list of `themes`; "
                         f"found {item!r}", file=origin)
    return TaggedAnswer(item["text"], tuple(str(t) for t in item["themes"]))


# --- tables people give ---------------------------------------------------------------------

def _table(path: Path, required: tuple[str, ...]) -> tuple[Table, dict[str, int]]:
    from hrta.ingest.tables import read_table

    table = read_table(path, header_rows=1)
    header = [h.strip().lower() for h in table.header[0]]
    for name in required:
        if name not in header:
            raise InputError(f"no column named {name!r}; the columns are "
                             f"{', '.join(repr(h) for h in table.header[0])}",
                             file=str(path), row=1)
    return table, {name: header.index(name) for name in header}


def read_labelled(path: Path, book: Codebook) -> list[TaggedAnswer]:
    """Answers people coded: columns text and themes (ids separated by ';'), and an
    optional question column (rows of other questions are skipped)."""
    from hrta.ingest.tables import column_name

    table, columns = _table(path, ("text", "themes"))
    found = []
    for index, row in enumerate(table.data.iter_rows()):
        if "question" in columns and (row[columns["question"]] or "").strip() != book.question:
            continue
        themes = tuple(t.strip() for t in (row[columns["themes"]] or "").split(";")
                       if t.strip())
        unknown = [t for t in themes if t not in book.ids]
        if unknown:
            raise InputError(
                f"unknown theme {unknown[0]!r} for question {book.question!r}; the codebook "
                f"has {', '.join(book.ids)}", file=str(path), row=table.file_row(index),
                column=column_name(table.header[0], columns["themes"]))
        found.append(TaggedAnswer(row[columns["text"]] or "", themes))
    return found


def read_answers(path: Path, question: str) -> tuple[list[str], list[str]]:
    """A table of answers: a text column, optional response_id (or id) and question
    columns. Rows without an id are numbered by their row in the file."""
    table, columns = _table(path, ("text",))
    id_column = columns.get("response_id", columns.get("id"))
    texts, ids = [], []
    for index, row in enumerate(table.data.iter_rows()):
        if "question" in columns and (row[columns["question"]] or "").strip() != question:
            continue
        texts.append(row[columns["text"]] or "")
        given = row[id_column] if id_column is not None else None
        ids.append(str(given) if given else f"row {table.file_row(index)}")
    if not texts:
        raise InputError(f"no answers to code for question {question!r}", file=str(path))
    return texts, ids


def read_confirmed_codes(path: Path, books: dict[str, Codebook]) -> list[dict[str, Any]]:
    """Codes people confirmed (`hrta report --codes`), as rows for
    `review.confirmations_from_rows`: columns response_id, question and themes (ids
    separated by ';'; empty means the answer fits none), and an optional hide_quote column
    (yes/true/1: never quote the answer). `books` are the codebooks of the questions that
    may be named."""
    from hrta.ingest.tables import column_name

    table, columns = _table(path, ("response_id", "question", "themes"))
    rows = []
    for index, row in enumerate(table.data.iter_rows()):
        def bad(message: str, column: str, index: int = index) -> InputError:
            return InputError(message, file=str(path), row=table.file_row(index),
                              column=column_name(table.header[0], columns[column]))

        question = (row[columns["question"]] or "").strip()
        response_id = (row[columns["response_id"]] or "").strip()
        if not response_id:
            raise bad("no response_id", "response_id")
        book = books.get(question)
        if book is None:
            raise bad(f"no codebook for question {question!r}; coded questions: "
                      f"{', '.join(books) or 'none'}", "question")
        themes = [t.strip() for t in (row[columns["themes"]] or "").split(";") if t.strip()]
        unknown = [t for t in themes if t not in book.ids]
        if unknown:
            raise bad(f"unknown theme {unknown[0]!r} for question {question!r}; the "
                      f"codebook has {', '.join(book.ids)}", "themes")
        hide = (row[columns["hide_quote"]] or "").strip().lower() \
            if "hide_quote" in columns else ""
        rows.append({"response_id": response_id, "question": question, "themes": themes,
                     "hide_quote": hide in ("yes", "true", "1", "y", "x")})
    return rows
