"""Raking and weighted percentages checked against a 2 x 2 example computed by hand.

Twelve respondents by role group and rural service:

              rural   not rural
  leadership    2         2        (both rural leaders say "yes" to ta_receiving,
  staff         4         4         everyone else "no")

Targets: leadership 0.5, staff 0.5; rural 0.25, not rural 0.75, on a total of 12.
The sample is independent across the two margins, so one sweep of raking settles it:
leadership x 6/4 = 1.5, staff x 6/8 = 0.75; then rural has 2*1.5 + 4*0.75 = 6 and must
have 3 (x 0.5), not rural 6 and must have 9 (x 1.5). Weights:
  leader rural 0.75, leader not rural 2.25, staff rural 0.375, staff not rural 1.125.
Sum of squares 2*0.5625 + 2*5.0625 + 4*0.140625 + 4*1.265625 = 16.875, so the design
effect is 12 * 16.875 / 144 = 1.40625 and the effective n 144 / 16.875 = 8.5333.
A thirteenth respondent gave no role or communities: not raked, so weight 1 (the raked
weights' mean). With it, sum of weights 13 and of squares 17.875: design effect
13 * 17.875 / 169 = 1.375, effective n 169 / 17.875 = 9.4545.
Weighted "yes": 2 * 0.75 / 13 = 11.54% (unweighted 2/13 = 15.4%).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from hrta.analysis.grouping import resolve_grouping
from hrta.analysis.weighting import RakingError, design_effect, weight, weighted_findings
from hrta.demo import demo_responses
from hrta.errors import InputError
from tests.native_waves import load_wave
from tests.raw_counts import Raw, tenths

LEAD, STAFF = "executive_director", "peer_support_worker"
PEOPLE = [
    (2, {"role": LEAD, "communities": "rural", "ta_receiving": "yes"}),
    (2, {"role": LEAD, "communities": "urban", "ta_receiving": "no"}),
    (4, {"role": STAFF, "communities": ["rural", "urban"], "ta_receiving": "no"}),
    (4, {"role": STAFF, "communities": "suburban", "ta_receiving": "no"}),
    (1, {"ta_receiving": "no"}),  # no role, no communities: cannot be raked
]
MARGINS = """\
margins:
  role.group: {leadership: 0.5, staff: 0.5}
  communities=rural: {rural: 0.25, not_rural: 0.75}
