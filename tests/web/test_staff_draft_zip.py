"""The draft page, like the import page, keeps a SurveyMonkey zip of several surveys on the
server while staff choose one: the file is uploaded once, the survey chosen, the instrument
drafted, with no second upload."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hrta.web.staff.kept import KEEP_SECONDS, kept_dir
from hrta.web.surveys.models import Wave
from tests.web.staffdata import post, signed_in

TWO_SURVEYS = (Path(__file__).resolve().parents[1] / "fixtures" / "surveymonkey"
               / "Data_All_two_surveys.zip")


@pytest.fixture(scope="module")
def admin():
    return signed_in("admin")


def _zip() -> SimpleUploadedFile:
    return SimpleUploadedFile(TWO_SURVEYS.name, TWO_SURVEYS.read_bytes())


def _kept_token(page: str) -> str:
    found = re.search(r'<input type="hidden" name="upload_token" value="([^"]+)">', page)
    assert found, page[:3000]
    return found.group(1)


def _textarea(page: str) -> str:
    found = re.search(r'<textarea[^>]*name="instrument_yaml"[^>]*>(.*?)</textarea>', page,
                      re.DOTALL)
    assert found, page[:3000]
    return html.unescape(found.group(1))


def _surveys_offered(page: str) -> list[str]:
    select = page.split('<select class="usa-select" id="id_member"')[1].split("</select>")[0]
    return [html.unescape(name) for name in re.findall(r'<option value="([^"]+)"', select)]


def test_the_draft_page_keeps_the_zip_and_drafts_the_chosen_survey(admin):
    client, _ = admin
    reply = post(client, "/staff/waves/draft/", {"file": _zip(), "format": "auto"})
    page = reply.content.decode()
    assert reply.status_code == 400 and "holds 2 surveys" in page
    assert _surveys_offered(page) == ["Harm Reduction TA Survey", "Staff Pulse Check"]
    token = _kept_token(page)
    assert (kept_dir() / token).is_dir()
    # Not asked for again: the page says the file is kept.
    assert "Data_All_two_surveys.zip is kept on the server" in page
    # A survey the zip does not hold: refused, and the zip is still kept to choose again.
    wrong = post(client, "/staff/waves/draft/", {"upload_token": token, "member": "Nope"})
    page = wrong.content.decode()
    assert wrong.status_code == 400 and "No instrument was drafted" in page
    assert _kept_token(page) == token and "Data_All_two_surveys.zip is kept" in page
    # The survey alone is chosen: no file in the second post.
    reply = post(client, "/staff/waves/draft/", {"upload_token": token,
                                                 "member": "Staff Pulse Check"})
    drafted = reply.content.decode()
    assert reply.status_code == 200, drafted[:3000]
    text = _textarea(drafted)
    # The chosen survey's questions, not the other one's.
    assert "Staff Pulse Check" in text.splitlines()[0]
    assert "professional role or title" in text
    assert not (kept_dir() / token).exists()  # drafted: not kept any longer


def test_the_other_survey_of_the_same_zip_drafts_differently(admin):
    client, _ = admin
    token = _kept_token(post(client, "/staff/waves/draft/", {"file": _zip()}).content.decode())
    text = _textarea(post(client, "/staff/waves/draft/", {
        "upload_token": token, "member": "Harm Reduction TA Survey"}).content.decode())
    assert "Harm Reduction TA Survey" in text.splitlines()[0]


def test_a_kept_zip_is_only_its_owners_and_expires(admin):
    client, _ = admin
    token = _kept_token(post(client, "/staff/waves/draft/", {"file": _zip()}).content.decode())
    other_client, _ = signed_in("admin")
    refused = post(other_client, "/staff/waves/draft/",
                   {"upload_token": token, "member": "Staff Pulse Check"})
    page = refused.content.decode()
    assert refused.status_code == 400 and "no longer on the server" in page
    assert "choose it again" in page and "<textarea" not in page
    meta = kept_dir() / token / "kept.json"
    kept = json.loads(meta.read_text())
    meta.write_text(json.dumps({**kept, "at": kept["at"] - KEEP_SECONDS - 1}))
    expired = post(client, "/staff/waves/draft/",
                   {"upload_token": token, "member": "Staff Pulse Check"})
    page = expired.content.decode()
    assert expired.status_code == 400 and "no longer on the server" in page
    # Asked for the file again: nothing is said to be kept any longer.
    assert 'name="upload_token"' not in page and "is kept on the server" not in page


def test_a_zip_kept_by_the_import_page_drafts_without_a_second_upload(admin):
    """"Draft an instrument from this file" on the import page, once the zip is kept there."""
    client, _ = admin
    slug = f"w-{timezone.now().strftime('%H%M%S%f')}"
    made = post(client, "/staff/waves/new/", {"slug": slug, "title": "Zip wave",
                                              "accepting": "on",
                                              "instrument_id": "harm_reduction_ta_2022"})
    assert made.status_code == 302, made.content.decode()[:3000]
    wave = Wave.objects.get(slug=slug)
    page = post(client, f"/staff/waves/{slug}/import/", {"file": _zip()}).content.decode()
    token = _kept_token(page)
    assert f'name="kept_wave" value="{slug}"' in page
    reply = post(client, "/staff/waves/draft/", {"upload_token": token, "kept_wave": slug,
                                                 "member": "Staff Pulse Check"})
    assert reply.status_code == 200, reply.content.decode()[:3000]
    assert "Staff Pulse Check" in _textarea(reply.content.decode()).splitlines()[0]
    # Still kept for the import it was uploaded for.
    assert (kept_dir() / token).is_dir()
    imported = post(client, f"/staff/waves/{slug}/import/",
                    {"upload_token": token, "member": "Harm Reduction TA Survey"})
    assert imported.status_code == 302, imported.content.decode()[:3000]
    assert wave.responses.exists()
