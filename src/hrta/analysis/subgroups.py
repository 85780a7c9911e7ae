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
from hrta.analysis.grouping import Group, Grouping, closed_qids, resolve_grouping
from hrta.analysis.suppression import DEFAULT_THRESHOLD, suppress
from hrta.errors import InputError
from hrta.findings.model import Comparison
from hrta.findings.proportion import percent_of
from hrta.instrument import Question
from hrta.responses import ResponseSet

CORRECTION = "benjamini-hochberg"
MIN_GROUP_FACTOR = 2
"""Groups smaller than this many times the suppression threshold are combined."""
COMBINED = "combined"
COMBINED_LABEL = "All other groups"
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
    if threshold < 1:
        raise InputError(f"the suppression threshold must be at least 1, not {threshold}")
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1, not {alpha}")
    smallest = MIN_GROUP_FACTOR * threshold if min_group is None else min_group
    if smallest < 1:
        raise InputError(f"the smallest group size must be at least 1, not {smallest}")
    grouping, small_groups, left_out = combine_small_groups(resolve_grouping(responses, by),
                                                            smallest)
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


def combine_small_groups(grouping: Grouping, smallest: int
                         ) -> tuple[Grouping, list[dict[str, Any]], int]:
    """Compare the groups with fewer than `smallest` members as one group, COMBINED.

    Nine organization types among 86 respondents leave groups of four, whose every cell
    is suppressed and whose tests have no power; a reader is better served by the large
    groups and one "all other groups". When even together the small groups have fewer
    than `smallest` members they are left out of the comparison instead.
    Returns the new grouping, the small groups (id, label, n) and how many respondents
    were left out. Raises InputError when fewer than two groups are left to compare.
    """
    sizes = grouping.sizes
    small = sizes < smallest
    found = [{"id": g.id, "label": g.label, "n": int(sizes[i])}
             for i, g in enumerate(grouping.groups) if small[i]]
    together = int(sizes[small].sum())
    keep = np.flatnonzero(~small)
    target = np.full(len(grouping.groups) + 1, -1, dtype=np.int64)  # the last: -1 stays -1
    target[keep] = np.arange(keep.size)
    groups = [grouping.groups[i] for i in keep]
    left_out = together
    if found and together >= smallest:
        target[np.flatnonzero(small)] = keep.size
        groups.append(Group(COMBINED, COMBINED_LABEL))
        left_out = 0
    if len(groups) < 2:
        listed = ", ".join(f"{g.label} {size}"
                           for g, size in zip(grouping.groups, sizes, strict=True))
        raise InputError(
            f"{grouping.by!r}: fewer than two groups of at least {smallest} respondents to "
            f"compare (group sizes: {listed}); compare coarser groups (e.g. state.region, "
            "role.group) or lower the smallest group size (--min-group)")
    combined = Grouping(grouping.by, grouping.label, grouping.source_qid, tuple(groups),
                        target[grouping.codes])
    return combined, found, left_out


def _compared(responses: ResponseSet, grouping: Grouping) -> list[tuple[str, Question]]:
    """Closed questions to compare: not the one that makes the groups, nor a screening
    question that leaves eligible respondents a single answer (nothing can differ)."""
    instrument = responses.instrument
    skip = {grouping.source_qid}
    rule = instrument.eligibility
    if rule and len(instrument.question(rule.question).options) - \
            len(rule.ineligible_options) <= 1:
        skip.add(rule.question)
    return [(qid, q) for qid, q in closed_qids(responses.instrument) if qid not in skip]


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
