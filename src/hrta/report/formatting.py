"""How numbers and text read in the report, the same in HTML, PDF and Word."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

DASH = "–"

# XML 1.0 (Word) cannot carry C0 control characters and HTML treats them as parse errors,
# so any that come in with open-ended answers are shown as U+FFFD in every format.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_FIRST_PERSON = ((re.compile(r"\bOur\b"), "Their"), (re.compile(r"\bour\b"), "their"),
                 (re.compile(r"\bWe\b"), "They"), (re.compile(r"\bwe\b"), "they"),
                 (re.compile(r"\bus\b"), "them"))


def whole(value: float) -> int:
    """Round to a whole number, halves up as readers expect (12.5 -> 13)."""
    return int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_percent(value: float | None) -> str:
    """A whole percent, rounding halves up (12.5 -> 13%)."""
    return DASH if value is None else f"{whole(value)}%"


def format_interval(low: float | None, high: float | None) -> str:
    return DASH if low is None or high is None else f"{whole(low)}–{whole(high)}%"


def format_count(value: int | float) -> str:
    return f"{value:,.0f}" if isinstance(value, float) else f"{value:,}"


def format_points(value: float | None) -> str:
    """A change in percentage points, signed: +15, −3, 0."""
    if value is None:
        return DASH
    points = whole(value)
    return f"+{points}" if points > 0 else f"−{-points}" if points < 0 else "0"


def format_p(value: float | None) -> str:
    if value is None:
        return DASH
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def format_date(iso: str) -> str:
    """'2022-05-16' -> 'May 16, 2022'."""
    day = date.fromisoformat(iso)
    return f"{day:%B} {day.day}, {day.year}"


def clean_text(text: str) -> str:
    """Text from data as it can be shown everywhere: control characters replaced."""
    return _CONTROL.sub("\ufffd", text)


def in_sentence(label: str) -> str:
    """An option label as it reads mid-sentence: 'Peer support services' -> 'peer support
    services', while names and acronyms ('New York', 'CCBHC', 'I don't know') keep case."""
    words = label.split()
    if not words or len(words[0]) < 2 or not words[0][1:2].islower():
        return label
    # A capitalised word further on marks a name; an acronym (SUD, PWUD) does not.
    if any(word[:1].isupper() and word[1:2].islower() for word in words[1:]):
        return label
    return label[0].lower() + label[1:]


def third_person(statement: str) -> str:
    """A statement respondents rated, as the report retells it: 'Our staff support …' ->
    'their staff support …', without its closing full stop."""
    text = statement.strip().rstrip(".")
    for pattern, replacement in _FIRST_PERSON:
        text = pattern.sub(replacement, text)
    return in_sentence(text)


def subject(title: str) -> str:
    """A question's short title as a sentence subject: 'Technical assistance formats (top
    three)' -> 'technical assistance formats'."""
    return in_sentence(re.sub(r"\s*\([^)]*\)\s*$", "", title))


def join_words(items: Sequence[str], conjunction: str = "and") -> str:
    """'A', 'A and B', 'A, B and C' — the report's style, with no serial comma."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def capitalize(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]
