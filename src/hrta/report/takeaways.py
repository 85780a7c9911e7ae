"""Takeaways and "What this means for TA": the few findings a reader should leave with.

Chosen by fixed rules over Findings, in this order (docs/reading-the-report.md):

1. the gap between receiving TA now and wanting it (the readiness rules' `plan` names the
   questions: `receiving_question`, `receiving`, `areas_question`);
2. the statement most agreed with and the one most disagreed with (agreement grids);
3. the option most often planned (the last stage of the first continuum figure);
4. the weakest link: the least chosen options of the current partners (a `partners`
   domain's `current` question in the readiness rules);
5. the subgroup difference with the smallest adjusted p that survives the correction (`--by`).

A rule with nothing to say (no such question, nobody answered, no significant difference)
is skipped; at most five are kept. Each takeaway is one sentence whose numbers are read
from Findings and written "count of n, percent". Comparing percents only chooses what to
name: nothing is computed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hrta.errors import InputError
from hrta.findings.model import (
    ClosedQuestion,
    Findings,
    MatrixStatement,
    MultiQuestion,
    OptionTally,
    SectionItem,
    SingleQuestion,
)
from hrta.report.continuum import stage_names
from hrta.report.lookup import leaders, substantive
from hrta.report.narrative import claim_of
from hrta.report.words import Words, report_words
from hrta.wording import format_count, format_percent, in_sentence

MOST = 5
OFFER_FIRST = 3  # TA areas and formats named as the ones to offer first


def of_n(count: int | None, n: int, percent: float | None, *,
         words: Words | None = None) -> str:
    """'55 of 87, 63%': the count and its base, so no reader takes one for the other."""
    if count is None:
        return format_percent(percent)
    return (words or report_words())("takeaway.of_n", count=format_count(count),
                                     n=format_count(n), percent=format_percent(percent))


@dataclass(frozen=True)
class TaRoles:
    """Which questions ask about TA, from the instrument's readiness rules."""

    receiving_question: str
    receiving: tuple[str, ...]
    areas_question: str
    formats_question: str
    partners_question: str = ""  # the current partners (a `partners` domain's `current`)


def ta_roles(findings: Findings) -> TaRoles | None:
    """The TA questions of the instrument, when its readiness rules are bundled and name
    questions these Findings have."""
    from hrta.assistance.rules import bundled_rules_path
    from hrta.yamlfiles import load_yaml

    path = Path(bundled_rules_path(findings.instrument))
    if not path.is_file():
        return None
    try:
        rules = load_yaml(path.read_text(encoding="utf-8"), origin=str(path)) or {}
    except InputError:
        return None
    plan = rules.get("plan") if isinstance(rules, dict) else None
    if not isinstance(plan, dict):
        return None
    partners = [str(domain.get("current", "")) for domain in rules.get("domains") or ()
                if isinstance(domain, dict) and domain.get("kind") == "partners"]
    roles = TaRoles(str(plan.get("receiving_question", "")),
                    tuple(str(v) for v in plan.get("receiving") or ()),
                    str(plan.get("areas_question", "")), str(plan.get("formats_question", "")),
                    partners[0] if partners else "")
    questions = findings.questions
    if not all(isinstance(questions.get(q), SingleQuestion | MultiQuestion)
               for q in (roles.receiving_question, roles.areas_question, roles.formats_question)):
        return None
    return roles


def _closed(findings: Findings, qid: str) -> ClosedQuestion:
    entry = findings.questions[qid]
    assert isinstance(entry, SingleQuestion | MultiQuestion)
    return entry


def _named(option: OptionTally, n: int, words: Words) -> str:
    return f"{in_sentence(option.label)} ({of_n(option.count, n, option.percent, words=words)})"


# Rules -----------------------------------------------------------------------------------

def _ta_gap(findings: Findings, roles: TaRoles | None, words: Words) -> str | None:
    if roles is None:
        return None
    receiving = _closed(findings, roles.receiving_question)
    areas = _closed(findings, roles.areas_question)
    if receiving.n == 0 or areas.n == 0:
        return None
    yes = [receiving.options[key] for key in roles.receiving if key in receiving.options]
    if not yes:
        return None
    count = sum(option.count for option in yes)
    top = leaders([pair for pair in substantive(areas) if pair[1].count > 0], 1)
    if not top:
        return None
    area = top[0][1]
    # The percent of "receiving" is read from Findings when one answer means it; a sum of
    # answers would be a number this module made, so it is then given as a count alone.
    share = (of_n(yes[0].count, receiving.n, yes[0].percent, words=words) if len(yes) == 1
             else words("takeaway.count_of", count=format_count(count),
                        n=format_count(receiving.n)))
    return words("takeaway.ta_gap", share=share, area=in_sentence(area.label),
                 chosen=of_n(area.count, areas.n, area.percent, words=words))


