"""The dashboard right after new data: while a worker makes the wave's new Findings, the
page shows the last ones made (read from the cache, nothing analysed in the request) and
says that new answers have come in; once the worker is done, the new ones. Without a
worker to wait for, the request makes them itself, as before."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from hrta.web.tasks.models import Job
from tests.web.staffdata import add_response, signed_in
from tests.web.tasking import empty_queue, work_queue

ANSWERS = {"org_type": "ccbhc", "communities": ["rural"], "ta_receiving": "yes"}
VERSION = re.compile(r'id="live"[^>]*data-version="(\w+)"')


@pytest.fixture(autouse=True)
def _no_earlier_tasks() -> None:
    empty_queue()


def _page(client, wave) -> tuple[str, str]:
    page = client.get(f"/staff/waves/{wave.slug}/")
    assert page.status_code == 200
    text = page.content.decode()
    return VERSION.search(text).group(1), text


def test_right_after_new_data_the_last_figures_show_until_the_worker_has_made_the_new(
        wave, analysed):
    from hrta.web.staff.selectors import wave_version

    client, _user = signed_in("analyst")
    with override_settings(HRTA_PREPARE_FINDINGS=True):
        add_response(wave, ANSWERS)
        assert work_queue() == 1
        before = wave_version(wave)
        add_response(wave, ANSWERS)  # new data: its Findings are queued, not made yet
        assert wave_version(wave) != before
        analysed.clear()

        shown, text = _page(client, wave)
        assert analysed == []  # read from the cache: nothing analysed, nothing drawn
        assert shown == before
        assert 'id="live-news" hidden' not in text  # "New answers have come in." at once
        charts = re.findall(r'/charts/([\w-]+)\.svg', text)
        assert charts
        for name in charts:
            assert client.get(f"/staff/waves/{wave.slug}/charts/{name}.svg").status_code == 200
        assert analysed == []

        assert work_queue() == 1
        analysed.clear()
        shown, text = _page(client, wave)
        assert shown == wave_version(wave)
        assert 'id="live-news" hidden' in text
        assert analysed == []


def test_without_a_worker_at_work_the_request_makes_the_new_figures_itself(wave, analysed):
    from hrta.web.staff.selectors import wave_version

    client, _user = signed_in("analyst")
    with override_settings(HRTA_PREPARE_FINDINGS=True):
        add_response(wave, ANSWERS)
        assert work_queue() == 1
        add_response(wave, ANSWERS)
        # The queued task has waited long past what a running worker takes: no worker.
        Job.objects.filter(wave=wave, status__in=Job.ACTIVE).update(
            created_at=timezone.now() - timedelta(minutes=10))
        analysed.clear()
        shown, _text = _page(client, wave)
    assert shown == wave_version(wave)
    assert "analyse" in analysed

    # Not preparing Findings ahead at all (HRTA_PREPARE_FINDINGS=0): made on first view.
    add_response(wave, ANSWERS)
    analysed.clear()
    shown, _text = _page(client, wave)
    assert shown == wave_version(wave)
    assert "analyse" in analysed


def test_new_figures_show_only_once_their_charts_are_drawn(wave, analysed, monkeypatch):
    """Someone who opens the dashboard while the worker draws the new charts sees the last
    figures made; never new figures whose chart images the request must draw itself."""
    from hrta.web.staff import figures
    from hrta.web.staff.selectors import wave_version

    client, _user = signed_in("analyst")
    with override_settings(HRTA_PREPARE_FINDINGS=True):
        add_response(wave, ANSWERS)
        assert work_queue() == 1
        before = wave_version(wave)
        # Other answers: their charts are new, so the worker draws them.
        add_response(wave, {**ANSWERS, "org_type": "community_mental_health", "ta_receiving": "no"})
        seen: list[str] = []
        draw = figures.charts.to_svg

        def drawing(*args, **kwargs):
            if not seen:  # the worker's first new chart: look at the page meanwhile
                seen.append(_page(client, wave)[0])
            return draw(*args, **kwargs)

        monkeypatch.setattr(figures.charts, "to_svg", drawing)
        analysed.clear()
        assert work_queue() == 1
    assert seen == [before]
    shown, text = _page(client, wave)
    assert shown == wave_version(wave) != before
    analysed.clear()
    for name in re.findall(r'/charts/([\w-]+)\.svg', text):
        assert client.get(f"/staff/waves/{wave.slug}/charts/{name}.svg").status_code == 200
    assert analysed == []  # every chart of the new figures was drawn by the worker
