"""A Qualtrics survey file (`.qsf`, Survey → Tools → Import/Export → Export Survey) read
into an hrta instrument.

The file is JSON: `SurveyEntry` names the survey, `SurveyElements` holds its parts. An
element `SQ` is a question (`Payload`: `QuestionType`, `Selector`, `SubSelector`,
`Choices`, `ChoiceOrder`, `Answers` for a matrix's scale, `RecodeValues`, `DataExportTag`
(the export's column id), `DisplayLogic`); `BL` lists the blocks and their questions;
`FL` is the survey flow, which orders the blocks.

What hrta makes of them, so that an export reads back against the instrument:
- a question's id is its data export tag as an id (`Q1` → `q1`);
- multiple choice (single or multiple answer) → `single` / `multi`, each option carrying its
  recode value as `code` (what a numeric-values export writes), a choice with a text entry
  box → an "Other" option;
- a matrix with one answer per statement → `matrix`, statement ids from the statements'
  export tags (or the choice ids), scale points with their recode values; a matrix with
  several answers per statement → one `multi` question per statement (`q4_1`, ...);
- text entry → `text` (a form of several fields → one `text` question per field);
- display logic "shown if Qx is Selected: a or b" → `show_if`; any other logic is kept as
  a comment above the question;
- blocks → sections, in the flow's order; descriptive text and the trash block are left out;
- a question's `Language` block (a translated survey: {"ES": {"QuestionText", "Choices",
  "Answers"}}) → a translation overlay per language (`instrument.es.yaml` beside the
  instrument), in the shape of hrta's own translation files. The overlays also let a
  choice-text export of a multi-language survey be read whatever language each respondent
  answered in.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from hrta.errors import InputError
from hrta.ingest.definitions import Converted, Kind, register
from hrta.ingest.ids import unique
from hrta.ingest.labels import clean_header
from hrta.instrument.schema import (
    Condition,
    Instrument,
    Option,
    Question,
    Section,
    Statement,
)

_SIZE_LIMIT = 64 * 1024 * 1024
_TAG = re.compile(r"<[^>]{0,500}>")
_CHOICE_LOCATOR = re.compile(r"^q://(QID\d+)/(?:SelectableChoice|ChoiceTextEntryValue)/(\d+)$")
_NO_CHOICES = "it has no choices"
_NO_ANSWERS = "its scale has no answers"
_NO_STATEMENTS = "it has no statements"
# Why a question does not convert, each a whole message so that it reads in Spanish on the
# web (src/hrta/locale); another reason (pydantic's, English) fills the last.
_DOES_NOT_CONVERT = {
    _NO_CHOICES: "question %(tag)s (%(qid)s) does not convert: it has no choices",
    _NO_ANSWERS: "question %(tag)s (%(qid)s) does not convert: its scale has no answers",
    _NO_STATEMENTS: "question %(tag)s (%(qid)s) does not convert: it has no statements",
}
_DOES_NOT_CONVERT_BECAUSE = "question %(tag)s (%(qid)s) does not convert: %(reason)s"


def recognises(path: Path) -> bool:
    if path.suffix.lower() != ".qsf":
        try:
            with path.open("rb") as handle:
                head = handle.read(4096)
        except OSError:
            return False
        return head.lstrip().startswith(b"{") and b'"SurveyEntry"' in head
    return True


def read(path: Path) -> Converted:
    """The instrument a .qsf file describes; InputError naming the file and element if not."""
    survey = _load(path)
    return _Converter(str(path), survey).convert()


def survey_id(path: Path) -> str:
    """The survey's Qualtrics id (SV_...), to tell surveys apart."""
    entry = _load(path).get("SurveyEntry") or {}
    return str(entry.get("SurveyID") or "")


