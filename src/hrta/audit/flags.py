"""What the audit reports: a flag quotes a sentence, says where it is and why it is doubtful."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

# Kinds in the order the output lists them, with the heading each group gets.
KINDS: dict[str, str] = {
    "distribution-sum": "Answer shares that do not add up to 100%",
    "conflicting-figures": "The same finding quoted with different figures",
    "impossible-percentage": "Percentages no count of the stated n can give",
    "count-as-percentage": "Counts printed as percentages",
    "unmatched-value": "Figures that match nothing in the data",
}


@dataclass(frozen=True)
class Place:
    """Another sentence a flag points to: the other half of a conflict."""

    sentence: str
    location: str
    section: str = ""


@dataclass(frozen=True)
class Flag:
    kind: str
    sentence: str
    location: str
    reason: str
    section: str = ""
    related: tuple[Place, ...] = field(default=())
    order: int = 0      # sentence index in the document, to list flags in reading order

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown flag kind {self.kind!r}")


def sort_flags(flags: list[Flag]) -> list[Flag]:
    kinds = list(KINDS)
    return sorted(flags, key=lambda f: (kinds.index(f.kind), f.order, f.reason))


def flags_to_json(flags: list[Flag]) -> list[dict[str, Any]]:
    """Flags as plain data, in output order, for `--json` and the web app."""
    return [{
        "kind": f.kind,
        "sentence": f.sentence,
        "location": f.location,
        "section": f.section,
        "reason": f.reason,
        "related": [{"sentence": p.sentence, "location": p.location, "section": p.section}
                    for p in f.related],
    } for f in sort_flags(flags)]


def format_flags(flags: list[Flag], *, width: int = 100) -> str:
    """Readable text: one group per kind, each flag quoting its sentence and saying why."""
    if not flags:
        return "No inconsistencies found.\n"
    lines: list[str] = []
    ordered = sort_flags(flags)
    for kind, title in KINDS.items():
        group = [f for f in ordered if f.kind == kind]
        if not group:
            continue
        if lines:
            lines.append("")
        heading = f"{title} ({kind}): {len(group)}"
        lines += [heading, "=" * len(heading)]
        for flag in group:
            lines.append("")
            lines.append(_where(flag.location, flag.section))
            lines += _wrap(f"“{flag.sentence}”", width, "    ")
            for place in flag.related:
                lines.append(f"    vs {_where(place.location, place.section)}:")
                lines += _wrap(f"“{place.sentence}”", width, "    ")
            lines += _wrap(f"Why: {flag.reason}", width, "  → ", "    ")
    count = len(flags)
    lines += ["", f"{count} flag{'s' if count != 1 else ''}."]
    return "\n".join(lines) + "\n"


def _where(location: str, section: str) -> str:
    return f"{location} · {section}" if section else location


def _wrap(text: str, width: int, first: str, rest: str | None = None) -> list[str]:
    return textwrap.wrap(text, width=width, initial_indent=first,
                         subsequent_indent=rest if rest is not None else first,
                         break_on_hyphens=False) or [first.rstrip()]
