"""The dashboard on the real database: the same Findings as the `hrta` command, filters
that keep the right respondents, small counts hidden in filtered views only, live counts,
and Findings that follow every change to the wave."""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest

from hrta.analysis import build_findings
from hrta.ingest import load_responses
from hrta.web.staff import selectors
from hrta.web.surveys.selectors import response_set
from tests.web.staffdata import add_response, figure_html, post, row_cells, signed_in

TA_FIGURE = "Organizations Currently Receiving Technical Assistance"


@pytest.fixture
def counted(wave):
    """13 finished responses counted by hand, and one still being answered.

    organization type  state (region)     communities  receiving TA
    CCBHC        x5    New York (NE)      rural        yes x5
    CCBHC        x2    California (West)  rural        no x2
    mental health x5   Texas (South)      urban        yes x3, unsure x2
    one screened out; one in progress (CCBHC, Texas) — neither is counted
    """
    for n in range(5):
        add_response(wave, {"org_type": "ccbhc", "state": "ny", "communities": ["rural"],
                            "ta_receiving": "yes", "challenges": f"Funding, said org {n}"})
    for _ in range(2):
        add_response(wave, {"org_type": "ccbhc", "state": "ca", "communities": ["rural"],
                            "ta_receiving": "no"})
    for n in range(5):
        add_response(wave, {"org_type": "community_mental_health", "state": "tx",
                            "communities": ["urban"],
                            "ta_receiving": "yes" if n < 3 else "unsure"})
    add_response(wave, {"screening": "not_employed"})
    add_response(wave, {"org_type": "ccbhc", "state": "tx", "ta_receiving": "yes"},
                 finish=False)
    return wave


@pytest.fixture(scope="module")
def viewer():
    return signed_in("viewer")[0]


def test_whole_wave_shows_every_count_as_the_report_does(counted, viewer):
    page = viewer.get(f"/staff/waves/{counted.slug}/").content.decode()
    assert "The whole wave, as the published report shows it: 13 responses, 12 eligible, " \
           "1 screened out." in page
    figure = figure_html(page, TA_FIGURE)
    assert "(n=12)" in figure
    assert row_cells(figure, "Yes")[:2] == ["8", "67%"]
    assert row_cells(figure, "No")[:2] == ["2", "17%"]  # small, but the whole wave shows it
    assert row_cells(figure, "Unsure")[:2] == ["2", "17%"]
    assert "hidden" not in figure
    # Live counts: finished and not excluded; the one in progress apart.
    assert re.search(r'<strong data-count="submitted">12</strong>', page)
    assert 'data-count="screened_out">1<' in page and 'data-count="in_progress">1<' in page


def test_dashboard_findings_are_the_commands_findings(counted, viewer, tmp_path):
    """One code path: the wave's clean data read back by the CLI's ingest gives the same
    Findings as the dashboard and the API."""
    api = json.loads(viewer.get(f"/api/waves/{counted.slug}/findings").content)
    export = tmp_path / "wave.csv"
    export.write_bytes(viewer.get(
        f"/staff/waves/{counted.slug}/downloads/responses.csv").content)
    cli = build_findings(load_responses(export, counted.instrument)).to_json()
    direct = build_findings(response_set(counted)).to_json()
    for findings in (cli, direct):
        assert api["responses"] == findings["responses"] == {"total": 13, "eligible": 12,
                                                             "excluded": 1}
        assert api["questions"] == findings["questions"]
        assert api["sections"] == findings["sections"]
    assert api["questions"]["org_type"]["options"]["ccbhc"]["count"] == 7
    assert api["questions"]["communities"]["options"]["urban"]["count"] == 5


def test_filters_keep_the_right_respondents(counted):
    def eligible(**chosen: str) -> int:
        selection = tuple(sorted(chosen.items()))
        return selectors.wave_findings(counted, selection).responses.eligible

    assert eligible(org_type="ccbhc") == 7
    assert eligible(org_type="community_mental_health") == 5
    assert eligible(communities="rural") == 7
    assert eligible(region="northeast") == 5
    assert eligible(region="west") == 2
    assert eligible(region="south") == 5  # the Texas response in progress is not counted
    assert eligible(org_type="ccbhc", region="northeast") == 5
    assert eligible(communities="urban", region="northeast") == 0
    ccbhc = selectors.wave_findings(counted, (("org_type", "ccbhc"),))
    options = ccbhc.closed_questions()["ta_receiving"].options
    assert (options["yes"].count, options["no"].count, options["unsure"].count) == (5, 2, 0)


