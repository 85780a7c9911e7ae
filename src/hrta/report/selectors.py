"""Reading Findings the way every part of the report needs: ordered options, captions, n.

These functions only look things up and order them; every number they return is already
in Findings.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from hrta.report.formatting import format_count

Findings = dict[str, Any]
Entry = dict[str, Any]

# Counts below this are not shown for subgroups (DESIGN: default 5, configurable).
DEFAULT_SUPPRESSION = 5


def ordered(entry: Entry) -> list[tuple[str, Entry]]:
    """Options with their ids by count, highest first (Findings' rank), ties kept in
    instrument order."""
    return sorted(entry["options"].items(), key=lambda pair: pair[1]["rank"])


def substantive(entry: Entry) -> list[tuple[str, Entry]]:
    """Ordered options a sentence may name: "Other (please specify)" says nothing alone."""
    return [(key, option) for key, option in ordered(entry) if not option.get("other")]


def leaders(options: list[tuple[str, Entry]], k: int, *,
            whole_first: bool = True) -> list[tuple[str, Entry]]:
    """The first options of an ordered list, ties taken whole: runs of equal count are added
    while the total stays within k. The first run is taken whatever its length (the top
    answers, however many tie), unless `whole_first` is false."""
    chosen: list[tuple[str, Entry]] = []
    for _, run in groupby(options, key=lambda pair: pair[1]["count"]):
        tied = list(run)
        if (chosen or not whole_first) and len(chosen) + len(tied) > k:
            break
        chosen.extend(tied)
        if len(chosen) >= k:
            break
    return chosen


def caption(item: Entry, findings: Findings) -> str:
    """'Figure N. Title (n=…)', naming each question's n when a figure draws several."""
    ns: dict[str, int] = item["n"]
    if len(ns) == 1:
        n_text = f"n={format_count(next(iter(ns.values())))}"
    else:
        n_text = "; ".join(f"{findings['questions'][qid]['title']} n={format_count(n)}"
                           for qid, n in ns.items())
    prefix = f"{reference(item)}. " if reference(item) else ""
    return f"{prefix}{item['title']} ({n_text})"


def reference(item: Entry) -> str:
    """'Figure 3', 'Figure 5a' or 'Table 1'; empty for unnumbered items (open-ended
    listings)."""
    label = {"figure": "Figure", "table": "Table"}.get(item["kind"])
    if not label or item["number"] is None:
        return ""
    return f"{label} {item['number']}{item.get('suffix', '')}"


def anchor(item: Entry) -> str:
    if item["number"] is None:
        return f"{item['kind']}-{item['questions'][0]}"
    return f"{item['kind']}-{item['number']}{item.get('suffix', '')}"


def suppression_threshold(findings: Findings) -> int:
    comparisons = findings.get("comparisons") or {}
    return int(comparisons.get("threshold") or DEFAULT_SUPPRESSION)


def weighted(findings: Findings, qid: str, option_id: str) -> Entry | None:
    """The weighted estimate of one option, when Findings carry weights for it."""
    weighting = findings.get("weighting") or {}
    question = (weighting.get("questions") or {}).get(qid) or {}
    return (question.get("options") or {}).get(option_id)


def is_weighted(findings: Findings, qid: str) -> bool:
    """Whether Findings carry weighted estimates for this question."""
    return qid in ((findings.get("weighting") or {}).get("questions") or {})


def title_of(findings: Findings, qid: str) -> str:
    """The short title of a question or of an agreement grid (which has no question entry)."""
    entry = findings["questions"].get(qid) or findings.get("matrices", {}).get(qid)
    return str(entry["title"]) if entry else qid


def question_label(findings: Findings, qid: str) -> str:
    """A question's name in a table: its title, or for a rated statement, grid and text."""
    entry = findings["questions"].get(qid)
    if entry is None:
        return qid
    if entry["type"] == "matrix_statement":
        return f"{entry['title']}: {entry['text']}"
    return str(entry["title"])
