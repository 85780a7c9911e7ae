"""Small-count suppression of subgroup tables, with complementary suppression.

A subgroup table has one row per option and one column per group. What readers can add
up decides what must be hidden:

- every row sums to the option's overall count, which the overall tables publish;
- for a single-choice question or a matrix statement every column sums to the group's n
  (each respondent picks one option), which is published; a multi-choice column does not.

Primary suppression hides counts from 1 to threshold - 1, and every cell of a group whose
n (for that question) is below the threshold. In a multi-choice column n - count is the
number who did not choose the option, readable from n and the count, so a cell is hidden
when that number is from 1 to threshold - 1 as well ("all but 2 of 26").

Complementary suppression then hides one more cell wherever a row, or a summing column,
holds exactly one hidden cell: otherwise that cell is its total minus the cells shown.
This guards against recovery by subtraction from one total; it is not a full
linear-programming audit of every combination of totals. Suppression changes only what
is published; tests use the true counts.
"""

from __future__ import annotations

import numpy as np

from hrta.defaults import DEFAULT_THRESHOLD as DEFAULT_THRESHOLD


def suppress(counts: np.ndarray, n: np.ndarray, *, threshold: int = DEFAULT_THRESHOLD,
             columns_sum_to_n: bool) -> np.ndarray:
    """Which cells of an options x groups table to hide: a boolean array of its shape.

    `n` holds each group's n for the question; `columns_sum_to_n` is true for single-choice
    questions and matrix statements.
    """
    counts = np.asarray(counts, dtype=np.int64)
    n = np.asarray(n, dtype=np.int64)
    hidden = _small(counts, threshold)
    if not columns_sum_to_n:
        hidden |= _small(n - counts, threshold)
    hidden[:, (n > 0) & (n < threshold)] = True
    # Each pass can leave a new line with one hidden cell; the mask only grows, so it ends.
    changed = True
    while changed:
        changed = _complete_lines(hidden, counts, n > 0)
        if columns_sum_to_n:
            changed |= _complete_lines(hidden.T, counts.T, np.ones(counts.shape[0], bool))
    return hidden


def _small(counts: np.ndarray, threshold: int) -> np.ndarray:
    return (counts > 0) & (counts < threshold)


def _complete_lines(hidden: np.ndarray, counts: np.ndarray, usable: np.ndarray) -> bool:
    """Hide a second cell in each row of `hidden` that has exactly one; True if any changed.

    `usable` marks the columns a complement may come from (a group nobody in answered has
    only zeros that hide nothing). Works in place, so a transposed view completes columns.
    """
    changed = False
    for row in np.flatnonzero(hidden.sum(axis=1) == 1):
        candidates = np.flatnonzero(~hidden[row] & usable)
        if candidates.size == 0:
            continue
        hidden[row, _smallest(counts[row, candidates], candidates)] = True
        changed = True
    return changed


def _smallest(values: np.ndarray, candidates: np.ndarray) -> int:
    """The smallest non-zero cell; a zero only when nothing else is left.

    A hidden zero protects little (the hidden pair still sums to the first value), so a
    non-zero partner is preferred; among equals the first in survey order is taken.
    """
    positive = values > 0
    pool = np.flatnonzero(positive) if positive.any() else np.arange(values.size)
    return int(candidates[pool[np.argmin(values[pool])]])
