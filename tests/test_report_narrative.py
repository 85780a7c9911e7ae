"""Written findings, checked by hand against a wave small enough to count on fingers.

Nine respondents: eight eligible, one screened out. The sentences must quote the percents
and n that a reader works out from the answers below.
"""

from __future__ import annotations

import csv
import itertools
from datetime import datetime
from typing import Any

import pytest

from hrta.analysis import build_findings
from hrta.demo import demo_responses
from hrta.findings.model import (
    Findings,
    MatrixStatement,
    MultiQuestion,
    OptionTally,
    SectionItem,
)
from hrta.ingest import load_responses
from hrta.instrument import Instrument
from hrta.report import build_document, narrative
from hrta.report.formatting import in_sentence, join_words, third_person
from hrta.report.lookup import leaders
from tests.raw_counts import Raw, whole_percent

EIGHT = [f"r{i}" for i in range(1, 9)]


def _answers() -> list[tuple[str, str, str, str]]:
    rows = [(r, "screening", "employed", "") for r in EIGHT]
    rows.append(("r9", "screening", "not_employed", ""))
    # services_direct, n=3: naloxone 3 (100%), peer support 1 (33%), counseling 1 (33%).
    rows += [("r1", "services_direct", "peer_support", ""),
             ("r1", "services_direct", "naloxone", ""),
             ("r2", "services_direct", "naloxone", ""),
             ("r3", "services_direct", "naloxone", ""),
             ("r3", "services_direct", "counseling", "")]
    # ta_receiving, n=3: No 2 (67%), Yes 1 (33%), Unsure 0.
    rows += [("r1", "ta_receiving", "yes", ""), ("r2", "ta_receiving", "no", ""),
             ("r3", "ta_receiving", "no", "")]
    # ta_areas, n=8: stigma 8 (100%), practices 3 (37.5% -> 38%), funding 1 (12.5% -> 13%).
    rows += [(r, "ta_areas", "overcoming_stigma", "") for r in EIGHT]
    rows += [(r, "ta_areas", "implementing_practices", "") for r in EIGHT[:3]]
    rows += [("r4", "ta_areas", "funding", "")]
    # partners_current, n=3: local health 2 and EMS 2 tie (67%), law enforcement 1 (33%).
    rows += [("r1", "partners_current", "local_public_health", ""),
             ("r1", "partners_current", "ems", ""),
             ("r2", "partners_current", "local_public_health", ""),
             ("r2", "partners_current", "ems", ""),
             ("r3", "partners_current", "law_enforcement", "")]
    # Agreement, n=3 each: leadership all agree; funding 2 disagree, 1 don't know.
    rows += [("r1", "fb_organizational.leadership_support", "strongly_agree", ""),
             ("r2", "fb_organizational.leadership_support", "somewhat_agree", ""),
             ("r3", "fb_organizational.leadership_support", "strongly_agree", ""),
             ("r1", "fb_policy.adequate_funding", "strongly_disagree", ""),
             ("r2", "fb_policy.adequate_funding", "somewhat_disagree", ""),
             ("r3", "fb_policy.adequate_funding", "dont_know", "")]
    # state, n=3: New York 2, Florida 1.
    rows += [("r1", "state", "ny", ""), ("r2", "state", "ny", ""), ("r3", "state", "fl", "")]
    return rows


@pytest.fixture(scope="module")
def findings(instrument: Instrument, tmp_path_factory: pytest.TempPathFactory) -> Findings:
    path = tmp_path_factory.mktemp("small") / "responses.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["response_id", "question_id", "option_id", "value"])
        writer.writerows(_answers())
    return build_findings(load_responses(path, instrument, fmt="native"))


def _item(findings: Findings, qid: str) -> SectionItem:
    return next(item for section in findings.sections for item in section.items
                if item.questions[0] == qid)


def _statement(findings: Findings, qid: str) -> MatrixStatement:
    entry = findings.questions[qid]
    assert isinstance(entry, MatrixStatement)
    return entry


def _sentences(findings: Findings, qid: str) -> str:
    return " ".join(narrative.item_sentences(_item(findings, qid), findings))


def test_overview_counts_respondents_and_exclusions(findings: Findings) -> None:
    overview = narrative.overview_sentences(findings)
    assert overview[0] == ("A total of 9 individuals responded to the survey, one of whom did "
                           "not meet the participation criteria and was excluded from the "
                           "analysis, leaving 8 eligible respondents.")
    assert overview[1] == ("Of the 3 respondents who identified their state, 2 states or "
                           "territories were represented.")


