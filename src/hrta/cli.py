"""The `hrta` command."""

from __future__ import annotations

import copy
import json
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.main import get_command_name
from typer.models import CommandInfo

from hrta.commandline import (
    FileArgument,
    FormatOption,
    InstrumentOption,
    MappingOption,
    MemberOption,
    SuppressOption,
    counter,
    fail,
    failing_on_bad_input,
    note,
    say,
    step,
    steps,
    warn,
)
from hrta.defaults import DEFAULT_INSTRUMENT, DEFAULT_THRESHOLD
from hrta.errors import InputError
from hrta.files import write_text_atomic

if TYPE_CHECKING:
    from hrta.coding.review import Confirmation
    from hrta.commandline import Steps
    from hrta.findings import Findings
    from hrta.responses import ResponseSet

_app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Harm-reduction technical assistance: assess, analyse, act.")
instrument_app = typer.Typer(no_args_is_help=True, help="The assessment instrument.")
_app.add_typer(instrument_app, name="instrument")


def _show_version(asked: bool) -> None:
    if asked:
        from hrta import __version__

        say(f"hrta {__version__}")
        raise typer.Exit()


@_app.callback()
def _options(
    version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_show_version,
        help="Print hrta's version and exit.")] = False,
) -> None:
    """The options of `hrta` itself, given before any command."""


ByOption = Annotated[str | None, typer.Option(
    "--by", help="Compare groups: QID (single choice), QID.ATTRIBUTE (e.g. state.region) or "
                 "QID=OPTION (multi choice, e.g. communities=rural).")]
WeightsOption = Annotated[Path | None, typer.Option(
    "--weights", help="YAML file of population margins to rake to.")]
CompareOption = Annotated[Path | None, typer.Option(
    "--compare", help="An earlier wave's export: show change since it.")]
CompareLabelOption = Annotated[str | None, typer.Option(
    "--compare-label", help="What the report calls the earlier wave, e.g. \"2022 survey\" "
                           "(default: \"the earlier wave\", with its fielded dates).")]
ThemesOption = Annotated[bool, typer.Option(
    "--themes/--no-themes", help="Code open-ended answers into themes (about 40 s per "
                                 "10,000 answers on 2 cores; --no-themes lists answers instead).")]
CodesOption = Annotated[Path | None, typer.Option(
    "--codes", help="A CSV or XLSX of codes people confirmed (response_id, question, themes; "
                    "optional hide_quote): they override the machine's, and reviewed themes "
                    "reach the report's summary.")]
MinGroupOption = Annotated[int | None, typer.Option(
    "--min-group", min=1, help="Compare groups smaller than this (default: twice "
                               "--suppress-below) as one combined group.")]


def _load(progress: Steps, file: Path, instrument_ref: str, fmt: str,
          mapping: Path | None, *, finished_only: bool = False,
          member: str | None = None, language: str = "en") -> ResponseSet:
    """The export's responses; with `language`, under the questionnaire's wording in that
    language (the same ids, so the same counts), as its respondents read it."""
    from dataclasses import replace

    from hrta.ingest import load_responses
    from hrta.instrument import load
    from hrta.instrument.translation import in_reading_order, translate, versions_beside

    step(progress, "Reading the instrument")
    instrument = load(instrument_ref)
    step(progress, f"Importing {file.name}")
    responses = load_responses(file, instrument, fmt=fmt, mapping=mapping,
                               finished_only=finished_only, member=member,
                               translated=versions_beside(instrument, instrument_ref))
    if language == "en":
        return responses
    beside = Path(instrument_ref) if Path(instrument_ref).is_file() else None
    worded = in_reading_order(translate(instrument, language, beside=beside), instrument,
                              language)
    return replace(responses, instrument=worded)


LangOption = Annotated[str, typer.Option(
    "--lang", help="The language to write in: en or es (questions and options in the "
                   "questionnaire's own wording in that language).")]


def _report_language(lang: str) -> str:
    """The base language of `lang` ('es-US' is 'es') if the report is written in it."""
    if lang == "en":  # a plain analysis loads no report module
        return lang
    from hrta.assistance.words import base_language
    from hrta.report.words import languages

    if base_language(lang) not in languages():
        fail(InputError(f"--lang: no report wording in {lang!r}; choose one of "
                        f"{', '.join(languages())}"))
    return base_language(lang)


