"""Readiness profiles checked by hand on tests/fixtures/assistance_profiles.csv.

`full` answers everything; the expected scores below are worked out from the rules file
(src/hrta/instrument/assessments/readiness/harm_reduction_ta_2022.yaml) by hand.
"""

from __future__ import annotations

import pytest

from hrta.assistance import answers_from_mapping, answers_of, build_profile, load_rules
from hrta.errors import InputError
from hrta.ingest import load_responses
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def wave(instrument):
    return load_responses(FIXTURES / "assistance_profiles.csv", instrument, fmt="native")


@pytest.fixture(scope="module")
def rules(instrument):
    return load_rules(instrument)


def profile_of(wave, rules, response_id):
    return build_profile(answers_of(wave, response_id), instrument=wave.instrument, rules=rules)


def test_services_score_counts_direct_fully_and_referral_half(wave, rules):
    services = profile_of(wave, rules, "full").domain("services")
    # 13 core services; direct: naloxone, buprenorphine, fentanyl test strips (3);
    # referral only: methadone, syringe services (2; naloxone is direct already).
    # (3 * 1 + 2 * 0.5) / 13 = 30.8 -> 31, under 40: early.
    assert services.score == 31
    assert services.level == "early"
    assert services.sentence == ("Your organization provides 3 of the 13 core harm reduction "
                                 "services directly and refers people to 2 more. It plans to "
                                 "add 1 more.")
    assert services.strengths == (
        "Provides directly: naloxone distribution, buprenorphine treatment and fentanyl test "
        "strips distribution",
        "Refers people to: methadone treatment and syringe distribution and services",
    )
    absent, approaches = services.gaps
    assert absent.startswith("Core services neither provided nor referred: mobile methadone")
    assert absent.count(";") == 7  # 8 core services, one label holding its own comma
    # An approach with one service is named as the questionnaire put that service.
    assert approaches == ("Program approaches with no service yet: overdose prevention sites "
                          "or supervised consumption services, housing and legal services")
    assert services.plans == ("Plans to provide: safer smoking kits (core service); housing "
                              "services",)
    assert "each of the 13 core services counts 1 when provided directly and 0.5" \
        in services.basis


def test_partnerships_score_is_the_weight_of_groups_reached(wave, rules):
    partners = profile_of(wave, rules, "full").domain("partnerships")
    # Public health, treatment and recovery, public safety: 1 + 1 + 1 of 2+1+1+1+1 = 50.
    assert partners.score == 50
    assert partners.level == "developing"
    assert partners.sentence == (
        "Your organization works with 3 kinds of partners, in 3 of the 5 partner groups; none "
        "yet among harm reduction organizations and community and capacity-building partners.")
    assert partners.gaps[0] == "No harm reduction organizations among your partners yet"
    assert partners.plans == ("Plans to work with: syringe services programs (SSPs)",)


def test_dont_know_is_a_knowledge_gap_left_out_of_the_score(wave, rules):
    organizational = profile_of(wave, rules, "full").domain("organizational")
    # Rated: strongly agree 3, somewhat agree 2, strongly disagree 0 -> 5 of 9 = 56.
    assert organizational.score == 56
    assert organizational.level == "developing"
    assert organizational.sentence == (
        "You agree with 2 of the 3 statements you rated (1 strongly); you don't know about "
        "staff knowledge of harm reduction services.")
    assert organizational.knowledge_gaps == ("Staff knowledge of harm reduction services: you "
                                             "don't know",)
    assert organizational.gaps == ("Harm reduction principles and values adopted (strongly "
                                   "disagree)",)
    assert organizational.strengths == ("Leadership support (strongly agree)",
                                        "Staff support (somewhat agree)")
    policy = profile_of(wave, rules, "full").domain("policy")
    # 3 + 1 + 2 + 0 of 12 (local laws: don't know) = 50.
    assert policy.score == 50


def test_all_dont_know_is_not_a_barrier(wave, rules):
    organizational = profile_of(wave, rules, "unknown").domain("organizational")
    assert organizational.score is None
    assert organizational.level == "unknown"
    assert organizational.sentence == ("You answered \"I don't know\" to all 4 statements: a gap "
                                       "in knowledge, not a barrier.")
    assert len(organizational.knowledge_gaps) == 4
    assert not organizational.gaps


