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
    absent:                     # per question: options or statements the survey did not ask
      services_direct: [other]

An export must hold every column of each question it holds (every option of a select-all
question, every statement of a grid, the "Other" text box), or a missing option would be
counted as chosen by nobody. `absent` says a column is missing on purpose: the option or
statement was not asked, and the Findings say so instead of showing 0%.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hrta.errors import InputError
from hrta.ingest.labels import normalize
from hrta.instrument import Instrument, Question
from hrta.yamlfiles import load_yaml

IGNORE = "ignore"


@dataclass(frozen=True)
class Mapping:
    questions: dict[str, str] = field(default_factory=dict)
    options: dict[str, dict[str, str]] = field(default_factory=dict)
    statements: dict[str, dict[str, str]] = field(default_factory=dict)
    """All keys are normalized labels."""
    absent: dict[str, frozenset[str]] = field(default_factory=dict)
    """Question id -> ids of the options or statements whose columns were not asked."""
    given: str | None = None
    """The mapping file's name, when one was given."""


def load_mapping(path: Path | None, instrument: Instrument) -> Mapping:
    if path is None:
        return Mapping()
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the mapping file: {exc}", file=name) from exc
    raw = load_yaml(text, origin=name) or {}
    if not isinstance(raw, dict) or set(raw) - {"questions", "options", "statements", "absent"}:
        raise InputError("a mapping file holds only 'questions', 'options', 'statements' and "
                         "'absent'", file=name)
    questions: dict[str, str] = {}
    for asked, qid in _block(raw.get("questions"), "questions", name).items():
        target = IGNORE if qid == IGNORE else _known_question(instrument, qid, name).id
        questions[normalize(str(asked))] = target
    options: dict[str, dict[str, str]] = {}
    for qid, labels in _block(raw.get("options"), "options", name).items():
        question = _known_question(instrument, qid, name)
        for label, option_id in _block(labels, f"options: {qid}", name).items():
            if not isinstance(option_id, str) or option_id not in question.option_ids:
                raise InputError(f"question {qid!r} has no option {option_id!r}", file=name)
            options.setdefault(question.id, {})[normalize(str(label))] = option_id
    statements: dict[str, dict[str, str]] = {}
    for qid, texts in _block(raw.get("statements"), "statements", name).items():
        question = _known_question(instrument, qid, name)
        known = {s.id for s in question.statements}
        for worded, statement_id in _block(texts, f"statements: {qid}", name).items():
            if not isinstance(statement_id, str) or statement_id not in known:
                raise InputError(f"question {qid!r} has no statement {statement_id!r}", file=name)
            statements.setdefault(question.id, {})[normalize(str(worded))] = statement_id
    absent = {question.id: ids for question, ids in
              (_absent(instrument, qid, ids, name)
               for qid, ids in _block(raw.get("absent"), "absent", name).items())}
    return Mapping(questions, options, statements, absent)


def _absent(instrument: Instrument, qid: object, ids: object,
            file: str) -> tuple[Question, frozenset[str]]:
    """A question's options or statements that the export has no column for, on purpose."""
    question = _known_question(instrument, qid, file)
    if isinstance(ids, str):
        ids = [ids]
    if not isinstance(ids, list) or not ids:
        raise InputError(f"'absent: {question.id}' must list option or statement ids, e.g. "
                         "[other]", file=file)
    if question.type == "matrix":
        known = tuple(s.id for s in question.statements)
    elif question.type == "single":
        # A single choice's options share its Response column; only an "Other" box has a
        # column of its own.
        known = tuple(o.id for o in question.options if o.other)
    else:
        known = question.option_ids if question.type == "multi" else ()
    for item in ids:
        if str(item) not in known:
            what = "statements" if question.type == "matrix" else "columns to leave out"
            raise InputError(f"'absent: {question.id}': {item!r} is not one of its {what}: "
                             f"{', '.join(known) or 'none'}", file=file)
    return question, frozenset(str(item) for item in ids)


def _block(value: object, where: str, file: str) -> dict[object, object]:
    """One block of the file: a mapping of texts (or question ids) to ids, or nothing."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        kind = "a list" if isinstance(value, list) else f"the value {value!r}"
        raise InputError(f"'{where}' must map each text to an id, one 'text: id' a line, "
                         f"not {kind}", file=file)
    return value


def _known_question(instrument: Instrument, qid: object, file: str) -> Question:
    try:
        return instrument.question(str(qid))
    except KeyError:
        raise InputError(f"the instrument has no question {qid!r}", file=file) from None
