"""The readiness profile of one organization: a score, a level and a sentence per domain.

Domains and their scoring come from the rules file (rules.py); this module only applies
them. An unanswered question is never read as a "no": a domain with nothing answered is
"not judged", and "I don't know" is a gap in knowledge, kept out of the score.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from hrta.assistance.answers import Answers
from hrta.assistance.rules import (
    AgreementDomain,
    PartnersDomain,
    Rules,
    ServicesDomain,
    localize_rules,
)
from hrta.assistance.words import ENGLISH, Words, words
from hrta.instrument import Instrument, Option, Question
from hrta.instrument.translation import translate
from hrta.wording import capitalize, in_sentence

NOT_JUDGED = "not_judged"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class ServiceState:
    id: str
    label: str
    core: bool
    direct: bool
    referral: bool
    planned: bool


@dataclass(frozen=True)
class Approach:
    """A program approach of the continuum and where the organization stands on its
    services."""

    id: str
    label: str
    covered: bool
    """At least one of its services is provided directly or through referral."""
    services: tuple[ServiceState, ...]


@dataclass(frozen=True)
class ServicesDetail:
    approaches: tuple[Approach, ...]
    core_total: int


@dataclass(frozen=True)
class PartnerGroup:
    id: str
    label: str
    weight: float
    current: tuple[str, ...]
    """Partner (option) ids of the group the organization works with."""
    planned: tuple[str, ...]
    """Those it plans to work with and does not yet."""


@dataclass(frozen=True)
class PartnersDetail:
    groups: tuple[PartnerGroup, ...]


@dataclass(frozen=True)
class Rating:
    """The answer to one agreement statement; `answer` None when not answered."""

    id: str
    label: str
    text: str
    answer: str | None
    answer_label: str | None


@dataclass(frozen=True)
class AgreementDetail:
    statements: tuple[Rating, ...]


Detail = ServicesDetail | PartnersDetail | AgreementDetail


@dataclass(frozen=True)
class Organization:
    """Who the organization is, from its answers; None (or empty) where not answered."""

    type: str | None
    type_label: str | None
    location: str | None
    location_label: str | None
    region: str | None
    communities: tuple[str, ...]
    communities_labels: tuple[str, ...]


@dataclass(frozen=True)
class DomainResult:
    id: str
    title: str
    kind: str
    level: str
    """A level id of the rules, or `not_judged` (nothing answered) or `unknown` (every
    answer was "I don't know")."""
    level_label: str
    sentence: str
    """The score explained in plain words."""
    score: int | None = None
    basis: str = ""
    """How the score is worked out, in one sentence."""
    strengths: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()
    knowledge_gaps: tuple[str, ...] = ()
    plans: tuple[str, ...] = ()
    not_judged: tuple[str, ...] = ()
    """What could not be judged because it was not answered."""
    detail: Detail | None = None
    """What the score was worked out from, answer by answer."""

    @property
    def judged(self) -> bool:
        return self.score is not None


@dataclass(frozen=True)
class Profile:
    response_id: str
    instrument: str
    organization: Organization
    domains: tuple[DomainResult, ...]
    summary: str
    language: str = ENGLISH
    """The language its sentences and labels are written in."""

    @property
    def not_judged(self) -> tuple[str, ...]:
        return tuple(item for domain in self.domains for item in domain.not_judged)

    def domain(self, domain_id: str) -> DomainResult:
        return next(d for d in self.domains if d.id == domain_id)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = plain(asdict(self))
        del data["language"]
        for domain, result in zip(data["domains"], self.domains, strict=True):
            domain["judged"] = result.judged
        data["not_judged"] = list(self.not_judged)
        return data


def plain(value: Any) -> Any:
    """Tuples as lists, all the way down: the shape JSON gives back."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def in_language(instrument: Instrument, rules: Rules, language: str | None
                ) -> tuple[Instrument, Rules, Words]:
    """The instrument, the rules and the catalog of sentences in `language` (English, the
    instrument's own wording, when None or when nothing is translated)."""
    said = words(language)
    if said.language == ENGLISH:
        return instrument, rules, said
    return _translated(instrument, said.language), localize_rules(rules, said.language), said


_TRANSLATED: dict[tuple[int, str], tuple[Instrument, Instrument]] = {}


def _translated(instrument: Instrument, language: str) -> Instrument:
    # Kept per instrument object: a wave of plans translates the questionnaire once.
    key = (id(instrument), language)
    found = _TRANSLATED.get(key)
    if found is None or found[0] is not instrument:
        found = _TRANSLATED[key] = (instrument, translate(instrument, language))
    return found[1]


