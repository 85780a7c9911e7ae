"""Findings: every number of the stakeholder analysis, from a ResponseSet.

`build_findings` is the one producer of the Findings model (hrta.findings.model), whose
JSON (`model_dump(mode="json")`) is documented in docs/findings-schema.md and is a public
interface. Renderers only draw Findings; they compute nothing.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from string import ascii_lowercase

import polars as pl

from hrta import __version__
from hrta.analysis.frequencies import Tally, net_table, option_table, tally
from hrta.errors import catalog
from hrta.findings.model import (
    SCHEMA_VERSION,
    Fielded,
    Findings,
    GroupTally,
    Matrix,
    MatrixStatement,
    MultiQuestion,
    OptionTally,
    ProfileGroups,
    QuestionEntry,
    ResponseCounts,
    Section,
    SectionItem,
    SingleQuestion,
    SurveySection,
    TextQuestion,
)
from hrta.findings.proportion import percent_of
from hrta.instrument import Instrument, Question
from hrta.instrument.schema import ReportItem, ReportLayout, ReportSection
from hrta.responses import ResponseSet

__all__ = ["SCHEMA_VERSION", "build_findings"]


def build_findings(responses: ResponseSet, *, language: str | None = None) -> Findings:
    """The Findings of `responses`; the import's notes in `language` (English by default:
    the JSON a report in another language is written from carries that language's)."""
    instrument = responses.instrument
    eligible = responses.eligible_count
    counted = tally(responses)
    texts = _texts(responses.eligible_texts())

    n_by_qid = counted.n  # summed once: each question reads its own
    questions: dict[str, QuestionEntry] = {}
    for question in instrument.analysable_questions():
        questions.update(_question_entries(question, counted, n_by_qid, eligible, texts,
                                           responses.not_asked.get(question.id, ())))

    return Findings(
        schema_version=SCHEMA_VERSION,
        generator=f"hrta {__version__}",
        instrument=instrument.id,
        instrument_version=instrument.version,
        title=instrument.report.title if instrument.report else instrument.title,
        source=Path(responses.source).name if responses.source else None,
        responses=ResponseCounts(total=responses.total, eligible=eligible,
                                 excluded=responses.total - eligible),
        fielded=_fielded(responses.respondents),
        questions=questions,
        matrices=_matrices(instrument, counted),
        profile=_profile(instrument, questions),
        sections=_sections(instrument, questions, counted),
        # A report names the export by its file name, never the folder it sat in.
        warnings=[(warning.renamed(responses.source, Path(responses.source).name)
                   if responses.source else warning).text(catalog(language))
                  for warning in responses.warnings],
        survey_sections=_survey_sections(instrument, counted, eligible),
    )


def _survey_sections(instrument: Instrument, counted: Tally,
                     eligible: int) -> list[SurveySection]:
    """Each questionnaire section with the respondents who answered any of its analysed
    questions; a section of contact details only is left out."""
    found = []
    for section in instrument.sections:
        qids = [qid for question in section.questions if not question.pii
                for qid in _rows(question) if qid in counted.question_ids]
        asked = [q for q in section.questions if not q.pii]
        if asked:
            answered = counted.n_any(qids) if qids else 0
            found.append(SurveySection(id=section.id, title=section.title,
                                       questions=len(asked), count=answered, n=eligible,
                                       percent=percent_of(answered, eligible)))
    return found


# Date formats of exports: SurveyMonkey's, then ISO (native files, XLSX cells).
_DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")


def _fielded(respondents: pl.DataFrame) -> Fielded | None:
    """First and last day responses were started or ended, when the export has dates."""
    stamps = pl.concat([respondents["started_at"], respondents["ended_at"]]).drop_nulls()
    if stamps.is_empty():
        return None
    parsed = _parse_dates(stamps)
    if parsed.is_empty():
        return None
    first, last = parsed.min(), parsed.max()
    if not isinstance(first, datetime) or not isinstance(last, datetime):
        return None
    return Fielded(first=first.date(), last=last.date())


def _parse_dates(stamps: pl.Series) -> pl.Series:
    """Each stamp read by the first format that fits; unreadable ones left out.

    Formats are tried in turn on what the ones before could not read, so an export in one
    format is parsed once rather than once per format (parsing every stamp four times was
    most of the analysis time of a large wave). Stamps are nearly all distinct, so no
    parse is cached.
    """
    remaining = stamps.str.strip_chars()
    parsed: list[pl.Series] = []
    for fmt in _DATE_FORMATS:
        if remaining.is_empty():
            break
        found = remaining.str.to_datetime(fmt, strict=False, cache=False)
        parsed.append(found.drop_nulls())
        remaining = remaining.filter(found.is_null())
    return pl.concat(parsed)


def _unasked(options: dict[str, OptionTally], not_asked: tuple[str, ...]
             ) -> dict[str, OptionTally]:
    """An option nobody was offered has no percent: its 0 is not a finding."""
    return {oid: tally.model_copy(update={"asked": False, "percent": None, "ci_low": None,
                                          "ci_high": None})
            if oid in not_asked else tally for oid, tally in options.items()}


