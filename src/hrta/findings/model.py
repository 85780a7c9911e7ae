"""Findings: every number of the stakeholder analysis, as one typed document.

`hrta analyze FILE --json findings.json` writes `Findings.model_dump(mode="json")`; the
report, the dashboard, the API and the audit read it. Renderers only draw Findings: they
compute nothing. This module is the contract. docs/findings-schema.md and
docs/findings.schema.json are generated from it (`python -m hrta.findings.schema`) and a
test keeps them equal, so the descriptions below are the documentation.

Percents and their intervals come only from the constructors in
hrta.findings.proportion. A key documented as "absent" is left out of the JSON rather than
written as null (`_absent_when_none`), as earlier Findings files have it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hrta.errors import InputError
from hrta.findings.proportion import Proportion, WeightedProportion, newcombe_interval, percent_of

SCHEMA_VERSION = 1


class Record(BaseModel):
    """A part of Findings: immutable, and every key declared."""

    # Validators built on first use, not at import: a plain analysis never builds the
    # subgroup, weighting, trend or coding parts on their own.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    def to_json(self) -> dict[str, Any]:
        """The JSON form, as `hrta analyze` writes it."""
        return self.model_dump(mode="json")


def _absent_when_none(description: str) -> Any:
    """A field written only when it has a value (None leaves the key out of the JSON)."""
    return Field(default=None, exclude_if=lambda value: value is None, description=description)


# --- the counts of closed questions ------------------------------------------------------


class _Labelled(Record):
    label: str = Field(description="the option's wording")


class OptionTally(Proportion, _Labelled):
    """One option of a closed question among the question's n."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    rank: int = Field(description="1 for the most chosen option; ties share the lower rank "
                                  "(1, 2, 2, 4)")
    other: Literal[True] | None = _absent_when_none(
        "true when the option takes typed text (\"Other (please specify)\"); absent otherwise")
    net: str | None = _absent_when_none(
        "matrix scale options only: the net the option belongs to (`agree`, `disagree`); "
        "absent for \"I don't know\"")
    asked: Literal[False] | None = _absent_when_none(
        "false when the export did not ask this option (its mapping file lists it under "
        "`absent`): its count is 0 and its percent and interval null, for nobody could "
        "choose it; absent otherwise")


class _NetHead(Record):
    label: str = Field(description="the net's wording, e.g. \"Strongly or somewhat agree\"")
    options: list[str] = Field(description="the scale option ids it sums")


