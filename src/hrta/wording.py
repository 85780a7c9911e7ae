"""How numbers and words read wherever hrta writes for people: report, TA plans, staff
pages. One home, so a percent or a list reads the same in every output."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

DASH = "–"

# XML 1.0 (Word) cannot carry C0 control characters and HTML treats them as parse errors,
# so any that come in with open-ended answers are shown as U+FFFD in every format.
_BRACKETED = re.compile(r"\([^()]*\)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


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


def clean_text(text: str) -> str:
    """Text from data as it can be shown everywhere: control characters replaced."""
    return _CONTROL.sub("\ufffd", text)


def in_sentence(label: str) -> str:
    """An option label as it reads mid-sentence: 'Peer support services' -> 'peer support
    services', while names and acronyms ('New York', 'CCBHC', 'I don't know') keep case."""
    words = label.split()
    # "A" opening a label is the article ("A champion"; Spanish "A veces"), while "I" or a
    # lone letter ("T cells") keeps its capital.
    article = words[:1] == ["A"] and len(words) > 1 and words[1][:1].islower()
    if not article and (not words or len(words[0]) < 2 or not words[0][1:2].islower()):
        return label
    # A capitalised word further on marks a name; an acronym (SUD, PWUD) does not.
    if any(word[:1].isupper() and word[1:2].islower() for word in words[1:]):
        return label
    return label[0].lower() + label[1:]


def join_words(items: Sequence[str], conjunction: str = "and") -> str:
    """'A', 'A and B', 'A, B and C', with no serial comma; semicolons when an item holds a
    comma of its own ('fentanyl test strips; other drug checking services, such as mass
    spectrometry'), so the reader can tell where one item ends."""
    items = [item for item in items if item]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    # A comma inside brackets ("naloxone (100%, n=3)") does not split an item.
    separator = "; " if any("," in _BRACKETED.sub("", item) for item in items) else ", "
    last = f"{separator.strip()} {conjunction}" if separator == "; " else f" {conjunction}"
    return f"{separator.join(items[:-1])}{last} {items[-1]}"


def collation_key(text: str, language: str = "en") -> tuple[str, str]:
    """Sorts names as a dictionary of `language` does, without a collation library: case
    and accents are ignored (Míchigan beside Minnesota), except Spanish "ñ", a letter of its
    own after "n". Ties fall back on the exact text, so the order is always the same."""
    folded = text.casefold()
    if language.replace("_", "-").split("-")[0].lower() == "es":
        # A character after every letter, so "ñ" follows "nz…" and comes before "o".
        folded = folded.replace("ñ", "n\u007f")
    bare = "".join(c for c in unicodedata.normalize("NFKD", folded)
                   if not unicodedata.combining(c))
    return bare, text


def capitalize(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return singular if count == 1 else (plural_form or f"{singular}s")