def _agreement(findings: Findings, words: Words) -> str | None:
    # Agreement statements only: a grid on another scale (how often) has other nets, and
    # "agreed most" would misstate it.
    first_net, last_net = "agree", "disagree"
    statements = [entry for entry in findings.questions.values()
                  if isinstance(entry, MatrixStatement) and entry.n > 0
                  and first_net in entry.nets and last_net in entry.nets]
    if not statements:
        return None
    agreed = max(statements, key=lambda s: s.nets[first_net].percent or 0.0)
    disagreed = max(statements, key=lambda s: s.nets[last_net].percent or 0.0)
    a, d = agreed.nets[first_net], disagreed.nets[last_net]
    if not a.count or not d.count or agreed is disagreed:
        return None
    return words("takeaway.agreement",
                 agreed=claim_of(agreed.text, words).rstrip("."),
                 agreed_share=of_n(a.count, agreed.n, a.percent, words=words),
                 agree=a.label.lower(),
                 disagreed=claim_of(disagreed.text, words).rstrip("."),
                 disagreed_share=of_n(d.count, disagreed.n, d.percent, words=words),
                 disagree=d.label.lower())


def _continuums(findings: Findings) -> list[SectionItem]:
    return [item for section in findings.sections for item in section.items
            if item.chart == "continuum" and len(item.questions) > 1]



def _most_planned(findings: Findings, words: Words) -> str | None:
    items = _continuums(findings)
    if not items:
        return None
    entries = [_closed(findings, qid) for qid in items[0].questions]
    noun, stages = stage_names(entries, words=words)
    last = entries[-1]
    top = leaders([pair for pair in substantive(last) if pair[1].count > 0], 2)
    if last.n == 0 or not top:
        return None
    named = words.join([_named(option, last.n, words) for _, option in top])
    return words.count("takeaway.most_planned", len(top), noun=noun, stage=stages[-1],
                       named=named)


def _weakest(findings: Findings, roles: TaRoles | None, words: Words) -> str | None:
    if roles is None or not isinstance(findings.questions.get(roles.partners_question),
                                       SingleQuestion | MultiQuestion):
        return None
    entry = _closed(findings, roles.partners_question)
    options = substantive(entry)
    if entry.n == 0 or len(options) < 4:
        return None
    low = leaders(list(reversed(options)), 3, whole_first=False)
    if not low:
        return None
    named = words.join([_named(option, entry.n, words) for _, option in low])
    return words("takeaway.weakest", named=named, title=in_sentence(entry.title))


def _subgroup(findings: Findings, words: Words) -> str | None:
    comparison = findings.comparisons
    if comparison is None or not comparison.significant:
        return None
    best = comparison.significant[0]
    question = comparison.questions.get(best.question)
    if question is None:
        return None
    title = in_sentence(question.title)
    what = (words("takeaway.subgroup_option",
                  option=in_sentence(question.options[best.option].label), title=title)
            if best.option and best.option in question.options
            else words("takeaway.subgroup_answers", title=title))
    return words("takeaway.subgroup", by=in_sentence(comparison.by_label), what=what,
                 p=f"{best.p_adjusted:.3f}")


def takeaways(findings: Findings, *, words: Words | None = None) -> list[str]:
    """Three to five takeaways, ranked by the rules above (fewer when the data say less)."""
    w = words or report_words()
    roles = ta_roles(findings)
    found = [_ta_gap(findings, roles, w), _agreement(findings, w), _most_planned(findings, w),
             _weakest(findings, roles, w), _subgroup(findings, w)]
    return [sentence for sentence in found if sentence][:MOST]


def ta_priorities(findings: Findings, *, words: Words | None = None) -> list[str]:
    """What this means for TA: the areas and formats to offer first, by how many asked."""
    w = words or report_words()
    roles = ta_roles(findings)
    if roles is None:
        return []
    lines = []
    for qid, what in ((roles.areas_question, "takeaway.areas_first"),
                      (roles.formats_question, "takeaway.formats_first")):
        entry = _closed(findings, qid)
        top = leaders([pair for pair in substantive(entry) if pair[1].count > 0], OFFER_FIRST)
        if entry.n and top:
            lines.append(w(what, n=format_count(entry.n),
                           named=w.join([_named(option, entry.n, w) for _, option in top])))
    return lines