class NetTally(Proportion, _NetHead):
    """An agree or disagree net of a matrix statement, over the statement's n."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


# --- questions ---------------------------------------------------------------------------

_TYPE = "`single`, `multi`, `matrix_statement` or `text`"
_TITLE = "short title used in figures"
_TEXT = "question (or statement) wording"
_N = ("**eligible respondents who answered this question**: the denominator. A question "
      "counts as answered when a single-choice option or a matrix rating is given, **any** "
      "option of a multi-choice question is chosen, or open-ended text is not blank")
_NOT_ANSWERED = "eligible respondents who did not answer it (`responses.eligible - n`)"
_OPTIONS = ("every option of the instrument in survey order, keyed by option id: "
            "`label`, `count`, `percent`, `ci_low`, `ci_high`, `rank` and, where they apply, "
            "`other` and `net` (see OptionTally)")
_OTHER_TEXTS = ("the texts typed with an \"Other (please specify)\" option, in response "
                "order; absent when the question has no such option")


class SingleQuestion(Record):
    """A single-choice question."""

    type: Literal["single"] = Field(description=_TYPE)
    title: str = Field(description=_TITLE)
    text: str = Field(description=_TEXT)
    n: int = Field(description=_N)
    not_answered: int = Field(description=_NOT_ANSWERED)
    options: dict[str, OptionTally] = Field(description=_OPTIONS)
    other_texts: list[str] | None = _absent_when_none(_OTHER_TEXTS)


class MultiQuestion(Record):
    """A select-all (multi-choice) question: answered when any option is chosen, so its
    percents add up to more than 100."""

    type: Literal["multi"] = Field(description=_TYPE)
    title: str = Field(description=_TITLE)
    text: str = Field(description=_TEXT)
    n: int = Field(description=_N)
    not_answered: int = Field(description=_NOT_ANSWERED)
    options: dict[str, OptionTally] = Field(description=_OPTIONS)
    max_choices: int | None = Field(description="the most options a respondent may choose "
                                                "(e.g. 3 for \"choose your top three\"), or "
                                                "null for no limit")
    other_texts: list[str] | None = _absent_when_none(_OTHER_TEXTS)


class MatrixStatement(Record):
    """One statement of an agreement grid, keyed `MATRIX_ID.STATEMENT_ID`.

    "I don't know" belongs to no net but is in `n`, so agree + disagree + don't know =
    100%.
    """

    type: Literal["matrix_statement"] = Field(description=_TYPE)
    title: str = Field(description=_TITLE)
    matrix: str = Field(description="the matrix question id")
    statement: str = Field(description="the statement id")
    text: str = Field(description=_TEXT)
    n: int = Field(description=_N)
    not_answered: int = Field(description=_NOT_ANSWERED)
    options: dict[str, OptionTally] = Field(description=_OPTIONS)
    nets: dict[str, NetTally] = Field(
        description="`agree` and `disagree`: `label`, `options` (the scale option ids it "
                    "sums), `count`, `percent`, `ci_low`, `ci_high` over the same `n`")
    asked: Literal[False] | None = _absent_when_none(
        "false when the export did not ask this statement (its mapping file lists it under "
        "`absent`): its `n` is 0; absent otherwise")


class CodebookRef(Record):
    question: str = Field(description="the open-ended question the codebook codes")
    title: str = Field(description="the codebook's title")


class _ThemeHead(Record):
    id: str = Field(description="the theme's id in the codebook")
    label: str = Field(description="the theme's name")
    parent: str | None = Field(description="null, or the theme it refines")


class ThemeTally(Proportion, _ThemeHead):
    """A theme of a codebook among the answers coded (`percent` is of the coding's `n`;
    an answer may have several themes, so theme percents can add up to more than 100)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    rank: int = Field(description="1 for the theme most respondents mention; ties share the "
                                  "lower rank")
    quotes: list[str] = Field(description="up to three of the theme's most central answers "
                                          "(confirmed ones first; none a reviewer hid)")


_STATUS = ("`coded`, or `unavailable` when the text model could not be loaded (then only "
           "`message`, `n`, empty `themes`, `codes` and `sources` follow)")


class CodedThemes(Record):
    """The answers of an open-ended question coded into themes (see docs/coding.md)."""

    codebook: CodebookRef = Field(description="`question` and `title` of the codebook used")
    model: str = Field(description="the sentence-embedding model, `all-MiniLM-L6-v2`")
    status: Literal["coded"] = Field(description=_STATUS)
    message: str | None = Field(description="why coding was unavailable")
    n: int = Field(description="answers coded: the question's `n`")
    coded: int = Field(description="answers with at least one theme")
    uncoded: int = Field(description="answers no theme fits (\"other\")")
    uncodable: int = Field(description="answers with no words to code (emoji, punctuation, "
                                       "markup only)")
    confirmed: int = Field(description="answers whose codes a reviewer confirmed; theirs "
                                       "override the machine's")
    themes: list[ThemeTally] = Field(description="every theme of the codebook, most "
                                                 "respondents first")
    codes: list[list[str]] = Field(description="per answer, in the order of `answers`, the "
                                               "theme ids it is coded with")
    sources: list[str] = Field(description="per answer: `machine`, `confirmed` or "
                                           "`uncodable`")
    pending: int | None = _absent_when_none(
        "web app only: answers given or changed since the wave's last coding run, not yet "
        "coded by the machine; absent elsewhere")


class UnavailableThemes(Record):
    """The coding block when the text model could not be loaded: the report says so."""

    codebook: CodebookRef = Field(description="`question` and `title` of the codebook used")
    model: str = Field(description="the sentence-embedding model")
    status: Literal["unavailable"] = Field(description=_STATUS)
    message: str | None = Field(description="why coding was unavailable")
    n: int = Field(description="answers to code: the question's `n`")
    themes: list[ThemeTally] = Field(description="empty")
    codes: list[list[str]] = Field(description="empty")
    sources: list[str] = Field(description="empty")


Coding = Annotated[CodedThemes | UnavailableThemes, Field(discriminator="status")]


class TextQuestion(Record):
    """An open-ended question."""

    type: Literal["text"] = Field(description=_TYPE)
    title: str = Field(description=_TITLE)
    text: str = Field(description=_TEXT)
    n: int = Field(description=_N)
    not_answered: int = Field(description=_NOT_ANSWERED)
    answers: list[str] = Field(description="the non-blank answers in response order, exactly "
                                           "as given; renderers escape them")
    coding: Coding | None = _absent_when_none(
        "questions with a codebook (`challenges`, `facilitators`), in the Findings of "
        "`hrta analyze`, `hrta report` and `hrta demo`: the answers coded into themes")


