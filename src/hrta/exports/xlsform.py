"""The instrument as an XLSForm (KoboToolbox, ODK): an `.xlsx` with `survey`, `choices` and
`settings` sheets, read back by `hrta.ingest.xlsform`.

Each section is a group; a single choice is `select_one`, a select-all question
`select_multiple` (with `count-selected(.) <= N` as its constraint where hrta limits the
choices), an open-ended question `text`, and a matrix a `table-list` group of `select_one`
questions sharing one choice list, one per statement (`MATRIX_STATEMENT`). Skip logic is
the `relevant` column; an "Other (please specify)" option is an ordinary choice followed by
a text question `QUESTION_OPTION` shown when it is chosen (the form XLSForm recommends when
a form has translations). Every language of the instrument is a `label::Language (code)`
column. Contact details carry `yes` in a `pii` column, which converters ignore and
`hrta.ingest.xlsform` reads. What XLSForm cannot say is listed in `notes` and said on the
command line.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hrta.instrument import Instrument, Question

if TYPE_CHECKING:
    from openpyxl import Workbook

LANGUAGE_NAMES = {"en": "English", "es": "Español", "fr": "Français", "pt": "Português",
                  "zh": "中文", "vi": "Tiếng Việt"}
SURVEY_COLUMNS = ("type", "name", "label", "hint", "required", "relevant", "constraint",
                  "constraint_message", "appearance", "pii")
LANGUAGE_KEYS = ("label", "hint", "constraint_message")
CHOOSE_UP_TO = {"en": "Choose up to {}.", "es": "Elija hasta {}."}
LabelFn = Callable[[dict[str, str], str, list[str | None]], dict[str, str]]
"""Adds one `KEY::Language (code)` cell per language to a row."""


@dataclass(frozen=True)
class Written:
    """A questionnaire file, and what the target could not say as hrta does."""

    body: bytes
    notes: tuple[str, ...]
    names: dict[str, str] = field(default_factory=dict)
    """hrta id -> the name the file gives it, where the target renames."""


def reporting_notes(instrument: Instrument) -> list[str]:
    """What only hrta's report uses, which no survey tool's questionnaire holds: said once,
    naming what the instrument has."""
    options = [o for q in instrument.questions for o in q.options]
    kept = [what for what, present in (
        ("short titles", any(q.short for q in instrument.questions)),
        ("nets", any(q.nets for q in instrument.questions) or any(o.net for o in options)),
        ("program approaches", bool(instrument.program_approaches)
         or any(o.approach or o.core for o in options)),
        ("option groups", any(o.group for o in options)),
        ("regions", any(o.region for o in options)),
        ("report layout", instrument.report is not None)) if present]
    if not kept:
        return []
    listed = ", ".join(kept[:-1]) + f" and {kept[-1]}" if len(kept) > 1 else kept[0]
    return [f"The {listed} are hrta's way of reporting and stay in the instrument "
            "file: analyse the export with this instrument (--instrument) to report as "
            "before."]


def language_column(code: str) -> str:
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"


def relevant(question: Question, types: Mapping[str, str]) -> str:
    """The XLSForm `relevant` of a question's skip logic ('' when it has none)."""
    rule = question.show_if
    if rule is None:
        return ""
    if types[rule.question] == "multi":
        return " or ".join(f"selected(${{{rule.question}}}, '{o}')" for o in rule.any_of)
    return " or ".join(f"${{{rule.question}}} = '{o}'" for o in rule.any_of)