"""


def _margins(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "margins.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def wave(tmp_path, instrument):
    return load_wave(tmp_path / "wave.csv", instrument, PEOPLE)


def test_raking_matches_the_hand_computed_weights(wave, tmp_path):
    weights, info = weight(wave, _margins(tmp_path, MARGINS))
    expected = [0.75] * 2 + [2.25] * 2 + [0.375] * 4 + [1.125] * 4 + [1.0]
    assert weights == pytest.approx(expected)
    assert info["raked"] == 12
    assert info["not_raked"] == 1
    assert info["margins"] == ["role.group", "communities=rural"]
    assert design_effect(weights[:12])["design_effect"] == pytest.approx(1.40625)
    assert design_effect(weights[:12])["effective_n"] == pytest.approx(144 / 16.875)
    assert info["design_effect"] == pytest.approx(1.375)
    assert info["effective_n"] == pytest.approx(169 / 17.875)


def test_design_effect_is_kish_formula():
    w = np.array([1.0, 2.0, 3.0, 0.0])  # the zero weight is not in n
    assert design_effect(w)["design_effect"] == pytest.approx(3 * 14 / 36)
    assert design_effect(w)["effective_n"] == pytest.approx(36 / 14)


def test_weighted_percent_and_interval_on_effective_n(wave, tmp_path):
    weights, info = weight(wave, _margins(tmp_path, MARGINS))
    result = weighted_findings(wave, weights, info).to_json()
    assert result["margins"] == ["role.group", "communities=rural"]
    assert result["design_effect"] == pytest.approx(1.375)
    entry = result["questions"]["ta_receiving"]
    assert entry["n"] == 13
    n_eff = 169 / 17.875
    assert entry["effective_n"] == pytest.approx(n_eff)
    yes = entry["options"]["yes"]
    assert yes["percent"] == pytest.approx(100 * 1.5 / 13)
    low, high = proportion_confint(1.5 / 13 * n_eff, n_eff, method="wilson")
    assert (yes["ci_low"], yes["ci_high"]) == pytest.approx((100 * low, 100 * high))
    assert entry["options"]["no"]["percent"] == pytest.approx(100 * 11.5 / 13)
    # communities: only the twelve raked answered; rural = (2 * 0.75 + 4 * 0.375) / 12.
    rural = result["questions"]["communities"]["options"]["rural"]
    assert rural["percent"] == pytest.approx(25.0)
    assert entry["options"]["unsure"]["percent"] == 0.0
    nobody = result["questions"]["fb_policy.adequate_funding"]
    assert nobody["options"]["dont_know"] == {"percent": None, "ci_low": None,
                                              "ci_high": None}
    assert nobody["nets"]["agree"]["percent"] is None


def test_raking_meets_demo_margins_within_a_millionth(instrument, tmp_path):
    responses = demo_responses(instrument)
    margins = {
        "state.region": {"northeast": 0.18, "midwest": 0.22, "south": 0.37, "west": 0.23},
        "role.group": {"leadership": 0.45, "staff": 0.55},
        "communities=rural": {"rural": 0.35, "not_rural": 0.65},
    }
    text = "margins:\n" + "".join(
        f"  {name}: {{{', '.join(f'{g}: {s}' for g, s in shares.items())}}}\n"
        for name, shares in margins.items())
    weights, info = weight(responses, _margins(tmp_path, text))
    assert info["iterations"] > 1
    raked = np.ones(responses.total, dtype=bool)
    for name in margins:
        raked &= resolve_grouping(responses, name).codes >= 0
    assert raked.sum() == info["raked"]
    assert info["raked"] + info["not_raked"] == responses.eligible_count
    assert weights[raked].mean() == pytest.approx(1.0)
    eligible = responses.respondents["eligible"].to_numpy()
    assert (weights[eligible & ~raked] == 1).all()
    assert (weights[~eligible] == 0).all()
    for name, shares in margins.items():
        grouping = resolve_grouping(responses, name)
        totals = np.bincount(grouping.codes[raked], weights=weights[raked],
                             minlength=len(grouping.groups))
        achieved = dict(zip([g.id for g in grouping.groups], totals / totals.sum(),
                            strict=True))
        for group, share in shares.items():
            assert achieved[group] == pytest.approx(share, abs=1e-6)
    used = weights > 0
    squares = np.square(weights[used]).sum()
    assert info["design_effect"] == pytest.approx(used.sum() * squares
                                                  / weights[used].sum() ** 2)


@pytest.mark.parametrize(("text", "message"), [
    ("margins: [1, 2]\n", "expected a 'margins:' mapping"),
    ("margins: {role.group: {leadership: 0.5, staff: 0.6}}\n", "add up to 1.1"),
    ("margins: {role.group: {leadership: half, staff: 0.5}}\n", "must be a number"),
    ("margins: {role.group: {leadership: 1.5, staff: -0.5}}\n", "must be a number"),
    ("margins: {role.group: 0.5}\n", "mapping of groups to shares"),
    ("margins: {colour: {red: 1.0}}\n", "not a closed question"),
    ("margins: {communities: {rural: 1.0}}\n", "communities=urban"),
    ("margins: {role.group: {leadership: 0.5, staff: 0.25, interns: 0.25}}\n",
     "'interns' has a share but no respondent"),
    ("margins: {role.group: {leadership: 1.0}}\n", "no share for 'staff'"),
    ("margins: {role.group: {leadership: 1.0, staff: 0}}\n", "share of 0"),
    ("margins: {role.group: {leadership: 0.5, staff: 0.5\n", "not a readable YAML file"),
])
def test_bad_margins_files_name_the_file(wave, tmp_path, text, message):
    path = _margins(tmp_path, text)
    with pytest.raises(InputError) as caught:
        weight(wave, path)
    assert message in caught.value.message
    assert caught.value.file == str(path)


def test_missing_margins_file(wave, tmp_path):
    with pytest.raises(InputError, match="no such file"):
        weight(wave, tmp_path / "absent.yaml")


def test_contradictory_margins_do_not_converge(wave, tmp_path):
    text = ("margins:\n"
            "  role: {executive_director: 0.5, peer_support_worker: 0.5}\n"
            "  role.group: {leadership: 0.3, staff: 0.7}\n")
    with pytest.raises(RakingError, match="did not meet the margins"):
        weight(wave, _margins(tmp_path, text))


def test_worked_example_in_the_docs_is_current(instrument, tmp_path):
    doc = (Path(__file__).parents[1] / "docs" / "statistics.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    responses = demo_responses(instrument)
    weights, info = weight(responses, _margins(tmp_path, example))
    assert f"{info['raked']} of the {responses.eligible_count} eligible" in doc
    assert (f"**Design effect {info['design_effect']:.2f}, "
            f"effective n {info['effective_n']:.1f}**") in doc
    yes = weighted_findings(responses, weights, info).to_json()["questions"]["ta_receiving"]
    cell = yes["options"]["yes"]
    assert (f"| {cell['percent']:.1f}% ({cell['ci_low']:.1f}–{cell['ci_high']:.1f}) |"
            in doc)
    assert f"weighted (effective n {yes['effective_n']:.1f})" in doc


def _row(share: float, low: float, high: float) -> str:
    return f"{100 * share:.1f}% ({100 * low:.1f}–{100 * high:.1f})"


def test_docs_numbers_worked_by_hand(instrument, tmp_path):
    """The worked example of docs/statistics.md, from the raw answers and the weights alone:
    who is raked, the margins met, Kish's design effect and each table row (Wilson on the
    effective n, by statsmodels). The test above only shows that the docs repeat the code."""
    text = (Path(__file__).parents[1] / "docs" / "statistics.md").read_text(encoding="utf-8")
    doc = " ".join(text.split())
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    responses = demo_responses(instrument)
    weights, _ = weight(responses, _margins(tmp_path, example))
    w = dict(zip(responses.respondents["response_id"].to_list(), weights.tolist(),
                 strict=True))
    raw = Raw.of(responses)
    eligible = len(raw.eligible)

    # Raked: those who answered both margin questions; everyone else eligible keeps 1.
    raked = raw.who_answered("state") & raw.who_answered("role")
    assert (f"{len(raked)} of the {eligible} eligible respondents answered both state and "
            f"role and are raked; {eligible - len(raked)} did not") in doc
    assert all(w[rid] == 1.0 for rid in raw.eligible - raked)
    region = {o.id: o.region for o in instrument.question("state").options}
    in_region = {rid: region[option] for rid, qid, option, _ in raw.rows if qid == "state"}
    leaders = raw.who_chose("role", {o.id for o in instrument.question("role").options
                                     if o.group == "leadership"})
    assert (f"Among the raked respondents, {tenths(len(raked & leaders), len(raked))}% were "
            f"leadership and {tenths(sum(in_region[r] == 'northeast' for r in raked), len(raked))}"
            "% were in the northeast") in doc
    # The weighted raked sample has the margins' make-up.
    total = sum(w[r] for r in raked)
    assert sum(w[r] for r in raked & leaders) / total == pytest.approx(0.5, abs=1e-6)
    for name, share in (("northeast", 0.18), ("midwest", 0.22), ("south", 0.37),
                        ("west", 0.23)):
        assert sum(w[r] for r in raked if in_region[r] == name) / total == \
            pytest.approx(share, abs=1e-6)

    def kish(people: set[str]) -> tuple[float, float]:
        values = np.array([w[r] for r in people])
        effective = values.sum() ** 2 / (values ** 2).sum()
        return len(values) / effective, effective

    deff, effective = kish(set(raw.eligible))
    assert f"**Design effect {deff:.2f}, effective n {effective:.1f}** (of {eligible})" in doc
    deff, effective = kish(raked)
    assert (f"among the {len(raked)} raked respondents alone, {deff:.2f} and "
            f"{effective:.1f}") in doc

    # The table: each share unweighted and weighted, with Wilson intervals.
    def cells(qid: str, option: str) -> str:
        people = raw.who_answered(qid)
        chose = raw.who_chose(qid, {option})
        unweighted = len(chose) / len(people)
        low, high = proportion_confint(len(chose), len(people), method="wilson")
        share = sum(w[r] for r in chose) / sum(w[r] for r in people)
        _, n_eff = kish(people)
        w_low, w_high = proportion_confint(share * n_eff, n_eff, method="wilson")
        return f"{_row(unweighted, low, high)} | {_row(share, w_low, w_high)}"

    people = raw.who_answered("ta_receiving")
    assert (f"| | unweighted (n = {len(people)}) | weighted (effective n "
            f"{kish(people)[1]:.1f}) |") in doc
    for label, qid, option in (("Currently receiving TA: yes", "ta_receiving", "yes"),
                               ("no", "ta_receiving", "no"),
                               ("unsure", "ta_receiving", "unsure"),
                               ("TA format: small-group discussions", "ta_formats",
                                "small_group"),
                               ("TA format: in-person convenings", "ta_formats",
                                "convenings")):
        assert f"| {label} | {cells(qid, option)} |" in doc, label
