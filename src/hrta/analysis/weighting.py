"""Raking to known population margins (`--weights margins.yaml`) and weighted percentages.

margins.yaml names each margin variable with the `--by` syntax (QID, QID.ATTRIBUTE or
QID=OPTION) and gives each group its population share:

    margins:
      state.region: {northeast: 0.2, midwest: 0.25, south: 0.35, west: 0.2}
      org_type: {community_mental_health: 0.4, ccbhc: 0.2, ...}

Raking (iterative proportional fitting) adjusts weights until every margin's weighted
shares equal the targets. Eligible respondents who did not answer every margin variable
cannot be placed in a cell: they keep weight 1 (the raked weights' mean), so they keep
their share of the sample and their answers, and they are counted. SciPy and
statsmodels have no raking routine and samplics needs pyarrow, so the fit is a few lines
of numpy; docs/statistics.md explains the method and its limits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from hrta.analysis.frequencies import categories, net_members, tally
from hrta.analysis.grouping import Grouping, closed_qids, resolve_grouping
from hrta.errors import InputError
from hrta.findings.model import WeightedQuestion, Weighting
from hrta.findings.proportion import WeightedProportion
from hrta.instrument import Question
from hrta.responses import ResponseSet
from hrta.yamlfiles import load_yaml

TOLERANCE = 1e-10
"""Raking stops when every weighted share is this close to its target."""
MAX_ITERATIONS = 1000
SHARE_SLACK = 1e-3
"""Shares may sum to 1 within this (rounded figures); they are then scaled to sum to 1."""


class RakingError(InputError):
    """The margins cannot all be met by these respondents."""


def weight(responses: ResponseSet, margins_path: Path) -> tuple[np.ndarray, dict[str, Any]]:
    """Raking weights per respondent row and what the fit did.

    Weights of the raked respondents average 1, so weighted counts stay on the scale of
    the sample. Eligible respondents who could not be raked keep weight 1: dropping them
    would change the estimates by who is counted rather than by weighting (see
    docs/statistics.md). Ineligible respondents get 0.
    """
    file = str(margins_path)
    margins = _read_margins(Path(margins_path))
    groupings = [resolve_grouping(responses, name, file=file) for name in margins]
    targets = [_targets(g, margins[g.by], file) for g in groupings]
    codes = np.column_stack([g.codes for g in groupings])
    raked = (codes >= 0).all(axis=1)
    if not raked.any():
        raise InputError("no eligible respondent answered every margin variable", file=file)
    for j, grouping in enumerate(groupings):
        _check_raked(grouping, codes[raked, j], file)
    values, iterations = rake(codes[raked], targets, file=file)
    weights = responses.respondents["eligible"].to_numpy().astype(float)
    weights[raked] = values
    eligible = responses.eligible_count
    return weights, {
        "margins": [g.by for g in groupings],
        "source": Path(margins_path).name,
        "raked": int(raked.sum()),
        "not_raked": eligible - int(raked.sum()),
        "iterations": iterations,
        "weight_min": float(values.min()),
        "weight_max": float(values.max()),
        **design_effect(weights),
    }


def rake(codes: np.ndarray, targets: list[np.ndarray], *, tolerance: float = TOLERANCE,
         max_iterations: int = MAX_ITERATIONS, file: str | None = None
         ) -> tuple[np.ndarray, int]:
    """Iterative proportional fitting from weights of 1; returns weights and iterations.

    `codes` is respondents x margins (group index per margin), `targets[j]` the shares of
    margin j's groups. Each sweep scales the weights to meet each margin in turn; it stops
    when all margins are met within `tolerance` and raises RakingError if they never are.
    """
    size = codes.shape[0]
    weights = np.ones(size)
    gap = np.inf
    for iteration in range(1, max_iterations + 1):
        for j, shares in enumerate(targets):
            totals = np.bincount(codes[:, j], weights=weights, minlength=shares.size)
            factors = np.divide(shares * size, totals, out=np.zeros_like(totals),
                                where=totals > 0)
            weights *= factors[codes[:, j]]
        gap = max(_gap(codes[:, j], weights, shares) for j, shares in enumerate(targets))
        if gap < tolerance:
            return weights, iteration
    raise RakingError(f"raking did not meet the margins after {max_iterations} sweeps "
                      f"(largest gap {gap:.2g}); the margins may contradict each other for "
                      "these respondents: merge small groups or drop a margin", file=file)


def _check_raked(grouping: Grouping, codes: np.ndarray, file: str) -> None:
    """Every group must keep someone among those who answered all the margin variables."""
    present = np.bincount(codes, minlength=len(grouping.groups))
    for group, count in zip(grouping.groups, present, strict=True):
        if count == 0:
            raise RakingError(f"margin {grouping.by!r}: nobody in group {group.id!r} answered "
                              "every margin variable, so its share cannot be met; merge it "
                              "into another group or drop a margin", file=file)


def _gap(codes: np.ndarray, weights: np.ndarray, shares: np.ndarray) -> float:
    achieved = np.bincount(codes, weights=weights, minlength=shares.size) / weights.sum()
    return float(np.abs(achieved - shares).max())


def design_effect(weights: np.ndarray) -> dict[str, float]:
    """Kish's design effect of unequal weights, n * sum(w^2) / sum(w)^2, and the effective n."""
    weights = np.asarray(weights, dtype=float)
    weights = weights[weights > 0]
    total, squares = weights.sum(), np.square(weights).sum()
    return {"design_effect": float(weights.size * squares / total**2),
            "effective_n": float(total**2 / squares)}


