"""The assessment as data: sections, questions, options, scales, skip logic, eligibility."""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Identifier = str
QuestionType = Literal["single", "multi", "matrix", "text"]
Source = Literal["report", "added"]

_ID_PATTERN = r"^[a-z0-9][a-z0-9_]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Model):
    id: Identifier = Field(pattern=_ID_PATTERN)
    label: str = Field(min_length=1)
    source: Source = "added"
    other: bool = False
    """Free text accompanies the choice ("Other (please specify)")."""
    net: str | None = None
    approach: str | None = None
    core: bool = False
    group: str | None = None
    region: str | None = None
    code: str | None = None
    """The value another tool's export writes for this option where it writes a number or
    a code rather than the label (a Qualtrics recode value, a REDCap or XLSForm choice
    code); set when the instrument is imported from that tool's definition."""


class Statement(_Model):
    id: Identifier = Field(pattern=_ID_PATTERN)
    text: str = Field(min_length=1)
    source: Source = "added"


class Condition(_Model):
    """Show a question only when an earlier question has one of these answers."""

    question: Identifier
    any_of: tuple[Identifier, ...] = Field(min_length=1)


class Question(_Model):
    id: Identifier = Field(pattern=_ID_PATTERN)
    type: QuestionType
    text: str = Field(min_length=1)
    short: str | None = None
    help: str | None = None
    required: bool = False
    pii: bool = False
    max_choices: int | None = Field(default=None, ge=1)
    options: tuple[Option, ...] = ()
    statements: tuple[Statement, ...] = ()
    nets: dict[str, str] = Field(default_factory=dict)
    """Matrix only: named groups of scale options (e.g. agree) reported as one figure."""
    show_if: Condition | None = None

    @property
    def title(self) -> str:
        return self.short or self.text

    @cached_property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(option.id for option in self.options)

    def option(self, option_id: str) -> Option:
        for option in self.options:
            if option.id == option_id:
                return option
        raise KeyError(f"question {self.id!r} has no option {option_id!r}")

    def statement_qids(self) -> tuple[str, ...]:
        return tuple(f"{self.id}.{statement.id}" for statement in self.statements)


class Section(_Model):
    id: Identifier = Field(pattern=_ID_PATTERN)
    title: str
    questions: tuple[Question, ...]


class Eligibility(_Model):
    question: Identifier
    ineligible_options: tuple[Identifier, ...] = Field(min_length=1)


class ProgramApproach(_Model):
    id: Identifier = Field(pattern=_ID_PATTERN)
    label: str


class ReportItem(_Model):
    """A figure, a table or an open-ended listing of the stakeholder analysis."""

    kind: Literal["figure", "table", "open_ended"]
    title: str
    questions: tuple[Identifier, ...] = Field(min_length=1)
    # grouped: questions sharing options, side by side; continuum: the same, told as stages
    # of one service list (provided directly, through referral, planned) and compared.
    chart: Literal["bar", "grouped", "continuum", "agreement"] | None = None
    # Numbered after the figure or table before it with a letter (Figure 5a), so an item
    # added to a published layout leaves the numbers readers already cite as they were.
    supplement: bool = False


class ReportSection(_Model):
    id: Identifier = Field(pattern=_ID_PATTERN)
    title: str
    items: tuple[ReportItem, ...]


class ReportLayout(_Model):
    title: str
    sections: tuple[ReportSection, ...]