def test_unanswered_domains_are_not_judged_never_guessed(wave, rules):
    profile = profile_of(wave, rules, "sparse")
    assert [d.level for d in profile.domains] == ["not_judged"] * 5
    assert all(d.score is None and not d.gaps for d in profile.domains)
    assert profile.summary.startswith("Too little was answered")
    assert "which partners your organization works with (not answered)" in profile.not_judged
    assert len(profile.not_judged) == 2 + 1 + 4 + 3 + 5
    assert profile.organization.location_label == "New York"
    assert profile.organization.region == "northeast"


def test_summary_names_strongest_and_weakest(wave, rules):
    profile = profile_of(wave, rules, "full")
    assert profile.summary.startswith("Strongest: organizational readiness (developing)")
    assert "Most room to grow: continuum of services (early)" in profile.summary


def test_other_text_describes_the_organization(wave, rules):
    profile = profile_of(wave, rules, "unknown")
    assert profile.organization.type_label == "Other: <b>Crisis</b> & outreach"


def test_web_answers_give_the_same_profile_as_the_file(wave, rules, instrument):
    """The web app hands answers over as a mapping; the profile must not differ."""
    from_file = profile_of(wave, rules, "full")
    mapping = {
        "state": "md", "org_type": "community_sud_treatment", "communities": ["urban", "rural"],
        "services_direct": ["naloxone", "buprenorphine", "peer_support", "fentanyl_test_strips"],
        "services_referral": ["methadone", "syringe_services", "naloxone"],
        "services_planned": ["safer_smoking_kits", "housing_services"],
        "partners_current": ["local_public_health", "law_enforcement",
                             "recovery_community_orgs"],
        "partners_planned": ["syringe_services_programs"],
        "fb_organizational.leadership_support": "strongly_agree",
        "fb_organizational.staff_support": "somewhat_agree",
        "fb_organizational.staff_knowledge": "dont_know",
        "fb_organizational.principles_adopted": "strongly_disagree",
        "fb_community.trust_pwud": "strongly_agree",
        "fb_community.trust_ssp": "strongly_disagree",
        "fb_community.community_support": "somewhat_agree",
        "fb_policy.health_agencies_support": "strongly_agree",
        "fb_policy.law_enforcement_support": "somewhat_disagree",
        "fb_policy.local_laws_help": "dont_know",
        "fb_policy.state_laws_help": "somewhat_agree",
        "fb_policy.adequate_funding": "strongly_disagree",
    }
    answers = answers_from_mapping(instrument, "full", mapping)
    from_web = build_profile(answers, instrument=instrument, rules=rules)
    assert from_web.to_json() == from_file.to_json()


def test_web_answers_are_checked_against_the_instrument(instrument):
    with pytest.raises(InputError, match=r"unknown option 'maybe' for 'fb_policy\.adequate_fund"):
        answers_from_mapping(instrument, "w1", {"fb_policy.adequate_funding": "maybe"})
    with pytest.raises(InputError, match="unknown question id 'ta_wishes'"):
        answers_from_mapping(instrument, "w1", {"ta_wishes": ["funding"]})
    with pytest.raises(InputError, match="'state' takes one answer, not 2"):
        answers_from_mapping(instrument, "w1", {"state": ["md", "ny"]})


def test_unknown_respondent_is_a_clear_error(wave):
    with pytest.raises(InputError) as caught:
        answers_of(wave, "nobody")
    message = str(caught.value)
    assert "assistance_profiles.csv" in message
    assert "no respondent with id 'nobody' among 4 responses" in message


def test_profile_json_round_trips(wave, rules):
    import json

    data = profile_of(wave, rules, "full").to_json()
    assert json.loads(json.dumps(data)) == data
    assert [d["id"] for d in data["domains"]] == ["services", "partnerships", "organizational",
                                                  "community", "policy"]
    assert data["domains"][0]["judged"] is True
    services = data["domains"][0]["detail"]["approaches"]
    assert [a["id"] for a in services][:2] == ["education", "overdose_prevention"]
    naloxone = next(s for a in services for s in a["services"] if s["id"] == "naloxone")
    assert naloxone == {"id": "naloxone", "label": "Naloxone distribution", "core": True,
                        "direct": True, "referral": True, "planned": False}
