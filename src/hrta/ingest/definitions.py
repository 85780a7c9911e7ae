"""Other survey tools' questionnaire definitions, read into an hrta instrument.

Each tool's reader lives in its own module and is registered in `KINDS` with a test that
recognises its files; `hrta instrument import` writes what a reader returns with
`hrta.instrument.writing.instrument_yaml`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hrta.errors import InputError
from hrta.instrument import Instrument


@dataclass(frozen=True)
class Converted:
    """A definition as an instrument, with what the analyst should read about it."""

    instrument: Instrument
    header: tuple[str, ...] = ()
    """Comment lines for the top of the file: where it came from, what was left out."""
    notes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Comments for single questions, by question id (a skip rule kept only as a note…)."""
    translations: dict[str, dict[str, object]] = field(default_factory=dict)
    """Translation overlays by language code, in the shape of the bundled translation files."""


@dataclass(frozen=True)
class Kind:
    name: str
    describes: str
    recognises: Callable[[Path], bool]
    read: Callable[[Path], Converted]


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    KINDS[kind.name] = kind


def read_definition(path: Path, kind: str = "auto") -> Converted:
    """The instrument a definition file describes; InputError when it is not one hrta reads."""
    _load_readers()
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    if kind == "auto":
        found = [k for k in KINDS.values() if k.recognises(path)]
        if not found:
            raise InputError("not a questionnaire definition hrta reads: "
                             + "; ".join(k.describes for k in KINDS.values()), file=str(path))
        return found[0].read(path)
    if kind not in KINDS:
        raise InputError(f"unknown definition kind {kind!r}; choose auto or "
                         f"{', '.join(sorted(KINDS))}")
    return KINDS[kind].read(path)


def kinds() -> list[str]:
    _load_readers()
    return sorted(KINDS)


def _load_readers() -> None:
    """Import every reader module so each registers itself; a module not written yet is
    simply absent."""
    from importlib import import_module

    for name in READER_MODULES:
        import_module(f"hrta.ingest.{name}")


# The modules that define readers; each calls `register` when imported.
READER_MODULES: tuple[str, ...] = ("qsf", "redcap_dictionary", "xlsform",)
