"""The same finding quoted with two figures (`conflicting-figures`).

Each percentage becomes a claim (claims.py): a value, the content words of what it
measures, its answer level and its scope. Two claims are compared only when they could be
the same finding: within one section of the body when their words are identical, and
between a summary section (Discussion, Executive Summary, Conclusions) and any other when
their words are similar, since a summary rewords what it restates. A summary figure is
flagged when none of the figures it could restate agrees with it.
"""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction

from hrta.audit.checks import by_sentence, distributions, flag_at, place_of
from hrta.audit.claims import (
    SA,
    SD,
    A,
    Claim,
    D,
    Mention,
    content_words,
    level_name,
    sentence_claims,
)
from hrta.audit.flags import Flag
from hrta.audit.language import local
from hrta.audit.numbers import percent_as_printed, rounds_to
from hrta.audit.text import Document


def claims_of(mentions: list[Mention]) -> list[Claim]:
    """Claims of every checkable mention, plus the nets implied by complete scale runs."""
    claims: list[Claim] = []
    previous: tuple[int, frozenset[str]] = (-1, frozenset())
    for group in by_sentence(mentions).values():
        sentence = group[0].sentence
        inherited = previous[1] if previous[0] == sentence.paragraph else frozenset()
        found = sentence_claims(sentence, group, inherited)
        if found:
            previous = (sentence.paragraph, found[0].scope)
        claims += [claim for claim in found if claim.mention.checkable]
    claims += _derived_nets(mentions, claims)
    return claims


def _derived_nets(mentions: list[Mention], claims: list[Claim]) -> list[Claim]:
    """"4% strongly agree, 11% somewhat agree, ..." also says 15% agree (net).

    A summary that writes "15% agree or somewhat agree" is then compared with 4 + 11.
    """
    by_mention = {(c.mention.sentence.index, c.mention.percent.start): c for c in claims}
    derived: list[Claim] = []
    for run in distributions(mentions):
        if any(not p.mention.checkable for p in run):
            continue
        first = by_mention.get((run[0].mention.sentence.index, run[0].mention.percent.start))
        if first is None:
            continue
        for net in (frozenset({SA, A}), frozenset({D, SD})):
            parts = [p for p in run if p.level <= net and p.level]
            if {x for p in parts for x in p.level} != net or len(parts) < 2:
                continue
            value = sum((p.mention.percent.value for p in parts), Fraction(0))
            derived.append(Claim(
                mention=parts[0].mention, value=value,
                decimals=max(p.mention.percent.decimals for p in parts), words=first.words,
                label=first.label, level=net, scope=first.scope,
                tolerance=Fraction(len(parts), 2), derived_from=tuple(p.mention for p in parts)))
    return derived


class Similarity:
    """Jaccard similarity of two labels' content words, each word weighted by its rarity.

    Words that run through the whole report ("harm", "reduction", "technical
    assistance") say little about which finding a figure belongs to; words used in one or
    two sentences ("toolkits", "webinars", "unions") say a lot. The weight is a smoothed
    inverse document frequency over the report's sentences.
    """

    def __init__(self, doc: Document) -> None:
        sentences = doc.sentences
        frequency: Counter[str] = Counter()
        for sentence in sentences:
            frequency.update(content_words(sentence.text))
        self._frequency = frequency
        self._size = len(sentences)

    def weight(self, word: str) -> float:
        return math.log((1 + self._size) / (1 + self._frequency[word])) + 1

    def __call__(self, a: frozenset[str], b: frozenset[str]) -> float:
        if not a or not b:
            return 0.0
        return sum(self.weight(w) for w in a & b) / sum(self.weight(w) for w in a | b)

    def containment(self, part: frozenset[str], whole: frozenset[str]) -> float:
        """How much of `part`, by weight, is in `whole`."""
        if not part or not whole:
            return 0.0
        return sum(self.weight(w) for w in part & whole) / sum(self.weight(w) for w in part)


SUMMARY_SIMILARITY = 0.45


def similar(a: frozenset[str], b: frozenset[str], a_first: str, b_first: str,
            similarity: Similarity) -> bool:
    """Whether two labels plausibly name the same thing.

    Either their rarity-weighted Jaccard similarity reaches SUMMARY_SIMILARITY, or they
    share half their words and begin alike. English puts the distinguishing word of a
    noun phrase first ("individualized technical assistance", "mobile methadone
    treatment") and rewords the head ("implementation documents" / "guidance"), so a
    shared first word is good evidence where a shared last word is not.
    """
    if similarity(a, b) >= SUMMARY_SIMILARITY:
        return True
    plain = len(a & b) / len(a | b) if a and b else 0.0
    return plain >= 0.5 and bool(a_first) and a_first == b_first