# --- margins.yaml -----------------------------------------------------------------------


def _read_margins(path: Path) -> dict[str, dict[str, float]]:
    file = str(path)
    if not path.is_file():
        raise InputError("no such file", file=file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"not a readable YAML file: {exc}", file=file) from None
    try:
        data = load_yaml(text, origin=file)
    except InputError as exc:
        problem = exc.message.removeprefix("not valid YAML: ")
        raise InputError(f"not a readable YAML file: {problem}", file=file,
                         row=exc.row) from None
    margins = data.get("margins") if isinstance(data, dict) else None
    if not isinstance(margins, dict) or not margins:
        raise InputError("expected a 'margins:' mapping of variables to {group: share}",
                         file=file)
    checked: dict[str, dict[str, float]] = {}
    for name, shares in margins.items():
        checked[str(name).strip()] = _shares(str(name), shares, file)
    return checked


def _shares(name: str, shares: object, file: str) -> dict[str, float]:
    if not isinstance(shares, dict) or not shares:
        raise InputError(f"margin {name!r}: expected a mapping of groups to shares", file=file)
    values: dict[str, float] = {}
    for group, share in shares.items():
        if isinstance(share, bool) or not isinstance(share, int | float) \
                or not 0 <= share <= 1:
            raise InputError(f"margin {name!r}: the share of {group!r} must be a number "
                             f"from 0 to 1, not {share!r}", file=file)
        values[str(group)] = float(share)
    total = sum(values.values())
    if abs(total - 1) > SHARE_SLACK:
        raise InputError(f"margin {name!r}: shares add up to {total:.4g}, not 1", file=file)
    return {group: share / total for group, share in values.items()}


def _targets(grouping: Grouping, shares: dict[str, float], file: str) -> np.ndarray:
    """Target shares in the grouping's order; every group with respondents needs one."""
    ids = [group.id for group in grouping.groups]
    unknown = [group for group in shares if group not in ids]
    sizes = dict(zip(ids, grouping.sizes, strict=True))
    for group in unknown:
        if shares[group] > 0:
            raise InputError(f"margin {grouping.by!r}: group {group!r} has a share but no "
                             f"respondent in it (groups with respondents: {', '.join(ids)}); "
                             "merge it into another group or drop it", file=file)
    missing = [group for group in ids if group not in shares]
    if missing:
        raise InputError(f"margin {grouping.by!r}: no share for {missing[0]!r}, which "
                         f"{sizes[missing[0]]} respondents are in", file=file)
    kept = np.array([shares[group] for group in ids])
    if (kept == 0).any():
        zero = ids[int(np.flatnonzero(kept == 0)[0])]
        raise InputError(f"margin {grouping.by!r}: group {zero!r} has respondents but a "
                         "share of 0; raking cannot give them weight 0", file=file)
    scaled: np.ndarray = kept / kept.sum()
    return scaled


