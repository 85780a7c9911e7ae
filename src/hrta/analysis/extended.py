"""The statistics the 2022 report could not give, added to Findings on request."""

from __future__ import annotations

from pathlib import Path

from hrta.analysis.suppression import DEFAULT_THRESHOLD
from hrta.analysis.trends import FindingsLike
from hrta.findings.model import Findings
from hrta.responses import ResponseSet


def add_statistics(findings: Findings, responses: ResponseSet, *, by: str | None = None,
                   weights: Path | None = None, previous: FindingsLike | None = None,
                   previous_label: str | None = None, threshold: int = DEFAULT_THRESHOLD,
                   min_group: int | None = None) -> Findings:
    """Findings with `comparisons`, `weighting` and `trend` blocks for the options given.

    Each block's module is imported only when asked for: subgroup tests bring SciPy and
    statsmodels, which a plain analysis does not need.
    """
    blocks: dict[str, object] = {}
    if by is not None:
        from hrta.analysis.subgroups import compare_subgroups

        blocks["comparisons"] = compare_subgroups(responses, by, threshold=threshold,
                                                  min_group=min_group)
    if weights is not None:
        from hrta.analysis.weighting import weight, weighted_findings

        values, info = weight(responses, weights)
        blocks["weighting"] = weighted_findings(responses, values, info)
    if previous is not None:
        from hrta.analysis.trends import compare_waves

        blocks["trend"] = compare_waves(findings, previous, previous_label)
    return findings.model_copy(update=blocks)
