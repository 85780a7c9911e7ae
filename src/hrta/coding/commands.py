"""`hrta codebook …` and `hrta code …`: codebooks and automatic coding from the command line.

The model and the coder are imported only when a command needs them, so the rest of the
command line stays quick to start.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from hrta.errors import InputError
from hrta.files import write_text_atomic
from hrta.progress import fail

if TYPE_CHECKING:
    from hrta.coding.autocode import TaggedAnswer
    from hrta.coding.codebook import Codebook
    from hrta.responses import ResponseSet

codebook_app = typer.Typer(no_args_is_help=True,
                           help="Codebooks of the open-ended questions: show, export, import.")
# Markup off: ids, labels and paths are printed as they are, "[" and "]" included.
out = Console(markup=False)
err = Console(stderr=True, markup=False)

QuestionOption = Annotated[str, typer.Option(
    "--question", help="The open-ended question's id, e.g. challenges or facilitators.")]
InstrumentOption = Annotated[str, typer.Option(
    "--instrument", help="A bundled instrument id or the path of an instrument YAML file.")]
CodebookOption = Annotated[Path | None, typer.Option(
    "--codebook", help="A codebook file (.yaml, .csv or .qdc) instead of the bundled one.")]
ANSWER_FORMATS = ("auto", "surveymonkey", "native", "answers")


def _fail(exc: InputError) -> None:
    fail(exc)


@contextmanager
def _progress() -> Iterator[Progress]:
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False),
                        BarColumn(),
                        MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True)
    with progress:
        yield progress


def _stepper(progress: Progress) -> Callable[[str, int], Callable[[int], None]]:
    """Hide earlier steps and start a counted one; returns its advance callback."""

    def start(description: str, total: int) -> Callable[[int], None]:
        for task in progress.tasks:
            progress.update(task.id, visible=False)
        task = progress.add_task(description, total=total or None)
        return lambda count: progress.advance(task, count)

    return start


def _codebook(question: str, instrument: str, path: Path | None) -> Codebook:
    from hrta.coding.codebook import check_against, load_codebook
    from hrta.instrument import load

    loaded = load(instrument)
    book = load_codebook(question, instrument_id=loaded.id, path=path)
    check_against(book, loaded)
    return book


# --- hrta codebook ------------------------------------------------------------------------

@codebook_app.command("show")
def codebook_show(
    question: QuestionOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print the codebook as JSON.")] = False,
    codebook: CodebookOption = None,
    instrument: InstrumentOption = "harm_reduction_ta_2022",
) -> None:
    """Print a question's codebook: each theme's id, label and description."""
    from hrta.coding.codebook import codebook_summary

    try:
        book = _codebook(question, instrument, codebook)
    except InputError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(codebook_summary(book), indent=2, ensure_ascii=False) + "\n")
        return
    table = Table(title=book.title or book.question, show_lines=False)
    table.add_column("id", no_wrap=True)
    table.add_column("label")
    table.add_column("description")
    for theme in book.themes:
        indent = "  " * book.depth(theme.id)
        table.add_row(indent + theme.id, theme.label, theme.description)
    out.print(table)


@codebook_app.command("export")
def codebook_export(
    question: QuestionOption,
    output: Annotated[Path, typer.Option(
        "-o", "--output", help="File to write: .yaml, .csv or .qdc (REFI-QDA codebook).")],
    codebook: CodebookOption = None,
    instrument: InstrumentOption = "harm_reduction_ta_2022",
) -> None:
    """Write a question's codebook as YAML, CSV or a REFI-QDA codebook (.qdc) for NVivo,
    ATLAS.ti, MAXQDA or Taguette."""
    from hrta.coding.codebook import write_codebook

    try:
        book = _codebook(question, instrument, codebook)
        write_codebook(book, output)
    except InputError as exc:
        _fail(exc)
    out.print(f"Codebook of {question} ({len(book.themes)} themes): {output}", highlight=False)


@codebook_app.command("import")
def codebook_import(
    file: Annotated[Path, typer.Argument(help="A codebook: .csv, .xlsx, .qdc or .yaml.")],
    question: QuestionOption,
    output: Annotated[Path, typer.Option(
        "-o", "--output", help="Where to write it: .yaml (for --codebook), .csv or .qdc.")],
    instrument: InstrumentOption = "harm_reduction_ta_2022",
) -> None:
    """Read a codebook made elsewhere (CSV or a QDA program's .qdc), check it and write it
    in hrta's YAML (or another format), ready for `hrta code --codebook`."""
    from hrta.coding.codebook import write_codebook

    try:
        book = _codebook(question, instrument, file)
        write_codebook(book, output)
    except InputError as exc:
        _fail(exc)
    out.print(f"Read {len(book.themes)} themes from {file}; wrote {output}", highlight=False)


# --- hrta code ----------------------------------------------------------------------------

def code(
    file: Annotated[Path | None, typer.Argument(
        help="Answers to code: an export (as for `hrta analyze`) or, with --format answers, "
             "a CSV or XLSX with a text column.")] = None,
    question: QuestionOption = "",
    json_out: Annotated[Path | None, typer.Option(
        "--json", help="Where to write the coded answers (or the evaluation) as JSON.")] = None,
    evaluate: Annotated[Path | None, typer.Option(
        "--evaluate", help="A labelled CSV (text, themes; optional question): measure "
                           "agreement with it instead of coding a file.")] = None,
    fmt: Annotated[str, typer.Option(
        "--format", help="auto, surveymonkey, native or answers (a table with a text "
                         "column and an optional response_id column).")] = "auto",
    codebook: CodebookOption = None,
    tune: Annotated[Path | None, typer.Option(
        "--tune", help="A labelled CSV to set the thresholds with, instead of the bundled "
                       "tuning set.")] = None,
    instrument: InstrumentOption = "harm_reduction_ta_2022",
    mapping: Annotated[Path | None, typer.Option(
        "--mapping", help="YAML file mapping reworded questions to instrument ids.")] = None,
) -> None:
    """Code open-ended answers into the question's themes, or measure the coding against
    answers people labelled (--evaluate)."""
    try:
        if not question:
            raise InputError("name the open-ended question to code with --question")
        if fmt not in ANSWER_FORMATS:
            raise InputError(f"unknown --format {fmt!r}; use one of {', '.join(ANSWER_FORMATS)}")
        if (file is None) == (evaluate is None):
            raise InputError("give either a FILE of answers to code or --evaluate LABELLED.csv")
        book = _codebook(question, instrument, codebook)
        tuning = read_labelled(tune, book) if tune is not None else None
        with _progress() as progress:
            step = _stepper(progress)
            if evaluate is not None:
                result = _evaluate(book, evaluate, tuning, tune, step)
            else:
                assert file is not None
                result = _code_file(book, file, fmt, instrument, mapping, tuning, tune, step)
            if json_out is not None:
                step(f"Writing {json_out}", 0)
                write_text_atomic(json_out, json.dumps(result, indent=2, ensure_ascii=False))
    except InputError as exc:
        _fail(exc)
    if evaluate is not None:
        _print_evaluation(result)
    else:
        _print_coding(result)
    if json_out is not None:
        out.print(f"{'Evaluation' if evaluate else 'Coded answers'}: {json_out}", highlight=False)


def _coder(book: Codebook, tuning: list[TaggedAnswer] | None, tune: Path | None) -> Any:
    from hrta.coding.autocode import coder_for
    from hrta.coding.embedder import ModelUnavailableError

    try:
        return coder_for(book.question, codebook=book, tuning=tuning,
                         tuning_source=tune.name if tune else "")
    except ModelUnavailableError as exc:
        raise InputError(f"the embedding model cannot be loaded: {exc}") from exc


def _code_file(book: Codebook, file: Path, fmt: str, instrument: str, mapping: Path | None,
               tuning: list[TaggedAnswer] | None, tune: Path | None,
               step: Callable[[str, int], Callable[[int], None]]) -> dict[str, Any]:
    from hrta.coding.autocode import CODED, UNCODED, summary_of
    from hrta.coding.discovery import discover

    step(f"Reading {file.name}", 0)
    if fmt == "answers":
        texts, ids = read_answers(file, book.question)
    else:
        texts, ids = _export_answers(file, fmt, instrument, mapping, book.question)
    step("Loading the model and the codebook", 0)
    coder = _coder(book, tuning, tune)
    coded = coder.code(texts, progress=step(f"Coding {len(texts):,} answers", len(texts)))
    step("Looking for themes the codebook misses", 0)
    left = [i for i, a in enumerate(coded) if a.status == UNCODED]
    vectors, readable = coder.vectors([texts[i] for i in left])
    kept = [left[i] for i in readable]
    candidates = discover([texts[i] for i in kept], vectors,
                          background=[a.text for a in coded if a.status == CODED])
    summary = summary_of(coded, book)
    return {
        "question": book.question,
        "codebook": book.title or book.question,
        "source": file.name,
        "model": "all-MiniLM-L6-v2",
        **summary,
        "responses": [{"response_id": rid, "text": a.text, "status": a.status,
                       "themes": [{"id": s.theme, "confidence": s.confidence}
                                  for s in a.themes]}
                      for rid, a in zip(ids, coded, strict=True)],
        "candidates": [{"size": c.size, "suggested_label": c.suggested_label,
                        "words": list(c.words), "representatives": list(c.representatives),
                        "response_ids": [ids[kept[i]] for i in c.answers]}
                       for c in candidates],
        "tuning": _tuning(coder),
    }


def _tuning(coder: Any) -> dict[str, Any]:
    t = coder.tuning
    return {"source": t.source, "answers": t.answers, "penalty": t.penalty,
            "slope": round(t.slope, 3), "f1": round(t.f1, 3),
            "thresholds": {k: round(v, 3) for k, v in t.thresholds.items()}}


def _export_answers(file: Path, fmt: str, instrument: str, mapping: Path | None,
                    question: str) -> tuple[list[str], list[str]]:
    from hrta.coding.themes import question_answers
    from hrta.ingest import load_responses
    from hrta.instrument import load

    responses: ResponseSet = load_responses(file, load(instrument), fmt=fmt, mapping=mapping)
    return question_answers(responses, question)


def _evaluate(book: Codebook, labelled: Path, tuning: list[TaggedAnswer] | None,
              tune: Path | None,
              step: Callable[[str, int], Callable[[int], None]]) -> dict[str, Any]:
    from hrta.coding.agreement import agreement
    from hrta.coding.autocode import _label_matrix

    answers = read_labelled(labelled, book)
    if not answers:
        raise InputError(f"no labelled answers for question {book.question!r}",
                         file=str(labelled))
    step("Loading the model and the codebook", 0)
    coder = _coder(book, tuning, tune)
    coded = coder.code([a.text for a in answers],
                       progress=step(f"Coding {len(answers):,} labelled answers", len(answers)))
    truth = _label_matrix(book, [a.themes for a in answers])
    predicted = _label_matrix(book, [c.theme_ids for c in coded])
    result = agreement(truth, predicted, book.ids)
    return {"question": book.question, "labelled": labelled.name, "model": "all-MiniLM-L6-v2",
            **result, "tuning": _tuning(coder)}


# --- reading answer files -----------------------------------------------------------------

def _table(path: Path, required: tuple[str, ...]) -> tuple[Any, dict[str, int]]:
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
    from hrta.coding.autocode import TaggedAnswer
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


# --- terminal output ----------------------------------------------------------------------

def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def _stat(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _print_coding(result: dict[str, Any]) -> None:
    table = Table(title=f"{result['codebook']} (n={result['n']:,})")
    table.add_column("Theme")
    table.add_column("Respondents", justify="right")
    table.add_column("Percent", justify="right")
    for theme in result["themes"]:
        table.add_row(theme["label"], f"{theme['count']:,}", _percent(theme["percent"]))
    out.print(table)
    err.print(f"{result['coded']:,} coded, {result['uncoded']:,} fit no theme, "
              f"{result['uncodable']:,} uncodable (no words); "
              f"{len(result['candidates'])} candidate themes proposed", highlight=False)


def _print_evaluation(result: dict[str, Any]) -> None:
    table = Table(title=f"{result['question']}: agreement with {result['labelled']} "
                        f"({result['answers']:,} answers)")
    for name in ("Theme", "Labelled", "Coded", "Precision", "Recall", "F1", "Kappa"):
        table.add_column(name, justify="left" if name == "Theme" else "right")
    for theme, stats in result["themes"].items():
        table.add_row(theme, str(stats["support"]), str(stats["predicted"]),
                      *(_stat(stats[k]) for k in ("precision", "recall", "f1", "kappa")))
    for name in ("micro", "macro"):
        stats = result[name]
        table.add_row(Text(name, style="bold"), "", "",
                      *(_stat(stats[k]) for k in ("precision", "recall", "f1", "kappa")))
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add `hrta codebook` and `hrta code` to the command line."""
    app.add_typer(codebook_app, name="codebook")
    app.command("code")(code)


# --- the coding step of analyze, report and demo ------------------------------------------

def add_coded_themes(progress: Progress, findings: dict[str, Any],
                     responses: ResponseSet) -> dict[str, Any]:
    """Findings with the open-ended questions' themes, under the command's progress."""
    from hrta.coding.themes import add_themes

    return add_themes(findings, responses, step=_stepper(progress))
