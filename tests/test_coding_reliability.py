"""Inter-coder reliability statistics on fixtures small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pytest

from hrta.coding.reliability import (
    cohen_kappa,
    krippendorff_alpha,
    reliability,
    theme_reliability,
)

# Four answers, two themes. People (truth) and the machine (predicted):
#              funding      stigma
#   answer 1   yes / yes    no  / no
#   answer 2   yes / no     yes / yes
#   answer 3   no  / no     no  / yes
#   answer 4   no  / no     no  / no
TRUTH = np.array([[1, 0], [1, 1], [0, 0], [0, 0]], dtype=bool)
MACHINE = np.array([[1, 0], [0, 1], [0, 1], [0, 0]], dtype=bool)


def test_per_theme_counts_and_ratios():
    result = reliability(TRUTH, MACHINE, ["funding", "stigma"])
    funding, stigma = result["themes"]["funding"], result["themes"]["stigma"]
    # funding: tp 1, fp 0, fn 1 -> precision 1, recall 1/2, F1 2/3.
    assert (funding["true_positives"], funding["false_positives"],
            funding["false_negatives"]) == (1, 0, 1)
    assert (funding["precision"], funding["recall"], funding["f1"]) == (1.0, 0.5, 0.667)
    # kappa: agreement 3/4; chance (2/4)(1/4) + (2/4)(3/4) = 1/2; (3/4 - 1/2) / (1/2) = 1/2.
    assert funding["kappa"] == 0.5
    # stigma: tp 1, fp 1, fn 0 -> precision 1/2, recall 1, F1 2/3; agreement 3/4,
    # chance (1/4)(2/4) + (3/4)(2/4) = 1/2 -> kappa 1/2.
    assert (stigma["precision"], stigma["recall"], stigma["f1"], stigma["kappa"]) == (
        0.5, 1.0, 0.667, 0.5)


def test_micro_pools_decisions_and_macro_averages_themes():
    result = reliability(TRUTH, MACHINE, ["funding", "stigma"])
    # Pooled: tp 2, fp 1, fn 1 over 8 decisions; agreement 6/8; truth yes 3/8, machine
    # yes 3/8; chance (3/8)^2 + (5/8)^2 = 34/64; kappa (48/64 - 34/64) / (30/64) = 14/30.
    assert result["micro"] == {"precision": 0.667, "recall": 0.667, "f1": 0.667,
                               "kappa": round(14 / 30, 3)}
    assert result["macro"] == {"precision": 0.75, "recall": 0.75, "f1": 0.667, "kappa": 0.5}
    assert result["exact_match"] == 0.5  # answers 1 and 4


def test_undefined_statistics_are_none_not_invented():
    never = theme_reliability(np.zeros(5, dtype=bool), np.zeros(5, dtype=bool))
    assert never["precision"] is None and never["recall"] is None and never["f1"] is None
    assert never["kappa"] is None
    assert np.isnan(cohen_kappa(np.ones(3, dtype=bool), np.ones(3, dtype=bool)))


def test_krippendorff_alpha_by_hand():
    # Coder A: funding on answers 1, 2; coder B on answer 1 only. Coincidences: (1,1) x2,
    # (1,0) and (0,1) once each, (0,0) x4; n = 8, n1 = 3, n0 = 5. Observed disagreement
    # 2/8; expected 2*3*5/(8*7) = 30/56; alpha = 1 - (2/8)/(30/56) = 8/15.
    codings = {"A": {"1": ["funding"], "2": ["funding"], "3": [], "4": []},
               "B": {"1": ["funding"], "2": [], "3": [], "4": []}}
    result = krippendorff_alpha(codings, ["funding"])
    assert result["themes"]["funding"] == pytest.approx(8 / 15, abs=1e-3)
    assert result["pooled"] == pytest.approx(8 / 15, abs=1e-3)


def test_krippendorff_alpha_skips_answers_a_coder_left():
    codings = {"A": {"1": ["x"], "2": [], "3": ["x"]},
               "B": {"1": ["x"], "2": []}}  # B did not code answer 3: missing, not "no"
    assert krippendorff_alpha(codings, ["x"])["themes"]["x"] == 1.0
    assert krippendorff_alpha({"A": {"1": ["x"]}}, ["x"])["pooled"] is None