def build_profile(answers: Answers, *, instrument: Instrument, rules: Rules,
                  language: str | None = ENGLISH) -> Profile:
    """The readiness profile of one response, its sentences and labels in `language`."""
    instrument, rules, said = in_language(instrument, rules, language)
    results = []
    for domain in rules.domains:
        if isinstance(domain, ServicesDomain):
            results.append(_services(domain, answers, instrument, rules, said))
        elif isinstance(domain, PartnersDomain):
            results.append(_partners(domain, answers, instrument, rules, said))
        else:
            results.append(_agreement(domain, answers, instrument, rules, said))
    return Profile(answers.response_id, instrument.id, describe_organization(answers, instrument,
                                                                            rules),
                   tuple(results), _summary(results, said), said.language)


def describe_organization(answers: Answers, instrument: Instrument,
                          rules: Rules) -> Organization:
    """Who the organization is, from its answers: type, state, region, communities."""
    spec = rules.organization
    kind = instrument.question(spec.type)
    location = instrument.question(spec.location)
    communities = instrument.question(spec.communities)
    type_id = answers.option(kind.id)
    state_id = answers.option(location.id)
    type_label = option_label(kind, type_id, answers.text(kind.id, type_id) if type_id else None)
    state = location.option(state_id) if state_id else None
    chosen = [o for o in communities.options if o.id in answers.options(communities.id)]
    return Organization(type_id, type_label, state_id, state.label if state else None,
                        state.region if state else None, tuple(o.id for o in chosen),
                        tuple(o.label for o in chosen))


def option_label(question: Question, option_id: str | None, typed: str | None) -> str | None:
    """An option's label; for "Other (please specify)", 'Other: ' and what was typed (in
    any language: the bracket that asks to specify is left off)."""
    if option_id is None:
        return None
    option = question.option(option_id)
    if option.other and typed:
        return f"{_SPECIFY.sub('', option.label)}: {typed}"
    return option.label


_SPECIFY = re.compile(r"\s*\([^()]*\)\s*$")


# --- continuum of services ---------------------------------------------------------------


def _services(domain: ServicesDomain, answers: Answers, instrument: Instrument,
              rules: Rules, said: Words) -> DomainResult:
    direct_q = instrument.question(domain.direct)
    direct = answers.options(domain.direct)
    referral = answers.options(domain.referral)
    planned = answers.options(domain.planned)
    has_direct = answers.answered(domain.direct)
    has_referral = answers.answered(domain.referral)
    services = [o for o in direct_q.options if not o.other]
    core = [o for o in services if o.core]
    detail = ServicesDetail(_approaches(instrument, services, direct, referral, planned),
                            len(core))
    # A service planned but already provided directly is nothing new to add.
    new = planned - direct
    plans = _label_list(said, said("services.plans"), [o for o in core if o.id in new],
                        [o for o in services if o.id in new and not o.core])
    missing = []
    if not has_direct:
        missing.append(said("services.direct_not_answered"))
    if not has_referral:
        missing.append(said("services.referral_not_answered"))
    if not has_direct and not has_referral:
        return DomainResult(domain.id, domain.title, domain.kind, NOT_JUDGED,
                            said("level.not_judged"), said("services.not_judged"),
                            plans=plans, not_judged=tuple(missing), detail=detail)
    core_direct = [o for o in core if o.id in direct]
    core_referral = [o for o in core if o.id in referral and o.id not in direct]
    credit = domain.credit["direct"] * len(core_direct) \
        + domain.credit["referral"] * len(core_referral)
    score = round(100 * credit / len(core))
    level = rules.level_of(score)
    counts = {"direct": len(core_direct), "referral": len(core_referral), "core": len(core)}
    if has_direct and has_referral:
        sentence = said("services.direct_and_referral", **counts)
    elif has_direct:
        sentence = said("services.direct", **counts)
    else:
        sentence = said("services.referral", **counts)
    core_planned = [o for o in core if o.id in new]
    if core_planned:
        sentence += said("services.plans_more", count=len(core_planned))
    strengths = []
    if core_direct:
        strengths.append(said("services.provides", services=_labels(said, core_direct)))
    if core_referral:
        strengths.append(said("services.refers", services=_labels(said, core_referral)))
    gaps = []
    if has_direct and has_referral:
        absent = [o for o in core if o.id not in direct and o.id not in referral]
        if absent:
            gaps.append(said("services.absent", services=_labels(said, absent)))
        empty = [_approach_name(a) for a in detail.approaches if not a.covered]
        if empty:
            gaps.append(said("services.approaches_empty", approaches=said.join(
                [in_sentence(label) for label in empty])))
    basis = said("services.basis", score=score, core=len(core),
                 direct=_number(domain.credit["direct"]),
                 referral=_number(domain.credit["referral"]))
    return DomainResult(domain.id, domain.title, domain.kind, level.id, level.label, sentence,
                        score, basis, tuple(strengths), tuple(gaps), (), plans, tuple(missing),
                        detail)


