"""Change between two waves: percents, differences and Newcombe intervals from raw counts.

Previous wave: 10 respondents, 2 receive TA (20%), 8 do not.
This wave:     20 respondents, 9 receive TA (45%), 10 do not, 1 unsure.
Difference of "yes": 45 - 20 = 25 percentage points.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from hrta.analysis import build_findings
from hrta.analysis.trends import compare_waves
from hrta.demo import demo_responses
from tests.native_waves import load_wave


@pytest.fixture
def waves(tmp_path, instrument):
    previous = load_wave(tmp_path / "previous.csv", instrument, [
        (2, {"ta_receiving": "yes", "communities": ["rural", "urban"]}),
        (8, {"ta_receiving": "no", "communities": "urban"}),
    ])
    current = load_wave(tmp_path / "current.csv", instrument, [
        (9, {"ta_receiving": "yes", "communities": "rural",
             "fb_policy.adequate_funding": "strongly_agree"}),
        (10, {"ta_receiving": "no", "communities": "urban",
              "fb_policy.adequate_funding": "dont_know"}),
        (1, {"ta_receiving": "unsure"}),
    ])
    return build_findings(current), build_findings(previous)


def newcombe_pp(count1: int, n1: int, count2: int, n2: int) -> tuple[float, float]:
    low, high = confint_proportions_2indep(count1, n1, count2, n2, method="newcomb",
                                           compare="diff")
    return 100 * low, 100 * high


def test_difference_and_newcombe_interval_match_statsmodels(waves):
    current, previous = waves
    result = compare_waves(current, previous)
    assert result["compare_to"] == "previous.csv"
    entry = result["questions"]["ta_receiving"]
    assert (entry["n"], entry["n_before"]) == (20, 10)
    yes = entry["options"]["yes"]
    assert yes["percent"] == pytest.approx(45.0)
    assert yes["percent_before"] == pytest.approx(20.0)
    assert yes["difference"] == pytest.approx(25.0)
    assert (yes["ci_low"], yes["ci_high"]) == pytest.approx(newcombe_pp(9, 20, 2, 10))
    assert yes["changed"] is (yes["ci_low"] > 0)
    unsure = entry["options"]["unsure"]
    assert unsure["difference"] == pytest.approx(5.0)
    assert (unsure["ci_low"], unsure["ci_high"]) == pytest.approx(newcombe_pp(1, 20, 0, 10))
    # Multi: rural 9/19 now against 2/10 before (the unsure respondent skipped it).
    rural = result["questions"]["communities"]["options"]["rural"]
    assert rural["difference"] == pytest.approx(100 * 9 / 19 - 20)
    assert (rural["ci_low"], rural["ci_high"]) == pytest.approx(newcombe_pp(9, 19, 2, 10))


def test_question_nobody_answered_in_one_wave_has_no_difference(waves):
    current, previous = waves
    funding = compare_waves(current, previous)["questions"]["fb_policy.adequate_funding"]
    assert (funding["n"], funding["n_before"]) == (19, 0)
    agree = funding["options"]["strongly_agree"]
    assert agree["percent"] == pytest.approx(100 * 9 / 19)
    assert agree["percent_before"] is None
    assert agree["difference"] is agree["ci_low"] is agree["ci_high"] is None
    assert funding["nets"]["agree"]["difference"] is None


def test_question_or_option_missing_from_a_wave(waves):
    current, previous = waves
    previous = copy.deepcopy(previous)
    del previous["questions"]["communities"]
    del previous["questions"]["ta_receiving"]["options"]["unsure"]
    previous["questions"]["retired_question"] = {
        "type": "single", "title": "Retired", "n": 10,
        "options": {"a": {"label": "A", "count": 4}}}
    result = compare_waves(current, previous)["questions"]
    assert result["communities"]["n_before"] is None
    assert result["communities"]["options"]["rural"]["percent_before"] is None
    assert result["communities"]["options"]["rural"]["difference"] is None
    unsure = result["ta_receiving"]["options"]["unsure"]
    assert unsure["percent"] == pytest.approx(5.0)
    assert unsure["percent_before"] is None
    assert unsure["ci_low"] is None
    assert result["ta_receiving"]["options"]["yes"]["ci_low"] is not None
    retired = result["retired_question"]
    assert retired["n"] is None
    assert retired["options"]["a"] == {"label": "A", "percent": None, "percent_before": 40.0,
                                       "difference": None, "ci_low": None, "ci_high": None,
                                       "changed": None}


def test_open_ended_questions_are_left_out(waves):
    current, previous = waves
    assert "challenges" not in compare_waves(current, previous)["questions"]


def test_worked_example_in_the_docs_is_current(instrument):
    doc = (Path(__file__).parents[1] / "docs" / "statistics.md").read_text(encoding="utf-8")
    result = compare_waves(build_findings(demo_responses(instrument)),
                           build_findings(demo_responses(instrument, seed=2021)))
    yes = result["questions"]["ta_receiving"]["options"]["yes"]
    assert yes["difference"] == 0.0
    assert f"−{-yes['ci_low']:.1f} to +{yes['ci_high']:.1f} percentage points" in doc
    low, high = newcombe_pp(20, 87, 7, 87)
    assert f"+{100 * 13 / 87:.1f} points with an interval of +{low:.1f} to +{high:.1f}" in doc
