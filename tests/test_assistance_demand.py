"""Demand for TA and cohorts, checked by hand on a small native wave.

Respondents (numbered r1… in order by tests/native_waves.write_wave):
  A r1-r6   funding + staff training; small group + toolkits; Maryland (South); CCBHC;
            urban + rural; not receiving TA; plan fentanyl test strips and an SSP partner
  B r7-r11  funding; webinars; New York (Northeast); mental health agency; urban; receiving
  C r12-r13 funding + evaluation; small group; California (West); CCBHC; tribal; unsure
  D r14     Texas only (no TA answers)
  E r15     screened out, though it chose funding
"""

from __future__ import annotations

import pytest

from hrta.assistance import build_demand, consenting_ids, find_cohorts, load_rules
from hrta.errors import InputError
from hrta.report.plans import demand_charts, render_demand_html
from tests.native_waves import load_wave

A = {"screening": "employed", "ta_areas": ["funding", "staff_training"],
     "ta_formats": ["small_group", "toolkits"], "state": "md", "org_type": "ccbhc",
     "communities": ["urban", "rural"], "ta_receiving": "no",
     "services_planned": ["fentanyl_test_strips"],
     "partners_planned": ["syringe_services_programs"]}
B = {"screening": "employed", "ta_areas": ["funding"], "ta_formats": ["webinars"],
     "state": "ny", "org_type": "community_mental_health", "communities": ["urban"],
     "ta_receiving": "yes"}
C = {"screening": "employed", "ta_areas": ["funding", "evaluation"],
     "ta_formats": ["small_group"], "state": "ca", "org_type": "ccbhc",
     "communities": ["tribal"], "ta_receiving": "unsure"}
D = {"screening": "employed", "state": "tx"}
E = {"screening": "not_employed", "ta_areas": ["funding"]}


@pytest.fixture(scope="module")
def wave(instrument, tmp_path_factory):
    path = tmp_path_factory.mktemp("demand") / "wave.csv"
    return load_wave(path, instrument, [(6, A), (5, B), (2, C), (1, D), (1, E)])


@pytest.fixture(scope="module")
def rules(instrument):
    return load_rules(instrument)


@pytest.fixture(scope="module")
def demand(wave, rules):
    return build_demand(wave, rules=rules)


def cells(table, area):
    row = next(r for r in table["rows"] if r["id"] == area)
    return {g["id"]: c["count"] for g, c in zip(table["groups"], row["cells"], strict=True)}


def test_overall_areas_count_eligible_answerers(demand):
    assert demand["eligible"] == 14
    areas = demand["areas"]
    assert areas["n"] == 13  # D did not answer; E was screened out
    counts = {r["id"]: (r["count"], r["percent"]) for r in areas["rows"]}
    assert counts["funding"] == (13, 100.0)
    assert counts["staff_training"] == (6, 46.2)
    assert counts["evaluation"] == (2, 15.4)
    assert counts["legal_policy"] == (0, 0.0)


def test_areas_by_format_with_suppression(demand):
    table = demand["tables"]["by_format"]
    # Formats nobody chose are left out; small group is A + C.
    assert [(g["id"], g["n"]) for g in table["groups"]] == [
        ("toolkits", 6), ("webinars", 5), ("small_group", 8)]
    assert cells(table, "funding") == {"toolkits": 6, "webinars": 5, "small_group": 8}
    # Staff training in small groups is 6 of 8: the 2 who did not choose it are a small
    # complement, so the cell is hidden, and toolkits (6) with it to protect the row total.
    assert cells(table, "staff_training") == {"toolkits": None, "webinars": 0,
                                              "small_group": None}
    # Evaluation: 2 in small groups, hidden; its complement is the first zero in the row.
    assert cells(table, "evaluation") == {"toolkits": None, "webinars": 0, "small_group": None}
    assert cells(table, "legal_policy") == {"toolkits": 0, "webinars": 0, "small_group": 0}
    funding = next(r for r in table["rows"] if r["id"] == "funding")
    assert [c["percent"] for c in funding["cells"]] == [100.0, 100.0, 100.0]


def test_areas_by_region_hide_a_group_under_the_threshold(demand):
    table = demand["tables"]["by_region"]
    assert [(g["id"], g["label"], g["n"]) for g in table["groups"]] == [
        ("south", "South", 6), ("west", "West", 2), ("northeast", "Northeast", 5)]
    assert table["not_grouped"] == 0
    # West has n = 2: every West cell is hidden, and one more cell in each row.
    funding = cells(table, "funding")
    assert funding["west"] is None
    assert sum(v is None for v in funding.values()) == 2
    assert cells(table, "staff_training") == {"south": None, "west": None, "northeast": 0}


def test_areas_by_community_and_org_type(demand):
    community = demand["tables"]["by_community"]
    assert [(g["id"], g["n"]) for g in community["groups"]] == [
        ("urban", 11), ("rural", 6), ("tribal", 2)]
    assert cells(community, "funding")["urban"] == 11
    org_type = demand["tables"]["by_org_type"]
    assert [(g["id"], g["n"]) for g in org_type["groups"]] == [
        ("community_mental_health", 5), ("ccbhc", 8)]
    assert cells(org_type, "funding") == {"community_mental_health": 5, "ccbhc": 8}


