"""Per-question frequency tables with honest denominators.

A question's n is the number of eligible respondents who answered it: a multi-choice
question counts as answered when any option is chosen, a matrix statement when it is
rated, an open-ended question when the text is not blank.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl
from scipy.stats import rankdata

from hrta.analysis.intervals import wilson
from hrta.instrument import Option, Question


def answered_counts(answers: pl.DataFrame) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """(n per question id, respondents per (question id, option id)) over these answers."""
    n_frame = answers.group_by("question_id").agg(pl.col("row").n_unique().alias("n"))
    n = dict(zip(n_frame["question_id"].cast(pl.String).to_list(), n_frame["n"].to_list(),
                 strict=True))
    count_frame = (answers.filter(pl.col("option_id").is_not_null())
                   .group_by("question_id", "option_id")
                   .agg(pl.col("row").n_unique().alias("count")))
    counts = {
        (q, o): c for q, o, c in zip(
            count_frame["question_id"].cast(pl.String).to_list(),
            count_frame["option_id"].cast(pl.String).to_list(),
            count_frame["count"].to_list(), strict=True)
    }
    return n, counts


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def proportion(count: int, n: int, low: float, high: float) -> dict[str, Any]:
    return {
        "count": int(count),
        "percent": 100.0 * count / n if n else None,
        "ci_low": _number(low),
        "ci_high": _number(high),
    }


def option_table(options: tuple[Option, ...], qid: str, n: int,
                 counts: dict[tuple[str, str], int]) -> dict[str, dict[str, Any]]:
    """Every option with its count, percent of n, Wilson 95% interval and rank by count."""
    values = np.array([counts.get((qid, option.id), 0) for option in options])
    low, high = wilson(values, n)
    ranks = rankdata(-values, method="min").astype(int) if len(values) else []
    table = {}
    for index, option in enumerate(options):
        entry = {"label": option.label}
        entry.update(proportion(int(values[index]), n, low[index], high[index]))
        entry["rank"] = int(ranks[index])
        table[option.id] = entry
    return table


def net_table(question: Question, options: dict[str, dict[str, Any]], n: int) -> dict[str, Any]:
    """Agree / disagree nets of a matrix statement: sums of their scale options."""
    nets: dict[str, Any] = {}
    for net_id, label in question.nets.items():
        members = [o.id for o in question.options if o.net == net_id]
        count = sum(options[m]["count"] for m in members)
        low, high = wilson(np.array([count]), n)
        nets[net_id] = {"label": label, "options": members,
                        **proportion(count, n, low[0], high[0])}
    return nets
