"""Finding percentages, sample sizes and counts in a sentence.

Only what a report's prose states plainly is read: "88%", "8.5 percent", "Seventy-eight
percent", "(n=87)", "A total of 87 respondents", "87 respondents answered". Fractions in
words ("two-thirds", "more than half") are not figures the checks can test and are left
alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from hrta.audit.language import local

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_UNIT_WORDS = "|".join(sorted(_UNITS, key=len, reverse=True))
_TEN_WORDS = "|".join(_TENS)
WORD_NUMBER = (rf"(?:(?:one|a)\s+hundred|(?:{_TEN_WORDS})(?:[\s-](?:{_UNIT_WORDS}))?"
               rf"|{_UNIT_WORDS})")
_NUMBER = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+|{WORD_NUMBER})"


def word_to_int(text: str) -> int | None:
    """'Seventy-eight' -> 78, '87' -> 87, '1,024' -> 1024; None when it is neither."""
    text = text.strip().lower()
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", text):
        return int(text.replace(",", ""))
    if re.fullmatch(r"(?:one|a)\s+hundred", text):
        return 100
    parts = re.split(r"[\s-]+", text)
    if len(parts) == 1:
        return _UNITS.get(parts[0], _TENS.get(parts[0]))
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _UNITS and _UNITS[parts[1]] < 10:
        return _TENS[parts[0]] + _UNITS[parts[1]]
    return None


@dataclass(frozen=True)
class Percent:
    value: Fraction     # exactly as printed: 8.5 -> 17/2
    decimals: int       # digits printed after the point (0 for "88%" and for words)
    start: int          # span in the sentence
    end: int
    text: str           # as printed: "88%", "Seventy-eight percent"
    qualifier: str      # "more than", "nearly", ... or "" for a plain figure
    parenthetical: bool  # printed alone in brackets after what it measures: "toolkits (84%)"
    interval: bool = False  # an end of a range ("47–67%") or a confidence level ("95% CI")

    @property
    def approximate(self) -> bool:
        return bool(self.qualifier)

    def __str__(self) -> str:
        return percent_as_printed(self.value, self.decimals)


def percent_as_printed(value: Fraction | float, decimals: int = 0) -> str:
    """A percent written as the report under audit prints it, with its `decimals` digits
    after the point, so a flag quotes the figure the reader saw. (hrta's own figures are
    written by hrta.wording.format_percent, which follows hrta's style instead.)"""
    return f"{float(value):.{decimals}f}%"


_DIGIT_PERCENT = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*(?:%|per\s?cent\b|pct\b)",
    re.IGNORECASE)
_WORD_PERCENT = re.compile(rf"\b({WORD_NUMBER})[\s-]+per\s?cent\b", re.IGNORECASE)
_QUALIFIER = re.compile(
    r"(more than|less than|fewer than|greater than|over|under|up to|nearly|almost|"
    r"approximately|approx\.|about|around|roughly|at least|at most|close to|some|"
    r"~|<|>|≤|≥|<=|>=)\s*$", re.IGNORECASE)


def qualifier_before(text: str) -> str:
    """The hedge right before a figure ("more than", "nearly", ...), or ""."""
    match = local("qualifier", _QUALIFIER).search(text[-20:])
    return match.group(1).lower() if match else ""


def find_percents(sentence: str) -> list[Percent]:
    """Every percentage printed in a sentence, in order."""
    found: list[Percent] = []
    for match in _DIGIT_PERCENT.finditer(sentence):
        whole = int(match.group(1).replace(",", ""))
        decimals = match.group(2) or ""
        value = Fraction(f"{whole}.{decimals}") if decimals else Fraction(whole)
        found.append(_percent(sentence, match, value, len(decimals)))
    for match in _WORD_PERCENT.finditer(sentence):
        number = word_to_int(match.group(1))
        if number is not None:
            found.append(_percent(sentence, match, Fraction(number), 0))
    return sorted(found, key=lambda p: p.start)


