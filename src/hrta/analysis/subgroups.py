"""Subgroup comparisons (`--by`): every closed question across groups, tested and suppressed.

Single-choice questions and matrix statements get one test of their groups x options table;
multi-choice questions get one test per option (chose it or not, among answerers, by group).
All p-values of a comparison are adjusted together (Benjamini-Hochberg). Cells are
suppressed for publication only (hrta.analysis.suppression); tests use the true counts.
The method is described for analysts in docs/statistics.md.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
from scipy.stats import MonteCarloMethod, chi2_contingency, fisher_exact, random_table
from statsmodels.stats.multitest import multipletests

from hrta.analysis.frequencies import categories, tally
from hrta.analysis.grouping import Grouping, closed_qids, groups_to_compare
from hrta.analysis.suppression import DEFAULT_THRESHOLD, suppress
from hrta.errors import InputError
from hrta.findings.model import Comparison
from hrta.findings.proportion import newcombe_interval, percent_of
from hrta.instrument import Instrument, Question
from hrta.responses import ResponseSet

CORRECTION = "benjamini-hochberg"
MIN_EXPECTED = 5
"""Chi-square is used when every expected count is at least this, else Fisher's exact."""
MONTE_CARLO_TABLES = 9_999
# Below this log-probability the observed table's probability underflows to zero in
# SciPy's Fisher statistic and every simulated table would tie with it.
_MIN_LOG_PMF = -700.0


def compare_subgroups(responses: ResponseSet, by: str, *, threshold: int = DEFAULT_THRESHOLD,
                      alpha: float = 0.05, min_group: int | None = None) -> Comparison:
    """Compare every closed question across the groups `by` names (see grouping.py).

    Groups with fewer than `min_group` members (default: twice the suppression threshold)
    are compared as one combined group; see `combine_small_groups`.
    """
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1, not {alpha}")
    grouping, small_groups, left_out, smallest = groups_to_compare(
        responses, by, threshold=threshold, min_group=min_group)
    counts, n = _group_tables(responses, grouping)
    group_ids = [group.id for group in grouping.groups]
    questions: dict[str, Any] = {}
    tests: list[dict[str, Any]] = []
    for qid, question in _compared(responses, grouping):
        entry = _question(qid, question, counts(qid, question), n(qid), threshold, group_ids)
        questions[qid] = entry
        tests.extend(t for t in _tests_of(entry) if t is not None)
    _adjust(tests, alpha)
    sizes = grouping.sizes
    # Tests are filled in place above (adjusted p-values), so the parts are plain data
    # until here, where the whole comparison is checked against its model once.
    return Comparison.model_validate({
        "by": grouping.by,
        "by_label": grouping.label,
        "threshold": threshold,
        "alpha": alpha,
        "correction": CORRECTION,
        "min_group": smallest,
        "groups": [{"id": g.id, "label": g.label, "n": int(sizes[i])}
                   for i, g in enumerate(grouping.groups)],
        "small_groups": small_groups,
        "left_out": left_out,
        "not_grouped": responses.eligible_count - int(sizes.sum()) - left_out,
        "questions": questions,
        "significant": _significant(questions),
    })


def _compared(responses: ResponseSet, grouping: Grouping) -> list[tuple[str, Question]]:
    """Closed questions to compare: not the one that makes the groups, never the screening
    question (it decides who is in the analysis, not what they think) and, when the
    instrument lays out a report, only the questions the report draws: a question such as
    a raffle opt-in says nothing about the groups and only adds tests to adjust for.
    Contact details (`pii`) are never among the closed questions Findings report."""
    instrument = responses.instrument
    skip = {grouping.source_qid}
    if instrument.eligibility:
        skip.add(instrument.eligibility.question)
    drawn = _drawn(instrument)
    return [(qid, q) for qid, q in closed_qids(instrument)
            if qid not in skip and (drawn is None or q.id in drawn)]


def _drawn(instrument: Instrument) -> set[str] | None:
    """The question ids the report layout draws, or None when the instrument has none."""
    if not instrument.report:
        return None
    return {qid for section in instrument.report.sections for item in section.items
            for qid in item.questions}