def test_most_common_services_with_percent_and_n(findings: Findings) -> None:
    text = _sentences(findings, "services_direct")
    # One comparative sentence, n with the first figure. Ties (33% each) keep the
    # instrument's order: peer support before counseling.
    assert text == ("For services provided directly, the leading answer was "
                    "naloxone distribution (100%, n=3), followed by peer support services "
                    "(33%) and individual or group counseling (33%). No respondent chose 28 "
                    "of the options listed. No eligible respondent answered the question on "
                    "services provided through referral (Figure 3).")


def test_halves_round_up(findings: Findings) -> None:
    assert ("On technical assistance areas, the most common answer was overcoming stigma and "
            "resistance to adopting harm reduction in communities (100%, n=8), followed by "
            "implementing specific harm reduction practices or services (38%) and securing "
            "funding or "
            "reimbursement for harm reduction strategies (13%). No respondent chose 7 of the "
            "options listed (Figure 11)." in _sentences(findings, "ta_areas"))


def test_few_options_are_told_in_full(findings: Findings) -> None:
    assert _sentences(findings, "ta_receiving") == (
        "Of the 3 respondents who answered the question on currently receiving technical "
        "assistance, 67% answered “No”, 33% “Yes” and 0% “Unsure” (Figure 10).")


def test_tied_leaders_are_named_together(findings: Findings) -> None:
    assert _sentences(findings, "partners_current") == (
        "Asked about current partners, respondents' top choices were local public health "
        "agencies (67%, n=3) and emergency medical services (67%), followed by public safety "
        "or law enforcement (33%). No respondent chose 18 of the options listed (Figure 4).")


def test_unanswered_questions_are_said_plainly(findings: Findings) -> None:
    assert _sentences(findings, "partners_planned") == (
        "No eligible respondent answered the question on planned partners (Figure 6).")
    assert _sentences(findings, "fb_community") == (
        "No eligible respondent answered the question on community factors (Figure 8).")
    assert _sentences(findings, "challenges") == (
        "No eligible respondent answered the open-ended question on greatest challenges.")


def test_agreement_statements_and_extremes(findings: Findings) -> None:
    funding = _statement(findings, "fb_policy.adequate_funding")
    assert narrative.statement_sentence(funding) == (
        "Of 3 respondents, 0% strongly or somewhat agree that there is adequate funding "
        "available to support harm reduction within their organization, 67% somewhat or "
        "strongly disagree and 33% answered “I don't know”.")
    section = next(s for s in findings.sections if s.id == "facilitators_barriers")
    assert narrative.section_sentences(section, findings) == [
        "Respondents agreed most that their organizational leadership supports harm reduction "
        "services (100% strongly or somewhat agree, n=3) and disagreed most that there is "
        "adequate funding available to support harm reduction within their organization "
        "(67% somewhat or strongly disagree, n=3)."]
    assert narrative.statement_sentence(_statement(findings, "fb_policy.state_laws_help")) == (
        "No eligible respondent rated the statement that state laws help increase access to "
        "harm reduction services.")


def test_state_sentence_names_the_leaders(findings: Findings) -> None:
    assert _sentences(findings, "state") == (
        "A total of 3 respondents identified the state in which their organization was "
        "located; 2 states or territories were represented. Respondents came from New York "
        "(2) and Florida (1) (Figure 1).")


def test_every_number_in_the_summary_comes_from_findings(findings: Findings) -> None:
    summary = build_document(findings).sections[0]
    assert summary.title == "Executive summary"
    text = " ".join(getattr(b, "text", "") for b in summary.blocks)
    points = summary.blocks[2]
    assert points.ordered  # type: ignore[union-attr]
    listed = ["".join(r.text for r in item) for item in points.items]  # type: ignore[union-attr]
    assert any("(1 of 3, 33%)" in point for point in listed)
    assert any("(2 of 3, 67% somewhat or strongly disagree)" in point for point in listed)
    assert "8 eligible respondents" in text