class Instrument(_Model):
    id: Identifier = Field(pattern=_ID_PATTERN)
    version: str
    title: str
    description: str = ""
    minutes_to_complete: int | None = None
    program_approaches: tuple[ProgramApproach, ...] = ()
    eligibility: Eligibility | None = None
    sections: tuple[Section, ...]
    report: ReportLayout | None = None

    @field_validator("sections")
    @classmethod
    def _has_questions(cls, sections: tuple[Section, ...]) -> tuple[Section, ...]:
        if not any(section.questions for section in sections):
            raise ValueError("an instrument needs at least one question")
        return sections

    @model_validator(mode="after")
    def _consistent(self) -> Instrument:
        seen: dict[str, Question] = {}
        approaches = {approach.id for approach in self.program_approaches}
        for question in self.questions:
            if question.id in seen:
                raise ValueError(f"question id {question.id!r} is used twice")
            _check_question(question, seen, approaches)
            seen[question.id] = question
        if self.eligibility is not None:
            screen = seen.get(self.eligibility.question)
            if screen is None or screen.type != "single":
                raise ValueError("eligibility.question must name an earlier single-choice question")
            unknown = set(self.eligibility.ineligible_options) - set(screen.option_ids)
            if unknown:
                raise ValueError(f"eligibility names unknown options {sorted(unknown)}")
        if self.report is not None:
            _check_report(self.report, seen)
        return self

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for section in self.sections for q in section.questions)

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        return {question.id: question for question in self.questions}

    def question(self, question_id: str) -> Question:
        try:
            return self._by_id[question_id]
        except KeyError:
            raise KeyError(f"instrument {self.id!r} has no question {question_id!r}") from None

    def analysable_questions(self) -> tuple[Question, ...]:
        """Questions whose answers may be analysed and published (no contact details)."""
        return tuple(question for question in self.questions if not question.pii)

    def approach_label(self, approach_id: str) -> str:
        for approach in self.program_approaches:
            if approach.id == approach_id:
                return approach.label
        raise KeyError(approach_id)


def _check_report(report: ReportLayout, questions: dict[str, Question]) -> None:
    numbered: set[str] = set()
    for section in report.sections:
        for item in section.items:
            for qid in item.questions:
                if qid not in questions or questions[qid].pii:
                    raise ValueError(f"report item {item.title!r} names {qid!r}, "
                                     "which is not an analysable question")
            if item.supplement and (item.kind == "open_ended" or item.kind not in numbered):
                raise ValueError(f"report item {item.title!r} is a supplement, so it needs a "
                                 f"numbered {item.kind} before it")
            numbered.add(item.kind)
            if item.chart == "continuum":
                options = {questions[qid].option_ids for qid in item.questions}
                if len(item.questions) < 2 or len(options) != 1:
                    raise ValueError(f"report item {item.title!r} (continuum) needs two or "
                                     "more questions with the same options")


def _check_question(
    question: Question, earlier: dict[str, Question], approaches: set[str]
) -> None:
    qid = question.id
    if question.type in ("single", "multi", "matrix") and not question.options:
        raise ValueError(f"question {qid!r} ({question.type}) needs options")
    if question.type == "text" and question.options:
        raise ValueError(f"text question {qid!r} cannot have options")
    if question.type == "matrix" and not question.statements:
        raise ValueError(f"matrix question {qid!r} needs statements")
    if question.type != "matrix" and question.statements:
        raise ValueError(f"only matrix questions have statements ({qid!r})")
    if question.max_choices is not None and question.type != "multi":
        raise ValueError(f"max_choices applies to multi questions only ({qid!r})")
    for kind, ids in (
        ("option", [o.id for o in question.options]),
        ("statement", [s.id for s in question.statements]),
    ):
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            raise ValueError(f"question {qid!r} repeats {kind} ids {sorted(duplicates)}")
    for option in question.options:
        if option.net is not None and option.net not in question.nets:
            raise ValueError(f"option {qid}.{option.id} names undeclared net {option.net!r}")
        if option.approach is not None and option.approach not in approaches:
            raise ValueError(f"option {qid}.{option.id} names unknown approach {option.approach!r}")
    if question.show_if is not None:
        source = earlier.get(question.show_if.question)
        if source is None:
            raise ValueError(f"question {qid!r} depends on {question.show_if.question!r}, "
                             "which is not an earlier question")
        unknown = set(question.show_if.any_of) - set(source.option_ids)
        if unknown:
            raise ValueError(f"question {qid!r} show_if names unknown options {sorted(unknown)}")
