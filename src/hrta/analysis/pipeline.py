"""The one analysis pipeline: the Findings of a ResponseSet, with themes and statistics.

`hrta analyze`, `hrta report` and the web app's staff pages all take this path, so a
figure on the dashboard and in a report is computed the same way. Coding open-ended
answers belongs to the caller (the command codes them, the web app reuses its stored
runs and people's confirmations), so it comes in as `themes`: a function that adds the
`coding` blocks to the Findings JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from hrta.analysis.findings import build_findings
from hrta.analysis.suppression import DEFAULT_THRESHOLD
from hrta.analysis.trends import FindingsLike
from hrta.findings.model import Findings
from hrta.responses import ResponseSet

Themes = Callable[[dict[str, Any], ResponseSet], dict[str, Any]]
"""Given the Findings JSON and its responses, the same JSON with `coding` blocks added."""
Step = Callable[[str], None]
"""Told what the pipeline starts doing next, for a progress display."""


def analyse(responses: ResponseSet, *, themes: Themes | None = None, by: str | None = None,
            weights: Path | None = None, previous: ResponseSet | FindingsLike | None = None,
            previous_label: str | None = None, threshold: int = DEFAULT_THRESHOLD,
            min_group: int | None = None, step: Step | None = None,
            language: str | None = None) -> Findings:
    """Findings of `responses`; with `themes` coded; with `comparisons` (`by`),
    `weighting` (a margins file) and `trend` (since the `previous` wave) when asked; the
    import's notes in `language`."""
    say = step or _quiet
    if by:
        from hrta.analysis.grouping import groups_to_compare

        # Refused before coding themes or computing anything: a `--by` that names
        # nothing, or leaves fewer than two groups, should not cost seconds to say so.
        groups_to_compare(responses, by, threshold=threshold, min_group=min_group)
    say(f"Analysing {responses.total:,} responses")
    findings = build_findings(responses, language=language)
    if themes is not None:
        findings = Findings.model_validate(themes(findings.to_json(), responses))
    if isinstance(previous, ResponseSet):
        say(f"Analysing the earlier wave's {previous.total:,} responses")
        previous = build_findings(previous)
    if by or weights or previous is not None:
        from hrta.analysis.extended import add_statistics

        say("Comparing groups, weighting and trends")
        findings = add_statistics(findings, responses, by=by, weights=weights,
                                  previous=previous, previous_label=previous_label,
                                  threshold=threshold, min_group=min_group)
    return findings


def _quiet(_: str) -> None:
    pass