# --- weighted Findings ------------------------------------------------------------------


def weighted_findings(responses: ResponseSet, weights: np.ndarray,
                      info: dict[str, Any] | None = None) -> Weighting:
    """Weighted percentages of every closed question, with Wilson intervals on effective n.

    A question's weighted percent is the weighted share among its (weighted) answerers;
    its interval is the Wilson interval with that question's effective n.
    """
    weights = np.asarray(weights, dtype=float)
    if weights.shape != (responses.total,):
        raise ValueError("one weight per respondent row is needed")
    weights = np.where(responses.respondents["eligible"].to_numpy(), weights, 0.0)
    counted = tally(responses)
    # Row by row: a boolean matrix times floats would copy it as floats (8x its size).
    weighted_n = np.array([weights[row].sum() for row in counted.answered])
    weighted_n2 = np.array([np.square(weights[row]).sum() for row in counted.answered])
    answerers = np.array([np.count_nonzero(weights[row]) for row in counted.answered])
    option_totals, option_index = _weighted_counts(responses, weights, len(counted.question_ids))
    q_index = {qid: i for i, qid in enumerate(counted.question_ids)}
    questions: dict[str, WeightedQuestion] = {}
    for qid, question in closed_qids(responses.instrument):
        i = q_index[qid]
        n_eff = float(weighted_n[i] ** 2 / weighted_n2[i]) if weighted_n2[i] > 0 else 0.0
        totals = np.array([option_totals[i, option_index[o]] for o in question.option_ids])
        shares = totals / weighted_n[i] if weighted_n[i] > 0 else None
        questions[qid] = WeightedQuestion(
            n=int(answerers[i]), effective_n=n_eff,
            options=_weighted_options(question.option_ids, shares, n_eff),
            nets=_weighted_nets(question, shares, n_eff) if question.type == "matrix" else None)
    info = info or {}
    return Weighting(
        margins=list(info.get("margins", [])),
        source=info.get("source"), raked=info.get("raked"), not_raked=info.get("not_raked"),
        **design_effect(weights),
        questions=questions,
    )


def _weighted_counts(responses: ResponseSet, weights: np.ndarray,
                     questions: int) -> tuple[np.ndarray, dict[str, int]]:
    """Sum of weights per (question, option), as tally counts per (question, option)."""
    choices = responses.choices
    option_ids = categories(choices["option_id"])
    keys = (choices["question_id"].to_physical().to_numpy().astype(np.int64) * len(option_ids)
            + choices["option_id"].to_physical().to_numpy())
    totals = np.bincount(keys, weights=weights[choices["row"].to_numpy()],
                         minlength=questions * len(option_ids))
    return totals.reshape(questions, len(option_ids)), {o: i for i, o in enumerate(option_ids)}


def _weighted_options(option_ids: tuple[str, ...], shares: np.ndarray | None,
                      n_eff: float) -> dict[str, WeightedProportion]:
    return {o: WeightedProportion.of(None if shares is None else float(shares[k]), n_eff)
            for k, o in enumerate(option_ids)}


def _weighted_nets(question: Question, shares: np.ndarray | None,
                   n_eff: float) -> dict[str, WeightedProportion]:
    """The nets' weighted shares: sums of their options' shares."""
    nets = {}
    for net_id, members in net_members(question).items():
        index = [question.option_ids.index(m) for m in members]
        share = None if shares is None else float(np.clip(shares[index], 0.0, 1.0).sum())
        nets[net_id] = WeightedProportion.of(share, n_eff)
    return nets
