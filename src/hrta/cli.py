"""The `hrta` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress

from hrta.assistance.commands import register as register_assistance
from hrta.coding.commands import add_coded_themes
from hrta.coding.commands import register as register_coding
from hrta.errors import InputError
from hrta.files import write_text_atomic
from hrta.progress import fail as _fail
from hrta.progress import step as _step
from hrta.progress import steps as _steps
from hrta.progress import warn as _warn

if TYPE_CHECKING:
    from hrta.findings import Findings

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Harm-reduction technical assistance: assess, analyse, act.")
instrument_app = typer.Typer(no_args_is_help=True, help="The assessment instrument.")
app.add_typer(instrument_app, name="instrument")

# Markup off: paths, labels and cells are printed as they are, "[" and "]" included.
out = Console(markup=False)
err = Console(stderr=True, markup=False)

InstrumentOption = Annotated[str, typer.Option(
    "--instrument", help="A bundled instrument id or the path of an instrument YAML file.")]
FormatOption = Annotated[str, typer.Option(
    "--format", help="Input format: auto, surveymonkey (expanded CSV or XLSX) or native.")]
MappingOption = Annotated[Path | None, typer.Option(
    "--mapping", help="YAML file mapping reworded questions and labels to instrument ids.")]
FileArgument = Annotated[Path, typer.Argument(help="The export or native file to read.")]
ByOption = Annotated[str | None, typer.Option(
    "--by", help="Compare groups: QID (single choice), QID.ATTRIBUTE (e.g. state.region) or "
                 "QID=OPTION (multi choice, e.g. communities=rural).")]
WeightsOption = Annotated[Path | None, typer.Option(
    "--weights", help="YAML file of population margins to rake to.")]
CompareOption = Annotated[Path | None, typer.Option(
    "--compare", help="An earlier wave's export: show change since it.")]
SuppressOption = Annotated[int, typer.Option(
    "--suppress-below", min=1, help="Hide counts below this in group comparisons.")]
ThemesOption = Annotated[bool, typer.Option(
    "--themes/--no-themes", help="Code open-ended answers into themes (about 40 s per "
                                 "10,000 answers on 2 cores; --no-themes lists answers instead).")]
MinGroupOption = Annotated[int | None, typer.Option(
    "--min-group", min=1, help="Compare groups smaller than this (default: twice "
                               "--suppress-below) as one combined group.")]




def _load(progress: Progress, file: Path, instrument_ref: str, fmt: str,
          mapping: Path | None) -> Any:
    from hrta.ingest import load_responses
    from hrta.instrument import load

    _step(progress, "Reading the instrument")
    instrument = load(instrument_ref)
    _step(progress, f"Importing {file.name}")
    return load_responses(file, instrument, fmt=fmt, mapping=mapping)


def _full_findings(progress: Progress, file: Path, instrument_ref: str, fmt: str,
                   mapping: Path | None, *, by: str | None, weights: Path | None,
                   compare: Path | None, threshold: int,
                   min_group: int | None = None, themes: bool = True) -> Findings:
    """The Findings of an export, through the pipeline the web app takes too."""
    from hrta.analysis.pipeline import analyse

    responses = _load(progress, file, instrument_ref, fmt, mapping)
    previous = None
    if compare is not None:
        _step(progress, f"Importing the earlier wave {compare.name}")
        previous = _load(progress, compare, instrument_ref, fmt, mapping)
    findings = analyse(
        responses, by=by, weights=weights, previous=previous,
        previous_label=compare.name if compare else None, threshold=threshold,
        min_group=min_group, step=lambda text: _step(progress, text),
        themes=(lambda found, chosen: add_coded_themes(progress, found, chosen))
        if themes else None)
    return findings


def _summary(findings: Findings) -> str:
    r = findings.responses
    return (f"{r.total:,} responses: {r.eligible:,} eligible, "
            f"{r.excluded:,} excluded as ineligible")


@instrument_app.command("show")
def instrument_show(
    instrument: InstrumentOption = "harm_reduction_ta_2022",
    as_json: Annotated[bool, typer.Option("--json", help="Print the instrument as JSON.")] = False,
    language: Annotated[str, typer.Option(
        "--language", help="Show the wording in this language, e.g. es.")] = "en",
) -> None:
    """Print the assessment: sections, questions and options with their ids."""
    from hrta.instrument import load
    from hrta.instrument.display import instrument_json, instrument_tree
    from hrta.instrument.translation import available_languages, translate

    try:
        loaded = load(instrument)
        if language != "en" and language not in available_languages(loaded.id):
            raise InputError(f"no {language!r} wording of {loaded.id!r}; available: "
                             f"{', '.join(['en', *available_languages(loaded.id)])}")
        loaded = translate(loaded, language)
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
    by: ByOption = None,
    weights: WeightsOption = None,
    compare: CompareOption = None,
    suppress_below: SuppressOption = 5,
    min_group: MinGroupOption = None,
    themes: ThemesOption = True,
) -> None:
    """Compute the Findings of an export and write them as JSON."""
    try:
        with _steps() as progress:
            findings = _full_findings(progress, file, instrument, fmt, mapping, by=by,
                                      weights=weights, compare=compare,
                                      threshold=suppress_below, min_group=min_group,
                                      themes=themes)
            _step(progress, f"Writing {json_out}")
            # The same text as json.dumps(indent=2, ensure_ascii=False), written three times
            # faster, which a wave of 100,000 open-ended answers notices.
            write_text_atomic(json_out, findings.model_dump_json(indent=2))
    except InputError as exc:
        _fail(exc)
    for warning in findings.warnings:
        _warn(warning)
    err.print(_summary(findings), highlight=False)
    out.print(f"Findings: {json_out}", highlight=False)


@app.command()
def report(
    file: FileArgument,
    output: Annotated[Path, typer.Option(
        "-o", "--output", help="The report to write: .html, .pdf or .docx.")],
    fmt: FormatOption = "auto",
    instrument: InstrumentOption = "harm_reduction_ta_2022",
    mapping: MappingOption = None,
    discussion: Annotated[Path | None, typer.Option(
        "--discussion", help="Markdown file with the analyst's discussion.")] = None,
    by: ByOption = None,
    weights: WeightsOption = None,
    compare: CompareOption = None,
    suppress_below: SuppressOption = 5,
    min_group: MinGroupOption = None,
    themes: ThemesOption = True,
) -> None:
    """Write the stakeholder analysis report as HTML, PDF or Word (by the file's extension)."""
    from hrta.report import charts, render_report
    from hrta.report.render import WRITERS

    if output.suffix.lower() not in WRITERS:
        _fail(InputError("name the report *.html, *.pdf or *.docx", file=str(output)))
    charts.warm_up()  # the chart renderer starts while the export is read and analysed
    try:
        text = None
        if discussion is not None:
            try:
                text = discussion.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"cannot read the discussion: {exc}",
                                 file=str(discussion)) from exc
        with _steps() as progress:
            findings = _full_findings(progress, file, instrument, fmt, mapping, by=by,
                                      weights=weights, compare=compare,
                                      threshold=suppress_below, min_group=min_group,
                                      themes=themes)
            _step(progress, "Drawing the charts and writing the report")
            render_report(findings.to_json(), output, discussion=text)
    except InputError as exc:
        _fail(exc)
    err.print(_summary(findings), highlight=False)
    out.print(f"Report: {output}", highlight=False)


