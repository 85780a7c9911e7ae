"""Percentages with their 95% interval: the one place a percent and its interval are made.

- `Proportion`: a count of n respondents, its percent and Wilson score interval;
- `WeightedProportion`: a weighted share, its interval the Wilson interval on the effective
  n (Kish's approximation; see docs/statistics.md);
- `newcombe_interval`: the interval of a difference of two independent proportions, built
  on the two Wilson intervals (trends between waves).

Each type is made through its `of` constructor, which computes the interval, so no
percent in Findings has an interval worked out another way. Reading a Findings file back
(`Findings.load`) is the one other way in: it keeps the numbers as written. Subclasses add
the fields that sit beside the numbers in the JSON (an option's label and rank, a net's
options), and `of` passes those through.

The formulas are a few lines of arithmetic so that a plain analysis imports no statistics
library; tests hold them equal to statsmodels' `proportion_confint(method="wilson")` and
`confint_proportions_2indep(method="newcomb")`.
"""

from __future__ import annotations

import math
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field

Z_95 = 1.959963984540054
"""The standard normal quantile of 0.975 (scipy.stats.norm.ppf(0.975)): a 95% interval."""


def percent_of(count: float, n: float) -> float | None:
    """100 * count / n, or None when nobody is in n."""
    return 100.0 * count / n if n else None


def wilson_interval(successes: float, n: float) -> tuple[float, float]:
    """Wilson score 95% interval of successes / n, in percent (n > 0).

    At the edges the bounds are exactly 0 and 100: the formula lands there only up to a
    rounding error (1.7e-16 for a count of 0), which a reader of the JSON should not meet.
    """
    p = successes / n
    z2 = Z_95 * Z_95
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = Z_95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    low = 0.0 if successes <= 0 else max(100.0 * (centre - half), 0.0)
    high = 100.0 if successes >= n else min(100.0 * (centre + half), 100.0)
    return low, high


def newcombe_interval(count_now: float, n_now: float, count_before: float,
                      n_before: float) -> tuple[float, float]:
    """Newcombe's hybrid score 95% interval of (now - before), in percentage points.

    Both n must be positive. The two Wilson intervals give each side's uncertainty; the
    difference's bounds combine the lower side of one with the upper side of the other.
    """
    p_now, p_before = 100.0 * count_now / n_now, 100.0 * count_before / n_before
    low_now, high_now = wilson_interval(count_now, n_now)
    low_before, high_before = wilson_interval(count_before, n_before)
    difference = p_now - p_before
    return (difference - math.hypot(p_now - low_now, high_before - p_before),
            difference + math.hypot(high_now - p_now, p_before - low_before))


class _Estimate(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    percent: float | None = Field(
        description="`100 * count / n` (weighted: the weighted share of n), unrounded; null "
                    "when n is 0")
    ci_low: float | None = Field(
        description="lower bound of the Wilson score 95% interval of the percent, in "
                    "percent; null when n is 0")
    ci_high: float | None = Field(
        description="upper bound of that interval; null when n is 0")


class _Counted(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    count: int = Field(description="eligible respondents counted")


# _Counted after _Estimate in the bases puts `count` before `percent` in the JSON, where
# earlier Findings files have it.
class Proportion(_Estimate, _Counted):
    """`count` of n respondents: `percent` = 100 * count / n with its Wilson 95% interval."""

    @classmethod
    def of(cls, count: int, n: int, **fields: Any) -> Self:
        if n <= 0:
            return cls(count=count, percent=None, ci_low=None, ci_high=None, **fields)
        low, high = wilson_interval(count, n)
        return cls(count=count, percent=100.0 * count / n, ci_low=low, ci_high=high,
                   **fields)


class WeightedProportion(_Estimate):
    """A weighted share in percent, its Wilson interval on the effective n (Kish)."""

    @classmethod
    def of(cls, share: float | None, effective_n: float, **fields: Any) -> Self:
        """`share` is the weighted share from 0 to 1 (None when nobody answered)."""
        if share is None or effective_n <= 0:
            return cls(percent=None, ci_low=None, ci_high=None, **fields)
        # A share of everyone can come out a rounding error above 1.
        share = min(max(share, 0.0), 1.0)
        low, high = wilson_interval(share * effective_n, effective_n)
        return cls(percent=100.0 * share, ci_low=low, ci_high=high, **fields)


def ranks(counts: list[int]) -> list[int]:
    """1 for the largest count; ties share the lower rank (1, 2, 2, 4)."""
    return [1 + sum(other > count for other in counts) for count in counts]
