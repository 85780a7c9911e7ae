"""The dashboard's filters: which eligible respondents a filtered view keeps.

Each filter is written in the `--by` syntax of the `hrta` command (hrta.analysis.grouping),
so a filtered dashboard keeps exactly the respondents a `--by` comparison puts in that
group. The filters name question ids of the bundled instrument; a wave whose instrument
lacks one simply has no such filter. Filtering keeps ResponseSet rows; Findings are then
built from what is left by the same function as for the whole wave.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from django.utils.translation import gettext_lazy as _

from hrta.analysis.grouping import resolve_grouping
from hrta.instrument import Instrument
from hrta.responses import ResponseSet

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class FilterSpec:
    key: str  # the query parameter
    label: StrOrPromise
    question: str
    attribute: str = ""  # group by this option attribute instead of by option


FILTERS = (
    FilterSpec("org_type", _("Organization type"), "org_type"),
    FilterSpec("communities", _("Communities served"), "communities"),
    FilterSpec("region", _("Census region"), "state", attribute="region"),
)

Selection = tuple[tuple[str, str], ...]
"""Chosen filters as sorted (key, value) pairs: hashable, and a cache key as it stands."""


@dataclass(frozen=True)
class FilterField:
    """One filter as the page draws it: a select with its choices."""

    key: str
    label: str
    choices: tuple[tuple[str, str], ...]
    chosen: str = ""


def available(instrument: Instrument) -> list[FilterSpec]:
    """The filters this instrument can serve."""
    known = {q.id: q for q in instrument.analysable_questions()}
    found = []
    for spec in FILTERS:
        question = known.get(spec.question)
        if question is None or question.type not in ("single", "multi"):
            continue
        if spec.attribute and (question.type != "single" or not any(
                getattr(o, spec.attribute) for o in question.options)):
            continue
        found.append(spec)
    return found


def _by(spec: FilterSpec, value: str, question_type: str) -> str:
    if spec.attribute:
        return f"{spec.question}.{spec.attribute}"
    return f"{spec.question}={value}" if question_type == "multi" else spec.question


def fields(responses: ResponseSet, selection: Selection,
           wording: Instrument | None = None) -> list[FilterField]:
    """Each available filter with the groups the wave has respondents in; a group that is
    one of the question's options is named in `wording` (the instrument in the reader's
    language) when given."""
    chosen = dict(selection)
    instrument = responses.instrument
    drawn = []
    for spec in available(instrument):
        question = instrument.question(spec.question)
        if question.type == "multi":
            choices = tuple((o.id, o.label) for o in question.options)
        else:
            grouping = resolve_grouping(responses, _by(spec, "", question.type))
            choices = tuple((g.id, g.label) for g in grouping.groups)
        if wording is not None:
            named = {o.id: o.label for o in wording.question(spec.question).options}
            choices = tuple((key, named.get(key, label)) for key, label in choices)
        drawn.append(FilterField(spec.key, str(spec.label), choices, chosen.get(spec.key, "")))
    return drawn


def read_selection(instrument: Instrument, params: Mapping[str, str]) -> Selection:
    """The filters chosen in a query string; empty and unknown keys are left out."""
    keys = {spec.key for spec in available(instrument)}
    return tuple(sorted((key, str(params[key])[:100]) for key in keys if params.get(key)))


def keep_rows(responses: ResponseSet, selection: Selection) -> np.ndarray:
    """Which respondent rows every chosen filter keeps (a boolean mask)."""
    keep = np.ones(responses.total, dtype=bool)
    specs = {spec.key: spec for spec in available(responses.instrument)}
    for key, value in selection:
        spec = specs[key]
        question = responses.instrument.question(spec.question)
        grouping = resolve_grouping(responses, _by(spec, value, question.type))
        index = next((i for i, g in enumerate(grouping.groups) if g.id == value), None)
        if index is None:
            return np.zeros(responses.total, dtype=bool)
        keep &= grouping.codes == index
    return keep


def filter_responses(responses: ResponseSet, selection: Selection) -> ResponseSet:
    """The ResponseSet of the respondents the filters keep, rows renumbered from 0."""
    if not selection:
        return responses
    keep = keep_rows(responses, selection)
    new_row = np.full(responses.total, -1, dtype=np.int64)
    new_row[keep] = np.arange(int(keep.sum()))

    def take(frame: pl.DataFrame) -> pl.DataFrame:
        rows = frame["row"].to_numpy()
        kept = keep[rows]
        return frame.filter(pl.Series(kept, dtype=pl.Boolean)).with_columns(
            row=pl.Series(new_row[rows[kept]], dtype=pl.UInt32))

    return dataclasses.replace(
        responses,
        respondents=responses.respondents.filter(pl.Series(keep, dtype=pl.Boolean)),
        choices=take(responses.choices), texts=take(responses.texts),
        contacts=take(responses.contacts))