def _question_entries(question: Question, counted: Tally, n_by_qid: dict[str, int],
                      eligible: int, texts: dict[str, list[str]],
                      not_asked: tuple[str, ...] = ()) -> dict[str, QuestionEntry]:
    """`not_asked`: the question's options (or statements) the export did not ask."""
    if question.type == "text":
        n = n_by_qid.get(question.id, 0)
        return {question.id: TextQuestion(
            type="text", title=question.title, text=question.text, n=n,
            not_answered=eligible - n, answers=texts.get(question.id, []))}
    if question.type == "matrix":
        entries: dict[str, QuestionEntry] = {}
        for statement in question.statements:
            qid = f"{question.id}.{statement.id}"
            n = n_by_qid.get(qid, 0)
            options = option_table(question.options, qid, n, counted.counts)
            entries[qid] = MatrixStatement(
                type="matrix_statement", title=question.title, matrix=question.id,
                statement=statement.id, text=statement.text, n=n, not_answered=eligible - n,
                options=options, nets=net_table(question, options, n),
                asked=False if statement.id in not_asked else None)
        return entries
    n = n_by_qid.get(question.id, 0)
    options = _unasked(option_table(question.options, question.id, n, counted.counts),
                       not_asked)
    other_texts = texts.get(question.id, []) \
        if any(option.other for option in question.options) else None
    if question.type == "multi":
        return {question.id: MultiQuestion(
            type="multi", title=question.title, text=question.text, n=n,
            not_answered=eligible - n, options=options, max_choices=question.max_choices,
            other_texts=other_texts)}
    return {question.id: SingleQuestion(
        type="single", title=question.title, text=question.text, n=n,
        not_answered=eligible - n, options=options, other_texts=other_texts)}


def _texts(texts: pl.DataFrame) -> dict[str, list[str]]:
    """Open-ended answers and "Other (please specify)" texts by question, in response order."""
    texts = (texts.sort("row", maintain_order=True)
             .group_by("question_id", maintain_order=True)
             .agg(pl.col("value")))
    return dict(zip(texts["question_id"].cast(pl.String).to_list(), texts["value"].to_list(),
                    strict=True))


def _matrices(instrument: Instrument, counted: Tally) -> dict[str, Matrix]:
    """Each agreement grid as a whole: its wording, statements and block n."""
    return {
        question.id: Matrix(
            title=question.title,
            text=question.text,
            statements=list(question.statement_qids()),
            n=counted.n_any(list(question.statement_qids())),
        )
        for question in instrument.analysable_questions() if question.type == "matrix"
    }


def _profile(instrument: Instrument,
             questions: dict[str, QuestionEntry]) -> dict[str, ProfileGroups | int]:
    """Who answered: states represented, role groups, Census regions."""
    profile: dict[str, ProfileGroups | int] = {}
    for question in instrument.analysable_questions():
        entry = questions.get(question.id)
        if not isinstance(entry, SingleQuestion):
            continue
        groups = {o.group for o in question.options if o.group}
        if groups:
            profile[f"{question.id}_groups"] = _grouped(question, entry, "group")
        if any(o.region for o in question.options):
            profile[f"{question.id}_regions"] = _grouped(question, entry, "region")
            profile[f"{question.id}_represented"] = sum(
                1 for option in entry.options.values() if option.count > 0)
    return profile


def _grouped(question: Question, entry: SingleQuestion, attribute: str) -> ProfileGroups:
    names: dict[str, list[str]] = {}
    for option in question.options:
        name = getattr(option, attribute)
        if name:
            names.setdefault(name, []).append(option.id)
    return ProfileGroups(n=entry.n, groups={
        name: GroupTally.of(sum(entry.options[o].count for o in ids), entry.n, options=ids)
        for name, ids in names.items()})


def survey_order_layout(instrument: Instrument) -> ReportLayout:
    """The layout of an instrument without a `report:` block (one drafted or imported from
    another tool): one figure per closed question and one listing per open-ended one, in
    survey order, under the instrument's own sections. Contact questions are left out. A
    grid is drawn as diverging bars about its nets (agree / disagree) when its scale has
    two, else as stacked bars in scale order."""
    sections = []
    for section in instrument.sections:
        items = tuple(ReportItem(kind="open_ended" if q.type == "text" else "figure",
                                 title=q.text, questions=(q.id,),
                                 chart="agreement" if q.type == "matrix" else None)
                      for q in section.questions
                      if not q.pii)
        if items:
            sections.append(ReportSection(id=section.id, title=section.title, items=items))
    return ReportLayout(title=instrument.title, sections=tuple(sections))


def _sections(instrument: Instrument, questions: dict[str, QuestionEntry],
              counted: Tally) -> list[Section]:
    layout = instrument.report or survey_order_layout(instrument)
    numbers = {"figure": 0, "table": 0, "open_ended": 0}
    letters = {"figure": 0, "table": 0, "open_ended": 0}
    sections = []
    for section in layout.sections:
        items = []
        for item in section.items:
            # A supplement keeps the number before it and takes the next letter (5a, 5b).
            letters[item.kind] = letters[item.kind] + 1 if item.supplement else 0
            numbers[item.kind] += 0 if item.supplement else 1
            qids = list(item.questions)
            ns = {qid: _block_n(instrument.question(qid), questions, counted) for qid in qids}
            items.append(SectionItem(
                kind=item.kind,
                number=numbers[item.kind] if item.kind != "open_ended" else None,
                suffix=ascii_lowercase[letters[item.kind] - 1] if letters[item.kind] else "",
                title=item.title,
                chart=item.chart,
                questions=qids,
                n=ns,
                rows=_rows(instrument.question(qids[0])),
            ))
        sections.append(Section(id=section.id, title=section.title, items=items))
    return sections


def _rows(question: Question) -> list[str]:
    """The Findings question ids a figure draws: a matrix's statements, else the question."""
    return list(question.statement_qids()) if question.type == "matrix" else [question.id]


def _block_n(question: Question, questions: dict[str, QuestionEntry], counted: Tally) -> int:
    """A figure's n: for a matrix, the eligible respondents who rated any statement."""
    if question.type != "matrix":
        return questions[question.id].n
    return counted.n_any(list(question.statement_qids()))
