"""Tasks on the real database, worked in this process as `hrta worker` works them: a
report asked for twice is made once and offered as a file that expires; cancel, retry
within the limit; a task whose worker was lost is taken over once; a task whose wave
changed while it waited says so; a worker that cannot reach the database backs off."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from hrta.web.tasks import services
from hrta.web.tasks.models import Job
from hrta.web.tasks.runners import CHANGED
from tests.web.staffdata import add_response, post, signed_in
from tests.web.tasking import empty_queue, work_queue

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_earlier_tasks() -> None:
    # What a worker takes is counted: only this test's tasks are in the queue.
    empty_queue()


def _answered(wave, n: int = 3) -> None:
    for number in range(n):
        add_response(wave, {"challenges": f"Funding, year {number}."})


def test_a_report_asked_twice_is_made_once_and_kept_until_it_expires(wave):
    _answered(wave)
    client, _user = signed_in("analyst")
    downloads = client.get(f"/staff/waves/{wave.slug}/downloads/").content.decode()
    assert f'action="/staff/waves/{wave.slug}/report/"' in downloads
    assert 'value="pdf"' in downloads
    first = post(client, f"/staff/waves/{wave.slug}/report/", {"format": "html"})
    again = post(client, f"/staff/waves/{wave.slug}/report/", {"format": "html"})
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]  # a double click: one task
    job = Job.objects.get(wave=wave, kind=Job.Kind.REPORT)
    assert client.get(f"/staff/tasks/{job.pk}/status/").json()["status"] == "queued"
    page = client.get(first["Location"]).content.decode()
    assert "Waiting for a worker." in page and "tasks/task.js" in page

    assert work_queue() == 1
    state = client.get(f"/staff/tasks/{job.pk}/status/").json()
    assert state["status"] == "done" and state["percent"] == 100 and state["result"]
    reply = client.get(f"/staff/tasks/{job.pk}/result/")
    assert reply.status_code == 200
    assert b"<html" in b"".join(reply.streaming_content)[:2000].lower()
    assert reply["Content-Disposition"].startswith("attachment")

    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert services.expire() == 1
    assert client.get(f"/staff/tasks/{job.pk}/result/").status_code == 410
    assert not (services.results_dir() / str(job.pk)).exists()


def test_cancel_then_retry_within_the_limit(wave):
    _answered(wave, 1)
    client, _user = signed_in("analyst")
    page = post(client, f"/staff/waves/{wave.slug}/report/", {"format": "docx"})["Location"]
    job = Job.objects.get(wave=wave, kind=Job.Kind.REPORT)
    post(client, f"/staff/tasks/{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    work_queue()  # the queue's row is taken and let go: the task stays cancelled
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and job.attempts == 0
    post(client, f"/staff/tasks/{job.pk}/retry/")
    assert work_queue() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 1, job.message
    assert job.result_name.endswith(".docx")
    # Past the limit, a retry is refused and says why.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, attempts=job.max_attempts)
    reply = post(client, f"/staff/tasks/{job.pk}/retry/", follow=True)
    assert "the limit" in reply.content.decode()
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED
    assert client.get(page).status_code == 200


def _lost(job: Job, attempts: int) -> None:
    """The state a worker killed mid-task leaves: its Job running, its lease lapsed, its
    queue row running."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=job.task_result_id).update(status="RUNNING")
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, attempts=attempts, worker_id="gone",
        heartbeat_at=timezone.now() - timedelta(hours=1))


def test_a_task_whose_worker_was_lost_is_finished_once_by_another(wave):
    from django_tasks_db.models import DBTaskResult

    _answered(wave, 1)
    job, new = services.enqueue(kind=Job.Kind.FINDINGS, key=f"findings:{wave.pk}", wave=wave)
    assert new
    first_row = job.task_result_id
    _lost(job, attempts=1)
    assert work_queue() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2
    assert job.worker_id.startswith("test-")
    assert DBTaskResult.objects.get(pk=first_row).status == "FAILED"
    assert DBTaskResult.objects.get(pk=job.task_result_id).status == "SUCCESSFUL"
    # Lost as often as it may be tried: it fails, saying why, and is not tried again.
    again, _new = services.enqueue(kind=Job.Kind.FINDINGS, key=f"findings:{wave.pk}",
                                   wave=wave)
    _lost(again, attempts=again.max_attempts)
    work_queue()
    again.refresh_from_db()
    assert again.status == Job.Status.FAILED and "the limit" in again.message
    assert again.attempts == again.max_attempts