QuestionEntry = Annotated[SingleQuestion | MultiQuestion | MatrixStatement | TextQuestion,
                          Field(discriminator="type")]
ClosedQuestion = SingleQuestion | MultiQuestion | MatrixStatement


# --- the rest of the document ------------------------------------------------------------


class ResponseCounts(Record):
    """`excluded` counts responses screened out by the eligibility question (for the 2022
    assessment: answering that one does not work at a mental health or SUD treatment
    organization). Excluded responses are in no other number."""

    total: int = Field(description="responses in the export")
    eligible: int = Field(description="responses that passed the screening question")
    excluded: int = Field(description="responses screened out")


class Fielded(Record):
    first: date = Field(description="the first day (ISO date) a response was started or ended")
    last: date = Field(description="the last day (ISO date) a response was started or ended")


class Matrix(Record):
    """An agreement grid as a whole."""

    title: str = Field(description="the grid's short title")
    text: str = Field(description="the grid's question wording")
    statements: list[str] = Field(description="the `questions` keys of its statements, in "
                                              "order")
    n: int = Field(description="the eligible respondents who rated **any** of its statements")


class _GroupHead(Record):
    options: list[str] = Field(description="the option ids the group gathers")


class GroupTally(Proportion, _GroupHead):
    """Respondents whose answer is one of the group's options, among the question's n."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class ProfileGroups(Record):
    """Who answered, by an option attribute: `state_regions` by U.S. Census region
    (`northeast`, `midwest`, `south`, `west`, `territories`), `role_groups` by role group
    (`leadership`, `staff`)."""

    n: int = Field(description="the question's n")
    groups: dict[str, GroupTally] = Field(description="by group: `options`, `count`, "
                                                      "`percent`, `ci_low`, `ci_high`")


class SectionItem(Record):
    """A figure, table or open-ended listing of the report.

    Figures and tables are numbered separately in order. An item marked
    `supplement: true` in the layout keeps the number of the item before it and takes a
    letter, its `suffix` (Figure 5a follows Figure 5), so the 2022 report's numbers stay
    the ones readers cite.
    """

    kind: Literal["figure", "table", "open_ended"] = Field(
        description="`figure`, `table` or `open_ended`")
    number: int | None = Field(description="the figure's or table's number; null for "
                                           "open-ended listings")
    suffix: str = Field(default="", description="the letter of a supplement (`a` in Figure "
                                                "5a); empty for every other item")
    title: str = Field(description="the item's title")
    chart: Literal["bar", "grouped", "continuum", "agreement"] | None = Field(
        description="the kind of chart a figure draws: `bar`, `grouped` for questions side "
                    "by side, `continuum` for questions that share an option list told as "
                    "stages (provided directly, through referral, planned) side by side and "
                    "compared, `agreement` for a grid; or null")
    questions: list[str] = Field(description="the question ids the item shows")
    n: dict[str, int] = Field(description="each question's n; for a matrix the eligible "
                                          "respondents who rated **any** of its statements "
                                          "(each statement keeps its own `n` in `questions`)")
    rows: list[str] = Field(description="the `questions` keys a figure draws: a matrix's "
                                        "statements, else the question")


class Section(Record):
    """A section of the stakeholder analysis, from the instrument's `report` block."""

    id: str = Field(description="the section's id")
    title: str = Field(description="the section's title")
    items: list[SectionItem] = Field(description="its figures, tables and listings, in order")


class SurveySection(Record):
    """A section of the questionnaire as respondents met it: how many answered any of its
    questions, so a reader sees where respondents stopped (drop-off)."""

    id: str = Field(description="the instrument section's id")
    title: str = Field(description="the section's title")
    questions: int = Field(description="its questions analysed (contact details left out)")
    count: int = Field(description="eligible respondents who answered at least one of "
                                   "them")
    n: int = Field(description="the eligible respondents: the base of `percent`")
    percent: float | None = Field(description="`100 * count / n`; null when n is 0")


# --- subgroup comparisons (--by) ---------------------------------------------------------


