"""One respondent's answers: what the profile and the plan are computed from.

The command line takes them from a ResponseSet; the web app builds them from the answers
it stores, as a mapping of question ids to option ids, and gets the same result.
A question counts as answered when any option is chosen (a matrix statement when it is
rated), as in the Findings: an unanswered question is "could not judge", never a "no".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from hrta.errors import InputError
from hrta.instrument import Instrument
from hrta.responses import ResponseSet


@dataclass(frozen=True)
class Answers:
    response_id: str
    chosen: Mapping[str, frozenset[str]]
    """Question id (a matrix statement as MATRIX.STATEMENT) -> the option ids chosen."""
    texts: Mapping[str, str] = field(default_factory=dict)
    """Question id or QID.OPTION ("Other (please specify)") -> the text typed."""
    eligible: bool = True

    def answered(self, qid: str) -> bool:
        return bool(self.chosen.get(qid))

    def options(self, qid: str) -> frozenset[str]:
        return self.chosen.get(qid, frozenset())

    def option(self, qid: str) -> str | None:
        """The one option of a single-choice question or matrix statement, if answered."""
        chosen = self.chosen.get(qid)
        return next(iter(sorted(chosen))) if chosen else None

    def text(self, qid: str, option_id: str | None = None) -> str | None:
        return self.texts.get(f"{qid}.{option_id}" if option_id else qid)


def answers_from_mapping(instrument: Instrument, response_id: str,
                         answers: Mapping[str, str | Sequence[str]], *,
                         texts: Mapping[str, str] | None = None,
                         eligible: bool = True) -> Answers:
    """Answers from plain data, checked against the instrument.

    `answers` maps a question id (or MATRIX.STATEMENT) to an option id or a list of them;
    `texts` maps an open-ended question id, or QID.OPTION for an "Other" choice, to text.
    """
    valid = _valid_options(instrument)
    chosen: dict[str, frozenset[str]] = {}
    for qid, value in answers.items():
        options = [value] if isinstance(value, str) else list(value)
        if qid not in valid:
            raise InputError(f"response {response_id!r}: unknown question id {qid!r} for "
                             f"{instrument.id!r}")
        kind, allowed = valid[qid]
        unknown = [o for o in options if o not in allowed]
        if unknown:
            raise InputError(f"response {response_id!r}: unknown option {unknown[0]!r} for "
                             f"{qid!r}; expected one of: {', '.join(allowed)}")
        if kind in ("single", "matrix") and len(set(options)) > 1:
            raise InputError(f"response {response_id!r}: {qid!r} takes one answer, not "
                             f"{len(options)}")
        if options:
            chosen[qid] = frozenset(options)
    return Answers(response_id, chosen, dict(texts or {}), eligible)


def answers_of(responses: ResponseSet, response_id: str) -> Answers:
    """The answers of one respondent; InputError naming the file if there is no such id."""
    ids = responses.respondents["response_id"]
    matches = (ids == response_id).arg_true()
    if matches.len() == 0:
        sample = ", ".join(ids.head(3).to_list())
        raise InputError(f"no respondent with id {response_id!r} among {responses.total:,} "
                         f"responses (ids look like: {sample})", file=responses.source or None)
    return _collect(responses, [int(matches[0])])[response_id]


def all_answers(responses: ResponseSet) -> dict[str, Answers]:
    """Every respondent's answers, keyed by response id, in file order."""
    return _collect(responses, list(range(responses.total)))


def _collect(responses: ResponseSet, rows: list[int]) -> dict[str, Answers]:
    choices, texts = responses.choices, responses.texts
    if len(rows) < responses.total:
        wanted = pl.Series(rows, dtype=pl.UInt32).implode()
        choices = choices.filter(pl.col("row").is_in(wanted))
        texts = texts.filter(pl.col("row").is_in(wanted))
    grouped = choices.group_by("row", "question_id").agg("option_id").select(
        "row", pl.col("question_id").cast(pl.String),
        pl.col("option_id").cast(pl.List(pl.String)))
    texts = texts.select("row", pl.col("question_id").cast(pl.String),
                         pl.col("option_id").cast(pl.String), "value")
    by_row: dict[int, dict[str, frozenset[str]]] = {row: {} for row in rows}
    for row, qid, options in grouped.iter_rows():
        by_row[row][qid] = frozenset(options)
    text_by_row: dict[int, dict[str, str]] = {row: {} for row in rows}
    for row, qid, option, value in texts.iter_rows():
        if value is not None and value.strip():
            text_by_row[row][f"{qid}.{option}" if option else qid] = value
    ids = responses.respondents["response_id"].to_list()
    eligible = responses.respondents["eligible"].to_list()
    return {
        ids[row]: Answers(ids[row], by_row[row], text_by_row[row], bool(eligible[row]))
        for row in rows
    }


def _valid_options(instrument: Instrument) -> dict[str, tuple[str, tuple[str, ...]]]:
    valid: dict[str, tuple[str, tuple[str, ...]]] = {}
    for question in instrument.analysable_questions():
        if question.type == "matrix":
            for qid in question.statement_qids():
                valid[qid] = ("matrix", question.option_ids)
        elif question.type in ("single", "multi"):
            valid[question.id] = (question.type, question.option_ids)
    return valid
