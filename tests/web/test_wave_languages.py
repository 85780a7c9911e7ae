"""A wave keeps its questionnaire's other languages: made from a .qsf (staff pages or
`hrta wave create`), from an instrument YAML with its `.es.yaml` beside it, or given a .qsf
with an import, it stores the translations, so an export answered in several languages
imports on the web with the counts the command line gives, and the assessment asks the
wave's questions in Spanish."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from hrta.web.surveys.models import Answer, Wave
from tests.conftest import run_hrta
from tests.web.respondents import csrf
from tests.web.respondents import post as respondent_post
from tests.web.staffdata import post, signed_in

QUALTRICS = Path(__file__).resolve().parents[1] / "fixtures" / "qualtrics"
# English and Spanish (UserLanguage EN/ES), each choice text in the respondent's language.
QSF = QUALTRICS / "multilingual.qsf"
EXPORT = QUALTRICS / "multilingual_choice_text.csv"
# Counted by hand (tests/test_ingest_qualtrics.py): five responses, three in Spanish.
BY_HAND = {"q1": {"yes": 4, "no": 1},
           "q2": {"naloxone_distribution": 3, "syringe_services": 2, "fentanyl_test_strips": 2},
           "q3.1": {"agree": 2, "disagree": 2, "neutral": 1},
           "q3.2": {"agree": 2, "neutral": 2, "disagree": 1}}


@pytest.fixture(scope="module")
def admin():
    return signed_in("admin")


@pytest.fixture(scope="module")
def cli_counts(tmp_path_factory) -> dict[str, dict[str, int]]:
    """What `hrta instrument import` then `hrta analyze` count, in fresh processes."""
    folder = tmp_path_factory.mktemp("cli")
    instrument = folder / "survey.yaml"
    imported = run_hrta("instrument", "import", QSF, "-o", instrument)
    assert imported.returncode == 0, imported.stderr
    findings = folder / "findings.json"
    analysed = run_hrta("analyze", EXPORT, "--instrument", instrument, "--json", findings,
                        "--no-themes")
    assert analysed.returncode == 0, analysed.stderr
    questions = json.loads(findings.read_text(encoding="utf-8"))["questions"]
    return {qid: {oid: o["count"] for oid, o in questions[qid]["options"].items()
                  if o["count"]} for qid in BY_HAND}


def _slug(name: str) -> str:
    return f"{name}-{timezone.now().strftime('%H%M%S%f')}"


def _upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def _new_wave(client, **values) -> Wave:
    slug = _slug("lang")
    reply = post(client, "/staff/waves/new/", {"slug": slug, "title": "Two languages",
                                              "accepting": "on", **values})
    assert reply.status_code == 302, reply.content.decode()[:3000]
    return Wave.objects.get(slug=slug)


def _stored_counts(wave: Wave) -> dict[str, dict[str, int]]:
    rows = Answer.objects.filter(response__wave=wave).exclude(option_id="")
    counted: dict[str, Counter[str]] = {}
    for qid, oid in rows.values_list("question_id", "option_id"):
        counted.setdefault(qid, Counter())[oid] += 1
    return {qid: dict(counted.get(qid, {})) for qid in BY_HAND}


def _import(client, wave: Wave, **extra):
    return post(client, f"/staff/waves/{wave.slug}/import/",
                {"file": _upload(EXPORT), "format": "auto", **extra})


def test_the_command_line_counts_match_the_hand_counts(cli_counts):
    assert cli_counts == BY_HAND


def test_an_import_given_the_qsf_counts_every_language_as_the_command_does(admin, cli_counts):
    client, _ = admin
    wave = _new_wave(client, instrument_id="harm_reduction_ta_2022")
    reply = _import(client, wave, definition=_upload(QSF))
    assert reply.status_code == 302, reply.content.decode()[:3000]
    wave.refresh_from_db()
    assert sorted(wave.instrument_translations) == ["es"]
    assert wave.responses.count() == 5
    assert _stored_counts(wave) == cli_counts


def test_a_wave_made_from_the_qsf_keeps_its_spanish_for_later_imports(admin, cli_counts):
    client, _ = admin
    wave = _new_wave(client, instrument_id="", instrument_file=_upload(QSF))
    assert wave.instrument_translations["es"]["questions"]["q1"]["options"]["yes"] == "Sí"
    reply = _import(client, wave)  # no definition this time: the wave's own is used
    assert reply.status_code == 302, reply.content.decode()[:3000]
    assert _stored_counts(wave) == cli_counts


def test_without_its_spanish_a_wave_refuses_the_export_naming_the_cell(admin):
    client, _ = admin
    wave = _new_wave(client, instrument_id="", instrument_file=_upload(QSF))
    wave.instrument_translations = {}
    wave.save(update_fields=["instrument_translations"])
    reply = _import(client, wave)
    page = reply.content.decode()
    assert reply.status_code == 400, page[:3000]
    assert "Sí" in page
    assert "multilingual_choice_text.csv" in page
    assert not wave.responses.exists()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def test_an_instrument_yaml_zipped_with_its_translation_makes_a_two_language_wave(
        admin, cli_counts, tmp_path):
    client, _ = admin
    instrument = tmp_path / "survey.yaml"
    assert run_hrta("instrument", "import", QSF, "-o", instrument).returncode == 0
    body = _zip({"survey.yaml": instrument.read_bytes(),
                 "survey.es.yaml": (tmp_path / "survey.es.yaml").read_bytes()})
    wave = _new_wave(client, instrument_id="",
                     instrument_file=SimpleUploadedFile("survey.zip", body))
    assert sorted(wave.instrument_translations) == ["es"]
    assert _import(client, wave).status_code == 302
    assert _stored_counts(wave) == cli_counts


def _hrta(*args: str) -> subprocess.CompletedProcess[str]:
    """The real `hrta` command in a fresh process, on this session's databases."""
    return subprocess.run([sys.executable, "-m", "hrta.cli", *args], capture_output=True,
                          text=True, check=False, timeout=120,
                          env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})


def test_hrta_wave_create_brings_the_translations_beside_the_file(admin, cli_counts,
                                                                 tmp_path):
    client, _ = admin
    instrument = tmp_path / "survey.yaml"
    assert run_hrta("instrument", "import", QSF, "-o", instrument).returncode == 0
    slug = _slug("cli")
    done = _hrta("wave", "create", slug, "--instrument", str(instrument))
    assert done.returncode == 0, done.stderr
    wave = Wave.objects.get(slug=slug)
    assert sorted(wave.instrument_translations) == ["es"]
    assert _import(client, wave).status_code == 302
    assert _stored_counts(wave) == cli_counts


def test_the_assessment_of_a_wave_with_a_spanish_version_offers_it(admin):
    client, _ = admin
    wave = _new_wave(client, instrument_id="", instrument_file=_upload(QSF))
    respondent = Client()
    csrf(respondent, f"/w/{wave.slug}/")
    respondent.cookies["django_language"] = "es"
    reply = respondent_post(respondent, f"/w/{wave.slug}/start/")
    assert reply.status_code == 302
    page = respondent.get(reply["Location"]).content.decode()
    assert 'lang="es"' in page
    assert "¿Trabaja en un programa de reducción de daños?" in page
    english = Client()
    english.cookies["django_language"] = "en"
    csrf(english, f"/w/{wave.slug}/")
    reply = respondent_post(english, f"/w/{wave.slug}/start/")
    page = english.get(reply["Location"]).content.decode()
    assert "Do you work at a harm reduction program?" in page
