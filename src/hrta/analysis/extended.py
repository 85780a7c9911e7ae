"""The statistics the 2022 report could not give, added to Findings on request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hrta.analysis.subgroups import compare_subgroups
from hrta.analysis.trends import compare_waves
from hrta.analysis.weighting import weight, weighted_findings
from hrta.responses import ResponseSet


def add_statistics(findings: dict[str, Any], responses: ResponseSet, *, by: str | None = None,
                   weights: Path | None = None, previous: dict[str, Any] | None = None,
                   previous_label: str | None = None, threshold: int = 5,
                   min_group: int | None = None) -> dict[str, Any]:
    """Findings with `comparisons`, `weighting` and `trend` blocks for the options given."""
    extended = dict(findings)
    if by is not None:
        extended["comparisons"] = compare_subgroups(responses, by, threshold=threshold,
                                                    min_group=min_group)
    if weights is not None:
        values, info = weight(responses, weights)
        extended["weighting"] = weighted_findings(responses, values, info)
    if previous is not None:
        trend = compare_waves(findings, previous)
        if previous_label:
            trend["compare_to"] = previous_label
        extended["trend"] = trend
    return extended
