"""Write-ins on the dashboard, screened for names as the report screens them, against the
real server: an "Other (please specify)" text that may name a person, place or agency is
listed as a note with its id (a link to read and release it for those who may), in the
whole wave's view and in a filtered one (where it keeps the whole wave's id, the one the
release page lists); once an analyst releases it, the dashboard shows it as written. The
report made on the web points to that page, not to the command line's --release-quote."""

from __future__ import annotations

import html
import re

from tests.web.staffdata import add_response
from tests.web.test_integrity import staff_tab

JAIL = "Van rides from the Smith County jail"  # a place and an agency
SHERIFF = "Rides from Sheriff Brown's deputies"  # a person
PLAIN = ["Peer-run drop-in hours", "Hot meals on Fridays", "A clothing closet",
         "Free haircuts", "Bus passes for clinic visits"]


def _write_ins(page: str) -> str:
    """The lists of write-ins under the figures (<details> blocks), as one text."""
    return "\n".join(re.findall(r"<details.*?</details>", page, flags=re.S))


def _dashboard(tab, wave, query: str = "") -> str:
    status, page = tab.get(f"/staff/waves/{wave.slug}/{query}")
    assert status == 200
    return html.unescape(page)


def test_write_ins_that_may_name_someone_are_held_back_and_released(wave, live_url):
    add_response(wave, {"org_type": "health_center", "services_direct": ("other", JAIL)})
    for text in [SHERIFF, *PLAIN]:
        add_response(wave, {"org_type": "ccbhc", "services_direct": ("other", text)})
    analyst = staff_tab(live_url, "analyst")
    viewer = staff_tab(live_url, "viewer")
    release = f"/staff/waves/{wave.slug}/coding/withheld-quotes/"

    listed = _write_ins(_dashboard(analyst, wave))
    assert all(text in listed for text in PLAIN)
    assert "Smith County" not in listed and "Sheriff Brown" not in listed
    for number in (1, 2):
        held = f"services_direct-other-{number}"
        assert f'data-write-in="{held}"' in listed
        assert f"Withheld ({held}): it may name a person, place or agency." in listed
        assert f'href="{release}#quote-{held}"' in listed
    # The release page has the row the link leads to.
    status, page = analyst.get(release)
    assert status == 200 and 'id="quote-services_direct-other-2"' in page

    # Someone who may not release sees the note, without the link.
    seen = _write_ins(_dashboard(viewer, wave))
    assert 'data-write-in="services_direct-other-2"' in seen and "Sheriff Brown" not in seen
    assert release not in seen

    # A filtered view: the sheriff's write-in is the group's first, named as the wave's second.
    ccbhc = _write_ins(_dashboard(analyst, wave, "?org_type=ccbhc"))
    assert 'data-write-in="services_direct-other-2"' in ccbhc
    assert 'data-write-in="services_direct-other-1"' not in ccbhc
    assert "Sheriff Brown" not in ccbhc and PLAIN[0] in ccbhc

    # The report made on the web names the page where a write-in is released.
    status, report = analyst.get(f"/staff/waves/{wave.slug}/downloads/report.html")
    assert status == 200
    report = html.unescape(report)
    assert "Sheriff Brown" not in report and "--release-quote" not in report
    assert ("release services_direct-other-2 on the Coding page, under "
            "“Quotes withheld from the report”") in report

    status, _page = analyst.post(release, {"quote": "services_direct-other-2"})
    assert status == 302
    for query in ("", "?org_type=ccbhc"):
        listed = _write_ins(_dashboard(analyst, wave, query))
        assert SHERIFF in listed and 'data-write-in="services_direct-other-2"' not in listed
        assert "Smith County" not in listed
    assert 'data-write-in="services_direct-other-1"' in _write_ins(_dashboard(viewer, wave))


def test_the_web_report_names_the_release_page_in_its_language_and_the_cli_the_flag(
        wave, tmp_path):
    from django.utils import translation

    from hrta.report import render_reports
    from hrta.web.staff.selectors import wave_findings

    add_response(wave, {"services_direct": ("other", SHERIFF)})
    with translation.override("es"):
        findings = wave_findings(wave)
    made = {}
    for name, language, on_web in (("web-es", "es", True), ("web-en", "en", True),
                                   ("cli", "en", False)):
        path = tmp_path / f"{name}.html"
        render_reports(findings, [path], language=language, on_web=on_web)
        made[name] = html.unescape(path.read_text(encoding="utf-8"))
    assert ("se publica services_direct-other-1 en la página Codificación, en "
            "“Citas retenidas del informe”") in made["web-es"]
    assert "release services_direct-other-1 on the Coding page" in made["web-en"]
    assert all("--release-quote" not in made[name] and "Sheriff Brown" not in made[name]
               for name in ("web-es", "web-en"))
    assert "release with --release-quote services_direct-other-1" in made["cli"]
