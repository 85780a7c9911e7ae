"""A wave's own instrument, read from a file: hrta's instrument YAML, another survey tool's
questionnaire definition (Qualtrics .qsf, REDCap Data Dictionary, XLSForm), or a draft
made from an export's header rows.

The wave keeps the instrument as YAML text (Wave.instrument_yaml): the same text
`hrta instrument import` and `hrta instrument draft` write, so what staff download from
the web is the file the command line reads. Its other languages come along
(Wave.instrument_translations): a definition's own (a .qsf's languages, an XLSForm's
label columns), or the `<name>.<language>.yaml` files beside an instrument YAML (zipped
with it for an upload), as `hrta instrument import` writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hrta.errors import InputError
from hrta.instrument import Instrument, parse
from hrta.instrument.translation import checked_overlay, overlays_beside

YAML_SUFFIXES = (".yaml", ".yml")
DEFINITION_SUFFIXES = (".qsf", ".csv", ".xlsx", ".xls", ".json", ".zip")
# An XLSForm as CSV files: each file's part, by the word its name holds.
XLSFORM_PARTS = ("survey", "choices", "settings")
_ZIPPED_LIMIT = 64 * 1024 * 1024
DRAFT_FORMATS = ("surveymonkey", "googleforms")


@dataclass(frozen=True)
class InstrumentText:
    """An instrument and the YAML it is kept as, with its translations by language code."""

    instrument: Instrument
    yaml: str
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def questions(self) -> int:
        return sum(len(section.questions) for section in self.instrument.sections)


def from_yaml(text: str, *, name: str) -> InstrumentText:
    """Instrument YAML as staff pasted or uploaded it; InputError names `name`."""
    return InstrumentText(parse(text, origin=name), text)


def read_instrument_file(path: Path, *, name: str) -> InstrumentText:
    """An instrument YAML file, or a questionnaire definition converted to YAML. `name` is
    what messages call the file (the uploaded file's own name, not the temporary copy)."""
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError("cannot read the instrument: %(reason)s", file=name,
                             params={"reason": exc}) from None
        own = from_yaml(text, name=name)
        return InstrumentText(own.instrument, own.yaml, overlays_beside(path))
    if suffix not in DEFINITION_SUFFIXES:
        raise InputError("choose an instrument YAML file or a questionnaire definition "
                         "(Qualtrics .qsf, REDCap Data Dictionary .csv, XLSForm .xlsx)",
                         file=name)
    if suffix == ".zip":
        inner = _unzipped(path, name)
        try:
            return read_instrument_file(inner, name=name)
        except InputError as exc:  # a part other than the one read names its own file
            if exc.file and exc.file.startswith(str(inner.parent)):
                exc.file = f"{name}: {Path(exc.file).name}"
                exc.message = exc.message.replace(str(inner.parent) + "/", "")
            raise
    from hrta.ingest.definitions import read_definition
    from hrta.instrument.writing import instrument_yaml

    try:
        converted = read_definition(path)
        text = instrument_yaml(converted.instrument, header=converted.header,
                               notes=converted.notes, origin=name)
    except InputError as exc:
        raise _renamed(exc, path, name) from None
    translations = {code: checked_overlay(overlay, name=name)
                    for code, overlay in converted.translations.items()}
    return InstrumentText(converted.instrument, text, translations)


def _unzipped(path: Path, name: str) -> Path:
    """A zip of an XLSForm's survey and choices CSV files (and its settings CSV), or of one
    definition file, unpacked beside it under fixed names; the file to read."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()
                       and not Path(m.filename).name.startswith(".")
                       and "__MACOSX" not in m.filename]
            parts: dict[str, zipfile.ZipInfo] = {}
            for member in members:
                lower = Path(member.filename).name.lower()
                part = next((p for p in XLSFORM_PARTS if p in lower), None)
                if lower.endswith(".csv") and part is not None:
                    parts.setdefault(part, member)
            single = [m for m in members if Path(m.filename).suffix.lower() in
                      (".qsf", ".xlsx", ".xls", ".yaml", ".yml")]
            languages = _languages_of(members)
            if "survey" in parts:
                if "choices" not in parts:
                    raise InputError("the zip holds an XLSForm's survey CSV but no choices "
                                     "CSV: put both files in the zip", file=name)
                chosen = {f"{part}.csv": member for part, member in parts.items()}
            elif len(single) == 1 and len(members) == 1:
                chosen = {f"definition{Path(single[0].filename).suffix.lower()}": single[0]}
            elif languages is not None:
                chosen = languages
            else:
                raise InputError("a zipped definition holds an XLSForm's survey and choices "
                                 "CSV files (survey.csv, choices.csv), one definition file, or "
                                 "an instrument YAML with its translations (survey.yaml, "
                                 "survey.es.yaml)", file=name)
            if sum(m.file_size for m in chosen.values()) > _ZIPPED_LIMIT:
                raise InputError("the zipped definition is larger than 64 MiB unpacked",
                                 file=name)
            folder = path.parent / f"{path.stem}-unzipped"
            folder.mkdir()
            for target, member in chosen.items():
                (folder / target).write_bytes(archive.read(member))
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError("not a zip file hrta can open: %(reason)s", file=name,
                         params={"reason": exc}) from None
    first = "survey.csv" if "survey.csv" in chosen else next(iter(chosen))
    return folder / first


def _languages_of(members: list[Any]) -> dict[str, Any] | None:
    """An instrument YAML (`survey.yaml`) and its translations (`survey.es.yaml`), as
    `hrta instrument import` writes them, under fixed names (`definition.yaml`,
    `definition.es.yaml`); None when the members are not that."""
    yamls = {Path(m.filename).name: m for m in members
             if Path(m.filename).suffix.lower() in YAML_SUFFIXES}
    if len(yamls) != len(members):
        return None
    mains = [n for n in yamls if "." not in Path(n).stem]
    if len(mains) != 1:
        return None
    stem = Path(mains[0]).stem
    chosen = {"definition.yaml": yamls[mains[0]]}
    for file_name, member in yamls.items():
        language = Path(file_name).stem.removeprefix(f"{stem}.")
        if file_name == mains[0]:
            continue
        if not Path(file_name).stem.startswith(f"{stem}.") or not re.fullmatch(
                r"[a-z]{2,3}([-_][A-Za-z]{2,4})?", language):
            return None
        chosen[f"definition.{language}.yaml"] = member
    return chosen


def draft_from_export(path: Path, *, name: str, fmt: str = "surveymonkey") -> InstrumentText:
    """An instrument drafted from an export's header rows and answers, as
    `hrta instrument draft` writes it: to be read, edited, then used."""
    from hrta.ingest import googleforms
    from hrta.ingest.draft import draft_yaml, read_export

    if fmt not in DRAFT_FORMATS:
        raise InputError("an instrument can be drafted from a SurveyMonkey export or Google "
                         "Forms responses, not from %(format)r; for Qualtrics, REDCap or "
                         "KoboToolbox, give the survey's definition file instead", file=name,
                         params={"format": fmt})
    try:
        export = googleforms.read_export(path) if fmt == "googleforms" else read_export(path)
        text = _first_line_named(draft_yaml(export, instrument_id=_id_of(name)), path, name)
    except InputError as exc:
        raise _renamed(exc, path, name) from None
    return from_yaml(text, name=name)


def _id_of(name: str) -> str:
    """The drafted instrument's id, from the uploaded file's own name (not the copy's)."""
    stem = Path(name.split(": ")[-1]).stem.lower()
    return re.sub(r"[^a-z0-9]+", "_", stem).strip("_") or "instrument"


def _first_line_named(text: str, path: Path, name: str) -> str:
    """The draft's header says which file it was drafted from: the upload's own name."""
    first, _, rest = text.partition("\n")
    return first.replace(path.name, Path(name).name) + "\n" + rest


def _renamed(error: InputError, path: Path, name: str) -> InputError:
    """The error as the person who uploaded the file knows it: by its own name."""
    file = name if error.file in (None, str(path)) else error.file
    return error.renamed(str(path), name, file=file)