def test_a_task_whose_wave_changed_while_it_waited_says_so(wave):
    _answered(wave, 2)
    client, _user = signed_in("analyst")
    page = post(client, f"/staff/waves/{wave.slug}/report/", {"format": "html"})["Location"]
    add_response(wave, {"challenges": "Stigma."})  # new data while the report waits
    work_queue()
    job = Job.objects.get(wave=wave, kind=Job.Kind.REPORT)
    assert job.status == Job.Status.DONE and job.notice == CHANGED
    assert "changed while this waited" in client.get(page).content.decode()


def test_a_worker_that_cannot_reach_the_database_backs_off_and_says_so(tmp_path):
    env = {**os.environ, "HRTA_DATA_DIR": str(tmp_path),
           "DATABASE_URL": "postgresql://hrta:none@127.0.0.1:9/hrta",
           "DJANGO_SETTINGS_MODULE": "hrta.web.settings"}
    script = ("from hrta.web import setup; setup()\n"
              "from hrta.web.tasks.worker import Worker\n"
              "Worker(worker_id='cut-off', interval=0.1).run()\n")
    # Read as it logs, and stopped after its second try: a fixed time limit would also
    # count its start-up, which a busy machine stretches.
    worker = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=ROOT,
                              stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    timer = threading.Timer(60, worker.kill)
    timer.start()
    try:
        assert worker.stderr is not None
        for line in worker.stderr:
            lines.append(line)
            if sum("cannot reach the database" in seen for seen in lines) >= 2:
                break
        assert worker.poll() is None, "the worker exited instead of waiting for the database"
    finally:
        timer.cancel()
        worker.kill()
        worker.wait(timeout=10)
    text = "".join(lines)
    tries = [line for line in lines if "cannot reach the database" in line]
    assert len(tries) >= 2, text[-2000:]
    assert "trying again in 1 s" in tries[0] and "trying again in 2 s" in tries[1], tries



def test_new_data_has_its_findings_and_charts_made_before_anyone_looks(wave, analysed):
    """A submission queues the wave's `findings` task (one however many submissions); once
    a worker has worked it, the dashboard and its charts are read from the cache in every
    language: the requests analyse nothing and draw nothing."""
    from django.test import override_settings

    from hrta.web.surveys.services import set_excluded

    client, _user = signed_in("analyst")
    with override_settings(HRTA_PREPARE_FINDINGS=True):
        for kind in ("ccbhc", "community_mental_health", "ccbhc"):
            add_response(wave, {"org_type": kind, "communities": ["rural"],
                                "ta_receiving": "yes"})
        jobs = Job.objects.filter(wave=wave, kind=Job.Kind.FINDINGS)
        assert [job.status for job in jobs] == ["queued"]  # three submissions, one task
        assert work_queue() == 1
        assert jobs.get().status == Job.Status.DONE
        # An exclusion changes the analysed responses: the task is queued again.
        set_excluded(response=wave.responses.first(), user=None, excluded=True,
                     reason="A test entry.")
        assert jobs.filter(status=Job.Status.QUEUED).count() == 1
        assert work_queue() == 1

    analysed.clear()
    for language in ("en", "es"):
        page = client.get(f"/staff/waves/{wave.slug}/", HTTP_ACCEPT_LANGUAGE=language)
        assert page.status_code == 200
        charts = re.findall(r'/charts/([\w-]+)\.svg', page.content.decode())
        assert charts, language
        for name in charts[:5]:
            assert client.get(f"/staff/waves/{wave.slug}/charts/{name}.svg",
                              HTTP_ACCEPT_LANGUAGE=language).status_code == 200
    assert analysed == []