# --- counting ---------------------------------------------------------------------------


def _group_tables(responses: ResponseSet, grouping: Grouping) -> tuple[Any, Any]:
    """Count options and answerers by (question, group) in two array passes.

    Returns lookups: counts(qid, question) -> options x groups, n(qid) -> groups.
    """
    counted = tally(responses)
    codes = grouping.codes
    size = len(grouping.groups)
    # n: each (question, respondent) answered pair once, binned by the respondent's group.
    answered = counted.answered[:, codes >= 0]
    question_index, column = np.nonzero(answered)
    group_of = codes[codes >= 0][column]
    n_table = np.bincount(question_index * size + group_of,
                          minlength=len(counted.question_ids) * size
                          ).reshape(len(counted.question_ids), size)

    choices = responses.choices
    option_ids = categories(choices["option_id"])
    groups = codes[choices["row"].to_numpy()]
    keep = groups >= 0
    questions = choices["question_id"].to_physical().to_numpy()[keep].astype(np.int64)
    options = choices["option_id"].to_physical().to_numpy()[keep].astype(np.int64)
    keys = (questions * len(option_ids) + options) * size + groups[keep]
    option_table = np.bincount(
        keys, minlength=len(counted.question_ids) * len(option_ids) * size
    ).reshape(len(counted.question_ids), len(option_ids), size)

    q_index = {qid: i for i, qid in enumerate(counted.question_ids)}
    o_index = {oid: i for i, oid in enumerate(option_ids)}

    def counts(qid: str, question: Question) -> np.ndarray:
        found: np.ndarray = option_table[q_index[qid], [o_index[o] for o in question.option_ids]]
        return found

    def n(qid: str) -> np.ndarray:
        found: np.ndarray = n_table[q_index[qid]]
        return found

    return counts, n


# --- one question -----------------------------------------------------------------------


def _question(qid: str, question: Question, counts: np.ndarray, n: np.ndarray,
              threshold: int, groups: list[str]) -> dict[str, Any]:
    """A question's entry: true-count tests, and cells as they may be published."""
    is_multi = question.type == "multi"
    hidden = suppress(counts, n, threshold=threshold, columns_sum_to_n=not is_multi)
    text = question.text
    if question.type == "matrix":
        statement = qid.partition(".")[2]
        text = next(s.text for s in question.statements if s.id == statement)
    options: dict[str, Any] = {}
    for k, option in enumerate(question.options):
        options[option.id] = {
            "label": option.label,
            "test": independence_test(_chose_table(counts[k], n), f"{qid}/{option.id}")
            if is_multi else None,
            "groups": _cells(counts[k], n, hidden[k], groups),
            "difference": _difference(counts[k], n, hidden[k], groups),
        }
    return {
        "type": "matrix_statement" if question.type == "matrix" else question.type,
        "title": question.title,
        "text": text,
        "test": None if is_multi else independence_test(counts.T, qid),
        "options": options,
    }


def _cells(counts: np.ndarray, n: np.ndarray, hidden: np.ndarray,
           groups: list[str]) -> dict[str, Any]:
    cells = {}
    for group, count, size, gone in zip(groups, counts, n, hidden, strict=True):
        cells[group] = {
            "count": None if gone else int(count),
            "n": int(size),
            "percent": None if gone else percent_of(int(count), int(size)),
            "suppressed": bool(gone),
        }
    return cells


def _difference(counts: np.ndarray, n: np.ndarray, hidden: np.ndarray,
                groups: list[str]) -> dict[str, Any] | None:
    """The highest minus the lowest published percent, with Newcombe's 95% interval.

    Only published cells of groups with answers take part: a gap to a hidden cell, with
    the other cell and the n shown, would give the hidden count away.
    """
    shown = [k for k in range(len(groups)) if not hidden[k] and n[k] > 0]
    if len(shown) < 2:
        return None
    share = {k: int(counts[k]) / int(n[k]) for k in shown}
    high = max(shown, key=lambda k: share[k])
    low = min(shown, key=lambda k: share[k])
    if high == low:  # every share equal: the first and the last shown
        high, low = shown[0], shown[-1]
    low_bound, high_bound = newcombe_interval(int(counts[high]), int(n[high]),
                                              int(counts[low]), int(n[low]))
    return {"high": groups[high], "low": groups[low],
            "difference": 100.0 * (share[high] - share[low]),
            "ci_low": low_bound, "ci_high": high_bound}


