"""How numbers and text read in the report, the same in HTML, PDF and Word. The pieces
shared with TA plans and staff pages live in hrta.wording."""

from __future__ import annotations

import re
from datetime import date

from hrta.wording import (
    DASH,
    capitalize,
    clean_text,
    format_count,
    format_interval,
    format_percent,
    in_sentence,
    join_words,
    whole,
)

__all__ = [
    "DASH",
    "capitalize",
    "clean_text",
    "format_bound",
    "format_count",
    "format_date",
    "format_interval",
    "format_p",
    "format_percent",
    "format_points",
    "in_sentence",
    "join_words",
    "subject",
    "third_person",
    "whole",
]

_FIRST_PERSON = ((re.compile(r"\bOur\b"), "Their"), (re.compile(r"\bour\b"), "their"),
                 (re.compile(r"\bWe\b"), "They"), (re.compile(r"\bwe\b"), "they"),
                 (re.compile(r"\bus\b"), "them"))


def format_points(value: float | None) -> str:
    """A change in percentage points, signed: +15, −3, 0."""
    if value is None:
        return DASH
    points = whole(value)
    return f"+{points}" if points > 0 else f"−{-points}" if points < 0 else "0"


def format_bound(value: float | None) -> str:
    """An interval's end in percentage points: signed like format_points, with one decimal
    where the whole number would read 0 (an interval of −20 to −0.4 leaves out zero; "−20 to
    0" would seem to touch it)."""
    if value is None or whole(value) != 0 or value == 0:
        return format_points(value)
    tenths = f"{abs(value):.1f}"
    if tenths == "0.0":
        tenths = f"{abs(value):.2g}"
    return f"+{tenths}" if value > 0 else f"−{tenths}"


def format_p(value: float | None) -> str:
    if value is None:
        return DASH
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def format_date(day: date) -> str:
    """2022-05-16 -> 'May 16, 2022'."""
    return f"{day:%B} {day.day}, {day.year}"


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