def test_a_burst_of_submissions_costs_one_or_two_refreshes_not_one_each(wave, analysed):
    """While a wave's refresh runs, new answers queue nothing; once it ends it queues
    exactly one more, which waits HRTA_FINDINGS_EVERY seconds after it, and covers every
    answer that came in meanwhile."""
    from django.core.cache import cache
    from django.core.cache.utils import make_template_fragment_key
    from django.test import override_settings
    from django.utils import translation
    from django_tasks_db.models import DBTaskResult

    from hrta.web.staff.selectors import dashboard, wave_version

    answers = {"org_type": "ccbhc", "communities": ["rural"], "ta_receiving": "yes"}
    jobs = Job.objects.filter(wave=wave, kind=Job.Kind.FINDINGS)
    with override_settings(HRTA_PREPARE_FINDINGS=True, HRTA_FINDINGS_EVERY=60):
        add_response(wave, answers)
        [first] = jobs.all()
        worker = threading.Thread(target=work_queue, kwargs={"limit": 1})
        worker.start()
        for _wait in range(400):  # until the worker has taken it
            first.refresh_from_db()
            if first.status != Job.Status.QUEUED:
                break
            threading.Event().wait(0.025)
        for _number in range(6):  # a burst while it runs
            add_response(wave, answers)
        assert jobs.filter(status=Job.Status.QUEUED).count() == 0 or \
            not jobs.filter(status=Job.Status.RUNNING).exists()
        worker.join(timeout=120)
        first.refresh_from_db()
        assert first.status == Job.Status.DONE
        # Exactly one more, which waits a while after the last ended.
        [second] = jobs.exclude(pk=first.pk)
        assert second.status == Job.Status.QUEUED
        row = DBTaskResult.objects.get(pk=second.task_result_id)
        assert row.run_after is not None and row.run_after > timezone.now()
        for _number in range(4):  # more while it waits: nothing more
            add_response(wave, answers)
        assert jobs.count() == 2
        assert work_queue() == 0  # not yet
        DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())
        assert work_queue() == 1
    assert jobs.count() == 2 and all(j.status == Job.Status.DONE for j in jobs.all())
    analysed.clear()
    for language in ("en", "es"):
        with translation.override(language):
            shown = dashboard(wave)
        assert analysed == []  # the cached ones, made by the worker
        assert shown.version == wave_version(wave)
        assert shown.responses.total == 11  # every submission of the burst
        # ... and the page's figures, rendered by the worker too (with and without the
        # links to release a withheld write-in).
        for can_release in (False, True):
            assert cache.get(make_template_fragment_key(
                "hrta_dashboard_figures", [shown.key, wave.slug, can_release])) is not None, \
                language


def test_the_coding_overview_links_its_running_task_with_a_cancel_button(wave):
    from hrta.web.coding.models import CodingRun

    _answered(wave, 2)
    client, _user = signed_in("analyst")
    post(client, f"/staff/waves/{wave.slug}/coding/challenges/run/")
    job = Job.objects.get(wave=wave, kind=Job.Kind.CODING)
    overview = client.get(f"/staff/waves/{wave.slug}/coding/").content.decode()
    assert f'href="/staff/tasks/{job.pk}/"' in overview
    assert f'action="/staff/tasks/{job.pk}/cancel/"' in overview
    post(client, f"/staff/tasks/{job.pk}/cancel/")
    assert CodingRun.objects.get(wave=wave).status == CodingRun.Status.FAILED
    overview = client.get(f"/staff/waves/{wave.slug}/coding/").content.decode()
    assert f"/staff/tasks/{job.pk}/" not in overview  # nothing running: no task to follow
    assert "Code the answers again" in overview


def _import(client, wave, name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return post(client, f"/staff/waves/{wave.slug}/import/",
                {"file": SimpleUploadedFile(name, content)})


def test_a_large_import_is_a_task_and_a_small_one_stays_in_the_request(wave, tmp_path):
    from django.test import override_settings

    from tests.web.staffdata import raffle_export

    client, _user = signed_in("analyst")
    export = raffle_export(tmp_path).read_bytes()
    with override_settings(HRTA_IMPORT_TASK_BYTES=len(export) - 1):
        first = _import(client, wave, "big export.csv", export)
        again = _import(client, wave, "big export.csv", export)  # a double click
        _import(client, wave, "bad.csv", export.replace(b"New York", b"Atlantis", 1))
    assert first.status_code == 302 and first["Location"].startswith("/staff/tasks/")
    assert again["Location"] == first["Location"]
    job = Job.objects.get(wave=wave, kind=Job.Kind.IMPORT, params__files__upload="big export.csv")
    assert wave.responses.count() == 0  # nothing imported in the request
    page = client.get(first["Location"]).content.decode()
    assert "Import" in page and "Waiting for a worker." in page
    assert len(list(services.uploads_dir().iterdir())) == 2  # one per distinct file

    assert work_queue() >= 2  # (and any row an earlier test left)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.percent == 100, job.message
    assert job.notice == "Imported 12 responses."
    assert wave.responses.count() == 12
    failed = Job.objects.get(wave=wave, kind=Job.Kind.IMPORT, params__files__upload="bad.csv")
    assert failed.status == Job.Status.FAILED
    assert failed.message.startswith("bad.csv, row ") and "Atlantis" in failed.message
    assert wave.responses.count() == 12  # the bad file saved nothing
    assert list(services.uploads_dir().iterdir()) == []  # uploads gone once imported

    # Below the threshold (the default), the request imports it and no task is made.
    small = raffle_export(tmp_path, seed=9).read_bytes()
    reply = _import(client, wave, "small.csv", small)
    assert reply.status_code == 302 and reply["Location"].endswith("/responses/")
    assert wave.responses.count() == 24
    assert Job.objects.filter(wave=wave, kind=Job.Kind.IMPORT).count() == 2
