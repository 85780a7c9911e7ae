"""Responses on the staff pages: the list, one response with its labels, exclusion and
inclusion with a reason in the audit log, likely duplicates, the audit log page, and
imports of SurveyMonkey exports (CSV and XLSX) with errors that name row and column."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import Workbook

from hrta.ingest.coordinates import column_letter
from hrta.web.contacts.models import Contact
from hrta.web.staff.duplicates import likely_duplicates
from hrta.web.surveys.models import Answer, AuditEntry, Response
from tests.web.staffdata import add_response, post, raffle_export, signed_in

ORG = {"state": "pa", "role": "program_director", "org_type": "ccbhc",
       "communities": ["rural", "tribal"]}
MORE = {"services_direct": ["naloxone", "peer_support", "counseling"],
        "services_referral": ["methadone", "housing_services", "legal_services"],
        "partners_current": ["local_public_health", "ems", "hospitals", "courts"],
        "ta_formats": ["toolkits", "webinars", "small_group"],
        "ta_areas": ["funding", "staff_training"], "ta_receiving": "no",
        "fb_policy.adequate_funding": "strongly_disagree",
        "challenges": "Stigma in the county"}


@pytest.fixture(scope="module")
def analyst():
    return signed_in("analyst")


def test_list_shows_status_source_dates_and_flags(wave, analyst):
    client, _ = analyst
    first = add_response(wave, {**ORG, **MORE})
    twin = add_response(wave, {**ORG, **MORE, "challenges": "stigma in the  COUNTY"})
    other = add_response(wave, {**ORG, "ta_receiving": "yes"})
    started = add_response(wave, {"org_type": "ccbhc"}, finish=False)
    page = client.get(f"/staff/waves/{wave.slug}/responses/").content.decode()
    assert "4 responses." in page
    assert "2 responses in this wave are flagged as likely duplicates." in page
    rows = re.findall(r"<tr>\s*<th scope=\"row\"><a[^>]*>([^<]+)</a></th>(.*?)</tr>", page, re.S)
    assert len(rows) == 4
    flagged = {ref for ref, cells in rows if "usa-tag bg-accent-warm-dark" in cells}
    from hrta.web.staff.selectors import reference

    assert flagged == {reference(first), reference(twin)}
    assert reference(other) not in flagged and reference(started) not in flagged
    assert all(ref.startswith("W-") and len(ref) == 12 for ref, _ in rows)
    assert str(first.public_id) not in page.replace(f"/staff/responses/{first.public_id}/", "")
    assert "In progress" in page and "Submitted" in page and "Web" in page
    only = client.get(f"/staff/waves/{wave.slug}/responses/?show=duplicates").content.decode()
    assert "2 responses." in only
    assert "1 response." in client.get(
        f"/staff/waves/{wave.slug}/responses/?show=in_progress").content.decode()


def test_duplicate_rule(wave):
    base = add_response(wave, {**ORG, **MORE})
    # Same organization, one answer of 26 different: still near-identical (24/26 shared).
    close = add_response(wave, {**ORG, **MORE, "ta_receiving": "unsure"})
    # Same answers but another state: a different organization.
    elsewhere = add_response(wave, {**ORG, **MORE, "state": "ny"})
    # Same organization, different answers elsewhere: not a duplicate.
    apart = add_response(wave, {**ORG, "services_direct": ["methadone"], "ta_receiving": "yes",
                                "ta_areas": ["evaluation"], "challenges": "Zoning"})
    found = likely_duplicates(wave)
    assert found[base.pk] == [close.pk] and found[close.pk] == [base.pk]
    assert elsewhere.pk not in found and apart.pk not in found


def test_response_page_shows_labels_never_contact_details(wave, analyst):
    client, _ = analyst
    response = add_response(wave, {**ORG, **MORE, "role": ("other", "Nurse <b>lead</b>")})
    from hrta.web.contacts.services import save_contact

    assert save_contact(response=response, instrument=wave.instrument, data={
        "raffle_opt_in": "yes", "raffle_name": "Rita Raffle",
        "raffle_email": "rita.raffle@example.org"}) == {}
    page = client.get(f"/staff/responses/{response.public_id}/").content.decode()
    assert "Certified Community Behavioral Health Clinic (CCBHC)" in page
    assert "Pennsylvania" in page and "Rural" in page and "Tribal" in page
    assert "Other (please specify): Nurse &lt;b&gt;lead&lt;/b&gt;" in page
    assert "Strongly disagree" in page
    assert "rita.raffle@example.org" not in page and "Rita Raffle" not in page
    assert client.get("/staff/responses/00000000-0000-0000-0000-000000000000/"
                      ).status_code == 404


def test_exclusion_needs_a_reason_and_is_audited(wave, analyst):
    client, user = analyst
    response = add_response(wave, ORG)
    url = f"/staff/responses/{response.public_id}/exclusion/"
    refused = post(client, url, {"action": "exclude", "reason": "   "})
    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()
    response.refresh_from_db()
    assert not response.excluded
    assert not AuditEntry.objects.filter(response=response,
                                         action__in=("exclude", "include")).exists()

    done = post(client, url, {"action": "exclude", "reason": "Test entry by the <b>TA</b> team"})
    assert done.status_code == 302
    response.refresh_from_db()
    assert response.excluded and response.exclusion_reason == "Test entry by the <b>TA</b> team"
    entry = AuditEntry.objects.get(response=response, action="exclude")
    assert entry.user == user and entry.reason == response.exclusion_reason
    page = client.get(f"/staff/responses/{response.public_id}/").content.decode()
    assert "Test entry by the &lt;b&gt;TA&lt;/b&gt; team" in page
    assert "Include this response" in page

    post(client, url, {"action": "include", "reason": "Checked: a real organization"})
    response.refresh_from_db()
    assert not response.excluded and response.exclusion_reason == ""
    assert list(AuditEntry.objects.filter(response=response).exclude(username="")
                .order_by("id").values_list("action", "reason")) == [
        ("exclude", "Test entry by the <b>TA</b> team"),
        ("include", "Checked: a real organization")]
    log = client.get(f"/staff/audit/?wave={wave.slug}&action=include").content.decode()
    assert "Checked: a real organization" in log and "Test entry by" not in log
    assert user.username in log




def _upload(client, wave, name: str, content: bytes):
    return post(client, f"/staff/waves/{wave.slug}/import/",
                {"file": SimpleUploadedFile(name, content)})


def test_import_csv_then_refuse_the_same_export_again(wave, analyst, tmp_path):
    client, user = analyst
    export = raffle_export(tmp_path)
    reply = _upload(client, wave, "spring export.csv", export.read_bytes())
    assert reply.status_code == 302, reply.content.decode()[:3000]
    assert wave.responses.count() == 12
    assert set(wave.responses.values_list("source", flat=True)) == {"import"}
    entry = AuditEntry.objects.get(wave=wave, action="import")
    assert entry.user == user and entry.detail == {"file": "spring export.csv",
                                                   "responses": 12}
    entrants = Contact.objects.filter(wave_slug=wave.slug).count()
    assert entrants == 2  # the export's raffle entries went to the contacts database
    assert not Answer.objects.filter(response__wave=wave, value__contains="@example.org")
    again = _upload(client, wave, "spring export.csv", export.read_bytes())
    assert again.status_code == 400
    page = again.content.decode()
    assert "Nothing was imported" in page and "was imported before" in page
    assert wave.responses.count() == 12
    assert Contact.objects.filter(wave_slug=wave.slug).count() == entrants


def test_import_xlsx(wave, analyst, tmp_path):
    client, _ = analyst
    rows = list(csv.reader(raffle_export(tmp_path, n=12, seed=6).open(encoding="utf-8")))
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    reply = _upload(client, wave, "export.xlsx", buffer.getvalue())
    assert reply.status_code == 302, reply.content.decode()[:3000]
    assert wave.responses.count() == 12


def test_import_error_names_file_row_and_column_and_saves_nothing(wave, analyst, tmp_path):
    client, _ = analyst
    rows = list(csv.reader(raffle_export(tmp_path).open(encoding="utf-8")))
    column = rows[0].index("Which best describes your organization?")
    rows[6][column] = "Spaceship operator"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    answers_before = Answer.objects.count()
    reply = _upload(client, wave, "bad.csv", buffer.getvalue().encode())
    assert reply.status_code == 400
    page = reply.content.decode()
    assert "Nothing was imported" in page
    assert "Spaceship operator" in page
    assert "File: <span dir=\"auto\">bad.csv</span>" in page
    assert "Row: 7" in page
    letters = re.search(r"Column: <span dir=\"auto\">([A-Z]+)", page).group(1)
    assert letters == column_letter(column)
    assert wave.responses.count() == 0 and Answer.objects.count() == answers_before
    assert not Contact.objects.filter(wave_slug=wave.slug).exists()
    assert not AuditEntry.objects.filter(wave=wave, action="import").exists()


def test_import_refuses_other_files_and_files_over_the_limit(wave, analyst, tmp_path):
    client, _ = analyst
    reply = _upload(client, wave, "notes.txt", b"hello")
    assert reply.status_code == 400
    assert "saved as CSV, XLSX or a SurveyMonkey zip" in reply.content.decode()
    export = raffle_export(tmp_path).read_bytes()
    with override_settings(IMPORT_MAX_BYTES=len(export) - 1):
        reply = _upload(client, wave, "export.csv", export)
    assert reply.status_code == 400 and "larger than the limit" in reply.content.decode()
    big = export * 3  # well past the limit and the room for the form around the file
    with override_settings(IMPORT_MAX_BYTES=1024):
        reply = _upload(client, wave, "export.csv", big)  # refused before reading
    assert reply.status_code == 413 and "larger than the limit" in reply.content.decode()
    # Refused before the CSRF check reads the body, yet a small post still needs the token.
    small = client.post(f"/staff/waves/{wave.slug}/import/",
                        {"file": SimpleUploadedFile("export.csv", export)})
    assert small.status_code == 403
    assert wave.responses.count() == 0
    assert Response.objects.filter(wave=wave).count() == 0
