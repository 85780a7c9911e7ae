"""Subgroup comparisons checked against tables written out by hand.

The wave (by role.group: executive directors are leadership, peer support workers staff):

                         leadership (40)   staff (40)
  ta_receiving  yes            10              20
                no             20              10
                unsure         10              10
  services_direct naloxone      1               6     (everyone also ticks counseling)
  communities   rural          10              25
                urban          30              15

Plus one respondent without a role (not grouped) and one screened out (in no number).
ta_receiving: expected counts 15, 15, 10 in both rows, so chi-square; the statistic is
4 * 25/15 = 20/3 on 2 degrees of freedom, whose p-value is exp(-10/3).
naloxone: expected 3.5 chose it in each group, so Fisher's exact on [[1, 39], [6, 34]].
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import chi2_contingency, fisher_exact

from hrta.analysis.subgroups import compare_subgroups, independence_test
from hrta.analysis.suppression import suppress
from hrta.demo import demo_responses, synthetic_responses
from hrta.errors import InputError
from hrta.instrument import load_bundled
from tests.native_waves import load_wave
from tests.raw_counts import Raw, tenths

LEAD, STAFF = "executive_director", "peer_support_worker"
PEOPLE = [
    (1, {"role": LEAD, "ta_receiving": "yes", "services_direct": ["counseling", "naloxone"],
         "communities": "rural"}),
    (9, {"role": LEAD, "ta_receiving": "yes", "services_direct": "counseling",
         "communities": "rural"}),
    (20, {"role": LEAD, "ta_receiving": "no", "services_direct": "counseling",
          "communities": "urban"}),
    (10, {"role": LEAD, "ta_receiving": "unsure", "services_direct": "counseling",
          "communities": "urban"}),
    (6, {"role": STAFF, "ta_receiving": "yes", "services_direct": ["counseling", "naloxone"],
         "communities": "rural"}),
    (14, {"role": STAFF, "ta_receiving": "yes", "services_direct": "counseling",
          "communities": "rural"}),
    (5, {"role": STAFF, "ta_receiving": "no", "services_direct": "counseling",
         "communities": "rural"}),
    (5, {"role": STAFF, "ta_receiving": "no", "services_direct": "counseling",
         "communities": "urban"}),
    (10, {"role": STAFF, "ta_receiving": "unsure", "services_direct": "counseling",
          "communities": "urban"}),
    (1, {"ta_receiving": "no"}),
    (1, {"screening": "not_employed", "role": LEAD, "ta_receiving": "yes"}),
]


@pytest.fixture
def wave(tmp_path, instrument):
    return load_wave(tmp_path / "wave.csv", instrument, PEOPLE)


@pytest.fixture
def by_role(wave):
    return compare_subgroups(wave, "role.group").to_json()


def test_groups_and_who_is_left_out(by_role):
    assert by_role["by_label"] == "Professional role or title (group)"
    assert by_role["groups"] == [{"id": "leadership", "label": "Leadership", "n": 40},
                                 {"id": "staff", "label": "Staff", "n": 40}]
    assert by_role["not_grouped"] == 1
    assert by_role["correction"] == "benjamini-hochberg"
    assert "role" not in by_role["questions"]


def test_single_question_chi_square_matches_the_hand_table(by_role):
    entry = by_role["questions"]["ta_receiving"]
    test = entry["test"]
    assert test["method"] == "chi-square"
    assert test["statistic"] == pytest.approx(20 / 3)
    assert test["p"] == pytest.approx(math.exp(-10 / 3))
    assert test["p"] == pytest.approx(chi2_contingency([[10, 20, 10], [20, 10, 10]]).pvalue)
    assert entry["options"]["yes"]["groups"] == {
        "leadership": {"count": 10, "n": 40, "percent": 25.0, "suppressed": False},
        "staff": {"count": 20, "n": 40, "percent": 50.0, "suppressed": False}}
    assert all(option["test"] is None for option in entry["options"].values())


def test_multi_question_gets_one_test_per_option(by_role):
    options = by_role["questions"]["services_direct"]["options"]
    assert by_role["questions"]["services_direct"]["test"] is None
    naloxone = options["naloxone"]["test"]
    assert naloxone["method"] == "fisher-exact"
    assert naloxone["p"] == pytest.approx(fisher_exact([[1, 39], [6, 34]]).pvalue)
    # Everyone ticked counseling: nothing to compare. Nobody ticked syringes: nor here.
    assert options["counseling"]["test"] is None
    assert options["syringe_services"]["test"] is None
    rural = by_role["questions"]["communities"]["options"]["rural"]["test"]
    assert rural["method"] == "chi-square"
    assert rural["p"] == pytest.approx(chi2_contingency([[10, 30], [25, 15]]).pvalue)


def bh_by_hand(p: list[float]) -> list[float]:
    """Benjamini-Hochberg: p(i) * m / i, made monotone from the largest down, capped at 1."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        adjusted[i] = running
    return adjusted


