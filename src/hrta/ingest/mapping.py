"""An optional mapping file for exports whose wording differs from the instrument.

YAML, every part optional:

    questions:                  # header text in the export -> question id, or "ignore"
      "Which services do you offer?": services_direct
    options:                    # per question: label in the export -> option id
      services_direct:
        "Peer support": peer_support
    statements:                 # per matrix question: statement text -> statement id
      fb_organizational:
        "Leadership supports harm reduction": leadership_support
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from hrta.errors import InputError
from hrta.ingest.labels import normalize
from hrta.instrument import Instrument

IGNORE = "ignore"


@dataclass(frozen=True)
class Mapping:
    questions: dict[str, str] = field(default_factory=dict)
    options: dict[str, dict[str, str]] = field(default_factory=dict)
    statements: dict[str, dict[str, str]] = field(default_factory=dict)
    """All keys are normalized labels."""


def load_mapping(path: Path | None, instrument: Instrument) -> Mapping:
    if path is None:
        return Mapping()
    name = str(path)
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read the mapping file: {exc}", file=name) from exc
    if not isinstance(raw, dict) or set(raw) - {"questions", "options", "statements"}:
        raise InputError("a mapping file holds only 'questions', 'options' and 'statements'",
                         file=name)
    questions = {}
    for text, qid in (raw.get("questions") or {}).items():
        if qid != IGNORE:
            _known_question(instrument, qid, name)
        questions[normalize(str(text))] = qid
    options: dict[str, dict[str, str]] = {}
    for qid, labels in (raw.get("options") or {}).items():
        question = _known_question(instrument, qid, name)
        for label, option_id in (labels or {}).items():
            if option_id not in question.option_ids:
                raise InputError(f"question {qid!r} has no option {option_id!r}", file=name)
            options.setdefault(qid, {})[normalize(str(label))] = option_id
    statements: dict[str, dict[str, str]] = {}
    for qid, texts in (raw.get("statements") or {}).items():
        question = _known_question(instrument, qid, name)
        known = {s.id for s in question.statements}
        for text, statement_id in (texts or {}).items():
            if statement_id not in known:
                raise InputError(f"question {qid!r} has no statement {statement_id!r}", file=name)
            statements.setdefault(qid, {})[normalize(str(text))] = statement_id
    return Mapping(questions, options, statements)


def _known_question(instrument: Instrument, qid: object, file: str):
    try:
        return instrument.question(str(qid))
    except KeyError:
        raise InputError(f"the instrument has no question {qid!r}", file=file) from None
