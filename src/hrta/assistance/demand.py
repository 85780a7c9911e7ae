"""What the TA center is asked for: TA areas across the wave, by format, Census region,
communities served, organization type and whether TA is already received; and the
services and partners organizations plan, which TA could help them reach.

Counts are of eligible respondents. A table's column n is the number in that group who
answered the TA areas question. Cells of group tables are suppressed for publication
with the report's rules (hrta.analysis.suppression): a hidden cell has `count` None and
`suppressed` true. Overall counts are not suppressed: the report publishes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from hrta.analysis.suppression import DEFAULT_THRESHOLD, suppress
from hrta.assistance.rules import Rules
from hrta.assistance.sheet import region_label
from hrta.errors import InputError
from hrta.instrument import Instrument, Option
from hrta.responses import ResponseSet

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    members: np.ndarray
    """Boolean per respondent row: in the group (eligible only)."""


class Answered:
    """Boolean matrices of who chose what, one row per respondent, eligible only."""

    def __init__(self, responses: ResponseSet) -> None:
        self.responses = responses
        self.eligible = responses.respondents["eligible"].to_numpy().astype(bool)
        choices = responses.eligible_choices()
        self.by_question = {
            key[0]: frame for key, frame in choices.with_columns(
                pl.col("question_id").cast(pl.String), pl.col("option_id").cast(pl.String)
            ).partition_by("question_id", as_dict=True, include_key=False).items()
        }

    def chosen(self, qid: str, options: list[str]) -> np.ndarray:
        """rows x options: the respondent chose the option."""
        matrix = np.zeros((self.responses.total, len(options)), dtype=bool)
        frame = self.by_question.get(qid)
        if frame is None or not options:
            return matrix
        index = {option: i for i, option in enumerate(options)}
        picked = frame.filter(pl.col("option_id").is_in(options))
        columns = np.array([index[o] for o in picked["option_id"].to_list()], dtype=np.int64)
        matrix[picked["row"].to_numpy(), columns] = True
        return matrix

    def answered(self, qid: str) -> np.ndarray:
        answered = np.zeros(self.responses.total, dtype=bool)
        frame = self.by_question.get(qid)
        if frame is not None:
            answered[frame["row"].to_numpy()] = True
        return answered

    def single(self, qid: str) -> list[str | None]:
        """The option each respondent chose for a single-choice question, or None."""
        values: list[str | None] = [None] * self.responses.total
        frame = self.by_question.get(qid)
        if frame is not None:
            for row, option in zip(frame["row"].to_list(), frame["option_id"].to_list(),
                                   strict=True):
                values[row] = option
        return values


def build_demand(responses: ResponseSet, *, rules: Rules,
                 threshold: int = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """The demand tables of a wave, as plain JSON-ready data (documented in
    docs/assistance.md)."""
    if threshold < 1:
        raise InputError(f"the suppression threshold must be at least 1, not {threshold}")
    instrument = responses.instrument
    data = Answered(responses)
    plan = rules.plan
    areas_q = instrument.question(plan.areas_question)
    areas = [o for o in areas_q.options]
    area_ids = [o.id for o in areas]
    wants = data.chosen(areas_q.id, area_ids)
    asked = data.answered(areas_q.id)
    n = int(asked.sum())
    overall = wants.sum(axis=0)
    tables = {
        "by_format": _crosstab("Preferred format (top three)", _option_groups(
            data, instrument, plan.formats_question, names=plan.format_names),
            wants, asked, areas, threshold),
        "by_region": _crosstab("Census region", _region_groups(data, instrument, rules),
                               wants, asked, areas, threshold),
        "by_community": _crosstab("Communities served", _option_groups(
            data, instrument, rules.organization.communities), wants, asked, areas, threshold),
        "by_org_type": _crosstab("Organization type", _option_groups(
            data, instrument, rules.organization.type), wants, asked, areas, threshold),
        "by_receiving": _crosstab("Currently receiving TA", _option_groups(
            data, instrument, plan.receiving_question), wants, asked, areas, threshold),
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "instrument": instrument.id,
        "source": responses.source,
        "threshold": threshold,
        "eligible": int(data.eligible.sum()),
        "areas": {
            "question": areas_q.id,
            "n": n,
            "rows": [{"id": o.id, "label": o.label, "other": o.other, "count": int(overall[i]),
                      "percent": _percent(overall[i], n)} for i, o in enumerate(areas)],
        },
        "formats": _overall(data, instrument, plan.formats_question, plan.format_names),
        "tables": tables,
        "receiving_gap": _receiving_gap(data, instrument, rules, wants, asked),
        "unlock": _unlock(data, instrument, rules, wants, asked, threshold),
    }


def _percent(count: float, n: int) -> float | None:
    return round(100.0 * float(count) / n, 1) if n else None


def _overall(data: Answered, instrument: Instrument, qid: str,
             names: dict[str, str] | None = None) -> dict[str, Any]:
    question = instrument.question(qid)
    options = list(question.options)
    chosen = data.chosen(qid, [o.id for o in options]).sum(axis=0)
    n = int(data.answered(qid).sum())
    return {"question": qid, "n": n, "rows": [
        {"id": o.id, "label": o.label, "short": (names or {}).get(o.id, o.label),
         "other": o.other, "count": int(chosen[i]), "percent": _percent(chosen[i], n)}
        for i, o in enumerate(options)]}


# --- groups --------------------------------------------------------------------------------


def _option_groups(data: Answered, instrument: Instrument, qid: str, *,
                   names: dict[str, str] | None = None) -> list[Group]:
    question = instrument.question(qid)
    options = [o for o in question.options]
    matrix = data.chosen(qid, [o.id for o in options])
    return [Group(o.id, (names or {}).get(o.id, o.label), matrix[:, i])
            for i, o in enumerate(options)]


def _region_groups(data: Answered, instrument: Instrument, rules: Rules) -> list[Group]:
    question = instrument.question(rules.organization.location)
    regions = list(dict.fromkeys(o.region for o in question.options if o.region))
    matrix = data.chosen(question.id, [o.id for o in question.options])
    groups = []
    for region in regions:
        columns = [i for i, o in enumerate(question.options) if o.region == region]
        # asarray: numpy types `any(axis=1)` as possibly a scalar; with an axis it is a row.
        members = np.asarray(matrix[:, columns].any(axis=1))
        groups.append(Group(region, region_label(region), members))
    return groups


def _crosstab(title: str, groups: list[Group], wants: np.ndarray, asked: np.ndarray,
              areas: list[Option], threshold: int) -> dict[str, Any]:
    """TA areas (rows) by groups (columns), among respondents who answered the areas."""
    # A group nobody in the wave belongs to (no answer from the territories) says nothing.
    groups = [g for g in groups if (g.members & asked).any()]
    members = np.stack([g.members & asked for g in groups], axis=1) if groups \
        else np.zeros((len(asked), 0), dtype=bool)
    counts = wants.T.astype(np.int64) @ members.astype(np.int64)
    n = members.sum(axis=0)
    hidden = suppress(counts, n, threshold=threshold, columns_sum_to_n=False) \
        if counts.size else np.zeros(counts.shape, dtype=bool)
    return {
        "title": title,
        "groups": [{"id": g.id, "label": g.label, "n": int(n[j])}
                   for j, g in enumerate(groups)],
        "not_grouped": int((asked & ~members.any(axis=1)).sum()),
        "rows": [{"id": area.id, "label": area.label, "cells": [
            _cell(counts[i, j], n[j], hidden[i, j]) for j in range(len(groups))]}
            for i, area in enumerate(areas)],
        "suppressed": int(hidden.sum()),
    }


def _cell(count: int, n: int, hidden: bool) -> dict[str, Any]:
    if hidden:
        return {"count": None, "percent": None, "suppressed": True}
    return {"count": int(count), "percent": _percent(count, int(n)), "suppressed": False}


# --- wanting and receiving TA ----------------------------------------------------------


def _receiving_gap(data: Answered, instrument: Instrument, rules: Rules, wants: np.ndarray,
                   asked: np.ndarray) -> dict[str, Any]:
    """Of those who want some TA and said whether they receive it: how many do."""
    question = instrument.question(rules.plan.receiving_question)
    answers = data.single(question.id)
    want_any = asked & wants.any(axis=1)
    # dtype given: a wave with no responses makes an empty array, float by default.
    said = np.array([a is not None for a in answers], dtype=bool) & want_any
    n = int(said.sum())
    said_answers = [answers[row] for row in np.flatnonzero(said)]
    rows = []
    for option in question.options:
        count = said_answers.count(option.id)
        rows.append({"id": option.id, "label": option.label, "other": option.other,
                     "count": count, "percent": _percent(count, n)})
    receiving = sum(said_answers.count(o) for o in rules.plan.receiving)
    not_receiving = sum(said_answers.count(o) for o in rules.plan.not_receiving)
    return {"question": question.id, "n": n, "wanting_ta": int(want_any.sum()),
            "receiving": receiving, "receiving_percent": _percent(receiving, n),
            "not_receiving": not_receiving, "not_receiving_percent": _percent(not_receiving, n),
            "rows": rows}


# --- what TA could unlock -----------------------------------------------------------------


def _unlock(data: Answered, instrument: Instrument, rules: Rules, wants: np.ndarray,
            asked: np.ndarray, threshold: int) -> dict[str, Any]:
    """Planned services and partners: how many plan each, and of them how many want TA
    and how many are not receiving any."""
    receiving = instrument.question(rules.plan.receiving_question)
    answers = data.single(receiving.id)
    not_receiving = np.array([a in rules.plan.not_receiving for a in answers], dtype=bool)
    want_any = asked & wants.any(axis=1)
    result: dict[str, Any] = {}
    services = rules.domain("services")
    partners = rules.domain("partners")
    for key, qid in (("services", services.planned if services else None),
                     ("partners", partners.planned if partners else None)):
        if qid is None:
            continue
        question = instrument.question(qid)
        options = [o for o in question.options if not o.other]
        planned = data.chosen(qid, [o.id for o in options])
        result[key] = {
            "question": qid,
            "n": int(data.answered(qid).sum()),
            "rows": sorted(
                [_unlock_row(o, planned[:, i], want_any, not_receiving, threshold)
                 for i, o in enumerate(options)],
                key=lambda row: -row["planning"]),
        }
    return result


def _unlock_row(option: Option, planning: np.ndarray, want_any: np.ndarray,
                not_receiving: np.ndarray, threshold: int) -> dict[str, Any]:
    total = int(planning.sum())
    row: dict[str, Any] = {"id": option.id, "label": option.label, "core": option.core,
                           "planning": total}
    for name, mask in (("wanting_ta", want_any), ("not_receiving_ta", not_receiving)):
        count = int((planning & mask).sum())
        # Readers know the row's total, so the complement of a part is as telling as the
        # part itself (as for multi-choice columns in the report's group tables).
        small = 0 < count < threshold or 0 < total - count < threshold
        row[name] = None if small else count
    row["suppressed"] = row["wanting_ta"] is None or row["not_receiving_ta"] is None
    return row
