"""A malformed upload on the staff import page is a form error naming the file, never a
server error, and nothing is saved."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hrta.web.surveys.models import AuditEntry
from tests.conftest import FIXTURES, read_rows
from tests.web.staffdata import post, signed_in
from tests.xlsxfiles import DAMAGE, damaged, with_sheet

ROWS = read_rows(FIXTURES / "small_surveymonkey.csv")
UPLOADS = {
    **{kind: damaged(ROWS, kind) for kind in DAMAGE},
    "declared huge": with_sheet(ROWS, before='<dimension ref="A1:XFD1048576"/>'),
    "zip bomb": with_sheet(ROWS, before="<sheetPr/>" + " " * (8 * 1024 * 1024)),
}


@pytest.fixture(scope="module")
def analyst():
    return signed_in("analyst")


@pytest.mark.parametrize("kind", list(UPLOADS))
def test_a_malformed_workbook_is_a_form_error(wave, analyst, kind):
    client, _ = analyst
    reply = post(client, f"/staff/waves/{wave.slug}/import/",
                 {"file": SimpleUploadedFile("spring [b] export.xlsx", UPLOADS[kind])})
    assert reply.status_code == 400
    page = reply.content.decode()
    assert "Nothing was imported" in page
    assert 'File: <span dir="auto">spring [b] export.xlsx</span>' in page
    assert wave.responses.count() == 0
    assert not AuditEntry.objects.filter(wave=wave, action="import").exists()


def test_markup_and_a_deleted_column_in_a_csv(wave, analyst):
    client, _ = analyst
    rows = [list(row) for row in ROWS]
    at = rows[1].index("Naloxone distribution")
    for row in rows:
        del row[at]
    rows[2][0] = "[/]"
    text = "\n".join(",".join(f'"{cell}"' for cell in row) for row in rows)
    reply = post(client, f"/staff/waves/{wave.slug}/import/",
                 {"file": SimpleUploadedFile("export.csv", text.encode())})
    assert reply.status_code == 400
    page = reply.content.decode()
    assert "&#x27;services_direct&#x27; lacks the column of" in page
    assert wave.responses.count() == 0
