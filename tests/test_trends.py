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
from tests.raw_counts import Raw, tenths


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
    return build_findings(current).to_json(), build_findings(previous).to_json()


def newcombe_pp(count1: int, n1: int, count2: int, n2: int) -> tuple[float, float]:
    low, high = confint_proportions_2indep(count1, n1, count2, n2, method="newcomb",
                                           compare="diff")
    return 100 * low, 100 * high


def test_difference_and_newcombe_interval_match_statsmodels(waves):
    current, previous = waves
    result = compare_waves(current, previous).to_json()
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
    funding = compare_waves(current, previous).to_json()["questions"]["fb_policy.adequate_funding"]
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
    result = compare_waves(current, previous).to_json()["questions"]
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
    assert "challenges" not in compare_waves(current, previous).to_json()["questions"]


def test_worked_example_in_the_docs_is_current(instrument):
    doc = (Path(__file__).parents[1] / "docs" / "statistics.md").read_text(encoding="utf-8")
    result = compare_waves(build_findings(demo_responses(instrument)),
                           build_findings(demo_responses(instrument, seed=2021))).to_json()
    yes = result["questions"]["ta_receiving"]["options"]["yes"]
    assert yes["difference"] == 0.0
    assert f"−{-yes['ci_low']:.1f} to +{yes['ci_high']:.1f} percentage points" in doc
    low, high = newcombe_pp(20, 87, 7, 87)
    assert f"+{100 * 13 / 87:.1f} points with an interval of +{low:.1f} to +{high:.1f}" in doc


def _points(value: float) -> str:
    return f"{'−' if value < 0 else '+'}{abs(value):.1f}"


def test_docs_numbers_worked_by_hand(instrument):
    """The trend example of docs/statistics.md from the two demo waves' raw answers, with
    statsmodels' Newcombe interval: the test above only shows that the docs repeat the
    code, and took the 7 of 87 from it."""
    doc = " ".join((Path(__file__).parents[1] / "docs" / "statistics.md").read_text(
        encoding="utf-8").split())
    now, before = (Raw.of(demo_responses(instrument, seed=seed)) for seed in (2022, 2021))
    yes = [(wave.chose("ta_receiving", "yes"), wave.answered("ta_receiving"))
           for wave in (now, before)]
    assert yes[0] == yes[1]  # drawn to the same targets: no difference at all
    count, n = yes[0]
    low, high = newcombe_pp(count, n, count, n)
    assert (f"{tenths(count, n)}% in both waves of n = {n}, the interval of the difference "
            f"is {_points(low)} to {_points(high)} percentage points") in doc
    funding = "fb_policy.adequate_funding"
    agree = [(len(wave.who_chose(funding, {"strongly_agree", "somewhat_agree"})),
              wave.answered(funding)) for wave in (now, before)]
    assert agree[0] == agree[1]
    f_count, f_n = agree[0]
    f_low, f_high = newcombe_pp(f_count, f_n, f_count, f_n)
    assert (f"adequate ({tenths(f_count, f_n)}% of {f_n} in both), {_points(f_low)} to "
            f"{_points(f_high)}") in doc
    # The docs' two hypothetical new waves against the real earlier one.
    low, high = newcombe_pp(20, n, count, n)
    assert (f"Had 20 of {n} organizations ({tenths(20, n)}%) said yes in the new wave against "
            f"{count} of {n} ({tenths(count, n)}%) before, the difference would be "
            f"{_points(100 * (20 - count) / n)} points with an interval of {_points(low)} to "
            f"{_points(high)}: a change.") in doc
    low, high = newcombe_pp(12, n, count, n)
    assert (f"With 12 of {n} ({tenths(12, n)}%), {_points(100 * (12 - count) / n)} points, "
            f"{_points(low)} to {_points(high)}: not distinguishable from no change.") in doc
