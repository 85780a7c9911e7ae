"""The staff import page takes any tool's export (with the survey's definition where the
tool names questions by its own ids), lets staff choose a survey of a zip, and drafts an
instrument from an export for a new wave; a wave can be made from an instrument file, in
the staff pages and with `hrta wave create --instrument FILE`."""

from __future__ import annotations

import base64
import html
import io
import os
import re
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hrta.web.surveys.models import AuditEntry, Response, Wave
from tests.web.staffdata import post, signed_in

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
QUALTRICS = FIXTURES / "qualtrics"
DRAFTING = FIXTURES / "drafting"


@pytest.fixture(scope="module")
def admin():
    return signed_in("admin")


def _slug(name: str) -> str:
    return f"{name}-{timezone.now().strftime('%H%M%S%f')}"


def _upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def _new_wave(client, **values) -> Wave:
    slug = _slug("w")
    reply = post(client, "/staff/waves/new/", {"slug": slug, "title": "New questionnaire",
                                              "accepting": "on", **values})
    assert reply.status_code == 302, reply.content.decode()[:3000]
    return Wave.objects.get(slug=slug)


def _drafted_yaml(client, export: Path) -> str:
    reply = post(client, "/staff/waves/draft/", {"file": _upload(export), "format": "auto"})
    page = reply.content.decode()
    assert reply.status_code == 200, page[:3000]
    return _textarea(page)


def _textarea(page: str) -> str:
    found = re.search(r'<textarea[^>]*name="instrument_yaml"[^>]*>(.*?)</textarea>', page,
                      re.DOTALL)
    assert found, page[:3000]
    return html.unescape(found.group(1))


def test_qualtrics_export_with_its_qsf_imports_and_the_wave_takes_that_questionnaire(admin):
    client, user = admin
    wave = _new_wave(client, instrument_id="harm_reduction_ta_2022")
    reply = post(client, f"/staff/waves/{wave.slug}/import/", {
        "file": _upload(QUALTRICS / "choice_text.csv"), "format": "auto",
        "definition": _upload(QUALTRICS / "ta_needs_2024.qsf")})
    assert reply.status_code == 302, reply.content.decode()[:3000]
    wave.refresh_from_db()
    assert wave.instrument_yaml and wave.instrument_id != "harm_reduction_ta_2022"
    assert wave.instrument.id == "ta_needs_2024"
    # Previews are left out at import, as `hrta analyze` leaves them out.
    assert wave.responses.count() > 0
    change = AuditEntry.objects.get(wave=wave, action="wave_change")
    assert change.user == user and change.detail["instrument_file"] == "ta_needs_2024.qsf"
    dashboard = client.get(f"/staff/waves/{wave.slug}/")
    assert dashboard.status_code == 200
    page = dashboard.content.decode()
    # One figure per question, in survey order, though the instrument has no report layout.
    shown = [q.text[:30] for s in wave.instrument.sections for q in s.questions
             if not q.pii and q.text[:30] in page]
    assert len(shown) >= 5
    assert [page.index(text) for text in shown] == sorted(page.index(text) for text in shown)


def test_qualtrics_export_without_its_definition_is_refused_naming_the_file(admin, wave):
    client, _ = admin
    reply = post(client, f"/staff/waves/{wave.slug}/import/", {
        "file": _upload(QUALTRICS / "choice_text.csv"), "format": "qualtrics"})
    page = reply.content.decode()
    assert reply.status_code == 400 and "Nothing was imported" in page
    assert "choice_text.csv" in page and ".qsf" in page
    assert not wave.responses.exists()
    wave.refresh_from_db()
    assert wave.instrument_yaml == ""


def test_a_definition_cannot_replace_the_instrument_of_a_wave_with_answers(admin):
    client, _ = admin
    wave = _new_wave(client, instrument_yaml=_drafted_yaml(client, DRAFTING /
                                                           "needs_assessment.csv"),
                     instrument_id="")
    first = post(client, f"/staff/waves/{wave.slug}/import/", {
        "file": _upload(DRAFTING / "needs_assessment.csv")})
    assert first.status_code == 302, first.content.decode()[:3000]
    before = wave.responses.count()
    reply = post(client, f"/staff/waves/{wave.slug}/import/", {
        "file": _upload(QUALTRICS / "choice_text.csv"),
        "definition": _upload(QUALTRICS / "ta_needs_2024.qsf")})
    assert reply.status_code == 400
    assert "already holds answers to another questionnaire" in reply.content.decode()
    wave.refresh_from_db()
    assert wave.responses.count() == before and "ta_needs" not in wave.instrument_id


