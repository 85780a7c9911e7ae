"""Findings checked against numbers computed by hand from tests/fixtures/small_surveymonkey.csv.

The fixture: 1002 is screened out (and still ticks a service, which must not count);
1005 skips the screening question (eligible: only the screening-out answer excludes).
Eligible: 1001, 1003, 1004, 1005.
  services_direct: answered by 1001 (peer, naloxone), 1003 (naloxone), 1005 (other) -> n=3
  leadership_support: 1001 strongly agree, 1003 somewhat agree, 1004 somewhat disagree -> n=3
  adequate_funding: 1001 strongly disagree, 1003 I don't know -> n=2
  challenges: 1001 only (1004's answer is blank) -> n=1
"""

from __future__ import annotations

import math

import pytest

from hrta.analysis import build_findings
from hrta.ingest import load_responses


def wilson_by_hand(count: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = count / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return 100 * (centre - half), 100 * (centre + half)


@pytest.fixture
def findings(small_export, instrument):
    return build_findings(load_responses(small_export, instrument)).to_json()


def test_responses_total_eligible_excluded(findings):
    assert findings["responses"] == {"total": 5, "eligible": 4, "excluded": 1}
    assert findings["fielded"] == {"first": "2022-05-10", "last": "2022-05-14"}
    assert findings["instrument"] == "harm_reduction_ta_2022"


def test_multi_denominator_is_respondents_who_chose_anything(findings):
    services = findings["questions"]["services_direct"]
    assert services["n"] == 3
    assert services["not_answered"] == 1
    options = services["options"]
    assert options["peer_support"]["count"] == 1
    assert options["peer_support"]["percent"] == pytest.approx(100 / 3)
    assert options["naloxone"]["count"] == 2
    assert options["naloxone"]["percent"] == pytest.approx(200 / 3)
    assert options["other"]["count"] == 1
    assert services["other_texts"] == ["Mobile van"]
    assert options["syringe_services"] == {
        "label": "Syringe distribution and services", "count": 0, "percent": 0.0,
        "ci_low": 0.0, "ci_high": pytest.approx(wilson_by_hand(0, 3)[1]), "rank": 4}
    assert options["naloxone"]["rank"] == 1
    assert options["peer_support"]["rank"] == 2


def test_wilson_interval_matches_hand_formula(findings):
    naloxone = findings["questions"]["services_direct"]["options"]["naloxone"]
    low, high = wilson_by_hand(2, 3)
    assert naloxone["ci_low"] == pytest.approx(low)
    assert naloxone["ci_high"] == pytest.approx(high)


def test_matrix_distribution_and_nets(findings):
    leadership = findings["questions"]["fb_organizational.leadership_support"]
    assert leadership["n"] == 3
    assert leadership["matrix"] == "fb_organizational"
    counts = {k: v["count"] for k, v in leadership["options"].items()}
    assert counts == {"strongly_agree": 1, "somewhat_agree": 1, "somewhat_disagree": 1,
                      "strongly_disagree": 0, "dont_know": 0}
    assert leadership["nets"]["agree"]["count"] == 2
    assert leadership["nets"]["agree"]["percent"] == pytest.approx(200 / 3)
    assert leadership["nets"]["disagree"]["percent"] == pytest.approx(100 / 3)

    funding = findings["questions"]["fb_policy.adequate_funding"]
    assert funding["n"] == 2
    assert funding["options"]["dont_know"]["count"] == 1  # typed with a curly apostrophe
    assert funding["nets"]["disagree"]["percent"] == pytest.approx(50.0)
    assert funding["nets"]["agree"]["count"] == 0


def test_unanswered_statement_has_zero_n_and_null_percent(findings):
    knowledge = findings["questions"]["fb_organizational.staff_knowledge"]
    assert knowledge["n"] == 0
    assert knowledge["options"]["strongly_agree"]["percent"] is None
    assert knowledge["options"]["strongly_agree"]["ci_low"] is None


def test_open_ended_counts_only_non_blank_answers(findings):
    challenges = findings["questions"]["challenges"]
    assert challenges["n"] == 1
    assert challenges["answers"] == ["Funding is short"]


def test_figure_n_of_a_matrix_block_counts_anyone_who_rated_a_statement(findings):
    items = {item["title"]: item for s in findings["sections"] for item in s["items"]}
    assert items["Organizational Factors that Impact Harm Reduction Adoption"]["n"] == {
        "fb_organizational": 3}
    assert items["Law, Policy and Funding Factors that Impact Harm Reduction Adoption"]["n"] == {
        "fb_policy": 2}
    numbers = [f"{i['number']}{i['suffix']}" for s in findings["sections"] for i in s["items"]
               if i["kind"] == "figure"]
    # The 2022 report's twelve, and Figure 5a added after Figure 5 without renumbering.
    assert numbers == [str(n) for n in range(1, 6)] + ["5a"] + [str(n) for n in range(6, 13)]


def test_findings_hold_no_contact_details_or_pii_questions(findings, instrument):
    import json

    text = json.dumps(findings)
    assert "ann@example.org" not in text
    assert "10.0.0.1" not in text
    for question in instrument.questions:
        if question.pii:
            assert question.id not in findings["questions"]


def test_every_analysable_question_and_statement_is_in_findings(findings, instrument):
    expected = set()
    for question in instrument.analysable_questions():
        if question.type == "matrix":
            expected.update(question.statement_qids())
        else:
            expected.add(question.id)
    assert set(findings["questions"]) == expected


def test_matrices_and_option_flags(findings):
    assert findings["matrices"]["fb_organizational"]["n"] == 3
    assert findings["matrices"]["fb_policy"]["statements"][-1] == "fb_policy.adequate_funding"
    funding = findings["questions"]["fb_policy.adequate_funding"]["options"]
    assert funding["strongly_agree"]["net"] == "agree"
    assert funding["strongly_disagree"]["net"] == "disagree"
    assert "net" not in funding["dont_know"]
    assert findings["questions"]["services_direct"]["options"]["other"]["other"] is True
    assert "other" not in findings["questions"]["services_direct"]["options"]["naloxone"]