def _approach_name(approach: Approach) -> str:
    """An approach as the respondent met it: a program approach with one service in the
    questionnaire is named by that service's label, which is what they read ("overdose
    prevention sites or supervised consumption services", never a name the form did not
    use)."""
    if len(approach.services) == 1:
        return approach.services[0].label
    return approach.label


def _approaches(instrument: Instrument, services: list[Option], direct: frozenset[str],
                referral: frozenset[str], planned: frozenset[str]) -> tuple[Approach, ...]:
    rows = []
    for approach in instrument.program_approaches:
        entries = tuple(ServiceState(o.id, o.label, o.core, o.id in direct, o.id in referral,
                                     o.id in planned)
                        for o in services if o.approach == approach.id)
        rows.append(Approach(approach.id, approach.label,
                             any(e.direct or e.referral for e in entries), entries))
    return tuple(rows)


# --- partnerships -------------------------------------------------------------------------


def _partners(domain: PartnersDomain, answers: Answers, instrument: Instrument,
              rules: Rules, said: Words) -> DomainResult:
    question = instrument.question(domain.current)
    current = answers.options(domain.current)
    planned = answers.options(domain.planned)
    labels = {o.id: o.label for o in question.options}
    groups = [PartnerGroup(g.id, g.label, g.weight,
                           tuple(o for o in g.options if o in current),
                           tuple(o for o in g.options if o in planned and o not in current))
              for g in domain.groups]
    planned_options = [question.option(o) for o in question.option_ids
                       if o in planned and o not in current and not question.option(o).other]
    plans = (said("partners.plans", partners=_labels(said, planned_options)),) \
        if planned_options else ()
    detail = PartnersDetail(tuple(groups))
    if not answers.answered(domain.current):
        return DomainResult(domain.id, domain.title, domain.kind, NOT_JUDGED,
                            said("level.not_judged"), said("partners.not_judged"),
                            plans=plans, not_judged=(said("partners.not_answered"),),
                            detail=detail)
    reached = [g for g in groups if g.current]
    total_weight = sum(g.weight for g in groups)
    score = round(100 * sum(g.weight for g in reached) / total_weight)
    level = rules.level_of(score)
    kinds = sum(len(g.current) for g in groups)
    sentence = said.count("partners.sentence", kinds, reached=len(reached),
                          groups=len(groups))
    unreached = [g for g in groups if not g.current]
    if unreached:
        sentence += said("partners.none_yet", groups=said.join([g.label for g in unreached]))
    sentence += said("period")
    strengths = tuple(said("partners.strength", group=capitalize(g.label), partners=said.join(
        [in_sentence(labels[o]) for o in g.current])) for g in reached)
    gaps = tuple(said("partners.gap", group=g.label) for g in unreached)
    weights = sorted({g.weight for g in groups})
    weighting = "" if len(weights) == 1 else said(
        "partners.weighting", heavier=said.join(
            [said("partners.weigh", group=g.label, weight=_number(g.weight)) for g in groups
             if g.weight != weights[0]]), weight=_number(weights[0]))
    basis = said("partners.basis", score=score, groups=len(groups), weighting=weighting)
    return DomainResult(domain.id, domain.title, domain.kind, level.id, level.label, sentence,
                        score, basis, strengths, gaps, (), plans, (), detail)


# --- agreement statements -----------------------------------------------------------------


