"""Inter-coder reliability: how far coders agree, the machine against people or two
people. (Not the Likert sense of agreement: that is `analysis`'s agree and disagree nets.)

Per theme: precision, recall and F1 (of one coder against a reference) and Cohen's kappa
(statsmodels); over themes: micro averages (every answer-theme decision pooled) and macro
averages (the mean of the themes'). Krippendorff's alpha (the `krippendorff` package)
covers any number of coders and answers some of them did not code.

A statistic that is undefined (kappa when both coders give every answer the same code,
F1 when neither ever uses a theme) is None, never a made-up 0 or 1.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from hrta.coding.autocode import Coder, Progress
    from hrta.coding.labelled import TaggedAnswer


def cohen_kappa(first: np.ndarray, second: np.ndarray) -> float:
    """Cohen's kappa of two coders' yes/no decisions; NaN when chance agreement is total."""
    from statsmodels.stats.inter_rater import cohens_kappa

    a, b = np.asarray(first, dtype=bool), np.asarray(second, dtype=bool)
    table = np.array([[np.sum(a & b), np.sum(a & ~b)], [np.sum(~a & b), np.sum(~a & ~b)]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(cohens_kappa(table).kappa)


def _defined(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 3)


def _ratio(top: int, bottom: int) -> float | None:
    return round(top / bottom, 3) if bottom else None


def theme_reliability(truth: np.ndarray, predicted: np.ndarray) -> dict[str, Any]:
    """Counts and statistics of one theme (or of all decisions pooled)."""
    t, p = np.asarray(truth, dtype=bool), np.asarray(predicted, dtype=bool)
    tp, fp, fn = int(np.sum(t & p)), int(np.sum(~t & p)), int(np.sum(t & ~p))
    return {
        "support": int(t.sum()), "predicted": int(p.sum()),
        "true_positives": tp, "false_positives": fp, "false_negatives": fn,
        "precision": _ratio(tp, tp + fp), "recall": _ratio(tp, tp + fn),
        "f1": _ratio(2 * tp, 2 * tp + fp + fn),
        "kappa": _defined(cohen_kappa(t, p)),
    }


def reliability(truth: np.ndarray, predicted: np.ndarray,
                themes: Sequence[str]) -> dict[str, Any]:
    """Per-theme statistics and their micro and macro averages. `truth` and `predicted`
    are (answers, themes) yes/no matrices; `truth` is the reference (people)."""
    truth, predicted = np.asarray(truth, dtype=bool), np.asarray(predicted, dtype=bool)
    per_theme = {theme: theme_reliability(truth[:, i], predicted[:, i])
                 for i, theme in enumerate(themes)}
    micro = theme_reliability(truth.ravel(), predicted.ravel())
    macro: dict[str, float | None] = {}
    for key in ("precision", "recall", "f1", "kappa"):
        values = [entry[key] for entry in per_theme.values() if entry[key] is not None]
        macro[key] = round(float(np.mean(values)), 3) if values else None
    return {
        "answers": int(truth.shape[0]),
        "themes": per_theme,
        "micro": {key: micro[key] for key in ("precision", "recall", "f1", "kappa")},
        "macro": macro,
        "exact_match": _ratio(int(np.all(truth == predicted, axis=1).sum()), truth.shape[0]),
    }


def krippendorff_alpha(codings: Mapping[str, Mapping[str, Sequence[str]]],
                       themes: Sequence[str]) -> dict[str, Any]:
    """Krippendorff's alpha (nominal) between coders.

    `codings` maps coder -> answer id -> the themes that coder gave it; an answer a coder
    did not code is missing for that coder, not "no themes". Per theme the data are yes/no
    per answer; `pooled` treats every answer-theme pair as a unit.
    """
    import krippendorff

    coders = list(codings)
    answers = sorted({answer for coded in codings.values() for answer in coded})
    result: dict[str, Any] = {"coders": coders, "answers": len(answers), "themes": {}}
    if len(coders) < 2 or not answers:
        result["pooled"] = None
        return result
    cube = np.full((len(coders), len(answers), len(themes)), np.nan)
    for c, coder in enumerate(coders):
        for a, answer in enumerate(answers):
            if answer in codings[coder]:
                given = set(codings[coder][answer])
                cube[c, a] = [theme in given for theme in themes]

    def alpha(data: np.ndarray) -> float | None:
        paired = np.sum(~np.isnan(data), axis=0) >= 2
        if not paired.any() or len(np.unique(data[~np.isnan(data)])) < 2:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            value = krippendorff.alpha(reliability_data=data,
                                       level_of_measurement="nominal")
        return _defined(value)

    for t, theme in enumerate(themes):
        result["themes"][theme] = alpha(cube[:, :, t])
    result["pooled"] = alpha(cube.reshape(len(coders), -1))
    return result


def against_people(coder: Coder, answers: Sequence[TaggedAnswer], *,
                   progress: Progress | None = None) -> dict[str, Any]:
    """`reliability` of the coder's codes of `answers` against the themes people gave them."""
    from hrta.coding.autocode import label_matrix

    coded = coder.code([a.text for a in answers], progress=progress)
    book = coder.codebook
    return reliability(label_matrix(book, [a.themes for a in answers]),
                       label_matrix(book, [c.theme_ids for c in coded]), book.ids)
