"""The readiness profile of one organization: a score, a level and a sentence per domain.

Domains and their scoring come from the rules file (rules.py); this module only applies
them. An unanswered question is never read as a "no": a domain with nothing answered is
"not judged", and "I don't know" is a gap in knowledge, kept out of the score.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from hrta.assistance.answers import Answers
from hrta.assistance.rules import (
    AgreementDomain,
    PartnersDomain,
    Rules,
    ServicesDomain,
)
from hrta.instrument import Instrument, Question
from hrta.wording import capitalize, in_sentence, join_words, plural

NOT_JUDGED = "not_judged"
UNKNOWN = "unknown"


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
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def judged(self) -> bool:
        return self.score is not None


@dataclass(frozen=True)
class Profile:
    response_id: str
    instrument: str
    organization: dict[str, Any]
    domains: tuple[DomainResult, ...]
    summary: str

    @property
    def not_judged(self) -> tuple[str, ...]:
        return tuple(item for domain in self.domains for item in domain.not_judged)

    def domain(self, domain_id: str) -> DomainResult:
        return next(d for d in self.domains if d.id == domain_id)

    def to_json(self) -> dict[str, Any]:
        data = plain(asdict(self))
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


def build_profile(answers: Answers, *, instrument: Instrument, rules: Rules) -> Profile:
    """The readiness profile of one response."""
    results = []
    for domain in rules.domains:
        if isinstance(domain, ServicesDomain):
            results.append(_services(domain, answers, instrument, rules))
        elif isinstance(domain, PartnersDomain):
            results.append(_partners(domain, answers, instrument, rules))
        else:
            results.append(_agreement(domain, answers, instrument, rules))
    return Profile(answers.response_id, instrument.id, describe_organization(answers, instrument,
                                                                            rules),
                   tuple(results), _summary(results))


def describe_organization(answers: Answers, instrument: Instrument,
                          rules: Rules) -> dict[str, Any]:
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
    return {
        "type": type_id,
        "type_label": type_label,
        "location": state_id,
        "location_label": state.label if state else None,
        "region": state.region if state else None,
        "communities": [o.id for o in chosen],
        "communities_labels": [o.label for o in chosen],
    }


def option_label(question: Question, option_id: str | None, typed: str | None) -> str | None:
    """An option's label; for "Other (please specify)", 'Other: ' and what was typed."""
    if option_id is None:
        return None
    option = question.option(option_id)
    if option.other and typed:
        return f"{option.label.removesuffix(' (please specify)')}: {typed}"
    return option.label


# --- continuum of services ---------------------------------------------------------------


def _services(domain: ServicesDomain, answers: Answers, instrument: Instrument,
              rules: Rules) -> DomainResult:
    direct_q = instrument.question(domain.direct)
    direct = answers.options(domain.direct)
    referral = answers.options(domain.referral)
    planned = answers.options(domain.planned)
    has_direct = answers.answered(domain.direct)
    has_referral = answers.answered(domain.referral)
    services = [o for o in direct_q.options if not o.other]
    core = [o for o in services if o.core]
    detail = {"approaches": _approaches(instrument, services, direct, referral, planned),
              "core_total": len(core)}
    # A service planned but already provided directly is nothing new to add.
    new = planned - direct
    plans = _label_list("Plans to provide", [o for o in core if o.id in new],
                        [o for o in services if o.id in new and not o.core])
    missing = []
    if not has_direct:
        missing.append("which services your organization provides directly (not answered)")
    if not has_referral:
        missing.append("which services your organization refers people to (not answered)")
    if not has_direct and not has_referral:
        return DomainResult(domain.id, domain.title, domain.kind, NOT_JUDGED, "Not judged",
                            "You did not say which services your organization provides or "
                            "refers people to, so this could not be judged.",
                            plans=plans, not_judged=tuple(missing), detail=detail)
    core_direct = [o for o in core if o.id in direct]
    core_referral = [o for o in core if o.id in referral and o.id not in direct]
    credit = domain.credit["direct"] * len(core_direct) \
        + domain.credit["referral"] * len(core_referral)
    score = round(100 * credit / len(core))
    level = rules.level_of(score)
    parts = []
    if has_direct:
        parts.append(f"Your organization provides {len(core_direct)} of the {len(core)} core "
                     "harm reduction services directly")
    if has_referral:
        refer = f"refers people to {len(core_referral)}{' more' if has_direct else ''}"
        parts.append(refer if has_direct else
                     f"Your organization refers people to {len(core_referral)} of the "
                     f"{len(core)} core harm reduction services")
    sentence = " and ".join(parts) + "."
    core_planned = [o for o in core if o.id in new]
    if core_planned:
        sentence += f" It plans to add {len(core_planned)} more."
    strengths = []
    if core_direct:
        strengths.append("Provides directly: " + _labels(core_direct))
    if core_referral:
        strengths.append("Refers people to: " + _labels(core_referral))
    gaps = []
    if has_direct and has_referral:
        absent = [o for o in core if o.id not in direct and o.id not in referral]
        if absent:
            gaps.append("Core services neither provided nor referred: " + _labels(absent))
        empty = [a["label"] for a in detail["approaches"] if not a["covered"]]
        if empty:
            gaps.append("Program approaches with no service yet: " + join_words(
                [in_sentence(label) for label in empty]))
    basis = (f"Score {score} of 100: each of the {len(core)} core services counts "
             f"{_number(domain.credit['direct'])} when provided directly and "
             f"{_number(domain.credit['referral'])} when people are referred to it.")
    return DomainResult(domain.id, domain.title, domain.kind, level.id, level.label, sentence,
                        score, basis, tuple(strengths), tuple(gaps), (), plans, tuple(missing),
                        detail)