def test_draft_shows_the_yaml_to_download_and_creates_the_wave_it_describes(admin):
    client, _ = admin
    text = _drafted_yaml(client, DRAFTING / "needs_assessment.csv")
    assert "questions:" in text and "sections:" in text
    # Named as staff know the file, not as the temporary copy.
    assert "needs_assessment.csv" in text.splitlines()[0]
    download = post(client, "/staff/waves/draft/", {"instrument_yaml": text, "download": "1"})
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="instrument.yaml"'
    assert download.content.decode() == text
    # "Create a wave from this instrument" opens the wave form with the YAML in it.
    form = post(client, "/staff/waves/new/", {"instrument_yaml": text, "from_draft": "1"})
    assert form.status_code == 200 and not Wave.objects.filter(title="New questionnaire",
                                                               slug="").exists()
    assert _textarea(form.content.decode()) == text
    wave = _new_wave(client, instrument_id="", instrument_yaml=text)
    assert wave.instrument_yaml == text and wave.instrument.id == wave.instrument_id
    reply = post(client, f"/staff/waves/{wave.slug}/import/", {
        "file": _upload(DRAFTING / "needs_assessment.csv")})
    assert reply.status_code == 302, reply.content.decode()[:3000]
    rows = len((DRAFTING / "needs_assessment.csv").read_text(encoding="utf-8")
               .strip().splitlines()) - 2
    assert wave.responses.filter(source=Response.Source.IMPORT).count() == rows


def test_draft_page_refuses_a_file_it_cannot_draft_from_with_its_name(admin):
    client, _ = admin
    reply = post(client, "/staff/waves/draft/", {
        "file": SimpleUploadedFile("notes.csv", b"hello,world\n1,2\n"), "format": "auto"})
    page = reply.content.decode()
    assert reply.status_code == 400 and "No instrument was drafted" in page
    assert "notes.csv" in page


