"""What a reader noticed while importing (a file read as Windows-1252, unfinished Qualtrics
responses kept, columns not read) is shown on the page the analyst lands on after the
import, naming the file, in the page's language; a large import shows it on its task's
page. The command line prints the same notices in English."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import FIXTURES, run_hrta
from tests.web.staffdata import post, signed_in

WINDOWS_1252 = FIXTURES / "surveymonkey" / "windows_1252.csv"
QUALTRICS = FIXTURES / "qualtrics"


@pytest.fixture(scope="module")
def analyst():
    return signed_in("analyst")


@pytest.fixture(scope="module")
def spanish_analyst():
    client, user = signed_in("analyst")
    client.cookies["django_language"] = "es"
    return client, user


def _landed(client, wave, data) -> str:
    reply = post(client, f"/staff/waves/{wave.slug}/import/", data)
    assert reply.status_code == 302, reply.content.decode()[:3000]
    landed = client.get(reply["Location"])
    assert landed.status_code == 200
    return html.unescape(landed.content.decode())


def test_a_windows_1252_export_says_so_on_the_english_page(wave, analyst):
    client, _ = analyst
    page = _landed(client, wave, {"file": SimpleUploadedFile(
        "spring export.csv", WINDOWS_1252.read_bytes())})
    assert "spring export.csv is not UTF-8: read as Windows-1252" in page
    assert "hrta-import-" not in page  # the temporary copy's path is never shown
    assert wave.responses.count() > 0


def test_a_windows_1252_export_says_so_on_the_spanish_page(wave, spanish_analyst):
    client, _ = spanish_analyst
    page = _landed(client, wave, {"file": SimpleUploadedFile(
        "primavera.csv", WINDOWS_1252.read_bytes())})
    assert "primavera.csv no está en UTF-8: se leyó como Windows-1252" in page
    assert "is not UTF-8" not in page


def test_a_qualtrics_export_with_unfinished_responses_shows_the_count(analyst):
    from tests.web.test_staff_import_formats import _new_wave

    admin, _ = signed_in("admin")  # an import with its definition may change the instrument
    wave = _new_wave(admin, instrument_id="harm_reduction_ta_2022")
    page = _landed(admin, wave, {
        "file": SimpleUploadedFile("otoño.csv", (QUALTRICS / "choice_text.csv").read_bytes()),
        "definition": SimpleUploadedFile(
            "ta_needs_2024.qsf", (QUALTRICS / "ta_needs_2024.qsf").read_bytes())})
    assert "otoño.csv: 1 unfinished response kept with the questions it answered" in page
    assert "otoño.csv: 2 responses left out: their Status is a survey preview" in page
    assert "otoño.csv: columns Q11_First Click, Q11_Last Click" in page


def test_a_spanish_qualtrics_import_shows_the_count_in_spanish():
    from tests.web.test_staff_import_formats import _new_wave

    admin, _ = signed_in("admin")
    admin.cookies["django_language"] = "es"
    wave = _new_wave(admin, instrument_id="harm_reduction_ta_2022")
    page = _landed(admin, wave, {
        "file": SimpleUploadedFile("otoño.csv", (QUALTRICS / "choice_text.csv").read_bytes()),
        "definition": SimpleUploadedFile(
            "ta_needs_2024.qsf", (QUALTRICS / "ta_needs_2024.qsf").read_bytes())})
    assert "otoño.csv: se conservó 1 respuesta sin terminar" in page
    assert "unfinished response" not in page


def test_a_large_import_shows_its_notices_on_the_task_page(wave, spanish_analyst):
    from hrta.web.tasks.models import Job
    from tests.web.tasking import import_as_task

    client, _ = spanish_analyst
    job, task_page = import_as_task(client, wave, "grande.csv", WINDOWS_1252.read_bytes())
    assert job.status == Job.Status.DONE, job.message
    page = html.unescape(client.get(task_page).content.decode())
    assert "grande.csv no está en UTF-8: se leyó como Windows-1252" in page
    assert "is not UTF-8" not in page and "hrta-" not in job.notice


def test_the_command_line_prints_the_same_notice_in_english(tmp_path: Path):
    analysed = run_hrta("analyze", WINDOWS_1252, "--json", tmp_path / "findings.json",
                        "--no-themes")
    assert analysed.returncode == 0, analysed.stderr
    # Named by its file name, as the Findings and the report name it.
    printed = " ".join(analysed.stderr.split())
    assert (f"warning: {WINDOWS_1252.name} is not UTF-8: read as Windows-1252 (what Excel "
            "writes for 'CSV (Comma delimited)'); check accented letters and quotes") in printed
    assert str(WINDOWS_1252.parent) not in printed
