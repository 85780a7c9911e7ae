"""The TA plan of one organization: the areas it asked for and the ones its answers point
to, each with its reasons, matched catalog resources (its preferred formats first) and a
next step. The rules that point to areas, and the ranking of resources, are data
(rules.py); a rule whose question was not answered does not fire.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hrta.assistance.answers import Answers
from hrta.assistance.catalog import Catalog, Resource
from hrta.assistance.profile import Profile, build_profile, in_language, option_label
from hrta.assistance.rules import Condition, Rules
from hrta.assistance.words import ENGLISH, Words
from hrta.instrument import Instrument, Option, Question
from hrta.wording import in_sentence

ASKED = "asked"
ANSWERS = "answers"
KNOWLEDGE = "knowledge"


@dataclass(frozen=True)
class Reason:
    kind: str
    """`asked` (the organization chose the area), `answers` or `knowledge` (a rule fired on
    its answers; `knowledge` when the answer was "I don't know")."""
    text: str
    rule: str | None = None


@dataclass(frozen=True)
class Match:
    resource: Resource
    relevance: float
    """The resource's points for this organization (the rules' `ranking`); the most
    relevant resources of an area are shown. Not a readiness score."""
    preferred_format: bool
    why: tuple[str, ...]
    format_label: str

    def to_json(self, *, staff: bool = True) -> dict[str, Any]:
        data = self.resource.to_json()
        if not staff:
            del data["notes"]
        return {**data, "format_label": self.format_label, "relevance": self.relevance,
                "preferred_format": self.preferred_format, "why": list(self.why)}


@dataclass(frozen=True)
class PlanArea:
    id: str
    label: str
    asked: bool
    reasons: tuple[Reason, ...]
    resources: tuple[Match, ...]
    next_step: str
    note: str = ""
    """Said when no resource fits (none in the catalog, or none in a preferred format)."""

    @property
    def indicated(self) -> bool:
        return any(reason.kind != ASKED for reason in self.reasons)


@dataclass(frozen=True)
class Plan:
    response_id: str
    instrument: str
    profile: Profile
    areas: tuple[PlanArea, ...]
    areas_shown: int
    formats: tuple[tuple[str, str], ...]
    """The organization's preferred formats (id, short name), in the instrument's order."""
    receiving_ta: str | None
    receiving_label: str | None
    headline: str
    notes: tuple[str, ...] = ()
    complete: bool = True
    """False when too little was answered to recommend anything."""
    not_judged: tuple[str, ...] = field(default_factory=tuple)
    language: str = ENGLISH
    """The language its sentences and labels are written in (the profile's too)."""

    @property
    def shown(self) -> tuple[PlanArea, ...]:
        return self.areas[:self.areas_shown]

    @property
    def also(self) -> tuple[PlanArea, ...]:
        return self.areas[self.areas_shown:]

    def to_json(self, *, staff: bool = True) -> dict[str, Any]:
        """Plain data; staff notes on resources only when `staff`."""
        profile = self.profile.to_json()
        return {
            "response_id": self.response_id,
            "instrument": self.instrument,
            "complete": self.complete,
            "headline": self.headline,
            "notes": list(self.notes),
            "organization": profile["organization"],
            "formats": [{"id": i, "label": label} for i, label in self.formats],
            "receiving_ta": self.receiving_ta,
            "receiving_label": self.receiving_label,
            "areas_shown": self.areas_shown,
            "areas": [{
                "id": area.id, "label": area.label, "asked": area.asked,
                "indicated": area.indicated,
                "reasons": [{"kind": r.kind, "text": r.text, "rule": r.rule}
                            for r in area.reasons],
                "resources": [m.to_json(staff=staff) for m in area.resources],
                "next_step": area.next_step, "note": area.note,
            } for area in self.areas],
            "not_judged": list(self.not_judged),
            "profile": profile,
        }


def build_plan(answers: Answers, *, instrument: Instrument, rules: Rules, catalog: Catalog,
               profile: Profile | None = None, language: str | None = ENGLISH) -> Plan:
    """The TA plan of one response (and its readiness profile, built if not given), its
    sentences, and the questionnaire's and the rules' labels, in `language`."""
    if profile is None:
        profile = build_profile(answers, instrument=instrument, rules=rules,
                                language=language)
    instrument, rules, said = in_language(instrument, rules, language)
    spec = rules.plan
    areas_q = instrument.question(spec.areas_question)
    formats_q = instrument.question(spec.formats_question)
    receiving_q = instrument.question(spec.receiving_question)
    reasons: dict[str, list[Reason]] = {}
    asked = answers.options(areas_q.id)
    for area in areas_q.option_ids:
        if area in asked:
            typed = answers.text(areas_q.id, area)
            text = said("plan.asked_typed", typed=typed) if typed and \
                areas_q.option(area).other else said("plan.asked")
            reasons.setdefault(area, []).append(Reason(ASKED, text))
    for rule in spec.rules:
        outcome = _evaluate(rule.when, answers, instrument, rules)
        if outcome.value:
            text = rule.reason.format(
                answer=outcome.answer or "", matched=said.join(outcome.matched),
                count=outcome.count, total=outcome.total)
            reasons.setdefault(rule.area, []).append(Reason(rule.kind, " ".join(text.split()),
                                                            rule.id))
    order = {area: index for index, area in enumerate(areas_q.option_ids)}

    def priority(area: str) -> tuple[int, int, int]:
        found = reasons[area]
        was_asked = any(r.kind == ASKED for r in found)
        from_answers = sum(r.kind == ANSWERS for r in found)
        from_knowledge = sum(r.kind == KNOWLEDGE for r in found)
        indicated = from_answers + from_knowledge > 0
        group = 0 if was_asked and indicated else 1 if was_asked else 2
        return (group, -(2 * from_answers + from_knowledge), order[area])

    preferred = [o for o in formats_q.options if o.id in answers.options(formats_q.id)
                 and not o.other]
    context = _Context(answers, instrument, rules, {o.id for o in preferred}, said)
    used: set[str] = set()
    areas = []
    for area in sorted(reasons, key=priority):
        label = option_label(areas_q, area, answers.text(areas_q.id, area)) or area
        matches, note = _match(area, catalog, context, used, spec.resources_per_area)
        used.update(m.resource.id for m in matches)
        areas.append(PlanArea(area, label, area in asked, tuple(reasons[area]),
                              tuple(matches), " ".join(spec.next_steps[area].split()), note))
    receiving = answers.option(receiving_q.id)
    complete = bool(areas)
    notes = []
    if complete and not answers.answered(formats_q.id):
        notes.append(said("plan.no_formats"))
    if complete and not answers.answered(areas_q.id):
        notes.append(said("plan.no_areas"))
    headline = _headline(areas, said, judged=any(d.judged for d in profile.domains))
    return Plan(answers.response_id, instrument.id, profile, tuple(areas), spec.areas_shown,
                tuple((o.id, spec.format_names[o.id]) for o in preferred), receiving,
                receiving_q.option(receiving).label if receiving else None, headline,
                tuple(notes), complete, profile.not_judged, said.language)


def _headline(areas: list[PlanArea], said: Words, *, judged: bool) -> str:
    if not areas and not judged:
        return said("plan.too_little")
    if not areas:
        return said("plan.no_area")
    return said.count("plan.headline", len(areas), first=in_sentence(areas[0].label))


# --- conditions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    value: bool | None
    """None when a question it tests was not answered: unknown, so the rule does not fire."""
    matched: tuple[str, ...] = ()
    answer: str | None = None
    count: int = 0
    total: int = 0


def _evaluate(condition: Condition, answers: Answers, instrument: Instrument,
              rules: Rules) -> _Outcome:
    if condition.all_of is not None or condition.any_of is not None:
        parts = [_evaluate(c, answers, instrument, rules)
                 for c in (condition.all_of or condition.any_of or ())]
        values = [p.value for p in parts]
        if condition.all_of is not None:
            value = False if False in values else None if None in values else True
            chosen = parts
        else:
            value = True if True in values else None if None in values else False
            chosen = [p for p in parts if p.value]
        first = next((p for p in chosen if p.answer), chosen[0] if chosen else _Outcome(None))
        return _Outcome(value, tuple(m for p in chosen for m in p.matched), first.answer,
                        first.count, first.total)
    qid = condition.question or ""
    statement = "." in qid
    question = instrument.question(qid.partition(".")[0]) if statement \
        else instrument.question(qid)
    if not answers.answered(qid):
        return _Outcome(None)
    pool = _options(question, condition.options)
    if condition.excluding is not None:
        pool = [o for o in pool if o.id not in answers.options(condition.excluding)]
    picked = [o for o in pool if o.id in answers.options(qid)]
    count = len(picked)
    if condition.at_least is not None:
        value = count >= condition.at_least
    elif condition.fewer_than is not None:
        value = count < condition.fewer_than
    elif condition.chosen == "none":
        value = count == 0
    else:
        value = count > 0
    answer_id = answers.option(qid)
    answer = in_sentence(question.option(answer_id).label) if answer_id and \
        question.type != "multi" else None
    matched: tuple[str, ...]
    if statement:
        matched = (rules.statement_label(qid),) if value else ()
    else:
        matched = tuple(in_sentence(o.label) for o in picked)
    return _Outcome(value, matched, answer, count, len(pool))


def _options(question: Question, selector: Any) -> list[Option]:
    if selector is None:
        return list(question.options)
    if isinstance(selector, dict):
        return [o for o in question.options
                if all(getattr(o, key) == value for key, value in selector.items())]
    return [o for o in question.options if o.id in selector]


# --- matching resources -------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    answers: Answers
    instrument: Instrument
    rules: Rules
    preferred: set[str]
    said: Words

    def services(self) -> tuple[set[str], set[str]]:
        domain = self.rules.domain("services")
        if domain is None:
            return set(), set()
        planned = set(self.answers.options(domain.planned))
        provided = set(self.answers.options(domain.direct)) \
            | set(self.answers.options(domain.referral))
        return planned, provided


def _match(area: str, catalog: Catalog, context: _Context, used: set[str],
           limit: int) -> tuple[list[Match], str]:
    candidates = catalog.about(area)
    said = context.said
    if not candidates:
        return [], said("plan.no_resource")
    ranked = [_relevance(resource, context) for resource in candidates]
    ranked.sort(key=lambda m: (-m.relevance, -(m.resource.last_reviewed.toordinal()
                                               if m.resource.last_reviewed else 0),
                               m.resource.title.lower()))
    fresh = [m for m in ranked if m.resource.id not in used]
    chosen = fresh[:limit]
    note = ""
    if not chosen:
        note = said("plan.listed_above")
    elif context.preferred and not any(m.preferred_format for m in chosen):
        note = said("plan.closest")
    return chosen, note


def _relevance(resource: Resource, context: _Context) -> Match:
    points = context.rules.plan.ranking
    answers = context.answers
    said = context.said
    relevance = 0.0
    why: list[str] = []
    preferred = resource.format in context.preferred
    if preferred:
        relevance += points.preferred_format
        why.append(said("why.preferred"))
    planned, provided = context.services()
    services_q = context.rules.domain("services")
    labels = {o.id: o.label for o in context.instrument.question(services_q.direct).options} \
        if services_q else {}
    planned_hits = [s for s in resource.services if s in planned]
    if planned_hits:
        relevance += points.planned_service
        why.append(said("why.planned", services=said.join(
            [in_sentence(labels[s]) for s in planned_hits])))
    elif any(s in provided for s in resource.services):
        relevance += points.provided_service
        why.append(said("why.provided"))
    organization = context.rules.organization
    communities = answers.options(organization.communities)
    org_type = answers.option(organization.type)
    mismatch = False
    if resource.communities and communities:
        shared = [c for c in resource.communities if c in communities]
        if shared:
            relevance += points.community
            question = context.instrument.question(organization.communities)
            why.append(said("why.communities", communities=said.join(
                [in_sentence(question.option(c).label) for c in shared])))
        else:
            mismatch = True
    if resource.org_types and org_type:
        if org_type in resource.org_types:
            relevance += points.org_type
            why.append(said("why.org_type"))
        else:
            mismatch = True
    if mismatch:
        relevance += points.other_audience
    return Match(resource, relevance, preferred, tuple(why),
                 context.rules.plan.format_names[resource.format])