def test_fielded_dates_only_when_present(instrument: Instrument, findings: Findings) -> None:
    assert findings.fielded is None  # a native file carries no dates
    assert narrative.fielded_sentence(findings) is None
    methods = build_document(findings).sections[1]
    assert "Responses were collected" not in methods.blocks[0].text  # type: ignore[union-attr]
    responses = demo_responses(instrument)
    demo = build_findings(responses)
    # The first start and the last end among the export's own timestamps (MM/DD/YYYY),
    # and the counts of rows and of eligible ones.
    people = responses.respondents
    days = sorted(datetime.strptime(stamp, "%m/%d/%Y %I:%M:%S %p").date()
                  for stamp in people["started_at"].to_list() + people["ended_at"].to_list())
    first, last = (f"{day:%B} {day.day}, {day.year}" for day in (days[0], days[-1]))
    assert (first, last) == ("May 16, 2022", "June 3, 2022")  # as the 2022 report's fielding
    assert narrative.fielded_sentence(demo) == (
        f"Responses were collected between {first} and {last}.")
    excluded = people.height - sum(people["eligible"].to_list())
    methods = build_document(demo).sections[1]
    assert methods.blocks[0].text.startswith(  # type: ignore[union-attr]
        f"Responses were collected between {first} and {last}. A total of {people.height} "
        f"individuals responded to the survey, {excluded} of whom")


@pytest.fixture(scope="module")
def demo_wave(instrument: Instrument) -> tuple[Any, Findings]:
    responses = demo_responses(instrument)
    return responses, build_findings(responses)


def test_demo_reads_like_the_2022_report(instrument: Instrument, demo_wave) -> None:
    responses, demo = demo_wave
    # The numbers the sentences must quote, counted from the raw answers.
    raw = Raw.of(responses)
    n_direct = raw.answered("services_direct")
    peer = whole_percent(raw.chose("services_direct", "peer_support"), n_direct)
    assert n_direct == 101  # the 2022 report's n, which the demo wave is drawn to
    direct = " ".join(narrative.item_sentences(_item(demo, "services_direct"), demo))
    assert (f"For services provided directly, the leading answer was peer "
            f"support services ({peer}%, n={n_direct})") in direct
    assert "(Figure 3)." in direct
    leadership = {o.id for o in instrument.question("role").options if o.group == "leadership"}
    n_role = raw.answered("role")
    share = whole_percent(len(raw.who_chose("role", leadership)), n_role)
    role = " ".join(narrative.item_sentences(_item(demo, "role"), demo))
    assert role.startswith(f"Of the respondents who identified their professional role or "
                           f"title (n={n_role}), {share}% held leadership positions: "
                           "Executive Director")
    assert (n_role, share) == (83, 60)


def _tally(count: int) -> OptionTally:
    return OptionTally.of(count, 10, label="an option", rank=1)


def test_leaders_take_ties_whole() -> None:
    options = [(k, _tally(c)) for k, c in
               [("a", 5), ("b", 4), ("c", 4), ("d", 4), ("e", 1), ("f", 1)]]
    assert [k for k, _ in leaders(options, 2)] == ["a"]
    assert [k for k, _ in leaders(options, 4)] == ["a", "b", "c", "d"]
    tied = [(k, _tally(3)) for k in "abcdefg"]
    assert len(leaders(tied, 3)) == 7  # the first run is taken whatever its length


def test_wording_helpers() -> None:
    assert in_sentence("Peer support services") == "peer support services"
    assert in_sentence("Community-based SUD treatment agency") == (
        "community-based SUD treatment agency")
    assert in_sentence("Certified Community Behavioral Health Clinic (CCBHC)") == (
        "Certified Community Behavioral Health Clinic (CCBHC)")
    assert in_sentence("New York") == "New York"
    assert in_sentence("I don't know") == "I don't know"
    assert third_person("The communities we serve support harm reduction services.") == (
        "the communities they serve support harm reduction services")
    assert join_words(["a", "b", "c"]) == "a, b and c"
    assert join_words(["a"]) == "a"