def _full_findings(progress: Steps, file: Path, instrument_ref: str, fmt: str,
                   mapping: Path | None, *, by: str | None = None,
                   weights: Path | None = None, compare: Path | None = None,
                   compare_label: str | None = None, threshold: int = DEFAULT_THRESHOLD,
                   min_group: int | None = None,
                   themes: bool = True, finished_only: bool = False,
                   member: str | None = None, codes: Path | None = None,
                   language: str = "en") -> Findings:
    """The Findings of an export, through the pipeline the web app takes too; `codes` a
    file of codes people confirmed, which override the machine's; `language` the wording
    of the questionnaire the Findings name questions and options in."""
    from hrta.analysis.pipeline import Themes, analyse

    responses = _load(progress, file, instrument_ref, fmt, mapping, finished_only=finished_only,
                      member=member, language=language)
    previous = None
    if compare is not None:
        step(progress, f"Importing the earlier wave {compare.name}")
        previous = _load(progress, compare, instrument_ref, fmt, mapping, language=language)
    coding: Themes | None = None
    if themes:
        from hrta.coding.themes import add_themes

        coding = partial(add_themes, step=counter(progress),
                         confirmations=_confirmed_codes(codes, responses))
    return analyse(responses, by=by, weights=weights, previous=previous,
                   previous_label=compare_label, threshold=threshold,
                   min_group=min_group, step=partial(step, progress), themes=coding,
                   language=language)


def _confirmed_codes(path: Path | None, responses: ResponseSet) -> list[Confirmation]:
    if path is None:
        return []
    from hrta.coding.codebook import load_codebook
    from hrta.coding.labelled import read_confirmed_codes
    from hrta.coding.review import confirmations_from_rows
    from hrta.coding.themes import coded_questions

    books = {q: load_codebook(q, instrument_id=responses.instrument.id)
             for q in coded_questions(responses)}
    return confirmations_from_rows(read_confirmed_codes(path, books))


def _summary(findings: Findings) -> str:
    r = findings.responses
    return (f"{r.total:,} responses: {r.eligible:,} eligible, "
            f"{r.excluded:,} excluded as ineligible")


@instrument_app.command("show")
def instrument_show(
    instrument: InstrumentOption = DEFAULT_INSTRUMENT,
    as_json: Annotated[bool, typer.Option("--json", help="Print the instrument as JSON.")] = False,
    language: Annotated[str, typer.Option(
        "--language", help="Show the wording in this language, e.g. es.")] = "en",
) -> None:
    """Print the assessment: sections, questions and options with their ids."""
    from hrta.instrument import load
    from hrta.instrument.display import instrument_json, instrument_tree
    from hrta.instrument.translation import available_languages, translate

    with failing_on_bad_input():
        loaded = load(instrument)
        # An imported instrument file has its other languages beside it.
        beside = Path(instrument) if Path(instrument).is_file() else None
        languages = available_languages(loaded.id, beside=beside)
        if language != "en" and language not in languages:
            raise InputError(f"no {language!r} wording of {loaded.id!r}; available: "
                             f"{', '.join(['en', *languages])}")
        loaded = translate(loaded, language, beside=beside)
    if as_json:
        sys.stdout.write(json.dumps(instrument_json(loaded), indent=2, ensure_ascii=False) + "\n")
    else:
        from hrta.commandline import out

        out.print(instrument_tree(loaded))


