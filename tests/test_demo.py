"""The synthetic demo wave: shaped like the 2022 report, deterministic, contacts kept apart.

Report numbers are from seeds/000_5615df9b51167696.txt (Methods and Findings).
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from hrta.analysis import build_findings
from hrta.demo import TargetError, demo_responses, load_targets, load_texts, synthetic_responses
from hrta.exports import write_surveymonkey_csv
from hrta.ingest import load_responses
from hrta.instrument import Instrument
from hrta.responses import ResponseSet

# Respondents who answered each question in the report.
REPORT_N = {
    "state": 84, "role": 83, "services_direct": 101, "services_referral": 93,
    "services_planned": 101, "partners_current": 94, "partners_planned": 94,
    "fb_organizational.leadership_support": 90, "fb_community.trust_pwud": 90,
    "fb_policy.adequate_funding": 90, "challenges": 61, "facilitators": 52,
    "ta_receiving": 87, "ta_areas": 87, "ta_formats": 87,
}
N_TOLERANCE = 2


@pytest.fixture(scope="module")
def demo(instrument: Instrument) -> ResponseSet:
    return demo_responses(instrument)


@pytest.fixture(scope="module")
def demo_csv(demo: ResponseSet, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "responses.csv"
    write_surveymonkey_csv(path, demo)
    return path


@pytest.fixture(scope="module")
def findings(demo_csv: Path, instrument: Instrument) -> dict[str, Any]:
    """Findings after a real round trip: export, import, analysis."""
    return build_findings(load_responses(demo_csv, instrument, fmt="surveymonkey")).to_json()


def percent(findings: dict[str, Any], qid: str, option_id: str) -> float:
    return findings["questions"][qid]["options"][option_id]["percent"]


def test_round_trip_counts_161_responses_10_excluded(findings):
    assert findings["responses"] == {"total": 161, "eligible": 151, "excluded": 10}
    assert findings["warnings"] == []


@pytest.mark.parametrize(("qid", "report_n"), sorted(REPORT_N.items()))
def test_question_n_near_the_report(findings, qid, report_n):
    assert abs(findings["questions"][qid]["n"] - report_n) <= N_TOLERANCE


def test_every_matrix_block_answered_by_about_90(findings):
    for item in (item for section in findings["sections"] for item in section["items"]):
        if item["chart"] == "agreement":
            (n,) = item["n"].values()
            assert abs(n - 90) <= N_TOLERANCE, item["title"]


@pytest.mark.parametrize(("qid", "option_id", "low", "high"), [
    ("services_direct", "peer_support", 80, 95),      # report 88%
    ("services_direct", "naloxone", 60, 74),          # report 67%
    ("services_direct", "syringe_services", 3, 13),   # report 8%
    ("services_referral", "outreach_pwud", 61, 75),   # report 68%
    ("services_planned", "fentanyl_test_strips", 13, 25),  # report 19%
    ("partners_current", "local_public_health", 76, 90),   # report 83%
    ("partners_current", "drug_user_unions", 0, 6),        # report 2%
    ("ta_receiving", "no", 70, 82),                   # report 76%
    ("ta_receiving", "yes", 4, 12),                   # report 8%
    ("ta_areas", "funding", 56, 70),                  # report 63%
    ("org_type", "community_mental_health", 27, 37),  # report 32%
    ("communities", "urban", 73, 85),                 # report 79%
    ("communities", "rural", 38, 50),                 # report 44%
])
def test_marginals_near_the_report(findings, qid, option_id, low, high):
    assert low <= percent(findings, qid, option_id) <= high


def test_funding_statement_follows_the_report(findings):
    published = {"strongly_agree": 4, "somewhat_agree": 11, "somewhat_disagree": 30,
                 "strongly_disagree": 40, "dont_know": 14}
    for option_id, value in published.items():
        assert abs(percent(findings, "fb_policy.adequate_funding", option_id) - value) <= 4


def test_respondent_profile_follows_the_report(findings):
    profile = findings["profile"]
    assert profile["state_represented"] == 33
    states = findings["questions"]["state"]["options"]
    top_four = sorted(states, key=lambda s: -states[s]["count"])[:4]
    assert set(top_four) == {"ny", "fl", "md", "pa"}
    assert 55 <= profile["role_groups"]["groups"]["leadership"]["percent"] <= 65


def test_toolkits_lead_the_formats(findings):
    options = findings["questions"]["ta_formats"]["options"]
    assert options["toolkits"]["rank"] == 1
    assert max(o["percent"] for o in options.values()) == options["toolkits"]["percent"]


def count_per_respondent(responses: ResponseSet, qid: str) -> pl.Series:
    return responses.choices.filter(pl.col("question_id") == qid).group_by("row").len()["len"]


def test_formats_never_exceed_three_choices(demo, instrument, demo_csv):
    assert instrument.question("ta_formats").max_choices == 3
    assert count_per_respondent(demo, "ta_formats").max() <= 3
    reread = load_responses(demo_csv, instrument, fmt="surveymonkey")
    assert count_per_respondent(reread, "ta_formats").max() <= 3
    large = synthetic_responses(instrument, 20_000, seed=7)
    per_respondent = count_per_respondent(large, "ta_formats")
    assert per_respondent.max() <= 3
    assert per_respondent.min() >= 1


def test_same_seed_same_bytes_other_seed_differs(instrument, demo_csv, tmp_path):
    again = tmp_path / "again.csv"
    write_surveymonkey_csv(again, demo_responses(instrument, seed=2022))
    assert again.read_bytes() == demo_csv.read_bytes()
    other = tmp_path / "other.csv"
    write_surveymonkey_csv(other, demo_responses(instrument, seed=2023))
    assert other.read_bytes() != demo_csv.read_bytes()


def test_contacts_stay_out_of_the_csv_and_the_findings(demo, demo_csv, findings):
    contacts = demo.contacts
    emails = contacts.filter(pl.col("question_id") == "raffle_email")["value"].to_list()
    names = contacts.filter(pl.col("question_id") == "raffle_name")["value"].to_list()
    assert len(emails) == len(names) > 20
    assert all(email.endswith("@example.org") for email in emails)
    opted_in = demo.choices.filter((pl.col("question_id") == "raffle_opt_in")
                                   & (pl.col("option_id") == "yes"))["row"]
    assert sorted(contacts["row"].unique().to_list()) == sorted(opted_in.to_list())

    text = demo_csv.read_text(encoding="utf-8")
    published = json.dumps(findings, ensure_ascii=False)
    assert "example.org" not in text
    assert "example.org" not in published
    for name in names:
        assert name not in text
        assert name not in published


def test_answers_hold_no_contact_questions(demo):
    qids = set(demo.choices["question_id"].cast(pl.String).unique()) | set(
        demo.texts["question_id"].cast(pl.String).unique())
    assert not qids & {"raffle_name", "raffle_email"}


def test_open_ended_answers_come_from_the_bank(demo, findings, instrument):
    texts = load_texts(instrument)
    for qid in ("challenges", "facilitators"):
        answers = findings["questions"][qid]["answers"]
        bank = {item.text.strip() for item in texts.answers[qid]}
        assert set(answers) <= bank
        # The demo draws without repeats while the bank lasts.
        assert len(set(answers)) == len(answers)


def test_text_bank_is_large_varied_and_honestly_tagged(instrument):
    texts = load_texts(instrument)
    assert set(texts.themes["challenges"]) == {
        "funding", "education_training", "resources", "staff_capacity", "community_support",
        "stigma", "culture_change", "policy_legal", "organizational_support"}
    assert set(texts.themes["facilitators"]) == {
        "health_agencies", "peers_lived_experience", "collaboration", "leadership",
        "education_training", "community_support", "champion", "reimbursement"}
    for qid, minimum in (("challenges", 60), ("facilitators", 50)):
        bank = texts.answers[qid]
        assert len({item.text for item in bank}) == len(bank) >= minimum
        used = {theme for item in bank for theme in item.themes}
        assert used == set(texts.themes[qid])
        assert any(len(item.themes) > 1 for item in bank)
        lengths = [len(item.text) for item in bank]
        assert min(lengths) < 30 < 120 < max(lengths)


def test_targets_name_only_instrument_ids(instrument):
    raw = yaml.safe_load((resources.files("hrta.demo") / "targets.yaml").read_text("utf-8"))
    for qid, spec in raw["questions"].items():
        question = instrument.question(qid)
        for key in ("distribution", "percent"):
            assert set(spec.get(key, {})) <= set(question.option_ids), qid
        statements = {s.id for s in question.statements}
        for statement, scale in spec.get("statements", {}).items():
            assert statement in statements
            assert set(scale) <= set(question.option_ids)
    for qid in raw["contacts"]:
        assert instrument.question(qid).pii


def test_unknown_target_ids_fail_loudly(instrument):
    raw = yaml.safe_load((resources.files("hrta.demo") / "targets.yaml").read_text("utf-8"))
    bad_option = copy.deepcopy(raw)
    bad_option["questions"]["ta_receiving"]["distribution"]["maybe"] = 3
    with pytest.raises(TargetError, match="maybe"):
        load_targets(instrument, bad_option)
    bad_question = copy.deepcopy(raw)
    bad_question["questions"]["favourite_colour"] = {"n": 3}
    with pytest.raises(TargetError, match="favourite_colour"):
        load_targets(instrument, bad_question)
    too_many = copy.deepcopy(raw)
    too_many["questions"]["ta_formats"]["percent"]["webinars"] = 90
    with pytest.raises(TargetError, match="choices"):
        load_targets(instrument, too_many)


def test_synthetic_wave_scales_the_report(instrument):
    wave = synthetic_responses(instrument, 10_000, seed=11)
    assert wave.total == 10_000
    assert wave.total - wave.eligible_count == round(10_000 * 10 / 161)
    answered = (wave.choices.filter(pl.col("question_id") == "services_direct")
                ["row"].n_unique())
    assert answered == round(101 / 151 * wave.eligible_count)
    ineligible = wave.respondents.with_row_index("row").filter(~pl.col("eligible"))["row"]
    answered_rows = wave.choices.filter(pl.col("row").is_in(ineligible.implode()))
    assert answered_rows["question_id"].cast(pl.String).unique().to_list() == ["screening"]


def test_respondent_ids_and_times_look_like_surveymonkey(demo):
    respondents = demo.respondents
    ids = respondents["response_id"].to_list()
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 11 and i.isdigit() for i in ids)
    form = "%m/%d/%Y %I:%M:%S %p"
    starts = [datetime.strptime(s, form) for s in respondents["started_at"]]
    ends = [datetime.strptime(s, form) for s in respondents["ended_at"]]
    assert all(datetime(2022, 5, 1) <= s < datetime(2022, 7, 1) for s in starts)
    assert all(end > start for start, end in zip(starts, ends, strict=True))
    minutes = sorted((end - start).total_seconds() / 60
                     for start, end, eligible in zip(starts, ends, respondents["eligible"],
                                                     strict=True) if eligible)
    completed = minutes[len(minutes) // 2:]
    assert 8 <= completed[len(completed) // 2] <= 25
