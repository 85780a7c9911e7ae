"""Takeaways and "What this means for TA", checked by hand on the small wave of
test_report_narrative (eight eligible respondents), and the weighted net rows."""

from __future__ import annotations

import csv

import pytest

from hrta.analysis import build_findings
from hrta.findings.model import Findings
from hrta.ingest import load_responses
from hrta.instrument import Instrument
from hrta.report import build_document
from hrta.report.document import Bullets, Heading
from hrta.report.takeaways import of_n, ta_priorities, takeaways
from tests.test_report_narrative import _answers


@pytest.fixture(scope="module")
def findings(instrument: Instrument, tmp_path_factory: pytest.TempPathFactory) -> Findings:
    path = tmp_path_factory.mktemp("small") / "responses.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["response_id", "question_id", "option_id", "value"])
        writer.writerows(_answers())
    return build_findings(load_responses(path, instrument, fmt="native"))


def test_count_and_base_are_written_together() -> None:
    assert of_n(12, 61, 19.67) == "12 of 61, 20%"


def test_takeaways_ranked_with_counts_and_bases(findings: Findings) -> None:
    # ta_receiving: 1 of 3 said yes; ta_areas: stigma chosen by all 8. Leadership support:
    # 3 of 3 agree; adequate funding: 2 of 3 disagree (one don't know). Nothing was planned
    # and every partner but three has no answer, so those rules say nothing.
    assert takeaways(findings) == [
        "Few organizations receive technical assistance now (1 of 3, 33%), while the most "
        "wanted area, overcoming stigma and resistance to adopting harm reduction in "
        "communities, was chosen by 8 of 8, 100%.",
        "Respondents agreed most that their organizational leadership supports harm reduction "
        "services (3 of 3, 100% strongly or somewhat agree) and disagreed most that there is "
        "adequate funding available to support harm reduction within their organization "
        "(2 of 3, 67% somewhat or strongly disagree).",
    ]


def test_ta_areas_to_offer_first_by_demand(findings: Findings) -> None:
    # ta_formats: nobody answered, so only the areas are named.
    assert ta_priorities(findings) == [
        "Areas to offer first, by the share of the 8 respondents who asked for them: "
        "overcoming stigma and resistance to adopting harm reduction in communities "
        "(8 of 8, 100%), implementing specific harm reduction practices or services "
        "(3 of 8, 38%) and securing funding or reimbursement for harm reduction strategies "
        "(1 of 8, 13%)."]


def test_summary_leads_with_takeaways_not_a_list_per_section(findings: Findings) -> None:
    summary = build_document(findings).sections[0]
    headings = [block.text for block in summary.blocks if isinstance(block, Heading)]
    assert headings == ["Takeaways", "What this means for TA"]
    lists = [block for block in summary.blocks if isinstance(block, Bullets)]
    assert lists[0].ordered and len(lists[0].items) == 2
    assert "Key findings" not in " ".join(getattr(b, "text", "") for b in summary.blocks)