def _stages() -> list[tuple[str, str, str, str]]:
    ten = [f"s{i}" for i in range(1, 11)]
    rows = [(r, "screening", "employed", "") for r in ten]
    # Provided directly, n=10: naloxone 10, peer support 9, counseling 8, outreach 7,
    # mutual aid 3 (30%), methadone 2 (20%), legal services 1 (10%).
    for option, count in (("naloxone", 10), ("peer_support", 9), ("counseling", 8),
                          ("outreach_pwud", 7), ("mutual_aid", 3), ("methadone", 2),
                          ("legal_services", 1)):
        rows += [(r, "services_direct", option, "") for r in ten[:count]]
    # Through referral, n=4: methadone 4 (100%), naloxone 2 (50%), legal services 1 (25%).
    rows += [(r, "services_referral", "methadone", "") for r in ten[:4]]
    rows += [(r, "services_referral", "naloxone", "") for r in ten[:2]]
    rows += [("s1", "services_referral", "legal_services", "")]
    # Planned, n=2: legal services 2 (100%), mutual aid 1 (50%).
    rows += [("s5", "services_planned", "legal_services", ""),
             ("s6", "services_planned", "legal_services", ""),
             ("s5", "services_planned", "mutual_aid", "")]
    return rows


def test_continuum_sets_the_stages_side_by_side(instrument: Instrument,
                                                tmp_path: Any) -> None:
    path = tmp_path / "stages.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["response_id", "question_id", "option_id", "value"])
        writer.writerows(_stages())
    findings = build_findings(load_responses(path, instrument, fmt="native"))
    item = next(i for s in findings.sections for i in s.items if i.chart == "continuum")
    assert (item.number, item.suffix) == (5, "a")
    assert narrative.item_sentences(item, findings) == [
        "Figure 5a sets side by side, for each of the services, the share provided directly "
        "(n=10), provided through referral (n=4) and planned for the future (n=2).",
        "The services least often provided directly were legal services (1 of 10, 10%), "
        "methadone treatment (2 of 10, 20%) and mutual aid (3 of 10, 30%).",
        "For 2 of the 31 services, the share provided through referral was larger than the "
        "share provided directly; the widest gaps were in methadone treatment (4 of 4, 100%, "
        "against 2 of 10, 20%) and legal services (1 of 4, 25%, against 1 of 10, 10%) "
        "(Figure 5a).",
    ]
    # The questions' own figures keep their numbers; the summary does not repeat them.
    numbers = [(i.number, i.suffix) for s in findings.sections for i in s.items
               if i.kind == "figure"]
    assert numbers == [(n, "") for n in range(1, 6)] + [(5, "a")] + \
        [(n, "") for n in range(6, 13)]
    summary = " ".join(text for _, text in narrative.key_findings(findings))
    assert summary.count("provided directly were") <= 1


def _question_paragraphs(findings: Findings) -> list[str]:
    """The findings chapter's opening paragraph of each closed question's figure, in order."""
    return [" ".join(narrative.item_sentences(item, findings))
            for section in findings.sections for item in section.items
            if item.kind != "open_ended" and item.chart not in ("agreement", "continuum")
            and not any(f"{item.questions[0]}_{key}" in findings.profile
                        for key in ("represented", "groups"))]


def test_each_question_has_one_comparative_sentence_that_varies(demo_wave) -> None:
    _, demo = demo_wave
    paragraphs = _question_paragraphs(demo)
    assert len(paragraphs) >= 8
    for paragraph in paragraphs:
        assert not paragraph.startswith("The most common"), paragraph
        assert "respondents answered the question on" not in paragraph or \
            paragraph.startswith("Of the "), paragraph
    # Neighbouring paragraphs open differently: no run of the same first words.
    openings = [" ".join(p.split()[:2]) for p in paragraphs]
    assert all(a != b for a, b in itertools.pairwise(openings)), openings


def test_least_common_only_where_it_says_something(demo_wave) -> None:
    _, demo = demo_wave
    text = {item.questions[0]: " ".join(narrative.item_sentences(item, demo))
            for section in demo.sections for item in section.items
            if item.chart != "continuum"}
    # Far below the leaders: named.
    assert "the least common were harm reduction vending machines (4%)" in text[
        "services_direct"]
    # A service most respondents already provide is not news as the least planned.
    direct = demo.questions["services_direct"]
    planned = text["services_planned"]
    assert isinstance(direct, MultiQuestion)
    provided = [o.label for o in direct.options.values() if (o.percent or 0) >= 50]
    least = planned.split("least common", 1)[1] if "least common" in planned else ""
    assert provided and not any(in_sentence(label) in least for label in provided), planned
    # Not far behind the leader (34% against 63%): no "least common" at all.
    assert "least common" not in text["ta_areas"]
