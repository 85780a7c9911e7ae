"""Command-line commands for acting on a wave: `plan`, `demand`, `cohorts` and `catalog`.

Registered on the main `hrta` app by `register`. Heavy modules are imported inside the
commands so that `hrta --help` stays quick.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hrta.commandline import (
    FileArgument,
    FormatOption,
    InstrumentOption,
    MappingOption,
    SuppressOption,
    fail,
    failing_on_bad_input,
    note,
    out,
    say,
    step,
    steps,
)
from hrta.defaults import DEFAULT_INSTRUMENT, DEFAULT_THRESHOLD
from hrta.errors import InputError

if TYPE_CHECKING:
    from hrta.commandline import Steps

catalog_app = typer.Typer(no_args_is_help=True, help="The TA catalog that plans point to.")

RulesOption = Annotated[Path | None, typer.Option(
    "--rules", help="Readiness and plan rules YAML (default: the instrument's bundled rules).")]
CatalogOption = Annotated[Path | None, typer.Option(
    "--catalog", help="The user catalog file (default: $HRTA_CATALOG, else "
                      "~/.local/share/hrta/catalog.yaml).")]


def register(app: typer.Typer) -> None:
    """Add the commands to the main `hrta` app."""
    app.command("plan")(plan)
    app.command("demand")(demand)
    app.command("cohorts")(cohorts)
    app.add_typer(catalog_app, name="catalog")


def _setup(instrument_ref: str, rules_path: Path | None) -> tuple[Any, Any]:
    from hrta.assistance.rules import bundled_rules_path, load_rules
    from hrta.instrument import load

    instrument = load(instrument_ref)
    if rules_path is None and not bundled_rules_path(instrument.id).is_file():
        # A questionnaire drafted or imported from another tool: plans are not guessed.
        raise InputError(f"instrument {instrument.id!r} has no readiness rules, so hrta makes "
                         "no TA plans, demand or cohorts for it; give a rules file with "
                         "--rules to make them")
    return instrument, load_rules(instrument, rules_path)


def _wave(progress: Steps, file: Path, instrument_ref: str, fmt: str,
          mapping: Path | None, rules_path: Path | None) -> tuple[Any, Any, Any]:
    from hrta.ingest import load_responses

    step(progress, "Reading the instrument and the rules")
    instrument, rules = _setup(instrument_ref, rules_path)
    step(progress, f"Importing {file.name}")
    return instrument, rules, load_responses(file, instrument, fmt=fmt, mapping=mapping)


def _write_json(target: Path, data: Any) -> None:
    from hrta.files import write_text_atomic

    text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    if str(target) == "-":
        sys.stdout.write(text)
    else:
        write_text_atomic(target, text)


def plan(
    file: FileArgument,
    respondent: Annotated[str, typer.Option(
        "--respondent", help="The response id whose profile and plan to write.")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="The plan page to write: .html or .pdf (prints on one page).")]
    = None,
    json_out: Annotated[Path | None, typer.Option(
        "--json", help="Write the profile and plan as JSON here ('-' for standard output).")]
    = None,
    staff: Annotated[bool, typer.Option(
        "--staff", help="Include staff notes on resources.")] = False,
    fmt: FormatOption = "auto",
    instrument: InstrumentOption = DEFAULT_INSTRUMENT,
    mapping: MappingOption = None,
    rules: RulesOption = None,
    catalog: CatalogOption = None,
    lang: Annotated[str, typer.Option(
        "--lang", help="The language of the plan: en or es (the questionnaire's and the "
                       "rules' wording in that language).")] = "en",
) -> None:
    """Write one organization's readiness profile and TA plan."""
    from hrta.assistance.answers import answers_of
    from hrta.assistance.catalog import load_catalog
    from hrta.assistance.plan import build_plan
    from hrta.assistance.words import available, base_language
    from hrta.report.plans import PAGE_SUFFIXES, write_plan

    if base_language(lang) not in available():
        fail(InputError(f"--lang: no plan wording in {lang!r}; choose one of "
                        f"{', '.join(available())}"))
    if output is None and json_out is None:
        fail(InputError("say where to write the plan: -o plan.html, -o plan.pdf or "
                         "--json plan.json"))
    if output is not None and output.suffix.lower() not in PAGE_SUFFIXES:
        fail(InputError("name the plan *.html or *.pdf", file=str(output)))
    with failing_on_bad_input(), steps() as progress:
        loaded, loaded_rules, responses = _wave(progress, file, instrument, fmt, mapping,
                                                rules)
        step(progress, "Reading the TA catalog")
        resources = load_catalog(loaded, loaded_rules, user=catalog)
        answers = answers_of(responses, respondent)
        if not answers.eligible:
            raise InputError(f"respondent {respondent!r} was screened out as ineligible, "
                             "so there is no plan to make", file=str(file))
        step(progress, f"Making the plan of {respondent}")
        made = build_plan(answers, instrument=loaded, rules=loaded_rules,
                          catalog=resources, language=lang)
        if json_out is not None:
            _write_json(json_out, made.to_json(staff=staff))
        if output is not None:
            step(progress, f"Laying out {output.name} on one page")
            write_plan(made, output, rules=loaded_rules, staff=staff, made=date.today())
    shown = len(made.areas)
    note(f"{respondent}: {shown} TA area{'s' if shown != 1 else ''}"
         + (f"; {len(made.not_judged)} things could not be judged" if made.not_judged
            else ""))
    if not made.complete:
        note(made.headline)
    if output is not None:
        say(f"Plan: {output}")
    if json_out is not None and str(json_out) != "-":
        say(f"JSON: {json_out}")