def test_benjamini_hochberg_over_every_test_of_the_comparison(by_role):
    tests = [t for q in by_role["questions"].values()
             for t in [q["test"], *(o["test"] for o in q["options"].values())] if t]
    # ta_receiving, naloxone, rural and urban (the same table as rural, mirrored).
    assert len(tests) == 4
    p = [t["p"] for t in tests]
    assert [t["p_adjusted"] for t in tests] == pytest.approx(bh_by_hand(p))
    # By hand: rural and urban share the smallest p (ranks 1 and 2), ta_receiving is third,
    # naloxone fourth. ta_receiving: exp(-10/3) * 4 / 3 = 0.0476, significant at 0.05;
    # rural: min(p * 4 / 1, p * 4 / 2) = 2p; naloxone: p * 4 / 4 = p.
    questions = by_role["questions"]
    ta = questions["ta_receiving"]["test"]
    assert ta["p_adjusted"] == pytest.approx(math.exp(-10 / 3) * 4 / 3)
    assert ta["significant"] is True
    rural = questions["communities"]["options"]["rural"]["test"]
    assert rural["p_adjusted"] == pytest.approx(2 * rural["p"])
    naloxone = questions["services_direct"]["options"]["naloxone"]["test"]
    assert naloxone["p_adjusted"] == pytest.approx(naloxone["p"])
    assert naloxone["significant"] is False
    for test in tests:
        assert test["significant"] == (test["p_adjusted"] < 0.05)
    assert [(s["question"], s["option"]) for s in by_role["significant"]] == \
        [(q, o) for q, o, t in _all_tests(by_role) if t["significant"]]


def _all_tests(result):
    found = []
    for qid, q in result["questions"].items():
        if q["test"]:
            found.append((qid, None, q["test"]))
        found.extend((qid, oid, o["test"]) for oid, o in q["options"].items() if o["test"])
    return sorted(found, key=lambda item: item[2]["p_adjusted"])


def test_small_counts_are_suppressed_with_a_complement(by_role):
    naloxone = by_role["questions"]["services_direct"]["options"]["naloxone"]["groups"]
    # Leadership's 1 is below 5; staff's 6 would reveal it from the overall count of 7.
    assert naloxone == {
        "leadership": {"count": None, "n": 40, "percent": None, "suppressed": True},
        "staff": {"count": None, "n": 40, "percent": None, "suppressed": True}}


def test_suppression_hand_example_single_choice():
    counts = np.array([[10, 2, 8],    # option a
                       [12, 9, 7],    # option b
                       [6, 9, 0]])    # option c
    n = counts.sum(axis=0)            # 28, 20, 15: columns sum to n
    hidden = suppress(counts, n, threshold=5, columns_sum_to_n=True)
    # The 2 is hidden. Its row total would give it away, so the row's next smallest (8) goes;
    # its column (summing to n = 20) loses the next smallest, 9 (the first of two 9s). The
    # 8 left column three with one hidden cell: 7 goes (not the 0, which protects nothing),
    # and then every row and column holds none or two hidden cells.
    assert hidden.tolist() == [[False, True, True],
                               [False, True, True],
                               [False, False, False]]


