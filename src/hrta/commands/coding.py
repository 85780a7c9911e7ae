"""`hrta codebook …` and `hrta code …`: codebooks and automatic coding from the command line.

The model and the coder are imported only when a command needs them, so the rest of the
command line stays quick to start.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from hrta.commandline import (
    Counted,
    InstrumentOption,
    MappingOption,
    counter,
    failing_on_bad_input,
    note,
    out,
    say,
    steps,
)
from hrta.defaults import DEFAULT_INSTRUMENT
from hrta.errors import InputError
from hrta.files import write_text_atomic

if TYPE_CHECKING:
    from hrta.coding.autocode import CodedAnswer, Coder
    from hrta.coding.codebook import Codebook
    from hrta.coding.labelled import TaggedAnswer
    from hrta.coding.review import Confirmation
    from hrta.responses import ResponseSet

codebook_app = typer.Typer(no_args_is_help=True,
                           help="Codebooks of the open-ended questions: show, export, import.")

QuestionOption = Annotated[str, typer.Option(
    "--question", help="The open-ended question's id, e.g. challenges or facilitators.")]
CodebookOption = Annotated[Path | None, typer.Option(
    "--codebook", help="A codebook file (.yaml, .csv or .qdc) instead of the bundled one.")]
ANSWER_FORMATS = ("auto", "surveymonkey", "native", "answers")
MODEL = "all-MiniLM-L6-v2"


def _codebook(question: str, instrument: str, path: Path | None) -> Codebook:
    from hrta.coding.codebook import check_against, load_codebook
    from hrta.instrument import load

    loaded = load(instrument)
    book = load_codebook(question, instrument_id=loaded.id, path=path)
    check_against(book, loaded)
    return book


def _rewrite_codebook(question: str, instrument: str, source: Path | None,
                      output: Path) -> Codebook:
    """Read a codebook (the bundled one when `source` is None), check it, write `output`."""
    from hrta.coding.codebook import write_codebook

    with failing_on_bad_input():
        book = _codebook(question, instrument, source)
        write_codebook(book, output)
    return book


# --- hrta codebook ------------------------------------------------------------------------

@codebook_app.command("show")
def codebook_show(
    question: QuestionOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print the codebook as JSON.")] = False,
    codebook: CodebookOption = None,
    instrument: InstrumentOption = DEFAULT_INSTRUMENT,
) -> None:
    """Print a question's codebook: each theme's id, label and description."""
    from hrta.coding.codebook import codebook_summary

    with failing_on_bad_input():
        book = _codebook(question, instrument, codebook)
    if as_json:
        sys.stdout.write(json.dumps(codebook_summary(book), indent=2, ensure_ascii=False) + "\n")
        return
    from rich.table import Table  # only where a table is printed

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
    instrument: InstrumentOption = DEFAULT_INSTRUMENT,
) -> None:
    """Write a question's codebook as YAML, CSV or a REFI-QDA codebook (.qdc) for NVivo,
    ATLAS.ti, MAXQDA or Taguette."""
    book = _rewrite_codebook(question, instrument, codebook, output)
    say(f"Codebook of {question} ({len(book.themes)} themes): {output}")


@codebook_app.command("import")
def codebook_import(
    file: Annotated[Path, typer.Argument(help="A codebook: .csv, .xlsx, .qdc or .yaml.")],
    question: QuestionOption,
    output: Annotated[Path, typer.Option(
        "-o", "--output", help="Where to write it: .yaml (for --codebook), .csv or .qdc.")],
    instrument: InstrumentOption = DEFAULT_INSTRUMENT,
) -> None:
    """Read a codebook made elsewhere (CSV or a QDA program's .qdc), check it and write it
    in hrta's YAML (or another format), ready for `hrta code --codebook`."""
    book = _rewrite_codebook(question, instrument, file, output)
    say(f"Read {len(book.themes)} themes from {file}; wrote {output}")


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
    instrument: InstrumentOption = DEFAULT_INSTRUMENT,
    mapping: MappingOption = None,
    qdpx: Annotated[Path | None, typer.Option(
        "--qdpx", help="Also write a REFI-QDA project (.qdpx) of the answers, the codebook, "
                       "the suggested codes and the respondents, for NVivo, ATLAS.ti, "
                       "MAXQDA or QualCoder.")] = None,
    import_qdpx: Annotated[Path | None, typer.Option(
        "--import-qdpx", help="A REFI-QDA project (.qdpx) of these answers coded in a QDA "
                              "program: its codes count as people's codes.")] = None,
    reviewer: Annotated[str | None, typer.Option(
        "--reviewer", help="With --import-qdpx, the coder whose codes count (the others are "
                           "compared); needed when the project holds several.")] = None,
) -> None:
    """Code open-ended answers into the question's themes, or measure the coding against
    answers people labelled (--evaluate)."""
    from hrta.coding.labelled import read_labelled

    with failing_on_bad_input():
        if not question:
            raise InputError("name the open-ended question to code with --question")
        if fmt not in ANSWER_FORMATS:
            raise InputError(f"unknown --format {fmt!r}; use one of {', '.join(ANSWER_FORMATS)}")
        if (file is None) == (evaluate is None):
            raise InputError("give either a FILE of answers to code or --evaluate LABELLED.csv")
        projects = ProjectFiles(qdpx, import_qdpx, reviewer)
        if projects.wanted and file is None:
            raise InputError("--qdpx and --import-qdpx go with a FILE of answers, "
                             "not --evaluate")
        if reviewer is not None and import_qdpx is None:
            raise InputError("--reviewer goes with --import-qdpx")
        if qdpx is not None and qdpx.suffix.lower() != ".qdpx":
            raise InputError("name the project file *.qdpx", file=str(qdpx))
        if codebook is None and evaluate is None and not _has_codebook(question, instrument):
            if projects.wanted:
                raise InputError(f"{question!r} has no codebook yet, so there are no codes "
                                 "to exchange: write one and give it with --codebook")
            assert file is not None
            with steps(counted=True) as progress:
                result = _discover_file(question, file, fmt, instrument, mapping,
                                        counter(progress))
                if json_out is not None:
                    write_text_atomic(json_out, json.dumps(result, indent=2,
                                                           ensure_ascii=False))
            _print_discovery(result)
            if json_out is not None:
                say(f"Proposed themes: {json_out}")
            return
        book = _codebook(question, instrument, codebook)
        tuning = read_labelled(tune, book) if tune is not None else None
        with steps(counted=True) as progress:
            step = counter(progress)
            if evaluate is not None:
                result = _evaluate(book, evaluate, tuning, tune, step)
            else:
                assert file is not None
                result = _code_file(book, file, fmt, instrument, mapping, tuning, tune, step,
                                    projects)
            if json_out is not None:
                step(f"Writing {json_out}", 0)
                write_text_atomic(json_out, json.dumps(result, indent=2, ensure_ascii=False))
    if evaluate is not None:
        _print_evaluation(result)
    else:
        _print_coding(result)
    if json_out is not None:
        say(f"{'Evaluation' if evaluate else 'Coded answers'}: {json_out}")
    if qdpx is not None:
        say(f"REFI-QDA project: {qdpx}")