@_app.command()
def analyze(
    file: FileArgument,
    json_out: Annotated[Path, typer.Option("--json", help="Where to write the Findings JSON.")],
    fmt: FormatOption = "auto",
    instrument: InstrumentOption = DEFAULT_INSTRUMENT,
    mapping: MappingOption = None,
    member: MemberOption = None,
    by: ByOption = None,
    weights: WeightsOption = None,
    compare: CompareOption = None,
    compare_label: CompareLabelOption = None,
    suppress_below: SuppressOption = DEFAULT_THRESHOLD,
    min_group: MinGroupOption = None,
    themes: ThemesOption = True,
    codes: CodesOption = None,
    finished_only: Annotated[bool, typer.Option(
        "--finished-only", help="Leave out responses a Qualtrics export marks unfinished "
                                "(kept by default with the questions they answered).")] = False,
    lang: LangOption = "en",
) -> None:
    """Compute the Findings of an export and write them as JSON."""
    language = _report_language(lang)
    with failing_on_bad_input(), steps() as progress:
        findings = _full_findings(progress, file, instrument, fmt, mapping, by=by,
                                  weights=weights, compare=compare,
                                  compare_label=compare_label, threshold=suppress_below,
                                  min_group=min_group, themes=themes,
                                  finished_only=finished_only, member=member, codes=codes,
                                  language=language)
        step(progress, f"Writing {json_out}")
        # The same text as json.dumps(indent=2, ensure_ascii=False), written three times
        # faster, which a wave of 100,000 open-ended answers notices.
        write_text_atomic(json_out, findings.model_dump_json(indent=2))
    for warning in findings.warnings:
        warn(warning)
    note(_summary(findings))
    say(f"Findings: {json_out}")


@_app.command()
def report(
    file: FileArgument,
    output: Annotated[Path, typer.Option(
        "-o", "--output", help="The report to write: .html, .pdf or .docx.")],
    fmt: FormatOption = "auto",
    instrument: InstrumentOption = DEFAULT_INSTRUMENT,
    mapping: MappingOption = None,
    member: MemberOption = None,
    discussion: Annotated[Path | None, typer.Option(
        "--discussion", help="Markdown file with the analyst's discussion.")] = None,
    by: ByOption = None,
    weights: WeightsOption = None,
    compare: CompareOption = None,
    compare_label: CompareLabelOption = None,
    suppress_below: SuppressOption = DEFAULT_THRESHOLD,
    min_group: MinGroupOption = None,
    themes: ThemesOption = True,
    brief: Annotated[bool, typer.Option(
        "--brief", help="Write the one-page brief instead: takeaways, four small charts, "
                        "what this means for TA.")] = False,
    codes: CodesOption = None,
    verbatims: Annotated[bool, typer.Option(
        "--verbatims", help="Add an appendix of every open-ended answer as written (they "
                            "can name people, places and agencies).")] = False,
    release_quote: Annotated[list[str] | None, typer.Option(
        "--release-quote", help="Show a quote the name screen withheld, by the id the "
                                "command prints (e.g. challenges-14); repeat for more.")]
        = None,
    lang: LangOption = "en",
) -> None:
    """Write the stakeholder analysis report as HTML, PDF or Word (by the file's extension)."""
    from hrta.report import charts, render_report
    from hrta.report.render import WRITERS

    language = _report_language(lang)
    if output.suffix.lower() not in WRITERS:
        fail(InputError("name the report *.html, *.pdf or *.docx", file=str(output)))
    charts.warm_up()  # the chart renderer starts while the export is read and analysed
    if output.suffix.lower() == ".pdf" and not brief:
        from hrta.report import pdf

        pdf.prepare()  # and WeasyPrint loads in a second process meanwhile
    released = frozenset(release_quote or ())
    with failing_on_bad_input():
        text = _discussion(discussion)
        with steps() as progress:
            findings = _full_findings(progress, file, instrument, fmt, mapping, by=by,
                                      weights=weights, compare=compare,
                                      compare_label=compare_label, threshold=suppress_below,
                                      min_group=min_group,
                                      themes=themes, member=member, codes=codes,
                                      language=language)
            step(progress, "Drawing the charts and writing the report")
            if brief:
                from hrta.report.brief import render_brief

                render_brief(findings, output, draft=text is None, language=language)
            else:
                render_report(findings.to_json(), output, discussion=text,
                              verbatims=verbatims, released=released, language=language)
    note(_summary(findings))
    if not brief:
        _tell_withheld(findings, released)
    say(f"Report: {output}")


def _tell_withheld(findings: Findings, released: frozenset[str]) -> None:
    """The quotes the name screen held back, with their ids, for the analyst to read;
    and any id given to release that names no quote."""
    from hrta.report.themes import quote_ids, withheld_quotes

    for unknown in sorted(released - quote_ids(findings)):
        warn(f"--release-quote {unknown}: no quote of a reviewed answer has this id")
    held = withheld_quotes(findings, released)
    for quote in held:
        warn(f"quote {quote.id} ({quote.theme}) withheld, as it may name someone "
             f"(“{quote.withheld}”); "
             f"release it with --release-quote {quote.id} once checked: “{quote.text}”")