def test_suppression_small_group_and_multi_rows():
    counts = np.array([[10, 3, 0],
                       [6, 1, 5]])
    n = np.array([20, 4, 15])         # group two has n = 4: all its cells are hidden
    hidden = suppress(counts, n, threshold=5, columns_sum_to_n=False)
    # Each row then has one hidden cell; the smallest non-zero other cell joins it.
    assert hidden.tolist() == [[True, True, False],
                               [False, True, True]]


def test_suppression_multi_hides_all_but_a_few():
    counts = np.array([[18, 10]])
    n = np.array([20, 30])            # 2 of 20 did not choose it: as small as a count of 2
    hidden = suppress(counts, n, threshold=5, columns_sum_to_n=False)
    assert hidden.tolist() == [[True, True]]


def test_fisher_r_by_c_is_monte_carlo_and_reproducible():
    table = np.array([[8, 2, 3], [1, 5, 4]])
    first = independence_test(table, "q")
    assert first["method"] == "fisher-exact (monte carlo)"
    assert first["statistic"] is None
    assert first == independence_test(table, "q")
    assert 0.01 < first["p"] < 0.2  # SciPy's documented example gives about 0.06


def test_huge_sparse_table_falls_back_to_monte_carlo_chi_square():
    table = np.array([[50_000, 3, 40_000], [50_000, 0, 60_000]])
    result = independence_test(table, "q")
    assert result["method"] == "chi-square (monte carlo)"
    assert result["p"] < 0.01


def test_untestable_tables_give_none():
    assert independence_test(np.array([[5, 0], [7, 0]])) is None
    assert independence_test(np.array([[5, 3], [0, 0]])) is None


@pytest.mark.parametrize(("by", "message"), [
    ("favourite_colour", "not a closed question"),
    ("challenges", "not a closed question"),
    ("raffle_email", "not a closed question"),
    ("fb_policy", "not a closed question"),
    ("communities", "communities=urban"),
    ("state.colour", "no option attribute 'colour'"),
    ("org_type.region", "carry no attribute"),
    ("communities=moon", "has no option 'moon'"),
    ("nope=rural", "not a closed question"),
])
def test_bad_by_strings_raise_input_error(wave, by, message):
    with pytest.raises(InputError) as caught:
        compare_subgroups(wave, by)
    assert message in caught.value.message


def test_other_by_forms(wave):
    chose = compare_subgroups(wave, "communities=rural").to_json()
    assert chose["by_label"] == "Communities served: Rural"
    assert [(g["id"], g["n"]) for g in chose["groups"]] == [("rural", 35), ("not_rural", 45)]
    assert chose["not_grouped"] == 1
    single = compare_subgroups(wave, "ta_receiving").to_json()
    assert [(g["id"], g["n"]) for g in single["groups"]] == \
        [("yes", 30), ("no", 31), ("unsure", 20)]
    assert single["questions"]["communities"]["options"]["rural"]["groups"]["no"]["n"] == 30


def test_bad_threshold_and_alpha(wave):
    with pytest.raises(InputError):
        compare_subgroups(wave, "role.group", threshold=0)
    with pytest.raises(InputError):
        compare_subgroups(wave, "role.group", alpha=1.5)


def _published(result):
    for entry in result["questions"].values():
        for option in entry["options"].values():
            for cell in option["groups"].values():
                yield entry["type"], cell


@pytest.fixture(scope="module")
def demo():
    return demo_responses(load_bundled())


@pytest.fixture(scope="module")
def demo_by_org_type(demo):
    return compare_subgroups(demo, "org_type").to_json()


