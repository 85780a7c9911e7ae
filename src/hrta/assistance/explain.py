"""The rules file told in Markdown, for docs/assistance.md (a test keeps the two equal).

    python -m hrta.assistance.explain docs/assistance.md    # rewrite the generated part
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from hrta.assistance.rules import (
    AgreementDomain,
    Condition,
    PartnersDomain,
    Rules,
    ServicesDomain,
    load_rules,
)
from hrta.instrument import Instrument, load_bundled
from hrta.wording import in_sentence

START = "<!-- rules: generated from the rules file; do not edit by hand -->"
END = "<!-- rules: end -->"


def rules_markdown(rules: Rules, instrument: Instrument) -> str:
    lines: list[str] = []
    add = lines.append
    add("### Levels")
    add("")
    add("| level | score |")
    add("|---|---|")
    previous = None
    for level in rules.levels:
        band = f"{level.min:g} and over" if previous is None else \
            f"{level.min:g} to under {previous:g}"
        add(f"| {level.label} | {band} |")
        previous = level.min
    add("")
    add("A domain with nothing answered is **Not judged**; an agreement domain whose every "
        "answer is \"I don't know\" is **Not known**. Neither has a score.")
    add("")
    add("### Agreement statements")
    add("")
    scale = _scale(instrument, rules)
    add("| answer | points | counts as |")
    add("|---|---|---|")
    agreement = rules.agreement
    for option_id, label in scale.items():
        points = agreement.points.get(option_id)
        role = "strength" if option_id in agreement.strength else "gap" \
            if option_id in agreement.gap else "gap in knowledge" \
            if option_id in agreement.unknown else "neither"
        add(f"| {label} | {'left out' if points is None else f'{points:g}'} | {role} |")
    add("")
    add("An agreement domain's score is the points of the statements rated over the most "
        "they could earn, times 100. Statements answered \"I don't know\" or not answered "
        "are left out of both.")
    add("")
    for domain in rules.domains:
        add(f"### {domain.title} (`{domain.id}`)")
        add("")
        if isinstance(domain, ServicesDomain):
            _services(domain, instrument, add)
        elif isinstance(domain, PartnersDomain):
            _partners(domain, instrument, add)
        else:
            _agreement(domain, instrument, rules, add)
        add("")
    add("### Plan rules")
    add("")
    add("An area is in the plan when the organization chose it in "
        f"`{rules.plan.areas_question}`, or when one of these rules fires. A rule on a "
        "question that was not answered does not fire.")
    add("")
    add("| rule | area | fires when | reason shown |")
    add("|---|---|---|---|")
    areas = instrument.question(rules.plan.areas_question)
    for rule in rules.plan.rules:
        reason = " ".join(rule.reason.split())
        kind = " *(gap in knowledge)*" if rule.kind == "knowledge" else ""
        add(f"| `{rule.id}` | {areas.option(rule.area).label} | "
            f"{_condition(rule.when, instrument, rules)} | {reason}{kind} |")
    add("")
    add("### Order of areas")
    add("")
    add("Areas the organization asked for that its answers also point to come first; then "
        "the other areas it asked for; then areas only its answers point to. Within each, "
        "areas with more reasons from answers come first (a reason from \"I don't know\" "
        "counts half), then the instrument's order. The printed page shows the first "
        f"{rules.plan.areas_shown} in full and names the rest.")
    add("")
    add("### Ranking resources")
    add("")
    add(f"Within an area, catalog resources on its topic get relevance points (each "
        "resource's `relevance` in the plan's JSON; not a readiness score); the "
        f"{rules.plan.resources_per_area} most relevant are shown (ties: the most recently "
        "reviewed, then the title). A resource already shown under an earlier area is not "
        "repeated.")
    add("")
    add("| when | points |")
    add("|---|---|")
    meanings = {
        "preferred_format": "its format is one of the organization's top three",
        "planned_service": "it covers a service the organization plans to provide",
        "provided_service": "else, it covers a service the organization provides or refers to",
        "community": "it is meant for a community the organization serves",
        "org_type": "it is meant for the organization's type",
        "other_audience": "it is meant only for other communities or organization types",
    }
    for name, value in rules.plan.ranking.model_dump().items():
        add(f"| {meanings[name]} | {value:+g} |")
    add("")
    add("### Next steps")
    add("")
    add("| area | next step |")
    add("|---|---|")
    for area, step in rules.plan.next_steps.items():
        add(f"| {areas.option(area).label} | {' '.join(step.split())} |")
    return "\n".join(lines) + "\n"


def _scale(instrument: Instrument, rules: Rules) -> dict[str, str]:
    qid = next(iter(rules.statements)).partition(".")[0]
    return {o.id: o.label for o in instrument.question(qid).options}


def _services(domain: ServicesDomain, instrument: Instrument, add: Callable[[str], None]) -> None:
    question = instrument.question(domain.direct)
    core = [o for o in question.options if o.core]
    add(f"Questions `{domain.direct}`, `{domain.referral}` and `{domain.planned}`. The score "
        f"counts the {len(core)} core services: each earns {domain.credit['direct']:g} when "
        f"provided directly and {domain.credit['referral']:g} when people are referred to it "
        f"(else 0); the score is the credit over {len(core)}, times 100. Planned services "
        "are listed, not scored. Gaps: core services neither provided nor referred, and "
        "program approaches with no service provided or referred (both only when direct and "
        "referral services were answered).")
    add("")
    add("Core services, by program approach:")
    add("")
    for approach in instrument.program_approaches:
        members = [in_sentence(o.label) for o in core if o.approach == approach.id]
        if members:
            add(f"- {approach.label}: {'; '.join(members)}")


def _partners(domain: PartnersDomain, instrument: Instrument, add: Callable[[str], None]) -> None:
    question = instrument.question(domain.current)
    labels = {o.id: o.label for o in question.options}
    total = sum(g.weight for g in domain.groups)
    add(f"Question `{domain.current}` (planned: `{domain.planned}`, listed, not scored). "
        "The score is the weight of the groups the organization works with at least one "
        f"partner of, over the total weight ({total:g}), times 100.")
    add("")
    add("| group | weight | partners |")
    add("|---|---|---|")
    for group in domain.groups:
        add(f"| {group.label} | {group.weight:g} | "
            f"{', '.join(labels[o] for o in group.options)} |")


def _agreement(domain: AgreementDomain, instrument: Instrument, rules: Rules,
               add: Callable[[str], None]) -> None:
    add("| statement | short name |")
    add("|---|---|")
    for qid in domain.statements:
        matrix, _, statement = qid.partition(".")
        text = next(s.text for s in instrument.question(matrix).statements if s.id == statement)
        add(f"| {text} (`{qid}`) | {rules.statement_label(qid)} |")


def _condition(condition: Condition, instrument: Instrument, rules: Rules) -> str:
    if condition.all_of is not None:
        return " **and** ".join(_condition(c, instrument, rules) for c in condition.all_of)
    if condition.any_of is not None:
        return "(" + " **or** ".join(_condition(c, instrument, rules)
                                     for c in condition.any_of) + ")"
    qid = condition.question or ""
    question = instrument.question(qid.partition(".")[0])
    if condition.options is None:
        pool = "any option"
    elif isinstance(condition.options, dict):
        pool = " ".join(f"{k} options" if v is True else f"options with {k} {v}"
                        for k, v in condition.options.items())
    else:
        pool = " / ".join(question.option(o).label for o in condition.options)
    if condition.at_least is not None:
        test = f"at least {condition.at_least} of {pool}"
    elif condition.fewer_than is not None:
        test = f"fewer than {condition.fewer_than} of {pool}"
    elif condition.chosen == "none":
        test = f"none of {pool}"
    else:
        test = pool if "." in qid else f"any of {pool}"
    if condition.excluding is not None:
        test += f" (not counting those chosen in `{condition.excluding}`)"
    return f"`{qid}`: {test}"


def rewrite(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    instrument = load_bundled()
    path.write_text(f"{head}{START}\n{rules_markdown(load_rules(instrument), instrument)}"
                    f"{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    rewrite(Path(sys.argv[1]))