def demand(
    file: FileArgument,
    json_out: Annotated[Path, typer.Option(
        "--json", help="Where to write the demand tables as JSON ('-' for standard output).")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Also write the demand view with charts: .html or .pdf.")]
    = None,
    fmt: FormatOption = "auto",
    instrument: InstrumentOption = DEFAULT_INSTRUMENT,
    mapping: MappingOption = None,
    rules: RulesOption = None,
    suppress_below: SuppressOption = DEFAULT_THRESHOLD,
) -> None:
    """Demand for TA: areas by format, region, communities and organization type.

    Also the gap between wanting TA and receiving it, and the planned services and partners
    TA could help with. Small group counts are suppressed.
    """
    from hrta.assistance.demand import build_demand
    from hrta.report.plans import PAGE_SUFFIXES, write_demand

    if output is not None and output.suffix.lower() not in PAGE_SUFFIXES:
        fail(InputError("name the demand page *.html or *.pdf", file=str(output)))
    with failing_on_bad_input(), steps() as progress:
        _, loaded_rules, responses = _wave(progress, file, instrument, fmt, mapping, rules)
        step(progress, f"Counting demand in {responses.total:,} responses")
        tables = build_demand(responses, rules=loaded_rules, threshold=suppress_below)
        step(progress, "Writing")
        _write_json(json_out, tables)
        if output is not None:
            step(progress, f"Drawing the charts and writing {output.name}")
            write_demand(tables, output)
    gap = tables["receiving_gap"]
    if not tables["eligible"]:
        # A wave nobody has answered yet: the files hold empty tables, and this says why.
        note(f"{file.name} has no eligible responses: the demand tables are empty")
    note(f"{tables['areas']['n']:,} of {tables['eligible']:,} eligible respondents chose "
         f"TA areas; of {gap['n']:,} who want TA and said, {gap['receiving']:,} receive it")
    if str(json_out) != "-":
        say(f"Demand: {json_out}")
    if output is not None:
        say(f"Page: {output}")


def cohorts(
    file: FileArgument,
    consented: Annotated[Path | None, typer.Option(
        "--consented", help="Text file of response ids that agreed to be contacted, one a "
                            "line (default: those who left contact details).")] = None,
    min_size: Annotated[int | None, typer.Option(
        "--min-size", min=1, help="Smallest cohort to list (default from the rules).")] = None,
    json_out: Annotated[Path | None, typer.Option(
        "--json", help="Write the cohorts as JSON here ('-' for standard output).")] = None,
    fmt: FormatOption = "auto",
    instrument: InstrumentOption = DEFAULT_INSTRUMENT,
    mapping: MappingOption = None,
    rules: RulesOption = None,
) -> None:
    """Organizations to invite: same TA area, small-group format, same region, consented."""
    from hrta.assistance.cohorts import consenting_ids, find_cohorts, read_ids

    with failing_on_bad_input(), steps() as progress:
        _, loaded_rules, responses = _wave(progress, file, instrument, fmt, mapping, rules)
        ids = read_ids(consented) if consented is not None else consenting_ids(responses)
        step(progress, "Forming cohorts")
        found = find_cohorts(responses, rules=loaded_rules, consenting=ids,
                             min_size=min_size)
        if json_out is not None:
            _write_json(json_out, [c.to_json() for c in found])
    source = "listed in " + consented.name if consented is not None else \
        "who left contact details"
    note(f"{len(ids):,} respondents {source}; {len(found)} cohorts")
    if json_out is not None and str(json_out) == "-":
        return
    if not ids:
        note("No respondent can be invited: nobody left contact details. Pass "
             "--consented with the ids of those who agreed to be contacted.")
    from rich.table import Table  # only where a table is printed

    table = Table("TA area", "Region", "Size", "Response ids", title="Cohorts to invite")
    for cohort in found:
        table.add_row(cohort.area_label, cohort.region_label, str(cohort.size),
                      ", ".join(m.response_id for m in cohort.members))
    if found:
        out.print(table)
    if json_out is not None:
        say(f"Cohorts: {json_out}")


@catalog_app.command("list")
def catalog_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print the catalog as JSON.")] = False,
    topic: Annotated[str | None, typer.Option("--topic", help="Only this TA area id.")] = None,
    resource_format: Annotated[str | None, typer.Option(
        "--resource-format", help="Only this format id.")] = None,
    catalog: CatalogOption = None,
    instrument: InstrumentOption = DEFAULT_INSTRUMENT,
    rules: RulesOption = None,
) -> None:
    """List the catalog in use: the bundled entries and the user catalog's."""
    from hrta.assistance.catalog import Vocabulary, load_catalog

    with failing_on_bad_input():
        loaded, loaded_rules = _setup(instrument, rules)
        entries = load_catalog(loaded, loaded_rules, user=catalog).resources
        vocabulary = Vocabulary(loaded, loaded_rules)
        for name, value in (("topics", topic), ("format", resource_format)):
            if value is not None and value not in vocabulary.allowed[name]:
                raise InputError(f"unknown {name.rstrip('s')} {value!r}; choose one of "
                                 f"{', '.join(vocabulary.allowed[name])}")
    chosen = [r for r in entries if (topic is None or topic in r.topics)
              and (resource_format is None or r.format == resource_format)]
    if as_json:
        sys.stdout.write(json.dumps([r.to_json() for r in chosen], indent=2,
                                    ensure_ascii=False) + "\n")
        return
    from rich.table import Table  # only where a table is printed

    table = Table("id", "Title", "Format", "Topics", "Reviewed", "From",
                  title=f"TA catalog: {len(chosen)} of {len(entries)} entries "
                        "(--json for every field)")
    for resource in chosen:
        table.add_row(resource.id, resource.title, resource.format, ", ".join(resource.topics),
                      resource.last_reviewed.isoformat() if resource.last_reviewed else "not yet",
                      resource.origin if resource.origin == "bundled" else "user")
    out.print(table)


@catalog_app.command("import")
def catalog_import(
    file: Annotated[Path, typer.Argument(help="A catalog file to add: .yaml or .csv.")],
    catalog: CatalogOption = None,
    instrument: InstrumentOption = DEFAULT_INSTRUMENT,
    rules: RulesOption = None,
) -> None:
    """Check a catalog file and add its entries to the user catalog (all or nothing)."""
    from hrta.assistance.catalog import import_catalog

    with failing_on_bad_input():
        loaded, loaded_rules = _setup(instrument, rules)
        result = import_catalog(file, loaded, loaded_rules, user=catalog)
    say(f"Imported {len(result.added) + len(result.replaced)} entries "
        f"({len(result.added)} new, {len(result.replaced)} replaced) into {result.path}; "
        f"it now holds {result.total}.")