def _chose_table(counts: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Groups x (chose, answered without choosing) for one option of a multi question."""
    return np.column_stack([counts, n - counts])


# --- tests ------------------------------------------------------------------------------


def independence_test(table: np.ndarray, key: str = "") -> dict[str, Any] | None:
    """Chi-square when every expected count is >= 5, else Fisher's exact; None if untestable.

    `table` is groups x answers of true counts. Groups and answers nobody is in (all-zero
    margins) are dropped first; a table left with fewer than two rows or columns has
    nothing to compare. `key` seeds the Monte Carlo tables of an r x c Fisher test, so the
    same data always give the same p-value. `p_adjusted` and `significant` are left None
    for the comparison to fill in.
    """
    table = np.asarray(table, dtype=np.int64)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        return None
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    if expected.min() >= MIN_EXPECTED:
        result = chi2_contingency(table)
        return _result("chi-square", result.statistic, result.pvalue)
    if table.shape == (2, 2):
        result = fisher_exact(table)
        return _result("fisher-exact", result.statistic, result.pvalue)
    return _monte_carlo(table, key)


def _monte_carlo(table: np.ndarray, key: str) -> dict[str, Any]:
    """Fisher's exact test of an r x c table, its p-value estimated from random tables.

    The generator is seeded from `key` so a report is reproducible. When
    the table is too large for the table probability to be represented, the chi-square
    statistic is simulated instead (the same random tables, a different ordering).
    """
    seed = zlib.crc32(key.encode())
    method = MonteCarloMethod(n_resamples=MONTE_CARLO_TABLES, rng=np.random.default_rng(seed))
    log_pmf = random_table(table.sum(axis=1), table.sum(axis=0)).logpmf(table)
    if log_pmf > _MIN_LOG_PMF:
        result = fisher_exact(table, method=method)
        # SciPy's statistic here is the observed table's probability, which means nothing
        # to a reader; like R's fisher.test, publish only the p-value.
        return _result("fisher-exact (monte carlo)", np.nan, result.pvalue)
    result = chi2_contingency(table, correction=False, method=method)
    return _result("chi-square (monte carlo)", result.statistic, result.pvalue)


def _result(method: str, statistic: Any, p: Any) -> dict[str, Any]:
    statistic = float(np.squeeze(statistic))
    return {
        "method": method,
        "statistic": statistic if np.isfinite(statistic) else None,
        "p": float(np.squeeze(p)),
        "p_adjusted": None,
        "significant": None,
    }


def _tests_of(entry: dict[str, Any]) -> list[dict[str, Any] | None]:
    return [entry["test"], *(option["test"] for option in entry["options"].values())]


def _adjust(tests: list[dict[str, Any]], alpha: float) -> None:
    """Benjamini-Hochberg over every test of the comparison, in place."""
    if not tests:
        return
    _, adjusted, _, _ = multipletests([t["p"] for t in tests], alpha=alpha, method="fdr_bh")
    for test, p_adjusted in zip(tests, adjusted, strict=True):
        test["p_adjusted"] = float(p_adjusted)
        test["significant"] = bool(p_adjusted < alpha)


def _significant(questions: dict[str, Any]) -> list[dict[str, Any]]:
    """The significant differences, most significant first, for the report's text."""
    found = []
    for qid, entry in questions.items():
        if entry["test"] and entry["test"]["significant"]:
            found.append({"question": qid, "option": None, **_brief(entry["test"])})
        for option_id, option in entry["options"].items():
            if option["test"] and option["test"]["significant"]:
                found.append({"question": qid, "option": option_id, **_brief(option["test"])})
    return sorted(found, key=lambda item: item["p_adjusted"])


def _brief(test: dict[str, Any]) -> dict[str, Any]:
    return {"method": test["method"], "p_adjusted": test["p_adjusted"]}