def test_small_groups_are_combined_or_left_out(wave):
    # ta_receiving groups: yes 30, no 31, unsure 20 (see PEOPLE).
    default = compare_subgroups(wave, "ta_receiving").to_json()
    assert default["min_group"] == 10 and default["small_groups"] == []
    alone = compare_subgroups(wave, "ta_receiving", min_group=25).to_json()
    assert [(g["id"], g["n"]) for g in alone["groups"]] == [("yes", 30), ("no", 31)]
    assert alone["small_groups"] == [{"id": "unsure", "label": "Unsure", "n": 20}]
    assert alone["left_out"] == 20 and alone["not_grouped"] == 0
    together = compare_subgroups(wave, "ta_receiving", min_group=31).to_json()
    assert [(g["id"], g["n"]) for g in together["groups"]] == [("no", 31), ("combined", 50)]
    assert [g["id"] for g in together["small_groups"]] == ["yes", "unsure"]
    assert together["left_out"] == 0
    # Rural among the 50 of yes + unsure: all 30 who said yes (1 + 9 + 6 + 14), none unsure.
    rural = together["questions"]["communities"]["options"]["rural"]["groups"]["combined"]
    assert (rural["count"], rural["n"]) == (30, 50)
    with pytest.raises(InputError) as caught:
        compare_subgroups(wave, "ta_receiving", min_group=32)
    assert "fewer than two groups of at least 32 respondents" in caught.value.message
    assert "Yes 30, No 31, Unsure 20" in caught.value.message


def test_demo_by_org_type_publishes_no_small_count(demo):
    # Every group on its own, small ones too: the hardest case for suppression.
    result = compare_subgroups(demo, "org_type", min_group=1).to_json()
    assert len(result["groups"]) == 9
    cells = list(_published(result))
    assert any(cell["suppressed"] for _, cell in cells)
    for kind, cell in cells:
        assert cell["count"] is None or cell["count"] == 0 or cell["count"] >= 5
        if kind == "multi" and cell["count"] is not None:
            assert cell["n"] - cell["count"] in (0, *range(5, cell["n"] + 1))
        assert (cell["count"] is None) == cell["suppressed"]
        if cell["suppressed"]:
            assert cell["percent"] is None
        if cell["n"] < 5:
            assert cell["suppressed"] or cell["n"] == 0


def test_demo_no_line_with_a_single_hidden_cell(demo):
    """No hidden count is its published row or column total minus the cells shown."""
    result = compare_subgroups(demo, "state.region", threshold=5).to_json()
    for entry in result["questions"].values():
        rows = [[cell["suppressed"] for cell in option["groups"].values()]
                for option in entry["options"].values()]
        for row in rows:
            assert sum(row) != 1
        if entry["type"] != "multi":
            for column in zip(*rows, strict=True):
                assert sum(column) != 1


def test_hundred_thousand_responses_account_for_everyone(instrument):
    # At scale every eligible respondent is still in exactly one place.
    responses = synthetic_responses(instrument, 100_000, seed=7)
    result = compare_subgroups(responses, "org_type").to_json()
    assert sum(g["n"] for g in result["groups"]) + result["not_grouped"] + \
        result["left_out"] == responses.eligible_count


def test_worked_examples_in_the_docs_are_current(demo, demo_by_org_type):
    doc = (Path(__file__).parents[1] / "docs" / "statistics.md").read_text(encoding="utf-8")
    cells = [cell for _, cell in _published(demo_by_org_type)]
    hidden = sum(cell["suppressed"] for cell in cells)
    assert f"{hidden:,} of {len(cells):,} published cells are suppressed" in doc
    assert f"{demo_by_org_type['not_grouped']} eligible respondents did not answer" in doc
    tests = [t for _, _, t in _all_tests(demo_by_org_type)]
    assert f"0.{round(min(t['p_adjusted'] for t in tests) * 1000):03d} after" in doc
    assert not demo_by_org_type["significant"]

    by_role = compare_subgroups(demo, "role.group").to_json()
    assert [s["question"] for s in by_role["significant"]] == \
        ["fb_policy.law_enforcement_support"]
    test = by_role["questions"]["fb_policy.law_enforcement_support"]["test"]
    assert f"p = {test['p']:.4f}, adjusted p = {test['p_adjusted']:.3f}" in doc
    staff = by_role["questions"]["fb_policy.law_enforcement_support"]["options"]
    assert "| Strongly agree | 0 (0.0%) | 10 (32.3%) |" in doc
    assert staff["strongly_agree"]["groups"]["staff"]["percent"] == pytest.approx(1000 / 31)