class GroupSize(Record):
    id: str = Field(description="the group's id (`combined` for \"All other groups\")")
    label: str = Field(description="the group's name")
    n: int = Field(description="eligible respondents in the group")


class TestResult(Record):
    """A test of independence between groups and answers (docs/statistics.md)."""

    method: str = Field(description="`chi-square`, `fisher-exact`, `fisher-exact (monte "
                                    "carlo)` or `chi-square (monte carlo)`")
    statistic: float | None = Field(description="the test statistic; null where the test "
                                                "has none to publish")
    p: float = Field(description="the p-value")
    p_adjusted: float | None = Field(description="the Benjamini-Hochberg adjusted p-value over "
                                                 "every test of the comparison")
    significant: bool | None = Field(description="`p_adjusted < alpha`")


class GroupCell(Record):
    """One option among one group: hidden when publishing it could identify someone."""

    count: int | None = Field(description="respondents of the group who chose the option; "
                                          "null when suppressed")
    n: int = Field(description="the group's eligible members who answered the question")
    percent: float | None = Field(description="`100 * count / n`; null when suppressed or n "
                                              "is 0")
    suppressed: bool = Field(description="the count is hidden (small-count suppression)")


class GroupDifference(Record):
    """The gap between the published groups with the highest and the lowest percent of an
    option, with Newcombe's hybrid score 95% interval (independent groups)."""

    high: str = Field(description="the group id with the highest published percent")
    low: str = Field(description="the group id with the lowest published percent")
    difference: float = Field(description="`high`'s percent minus `low`'s, in percentage "
                                          "points")
    ci_low: float = Field(description="lower bound of the difference's interval, in "
                                      "percentage points")
    ci_high: float = Field(description="upper bound of the difference's interval")


class ComparedOption(Record):
    label: str = Field(description="the option's wording")
    test: TestResult | None = Field(description="select-all questions: this option's test "
                                                "(chose it or not, by group); null otherwise")
    groups: dict[str, GroupCell] = Field(description="the option among each group")
    difference: GroupDifference | None = _absent_when_none(
        "the highest minus the lowest published percent among the groups, with its 95% "
        "interval; absent when fewer than two groups have a published, non-empty cell "
        "(a gap between hidden cells could give them away)")


class ComparedQuestion(Record):
    type: Literal["single", "multi", "matrix_statement"] = Field(
        description="`single`, `multi` or `matrix_statement`")
    title: str = Field(description=_TITLE)
    text: str = Field(description=_TEXT)
    test: TestResult | None = Field(description="single-choice questions and statements: "
                                                "the test of the groups x options table; "
                                                "null for select-all questions or a table "
                                                "with nothing to compare")
    options: dict[str, ComparedOption] = Field(description="every option, by option id")


class Significant(Record):
    question: str = Field(description="the question id")
    option: str | None = Field(description="the option (select-all questions), or null")
    method: str = Field(description="the test's method")
    p_adjusted: float = Field(description="its adjusted p-value")


class Comparison(Record):
    """Every closed question compared across groups of respondents (`--by`), tested,
    corrected for many tests, small counts suppressed: docs/statistics.md."""

    by: str = Field(description="the `--by` variable: QID, QID.ATTRIBUTE or QID=OPTION")
    by_label: str = Field(description="its wording")
    threshold: int = Field(description="counts below this are suppressed")
    alpha: float = Field(description="significance level of the adjusted p-values")
    correction: str = Field(description="`benjamini-hochberg`")
    min_group: int = Field(description="groups smaller than this are compared together")
    groups: list[GroupSize] = Field(description="the groups compared")
    small_groups: list[GroupSize] = Field(description="the groups below `min_group`: they make "
                                                      "up `combined`, or are left out")
    left_out: int = Field(description="respondents of small groups left out of the comparison")
    not_grouped: int = Field(description="eligible respondents who did not answer the `--by` "
                                         "question")
    questions: dict[str, ComparedQuestion] = Field(description="every closed question "
                                                               "compared")
    significant: list[Significant] = Field(description="the significant differences, smallest "
                                                       "adjusted p first")


# --- weighting (--weights) ---------------------------------------------------------------


class WeightedQuestion(Record):
    n: int = Field(description="the eligible respondents who answered (the unweighted n)")
    effective_n: float = Field(description="theirs under the weights, (Σw)² / Σw²")
    options: dict[str, WeightedProportion] = Field(
        description="each option's weighted `percent`, `ci_low`, `ci_high` (Wilson on the "
                    "effective n); null when nobody answered")
    nets: dict[str, WeightedProportion] | None = _absent_when_none(
        "agreement statements only: `agree` and `disagree`, of the same shape")


