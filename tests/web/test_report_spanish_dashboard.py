"""The staff dashboard's figures and the report staff download, in the page's language:
figures and report named in the questionnaire's Spanish wording, with the English page's
numbers."""

from __future__ import annotations

import io

import pytest

from hrta.web.tasks.models import Job
from tests.web.staffdata import add_response, figure_html, post, row_cells, signed_in
from tests.web.tasking import empty_queue, work_queue

TA_FIGURE = {"en": "Organizations Currently Receiving Technical Assistance",
             "es": "Organizaciones que reciben actualmente asistencia técnica"}


@pytest.fixture
def answered(wave):
    for _ in range(5):
        add_response(wave, {"org_type": "ccbhc", "state": "ny", "ta_receiving": "yes"})
    for _ in range(3):
        add_response(wave, {"org_type": "ccbhc", "state": "ca", "ta_receiving": "no"})
    return wave


def _client(language: str):
    client = signed_in("viewer")[0]
    client.cookies["django_language"] = language
    return client


def test_spanish_dashboard_figures_speak_the_questionnaires_spanish(answered) -> None:
    pages = {lang: _client(lang).get(f"/staff/waves/{answered.slug}/").content.decode()
             for lang in ("en", "es")}
    english = figure_html(pages["en"], TA_FIGURE["en"])
    spanish = figure_html(pages["es"], TA_FIGURE["es"])
    assert TA_FIGURE["en"] not in pages["es"]
    assert row_cells(spanish, "Sí") == row_cells(english, "Yes")
    assert row_cells(spanish, "No") == row_cells(english, "No")
    assert "(n=8)" in spanish and "Opción" in spanish and "Option" not in spanish


def test_the_report_staff_download_follows_the_pages_language(answered) -> None:
    report = _client("es").get(
        f"/staff/waves/{answered.slug}/downloads/report.html").content.decode()
    assert '<html lang="es">' in report
    assert "Resumen ejecutivo" in report and TA_FIGURE["es"] in report
    english = _client("en").get(
        f"/staff/waves/{answered.slug}/downloads/report.html").content.decode()
    assert '<html lang="en">' in english and TA_FIGURE["en"] in english


def test_the_report_made_in_the_background_is_in_the_language_of_who_asked(answered) -> None:
    empty_queue()
    client, _user = signed_in("analyst")
    client.cookies["django_language"] = "es"
    post(client, f"/staff/waves/{answered.slug}/report/", {"format": "html"})
    job = Job.objects.get(wave=answered, kind=Job.Kind.REPORT)
    assert work_queue() == 1
    reply = client.get(f"/staff/tasks/{job.pk}/result/")
    report = b"".join(reply.streaming_content).decode("utf-8")
    assert '<html lang="es">' in report and TA_FIGURE["es"] in report


@pytest.mark.parametrize(("language", "heading"), [
    ("en", "DRAFT Harm Reduction Technical Assistance Stakeholder Analysis: the findings"),
    ("es", "BORRADOR Análisis de partes interesadas")])
def test_the_one_page_brief_is_made_in_the_background(answered, language, heading) -> None:
    """The Downloads page's brief: a task, its result one PDF page in the asker's language."""
    from pypdf import PdfReader

    empty_queue()
    client, _user = signed_in("analyst")
    client.cookies["django_language"] = language
    page = client.get(f"/staff/waves/{answered.slug}/downloads/").content.decode()
    assert 'name="format" value="brief"' in page
    post(client, f"/staff/waves/{answered.slug}/report/", {"format": "brief"})
    job = Job.objects.get(wave=answered, kind=Job.Kind.REPORT)
    assert work_queue() == 1
    job.refresh_from_db()
    assert job.result_name == f"{answered.slug}-brief.pdf", job.message
    reply = client.get(f"/staff/tasks/{job.pk}/result/")
    assert reply["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(b"".join(reply.streaming_content)))
    assert len(pdf.pages) == 1
    assert heading in " ".join(pdf.pages[0].extract_text().split())
