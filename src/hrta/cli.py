"""The `hrta` command."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from hrta.errors import InputError
from hrta.files import write_text_atomic

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Harm-reduction technical assistance: assess, analyse, act.")
instrument_app = typer.Typer(no_args_is_help=True, help="The assessment instrument.")
app.add_typer(instrument_app, name="instrument")

out = Console()
err = Console(stderr=True)

InstrumentOption = Annotated[str, typer.Option(
    "--instrument", help="A bundled instrument id or the path of an instrument YAML file.")]
FormatOption = Annotated[str, typer.Option(
    "--format", help="Input format: auto, surveymonkey (expanded CSV or XLSX) or native.")]
MappingOption = Annotated[Path | None, typer.Option(
    "--mapping", help="YAML file mapping reworded questions and labels to instrument ids.")]
FileArgument = Annotated[Path, typer.Argument(help="The export or native file to read.")]


@contextmanager
def _steps() -> Iterator[Progress]:
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                        console=err, transient=True)
    with progress:
        yield progress


def _step(progress: Progress, description: str) -> None:
    for task in progress.tasks:
        progress.update(task.id, visible=False)
    progress.add_task(description, total=None)


def _load(progress: Progress, file: Path, instrument_ref: str, fmt: str,
          mapping: Path | None) -> Any:
    from hrta.ingest import load_responses
    from hrta.instrument import load

    _step(progress, "Reading the instrument")
    instrument = load(instrument_ref)
    _step(progress, f"Importing {file.name}")
    return load_responses(file, instrument, fmt=fmt, mapping=mapping)


def _findings(progress: Progress, responses: Any) -> dict[str, Any]:
    from hrta.analysis import build_findings

    _step(progress, f"Analysing {responses.total:,} responses")
    return build_findings(responses)


def _summary(findings: dict[str, Any]) -> str:
    r = findings["responses"]
    return (f"{r['total']:,} responses: {r['eligible']:,} eligible, "
            f"{r['excluded']:,} excluded as ineligible")


def _fail(exc: InputError) -> None:
    err.print(f"[bold red]error:[/bold red] {exc}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(exc.exit_code)


@instrument_app.command("show")
def instrument_show(
    instrument: InstrumentOption = "harm_reduction_ta_2022",
    as_json: Annotated[bool, typer.Option("--json", help="Print the instrument as JSON.")] = False,
) -> None:
    """Print the assessment: sections, questions and options with their ids."""
    from hrta.instrument import load
    from hrta.instrument.display import instrument_json, instrument_tree

    try:
        loaded = load(instrument)
    except InputError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(instrument_json(loaded), indent=2, ensure_ascii=False) + "\n")
    else:
        out.print(instrument_tree(loaded))


@app.command()
def analyze(
    file: FileArgument,
    json_out: Annotated[Path, typer.Option("--json", help="Where to write the Findings JSON.")],
    fmt: FormatOption = "auto",
    instrument: InstrumentOption = "harm_reduction_ta_2022",
    mapping: MappingOption = None,
) -> None:
    """Compute the Findings of an export and write them as JSON."""
    try:
        with _steps() as progress:
            responses = _load(progress, file, instrument, fmt, mapping)
            findings = _findings(progress, responses)
            _step(progress, f"Writing {json_out}")
            write_text_atomic(json_out, json.dumps(findings, indent=2, ensure_ascii=False))
    except InputError as exc:
        _fail(exc)
    for warning in findings["warnings"]:
        err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    err.print(_summary(findings), highlight=False)
    out.print(f"Findings: {json_out}", highlight=False)


@app.command()
def report(
    file: FileArgument,
    output: Annotated[Path, typer.Option("-o", "--output", help="The report file to write.")],
    fmt: FormatOption = "auto",
    instrument: InstrumentOption = "harm_reduction_ta_2022",
    mapping: MappingOption = None,
) -> None:
    """Write the stakeholder analysis report (self-contained HTML)."""
    from hrta.report import render_html

    if output.suffix.lower() not in (".html", ".htm"):
        _fail(InputError("only HTML reports are written so far: name the output *.html",
                         file=str(output)))
    try:
        with _steps() as progress:
            responses = _load(progress, file, instrument, fmt, mapping)
            findings = _findings(progress, responses)
            _step(progress, "Drawing the charts and writing the report")
            write_text_atomic(output, render_html(findings))
    except InputError as exc:
        _fail(exc)
    err.print(_summary(findings), highlight=False)
    out.print(f"Report: {output}", highlight=False)


@app.command()
def convert(
    file: FileArgument,
    output: Annotated[Path, typer.Option(
        "-o", "--output", help="Native file to write: .parquet or .csv (long form, by ids).")],
    fmt: FormatOption = "auto",
    instrument: InstrumentOption = "harm_reduction_ta_2022",
    mapping: MappingOption = None,
) -> None:
    """Import an export and write it in the native long format (contact details left out)."""
    from hrta.exports import write_native_csv

    suffix = output.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        _fail(InputError("name the output *.parquet or *.csv", file=str(output)))
    try:
        with _steps() as progress:
            responses = _load(progress, file, instrument, fmt, mapping)
            _step(progress, f"Writing {output}")
            if suffix == ".parquet":
                responses.write_parquet(output)
            else:
                write_native_csv(output, responses)
    except InputError as exc:
        _fail(exc)
    out.print(f"Wrote {responses.total:,} responses to {output}", highlight=False)


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option(
        "--out", help="Folder for responses.csv and report.html.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same "
                                      "wave.")] = 2022,
) -> None:
    """Generate a synthetic wave shaped like the 2022 study, and its report."""
    from hrta.analysis import build_findings
    from hrta.demo import demo_responses
    from hrta.exports import write_surveymonkey_csv
    from hrta.ingest import load_responses
    from hrta.instrument import load_bundled
    from hrta.report import render_html

    instrument = load_bundled()
    csv_path = out_dir / "responses.csv"
    html_path = out_dir / "report.html"
    with _steps() as progress:
        _step(progress, "Generating the demo wave")
        write_surveymonkey_csv(csv_path, demo_responses(instrument, seed=seed))
        _step(progress, "Importing and analysing it")
        findings = build_findings(load_responses(csv_path, instrument, fmt="surveymonkey"))
        _step(progress, "Writing the report")
        write_text_atomic(html_path, render_html(findings))
    err.print(_summary(findings), highlight=False)
    out.print(f"Responses: {csv_path}\nReport: {html_path.resolve()}", highlight=False)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
