"""Variable names another tool accepts, made from hrta's ids.

Every target limits names: Stata to 32 characters, REDCap to 26 (lower case), and each
wants letters, digits and underscores, starting with a letter. A name is the id it stands
for (`services_direct_naloxone` for one option of a select-all question) when that fits;
otherwise it is cut to the limit (losing an underscore it would end in). When a cut name is
taken already, the later one (in the instrument's order) ends in `_2`, `_3`, … cut short
enough to stay within the limit, so the same instrument always gives the same names;
`hrta convert` and `hrta instrument export` say which names they numbered. The codebook of
each export lists every name beside the ids it stands for.
"""

from __future__ import annotations

import re

_BAD = re.compile(r"[^a-z0-9_]+")
# Words Stata and SPSS keep for themselves; a variable may not be one of them.
RESERVED = frozenset({
    "all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with",
    "_all", "_b", "_coef", "_cons", "_n", "_pi", "_pred", "_rc", "_se", "_skip", "byte",
    "double", "float", "if", "in", "int", "long", "str", "strl", "using",
})


class Names:
    """Hands out unique names no longer than `limit`, in the order they are asked for."""

    def __init__(self, limit: int, *, taken: tuple[str, ...] = ()) -> None:
        self.limit = limit
        self.used: set[str] = set(taken)
        self.shortened: dict[str, str] = {}
        """Wanted name -> the name given, for each one that had to change."""
        self.numbered: dict[str, tuple[str, str]] = {}
        """Wanted name -> (the name given, the cut name another had taken), for each one
        numbered because its cut name was taken."""

    def name(self, wanted: str) -> str:
        base = _valid(wanted)
        candidate = taken = base[: self.limit].rstrip("_")
        number = 2
        while candidate in self.used:
            suffix = f"_{number}"
            candidate = base[: self.limit - len(suffix)].rstrip("_") + suffix
            number += 1
        self.used.add(candidate)
        if candidate != wanted:
            self.shortened[wanted] = candidate
        if candidate != taken:
            self.numbered[wanted] = (candidate, taken)
        return candidate


def _valid(text: str) -> str:
    name = _BAD.sub("_", text.lower()).strip("_") or "v"
    if not name[0].isalpha():
        name = f"v{name}"
    if name in RESERVED:
        name = f"{name}_v"
    return name
