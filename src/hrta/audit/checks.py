"""The checks that need only the report: shares that do not add up, impossible percentages,
counts printed as percentages. (Conflicting figures are in conflicts.py; the comparison
with Findings in data.py.)

All of them are heuristics over prose, tuned to miss rather than to cry wolf: a flag
says exactly which numbers it compared and why, so a reader can dismiss it in seconds.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from hrta.audit.claims import (
    DK,
    FULL_SCALE,
    NO,
    YES,
    Mention,
    N,
    answer_level,
    content_words,
    level_name,
    percent_labels,
)
from hrta.audit.flags import Flag, Place
from hrta.audit.numbers import (
    find_counts,
    is_possible,
    nearest_possible,
    percent_as_printed,
)


def flag_at(kind: str, mention: Mention, reason: str, related: tuple[Place, ...] = ()) -> Flag:
    return Flag(kind=kind, sentence=mention.sentence.text, location=mention.paragraph.location,
                reason=reason, section=mention.paragraph.section, related=related,
                order=mention.sentence.index)


def place_of(mention: Mention) -> Place:
    return Place(mention.sentence.text, mention.paragraph.location, mention.paragraph.section)


def by_sentence(mentions: list[Mention]) -> dict[int, list[Mention]]:
    grouped: dict[int, list[Mention]] = defaultdict(list)
    for mention in mentions:
        grouped[mention.sentence.index].append(mention)
    return grouped


# --- 1. distribution-sum -----------------------------------------------------------------

@dataclass(frozen=True)
class Part:
    mention: Mention
    level: frozenset[str]   # scale positions; {"other:i"} for a share named otherwise
    label: str
    level_text: str = ""    # the level as the report words it: "somewhat disagree"


def distributions(mentions: list[Mention]) -> list[list[Part]]:
    """Runs of answer shares of one single-choice question, as a sentence lists them.

    A run is the percentages of one sentence whose labels are levels of an agreement
    scale (or yes / no / don't know), cut wherever a level comes round again: "10%
    strongly agree ..., 24% somewhat agree, ..., 16% don't know" is one run. A sentence
    that gives a "don't know" or "unsure" share next to shares described otherwise
    ("8% are receiving TA, 16% were unsure and 76% are not") is read as a partition too.
    Lists of bracketed figures ("counseling (86%), outreach (79%)") are multi-choice
    lists and never runs, unless each is labelled with a scale level.
    """
    runs: list[list[Part]] = []
    for group in by_sentence(mentions).values():
        text = group[0].sentence.text
        labels = percent_labels(text, [m.percent for m in group])
        current: list[Part] = []
        covered: set[str] = set()
        statement: frozenset[str] = frozenset()
        previous_end = 0
        for i, (mention, (label, start)) in enumerate(zip(group, labels, strict=True)):
            percent = mention.percent
            if percent.parenthetical:
                label = text[:percent.start].rsplit(",", 1)[-1]
                begin, end = percent.start - len(label), text.find(")", percent.end) + 1
            else:
                begin, end = percent.start, start + len(label)
            level, span = answer_level(label)
            name = _printed_level(label, span) if span else ""
            part = Part(mention, level or frozenset({f"other:{i}"}), label, name)
            own = content_words(label[:span[0]] + " " + label[span[1]:]) if span else frozenset()
            # A new run when a level comes round again, when words come between two
            # shares ("(91% agree) and disagreed most that ... (70% disagree)"), or when a
            # share names a statement of its own.
            gap = text[previous_end:begin] if current else ""
            if current and (covered & part.level or content_words(gap)
                            or (own and statement and not own & statement)):
                runs.append(current)
                current, covered, statement = [], set(), frozenset()
            current.append(part)
            covered |= part.level
            statement = statement or own
            previous_end = max(end, percent.end)
        runs.append(current)
    return [run for run in runs if _is_partition(run)]


def _is_partition(run: list[Part]) -> bool:
    if len(run) < 2:
        return False
    levels = [p.level for p in run]
    named = [lv for lv in levels if not any(x.startswith("other:") for x in lv)]
    if len(named) == len(run):
        return True
    has_dk = any(DK in lv for lv in levels)
    return has_dk and not any(p.mention.percent.parenthetical for p in run)


def _exhaustive(run: list[Part]) -> bool:
    """Whether the run lists every answer, so that a total under 100% is a fault too.

    Only when the report names the residual "don't know" (or neutral) share as well as both
    sides of the scale, or yes, no and don't know, can we be sure nothing was left out.
    """
    covered = set().union(*(p.level for p in run))
    if covered >= FULL_SCALE and (DK in covered or N in covered):
        return True
    if {YES, NO, DK} <= covered:
        return True
    others = [p for p in run if any(x.startswith("other:") for x in p.level)]
    if DK in covered and len(others) == 2:
        # "are receiving … unsure … are not receiving": one share the negation of the other.
        negated = [bool(re.search(r"\b(?:not|no|never|n't)\b", p.label)) for p in others]
        return negated.count(True) == 1
    return False


def check_distribution_sums(mentions: list[Mention]) -> list[Flag]:
    flags: list[Flag] = []
    for run in distributions(mentions):
        if any(p.mention.percent.approximate or p.mention.percent.interval for p in run):
            continue      # "more than 90%", "47–67%": a bound cannot be added up
        total = sum((p.mention.percent.value for p in run), Fraction(0))
        slack = Fraction(len(run), 2) + 1
        decimals = max(p.mention.percent.decimals for p in run)
        too_high = total > 100 + slack
        too_low = total < 100 - slack and _exhaustive(run)
        if not (too_high or too_low):
            continue
        terms = " + ".join(str(p.mention.percent) for p in run)
        names = ", ".join(_part_name(p) for p in run)
        reason = (f"{terms} = {percent_as_printed(total, decimals)}: the shares of one "
                  f"single-choice question ({names}) should add up to 100% "
                  f"(± {float(slack):g} for rounding {len(run)} figures)")
        if too_low:
            reason += "; every answer is listed, so the rest is missing"
        flags.append(flag_at("distribution-sum", run[0].mention, reason))
    return flags


def _printed_level(label: str, span: tuple[int, int]) -> str:
    # answer_level works on a copy with quotes blanked, of the same length as the label.
    return re.sub(r"[\"“”]", "", label[span[0]:span[1]]).strip()


def _part_name(part: Part) -> str:
    if part.level_text:
        return part.level_text
    if any(x.startswith("other:") for x in part.level):
        words = re.sub(r"[^\w\s'-]", " ", part.label).split()
        return " ".join(words[:5]) + ("…" if len(words) > 5 else "")
    return level_name(part.level)


# --- 3 and 4. impossible-percentage, count-as-percentage ---------------------------------

# Over 100% is fine for a change or a ratio: "rose by 150%", "a 120% return".
_GROWTH = re.compile(r"\b(?:increas|decreas|grow|grew|rise|rose|rising|higher|lower|chang|"
                     r"times|fold|return|gain|drop|fell|fall)\w*", re.IGNORECASE)


def check_percentages(mentions: list[Mention]) -> list[Flag]:
    """Percentages over 100, counts printed as percentages, and shares no count of n gives."""
    flags: list[Flag] = []
    for mention in mentions:
        percent = mention.percent
        if not mention.checkable:
            continue
        if percent.value > 100:
            if not _GROWTH.search(mention.sentence.text):
                flags.append(flag_at("count-as-percentage", mention,
                                   f"{percent} is over 100%: a share of respondents cannot be; "
                                   "is it a count?"))
            continue
        n = mention.n
        if n is None or is_possible(percent.value, percent.decimals, n):
            continue
        count = _same_count_nearby(mention)
        if count is not None:
            flags.append(flag_at("count-as-percentage", mention, (
                f"{percent} equals the count {count} stated nearby, and no count of "
                f"n={n} ({mention.n_source}) gives {percent}: {count} of {n} is "
                f"{float(Fraction(100 * count, n)):.1f}%. Was the count printed as a "
                "percentage?")))
            continue
        below_above = nearest_possible(percent.value, percent.decimals, n)
        # Two more places than printed, so that 6.45% is not shown as a misleading 6.5%.
        options = " and ".join(f"{k} of {n} is {float(exact):.{percent.decimals + 2}f}%"
                               for k, exact in below_above)
        flags.append(flag_at("impossible-percentage", mention, (
            f"with n={n} ({mention.n_source}), no count rounds to {percent}: {options}. "
            "Either the n or the percentage is wrong, or the figure is of a smaller base")))
    return flags


def _same_count_nearby(mention: Mention) -> int | None:
    if mention.percent.value.denominator != 1:
        return None
    value = int(mention.percent.value)
    for sentence in mention.paragraph.sentences:
        for count in find_counts(sentence.text):
            if count.value == value:
                return value
    return None


__all__ = [
    "Part",
    "by_sentence",
    "check_distribution_sums",
    "check_percentages",
    "distributions",
    "flag_at",
    "place_of",
]

