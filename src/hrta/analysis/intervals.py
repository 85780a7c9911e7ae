"""Confidence intervals for proportions."""

from __future__ import annotations

import numpy as np
from statsmodels.stats.proportion import proportion_confint


def wilson(counts: np.ndarray, n: int, *, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of count/n for each count, as percentages; NaN when n is 0."""
    counts = np.asarray(counts, dtype=float)
    if n <= 0:
        nan = np.full(counts.shape, np.nan)
        return nan, nan.copy()
    low, high = proportion_confint(counts, n, alpha=alpha, method="wilson")
    return np.asarray(low) * 100.0, np.asarray(high) * 100.0
