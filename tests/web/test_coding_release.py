"""Releasing a quote the name screen withheld, with Django's test client on the real
database: an analyst reads the withheld quotes and write-ins of a wave with their text,
releases one (audited as `quote_released`, kept per wave), and the web report (downloaded
or made as a task) and the dashboard then show it; nobody else can, and an unknown id is
refused."""

from __future__ import annotations

import html

from hrta.web.coding.models import ReleasedQuote
from hrta.web.surveys.models import AuditEntry
from hrta.web.tasks.models import Job
from tests.web.staffdata import add_response, post, signed_in
from tests.web.tasking import work_queue
from tests.web.test_coding_web import _position_of, _run

NAMED = "Our county sheriff, Jim Doe, blocks everything we try."
WRITE_IN = "Rides from Sheriff Brown's deputies"
CHALLENGES = [
    "We simply do not have the funding; grants ran out last year.",
    "Stigma from the community and from our own board.",
    NAMED,
    "Staff are burned out and we cannot hire enough people.",
]


def _report(client, wave) -> str:
    reply = client.get(f"/staff/waves/{wave.slug}/downloads/report.html")
    assert reply.status_code == 200
    body = b"".join(reply.streaming_content if reply.streaming else [reply.content])
    return html.unescape(body.decode())


def _withheld_page(client, wave) -> str:
    reply = client.get(f"/staff/waves/{wave.slug}/coding/withheld-quotes/")
    assert reply.status_code == 200
    return html.unescape(reply.content.decode())


def _themes_panel(client, wave) -> str:
    """The dashboard's panel of coded themes and their quotes (the dashboard lists every
    answer to staff elsewhere, as written)."""
    page = html.unescape(client.get(f"/staff/waves/{wave.slug}/").content.decode())
    start = page.index('<section id="coded-themes"')
    return page[start:page.index("</section>", start)]


def test_an_analyst_releases_a_withheld_quote_and_write_in(wave):
    for number, text in enumerate(CHALLENGES):
        answers = {"challenges": text}
        if number == 1:
            answers["services_direct"] = ("other", WRITE_IN)
        add_response(wave, answers)
    client, _user = signed_in("analyst")
    _run(client, wave)
    # A reviewer confirms the named answer's codes: only then may it be quoted at all.
    post(client, f"/staff/waves/{wave.slug}/coding/challenges/review/",
         {"at": _position_of(wave, NAMED), "themes": ["policy_legal"]})

    page = _withheld_page(client, wave)
    assert NAMED in page and WRITE_IN in page
    quote_id = page.split(f"“{NAMED}”")[0].rsplit('data-quote="', 1)[1].split('"')[0]
    assert quote_id.startswith("challenges-")
    assert 'data-quote="services_direct-other-1"' in page
    report = _report(client, wave)
    assert "Jim Doe" not in report and "Sheriff Brown" not in report
    # Made on the web, the report names the page where it is released, not the CLI's flag.
    assert "release services_direct-other-1 on the Coding page" in report
    assert "--release-quote" not in report
    panel = _themes_panel(client, wave)
    assert "Jim Doe" not in panel
    assert "1 quote was withheld because it may name a person, place or agency." in panel

    # Others may not release, nor read the withheld texts.
    viewer, _viewer = signed_in("viewer")
    assert viewer.get(f"/staff/waves/{wave.slug}/coding/withheld-quotes/").status_code == 403
    assert post(viewer, f"/staff/waves/{wave.slug}/coding/withheld-quotes/",
                {"quote": quote_id}).status_code == 403
    # An id the screen does not hold back is refused, and nothing is kept.
    refused = post(client, f"/staff/waves/{wave.slug}/coding/withheld-quotes/",
                   {"quote": "challenges-999"})
    assert refused.status_code == 302
    assert "challenges-999: no quote withheld" in _withheld_page(client, wave)
    assert not ReleasedQuote.objects.filter(wave=wave).exists()

    for released in (quote_id, "services_direct-other-1"):
        reply = post(client, f"/staff/waves/{wave.slug}/coding/withheld-quotes/",
                     {"quote": released})
        assert reply.status_code == 302
    entries = AuditEntry.objects.filter(wave=wave, action="quote_released").order_by("id")
    assert [e.detail["quote"] for e in entries] == [quote_id, "services_direct-other-1"]
    assert all("Jim Doe" not in str(e.detail) for e in entries)  # the id, never the text
    assert set(ReleasedQuote.objects.filter(wave=wave).values_list("quote_id", flat=True)) \
        == {quote_id, "services_direct-other-1"}

    page = _withheld_page(client, wave)
    assert f'data-quote="{quote_id}"' not in page and "Shown in the report" in page
    report = _report(client, wave)
    assert NAMED in report and WRITE_IN in report
    panel = _themes_panel(client, wave)
    assert f"“{NAMED}”" in panel and "quote was withheld" not in panel

    # The report made as a task (the Downloads page's button) shows them too.
    asked = post(client, f"/staff/waves/{wave.slug}/report/", {"format": "html"})
    assert asked.status_code == 302
    work_queue()
    job = Job.objects.get(wave=wave, kind=Job.Kind.REPORT)
    reply = client.get(f"/staff/tasks/{job.pk}/result/")
    assert reply.status_code == 200
    made = html.unescape(b"".join(reply.streaming_content).decode())
    assert NAMED in made and WRITE_IN in made