@app.command()
def audit(
    text: Annotated[Path, typer.Argument(
        help="A written report to check: Markdown, plain text, DOCX or PDF.")],
    findings_file: Annotated[Path | None, typer.Option(
        "--findings", help="Findings JSON to check every number against.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the flags as JSON.")] = False,
) -> None:
    """Check the numbers of a written report: sums, conflicts, impossible percentages."""
    from hrta.audit import audit as run_audit
    from hrta.audit import flags_to_json, format_flags, load_findings

    try:
        findings = load_findings(findings_file) if findings_file is not None else None
        with _steps() as progress:
            _step(progress, f"Reading {text.name}")
            flags = run_audit(text, findings)
    except InputError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(flags_to_json(flags), indent=2, ensure_ascii=False) + "\n")
    else:
        # Quoted sentences hold brackets that Rich would read as markup.
        sys.stdout.write(format_flags(flags))


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
    load_into_web: Annotated[bool, typer.Option(
        "--load", help="Also load the wave into the web app's database, with a demo admin.")]
        = False,
) -> None:
    """Generate a synthetic wave shaped like the 2022 study, and its report."""
    from hrta.analysis.pipeline import analyse
    from hrta.demo import demo_responses
    from hrta.exports import write_surveymonkey_csv
    from hrta.ingest import load_responses
    from hrta.instrument import load_bundled
    from hrta.report import render_report

    instrument = load_bundled()
    csv_path = out_dir / "responses.csv"
    html_path = out_dir / "report.html"
    with _steps() as progress:
        _step(progress, "Generating the demo wave")
        write_surveymonkey_csv(csv_path, demo_responses(instrument, seed=seed))
        _step(progress, "Importing and analysing it")
        responses = load_responses(csv_path, instrument, fmt="surveymonkey")
        findings = analyse(responses, themes=lambda found, chosen: add_coded_themes(
            progress, found, chosen))
        _step(progress, "Writing the report")
        render_report(findings.to_json(), html_path)
    err.print(_summary(findings), highlight=False)
    out.print(f"Responses: {csv_path}\nReport: {html_path.resolve()}", highlight=False)
    if load_into_web:
        from hrta.web.commands import DEMO_ADMIN, DEMO_WAVE, load_demo

        with _steps() as progress:
            _step(progress, "Loading the demo wave into the web app")
            password = load_demo(seed=seed)
        out.print(f"Web app: demo wave {DEMO_WAVE!r} loaded.", highlight=False)
        if password:
            out.print(f"Staff login: {DEMO_ADMIN} / {password}  (shown once; reset it with "
                      f"`hrta user add {DEMO_ADMIN} --role admin`)", highlight=False,
                      soft_wrap=True)
        else:
            out.print(f"Staff login: {DEMO_ADMIN} (created earlier; set a new password with "
                      f"`hrta user add {DEMO_ADMIN} --role admin`)", highlight=False,
                      soft_wrap=True)


def _register_web() -> None:
    from hrta.web.commands import migrate, serve, user_app

    app.command("serve")(serve)
    app.command("migrate")(migrate)
    app.add_typer(user_app, name="user")
    from hrta.web.safekeeping import register as register_safekeeping

    register_safekeeping(app)


_register_web()
register_coding(app)
register_assistance(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
