"""Staff pages of a wave with its own questionnaire read in Spanish with the wave's own
translation (kept with the wave, from the .qsf it was made from), not only where hrta
bundles one: the dashboard, a response, the downloads."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hrta.web.surveys.models import Wave
from tests.web.staffdata import post, signed_in

SRC = Path(__file__).resolve().parents[2] / "src" / "hrta"
QUALTRICS = Path(__file__).resolve().parents[1] / "fixtures" / "qualtrics"
QSF = QUALTRICS / "multilingual.qsf"  # English and Spanish
EXPORT = QUALTRICS / "multilingual_choice_text.csv"
SPANISH_QUESTION = "¿Trabaja en un programa de reducción de daños?"
ENGLISH_QUESTION = "Do you work at a harm reduction program?"


@pytest.fixture(scope="module")
def spanish_wave():
    """A wave made from the .qsf, its export imported, and an admin reading in Spanish."""
    client, _ = signed_in("admin")
    slug = f"own-es-{timezone.now().strftime('%H%M%S%f')}"
    made = post(client, "/staff/waves/new/", {
        "slug": slug, "title": "Dos idiomas", "accepting": "on", "instrument_id": "",
        "instrument_file": SimpleUploadedFile(QSF.name, QSF.read_bytes())})
    assert made.status_code == 302, made.content.decode()[:3000]
    imported = post(client, f"/staff/waves/{slug}/import/", {
        "file": SimpleUploadedFile(EXPORT.name, EXPORT.read_bytes()), "format": "auto"})
    assert imported.status_code == 302, imported.content.decode()[:3000]
    client.cookies["django_language"] = "es"
    return client, Wave.objects.get(slug=slug)


def _main(reply) -> str:
    page = html.unescape(reply.content.decode())
    return page[page.find("<main"):]


def test_the_dashboard_names_the_questions_in_the_waves_spanish(spanish_wave):
    client, wave = spanish_wave
    page = _main(client.get(f"/staff/waves/{wave.slug}/"))
    assert "Distribución de naloxona" in page, page[:3000]
    assert "Naloxone distribution" not in page


def test_a_response_reads_in_the_waves_spanish(spanish_wave):
    client, wave = spanish_wave
    response = wave.responses.order_by("respondent_id").first()
    page = _main(client.get(f"/staff/responses/{response.public_id}/"))
    assert SPANISH_QUESTION in page, page[:3000]
    assert ENGLISH_QUESTION not in page


def test_the_report_download_words_the_questions_in_the_waves_spanish(spanish_wave):
    # The data files (responses, codebook) keep the questionnaire's own wording, as the
    # command line writes them; the report is the reader's.
    client, wave = spanish_wave
    report = client.get(f"/staff/waves/{wave.slug}/downloads/report.html")
    assert report.status_code == 200
    shown = html.unescape(report.content.decode())
    assert "Distribución de naloxona" in shown, shown[:3000]
    assert "Naloxone distribution" not in shown


def test_the_raffle_winner_is_shown_under_the_waves_own_spanish_wording():
    """A wave with its own instrument (here the bundled questionnaire's YAML, its Spanish
    reworded by the wave) names the winner's details as the wave's translation does, not
    as the bundled translation of an instrument of the same id."""
    import yaml

    from hrta.web.contacts.services import save_contact
    from tests.web.staffdata import add_response
    from tests.web.test_assistance_web import RICH

    bundled = SRC / "instrument" / "assessments" / "harm_reduction_ta_2022.yaml"
    spanish = yaml.safe_load((bundled.parent / "translations" / f"{bundled.stem}.es.yaml")
                             .read_text(encoding="utf-8"))
    spanish["questions"] = {**spanish.get("questions", {}),
                            "raffle_name": {"text": "Nombre de quien participa en el sorteo"}}
    wave = Wave.objects.create(
        slug=f"own-raffle-{timezone.now().strftime('%H%M%S%f')}", title="Sorteo propio",
        instrument_id="harm_reduction_ta_2022",
        instrument_yaml=bundled.read_text(encoding="utf-8"),
        instrument_translations={"es": spanish})
    response = add_response(wave, RICH)
    assert save_contact(response=response, instrument=wave.instrument, data={
        "raffle_opt_in": "yes", "raffle_name": "Rita", "raffle_email": "rita@example.org"}) == {}
    client, _ = signed_in("admin")
    client.cookies["django_language"] = "es"
    page = _main(post(client, f"/staff/waves/{wave.slug}/raffle/", {"action": "draw"}))
    assert "Nombre de quien participa en el sorteo" in page, page[:3000]
