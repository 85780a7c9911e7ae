"""Answers in: every source becomes one ResponseSet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Literal

from hrta.errors import InputError
from hrta.ingest import archive, native, surveymonkey
from hrta.ingest.mapping import Mapping, load_mapping
from hrta.ingest.tables import first_row
from hrta.instrument import Instrument
from hrta.responses import ResponseSet

Format = Literal["auto", "surveymonkey", "native", "redcap", "kobo", "qualtrics",
                 "googleforms"]
FORMATS: tuple[str, ...] = ("auto", "surveymonkey", "native", "redcap", "kobo", "qualtrics",
                             "googleforms")


def load_responses(path: Path, instrument: Instrument, *, fmt: str = "auto",
                   mapping: Path | None = None, member: str | None = None,
                   finished_only: bool = False,
                   translated: Sequence[Instrument] = ()) -> ResponseSet:
    """Read an export or a native file into a ResponseSet; raise InputError on bad input.

    A zip (SurveyMonkey's `Data_All_YYMMDD.zip` download) is read through the survey
    file inside it; `member` chooses one survey of a zip that holds several.
    `finished_only` leaves out responses a Qualtrics export marks unfinished.
    `translated` is the instrument in its other languages, whose labels a Qualtrics export
    of a multi-language survey may hold (`hrta.instrument.translation.versions_beside`).
    """
    path = Path(path)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    names = load_mapping(mapping, instrument)
    if mapping is not None:
        names = replace(names, given=str(mapping))
    if archive.is_archive(path):
        with archive.survey_file(path, member) as (inner, label):
            try:
                responses = _load(inner, instrument, fmt, names, finished_only, translated)
            except InputError as error:
                if error.file == str(inner):
                    error.file = label
                raise
        warnings = tuple(w.renamed(str(inner), label) for w in responses.warnings)
        return replace(responses, source=label, warnings=warnings)
    if member is not None:
        raise InputError(f"the survey {member!r} was named (--member), but this file is not a "
                         "zip of surveys: read it without --member", file=str(path))
    return _load(path, instrument, fmt, names, finished_only, translated)


def _load(path: Path, instrument: Instrument, fmt: str, names: Mapping,
          finished_only: bool = False, translated: Sequence[Instrument] = ()) -> ResponseSet:
    if fmt == "auto":
        fmt = _detect(path)
    if names.given and fmt != "surveymonkey":
        # Other formats name questions by id, not by their wording: a mapping would be
        # ignored, and the analyst would believe it applied.
        raise InputError(f"--mapping applies to SurveyMonkey exports, which name questions by "
                         f"their text; this file was read as {fmt}", file=names.given)
    if finished_only and fmt != "qualtrics":
        raise InputError("--finished-only applies to Qualtrics exports, which mark each "
                         "response finished or not", file=str(path))
    if fmt == "qualtrics":
        from hrta.ingest import qualtrics

        return qualtrics.read(path, instrument, finished_only=finished_only,
                              translated=translated)
    if fmt == "googleforms":
        from hrta.ingest import googleforms

        return googleforms.read(path, instrument)
    if fmt == "native":
        return native.read(path, instrument)
    if fmt in ("redcap", "kobo"):
        from hrta.ingest import kobo, redcap

        return (redcap if fmt == "redcap" else kobo).read(path, instrument)
    return surveymonkey.read(path, instrument, names)


def _detect(path: Path) -> str:
    if path.suffix.lower() == ".parquet":
        return "native"
    header = first_row(path)
    if native.is_native(header):
        return "native"
    if surveymonkey.is_surveymonkey(header):
        return "surveymonkey"
    from hrta.ingest import googleforms, qualtrics

    if qualtrics.is_qualtrics(header):
        return "qualtrics"
    if googleforms.is_googleforms(header):
        return "googleforms"
    from hrta.ingest import kobo, redcap

    if kobo.is_kobo(header):
        return "kobo"
    if redcap.is_redcap(header):
        return "redcap"
    raise InputError("this is not a survey export: row 1 starts neither with "
                     "'Respondent ID' (a SurveyMonkey export) nor with 'response_id' (hrta's "
                     "own format), so hrta cannot tell the format; export all individual "
                     "responses from SurveyMonkey, or pass --format",
                     file=str(path), row=1, column="A")

