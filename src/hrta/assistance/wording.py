"""Small pieces of plain English for the sentences of profiles and plans, in the report's
style (hrta.report.formatting)."""

from __future__ import annotations

from collections.abc import Sequence

from hrta.report.formatting import capitalize, in_sentence
from hrta.report.formatting import join_words as _join_words

__all__ = ["capitalize", "in_sentence", "join_words", "plural"]


def join_words(items: Sequence[str], *, conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'; semicolons when an item holds a comma of its own
    ('fentanyl test strips; other drug checking services, such as mass spectrometry')."""
    items = [item for item in items if item]
    if len(items) > 1 and any("," in item for item in items):
        return f"{'; '.join(items[:-1])}; {conjunction} {items[-1]}"
    return _join_words(items, conjunction)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return singular if count == 1 else (plural_form or f"{singular}s")
