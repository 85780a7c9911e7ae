"""Findings: every number of the stakeholder analysis as plain, JSON-ready data.

Renderers only draw Findings; they compute nothing. The shape is documented in
docs/findings-schema.md and is a public interface.
"""

from __future__ import annotations

from pathlib import Path
from string import ascii_lowercase
from typing import Any

import numpy as np
import polars as pl

from hrta import __version__
from hrta.analysis.frequencies import Tally, net_table, option_table, proportion, tally
from hrta.analysis.intervals import wilson
from hrta.instrument import Instrument, Question
from hrta.responses import ResponseSet

SCHEMA_VERSION = 1


def build_findings(responses: ResponseSet) -> dict[str, Any]:
    instrument = responses.instrument
    eligible = responses.eligible_count
    counted = tally(responses)
    n_by_qid, counts = counted.n, counted.counts

    questions: dict[str, Any] = {}
    for question in instrument.analysable_questions():
        questions.update(_question_entries(question, n_by_qid, counts, eligible))
    _attach_texts(questions, responses.eligible_texts(), instrument)

    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"hrta {__version__}",
        "instrument": instrument.id,
        "instrument_version": instrument.version,
        "title": instrument.report.title if instrument.report else instrument.title,
        "source": Path(responses.source).name if responses.source else None,
        "responses": {
            "total": responses.total,
            "eligible": eligible,
            "excluded": responses.total - eligible,
        },
        "fielded": _fielded(responses.respondents),
        "questions": questions,
        "matrices": _matrices(instrument, counted),
        "profile": _profile(instrument, questions),
        "sections": _sections(instrument, questions, counted),
        "warnings": list(responses.warnings),
    }


# Date formats of exports: SurveyMonkey's, then ISO (native files, XLSX cells).
_DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")


def _fielded(respondents: pl.DataFrame) -> dict[str, str] | None:
    """First and last day responses were started or ended, when the export has dates."""
    stamps = pl.concat([respondents["started_at"], respondents["ended_at"]]).drop_nulls()
    if stamps.is_empty():
        return None
    parsed = _parse_dates(stamps)
    if parsed.is_empty():
        return None
    return {"first": parsed.min().date().isoformat(),  # type: ignore[union-attr]
            "last": parsed.max().date().isoformat()}  # type: ignore[union-attr]


def _parse_dates(stamps: pl.Series) -> pl.Series:
    frame = stamps.to_frame("stamp").select(pl.coalesce(
        pl.col("stamp").str.strip_chars().str.to_datetime(fmt, strict=False)
        for fmt in _DATE_FORMATS))
    return frame.to_series().drop_nulls()


def _question_entries(question: Question, n_by_qid: dict[str, int],
                      counts: dict[tuple[str, str], int], eligible: int) -> dict[str, Any]:
    base = {"type": question.type, "title": question.title}
    if question.type == "text":
        n = n_by_qid.get(question.id, 0)
        return {question.id: {**base, "text": question.text, "n": n,
                              "not_answered": eligible - n, "answers": []}}
    if question.type == "matrix":
        entries = {}
        for statement in question.statements:
            qid = f"{question.id}.{statement.id}"
            n = n_by_qid.get(qid, 0)
            options = option_table(question.options, qid, n, counts)
            entries[qid] = {
                **base, "type": "matrix_statement", "matrix": question.id,
                "statement": statement.id, "text": statement.text, "n": n,
                "not_answered": eligible - n, "options": options,
                "nets": net_table(question, options, n),
            }
        return entries
    n = n_by_qid.get(question.id, 0)
    entry = {**base, "text": question.text, "n": n, "not_answered": eligible - n,
             "options": option_table(question.options, question.id, n, counts)}
    if question.type == "multi":
        entry["max_choices"] = question.max_choices
    if any(option.other for option in question.options):
        entry["other_texts"] = []
    return {question.id: entry}