def _percent(sentence: str, match: re.Match[str], value: Fraction, decimals: int) -> Percent:
    before = sentence[:match.start()]
    after = sentence[match.end():]
    parenthetical = bool(re.search(r"\(\s*$", before)) and bool(re.match(r"\s*[),;]", after))
    interval = bool(local("range_end", _RANGE_END).search(before)
                    or local("range_start", _RANGE_START).match(after)
                    or _CONFIDENCE.match(after)
                    or local("confidence_before", _NO_MATCH).search(before))
    return Percent(value=value, decimals=decimals, start=match.start(), end=match.end(),
                   text=match.group(0), qualifier=qualifier_before(before),
                   parenthetical=parenthetical, interval=interval)


# Ranges and intervals are not shares of anything: "CI 47–67%", "29% to 36%", "95% CI".
_RANGE_END = re.compile(r"\d(?:\.\d+)?\s*(?:%|percent)?\s*(?:[-–—]|to)\s*$", re.IGNORECASE)
_RANGE_START = re.compile(r"\s*(?:[-–—]|to)\s*\d", re.IGNORECASE)
_CONFIDENCE = re.compile(r"\s*(?:CI\b|confidence|credible|prediction\s+interval|intervals?\b)",
                         re.IGNORECASE)
# English names the level after the figure ("95% CI"); a language that names it before
# ("IC del 95%") defines `confidence_before`.
_NO_MATCH = re.compile(r"(?!)")


@dataclass(frozen=True)
class SampleSize:
    value: int
    start: int
    end: int
    text: str
    question_level: bool  # "answered this question": holds for what follows in the section


_PEOPLE = (r"(?:eligible\s+|individual\s+|survey\s+|unique\s+)?"
           r"(?:respondents|individuals|participants|people|persons|organizations|"
           r"organisations|agencies|providers|programs|programmes|staff(?:\s+members)?)")
_SAMPLE_PATTERNS = [
    re.compile(r"\bn\s*=\s*(\d{1,3}(?:,\d{3})+|\d+)", re.IGNORECASE),
    re.compile(rf"\b(?:a\s+)?total\s+of\s+({_NUMBER})\s+{_PEOPLE}", re.IGNORECASE),
    re.compile(rf"\b({_NUMBER})\s+{_PEOPLE}\s+(?:answered|responded|completed|replied)\b",
               re.IGNORECASE),
    re.compile(rf"\b(?:of|among)\s+(?:the\s+|all\s+|these\s+)?({_NUMBER})\s+{_PEOPLE}",
               re.IGNORECASE),
    # "(12 of 61, 20%)": a count, its base and its percent, as the report writes them.
    re.compile(r"(?<![\w.,%])\d+\s+of\s+(\d{1,3}(?:,\d{3})+|\d+)(?=,\s*\d+(?:\.\d+)?\s*%)",
               re.IGNORECASE),
]
_QUESTION_LEVEL = re.compile(
    r"\b(?:answered|responded\s+to|completed|replied\s+to)\s+(?:this|the|that)\s+"
    r"(?:question|item)\b", re.IGNORECASE)


def find_sample_sizes(sentence: str) -> list[SampleSize]:
    """Every stated denominator in a sentence, in order; overlapping mentions once."""
    question_level = bool(local("question_level", _QUESTION_LEVEL).search(sentence))
    found: list[SampleSize] = []
    for pattern in local("sample_patterns", _SAMPLE_PATTERNS):
        for match in pattern.finditer(sentence):
            value = word_to_int(match.group(1))
            if value is None or value == 0:
                continue
            if any(s.start <= match.start(1) < s.end for s in found):
                continue
            found.append(SampleSize(value, match.start(), match.end(), match.group(0),
                                    question_level and not match.group(0).lower().startswith("n")))
    return sorted(found, key=lambda s: s.start)


@dataclass(frozen=True)
class Count:
    value: int
    start: int
    end: int
    text: str
    of_people: bool     # names what it counts: "84 respondents", "33 states", "10 of whom"


_COUNTED = re.compile(
    rf"\b({_NUMBER})\s+(?:{_PEOPLE}|states|territories|of\s+whom|of\s+them)\b", re.IGNORECASE)