_NEGATION = frozenset({"not", "no", "never", "none"})


def comparable(a: Claim, b: Claim, similarity: Similarity) -> bool:
    """Whether two claims could state the same finding.

    Within one section of the body, only figures whose labels have exactly the same
    content words, of sentences whose leads do not name two different questions: a body
    lists distinct options side by side, and "methadone treatment" and "mobile methadone
    treatment" are two options. A summary section (Discussion, Executive Summary,
    Conclusions) rewords what it restates, so there the labels need only be similar; the
    best match is then used. A negated label ("not receiving") never matches a plain one.
    """
    if a.mention.sentence.index == b.mention.sentence.index:
        return False
    if a.scope != b.scope or a.level != b.level or not a.words or not b.words:
        return False
    negation = local("negation", _NEGATION)
    if bool(a.words & negation) != bool(b.words & negation):
        return False
    if a.in_summary or b.in_summary:
        return similar(a.words, b.words, a.first, b.first, similarity)
    if a.subject and b.subject and a.subject != b.subject:
        # "On <one question>, ... training (75%)" and "For <another>, ... training (50%)":
        # the same option of two questions.
        return False
    return a.mention.paragraph.headings == b.mention.paragraph.headings and a.words == b.words


def agree(a: Claim, b: Claim) -> bool:
    """Equal as printed: the finer figure rounds to the coarser, allowing a net's rounding."""
    decimals = min(a.decimals, b.decimals)
    slack = a.tolerance + b.tolerance
    if slack:
        return abs(a.value - b.value) <= slack + Fraction(1, 2 * 10 ** decimals)
    return rounds_to(a.value, decimals, b.value) or rounds_to(b.value, decimals, a.value)


def check_conflicting_figures(doc: Document, mentions: list[Mention]) -> list[Flag]:
    claims = claims_of(mentions)
    similarity = Similarity(doc)
    flags: list[Flag] = []
    reported: set[frozenset[tuple[int, int]]] = set()
    for claim in claims:
        # A summary figure restates one body figure, so it is judged from the summary's
        # side only: a body figure is not at fault because some summary line resembles it.
        candidates = [other for other in claims if comparable(claim, other, similarity)
                      and (claim.in_summary or not other.in_summary)]
        if not candidates or any(agree(claim, other) for other in candidates):
            continue
        best = max(candidates, key=lambda o: (similarity(claim.words, o.words),
                                              -o.mention.sentence.index))
        pair = frozenset({_key(claim), _key(best)})
        if pair in reported:
            continue
        reported.add(pair)
        # Quote the restatement (summary, or the later of two body sentences) first.
        first, second = (claim, best) if _restates(claim, best) else (best, claim)
        flags.append(flag_at("conflicting-figures", first.mention, _conflict_reason(first, second),
                           (place_of(second.mention),)))
    return flags


def _key(claim: Claim) -> tuple[int, int]:
    return claim.mention.sentence.index, claim.mention.percent.start + len(claim.derived_from)


def _restates(a: Claim, b: Claim) -> bool:
    if a.in_summary != b.in_summary:
        return a.in_summary
    return a.mention.sentence.index > b.mention.sentence.index


def _describe(claim: Claim) -> str:
    value = percent_as_printed(claim.value, claim.decimals)
    if claim.derived_from:
        parts = " + ".join(str(m.percent) for m in claim.derived_from)
        return f"{value} ({level_name(claim.level)}: {parts})"
    return value


def _conflict_reason(first: Claim, second: Claim) -> str:
    what = f"“{second.label}”"
    if first.level:
        what = f"{level_name(first.level)}, {what}"
    reason = (f"{_describe(first)} here, but {_describe(second)} for the same finding "
              f"({what}) at {second.mention.paragraph.location}")
    hint = _count_hint(first, second) or _count_hint(second, first)
    return reason + (f"; {hint}" if hint else "")


def _count_hint(printed: Claim, other: Claim) -> str:
    """'73%' where another place says 84% of n=87: 73 is 84% of 87, a count, not a share."""
    n = other.mention.n
    value = printed.value
    if n is None or printed.derived_from or other.derived_from or value.denominator != 1:
        return ""
    k = int(value)
    if not 0 < k <= n:
        return ""
    exact = Fraction(100 * k, n)
    if rounds_to(exact, other.decimals, other.value):
        return (f"{k} of n={n} is {float(exact):.1f}%, which is the "
                f"{percent_as_printed(other.value, other.decimals)} printed there: "
                f"{percent_as_printed(value, printed.decimals)} looks like the count printed "
                f"as a percentage")
    return ""


__all__ = [
    "Similarity",
    "agree",
    "check_conflicting_figures",
    "claims_of",
    "comparable",
    "similar",
]