def _attach_texts(questions: dict[str, Any], texts: pl.DataFrame,
                  instrument: Instrument) -> None:
    """Open-ended answers and "Other (please specify)" texts, in response order."""
    texts = (texts.sort("row", maintain_order=True)
             .group_by("question_id", maintain_order=True)
             .agg(pl.col("value")))
    for qid, values in zip(texts["question_id"].cast(pl.String).to_list(),
                           texts["value"].to_list(), strict=True):
        entry = questions.get(qid)
        if entry is None:
            continue
        key = "answers" if instrument.question(qid).type == "text" else "other_texts"
        entry[key] = values


def _matrices(instrument: Instrument, counted: Tally) -> dict[str, Any]:
    """Each agreement grid as a whole: its wording, statements and block n."""
    return {
        question.id: {
            "title": question.title,
            "text": question.text,
            "statements": list(question.statement_qids()),
            "n": counted.n_any(list(question.statement_qids())),
        }
        for question in instrument.analysable_questions() if question.type == "matrix"
    }


def _profile(instrument: Instrument, questions: dict[str, Any]) -> dict[str, Any]:
    """Who answered: states represented, role groups, Census regions."""
    profile: dict[str, Any] = {}
    for question in instrument.analysable_questions():
        if question.type != "single":
            continue
        entry = questions[question.id]
        groups = {o.group for o in question.options if o.group}
        if groups:
            profile[f"{question.id}_groups"] = _grouped(question, entry, "group")
        if any(o.region for o in question.options):
            profile[f"{question.id}_regions"] = _grouped(question, entry, "region")
            profile[f"{question.id}_represented"] = sum(
                1 for option in entry["options"].values() if option["count"] > 0)
    return profile


def _grouped(question: Question, entry: dict[str, Any], attribute: str) -> dict[str, Any]:
    n = entry["n"]
    names: dict[str, list[str]] = {}
    for option in question.options:
        name = getattr(option, attribute)
        if name:
            names.setdefault(name, []).append(option.id)
    counts = np.array([sum(entry["options"][o]["count"] for o in ids) for ids in names.values()])
    low, high = wilson(counts, n)
    return {
        "n": n,
        "groups": {
            name: {"options": ids, **proportion(int(counts[i]), n, low[i], high[i])}
            for i, (name, ids) in enumerate(names.items())
        },
    }


def _sections(instrument: Instrument, questions: dict[str, Any],
              counted: Tally) -> list[dict[str, Any]]:
    if instrument.report is None:
        return []
    numbers = {"figure": 0, "table": 0, "open_ended": 0}
    letters = {"figure": 0, "table": 0, "open_ended": 0}
    sections = []
    for section in instrument.report.sections:
        items = []
        for item in section.items:
            # A supplement keeps the number before it and takes the next letter (5a, 5b).
            letters[item.kind] = letters[item.kind] + 1 if item.supplement else 0
            numbers[item.kind] += 0 if item.supplement else 1
            qids = list(item.questions)
            ns = {qid: _block_n(instrument.question(qid), questions, counted) for qid in qids}
            items.append({
                "kind": item.kind,
                "number": numbers[item.kind] if item.kind != "open_ended" else None,
                "suffix": ascii_lowercase[letters[item.kind] - 1] if letters[item.kind] else "",
                "title": item.title,
                "chart": item.chart,
                "questions": qids,
                "n": ns,
                "rows": _rows(instrument.question(qids[0])),
            })
        sections.append({"id": section.id, "title": section.title, "items": items})
    return sections


def _rows(question: Question) -> list[str]:
    """The Findings question ids a figure draws: a matrix's statements, else the question."""
    return list(question.statement_qids()) if question.type == "matrix" else [question.id]


def _block_n(question: Question, questions: dict[str, Any], counted: Tally) -> int:
    """A figure's n: for a matrix, the eligible respondents who rated any statement."""
    if question.type != "matrix":
        return questions[question.id]["n"]
    return counted.n_any(list(question.statement_qids()))
