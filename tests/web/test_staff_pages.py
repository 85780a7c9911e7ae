"""Staff pages that need no command line: the responses list searched and filtered, with
columns that say something; the filtered dashboard listing only states someone in the
filter is from."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from hrta.web.staff.selectors import reference
from hrta.web.surveys.models import Response
from tests.web.staffdata import add_response, figure_html, signed_in
from tests.web.test_staff_dashboard import counted  # noqa: F401  (a fixture)

STATE_FIGURE = "Number of Survey Respondents by State"


@pytest.fixture(scope="module")
def analyst():
    return signed_in("analyst")[0]


def _references(page: str) -> set[str]:
    return set(re.findall(r'<th scope="row"><a class="usa-link" href="/staff/responses/'
                          r'[^"]+">([^<]+)</a></th>', page))


@pytest.fixture
def listed(wave):
    """Three finished responses of different states and types, one still answering, and
    one imported with a respondent id, submitted a week ago."""
    made = {
        "ny_ccbhc": add_response(wave, {"state": "ny", "org_type": "ccbhc"}),
        "tx_mental": add_response(wave, {"state": "tx", "org_type": "community_mental_health"}),
        "tx_ccbhc": add_response(wave, {"state": "tx", "org_type": "ccbhc"}),
        "answering": add_response(wave, {"state": "ny", "org_type": "ccbhc"}, finish=False),
    }
    old = add_response(wave, {"state": "ca", "org_type": "ccbhc"})
    week_ago = timezone.now() - timedelta(days=7)
    Response.objects.filter(pk=old.pk).update(respondent_id="SM-114477", submitted_at=week_ago)
    made["imported"] = Response.objects.get(pk=old.pk)
    return wave, made


def _list(client, wave, query: str = "") -> str:
    reply = client.get(f"/staff/waves/{wave.slug}/responses/{query}")
    assert reply.status_code == 200
    return reply.content.decode()


def test_responses_list_names_state_type_and_submitted(listed, analyst):
    wave, made = listed
    page = _list(analyst, wave)
    row = re.search(rf">{re.escape(reference(made['tx_mental']))}</a></th>(.*?)</tr>", page,
                    re.S).group(1)
    cells = [c.strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells[:3] == ["Texas", "Community-based mental health agency", "Submitted"], cells
    assert re.search(r"<th scope=\"col\">State</th><th scope=\"col\">Organization type</th>",
                     page)


def test_responses_list_searches_by_name_and_filters(listed, analyst):
    wave, made = listed
    refs = {key: reference(response) for key, response in made.items()}
    # By the name staff pages give: a web response's W- name, any case; an import's id.
    assert _references(_list(analyst, wave, f"?q={refs['tx_ccbhc'].lower()}")) == \
        {refs["tx_ccbhc"]}
    assert _references(_list(analyst, wave, "?q=114477")) == {refs["imported"]}
    # By answers, status and day submitted, together.
    assert _references(_list(analyst, wave, "?state=tx")) == {refs["tx_mental"],
                                                               refs["tx_ccbhc"]}
    assert _references(_list(analyst, wave, "?state=tx&org_type=ccbhc")) == {refs["tx_ccbhc"]}
    assert _references(_list(analyst, wave, "?state=ny&show=in_progress")) == \
        {refs["answering"]}
    today = timezone.localdate()
    assert _references(_list(analyst, wave, f"?from={today.isoformat()}")) == {
        refs["ny_ccbhc"], refs["tx_mental"], refs["tx_ccbhc"]}
    before = (today - timedelta(days=1)).isoformat()
    assert _references(_list(analyst, wave, f"?to={before}")) == {refs["imported"]}
    # Unknown values narrow nothing rather than failing the page.
    assert len(_references(_list(analyst, wave, "?state=zz&from=yesterday"))) == 5


def test_responses_list_keeps_its_filters_across_pages(wave, analyst):
    for _n in range(51):
        add_response(wave, {"state": "vt", "org_type": "ccbhc"})
    page = _list(analyst, wave, "?state=vt&show=submitted")
    assert "51 responses." in page
    assert "state=vt" in re.search(r'href="\?([^"]*page=2)"', page).group(1)


def test_filtered_dashboard_lists_only_states_with_respondents(counted, analyst):  # noqa: F811
    whole = figure_html(_list_dashboard(analyst, counted, ""), STATE_FIGURE)
    assert "Alabama" not in whole and "New York" in whole
    figure = figure_html(_list_dashboard(analyst, counted, "?org_type=ccbhc"), STATE_FIGURE)
    states = re.findall(r'<th scope="row">([^<]+)</th>', figure)
    assert states == ["California", "New York"]  # Texas's one CCBHC is still answering


def _list_dashboard(client, wave, query: str) -> str:
    return client.get(f"/staff/waves/{wave.slug}/{query}").content.decode()