def _load(path: Path) -> dict[str, Any]:
    name = str(path)
    try:
        if path.stat().st_size > _SIZE_LIMIT:
            raise InputError("the survey file is larger than 64 MiB: not a .qsf hrta reads",
                             file=name)
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError("cannot read file: %(reason)s", file=name,
                         params={"reason": exc.strerror or str(exc)}) from exc
    try:
        survey = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError("a .qsf file is UTF-8 JSON; this one is not UTF-8", file=name) from exc
    except json.JSONDecodeError as exc:
        raise InputError("not valid JSON: %(reason)s", file=name, row=exc.lineno,
                         column=str(exc.colno), params={"reason": exc.msg}) from exc
    if not isinstance(survey, dict) or not isinstance(survey.get("SurveyElements"), list):
        raise InputError("not a Qualtrics survey file: it has no 'SurveyElements' list "
                         "(export it with Tools → Import/Export → Export Survey)", file=name)
    return survey


def text_of(html: object) -> str:
    """A question or choice text without its HTML, as the export's header row shows it."""
    text = str(html or "")
    if "<" in text or "&" in text:
        text = clean_header(_TAG.sub(" ", text))
    return re.sub(r"\s+", " ", text).strip()


def as_id(text: str) -> str:
    """An export tag as an hrta id: lower case, other characters as `_`."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    ident = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")
    return ident or "q"


def _slug(text: str, words: int = 4) -> str:
    tokens = re.findall(r"[a-z0-9]+", as_id(text.replace("'", "").replace("\u2019", ""))
                        .replace("_", " "))
    return "_".join(tokens[:words])[:40].strip("_") or "option"


@dataclass
class _Converter:
    file: str
    survey: dict[str, Any]
    header: list[str] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)
    # QID -> the converted question(s) and, per choice id, the option id.
    by_qid: dict[str, list[Question]] = field(default_factory=dict)
    choice_ids: dict[str, dict[str, str]] = field(default_factory=dict)
    # QID -> matrix answer id -> scale point id, and choice id -> statement id.
    answer_ids: dict[str, dict[str, str]] = field(default_factory=dict)
    statement_ids: dict[str, dict[str, str]] = field(default_factory=dict)
    # Question id -> the choice it was made from (a multi-answer matrix's statement, a
    # form's field): its translation is "question - that choice".
    made_from: dict[str, str] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)
    _sections: set[str] = field(default_factory=set)

    def convert(self) -> Converted:
        entry = self.survey.get("SurveyEntry") or {}
        name = str(entry.get("SurveyName") or Path(self.file).stem)
        elements = [e for e in self.survey["SurveyElements"] if isinstance(e, dict)]
        questions = {str(e.get("PrimaryAttribute")): e.get("Payload") or {}
                     for e in elements if e.get("Element") == "SQ"}
        if not questions:
            raise InputError("the survey file holds no questions (no 'SQ' elements)",
                             file=self.file)
        sections: list[Section] = []
        skipped: list[str] = []
        placed: set[str] = set()
        for block_id, title, qids in self._blocks(elements, questions):
            converted: list[Question] = []
            for qid in qids:
                placed.add(qid)
                payload = questions.get(qid)
                if not isinstance(payload, dict):
                    continue
                made = self._question(qid, payload, skipped)
                converted += made
            if converted:
                sections.append(Section(id=unique(_slug(title or block_id), self._sections),
                                        title=title or "Questions", questions=tuple(converted)))
        unplaced = [qid for qid in questions if qid not in placed]
        if unplaced and not sections:
            made = [q for qid in unplaced for q in self._question(qid, questions[qid], skipped)]
            if made:
                sections.append(Section(id="questions", title="Questions", questions=tuple(made)))
        if not sections:
            raise InputError("the survey has no question hrta reads (multiple choice, matrix "
                             "or text entry)", file=self.file)
        self.header = [
            f"Imported from the Qualtrics survey file {Path(self.file).name} "
            f"({entry.get('SurveyID') or 'no survey id'}): question ids are the data export "
            "tags, option codes the recode values a numeric export writes.",
        ]
        if skipped:
            self.header.append("Not read (hrta has no question of their kind, and their "
                               "columns in an export are ignored): " + "; ".join(skipped) + ".")
        try:
            instrument = Instrument(id=_instrument_id(name), version="1", title=name,
                                    sections=tuple(sections))
        except ValidationError as exc:
            raise InputError("the survey does not make a valid instrument: %(reason)s",
                             file=self.file, params={"reason": str(exc)}) from exc
        instrument = self._with_logic(instrument, questions)
        base = str(entry.get("SurveyLanguage") or "EN")
        return Converted(instrument, tuple(self.header),
                         {k: tuple(v) for k, v in self.notes.items()},
                         self._translations(questions, base))

    # -- blocks and flow ----------------------------------------------------------------

    def _blocks(self, elements: list[dict[str, Any]],
                questions: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
        """(block id, title, question ids) in the flow's order, without the trash."""
        payload = next((e.get("Payload") for e in elements if e.get("Element") == "BL"), None)
        raw = list(payload.values()) if isinstance(payload, dict) else payload or []
        blocks: dict[str, tuple[str, list[str]]] = {}
        for block in raw:
            if not isinstance(block, dict) or block.get("Type") == "Trash":
                continue
            qids = [str(item.get("QuestionID")) for item in block.get("BlockElements") or []
                    if isinstance(item, dict) and item.get("Type") == "Question"]
            blocks[str(block.get("ID"))] = (text_of(block.get("Description")), qids)
        if not blocks:
            return [("questions", "Questions", list(questions))]
        order = [b for b in self._flow_blocks(elements) if b in blocks]
        order += [b for b in blocks if b not in order]
        return [(b, blocks[b][0], blocks[b][1]) for b in dict.fromkeys(order)]

    def _flow_blocks(self, elements: list[dict[str, Any]]) -> list[str]:
        flow = next((e.get("Payload") for e in elements if e.get("Element") == "FL"), None)
        found: list[str] = []

        def walk(node: object) -> None:
            if isinstance(node, dict):
                if node.get("Type") in ("Block", "Standard", "Default") and node.get("ID"):
                    found.append(str(node["ID"]))
                for child in node.get("Flow") or []:
                    walk(child)
            elif isinstance(node, list):
                for child in node:
                    walk(child)

        walk(flow)
        return found

    # -- questions ------------------------------------------------------------------------

    def _question(self, qid: str, payload: dict[str, Any], skipped: list[str]) -> list[Question]:
        kind = payload.get("QuestionType")
        selector = payload.get("Selector")
        sub = payload.get("SubSelector")
        tag = str(payload.get("DataExportTag") or qid)
        text = text_of(payload.get("QuestionText")) or tag
        required = _forced(payload)
        try:
            if kind == "DB":
                return []
            if kind == "MC" and selector in ("SAVR", "SAHR", "SACOL", "DL", "SB", "NPS"):
                made = [self._choice(qid, tag, text, payload, "single", required)]
            elif kind == "MC" and selector in ("MAVR", "MAHR", "MACOL", "MSB"):
                made = [self._choice(qid, tag, text, payload, "multi", required)]
            elif kind == "Matrix" and selector in ("Likert", "Bipolar") \
                    and sub in ("SingleAnswer", "DL", "DND"):
                made = [self._matrix(qid, tag, text, payload, required)]
            elif kind == "Matrix" and selector == "Likert" and sub == "MultipleAnswer":
                made = self._matrix_multi(qid, tag, text, payload)
            elif kind == "TE" and selector == "FORM":
                made = self._form(tag, text, payload)
            elif kind == "TE":
                made = [Question(id=self._qid(tag), type="text", text=text, required=required)]
            else:
                skipped.append(f"{tag} ({kind} {selector})")
                return []
        except (ValidationError, ValueError) as exc:
            # A reason of hrta's own is a whole template; pydantic's is English.
            raise InputError(_DOES_NOT_CONVERT.get(str(exc), _DOES_NOT_CONVERT_BECAUSE),
                             file=self.file,
                             params={"tag": tag, "qid": qid, "reason": str(exc)}) from exc
        self.by_qid[qid] = made
        return made

    def _qid(self, tag: str) -> str:
        return unique(as_id(tag), self.taken)

    def _choice(self, qid: str, tag: str, text: str, payload: dict[str, Any],
                kind: Literal["single", "multi"], required: bool) -> Question:
        choices = _mapping(payload.get("Choices"))
        recodes = _mapping(payload.get("RecodeValues"))
        naming = _mapping(payload.get("VariableNaming"))
        taken: set[str] = set()
        options: list[Option] = []
        ids: dict[str, str] = {}
        for choice in _order(payload.get("ChoiceOrder"), choices):
            data = choices[choice] if isinstance(choices.get(choice), dict) else {}
            label = text_of(data.get("Display")) or f"Choice {choice}"
            name = str(naming.get(choice) or "")
            other = _true(data.get("TextEntry"))
            wanted = as_id(name) if name and as_id(name) == name else (
                "other" if other else _slug(label))
            option_id = unique(wanted, taken)
            ids[choice] = option_id
            options.append(Option(id=option_id, label=label, other=other,
                                  code=str(recodes.get(choice, choice))))
        if not options:
            raise ValueError(_NO_CHOICES)
        self.choice_ids[qid] = ids
        return Question(id=self._qid(tag), type=kind, text=text, required=required,
                        options=tuple(options))

    def _scale(self, payload: dict[str, Any], qid: str) -> tuple[Option, ...]:
        answers = _mapping(payload.get("Answers"))
        recodes = _mapping(payload.get("RecodeValues"))
        taken: set[str] = set()
        points = []
        ids = self.answer_ids.setdefault(qid, {})
        for answer in _order(payload.get("AnswerOrder"), answers):
            data = answers[answer] if isinstance(answers.get(answer), dict) else {}
            label = text_of(data.get("Display")) or f"Answer {answer}"
            ids[answer] = unique(_slug(label), taken)
            points.append(Option(id=ids[answer], label=label,
                                 code=str(recodes.get(answer, answer))))
        if not points:
            raise ValueError(_NO_ANSWERS)
        return tuple(points)

    def _statements(self, payload: dict[str, Any], qid: str) -> list[tuple[str, Statement]]:
        choices = _mapping(payload.get("Choices"))
        tags = _mapping(payload.get("ChoiceDataExportTags"))
        taken: set[str] = set()
        statements = []
        for choice in _order(payload.get("ChoiceOrder"), choices):
            data = choices[choice] if isinstance(choices.get(choice), dict) else {}
            label = text_of(data.get("Display")) or f"Statement {choice}"
            statement_id = unique(as_id(str(tags[choice])) if tags.get(choice) else
                                   as_id(choice), taken)
            statements.append((choice, Statement(id=statement_id, text=label)))
        self.statement_ids[qid] = {choice: s.id for choice, s in statements}
        if not statements:
            raise ValueError(_NO_STATEMENTS)
        return statements

    def _matrix(self, qid: str, tag: str, text: str, payload: dict[str, Any],
                required: bool) -> Question:
        statements = self._statements(payload, qid)
        return Question(id=self._qid(tag), type="matrix", text=text, required=required,
                        options=self._scale(payload, qid),
                        statements=tuple(s for _, s in statements))

    def _matrix_multi(self, qid: str, tag: str, text: str,
                      payload: dict[str, Any]) -> list[Question]:
        """Several answers per statement: hrta's matrix takes one, so each statement is a
        select-all question of its own, with the export's column id `TAG_STATEMENT`."""
        points = self._scale(payload, qid)
        made = []
        for choice, statement in self._statements(payload, qid):
            question = Question(id=self._qid(f"{tag}_{statement.id}"), type="multi",
                                text=f"{text} - {statement.text}", options=points)
            self.made_from[question.id] = choice
            self.notes[question.id] = [f"One statement of the matrix {tag}, which takes "
                                       "several answers per statement."]
            made.append(question)
        return made

    def _form(self, tag: str, text: str, payload: dict[str, Any]) -> list[Question]:
        choices = _mapping(payload.get("Choices"))
        made = []
        for choice in _order(payload.get("ChoiceOrder"), choices):
            data = choices[choice] if isinstance(choices.get(choice), dict) else {}
            label = text_of(data.get("Display")) or choice
            made.append(Question(id=self._qid(f"{tag}_{choice}"), type="text",
                                 text=f"{text} - {label}", pii=_looks_personal(label)))
            self.made_from[made[-1].id] = choice
        return made

    # -- translations -----------------------------------------------------------------------

    def _translations(self, questions: dict[str, Any], base: str
                      ) -> dict[str, dict[str, object]]:
        """Each language's overlay: question texts, option labels, statements and scale
        points, by hrta id. Qualtrics codes (`ES`, `ES-ES`, `PT-BR`) become hrta's base
        codes (`es`, `pt`); the survey's own language is the instrument itself."""
        overlays: dict[str, dict[str, dict[str, object]]] = {}
        own = _language(base)
        for qid, made in self.by_qid.items():
            languages = questions[qid].get("Language")
            if not isinstance(languages, dict):
                continue  # `[]`: not translated
            for raw_code, texts in languages.items():
                code = _language(str(raw_code))
                if code == own or not code or not isinstance(texts, dict):
                    continue
                entries = overlays.setdefault(code, {})
                for question, entry in self._translated(qid, made, texts).items():
                    entries.setdefault(question, entry)
        return {code: {"questions": entries} for code, entries in overlays.items() if entries}

    def _translated(self, qid: str, made: list[Question], texts: dict[str, Any]
                    ) -> dict[str, dict[str, object]]:
        text = text_of(texts.get("QuestionText"))
        choices = {str(k): text_of(v.get("Display")) for k, v in
                   _mapping(texts.get("Choices")).items() if isinstance(v, dict)}
        answers = {str(k): text_of(v.get("Display")) for k, v in
                   _mapping(texts.get("Answers")).items() if isinstance(v, dict)}
        points = {self.answer_ids.get(qid, {}).get(k): label for k, label in answers.items()}
        points = {k: v for k, v in points.items() if k and v}
        rows = {self.statement_ids.get(qid, {}).get(k): label for k, label in choices.items()}
        rows = {k: v for k, v in rows.items() if k and v}
        options = {self.choice_ids.get(qid, {}).get(k): label for k, label in choices.items()}
        options = {k: v for k, v in options.items() if k and v}
        entries: dict[str, dict[str, object]] = {}
        for question in made:
            entry: dict[str, object] = {}
            if question.type == "matrix":
                entry = {"options": points, "statements": rows}
            elif question.id in self.made_from:
                part = choices.get(self.made_from[question.id])
                entry = {"options": points} if question.type == "multi" else {}
                if text and part:
                    entry["text"] = f"{text} - {part}"
                else:
                    entry["text"] = ""  # half a translation reads worse than none
            elif question.type in ("single", "multi"):
                entry = {"options": options}
            if text and "text" not in entry:
                entry["text"] = text
            entry = {k: v for k, v in entry.items() if v}
            if entry:
                entries[question.id] = entry
        return entries

    # -- display logic ----------------------------------------------------------------------

    def _with_logic(self, instrument: Instrument, questions: dict[str, Any]) -> Instrument:
        rules: dict[str, Condition] = {}
        order = [q.id for q in instrument.questions]
        for qid, made in self.by_qid.items():
            logic = questions[qid].get("DisplayLogic")
            if not made or not isinstance(logic, dict):
                continue
            condition, why = self._condition(logic)
            for question in made:
                if condition is not None and order.index(condition.question) < \
                        order.index(question.id):
                    rules[question.id] = condition
                else:
                    reason = why or "it names a later question"
                    self.notes.setdefault(question.id, []).append(
                        f"Display logic not kept as show_if ({reason}): "
                        f"{_describe(logic)}")
        if not rules:
            return instrument
        sections = tuple(section.model_copy(update={"questions": tuple(
            q.model_copy(update={"show_if": rules.get(q.id)}) if q.id in rules else q
            for q in section.questions)}) for section in instrument.sections)
        return Instrument.model_validate({**instrument.model_dump(), "sections": [
            s.model_dump() for s in sections]})

    def _condition(self, logic: dict[str, Any]) -> tuple[Condition | None, str]:
        """`show_if` for logic "Qx Selected a Or Qx Selected b", else (None, why)."""
        groups = [g for k, g in logic.items() if k.isdigit() and isinstance(g, dict)]
        if len(groups) != 1:
            return None, "it combines several condition sets"
        expressions = [e for k, e in sorted(groups[0].items(), key=lambda kv: int(kv[0])
                                            if kv[0].isdigit() else -1)
                       if k.isdigit() and isinstance(e, dict)]
        source: str | None = None
        chosen: list[str] = []
        for number, expression in enumerate(expressions):
            joined = expression.get("Conjuction") or expression.get("Conjunction")
            if number and joined != "Or":
                return None, "its conditions are joined with And"
            if expression.get("LogicType") != "Question" or \
                    expression.get("Operator") != "Selected":
                return None, "only 'is Selected' conditions map"
            match = _CHOICE_LOCATOR.match(str(expression.get("LeftOperand")
                                              or expression.get("ChoiceLocator") or ""))
            if match is None or (source is not None and match.group(1) != source):
                return None, "it names more than one question"
            source = match.group(1)
            option = self.choice_ids.get(source, {}).get(match.group(2))
            if option is None:
                return None, "it names a choice hrta did not read"
            chosen.append(option)
        made = self.by_qid.get(source or "")
        if source is None or not made or len(made) != 1:
            return None, "it names a question hrta did not read"
        return Condition(question=made[0].id, any_of=tuple(dict.fromkeys(chosen))), ""


