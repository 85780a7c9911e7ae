"""Cohorts for the TA center to invite: organizations in one Census region that want the
same TA area in a facilitated small-group discussion, among those that agreed to be
contacted.

Consent lives with contact details, which are kept apart from answers: the web app knows
who consented; on the command line a respondent who left contact details counts as
consenting (`consenting_ids`), or staff pass the ids themselves. Cohorts name response ids
only; the center looks the contacts up where they are kept. They are for staff, never
published, so they are not suppressed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from hrta.assistance.demand import Answered
from hrta.assistance.profile import option_label, plain
from hrta.assistance.rules import Rules
from hrta.assistance.sheet import region_label
from hrta.errors import InputError
from hrta.responses import ResponseSet


@dataclass(frozen=True)
class Member:
    response_id: str
    organization: str | None
    state: str | None


@dataclass(frozen=True)
class Cohort:
    area: str
    area_label: str
    region: str
    region_label: str
    format: str
    members: tuple[Member, ...]

    @property
    def size(self) -> int:
        return len(self.members)

    def to_json(self) -> dict[str, Any]:
        return {**plain(asdict(self)), "size": self.size}


def consenting_ids(responses: ResponseSet) -> set[str]:
    """Respondents who left any contact detail (the command line's stand-in for consent)."""
    rows = responses.contacts.filter(pl.col("value").str.strip_chars().str.len_chars() > 0)
    ids = responses.respondents["response_id"].to_list()
    return {ids[row] for row in rows["row"].unique().to_list()}


def read_ids(path: Path) -> set[str]:
    """Response ids from a text file, one a line (blank lines and # comments skipped)."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the list of response ids: {exc}", file=str(path)) \
            from exc
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def find_cohorts(responses: ResponseSet, *, rules: Rules, consenting: Iterable[str],
                 min_size: int | None = None) -> list[Cohort]:
    """Cohorts of consenting organizations, largest first; `min_size` defaults to the
    rules' `cohort_min_size`."""
    instrument = responses.instrument
    minimum = rules.demand.cohort_min_size if min_size is None else min_size
    if minimum < 1:
        raise InputError(f"a cohort needs at least 1 member, not {minimum}")
    ids = responses.respondents["response_id"].to_list()
    consenting = set(consenting)
    unknown = sorted(consenting - set(ids))
    if unknown:
        raise InputError(f"{len(unknown)} consenting id(s) are not in the wave, e.g. "
                         f"{unknown[0]!r}", file=responses.source or None)
    data = Answered(responses)
    areas_q = instrument.question(rules.plan.areas_question)
    areas = [o for o in areas_q.options if not o.other]
    location = instrument.question(rules.organization.location)
    kind = instrument.question(rules.organization.type)
    wanted_format = rules.demand.cohort_format
    invited = np.array([i in consenting for i in ids], dtype=bool) & data.eligible \
        & data.chosen(rules.plan.formats_question, [wanted_format])[:, 0]
    wants = data.chosen(areas_q.id, [o.id for o in areas])
    states = data.single(location.id)
    types = data.single(kind.id)
    regions = [location.option(s).region if s else None for s in states]
    typed = dict(responses.texts.filter(pl.col("question_id") == kind.id)
                 .select("row", "value").iter_rows())
    cohorts = []
    for region in dict.fromkeys(o.region for o in location.options if o.region):
        in_region = invited & np.array([r == region for r in regions], dtype=bool)
        for index, area in enumerate(areas):
            rows = np.flatnonzero(in_region & wants[:, index])
            if rows.size < minimum:
                continue
            # Every row here is in a region, so its state was answered.
            members = tuple(Member(ids[row], option_label(kind, types[row], typed.get(row)),
                                   location.option(states[row] or "").label) for row in rows)
            cohorts.append(Cohort(area.id, area.label, region, region_label(region),
                                  wanted_format, members))
    order = {option.id: index for index, option in enumerate(areas)}
    cohorts.sort(key=lambda c: (-c.size, order[c.area], c.region))
    return cohorts

