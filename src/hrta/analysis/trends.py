"""Change between two waves (`--compare OTHER_WAVE`), from two Findings documents.

Each option's difference is this wave's percent minus the other wave's, in percentage
points, with Newcombe's hybrid score 95% interval for a difference of two independent
proportions (statsmodels). The two waves are treated as independent samples: an
organization answering both waves makes the interval somewhat conservative.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from statsmodels.stats.proportion import confint_proportions_2indep

CLOSED_TYPES = ("single", "multi", "matrix_statement")


def compare_waves(current_findings: dict[str, Any],
                  previous_findings: dict[str, Any]) -> dict[str, Any]:
    """Per closed question and option: both percents, the difference and its interval.

    Questions and options present in only one wave keep None for the other wave's values
    and for the difference; so does a question that nobody answered in either wave.
    """
    current = _closed(current_findings)
    previous = _closed(previous_findings)
    questions = {}
    for qid in [*current, *(q for q in previous if q not in current)]:
        now, before = current.get(qid), previous.get(qid)
        entry: dict[str, Any] = {
            "title": (now or before)["title"],  # type: ignore[index]
            "n": now["n"] if now else None,
            "n_before": before["n"] if before else None,
            "options": _changes(now, before, "options"),
        }
        if "nets" in (now or {}) or "nets" in (before or {}):
            entry["nets"] = _changes(now, before, "nets")
        questions[qid] = entry
    return {"compare_to": _wave_name(previous_findings),
            "fielded_before": previous_findings.get("fielded"),
            "questions": questions}


def _closed(findings: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {qid: entry for qid, entry in findings.get("questions", {}).items()
            if entry.get("type") in CLOSED_TYPES}


def _wave_name(findings: dict[str, Any]) -> str:
    if findings.get("source"):
        return str(findings["source"])
    fielded = findings.get("fielded")
    if fielded:
        return f"wave fielded {fielded['first']} to {fielded['last']}"
    return "previous wave"


def _changes(now: dict[str, Any] | None, before: dict[str, Any] | None,
             key: str) -> dict[str, Any]:
    """Change of every option (or net) found in either wave, this wave's order first."""
    rows_now = (now or {}).get(key, {})
    rows_before = (before or {}).get(key, {})
    ids = [*rows_now, *(i for i in rows_before if i not in rows_now)]
    n_now = now["n"] if now else 0
    n_before = before["n"] if before else 0
    counts_now = np.array([_count(rows_now.get(i)) for i in ids], dtype=float)
    counts_before = np.array([_count(rows_before.get(i)) for i in ids], dtype=float)
    comparable = np.array([i in rows_now and i in rows_before for i in ids], dtype=bool)
    comparable &= (n_now > 0) & (n_before > 0)
    low, high = _newcombe(counts_now, n_now, counts_before, n_before, comparable)
    changes = {}
    for k, option_id in enumerate(ids):
        percent = _percent(rows_now.get(option_id), n_now)
        percent_before = _percent(rows_before.get(option_id), n_before)
        ok = bool(comparable[k])
        changes[option_id] = {
            "label": (rows_now.get(option_id) or rows_before[option_id]).get("label"),
            "percent": percent,
            "percent_before": percent_before,
            "difference": percent - percent_before if ok else None,  # type: ignore[operator]
            "ci_low": float(low[k]) if ok else None,
            "ci_high": float(high[k]) if ok else None,
            "changed": bool(low[k] > 0 or high[k] < 0) if ok else None,
        }
    return changes


def _count(row: dict[str, Any] | None) -> int:
    return int(row["count"]) if row else 0


def _percent(row: dict[str, Any] | None, n: int) -> float | None:
    return 100.0 * row["count"] / n if row is not None and n else None


def _newcombe(count_now: np.ndarray, n_now: int, count_before: np.ndarray, n_before: int,
              comparable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's interval of (now - before), in percentage points; NaN where not comparable."""
    low = np.full(count_now.shape, np.nan)
    high = low.copy()
    if comparable.any():
        found = confint_proportions_2indep(
            count_now[comparable], n_now, count_before[comparable], n_before,
            method="newcomb", compare="diff")
        low[comparable] = np.asarray(found[0]) * 100.0
        high[comparable] = np.asarray(found[1]) * 100.0
    return low, high
