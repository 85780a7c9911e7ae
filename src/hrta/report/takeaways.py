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
from hrta.report.formatting import third_person
from hrta.report.lookup import leaders, substantive
from hrta.wording import format_count, format_percent, in_sentence, join_words

MOST = 5
OFFER_FIRST = 3  # TA areas and formats named as the ones to offer first


def of_n(count: int | None, n: int, percent: float | None) -> str:
    """'55 of 87, 63%': the count and its base, so no reader takes one for the other."""
    if count is None:
        return format_percent(percent)
    return f"{format_count(count)} of {format_count(n)}, {format_percent(percent)}"


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


def _named(option: OptionTally, n: int) -> str:
    return f"{in_sentence(option.label)} ({of_n(option.count, n, option.percent)})"


# Rules -----------------------------------------------------------------------------------

def _ta_gap(findings: Findings, roles: TaRoles | None) -> str | None:
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
    share = (of_n(yes[0].count, receiving.n, yes[0].percent) if len(yes) == 1
             else f"{format_count(count)} of {format_count(receiving.n)}")
    return (f"Few organizations receive technical assistance now ({share}), while the most "
            f"wanted area, {in_sentence(area.label)}, was chosen by "
            f"{of_n(area.count, areas.n, area.percent)}.")


def _agreement(findings: Findings) -> str | None:
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
    return (f"Respondents agreed most that {third_person(agreed.text).rstrip('.')} "
            f"({of_n(a.count, agreed.n, a.percent)} {a.label.lower()}) and disagreed most that "
            f"{third_person(disagreed.text).rstrip('.')} "
            f"({of_n(d.count, disagreed.n, d.percent)} {d.label.lower()}).")


def _continuums(findings: Findings) -> list[SectionItem]:
    return [item for section in findings.sections for item in section.items
            if item.chart == "continuum" and len(item.questions) > 1]



def _most_planned(findings: Findings) -> str | None:
    items = _continuums(findings)
    if not items:
        return None
    entries = [_closed(findings, qid) for qid in items[0].questions]
    noun, stages = stage_names(entries)
    last = entries[-1]
    top = leaders([pair for pair in substantive(last) if pair[1].count > 0], 2)
    if last.n == 0 or not top:
        return None
    named = join_words([_named(option, last.n) for _, option in top])
    return f"The {noun} most often {stages[-1]} were {named}." if len(top) > 1 else \
        f"The {noun} most often {stages[-1]} was {named}."


def _weakest(findings: Findings, roles: TaRoles | None) -> str | None:
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
    named = join_words([_named(option, entry.n) for _, option in low])
    return (f"The weakest links were with {named}: the {in_sentence(entry.title)} "
            "respondents named least often.")


def _subgroup(findings: Findings) -> str | None:
    comparison = findings.comparisons
    if comparison is None or not comparison.significant:
        return None
    best = comparison.significant[0]
    question = comparison.questions.get(best.question)
    if question is None:
        return None
    title = in_sentence(question.title)
    what = (f"choosing {in_sentence(question.options[best.option].label)} for {title}"
            if best.option and best.option in question.options else f"answers on {title}")
    return (f"Across {in_sentence(comparison.by_label)}, {what} differed by more than "
            f"chance would explain after correcting for every test made "
            f"(adjusted p = {best.p_adjusted:.3f}).")


def takeaways(findings: Findings) -> list[str]:
    """Three to five takeaways, ranked by the rules above (fewer when the data say less)."""
    roles = ta_roles(findings)
    found = [_ta_gap(findings, roles), _agreement(findings), _most_planned(findings),
             _weakest(findings, roles), _subgroup(findings)]
    return [sentence for sentence in found if sentence][:MOST]


def ta_priorities(findings: Findings) -> list[str]:
    """What this means for TA: the areas and formats to offer first, by how many asked."""
    roles = ta_roles(findings)
    if roles is None:
        return []
    lines = []
    for qid, what in ((roles.areas_question, "Areas to offer first"),
                      (roles.formats_question, "Formats to offer first")):
        entry = _closed(findings, qid)
        top = leaders([pair for pair in substantive(entry) if pair[1].count > 0], OFFER_FIRST)
        if entry.n and top:
            lines.append(f"{what}, by the share of the {format_count(entry.n)} respondents "
                         f"who asked for them: "
                         f"{join_words([_named(option, entry.n) for _, option in top])}.")
    return lines