def _approaches(instrument: Instrument, services: list[Any], direct: frozenset[str],
                referral: frozenset[str], planned: frozenset[str]) -> list[dict[str, Any]]:
    rows = []
    for approach in instrument.program_approaches:
        listed = [o for o in services if o.approach == approach.id]
        entries = [{"id": o.id, "label": o.label, "core": o.core, "direct": o.id in direct,
                    "referral": o.id in referral, "planned": o.id in planned} for o in listed]
        rows.append({"id": approach.id, "label": approach.label,
                     "covered": any(e["direct"] or e["referral"] for e in entries),
                     "services": entries})
    return rows


# --- partnerships -------------------------------------------------------------------------


def _partners(domain: PartnersDomain, answers: Answers, instrument: Instrument,
              rules: Rules) -> DomainResult:
    question = instrument.question(domain.current)
    current = answers.options(domain.current)
    planned = answers.options(domain.planned)
    labels = {o.id: o.label for o in question.options}
    groups = [{"id": g.id, "label": g.label, "weight": g.weight,
               "current": [o for o in g.options if o in current],
               "planned": [o for o in g.options if o in planned and o not in current]}
              for g in domain.groups]
    planned_options = [question.option(o) for o in question.option_ids
                       if o in planned and o not in current and not question.option(o).other]
    plans = ("Plans to work with: " + _labels(planned_options),) if planned_options else ()
    detail = {"groups": groups}
    if not answers.answered(domain.current):
        return DomainResult(domain.id, domain.title, domain.kind, NOT_JUDGED, "Not judged",
                            "You did not say which partners your organization works with, so "
                            "this could not be judged.", plans=plans,
                            not_judged=("which partners your organization works with "
                                        "(not answered)",), detail=detail)
    reached = [g for g in groups if g["current"]]
    total_weight = sum(g["weight"] for g in groups)
    score = round(100 * sum(g["weight"] for g in reached) / total_weight)
    level = rules.level_of(score)
    kinds = sum(len(g["current"]) for g in groups)
    sentence = (f"Your organization works with {kinds} {plural(kinds, 'kind')} of partners, "
                f"in {len(reached)} of the {len(groups)} partner groups")
    unreached = [g for g in groups if not g["current"]]
    if unreached:
        sentence += f"; none yet among {join_words([g['label'] for g in unreached])}"
    sentence += "."
    strengths = tuple(f"{capitalize(g['label'])}: " + join_words(
        [in_sentence(labels[o]) for o in g["current"]]) for g in reached)
    gaps = tuple(f"No {g['label']} among your partners yet" for g in unreached)
    weights = sorted({g["weight"] for g in groups})
    weighting = "" if len(weights) == 1 else " (" + join_words(
        [f"{g['label']} weigh {_number(g['weight'])}" for g in groups
         if g["weight"] != weights[0]]) + f", the others {_number(weights[0])})"
    basis = (f"Score {score} of 100: the share of the {len(groups)} partner groups the "
             f"organization works with{weighting}.")
    return DomainResult(domain.id, domain.title, domain.kind, level.id, level.label, sentence,
                        score, basis, strengths, gaps, (), plans, (), detail)


# --- agreement statements -----------------------------------------------------------------


