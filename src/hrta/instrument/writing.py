"""An instrument written back as YAML for people to read and edit: what `hrta instrument
import` writes from another tool's questionnaire definition.

Defaults are left out so the file shows only what the definition said; a note given for a
question (a skip rule hrta cannot express, a constraint, a choice the analyst must make)
is written as a comment above it. The text is loaded back before it is returned, so a file
this writes always loads.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import yaml

from hrta.errors import InputError
from hrta.instrument.loader import parse
from hrta.instrument.schema import Instrument

WIDTH = 94


def instrument_yaml(instrument: Instrument, *, header: Sequence[str] = (),
                    notes: Mapping[str, Sequence[str]] | None = None, origin: str) -> str:
    """The instrument as YAML: `header` comment lines first, `notes[question_id]` as
    comments above each question. Raises InputError naming `origin` if it would not load."""
    data = instrument.model_dump(mode="json", exclude_defaults=True)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=WIDTH,
                          default_flow_style=False)
    lines = [line for note in header for line in _comment("", note)]
    question_pad: str | None = None
    for line in text.splitlines():
        pad = line[: len(line) - len(line.lstrip())]
        if line.strip() == "questions:":
            # PyYAML writes a block list at its key's indent: questions sit at this pad, an
            # option or statement with the same id deeper.
            question_pad = pad
        qid = _question_id(line) if pad == question_pad else None
        if qid is not None and notes and qid in notes:
            lines += [c for note in notes[qid] for c in _comment(pad, note)]
        lines.append(line)
    written = "\n".join(lines) + "\n"
    try:
        parse(written, origin=origin)
    except InputError as exc:  # a conversion fault: say what broke, for a bug report
        raise InputError(f"the converted instrument does not load ({exc.message})",
                         file=origin) from exc
    return written


def _question_id(line: str) -> str | None:
    """The id of a question entry line ('    - id: q1' inside `questions:`), else None."""
    stripped = line.lstrip()
    if not stripped.startswith("- id: "):
        return None
    return str(yaml.safe_load(stripped[len("- id: "):]))


def _comment(pad: str, text: str) -> list[str]:
    return textwrap.wrap(text, width=WIDTH, initial_indent=f"{pad}# ",
                         subsequent_indent=f"{pad}#   ", break_on_hyphens=False) or [f"{pad}#"]