def _language(code: str) -> str:
    """A Qualtrics language code as the base code of hrta's translation files."""
    return re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]


def _instrument_id(name: str) -> str:
    ident = as_id(name)[:60].strip("_")
    return ident if ident[:1].isalpha() else f"survey_{ident}"


def _mapping(value: object) -> dict[str, Any]:
    """A qsf dict keyed by choice id; an empty one is written as `[]`."""
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, list):
        return {str(i + 1): v for i, v in enumerate(value) if v is not None}
    return {}


def _order(order: object, choices: dict[str, Any]) -> list[str]:
    listed = [str(c) for c in order] if isinstance(order, list) else []
    return [c for c in dict.fromkeys(listed + list(choices)) if c in choices]


def _true(value: object) -> bool:
    return value is True or str(value).lower() in ("true", "on", "1")


def _forced(payload: dict[str, Any]) -> bool:
    settings = ((payload.get("Validation") or {}).get("Settings") or {})
    return str(settings.get("ForceResponse", "")).upper() == "ON"


_PERSONAL = re.compile(r"\b(name|e-?mail|phone|address|zip|postal)\b", re.IGNORECASE)


def _looks_personal(label: str) -> bool:
    return bool(_PERSONAL.search(label))


def _describe(logic: dict[str, Any]) -> str:
    parts: list[str] = []
    for key, group in logic.items():
        if not (key.isdigit() and isinstance(group, dict)):
            continue
        for ekey, expression in group.items():
            if ekey.isdigit() and isinstance(expression, dict):
                joined = expression.get("Conjuction") or expression.get("Conjunction")
                text = text_of(expression.get("Description")) or str(
                    expression.get("LeftOperand") or "")
                if joined and parts and not text.lower().startswith(joined.lower()):
                    text = f"{joined.lower()} {text}"
                parts.append(text)
    return " ".join(parts) or json.dumps(logic)[:200]


register(Kind("qualtrics", "a Qualtrics survey file (.qsf)", recognises, read))