def test_small_groups_example_in_the_docs_is_current(demo):
    doc = (Path(__file__).parents[1] / "docs" / "statistics.md").read_text(encoding="utf-8")
    by_role = compare_subgroups(demo, "role").to_json()
    sizes = {g["id"]: g["n"] for g in by_role["groups"]}
    assert sizes == {"executive_director": 14, "clinical_director": 10, "program_manager": 11,
                     "combined": 48}
    assert len(by_role["small_groups"]) == 11
    assert {g["n"] for g in by_role["small_groups"]} <= set(range(1, 10))
    assert "clinical directors (10), program managers (11) and all other roles together (48)" \
        in " ".join(doc.split())
    with pytest.raises(InputError, match="fewer than two groups"):
        compare_subgroups(demo, "state")


WORDS = {4: "four", 5: "five", 6: "six", 11: "eleven"}  # as the docs spell them


def test_docs_numbers_counted_by_hand(demo, instrument):
    """The worked examples of docs/statistics.md, counted again from the demo's raw answers
    and adjusted by hand: the tests above only show that the docs repeat the code."""
    doc = " ".join((Path(__file__).parents[1] / "docs" / "statistics.md").read_text(
        encoding="utf-8").split())
    raw = Raw.of(demo)
    eligible = len(raw.eligible)

    # --by org_type: the groups too small on their own, their sum, who did not answer.
    options = instrument.question("org_type").options
    sizes = {o.id: raw.chose("org_type", o.id) for o in options}
    small = sorted((o for o in options if sizes[o.id] < 10), key=lambda o: -sizes[o.id])
    listed = ", ".join(f"{o.label[0].lower()}{o.label[1:]} {sizes[o.id]}" for o in small)
    assert (f"{sum(1 for n in sizes.values() if n)} organization types answered; "
            f"{WORDS[len(small)]} have fewer than 10 respondents ({listed})") in doc
    combined = sum(sizes[o.id] for o in small)
    assert f"**All other groups ({combined})**" in doc
    assert (f"community mental health agency {sizes['community_mental_health']}, CCBHC "
            f"{sizes['ccbhc']}, community SUD treatment {sizes['community_sud_treatment']}, "
            f"other {sizes['other']}, all other groups {combined}") in doc
    answered = raw.answered("org_type")
    assert f"**{eligible - answered} eligible respondents did not answer**" in doc

    # --by role.group: the groups, and the one significant table counted cell by cell.
    roles = instrument.question("role").options
    group = {name: raw.who_chose("role", {o.id for o in roles if o.group == name})
             for name in ("leadership", "staff")}
    assert (f"leadership {len(group['leadership'])}, staff {len(group['staff'])}, not "
            f"grouped {eligible - raw.answered('role')}") in doc
    qid = "fb_policy.law_enforcement_support"
    rated = raw.who_answered(qid)
    n = {name: len(members & rated) for name, members in group.items()}
    table = {}
    for option in instrument.question("fb_policy").options:
        chose = raw.who_chose(qid, {option.id})
        table[option.id] = [len(group[name] & chose) for name in ("leadership", "staff")]
    for option_id, label in (("strongly_agree", "Strongly agree"),
                             ("somewhat_agree", "Somewhat agree"),
                             ("somewhat_disagree", "Somewhat disagree")):
        lead, staff = table[option_id]
        assert (f"| {label} | {lead} ({tenths(lead, n['leadership'])}%) | "
                f"{staff} ({tenths(staff, n['staff'])}%) |") in doc
    for option_id, label in (("strongly_disagree", "Strongly disagree"),
                             ("dont_know", "I don't know")):
        assert f"| {label} | suppressed | suppressed |" in doc
        assert min(table[option_id]) < 5  # a count under 5 is why the row is hidden
    assert f"| n | {n['leadership']} | {n['staff']} |" in doc
    # An independent look at the same table: far from independence by chi-square as well.
    assert chi2_contingency(np.array(list(table.values())).T).pvalue < 0.001
    # Benjamini-Hochberg over every test of the comparison, by hand.
    by_role = compare_subgroups(demo, "role.group").to_json()
    tests = [t for _, _, t in _all_tests(by_role)]
    adjusted = bh_by_hand([t["p"] for t in tests])
    found = next(i for i, (q, o, _) in enumerate(_all_tests(by_role)) if q == qid and o is None)
    assert f"{len(tests)} tests (" in doc
    assert f"adjusted p = {adjusted[found]:.3f})" in doc
    assert sum(a < 0.05 for a in adjusted) == 1  # "One difference is significant"
    assert "One difference is significant" in doc

    # --by role: the three roles with 10 or more, the rest together.
    counts = {o.id: raw.chose("role", o.id) for o in roles}
    big = ["executive_director", "clinical_director", "program_manager"]
    assert [o.id for o in roles if counts[o.id] >= 10] == big
    rest = raw.answered("role") - sum(counts[r] for r in big)
    assert (f"executive directors ({counts['executive_director']}), clinical directors "
            f"({counts['clinical_director']}), program managers ({counts['program_manager']}) "
            f"and all other roles together ({rest}): "
            f"{WORDS[sum(1 for o in roles if 0 < counts[o.id] < 10)]}") in doc