def _agreement(domain: AgreementDomain, answers: Answers, instrument: Instrument,
               rules: Rules, said: Words) -> DomainResult:
    scale = rules.agreement
    top = max(scale.points.values())
    rows = []
    for qid in domain.statements:
        matrix_id, _, statement_id = qid.partition(".")
        question = instrument.question(matrix_id)
        text = next(s.text for s in question.statements if s.id == statement_id)
        answer = answers.option(qid)
        rows.append(Rating(qid, rules.statement_label(qid), text, answer,
                           question.option(answer).label if answer else None))
    detail = AgreementDetail(tuple(rows))
    # Rated: answered on the scale, so `answer` and its label are given.
    rated = [(r, r.answer, r.answer_label or "") for r in rows
             if r.answer is not None and r.answer in scale.points]
    unknown = [r for r in rows if r.answer in scale.unknown]
    unanswered = [r for r in rows if r.answer is None]
    knowledge = tuple(said("agreement.dont_know", statement=capitalize(r.label))
                      for r in unknown)
    not_judged = tuple(said("not_answered", item=r.label) for r in unanswered)
    count = len(rows)
    if not rated and not unknown:
        return DomainResult(domain.id, domain.title, domain.kind, NOT_JUDGED,
                            said("level.not_judged"),
                            said.count("agreement.not_judged", count,
                                       domain=in_sentence(domain.title)),
                            not_judged=not_judged, detail=detail)
    if not rated:
        return DomainResult(domain.id, domain.title, domain.kind, UNKNOWN,
                            said("level.unknown"),
                            said("agreement.all_unknown",
                                 statements=_all_of(said, len(unknown), count)),
                            knowledge_gaps=knowledge, not_judged=not_judged, detail=detail)
    score = round(100 * sum(scale.points[answer] for _r, answer, _l in rated)
                  / (top * len(rated)))
    level = rules.level_of(score)
    agreed = [(r, label) for r, answer, label in rated if answer in scale.strength]
    strongly = [r for r, answer, _l in rated
                if answer in scale.strength and scale.points[answer] == top]
    if agreed:
        sentence = said("agreement.agree", statements=_all_of(said, len(agreed), len(rated)))
    elif len(rated) > 1:
        sentence = said("agreement.agree_none", count=len(rated))
    else:
        sentence = said("agreement.disagree_one")
    if strongly and len(agreed) > 1:
        sentence += said("agreement.strongly", count=len(strongly)) \
            if len(strongly) < len(agreed) else said("agreement.all_strongly")
    if unknown:
        sentence += said("agreement.unknown", statements=said.join([r.label for r in unknown]))
    if unanswered:
        sentence += said("agreement.unanswered",
                         statements=said.join([r.label for r in unanswered]))
    sentence += said("period")
    strengths = tuple(said("agreement.rated", statement=capitalize(r.label),
                           answer=in_sentence(label)) for r, label in agreed)
    gaps = tuple(said("agreement.rated", statement=capitalize(r.label),
                      answer=in_sentence(label))
                 for r, answer, label in rated if answer in scale.gap)
    points = ", ".join(said("agreement.points", answer=in_sentence(
        _scale_label(instrument, domain, o)), points=_number(p)) for o, p in scale.points.items())
    basis = said("agreement.basis", score=score, points=points)
    return DomainResult(domain.id, domain.title, domain.kind, level.id, level.label, sentence,
                        score, basis, strengths, gaps, knowledge, (), not_judged, detail)


def _scale_label(instrument: Instrument, domain: AgreementDomain, option_id: str) -> str:
    question = instrument.question(domain.statements[0].partition(".")[0])
    return question.option(option_id).label


def _all_of(said: Words, part: int, whole: int) -> str:
    """'all 3 statements', 'both statements', 'the statement', '2 of the 3 statements'."""
    if part == whole:
        if whole in (1, 2):
            return said(f"statements.all_{whole}")
        return said("statements.all", count=whole)
    return said("statements.some", part=part, whole=whole)


# --- summary ------------------------------------------------------------------------------


def _summary(results: list[DomainResult], said: Words) -> str:
    judged = [r for r in results if r.judged]
    if not judged:
        return said("summary.nothing_judged")
    best = max(judged, key=lambda r: r.score or 0)
    worst = min(judged, key=lambda r: r.score or 0)
    if best is worst or best.score == worst.score:
        sentence = (said("summary.one", domain=best.title, level=in_sentence(best.level_label))
                    if len(judged) == 1 else
                    said("summary.alike", count=len(judged),
                         level=in_sentence(best.level_label)))
    else:
        sentence = said("summary.best_worst", best=in_sentence(best.title),
                        best_level=in_sentence(best.level_label),
                        worst=in_sentence(worst.title),
                        worst_level=in_sentence(worst.level_label))
    missing = len(results) - len(judged)
    if missing:
        sentence += said("summary.missing", missing=missing, count=len(results))
    return sentence + said("period")


def _labels(said: Words, options: list[Option]) -> str:
    return said.join([in_sentence(o.label) for o in options])


def _label_list(said: Words, lead: str, core: list[Option], others: list[Option]
                ) -> tuple[str, ...]:
    if not core and not others:
        return ()
    parts = []
    if core:
        parts.append(_labels(said, core) + said.count("services.core_count", len(core)))
    if others:
        parts.append(_labels(said, others))
    return (said("lead", lead=lead, items="; ".join(parts)),)


def _number(value: float) -> str:
    return f"{value:g}"
