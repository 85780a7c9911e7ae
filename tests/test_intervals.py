"""The one home of percents and intervals (hrta.findings.proportion), and what a plain
analysis imports.

The Wilson and Newcombe formulas are checked against statsmodels (here only: hrta itself
does not load it for these) and against cases computed by hand.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from scipy.stats import norm
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from hrta.analysis import build_findings
from hrta.demo import demo_responses
from hrta.exports import write_surveymonkey_csv
from hrta.findings.proportion import (
    Z_95,
    Proportion,
    WeightedProportion,
    newcombe_interval,
    percent_of,
    ranks,
    wilson_interval,
)

CASES = [(0, 1), (1, 1), (0, 3), (2, 3), (3, 3), (7, 87), (0, 151), (151, 151), (50, 100),
         (1, 1000), (999, 1000), (12345, 100000)]


def test_z_is_the_95_percent_normal_quantile():
    assert norm.ppf(0.975) == pytest.approx(Z_95, abs=1e-15)


@pytest.mark.parametrize(("count", "n"), CASES)
def test_wilson_matches_statsmodels(count, n):
    low, high = proportion_confint(count, n, alpha=0.05, method="wilson")
    assert wilson_interval(count, n) == pytest.approx((100 * low, 100 * high), abs=1e-9)


def test_wilson_by_hand():
    # 2 of 3: p = 2/3, z^2 = 3.8415; centre = (0.6667 + 0.6402) / 2.2805 = 0.5731,
    # half = 1.96 * sqrt(0.07407 + 0.10671) / 2.2805 = 0.3654.
    low, high = wilson_interval(2, 3)
    assert low == pytest.approx(20.765, abs=1e-3)
    assert high == pytest.approx(93.851, abs=1e-3)
    # 7 of 87: the worked example of docs/findings-schema.md.
    assert wilson_interval(7, 87) == pytest.approx((3.952027, 15.688189), abs=1e-6)


def test_edges_are_exactly_0_and_100():
    """statsmodels gives 1.7e-16 for 0 of 151; a published lower bound of 0 must be 0."""
    assert proportion_confint(0, 151, method="wilson")[0] != 0.0
    assert wilson_interval(0, 151)[0] == 0.0
    assert wilson_interval(151, 151)[1] == 100.0
    assert wilson_interval(0, 1) == (0.0, pytest.approx(79.345, abs=1e-3))
    assert WeightedProportion.of(0.0, 84.1).ci_low == 0.0
    assert WeightedProportion.of(1.0 + 1e-15, 84.1).ci_high == 100.0


def test_proportion_owns_its_interval():
    share = Proportion.of(7, 87)
    assert share.count == 7
    assert share.percent == pytest.approx(100 * 7 / 87)
    assert (share.ci_low, share.ci_high) == wilson_interval(7, 87)
    assert share.model_dump() == {"count": 7, "percent": share.percent,
                                  "ci_low": share.ci_low, "ci_high": share.ci_high}
    nobody = Proportion.of(0, 0)
    assert (nobody.percent, nobody.ci_low, nobody.ci_high) == (None, None, None)
    with pytest.raises(ValueError, match="frozen"):
        share.percent = 50.0  # type: ignore[misc]


def test_weighted_proportion_uses_the_effective_n():
    """Kish: the Wilson interval with the effective n in place of n."""
    n_eff = 169 / 17.875
    share = WeightedProportion.of(1.5 / 13, n_eff)
    low, high = proportion_confint(1.5 / 13 * n_eff, n_eff, method="wilson")
    assert share.percent == pytest.approx(100 * 1.5 / 13)
    assert (share.ci_low, share.ci_high) == pytest.approx((100 * low, 100 * high), abs=1e-9)
    assert set(share.model_dump()) == {"percent", "ci_low", "ci_high"}
    assert WeightedProportion.of(None, 10.0).percent is None
    assert WeightedProportion.of(0.5, 0.0).ci_low is None


@pytest.mark.parametrize(("now", "n_now", "before", "n_before"), [
    (20, 87, 7, 87), (12, 87, 7, 87), (7, 87, 7, 87), (0, 151, 0, 151), (151, 151, 0, 90),
    (3, 10, 9, 12)])
def test_newcombe_matches_statsmodels(now, n_now, before, n_before):
    low, high = confint_proportions_2indep(now, n_now, before, n_before, method="newcomb",
                                           compare="diff")
    assert newcombe_interval(now, n_now, before, n_before) == pytest.approx(
        (100 * low, 100 * high), abs=1e-9)


def test_newcombe_worked_example_in_the_docs():
    """docs/statistics.md: 20 of 87 against 7 of 87 is +14.9 points, +4.2 to +25.6."""
    low, high = newcombe_interval(20, 87, 7, 87)
    assert (round(low, 1), round(high, 1)) == (4.2, 25.6)


def test_percent_and_ranks():
    assert percent_of(1, 3) == pytest.approx(100 / 3)
    assert percent_of(0, 0) is None
    assert ranks([5, 9, 5, 1]) == [2, 1, 2, 4]
    assert ranks([]) == []


def test_demo_findings_have_exact_edges(instrument):
    findings = build_findings(demo_responses(instrument)).model_dump(mode="json")
    edges = 0
    for entry in findings["questions"].values():
        for option in entry.get("options", {}).values():
            if option["count"] == 0 and entry["n"]:
                assert option["ci_low"] == 0.0
                edges += 1
            if option["count"] == entry["n"] > 0:
                assert option["ci_high"] == 100.0
                edges += 1
            if option["percent"] is not None:
                assert 0.0 <= option["ci_low"] <= option["percent"] <= option["ci_high"] <= 100
    assert edges > 20
    assert math.isclose(findings["questions"]["ta_receiving"]["options"]["yes"]["ci_low"],
                        proportion_confint(7, 87, method="wilson")[0] * 100)


# --- what a plain analysis loads ---------------------------------------------------------

HEAVY = ("scipy", "statsmodels", "pandas")


@pytest.fixture(scope="module")
def demo_csv(tmp_path_factory, instrument) -> Path:
    path = tmp_path_factory.mktemp("demo") / "responses.csv"
    write_surveymonkey_csv(path, demo_responses(instrument))
    return path


def _imported(*args: str | Path) -> set[str]:
    """Modules the real command imports, from Python's -X importtime report."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "hrta.cli", *map(str, args)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
            if line.startswith("import time:") and line.count("|") == 2}


def test_plain_analysis_imports_no_statistics_library(demo_csv, tmp_path):
    modules = _imported("analyze", demo_csv, "--no-themes", "--json", tmp_path / "f.json")
    assert "hrta.analysis.findings" in modules
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert not heavy, f"a plain analysis imported {heavy[:5]}"
    assert "hrta.analysis.subgroups" not in modules


def test_comparison_loads_what_it_needs(demo_csv, tmp_path):
    modules = _imported("analyze", demo_csv, "--no-themes", "--by", "role.group",
                        "--json", tmp_path / "f.json")
    assert {"hrta.analysis.subgroups", "scipy.stats"} <= modules