class Weighting(Record):
    """Weighted percentages raked to known population margins (`--weights`), with the
    design effect and effective n: docs/statistics.md."""

    margins: list[str] = Field(description="the margin variables raked to")
    source: str | None = _absent_when_none("the margins file's name")
    raked: int | None = _absent_when_none("eligible respondents raked")
    not_raked: int | None = _absent_when_none("eligible respondents who could not be placed "
                                              "and keep weight 1")
    design_effect: float = Field(description="Kish's design effect n·Σw² / (Σw)²")
    effective_n: float = Field(description="(Σw)² / Σw² over every eligible respondent")
    questions: dict[str, WeightedQuestion] = Field(description="every closed question")


# --- trends (--compare) ------------------------------------------------------------------


class OptionChange(Record):
    """An option's percent in both waves and the change, with Newcombe's hybrid score 95%
    interval of the difference (independent samples)."""

    label: str | None = Field(description="the option's wording")
    percent: float | None = Field(description="percent of this wave's n")
    percent_before: float | None = Field(description="percent of the other wave's n")
    difference: float | None = Field(description="this wave minus the other, in percentage "
                                                 "points; null when not in both waves")
    ci_low: float | None = Field(description="lower bound of the difference's interval, in "
                                             "percentage points")
    ci_high: float | None = Field(description="upper bound of the difference's interval")
    changed: bool | None = Field(description="the interval leaves out 0")

    @classmethod
    def of(cls, label: str | None, count: int | None, n: int, count_before: int | None,
           n_before: int) -> Self:
        """The change of `count` of n since `count_before` of n_before (None: not asked)."""
        percent = None if count is None else percent_of(count, n)
        before = None if count_before is None else percent_of(count_before, n_before)
        if count is None or count_before is None or n <= 0 or n_before <= 0:
            return cls(label=label, percent=percent, percent_before=before, difference=None,
                       ci_low=None, ci_high=None, changed=None)
        low, high = newcombe_interval(count, n, count_before, n_before)
        return cls(label=label, percent=percent, percent_before=before,
                   difference=100.0 * count / n - 100.0 * count_before / n_before,
                   ci_low=low, ci_high=high, changed=low > 0 or high < 0)


class QuestionChange(Record):
    title: str = Field(description=_TITLE)
    n: int | None = Field(description="this wave's n; null when the question is not in it")
    n_before: int | None = Field(description="the other wave's n")
    options: dict[str, OptionChange] = Field(description="every option found in either wave")
    nets: dict[str, OptionChange] | None = _absent_when_none(
        "agreement statements: the agree and disagree nets")


class Trend(Record):
    """The change in every percentage since another wave (`--compare`):
    docs/statistics.md."""

    compare_to: str = Field(description="the other wave: the name given for it, else its "
                                        "file name")
    fielded_before: Fielded | None = Field(description="when the other wave was fielded")
    label: str | None = _absent_when_none(
        "the other wave's name as the analyst gave it (`--compare-label`); absent when none "
        "was given, and the report calls it \"the earlier wave\" with its fielded dates "
        "(never the file name)")
    questions: dict[str, QuestionChange] = Field(description="every closed question of "
                                                             "either wave")


# --- the document ------------------------------------------------------------------------