def test_gap_between_wanting_and_receiving_ta(demand):
    gap = demand["receiving_gap"]
    assert (gap["wanting_ta"], gap["n"]) == (13, 13)
    assert (gap["receiving"], gap["receiving_percent"]) == (5, 38.5)
    assert (gap["not_receiving"], gap["not_receiving_percent"]) == (6, 46.2)
    assert [(r["id"], r["count"]) for r in gap["rows"]] == [("yes", 5), ("no", 6),
                                                            ("unsure", 2)]
    by_receiving = demand["tables"]["by_receiving"]
    # Unsure (n = 2) is hidden, and "yes", the smaller of the rest, with it.
    assert cells(by_receiving, "funding") == {"yes": None, "no": 6, "unsure": None}


def test_planned_services_and_partners_ta_could_unlock(demand):
    services = demand["unlock"]["services"]
    assert services["n"] == 6
    top = services["rows"][0]
    assert top == {"id": "fentanyl_test_strips", "label": "Fentanyl test strips distribution",
                   "core": True, "planning": 6, "wanting_ta": 6, "not_receiving_ta": 6,
                   "suppressed": False}
    assert all(r["planning"] == 0 for r in services["rows"][1:])
    partners = demand["unlock"]["partners"]["rows"][0]
    assert (partners["id"], partners["planning"]) == ("syringe_services_programs", 6)


def test_small_parts_of_unlock_rows_are_hidden(instrument, rules, tmp_path):
    wave = load_wave(tmp_path / "w.csv", instrument, [
        (6, {**A, "ta_receiving": "yes"}),
        (2, {"screening": "employed", "ta_areas": ["funding"], "ta_receiving": "no",
             "services_planned": ["fentanyl_test_strips"]})])
    row = build_demand(wave, rules=rules)["unlock"]["services"]["rows"][0]
    # 8 plan test strips; all 8 want TA (shown); 2 are not receiving TA (hidden).
    assert (row["planning"], row["wanting_ta"], row["not_receiving_ta"]) == (8, 8, None)
    assert row["suppressed"] is True


def test_threshold_is_configurable(wave, rules):
    assert cells(build_demand(wave, rules=rules, threshold=1)["tables"]["by_region"],
                 "funding") == {"south": 6, "west": 2, "northeast": 5}
    with pytest.raises(InputError, match="at least 1"):
        build_demand(wave, rules=rules, threshold=0)


def test_cohorts_group_consenting_organizations(wave, rules):
    found = find_cohorts(wave, rules=rules, consenting={"r1", "r2", "r3", "r7", "r12", "r13"})
    assert [(c.area, c.region, [m.response_id for m in c.members]) for c in found] == [
        ("funding", "south", ["r1", "r2", "r3"]),
        ("staff_training", "south", ["r1", "r2", "r3"]),
        ("funding", "west", ["r12", "r13"]),
        ("evaluation", "west", ["r12", "r13"]),
    ]
    # r7 consented but wants webinars, not a small group.
    member = found[0].members[0]
    assert (member.organization, member.state) == (
        "Certified Community Behavioral Health Clinic (CCBHC)", "Maryland")
    assert found[0].to_json()["size"] == 3
    assert find_cohorts(wave, rules=rules, consenting={"r1", "r2", "r3"}, min_size=4) == []
    assert find_cohorts(wave, rules=rules, consenting=set()) == []


def test_cohorts_refuse_unknown_ids(wave, rules):
    with pytest.raises(InputError, match="1 consenting id"):
        find_cohorts(wave, rules=rules, consenting={"r1", "r99"})


def test_consent_from_contact_details(instrument, tmp_path):
    from hrta.ingest import load_responses

    path = tmp_path / "contacts.csv"
    path.write_text("response_id,question_id,option_id,value\n"
                    "r1,screening,employed,\nr1,raffle_opt_in,yes,\n"
                    "r1,raffle_email,,r1@example.org\n"
                    "r2,screening,employed,\n", encoding="utf-8")
    assert consenting_ids(load_responses(path, instrument, fmt="native")) == {"r1"}


def test_demand_page_has_charts_tables_and_hidden_cells(demand):
    figures = demand_charts(demand)
    assert [f["key"] for f in figures] == ["areas", "formats", "receiving"]
    areas = figures[0]
    assert areas["rows"][0] == {"label": "Securing funding or reimbursement for harm reduction "
                                         "strategies", "count": 13, "percent": "100%"}
    assert "data" in areas["spec"] and "url" not in areas["spec"]["data"]
    assert areas["alt"].startswith("Bar chart: TA areas organizations want, percent of 13")
    html = render_demand_html(demand)
    assert html.count("<svg") == 3
    assert "TA areas by census region" in html
    assert '<span class="hidden-cell">–</span>' in html
    assert "<script" not in html