def xlsform(instrument: Instrument, translations: Mapping[str, Instrument]) -> Written:
    """The XLSForm of `instrument`, with `translations` (language code -> the instrument in
    that language) as further label columns."""
    from openpyxl import Workbook  # loaded only when a form is written

    languages = ["en", *translations]
    versions = [instrument, *translations.values()]
    types = {q.id: q.type for q in instrument.questions}
    notes: list[str] = []
    survey: list[dict[str, str]] = []
    choices: list[dict[str, str]] = []

    def labelled(row: dict[str, str], key: str, texts: list[str | None]) -> dict[str, str]:
        for code, text in zip(languages, texts, strict=True):
            if text:
                row[f"{key}::{language_column(code)}"] = text
        return row

    for index, section in enumerate(instrument.sections):
        sections = [v.sections[index] for v in versions]
        survey.append(labelled({"type": "begin_group", "name": section.id}, "label",
                               [s.title for s in sections]))
        for qindex, question in enumerate(section.questions):
            asked = [s.questions[qindex] for s in sections]
            survey.extend(_question_rows(question, asked, types, labelled, languages))
            choices.extend(_choice_rows(question, asked, labelled))
        survey.append({"type": "end_group"})
    personal = [q.id for q in instrument.questions if q.pii]
    if personal:
        notes.append(f"Contact details ({', '.join(personal)}): XLSForm has no mark for "
                     "personal data, so a `pii` column says `yes` beside them; KoboToolbox "
                     "and ODK ignore it, and hrta reads it back to keep them out of "
                     "every analysis and export.")
    notes.extend(reporting_notes(instrument))
    if instrument.eligibility is not None:
        rule = instrument.eligibility
        notes.append(f"The screening rule ({rule.question} = "
                     f"{' or '.join(rule.ineligible_options)} ends the assessment) is written "
                     "as nothing: XLSForm cannot end a form early. Analyse the export with this "
                     "instrument and hrta applies it.")
    settings = {"form_title": instrument.title, "form_id": instrument.id,
                "version": instrument.version, "default_language": language_column("en")}
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]  # a new workbook always has one
    _sheet(book, "survey", [f"{key}::{language_column(code)}" if key in LANGUAGE_KEYS else key
                            for key in SURVEY_COLUMNS
                            for code in (languages if key in LANGUAGE_KEYS else [""])], survey)
    _sheet(book, "choices", ["list_name", "name",
                             *(f"label::{language_column(c)}" for c in languages)], choices)
    _sheet(book, "settings", list(settings), [settings])
    buffer = io.BytesIO()
    book.save(buffer)
    return Written(buffer.getvalue(), tuple(notes))


def _question_rows(question: Question, asked: list[Question], types: Mapping[str, str],
                   labelled: LabelFn, languages: list[str]) -> list[dict[str, str]]:
    qid = question.id
    common = {"required": "yes" if question.required else "",
              "relevant": relevant(question, types), "pii": "yes" if question.pii else ""}
    if question.type == "matrix":
        rows = [labelled({"type": "begin_group", "name": qid, "appearance": "table-list",
                          "relevant": common["relevant"]}, "label", [q.text for q in asked])]
        for index, statement in enumerate(question.statements):
            rows.append(labelled({"type": f"select_one {qid}", "name": f"{qid}_{statement.id}",
                                  "required": common["required"]},
                                 "label", [q.statements[index].text for q in asked]))
        rows.append({"type": "end_group"})
        return rows
    kind = {"single": f"select_one {qid}", "multi": f"select_multiple {qid}",
            "text": "text"}[question.type]
    row = {"type": kind, "name": qid, **common}
    if question.type == "text" and not question.pii:
        row["appearance"] = "multiline"
    if question.max_choices is not None:
        row["constraint"] = f"count-selected(.) <= {question.max_choices}"
        for code in languages:
            row[f"constraint_message::{language_column(code)}"] = CHOOSE_UP_TO.get(
                code, CHOOSE_UP_TO["en"]).format(question.max_choices)
    labelled(row, "label", [q.text for q in asked])
    labelled(row, "hint", [q.help for q in asked])
    rows = [row]
    for index, option in enumerate(question.options):
        if option.other:
            shown = (f"selected(${{{qid}}}, '{option.id}')" if question.type == "multi"
                     else f"${{{qid}}} = '{option.id}'")
            rows.append(labelled({"type": "text", "name": f"{qid}_{option.id}",
                                  "relevant": shown}, "label",
                                 [q.options[index].label for q in asked]))
    return rows


def _choice_rows(question: Question, asked: list[Question],
                 labelled: LabelFn) -> list[dict[str, str]]:
    return [labelled({"list_name": question.id, "name": option.id}, "label",
                     [q.options[index].label for q in asked])
            for index, option in enumerate(question.options)]


def _sheet(book: Workbook, title: str, columns: list[str], rows: list[dict[str, str]]) -> None:
    sheet = book.create_sheet(title)
    used = [c for c in columns if c in ("type", "name", "list_name") or any(r.get(c) for r in rows)]
    sheet.append(used)
    for row in rows:
        sheet.append([row.get(column, "") for column in used])