def test_a_zip_of_several_surveys_asks_which_then_imports_the_chosen_one(admin):
    client, _ = admin
    wave = _new_wave(client, instrument_id="", instrument_yaml=_drafted_yaml(
        client, DRAFTING / "needs_assessment.csv"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("CSV/Needs.csv", (DRAFTING / "needs_assessment.csv").read_bytes())
        archive.writestr("CSV/Customers.csv", (DRAFTING / "customer_survey.csv").read_bytes())
        archive.writestr("CSV/CollectorList.csv", b"Collector ID\n1\n")
    zipped = buffer.getvalue()
    reply = post(client, f"/staff/waves/{wave.slug}/import/", {
        "file": SimpleUploadedFile("Data_All_240726.zip", zipped)})
    page = reply.content.decode()
    assert reply.status_code == 400 and "holds 2 surveys" in page
    assert '<option value="Needs">' in page and '<option value="Customers">' in page
    assert not wave.responses.exists()
    reply = post(client, f"/staff/waves/{wave.slug}/import/", {
        "file": SimpleUploadedFile("Data_All_240726.zip", zipped), "member": "Needs"})
    assert reply.status_code == 302, reply.content.decode()[:3000]
    assert wave.responses.exists()


def test_a_wave_is_made_from_an_uploaded_definition_file(admin):
    client, _ = admin
    wave = _new_wave(client, instrument_id="",
                     instrument_file=_upload(QUALTRICS / "ta_needs_2024.qsf"))
    assert wave.instrument_yaml and wave.instrument.id == "ta_needs_2024"
    entry = AuditEntry.objects.get(wave=wave, action="wave_create")
    assert entry.detail["instrument_yaml"].startswith("sha256:")


def test_a_broken_instrument_yaml_is_refused_on_the_wave_form(admin):
    client, _ = admin
    slug = _slug("broken")
    reply = post(client, "/staff/waves/new/", {
        "slug": slug, "title": "Broken", "instrument_id": "",
        "instrument_yaml": "id: x\nsections: [1, 2"})
    assert reply.status_code == 400 and "the instrument YAML" in reply.content.decode()
    assert not Wave.objects.filter(slug=slug).exists()


def hrta(*args: str) -> subprocess.CompletedProcess[str]:
    """The real `hrta` command in a fresh process, on this session's databases."""
    return subprocess.run([sys.executable, "-m", "hrta.cli", *args], capture_output=True,
                          text=True, check=False, timeout=120,
                          env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})


def test_hrta_wave_create_takes_an_instrument_file(tmp_path):
    slug = _slug("cli")
    done = hrta("wave", "create", slug, "--title", "From a qsf", "--instrument",
                str(QUALTRICS / "ta_needs_2024.qsf"))
    assert done.returncode == 0, done.stderr
    wave = Wave.objects.get(slug=slug)
    assert wave.instrument_yaml and wave.title == "From a qsf"
    assert AuditEntry.objects.filter(wave=wave, action="wave_create", via="cli").exists()
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: x\nsections: [1, 2", encoding="utf-8")
    refused = hrta("wave", "create", _slug("bad"), "--instrument", str(bad))
    assert refused.returncode == 2 and "broken.yaml" in refused.stderr
    again = hrta("wave", "create", slug, "--instrument", "harm_reduction_ta_2022")
    assert again.returncode == 2 and slug in again.stderr


def _kept_token(page: str) -> str:
    found = re.search(r'<input type="hidden" name="upload_token" value="([^"]+)">', page)
    assert found, page[:3000]
    return found.group(1)


def _two_surveys() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("CSV/Needs.csv", (DRAFTING / "needs_assessment.csv").read_bytes())
        archive.writestr("CSV/Customers.csv", (DRAFTING / "customer_survey.csv").read_bytes())
    return buffer.getvalue()


def test_after_choosing_a_survey_of_a_zip_the_file_is_not_asked_for_again(admin):
    from hrta.web.staff.kept import kept_dir

    client, _ = admin
    drafted = _drafted_yaml(client, DRAFTING / "needs_assessment.csv")
    wave = _new_wave(client, instrument_id="", instrument_yaml=drafted)
    reply = post(client, f"/staff/waves/{wave.slug}/import/", {
        "file": SimpleUploadedFile("Data_All_240726.zip", _two_surveys())})
    page = reply.content.decode()
    assert reply.status_code == 400 and "holds 2 surveys" in page
    token = _kept_token(page)
    assert 'name="file" type="file"' in page and " required" not in page.split(
        'id="id_file"')[1].split(">")[0]
    assert (kept_dir() / token).is_dir()
    # Someone else, or another wave, cannot take the kept file.
    other_client, _ = signed_in("admin")
    refused = post(other_client, f"/staff/waves/{wave.slug}/import/",
                   {"upload_token": token, "member": "Needs"})
    assert refused.status_code == 400 and "no longer on the server" in refused.content.decode()
    other_wave = _new_wave(client, instrument_id="", instrument_yaml=drafted)
    refused = post(client, f"/staff/waves/{other_wave.slug}/import/",
                   {"upload_token": token, "member": "Needs"})
    assert refused.status_code == 400 and not other_wave.responses.exists()
    # The survey alone is chosen: no file in the second post.
    reply = post(client, f"/staff/waves/{wave.slug}/import/",
                 {"upload_token": token, "member": "Needs"})
    assert reply.status_code == 302, reply.content.decode()[:3000]
    assert wave.responses.exists()
    assert not (kept_dir() / token).exists()  # imported: not kept any longer


def test_a_kept_zip_expires(admin):
    import json

    from hrta.web.staff.kept import KEEP_SECONDS, kept_dir

    client, _ = admin
    wave = _new_wave(client, instrument_id="", instrument_yaml=_drafted_yaml(
        client, DRAFTING / "needs_assessment.csv"))
    reply = post(client, f"/staff/waves/{wave.slug}/import/", {
        "file": SimpleUploadedFile("Data_All_240726.zip", _two_surveys())})
    token = _kept_token(reply.content.decode())
    meta = kept_dir() / token / "kept.json"
    kept = json.loads(meta.read_text())
    meta.write_text(json.dumps({**kept, "at": kept["at"] - KEEP_SECONDS - 1}))
    reply = post(client, f"/staff/waves/{wave.slug}/import/",
                 {"upload_token": token, "member": "Needs"})
    assert reply.status_code == 400 and "choose it again" in reply.content.decode()
    assert not wave.responses.exists()
    # The next upload kept sweeps the expired one away.
    post(client, f"/staff/waves/{wave.slug}/import/", {
        "file": SimpleUploadedFile("Data_All_240726.zip", _two_surveys())})
    assert not (kept_dir() / token).exists()


KOBO = FIXTURES / "kobo"


@pytest.mark.parametrize("given", ["two files", "zip"])
def test_an_xlsform_as_survey_and_choices_csv_files_is_the_definition(admin, given):
    client, _ = admin
    wave = _new_wave(client, instrument_id="harm_reduction_ta_2022")
    if given == "two files":
        files = {"definition": _upload(KOBO / "survey.csv"),
                 "definition_choices": _upload(KOBO / "choices.csv")}
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for part in ("survey", "choices", "settings"):
                archive.writestr(f"form/{part}.csv", (KOBO / f"{part}.csv").read_bytes())
        files = {"definition": SimpleUploadedFile("form.zip", buffer.getvalue())}
    reply = post(client, f"/staff/waves/{wave.slug}/import/", {
        "file": _upload(KOBO / "export_xml.csv"), "format": "kobo", **files})
    assert reply.status_code == 302, reply.content.decode()[:3000]
    wave.refresh_from_db()
    assert wave.instrument.question("works_in_tx").type == "single"
    assert wave.responses.count() == 4


def test_a_zipped_xlsform_without_its_choices_is_refused(admin):
    client, _ = admin
    wave = _new_wave(client, instrument_id="harm_reduction_ta_2022")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("survey.csv", (KOBO / "survey.csv").read_bytes())
    reply = post(client, f"/staff/waves/{wave.slug}/import/", {
        "file": _upload(KOBO / "export_xml.csv"), "format": "kobo",
        "definition": SimpleUploadedFile("form.zip", buffer.getvalue())})
    page = html.unescape(reply.content.decode())
    assert reply.status_code == 400 and "no choices CSV" in page and "form.zip" in page
    assert not wave.responses.exists()


def _planted_in_databases(planted: tuple[str, ...]) -> Counter[tuple[str, str, str]]:
    """How many times a planted value appears in each (database, table, column), in both
    databases, every table and column; contact details' encrypted columns aside."""
    from django.conf import settings
    from django.db import connections

    cache_table = settings.CACHES["default"]["LOCATION"]
    found: Counter[tuple[str, str, str]] = Counter()
    for alias in ("default", "contacts"):
        connection = connections[alias]
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                columns = [c.name for c in
                           connection.introspection.get_table_description(cursor, table)
                           if not c.name.endswith("_encrypted")]
                quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
                cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
                for row in cursor.fetchall():
                    for column, value in zip(columns, row, strict=True):
                        text = value if isinstance(value, str) else (
                            bytes(value).decode("utf-8", "replace")
                            if isinstance(value, bytes | memoryview) else str(value))
                        if table == cache_table and column == "value":
                            # Django's database cache keeps base64 of a pickle: searched
                            # as written, a short name turns up by chance in the base64.
                            text = base64.b64decode(text).decode("utf-8", "replace")
                        found.update((alias, table, column) for p in planted if p in text)
    return found


def _kobo_form() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in ("survey", "choices", "settings"):
            archive.writestr(f"{part}.csv", (KOBO / f"{part}.csv").read_bytes())
    return SimpleUploadedFile("form.zip", buffer.getvalue())


@pytest.mark.parametrize("tool", ["qualtrics", "redcap", "kobo", "googleforms"])
def test_identifying_values_planted_in_each_tools_export_reach_no_database_column(admin, tool):
    """E-mails, IP addresses, names and coordinates planted in each tool's export (the same
    fixtures as tests/test_ingest_<tool>.py): after the staff page imports it, none of them
    is in any table of the answers database or, outside its encrypted fields, of the
    contacts database."""
    from tests.test_ingest_googleforms import PLANTED as GOOGLE_PLANTED
    from tests.test_ingest_kobo import PERSONAL as KOBO_PLANTED
    from tests.test_ingest_qualtrics import PLANTED as QUALTRICS_PLANTED
    from tests.test_ingest_redcap import PERSONAL as REDCAP_PLANTED

    client, _ = admin
    redcap = FIXTURES / "redcap"
    googleforms = FIXTURES / "googleforms"
    posted, planted = {
        "qualtrics": ({"file": _upload(QUALTRICS / "choice_text.csv"),
                       "definition": _upload(QUALTRICS / "ta_needs_2024.qsf")},
                      QUALTRICS_PLANTED),
        "redcap": ({"file": _upload(redcap / "export_raw.csv"), "format": "redcap",
                    "definition": _upload(redcap / "DataDictionary.csv")}, REDCAP_PLANTED),
        "kobo": ({"file": _upload(KOBO / "export_xml.csv"), "format": "kobo",
                  "definition": _kobo_form()}, KOBO_PLANTED),
        "googleforms": ({"file": _upload(googleforms / "responses.csv")}, GOOGLE_PLANTED),
    }[tool]
    if tool == "googleforms":
        wave = _new_wave(client, instrument_id="", instrument_yaml=_drafted_yaml(
            client, googleforms / "responses.csv"))
    else:
        wave = _new_wave(client, instrument_id="harm_reduction_ta_2022")
    # Rows other tests left on this worker can hold the same documentation addresses
    # (an audit entry from 203.0.113.7): only what this import adds is counted.
    before = _planted_in_databases(planted)
    reply = post(client, f"/staff/waves/{wave.slug}/import/", posted)
    assert reply.status_code == 302, reply.content.decode()[:3000]
    assert wave.responses.count() >= 4
    assert _planted_in_databases(planted) - before == Counter()
    # The search reads what was stored: the wave's own slug is found.
    assert ("default", "surveys_wave", "slug") in _planted_in_databases((wave.slug,))