def test_cli_min_group_and_refusal(demo, tmp_path):
    import json

    from hrta.exports import write_native_csv
    from tests.conftest import run_hrta

    wave = tmp_path / "wave.csv"
    write_native_csv(wave, demo)
    out = tmp_path / "findings.json"
    done = run_hrta("analyze", wave, "--by", "org_type", "--min-group", "1", "--json", out)
    assert done.returncode == 0, done.stderr
    comparisons = json.loads(out.read_text(encoding="utf-8"))["comparisons"]
    assert comparisons["min_group"] == 1 and len(comparisons["groups"]) == 9
    refused = run_hrta("report", wave, "--by", "state", "-o", tmp_path / "report.pdf")
    assert refused.returncode == 2
    assert "fewer than two groups of at least 10 respondents" in refused.stderr
    assert "--min-group" in refused.stderr
    assert not (tmp_path / "report.pdf").exists()


def test_gap_between_groups_with_newcombe_interval_by_hand(by_role):
    """ta_receiving "yes": staff 20 of 40 (50%), leadership 10 of 40 (25%). Wilson 95%
    intervals 35.20–64.80 and 14.19–40.19, so Newcombe's interval of the 25-point gap is
    25 − √(14.80² + 15.19²) = 3.79 to 25 + √(14.80² + 10.81²) = 43.33."""
    gap = by_role["questions"]["ta_receiving"]["options"]["yes"]["difference"]
    assert gap["high"] == "staff" and gap["low"] == "leadership"
    assert gap["difference"] == pytest.approx(25.0)
    assert gap["ci_low"] == pytest.approx(3.79, abs=0.02)
    assert gap["ci_high"] == pytest.approx(43.33, abs=0.02)


def test_gap_leaves_out_hidden_cells(by_role):
    # naloxone: 1 of 40 leaders is hidden (below 5), so no gap can be published.
    naloxone = by_role["questions"]["services_direct"]["options"]["naloxone"]
    assert naloxone["groups"]["leadership"]["suppressed"]
    assert "difference" not in naloxone


def test_screening_and_contact_questions_are_never_tested(by_role):
    # The screening question decides who is analysed; the raffle opt-in is a contact
    # question no figure draws; contact details themselves never reach Findings.
    assert "screening" not in by_role["questions"]
    assert "raffle_opt_in" not in by_role["questions"]
    assert not {"raffle_name", "raffle_email"} & set(by_role["questions"])


@pytest.mark.parametrize("by", ["favourite_colour", "state"])
def test_a_by_that_cannot_be_compared_is_refused_before_any_analysis(demo, by):
    """`--by state` leaves fewer than two groups of 10 in the demo wave, and
    `favourite_colour` names nothing: both are refused before the wave is analysed or its
    answers coded, which is what made a refusal cost seconds."""
    from hrta.analysis.pipeline import analyse

    said: list[str] = []
    coded: list[str] = []

    def themes(findings, responses):
        coded.append("themes")
        return findings

    with pytest.raises(InputError):
        analyse(demo, by=by, themes=themes, step=said.append)
    assert said == [] and coded == []
