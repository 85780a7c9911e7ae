"""`hrta instrument draft`, `match`, `import` and `export`: instruments from exports and
other tools' definitions, and the instrument out to those tools.

A command-line module: drafting reads the export through `hrta.ingest` and matching uses the
sentence-embedding model of `hrta.coding`, so it sits above both (beside `hrta.cli`), not in
`hrta.instrument`, which every other layer imports. Heavy imports stay in the commands.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hrta.commandline import (
    FileArgument,
    InstrumentOption,
    failing_on_bad_input,
    note,
    say,
    step,
    steps,
)
from hrta.defaults import DEFAULT_INSTRUMENT
from hrta.errors import InputError
from hrta.files import write_atomic, write_text_atomic

if TYPE_CHECKING:
    import numpy as np

    from hrta.exports.xlsform import Written
    from hrta.ingest.match import Similarity
    from hrta.instrument import Instrument

OutputOption = Annotated[Path, typer.Option("-o", "--output", help="The YAML file to write.")]
DraftFormatOption = Annotated[str, typer.Option(
    "--format", help="The export's layout: surveymonkey (expanded CSV or XLSX) or "
                     "googleforms (responses CSV or XLSX).")]


def draft(file: FileArgument, output: OutputOption,
          fmt: DraftFormatOption = "surveymonkey") -> None:
    """Draft an instrument from an export's header rows and answers, to read and edit."""
    from hrta.ingest import googleforms
    from hrta.ingest.draft import draft_yaml, read_export

    with failing_on_bad_input():
        _yaml_output(output)
        if fmt not in ("surveymonkey", "googleforms"):
            raise InputError(f"unknown format {fmt!r}: drafting reads SurveyMonkey exports "
                             "(--format surveymonkey) and Google Forms responses "
                             "(--format googleforms)")
        _exists(file)
        with steps() as progress:
            step(progress, f"Reading {file.name}")
            export = googleforms.read_export(file) if fmt == "googleforms" \
                else read_export(file)
            step(progress, f"Writing {output}")
            text = draft_yaml(export)
            write_text_atomic(output, text)
    say(f"Instrument: {output} ({len(export.questions)} questions). Read its comments, then: "
        f"hrta analyze {file} --instrument {output} --json findings.json")


def match(file: FileArgument, output: OutputOption,
          instrument: InstrumentOption = DEFAULT_INSTRUMENT) -> None:
    """Propose a mapping file matching a reworded export to an instrument."""
    from hrta.ingest.draft import read_export
    from hrta.ingest.match import mapping_yaml
    from hrta.instrument import load

    with failing_on_bad_input():
        _yaml_output(output)
        _exists(file)
        with steps() as progress:
            step(progress, "Reading the instrument")
            loaded = load(instrument)
            step(progress, f"Reading {file.name}")
            export = read_export(file)
            step(progress, "Matching texts")
            similarity, method = _similarity()
            text = mapping_yaml(export, loaded, similarity, method=method)
            write_text_atomic(output, text)
    say(f"Mapping: {output}. Check the lines marked CHECK or UNMATCHED, then: "
        f"hrta analyze {file} --instrument {instrument} --mapping {output} --json findings.json")


def _similarity() -> tuple[Similarity, str]:
    """Cosine similarity of sentence embeddings, or of character sequences without the model."""
    from hrta.coding.embedder import Embedder, ModelUnavailableError

    try:
        embedder = Embedder()
    except ModelUnavailableError:
        return _characters, "similar spelling (the embedding model is not installed)"

    def cosine(left: Sequence[str], right: Sequence[str]) -> np.ndarray:
        import numpy as np

        scores = embedder.embed(list(left)) @ embedder.embed(list(right)).T
        return np.clip(scores, 0.0, 1.0)

    return cosine, "meaning (sentence embeddings)"


def _characters(left: Sequence[str], right: Sequence[str]) -> np.ndarray:
    from difflib import SequenceMatcher

    import numpy as np

    return np.array([[SequenceMatcher(None, a.casefold(), b.casefold()).ratio() for b in right]
                     for a in left])