_INTEGER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?![\w%]|[.,]\d|\s*(?:%|per\s?cent))",
                      re.IGNORECASE)
# Numbers that are labels rather than quantities: "Figure 3", "page 12", years.
_NOT_A_QUANTITY = re.compile(
    r"(?:figure|fig\.|table|page|p\.|pp\.|line|section|chapter|appendix|exhibit|question|q|"
    r"item|no\.|number|wave|step|phase|level|version|v)\s*$", re.IGNORECASE)


def find_counts(sentence: str) -> list[Count]:
    """Whole numbers that count something, in order (percentages, years and labels left out)."""
    taken = [(p.start, p.end) for p in find_percents(sentence)]
    taken += [(s.start, s.end) for s in find_sample_sizes(sentence) if s.text[:1] in "nN"]
    found: dict[int, Count] = {}
    for match in local("counted", _COUNTED).finditer(sentence):
        value = word_to_int(match.group(1))
        if value is not None and not _overlaps(match.start(1), taken):
            found[match.start(1)] = Count(value, match.start(1), match.end(1), match.group(1),
                                          True)
    for match in _INTEGER.finditer(sentence):
        if match.start() in found or _overlaps(match.start(), taken):
            continue
        value = int(match.group(1).replace(",", ""))
        before = sentence[:match.start()]
        label = local("not_a_quantity", _NOT_A_QUANTITY).search(before[-12:])
        if label or _is_year(value, sentence, match):
            continue
        found[match.start()] = Count(value, match.start(), match.end(), match.group(1), False)
    return [found[k] for k in sorted(found)]


def _overlaps(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _is_year(value: int, sentence: str, match: re.Match[str]) -> bool:
    if not 1900 <= value <= 2100 or "," in match.group(1):
        return False
    return not re.match(r"\s+" + _PEOPLE, sentence[match.end():], re.IGNORECASE)


# A citation in brackets that ends with a year: "(Javadi et al., 2021)", "(2021)", or a
# narrative one: "Lauritsen (2017)". Figures in such sentences belong to another study.
_CITATION = re.compile(
    r"\((?:[^()]*?[A-Za-z][^()]*?,\s*)?(?:19|20)\d\d[a-z]?(?:,[^()]*)?\)"
    r"|\b[A-Z][\w'’-]+(?:\s+et\s+al\.?)?\s+\((?:19|20)\d\d[a-z]?\)")


def cites_another_study(sentence: str) -> bool:
    return bool(_CITATION.search(sentence))


def _round_half_up(value: Fraction) -> int:
    return int((value + Fraction(1, 2)).__floor__())


def is_possible(percent: Fraction, decimals: int, n: int) -> bool:
    """Whether some count k of n gives this percentage as printed.

    Both rounding rules in common use are allowed (half up, as people and spreadsheets
    round; half to even, as Python and R do), so a report is never faulted for its rule.
    """
    if n <= 0:
        return False
    scale = 10 ** decimals
    # Only counts near p*n/100 can round to p: look at those, not all of 0..n.
    centre = percent * n / 100
    for k in range(max(0, int(centre) - 2), min(n, int(centre) + 3) + 1):
        exact = Fraction(100 * k * scale, n)
        target = percent * scale
        if target in (_round_half_up(exact), round(exact)):
            return True
    return False


def rounds_to(value: Fraction, decimals: int, printed: Fraction) -> bool:
    """Whether `value` printed with `decimals` places (half up or half even) reads `printed`."""
    scale = 10 ** decimals
    target = printed * scale
    if target.denominator != 1:
        return False
    return target in (_round_half_up(value * scale), round(value * scale))


def nearest_possible(percent: Fraction, decimals: int, n: int) -> list[tuple[int, Fraction]]:
    """The counts just below and above the printed percentage, with their exact percents."""
    centre = int(percent * n / 100)
    return [(k, Fraction(100 * k, n)) for k in (centre, centre + 1) if 0 <= k <= n]