def _agreement(domain: AgreementDomain, answers: Answers, instrument: Instrument,
               rules: Rules) -> DomainResult:
    scale = rules.agreement
    top = max(scale.points.values())
    rows = []
    for qid in domain.statements:
        matrix_id, _, statement_id = qid.partition(".")
        question = instrument.question(matrix_id)
        text = next(s.text for s in question.statements if s.id == statement_id)
        answer = answers.option(qid)
        rows.append({"id": qid, "label": rules.statement_label(qid), "text": text,
                     "answer": answer,
                     "answer_label": question.option(answer).label if answer else None})
    detail = {"statements": rows}
    rated = [r for r in rows if r["answer"] in scale.points]
    unknown = [r for r in rows if r["answer"] in scale.unknown]
    unanswered = [r for r in rows if r["answer"] is None]
    knowledge = tuple(f"{capitalize(r['label'])}: you don't know" for r in unknown)
    not_judged = tuple(f"{r['label']} (not answered)" for r in unanswered)
    count = len(rows)
    if not rated and not unknown:
        return DomainResult(domain.id, domain.title, domain.kind, NOT_JUDGED, "Not judged",
                            f"You did not rate the {count} statements on "
                            f"{in_sentence(domain.title)}, so this could not be judged.",
                            not_judged=not_judged, detail=detail)
    if not rated:
        return DomainResult(domain.id, domain.title, domain.kind, UNKNOWN, "Not known",
                            f"You answered \"I don't know\" to {_all_of(len(unknown), count)}: "
                            "a gap in knowledge, not a barrier.",
                            knowledge_gaps=knowledge, not_judged=not_judged, detail=detail)
    score = round(100 * sum(scale.points[r["answer"]] for r in rated) / (top * len(rated)))
    level = rules.level_of(score)
    agreed = [r for r in rated if r["answer"] in scale.strength]
    strongly = [r for r in agreed if scale.points[r["answer"]] == top]
    if agreed:
        sentence = f"You agree with {_all_of(len(agreed), len(rated))} you rated"
    elif len(rated) > 1:
        sentence = f"You agree with none of the {len(rated)} statements you rated"
    else:
        sentence = "You do not agree with the statement you rated"
    if strongly and len(agreed) > 1:
        sentence += f" ({len(strongly)} strongly)" if len(strongly) < len(agreed) \
            else " (all strongly)"
    if unknown:
        sentence += f"; you don't know about {join_words([r['label'] for r in unknown])}"
    if unanswered:
        sentence += f"; you left {join_words([r['label'] for r in unanswered])} unanswered"
    sentence += "."
    strengths = tuple(f"{capitalize(r['label'])} ({in_sentence(r['answer_label'])})"
                      for r in agreed)
    gaps = tuple(f"{capitalize(r['label'])} ({in_sentence(r['answer_label'])})"
                 for r in rated if r["answer"] in scale.gap)
    points = ", ".join(f"{in_sentence(_scale_label(instrument, domain, o))} {_number(p)}"
                       for o, p in scale.points.items())
    basis = (f"Score {score} of 100: points per statement rated ({points}) over the most "
             "possible; \"I don't know\" and unanswered statements are left out.")
    return DomainResult(domain.id, domain.title, domain.kind, level.id, level.label, sentence,
                        score, basis, strengths, gaps, knowledge, (), not_judged, detail)


def _scale_label(instrument: Instrument, domain: AgreementDomain, option_id: str) -> str:
    question = instrument.question(domain.statements[0].partition(".")[0])
    return question.option(option_id).label


def _all_of(part: int, whole: int) -> str:
    """'all 3 statements', 'both statements', 'the statement', '2 of the 3 statements'."""
    if part == whole:
        return {1: "the statement", 2: "both statements"}.get(whole, f"all {whole} statements")
    return f"{part} of the {whole} statements"


# --- summary ------------------------------------------------------------------------------


def _summary(results: list[DomainResult]) -> str:
    judged = [r for r in results if r.judged]
    if not judged:
        return ("Too little was answered to judge readiness in any domain; the profile lists "
                "what could not be judged.")
    best = max(judged, key=lambda r: r.score or 0)
    worst = min(judged, key=lambda r: r.score or 0)
    if best is worst or best.score == worst.score:
        sentence = (f"{best.title} is {in_sentence(best.level_label)}"
                    if len(judged) == 1 else
                    f"All {len(judged)} domains judged score alike "
                    f"({in_sentence(best.level_label)})")
    else:
        sentence = (f"Strongest: {in_sentence(best.title)} ({in_sentence(best.level_label)}). "
                    f"Most room to grow: {in_sentence(worst.title)} "
                    f"({in_sentence(worst.level_label)})")
    missing = len(results) - len(judged)
    if missing:
        sentence += f". {missing} of {len(results)} domains could not be judged"
    return sentence + "."


def _labels(options: list[Any]) -> str:
    return join_words([in_sentence(o.label) for o in options])


def _label_list(lead: str, core: list[Any], others: list[Any]) -> tuple[str, ...]:
    if not core and not others:
        return ()
    parts = []
    if core:
        parts.append(_labels(core) + f" ({plural(len(core), 'core service')})")
    if others:
        parts.append(_labels(others))
    return (f"{lead}: " + "; ".join(parts),)


def _number(value: float) -> str:
    return f"{value:g}"
