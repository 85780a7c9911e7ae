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
    from hrta.yamlfiles import load_yaml  # PyYAML only for a mapping file

    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("cannot read the mapping file: %(reason)s", file=name,
                         params={"reason": str(exc)}) from exc
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
                raise InputError("question %(question)r has no option %(option)r", file=name,
                                 params={"question": qid, "option": option_id})
            options.setdefault(question.id, {})[normalize(str(label))] = option_id
    statements: dict[str, dict[str, str]] = {}
    for qid, texts in _block(raw.get("statements"), "statements", name).items():
        question = _known_question(instrument, qid, name)
        known = {s.id for s in question.statements}
        for worded, statement_id in _block(texts, f"statements: {qid}", name).items():
            if not isinstance(statement_id, str) or statement_id not in known:
                raise InputError("question %(question)r has no statement %(statement)r",
                                 file=name,
                                 params={"question": qid, "statement": statement_id})
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
        raise InputError("'absent: %(question)s' must list option or statement ids, e.g. "
                         "[other]", file=file, params={"question": question.id})
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
            raise InputError(_NOT_ABSENT[question.type == "matrix", bool(known)], file=file,
                             params={"question": question.id, "item": item,
                                     "known": ", ".join(known)})
    return question, frozenset(str(item) for item in ids)


# Keyed by (a matrix's statements?, any known at all?): each a whole message to translate.
_NOT_ABSENT = {
    (True, True): "'absent: %(question)s': %(item)r is not one of its statements: %(known)s",
    (True, False): "'absent: %(question)s': %(item)r is not one of its statements: none",
    (False, True): "'absent: %(question)s': %(item)r is not one of its columns to leave out: "
                   "%(known)s",
    (False, False): "'absent: %(question)s': %(item)r is not one of its columns to leave "
                    "out: none",
}


def _block(value: object, where: str, file: str) -> dict[object, object]:
    """One block of the file: a mapping of texts (or question ids) to ids, or nothing."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        if isinstance(value, list):
            raise InputError("'%(where)s' must map each text to an id, one 'text: id' a line, "
                             "not a list", file=file, params={"where": where})
        raise InputError("'%(where)s' must map each text to an id, one 'text: id' a line, "
                         "not the value %(value)r", file=file,
                         params={"where": where, "value": value})
    return value


def _known_question(instrument: Instrument, qid: object, file: str) -> Question:
    try:
        return instrument.question(str(qid))
    except KeyError:
        raise InputError("the instrument has no question %(question)r", file=file,
                         params={"question": qid}) from None