def _has_codebook(question: str, instrument: str) -> bool:
    """Whether hrta bundles a codebook for `question`; a question with none must be an
    open-ended question of the instrument (its answers then get theme discovery)."""
    from hrta.coding.codebook import bundled_questions
    from hrta.instrument import load

    loaded = load(instrument)
    if question in bundled_questions(loaded.id):
        return True
    try:
        found = loaded.question(question)
    except KeyError:
        found = None
    if found is None or found.type != "text" or found.pii:
        known = ", ".join(q.id for q in loaded.analysable_questions() if q.type == "text")
        raise InputError(f"{question!r} is not an open-ended question of {loaded.id!r}; "
                         f"its open-ended questions are: {known or 'none'}")
    return False


def _discover_file(question: str, file: Path, fmt: str, instrument: str,
                   mapping: Path | None, step: Counted) -> dict[str, Any]:
    """A question without a codebook: no coding, but themes proposed from all its answers,
    for the analyst to name and write into a codebook (then `--codebook`)."""
    from hrta.coding.discovery import discover_all
    from hrta.coding.embedder import ModelUnavailableError
    from hrta.coding.labelled import read_answers

    step(f"Reading {file.name}", 0)
    if fmt == "answers":
        texts, ids = read_answers(file, question)
    else:
        texts, ids = _export_answers(file, fmt, instrument, mapping, question)
    try:
        found = discover_all(texts, progress=step(f"Reading {len(texts):,} answers",
                                                  len(texts)))
    except ModelUnavailableError as exc:
        raise InputError(f"the embedding model cannot be loaded: {exc}") from exc
    return {
        "question": question,
        "codebook": None,
        "source": file.name,
        "model": MODEL,
        "n": len(texts),
        "uncodable": len(texts) - len(found.readable),
        "candidates": [{"size": c.size, "suggested_label": c.suggested_label,
                        "words": list(c.words), "representatives": list(c.representatives),
                        "response_ids": [ids[i] for i in c.answers]}
                       for c in found.candidates],
    }


