"""Ids for what an importer names itself: questions, options and sections drafted or
converted from another tool's texts and tags."""

from __future__ import annotations


def unique(base: str, taken: set[str], *, claim: bool = True) -> str:
    """`base`, or `base_2`, `base_3` … the first not in `taken`; claimed (added to `taken`)
    unless `claim` is false."""
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}_{number}", number + 1
    if claim:
        taken.add(candidate)
    return candidate