def _yaml_output(output: Path) -> None:
    if output.suffix.lower() not in (".yaml", ".yml"):
        raise InputError("name the output *.yaml", file=str(output))


def _exists(file: Path) -> None:
    if not file.is_file():
        raise InputError("no such file", file=str(file))


KindOption = Annotated[str, typer.Option(
    "--kind", help="The definition's tool: auto, or one of those `--help` lists.")]


def import_definition(file: Annotated[Path, typer.Argument(
        help="Another survey tool's questionnaire definition.")],
        output: OutputOption, kind: KindOption = "auto") -> None:
    """Write an instrument from another survey tool's questionnaire definition."""
    from hrta.ingest.definitions import read_definition
    from hrta.instrument.writing import instrument_yaml

    with failing_on_bad_input():
        _yaml_output(output)
        _exists(file)
        with steps() as progress:
            step(progress, f"Reading {file.name}")
            converted = read_definition(file, kind)
            step(progress, f"Writing {output}")
            text = instrument_yaml(converted.instrument, header=converted.header,
                                   notes=converted.notes, origin=str(file))
            for language, overlay in converted.translations.items():
                _write_translation(output, language, overlay)
            write_text_atomic(output, text)
    questions = sum(len(s.questions) for s in converted.instrument.sections)
    say(f"Instrument: {output} ({questions} questions). Read its comments, then: "
        f"hrta analyze EXPORT --instrument {output} --json findings.json")


def _write_translation(output: Path, language: str, overlay: dict[str, object]) -> None:
    import yaml

    path = output.with_name(f"{output.stem}.{language}.yaml")
    write_text_atomic(path, yaml.safe_dump(overlay, sort_keys=False, allow_unicode=True))


TARGETS = {"xlsform": ".xlsx", "redcap": ".csv", "qsf": ".qsf"}
ToOption = Annotated[str, typer.Option(
    "--to", help="xlsform (KoboToolbox, ODK: .xlsx), redcap (Data Dictionary: .csv) or qsf.")]
ExportOutputOption = Annotated[Path, typer.Option("-o", "--output", help="The file to write.")]


def export_definition(output: ExportOutputOption, to: ToOption,
                      instrument: InstrumentOption = DEFAULT_INSTRUMENT) -> None:
    """Write the instrument as another survey tool's questionnaire definition."""
    from hrta.instrument import load

    with failing_on_bad_input():
        if to not in TARGETS:
            raise InputError(f"unknown target {to!r}: choose {', '.join(TARGETS)}")
        if to == "qsf":
            raise InputError("hrta does not write Qualtrics .qsf files: the format is not "
                             "published, so a file written from guesses could import wrongly. "
                             "Build the survey in Qualtrics from the XLSForm's sheets (see "
                             "docs/exporting.md).")
        if output.suffix.lower() != TARGETS[to]:
            raise InputError(f"name the {to} output *{TARGETS[to]}", file=str(output))
        loaded = load(instrument)
        written = _export(loaded, to, Path(instrument) if Path(instrument).is_file() else None)
        _write_bytes(output, written.body)
    for text in written.notes:
        note(text)
    say(f"{to}: {output}")


def _write_bytes(output: Path, body: bytes) -> None:
    def write(tmp: Path) -> None:
        tmp.write_bytes(body)

    write_atomic(output, write)


def _export(loaded: Instrument, to: str, beside: Path | None) -> Written:
    from hrta.exports.redcap import redcap_dictionary
    from hrta.exports.xlsform import xlsform
    from hrta.instrument.translation import available_languages, translate

    if to == "redcap":
        return redcap_dictionary(loaded)
    translations = {code: translate(loaded, code, beside=beside)
                    for code in available_languages(loaded.id, beside=beside) if code != "en"}
    return xlsform(loaded, translations)


def register(app: typer.Typer) -> None:
    """Add `draft`, `match`, `import` and `export` to `hrta instrument`."""
    app.command("draft")(draft)
    app.command("match")(match)
    app.command("import")(import_definition)
    app.command("export")(export_definition)
