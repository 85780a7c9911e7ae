"""Answers in: every source becomes one ResponseSet."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from hrta.errors import InputError
from hrta.ingest import native, surveymonkey
from hrta.ingest.mapping import load_mapping
from hrta.ingest.tables import first_row
from hrta.instrument import Instrument
from hrta.responses import ResponseSet

Format = Literal["auto", "surveymonkey", "native"]
FORMATS: tuple[str, ...] = ("auto", "surveymonkey", "native")


def load_responses(path: Path, instrument: Instrument, *, fmt: str = "auto",
                   mapping: Path | None = None) -> ResponseSet:
    """Read an export or a native file into a ResponseSet; raise InputError on bad input."""
    path = Path(path)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    names = load_mapping(mapping, instrument)
    if fmt == "auto":
        fmt = _detect(path)
    if fmt == "native":
        return native.read(path, instrument)
    return surveymonkey.read(path, instrument, names)


def _detect(path: Path) -> str:
    if path.suffix.lower() == ".parquet":
        return "native"
    header = first_row(path)
    if native.is_native(header):
        return "native"
    if surveymonkey.is_surveymonkey(header):
        return "surveymonkey"
    raise InputError("cannot tell the format: row 1 starts neither with 'Respondent ID' "
                     "(SurveyMonkey) nor with 'response_id' (native); pass --format",
                     file=str(path), row=1, column="A")