def _discussion(path: Path | None) -> str | None:

    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the discussion: {exc}", file=str(path)) from exc


@_app.command()
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

    with failing_on_bad_input():
        findings = load_findings(findings_file) if findings_file is not None else None
        with steps() as progress:
            step(progress, f"Reading {text.name}")
            flags = run_audit(text, findings)
    if as_json:
        sys.stdout.write(json.dumps(flags_to_json(flags), indent=2, ensure_ascii=False) + "\n")
    else:
        # Quoted sentences hold brackets that Rich would read as markup.
        sys.stdout.write(format_flags(flags))


LayoutOption = Annotated[str | None, typer.Option(
    "--layout", help="For .csv and .parquet: long (hrta's native form, one row per answer) or "
                     "wide (one row per response, with a codebook beside it); long unless "
                     "given. .sav, .dta and .xlsx are always wide.")]


@_app.command()
def convert(
    file: FileArgument,
    output: Annotated[Path, typer.Option(
        "-o", "--output", help="The file to write, by its extension: .csv or .parquet (long or "
                               "wide, see --layout), .xlsx (wide, with a codebook sheet), "
                               ".sav (SPSS) or .dta (Stata).")],
    fmt: FormatOption = "auto",
    instrument: InstrumentOption = DEFAULT_INSTRUMENT,
    mapping: MappingOption = None,
    member: MemberOption = None,
    layout: LayoutOption = None,
) -> None:
    """Import an export and write it for hrta, a spreadsheet, SPSS, Stata or R (contact
    details left out)."""
    from hrta.exports import write_native_csv

    suffix = output.suffix.lower()
    wide = suffix in (".sav", ".dta", ".xlsx") or layout == "wide"
    if suffix not in (".parquet", ".csv", ".sav", ".dta", ".xlsx"):
        fail(InputError("name the output *.csv, *.parquet, *.xlsx, *.sav or *.dta",
                        file=str(output)))
    if layout not in (None, "long", "wide"):
        fail(InputError(f"unknown layout {layout!r}: choose long or wide"))
    if layout == "long" and suffix in (".sav", ".dta", ".xlsx"):
        fail(InputError(f"{suffix} files hold the wide layout only; leave out --layout long",
                        file=str(output)))
    with failing_on_bad_input(), steps() as progress:
        responses = _load(progress, file, instrument, fmt, mapping, member=member)
        step(progress, f"Writing {output}")
        if wide:
            from hrta.exports.data import write_wide
            from hrta.exports.wide import wide_data

            data = wide_data(responses)
            written = write_wide(output, data)
            for text in data.renaming_notes():
                note(text)
        elif suffix == ".parquet":
            responses.write_parquet(output)
            written = [output]
        else:
            write_native_csv(output, responses)
            written = [output]
    say(f"Wrote {responses.total:,} responses to {output}"
        + "".join(f"\nand {path}" for path in written[1:]))


@_app.command()
def demo(
    out_dir: Annotated[Path, typer.Option(
        "--out", help="Folder for responses.csv and report.html.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same "
                                      "wave.")] = 2022,
    load_into_web: Annotated[bool, typer.Option(
        "--load", help="Also load the wave into the web app's database, with a demo admin.")]
        = False,
    follow_up: Annotated[bool, typer.Option(
        "--follow-up", help="Also write follow_up.csv, a second wave fielded two years later "
        "with some answers moved, and trend_report.html comparing it with the first.")] = False,
) -> None:
    """Generate a synthetic wave shaped like the 2022 study, and its report."""
    from hrta.demo import demo_responses
    from hrta.exports import write_surveymonkey_csv
    from hrta.instrument import load_bundled
    from hrta.report import render_report

    csv_path = out_dir / "responses.csv"
    html_path = out_dir / "report.html"
    with steps() as progress:
        step(progress, "Generating the demo wave")
        write_surveymonkey_csv(csv_path, demo_responses(load_bundled(DEFAULT_INSTRUMENT),
                                                        seed=seed))
        findings = _full_findings(progress, csv_path, DEFAULT_INSTRUMENT, "surveymonkey", None)
        step(progress, "Writing the report")
        render_report(findings.to_json(), html_path)
        if follow_up:
            later_path, trend_path = out_dir / "follow_up.csv", out_dir / "trend_report.html"
            step(progress, "Generating the follow-up wave")
            write_surveymonkey_csv(later_path, demo_responses(
                load_bundled(DEFAULT_INSTRUMENT), seed=seed + 1, follow_up=True))
            trend = _full_findings(progress, later_path, DEFAULT_INSTRUMENT, "surveymonkey",
                                   None, compare=csv_path, compare_label="the first wave")
            step(progress, "Writing the trend report")
            render_report(trend.to_json(), trend_path)
    note(_summary(findings))
    say(f"Responses: {csv_path}\nReport: {html_path.resolve()}")
    if follow_up:
        say(f"Follow-up wave: {later_path}\nTrend report: {trend_path.resolve()}")
    if load_into_web:
        _load_demo_into_web(seed)