def test_filter_choices_come_from_the_instrument_and_the_wave(counted, viewer):
    page = viewer.get(f"/staff/waves/{counted.slug}/").content.decode()
    region = page[page.index('id="filter-region"'):]
    region = region[:region.index("</select>")]
    values = re.findall(r'<option value="(\w*)"', region)
    assert values[0] == "" and sorted(values[1:]) == ["northeast", "south", "west"]
    assert '<option value="frontier">Frontier</option>' in page  # every community listed


def test_filtered_view_hides_small_counts_and_their_complements(counted, viewer):
    page = viewer.get(f"/staff/waves/{counted.slug}/?org_type=ccbhc").content.decode()
    assert "Filtered view: 7 eligible respondents match." in page
    assert "counts below 5 are hidden" in page
    figure = figure_html(page, TA_FIGURE)
    # No: 2 is below 5. Yes: 5 would give it away (7 - 5), so it is hidden as well.
    assert row_cells(figure, "No") == ["hidden"] * 3
    assert row_cells(figure, "Yes") == ["hidden"] * 3
    assert row_cells(figure, "Unsure")[:2] == ["0", "0%"]
    assert "The chart is left out" not in figure  # a bar chart of what is shown remains
    # Open-ended answers of a group of 7 are listed, escaped like everything else.
    assert "Funding, said org 3" in page


def test_too_small_a_group_shows_no_numbers(counted, viewer):
    page = viewer.get(f"/staff/waves/{counted.slug}/?region=west").content.decode()
    assert "Fewer than 5 eligible respondents match these filters" in page
    assert "<figure" not in page and "Funding, said" not in page
    empty = viewer.get(f"/staff/waves/{counted.slug}/?region=northeast&communities=urban")
    assert "No eligible respondent matches yet." in empty.content.decode()


def test_unknown_filter_values_are_ignored_or_match_nobody(counted, viewer):
    reply = viewer.get(f"/staff/waves/{counted.slug}/?org_type=<script>&colour=red")
    assert reply.status_code == 200
    assert "<script>" not in reply.content.decode()
    assert "No eligible respondent matches yet." in reply.content.decode()


def test_findings_follow_new_answers_and_exclusions(counted, viewer):
    first = selectors.wave_findings(counted)
    assert selectors.wave_findings(counted) is not None
    added = add_response(counted, {"org_type": "ccbhc", "ta_receiving": "no"})
    after = selectors.wave_findings(counted)
    assert after.responses.eligible == first.responses.eligible + 1
    live = json.loads(viewer.get(f"/staff/waves/{counted.slug}/live/").content)
    assert live["submitted"] == 13 and live["in_progress"] == 1
    analyst, _ = signed_in("analyst")
    post(analyst, f"/staff/responses/{added.public_id}/exclusion/",
         {"action": "exclude", "reason": "test entry"})
    again = json.loads(viewer.get(f"/staff/waves/{counted.slug}/live/").content)
    assert again["excluded"] == 1 and again["submitted"] == 12
    assert again["version"] != live["version"]
    assert selectors.wave_findings(counted).responses == first.responses
    # Excluding one and including another leaves every count alike; the Findings still
    # follow (the audit log is part of the cache key).
    other = counted.responses.filter(status="submitted", excluded=False).first()
    post(analyst, f"/staff/responses/{other.public_id}/exclusion/",
         {"action": "exclude", "reason": "swap"})
    post(analyst, f"/staff/responses/{added.public_id}/exclusion/",
         {"action": "include", "reason": "swap back"})
    swapped = selectors.wave_findings(counted)
    assert swapped.closed_questions()["ta_receiving"].options["no"].count == 3


def test_charts_are_svg_that_runs_nothing(counted, viewer):
    page = viewer.get(f"/staff/waves/{counted.slug}/?org_type=ccbhc").content.decode()
    sources = re.findall(r'<img class="hrta-chart" src="([^"]+)" alt="([^"]+)"', page)
    assert sources and all(alt.strip() for _, alt in sources)
    src = html_lib.unescape(sources[0][0])
    assert "org_type=ccbhc" in src
    reply = viewer.get(src)
    assert reply.status_code == 200 and reply["Content-Type"] == "image/svg+xml"
    assert reply["Content-Security-Policy"].startswith("default-src 'none'")
    body = reply.content.decode()
    assert body.lstrip().startswith("<svg") and "<script" not in body.lower()
    assert viewer.get(f"/staff/waves/{counted.slug}/charts/nothing.svg").status_code == 404


def test_dashboard_without_waves_and_wave_choice(viewer, counted, wave):
    reply = viewer.get("/staff/")
    assert reply.status_code == 302 and reply["Location"].startswith("/staff/waves/")
    chosen = viewer.get(f"/staff/?wave={counted.slug}")
    assert chosen["Location"] == f"/staff/waves/{counted.slug}/"
    assert viewer.get("/staff/waves/no-such-wave/").status_code == 404
