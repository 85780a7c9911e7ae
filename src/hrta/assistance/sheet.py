"""The TA plan as its page shows it: every sentence of the plan's page is made here, once.

Two pages show a plan: the printable one (report/plans.py: HTML on one Letter sheet, and
PDF) and the web app's plan page. Both render a `PlanSheet`; they differ only in markup, in
the page's own headings and labels ("Next step:": the printed page takes them from the
plan's message catalog, hrta.assistance.words; the web app from its own) and in how much
they show: a `Density` trims the printed page to fit, the web page shows it all. The sheet
is written in the plan's language (`Plan.language`).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TypeVar

from hrta.assistance.plan import ASKED, KNOWLEDGE, Match, Plan, PlanArea
from hrta.assistance.profile import DomainResult
from hrta.assistance.rules import Rules, localize_rules
from hrta.assistance.words import ENGLISH, Words, words
from hrta.wording import in_sentence

_T = TypeVar("_T")

ITEM_CHARACTERS = 100


@dataclass(frozen=True)
class Density:
    """How much of a plan a page shows in full; all of it is in the JSON and on screen."""

    areas: int | None
    """Areas shown with their reasons and resources (at most the rules' `areas_shown`);
    the rest are named in one line. None: every area."""
    items: int | None
    """Strengths, gaps and gaps in knowledge listed, of each. None: all."""
    reasons: int | None = 2
    """Reasons shown per area; None: all of them, "You asked for help with this" too (a
    trimmed page leaves that one to the area's "You asked" tag)."""
    shorten: bool = True
    """Long labels and sentences cut short with "..." (their full text is in the JSON)."""


EVERYTHING = Density(None, None, None, shorten=False)

# Tried in turn until the printed plan fits one page.
DENSITIES = (Density(5, 3), Density(4, 3), Density(4, 2), Density(3, 2), Density(3, 1),
             Density(2, 1), Density(1, 0))


@dataclass(frozen=True)
class ReasonLine:
    text: str
    knowledge: bool
    """A gap in knowledge ("I don't know"), said so beside it."""


@dataclass(frozen=True)
class ResourceLine:
    match: Match
    """The resource, its format's name, whether the format is preferred, and why."""
    title: str
    publisher: str
    staff_note: str
    """The catalog's note for staff; empty on the organization's own page."""


@dataclass(frozen=True)
class AreaBlock:
    id: str
    label: str
    asked: bool
    indicated: bool
    reasons: tuple[ReasonLine, ...]
    more_reasons: int
    """Reasons left off this page ("And 2 more.")."""
    resources: tuple[ResourceLine, ...]
    note: str
    next_step: str


@dataclass(frozen=True)
class AlsoLine:
    """An area beyond those shown in full, named in one line."""

    label: str
    asked: bool


@dataclass(frozen=True)
class Band:
    """A level's range of whole scores: `high` None means up to 100, `low` None from 0."""

    label: str
    low: str | None
    high: str | None
    language: str = ENGLISH

    @property
    def text(self) -> str:
        said = words(self.language)
        if self.high is None:
            return said("band.over", label=self.label, low=self.low or "0")
        if self.low is None:
            return said("band.under", label=self.label, high=self.high)
        return said("band.range", label=self.label, low=self.low, high=self.high)


@dataclass(frozen=True)
class PlanSheet:
    response_id: str
    organization: str | None
    """The organization's type, or None when not given."""
    place: str | None
    """Its state and Census region ("Ohio (Midwest)"), or None when not given."""
    serves: str
    """The communities it serves, in a phrase; empty when not given."""
    summary: str
    domains: tuple[DomainResult, ...]
    strengths: tuple[str, ...]
    gaps: tuple[str, ...]
    knowledge: tuple[str, ...]
    headline: str
    notes: tuple[str, ...]
    formats: tuple[str, ...]
    """The short names of the organization's preferred formats, marked ★ where they fit."""
    areas: tuple[AreaBlock, ...]
    also: tuple[AlsoLine, ...]
    finish: str
    """The next step when too little was answered to judge anything; else empty."""
    not_judged: tuple[str, ...]
    not_judged_line: str
    """The same, in one line (cut short on a trimmed page)."""
    bands: tuple[Band, ...]
    language: str = ENGLISH
    """The language of every sentence and label on the sheet."""


def plan_sheet(plan: Plan, *, rules: Rules, staff: bool = False,
               density: Density = EVERYTHING) -> PlanSheet:
    """What a page of `plan` says, trimmed to `density`; the catalog's staff notes only
    for `staff`."""
    profile = plan.profile
    said = words(plan.language)
    rules = localize_rules(rules, said.language) if said.language != ENGLISH else rules
    org = profile.organization
    clip = _Clip(density.shorten)
    shown = len(plan.areas) if density.areas is None else min(density.areas,
                                                               plan.areas_shown)

    def gather(*kinds: str) -> tuple[str, ...]:
        items = [item for kind in kinds for domain in profile.domains
                 for item in getattr(domain, kind)]
        if density.items is None:
            return tuple(items)
        return tuple(textwrap.shorten(item, ITEM_CHARACTERS, placeholder=" …")
                     for item in _first(items, density.items))

    place = None
    if org.location_label:
        place = said("sheet.place", state=org.location_label,
                     region=region_label(org.region, said)) if org.region \
            else org.location_label
    serves = said("sheet.serves", communities=said.join(
        [in_sentence(c) for c in org.communities_labels])) if org.communities_labels else ""
    judged = any(domain.judged for domain in profile.domains)
    return PlanSheet(
        response_id=plan.response_id,
        organization=clip(org.type_label, 90) if org.type_label else None,
        place=place, serves=serves, summary=profile.summary,
        domains=profile.domains,
        strengths=_first(list(gather("strengths") + gather("plans")), density.items),
        gaps=gather("gaps"), knowledge=gather("knowledge_gaps"),
        headline=plan.headline, notes=plan.notes,
        formats=tuple(name for _id, name in plan.formats),
        areas=tuple(_area(area, density, staff) for area in plan.areas[:shown]),
        also=tuple(AlsoLine(clip(area.label, 90), area.asked) for area in plan.areas[shown:]),
        finish=said("sheet.finish") if not plan.complete and not judged else "",
        not_judged=plan.not_judged,
        not_judged_line=clip("; ".join(plan.not_judged), 600),
        bands=bands(rules, said.language),
        language=said.language,
    )


def region_label(region: str, said: Words | None = None) -> str:
    """A Census region's name in the catalog's language; an id it does not name, as
    words: `new_england` → "New england"."""
    said = said or words(ENGLISH)
    return said.messages.get(f"region.{region}") or region.replace("_", " ").capitalize()


def bands(rules: Rules, language: str = ENGLISH) -> tuple[Band, ...]:
    """Each level's range of whole scores, highest first."""
    found = []
    for index, level in enumerate(rules.levels):
        above = rules.levels[index - 1].min if index else None
        found.append(Band(level.label, f"{level.min:g}" if level.min else None,
                          None if above is None else f"{above - (1 if level.min else 0):g}",
                          language))
    return tuple(found)


def _area(area: PlanArea, density: Density, staff: bool) -> AreaBlock:
    clip = _Clip(density.shorten)
    reasons = list(area.reasons)
    if density.reasons is not None:
        reasons = [r for r in reasons if r.kind != ASKED]
    kept = _first(reasons, density.reasons)
    return AreaBlock(
        id=area.id, label=clip(area.label, 120), asked=area.asked, indicated=area.indicated,
        reasons=tuple(ReasonLine(clip(r.text, 200), r.kind == KNOWLEDGE) for r in kept),
        more_reasons=len(reasons) - len(kept),
        resources=tuple(_resource(match, clip, staff) for match in area.resources),
        note=area.note, next_step=clip(area.next_step, 260))


def _resource(match: Match, clip: _Clip, staff: bool) -> ResourceLine:
    resource = match.resource
    return ResourceLine(match, clip(resource.title, 160), clip(resource.publisher, 125),
                        resource.notes if staff else "")


class _Clip:
    """Cuts a text to `limit` characters at a word, as Jinja2's `truncate` does (5
    characters of leeway), when the page is trimmed; else leaves it whole."""

    def __init__(self, shorten: bool) -> None:
        self.shorten = shorten

    def __call__(self, text: str, limit: int) -> str:
        if not self.shorten or len(text) <= limit + 5:
            return text
        return text[:limit - 3].rsplit(" ", 1)[0] + "..."


def _first(items: list[_T], count: int | None) -> tuple[_T, ...]:
    return tuple(items if count is None else items[:count])