def _coder(book: Codebook, tuning: list[TaggedAnswer] | None, tune: Path | None,
           step: Counted) -> Coder:
    from hrta.coding.autocode import coder_for
    from hrta.coding.embedder import ModelUnavailableError

    step("Loading the model and the codebook", 0)
    try:
        return coder_for(book.question, codebook=book, tuning=tuning,
                         tuning_source=tune.name if tune else "")
    except ModelUnavailableError as exc:
        raise InputError(f"the embedding model cannot be loaded: {exc}") from exc


@dataclass(frozen=True)
class ProjectFiles:
    """The REFI-QDA projects a coding run writes (`write`) and reads people's codes from
    (`read`, the primary coder being `reviewer`)."""

    write: Path | None = None
    read: Path | None = None
    reviewer: str | None = None

    @property
    def wanted(self) -> bool:
        return self.write is not None or self.read is not None


def _code_file(book: Codebook, file: Path, fmt: str, instrument: str, mapping: Path | None,
               tuning: list[TaggedAnswer] | None, tune: Path | None,
               step: Counted, projects: ProjectFiles = ProjectFiles()) -> dict[str, Any]:
    from hrta.coding.autocode import CODED, UNCODED, summary_of
    from hrta.coding.discovery import discover
    from hrta.coding.labelled import read_answers

    step(f"Reading {file.name}", 0)
    responses = None
    if fmt == "answers":
        texts, ids = read_answers(file, book.question)
    else:
        responses = _load_export(file, fmt, instrument, mapping)
        texts, ids = _question_answers(responses, book.question)
    people: list[Confirmation] = []
    if projects.read is not None:
        # Read before the model loads: a project that does not fit fails at once.
        step(f"Reading {projects.read.name}", 0)
        people = _people_from(projects, book, ids, texts)
    coder = _coder(book, tuning, tune, step)
    coded = coder.code(texts, progress=step(f"Coding {len(texts):,} answers", len(texts)))
    step("Looking for themes the codebook misses", 0)
    left = [i for i, a in enumerate(coded) if a.status == UNCODED]
    vectors, readable = coder.vectors([texts[i] for i in left])
    kept = [left[i] for i in readable]
    candidates = discover([texts[i] for i in kept], vectors,
                          background=[a.text for a in coded if a.status == CODED])
    summary = summary_of(coded, book)
    result: dict[str, Any] = {
        "question": book.question,
        "codebook": book.title or book.question,
        "source": file.name,
        "model": MODEL,
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
    if projects.read is not None:
        result.update(_with_people(book, coded, ids, people, projects.read))
        for entry, answer in zip(result["responses"], result.pop("final"), strict=True):
            entry.update(answer)
    if projects.write is not None:
        step(f"Writing {projects.write.name}", 0)
        _write_project(projects.write, book, responses, ids, texts, coded, people)
    return result


def _load_export(file: Path, fmt: str, instrument: str, mapping: Path | None) -> ResponseSet:
    from hrta.ingest import load_responses
    from hrta.instrument import load

    return load_responses(file, load(instrument), fmt=fmt, mapping=mapping)


def _question_answers(responses: ResponseSet, question: str) -> tuple[list[str], list[str]]:
    from hrta.coding.themes import question_answers

    return question_answers(responses, question)


def _people_from(projects: ProjectFiles, book: Codebook, ids: list[str],
                 texts: list[str]) -> list[Confirmation]:
    """People's codes from the project to read, the reviewer's marked primary."""
    from dataclasses import replace

    from hrta.coding.qdpx import read_qdpx

    assert projects.read is not None
    imported = read_qdpx(projects.read, book, list(zip(ids, texts, strict=True)))
    coders = imported.coders
    if not coders:
        raise InputError("no person's codes in the project: nothing to read",
                         file=str(projects.read))
    reviewer = projects.reviewer
    if reviewer is None and len(coders) > 1:
        raise InputError(f"the project holds the codes of {len(coders)} people "
                         f"({', '.join(coders)}): say whose count with --reviewer NAME",
                         file=str(projects.read))
    reviewer = reviewer if reviewer is not None else coders[0]
    if reviewer not in coders:
        raise InputError(f"--reviewer {reviewer!r} coded nothing in the project; its coders "
                         f"are: {', '.join(coders)}", file=str(projects.read))
    return [replace(c, primary=c.coder == reviewer) for c in imported.confirmations]


def _with_people(book: Codebook, coded: list[CodedAnswer], ids: list[str],
                 people: list[Confirmation], source: Path) -> dict[str, Any]:
    """What people's codes add: per answer theirs and the final codes, the theme counts
    with the reviewer's codes over the machine's, and the agreement between them all."""
    from hrta.coding.autocode import CODED, CodedAnswer, ThemeConfidence, summary_of
    from hrta.coding.review import agreement_report, final_codes

    final = final_codes(coded, ids, people, book.question)
    reviewed = [CodedAnswer(a.text, CODED if f.themes else a.status,
                            tuple(ThemeConfidence(t, 1.0) for t in f.themes))
                for a, f in zip(coded, final, strict=True)]
    by_answer: dict[str, dict[str, list[str]]] = {}
    for c in people:
        by_answer.setdefault(c.response_id, {})[c.coder] = list(c.themes)
    reviewer = next((c.coder for c in people if c.primary), "")
    return {
        "people": {"source": source.name, "coders": sorted({c.coder for c in people}),
                   "reviewer": reviewer,
                   "answers": len({c.response_id for c in people if c.primary})},
        "reviewed_themes": summary_of(reviewed, book)["themes"],
        "agreement": agreement_report(coded, ids, people, book.question, list(book.ids)),
        "final": [{"people": by_answer.get(rid, {}), "final": list(f.themes),
                   "final_source": f.source} for rid, f in zip(ids, final, strict=True)],
    }


def _write_project(path: Path, book: Codebook, responses: ResponseSet | None,
                   ids: list[str], texts: list[str], coded: list[CodedAnswer],
                   people: list[Confirmation]) -> None:
    from hrta.coding.qdpx import ProjectAnswer, Variable, project_answers, write_qdpx

    variables: list[Variable]
    suggested = {rid: a.theme_ids for rid, a in zip(ids, coded, strict=True)}
    if responses is None:  # a plain table of answers: no respondents' attributes
        variables, answers = [], [ProjectAnswer(rid, text, (), suggested[rid])
                                  for rid, text in zip(ids, texts, strict=True)]
        question_text = ""
    else:
        variables, answers = project_answers(responses, book.question, suggested)
        question_text = responses.instrument.question(book.question).text
    write_qdpx(path, book, answers, people, variables=variables,
               name=f"{book.title or book.question}", question_text=question_text)


def _tuning(coder: Coder) -> dict[str, Any]:
    t = coder.tuning
    return {"source": t.source, "answers": t.answers, "penalty": t.penalty,
            "slope": round(t.slope, 3), "f1": round(t.f1, 3),
            "thresholds": {k: round(v, 3) for k, v in t.thresholds.items()}}


def _export_answers(file: Path, fmt: str, instrument: str, mapping: Path | None,
                    question: str) -> tuple[list[str], list[str]]:
    return _question_answers(_load_export(file, fmt, instrument, mapping), question)


def _evaluate(book: Codebook, labelled: Path, tuning: list[TaggedAnswer] | None,
              tune: Path | None, step: Counted) -> dict[str, Any]:
    from hrta.coding.labelled import read_labelled
    from hrta.coding.reliability import against_people

    answers = read_labelled(labelled, book)
    if not answers:
        raise InputError(f"no labelled answers for question {book.question!r}",
                         file=str(labelled))
    coder = _coder(book, tuning, tune, step)
    result = against_people(coder, answers, progress=step(
        f"Coding {len(answers):,} labelled answers", len(answers)))
    return {"question": book.question, "labelled": labelled.name, "model": MODEL,
            **result, "tuning": _tuning(coder)}


# --- terminal output ----------------------------------------------------------------------

def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def _stat(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _print_coding(result: dict[str, Any]) -> None:
    people = result.get("people")
    title = f"{result['codebook']} (n={result['n']:,})"
    if people:
        title += f", with {people['reviewer']}'s codes on {people['answers']:,} answers"
    from rich.table import Table  # only where a table is printed

    table = Table(title=title)
    table.add_column("Theme")
    table.add_column("Respondents", justify="right")
    table.add_column("Percent", justify="right")
    for theme in result["reviewed_themes"] if people else result["themes"]:
        table.add_row(theme["label"], f"{theme['count']:,}", _percent(theme["percent"]))
    out.print(table)
    if people:
        _print_people(result)
    note(f"{result['coded']:,} coded, {result['uncoded']:,} fit no theme, "
         f"{result['uncodable']:,} uncodable (no words); "
         f"{len(result['candidates'])} candidate themes proposed")


def _print_people(result: dict[str, Any]) -> None:
    people, agreement = result["people"], result["agreement"]
    machine = agreement["machine_vs_reviewer"]
    note(f"People's codes from {people['source']}: {', '.join(people['coders'])}; "
         f"{people['reviewer']}'s count over the machine's.")
    if machine:
        note(f"Machine against {people['reviewer']} on {machine['answers']:,} answers: "
             f"kappa {_stat(machine['micro']['kappa'])} (micro), "
             f"F1 {_stat(machine['micro']['f1'])}")
    for pair in agreement["between_people"]:
        note(f"{' and '.join(pair['coders'])} on {pair['answers']:,} answers: "
             f"kappa {_stat(pair['micro']['kappa'])} (micro)")


def _print_discovery(result: dict[str, Any]) -> None:
    from rich.table import Table  # only where a table is printed

    table = Table(title=f"Themes proposed for {result['question']} (n={result['n']:,}): "
                        "no codebook yet")
    table.add_column("Suggested name")
    table.add_column("Answers", justify="right")
    table.add_column("For example")
    for candidate in result["candidates"]:
        table.add_row(candidate["suggested_label"], f"{candidate['size']:,}",
                      candidate["representatives"][0])
    out.print(table)
    note(f"{result['question']} has no codebook, so its answers were not coded: "
         f"{len(result['candidates'])} themes are proposed from them. Write the ones that "
         "fit into a codebook (YAML or CSV) and code with --codebook FILE.")


def _print_evaluation(result: dict[str, Any]) -> None:
    from rich.table import Table  # only where a table is printed

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