class Findings(Record):
    """Every number of the stakeholder analysis. The HTML report draws only what this
    document holds, so any figure in the report can be traced here.

    `schema_version` changes when a field is removed or changes meaning; new fields may be
    added at any time.
    """

    schema_version: int = Field(description="version of this shape (now `1`)")
    generator: str = Field(description="the hrta version that wrote it")
    instrument: str = Field(description="id of the instrument the answers belong to, e.g. "
                                        "`harm_reduction_ta_2022`")
    instrument_version: str = Field(description="the instrument's version")
    title: str = Field(description="title of the stakeholder analysis")
    source: str | None = Field(description="file name (not path) of the export analysed")
    responses: ResponseCounts = Field(description="`total`, `eligible`, `excluded` (counts of "
                                                  "responses)")
    fielded: Fielded | None = Field(default=None, description=(
        "`first`, `last`: the first and last day (ISO date) a response was started or "
        "ended; null when the export has no dates"))
    questions: dict[str, QuestionEntry] = Field(description=(
        "one entry per question id from the instrument (`hrta instrument show`); a matrix "
        "statement has the key `MATRIX_ID.STATEMENT_ID` and the matrix itself has none; "
        "questions flagged `pii` (contact details) never appear"))
    matrices: dict[str, Matrix] = Field(description="each agreement grid as a whole")
    profile: dict[str, ProfileGroups | int] = Field(description=(
        "who answered, from option attributes in the instrument: `state_represented`, the "
        "number of states or territories with at least one respondent; `state_regions` and "
        "`role_groups` (see ProfileGroups)"))
    sections: list[Section] = Field(description="the report's layout: sections, figures, "
                                                "tables")
    warnings: list[str] = Field(description="data-quality notes found at import (e.g. more "
                                            "choices than allowed)")
    survey_sections: list[SurveySection] | None = _absent_when_none(
        "the questionnaire's sections in order, each with `questions` and `count` (the "
        "eligible respondents who answered any of its questions) of `n`: drop-off through "
        "the survey; absent in Findings written by an earlier hrta")
    comparisons: Comparison | None = _absent_when_none(
        "only with `--by`: subgroup comparison: groups, tests, suppressed cells")
    weighting: Weighting | None = _absent_when_none(
        "only with `--weights`: raked percentages, design effect, effective n")
    trend: Trend | None = _absent_when_none(
        "only with `--compare`: change since an earlier wave, with Newcombe intervals")

    def closed_questions(self) -> dict[str, ClosedQuestion]:
        """The single, multi and matrix-statement entries, in survey order."""
        return {qid: entry for qid, entry in self.questions.items()
                if not isinstance(entry, TextQuestion)}

    @classmethod
    def load(cls, source: Path | str | dict[str, Any]) -> Findings:
        """Findings from a JSON file (as `hrta analyze --json` writes it, this version or an
        earlier one) or its parsed content; InputError naming the file and the first key
        that does not fit."""
        name = "findings"
        if isinstance(source, dict):
            data: Any = source
        else:
            path = Path(source)
            name = str(path)
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError as exc:
                raise InputError("no such file", file=name) from exc
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"cannot read it: {exc}", file=name) from exc
            except json.JSONDecodeError as exc:
                raise InputError(f"is not JSON: {exc.msg}", file=name, row=exc.lineno) from exc
        if not isinstance(data, dict) or not isinstance(data.get("questions"), dict):
            raise InputError("is not a Findings document: it has no \"questions\" object",
                             file=name)
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = "/".join(_place(data, first["loc"]))
            count = exc.error_count()
            raise InputError(f"is not a Findings document this hrta can read: at {where}: "
                             f"{first['msg']} ({count} problem{'' if count == 1 else 's'})",
                             file=name) from None


_TAGS = ("type", "status")  # the keys question entries and coding blocks are told apart by


def _place(data: Any, loc: tuple[int | str, ...]) -> list[str]:
    """The keys of a validation error's location as they are in the document: pydantic puts
    the tag of a question or coding block (`single`, `coded`) in the path after its key,
    where the document has no such key."""
    parts: list[str] = []
    node = data
    tagged = False  # the tag comes once, right after its entry's key
    for part in loc:
        if not tagged and isinstance(node, dict) and any(node.get(tag) == part
                                                         for tag in _TAGS):
            tagged = True
            continue
        parts.append(str(part))
        node = _child(node, part)
        tagged = False
    return parts


def _child(node: Any, part: int | str) -> Any:
    """The value at `part` of a JSON object or array; None where it has none."""
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


__all__ = [
    "SCHEMA_VERSION",
    "ClosedQuestion",
    "CodebookRef",
    "CodedThemes",
    "Coding",
    "ComparedOption",
    "ComparedQuestion",
    "Comparison",
    "Fielded",
    "Findings",
    "GroupCell",
    "GroupDifference",
    "GroupSize",
    "GroupTally",
    "Matrix",
    "MatrixStatement",
    "MultiQuestion",
    "NetTally",
    "OptionChange",
    "OptionTally",
    "ProfileGroups",
    "QuestionChange",
    "QuestionEntry",
    "Record",
    "ResponseCounts",
    "Section",
    "SectionItem",
    "Significant",
    "SingleQuestion",
    "SurveySection",
    "TestResult",
    "TextQuestion",
    "ThemeTally",
    "Trend",
    "UnavailableThemes",
    "WeightedProportion",
    "WeightedQuestion",
    "Weighting",
]
