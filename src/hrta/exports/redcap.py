"""The instrument as a REDCap Data Dictionary (CSV), read back by
`hrta.ingest.redcap_dictionary`.

One instrument (form) per section, its first row carrying the section's title as Section
Header (a descriptive field does, when the section starts with a grid). A single choice is
`radio`, a select-all question `checkbox` (with REDCap's `@MAXCHECKED=N` action tag where
hrta limits the choices), an open-ended question `notes`, a contact field `text` marked
`Identifier? = y`; a matrix is a matrix group of `radio` fields, one per statement, named by
the statement, with the question as the group's Section Header. Option codes are hrta's
option ids. Skip logic becomes Branching Logic. An "Other (please specify)" option is
followed by a `text` field `QUESTION_OPTION` shown when it is chosen.

Field names are lower case, at most 26 characters and unique (REDCap's rules): an id that
does not fit is cut, and a name already taken ends in `_2`, `_3`, … (`hrta.exports.names`);
every changed name is listed in the notes. The first field, `record_id`, is the record id.
"""

from __future__ import annotations

import csv
import io

from hrta.exports.names import Names
from hrta.exports.xlsform import Written, reporting_notes
from hrta.instrument import Instrument, Question

NAME_LIMIT = 26
RECORD_ID = "record_id"
COLUMNS = (
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note",
    "Text Validation Type OR Show Slider Number", "Text Validation Min",
    "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)",
    "Matrix Group Name", "Matrix Ranking?", "Field Annotation",
)
Row = dict[str, str]


def redcap_dictionary(instrument: Instrument) -> Written:
    """The Data Dictionary of `instrument` as UTF-8 CSV, with notes on what changed."""
    return _Dictionary(instrument).write()


class _Dictionary:
    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.names = Names(NAME_LIMIT, taken=(RECORD_ID,))
        self.fields: dict[str, str] = {}
        """hrta id (question, `QUESTION.STATEMENT`, `QUESTION.OPTION` for a please-specify
        box) -> field name."""
        self.notes: list[str] = []
        self.rows: list[Row] = []

    def write(self) -> Written:
        for index, section in enumerate(self.instrument.sections):
            form = section.id
            if index == 0:
                self.rows.append(self._row(RECORD_ID, form, "text", "Record ID"))
            start = len(self.rows)
            if section.questions and section.questions[0].type == "matrix":
                wanted = f"{section.id}_header"
                name = self.names.name(wanted)
                self.names.shortened.pop(wanted, None)  # a heading, no data: no one looks it up
                self.rows.append(self._row(name, form, "descriptive", section.title))
            for question in section.questions:
                self._question(question, form)
            if len(self.rows) > start:
                self.rows[start]["Section Header"] = section.title
        self.notes.extend(reporting_notes(self.instrument))
        if self.instrument.eligibility is not None:
            rule = self.instrument.eligibility
            self.notes.append(f"The screening rule ({rule.question} = "
                              f"{' or '.join(rule.ineligible_options)} ends the assessment) is "
                              "not in the dictionary: set it as the survey's stop action on "
                              "that field in REDCap; hrta applies it when analysing.")
        for wanted, given in self.names.shortened.items():
            self.notes.append(f"{wanted!r} is written as the REDCap field {given!r} (lower "
                              f"case, at most {NAME_LIMIT} characters, unique).")
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return Written(buffer.getvalue().encode("utf-8"), tuple(self.notes), dict(self.fields))

    def _name(self, wanted: str, hrta_id: str) -> str:
        name = self.names.name(wanted)
        self.fields[hrta_id] = name
        return name

    def _row(self, name: str, form: str, kind: str, label: str, **cells: str) -> Row:
        row = dict.fromkeys(COLUMNS, "")
        row.update({"Variable / Field Name": name, "Form Name": form, "Field Type": kind,
                    "Field Label": label})
        row.update({COLUMNS[_KEYS[key]]: value for key, value in cells.items()})
        return row

    def _branching(self, question: Question) -> str:
        rule = question.show_if
        if rule is None:
            return ""
        field = self.fields[rule.question]
        if self.instrument.question(rule.question).type == "multi":
            return " or ".join(f"[{field}({o})] = '1'" for o in rule.any_of)
        return " or ".join(f"[{field}] = '{o}'" for o in rule.any_of)

    def _question(self, question: Question, form: str) -> None:
        required = "y" if question.required else ""
        branching = self._branching(question)
        choices = " | ".join(f"{o.id}, {o.label}" for o in question.options)
        if question.type == "matrix":
            for index, statement in enumerate(question.statements):
                name = self._name(statement.id, f"{question.id}.{statement.id}")
                self.rows.append(self._row(
                    name, form, "radio", statement.text, choices=choices, required=required,
                    branching=branching, matrix=question.id,
                    section=question.text if index == 0 else ""))
            self.fields[question.id] = question.id
            return
        name = self._name(question.id, question.id)
        kind = {"single": "radio", "multi": "checkbox"}.get(question.type) \
            or ("text" if question.pii else "notes")
        annotation = f"@MAXCHECKED={question.max_choices}" if question.max_choices else ""
        self.rows.append(self._row(
            name, form, kind, question.text, choices=choices, note=question.help or "",
            identifier="y" if question.pii else "", branching=branching, required=required,
            annotation=annotation))
        for option in question.options:
            if option.other:
                shown = (f"[{name}({option.id})] = '1'" if question.type == "multi"
                         else f"[{name}] = '{option.id}'")
                box = self._name(f"{question.id}_{option.id}", f"{question.id}.{option.id}")
                self.rows.append(self._row(box, form, "text", option.label, branching=shown))


_KEYS = {"section": 2, "choices": 5, "note": 6, "identifier": 10, "branching": 11,
         "required": 12, "matrix": 15, "annotation": 17}