def _load_demo_into_web(seed: int) -> None:
    from hrta.commandline import out
    from hrta.web.commands import DEMO_ADMIN, DEMO_WAVE, load_demo

    with steps() as progress:
        step(progress, "Loading the demo wave into the web app")
        password = load_demo(seed=seed)
    say(f"Web app: demo wave {DEMO_WAVE!r} loaded.")
    reset = f"`hrta user add {DEMO_ADMIN} --role admin`"
    if password:
        out.print(f"Staff login: {DEMO_ADMIN} / {password}  (shown once; reset it with "
                  f"{reset})", highlight=False, soft_wrap=True)
    else:
        out.print(f"Staff login: {DEMO_ADMIN} (created earlier; set a new password with "
                  f"{reset})", highlight=False, soft_wrap=True)


# --- the commands of the other packages ------------------------------------------------------
# Each package that has commands offers `register(app)` in its commands module (the
# instrument's register on `hrta instrument`); each is added in `_register_all`, one line.
# They share options and helpers through hrta.commandline, and import their heavy modules
# inside the commands, so `hrta --help` does not wait for them. A command of this module
# run by name (`hrta analyze`) registers none of them: importing the web app's commands
# alone loads Rich and the standard library's network modules.

_registered = False


def _register_all() -> None:
    global _registered
    if _registered:
        return
    _registered = True
    from hrta.commands.assistance import register as register_assistance
    from hrta.commands.coding import register as register_coding
    from hrta.commands.instrument import register as register_instrument
    from hrta.web.commands import migrate, serve, user_app, wave_app, worker
    from hrta.web.safekeeping import register as register_safekeeping

    _app.command("serve")(serve)
    _app.command("worker")(worker)
    _app.command("migrate")(migrate)
    _app.add_typer(user_app, name="user")
    _app.add_typer(wave_app, name="wave")
    register_safekeeping(_app)
    register_coding(_app)
    register_assistance(_app)
    register_instrument(instrument_app)


def __getattr__(name: str) -> typer.Typer:
    # `app`, the whole command line, every package's commands registered.
    if name == "app":
        _register_all()
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    app_for(sys.argv[1:])()


def app_for(args: list[str]) -> typer.Typer:
    """`app` with only the command that `args` start with, when they start with one.

    Typer builds the options of every command it holds before it runs one; building the
    other thirty commands' would cost every run about 0.05 s for nothing. `--version`
    needs none (it prints and leaves first). Anything else (`--help`, no command, a
    misspelt one) gets the whole app, which lists them all and suggests names.
    """
    name = args[0] if args else ""
    own = [c for c in _app.registered_commands if _name(c) == name]
    if not own and name != "--version":
        _register_all()
    commands = own or [c for c in _app.registered_commands if _name(c) == name]
    groups = [g for g in _app.registered_groups if g.name == name]
    if not commands and not groups and name != "--version":
        return _app
    lean = copy.copy(_app)
    lean.registered_commands, lean.registered_groups = commands, groups
    return lean


def _name(command: CommandInfo) -> str:
    if command.name:
        return command.name
    return get_command_name(command.callback.__name__) if command.callback else ""


if __name__ == "__main__":
    main()
