"""Change between two waves (`--compare OTHER_WAVE`), from two Findings documents.

Each option's difference is this wave's percent minus the other wave's, in percentage
points, with Newcombe's hybrid score 95% interval for a difference of two independent
proportions (hrta.findings.proportion.newcombe_interval, built on the two Wilson
intervals). The two waves are treated as independent samples: an organization answering
both waves makes the interval somewhat conservative.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hrta.findings.model import Fielded, Findings, OptionChange, QuestionChange, Trend

CLOSED_TYPES = ("single", "multi", "matrix_statement")

FindingsLike = Findings | Mapping[str, Any]
"""A Findings model, or its JSON read back (an earlier wave's file, older hrta or not)."""


def compare_waves(current_findings: FindingsLike, previous_findings: FindingsLike,
                  label: str | None = None) -> Trend:
    """Per closed question and option: both percents, the difference and its interval.

    `label` names the other wave for readers ("the 2021 wave"); without it the report
    calls it the earlier wave, with its fielded dates.

    Questions and options present in only one wave keep None for the other wave's values
    and for the difference; so does a question that nobody answered in either wave.
    Only each question's title and n and each option's label and count are read.
    """
    current_json, previous_json = _json(current_findings), _json(previous_findings)
    current = _closed(current_json)
    previous = _closed(previous_json)
    questions = {}
    for qid in [*current, *(q for q in previous if q not in current)]:
        now, before = current.get(qid), previous.get(qid)
        either = now or before or {}
        has_nets = "nets" in (now or {}) or "nets" in (before or {})
        questions[qid] = QuestionChange(
            title=either["title"],
            n=now["n"] if now else None,
            n_before=before["n"] if before else None,
            options=_changes(now, before, "options"),
            nets=_changes(now, before, "nets") if has_nets else None,
        )
    fielded = previous_json.get("fielded")
    return Trend(compare_to=label or _wave_name(previous_json), label=label,
                 fielded_before=Fielded.model_validate(fielded) if fielded else None,
                 questions=questions)


def _json(findings: FindingsLike) -> Mapping[str, Any]:
    return findings.to_json() if isinstance(findings, Findings) else findings


def _closed(findings: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {qid: entry for qid, entry in findings.get("questions", {}).items()
            if entry.get("type") in CLOSED_TYPES}


def _wave_name(findings: Mapping[str, Any]) -> str:
    if findings.get("source"):
        return str(findings["source"])
    fielded = findings.get("fielded")
    if fielded:
        return f"wave fielded {fielded['first']} to {fielded['last']}"
    return "previous wave"


def _changes(now: Mapping[str, Any] | None, before: Mapping[str, Any] | None,
             key: str) -> dict[str, OptionChange]:
    """Change of every option (or net) found in either wave, this wave's order first."""
    rows_now = (now or {}).get(key, {})
    rows_before = (before or {}).get(key, {})
    ids = [*rows_now, *(i for i in rows_before if i not in rows_now)]
    n_now = now["n"] if now else 0
    n_before = before["n"] if before else 0
    changes = {}
    for option_id in ids:
        row_now, row_before = rows_now.get(option_id), rows_before.get(option_id)
        changes[option_id] = OptionChange.of(
            (row_now or row_before).get("label"),
            None if row_now is None else int(row_now["count"]), n_now,
            None if row_before is None else int(row_before["count"]), n_before)
    return changes
