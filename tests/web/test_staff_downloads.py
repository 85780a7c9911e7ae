"""Downloads on the real database: the report, the Findings JSON and the clean data (CSV
and XLSX), each audited; contact details in none of them; hostile answers stored as given,
shown escaped, and neutralised for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from hrta.web.contacts.services import save_contact
from hrta.web.staff.downloads import KINDS, neutralise
from hrta.web.staff.selectors import reference
from hrta.web.surveys.models import Answer, AuditEntry
from tests.web.staffdata import add_response, signed_in, token

RAFFLE_EMAIL = "winner.raffle-check@example.org"
RAFFLE_NAME = "Wynn Rafflecheck"

HOSTILE = {
    "script": "<script>alert('x')</script>",
    "formula": '=HYPERLINK("http://example.com/steal","click")',
    "plus": "+1+2",
    "minus": "-2+3",
    "at": "@SUM(A1:A2)",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
    "long": "Long answer. " * 769 + "end",  # 10,000 characters
    "unicode": "RTL \u202egnirts\u202c, joiner 👩\u200d💻, combining e\u0301, ﷽, 𝔘𝔫𝔦",
    "rtl_mark": "\u200fשלום \u200e(org)",
}


@pytest.fixture(scope="module")
def viewer():
    return signed_in("viewer")


@pytest.fixture
def hostile_wave(wave):
    """Five responses (so a filtered view can list texts), their open-ended answers hostile;
    one entered the raffle."""
    texts = list(HOSTILE.values())
    made = []
    for n in range(5):
        made.append(add_response(wave, {
            "org_type": "ccbhc", "state": "ny", "ta_receiving": "yes",
            "challenges": texts[n], "facilitators": texts[n + 5],
            "role": ("other", texts[(n + 1) % len(texts)])}))
    assert save_contact(response=made[0], instrument=wave.instrument, data={
        "raffle_opt_in": "yes", "raffle_name": RAFFLE_NAME,
        "raffle_email": RAFFLE_EMAIL}) == {}
    return wave


def _get(client, wave, name: str) -> bytes:
    reply = client.get(f"/staff/waves/{wave.slug}/downloads/{name}")
    assert reply.status_code == 200, name
    assert reply["Content-Disposition"] == f'attachment; filename="{wave.slug}-{name}"'
    return reply.content


def _parquet_text(data: bytes) -> str:
    import polars as pl

    frame = pl.read_parquet(io.BytesIO(data))
    return "\n".join(str(cell) for column in frame.iter_columns() for cell in column)


def _zip_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace")
                       for name in archive.namelist())


def test_hostile_answers_are_stored_exactly_as_given(hostile_wave):
    stored = set(Answer.objects.filter(response__wave=hostile_wave).exclude(value=None)
                 .values_list("value", flat=True))
    assert set(HOSTILE.values()) <= stored
    assert len(HOSTILE["long"]) == 10_000


def test_no_download_holds_contact_details(hostile_wave, viewer):
    client, _ = viewer
    admin, _ = signed_in("admin")
    texts = {}
    for name in KINDS:
        data = _get(client, hostile_wave, name)
        # SPSS and Stata files hold their text as UTF-8 among binary fields.
        texts[name] = _zip_text(data) if name.endswith((".xlsx", ".docx")) else \
            _parquet_text(data) if name.endswith(".parquet") else \
            data.decode("utf-8-sig", "replace" if name.endswith((".sav", ".dta")) else "strict")
    texts["api"] = client.get(f"/api/waves/{hostile_wave.slug}/findings").content.decode()
    texts["dashboard"] = client.get(f"/staff/waves/{hostile_wave.slug}/").content.decode()
    response = hostile_wave.responses.first()
    texts["response page"] = admin.get(f"/staff/responses/{response.public_id}/"
                                       ).content.decode()
    texts["responses list"] = admin.get(f"/staff/waves/{hostile_wave.slug}/responses/"
                                        ).content.decode()
    assert set(texts) >= {"report.html", "report.docx", "findings.json", "responses.csv",
                          "responses.xlsx", "responses.sav", "responses.dta",
                          "responses-wide.xlsx", "responses-wide.csv", "codebook.csv"}
    for name, text in texts.items():
        assert RAFFLE_EMAIL not in text, name
        assert RAFFLE_NAME not in text, name
        assert "example.org" not in text, name
    # Web responses are named by a pseudonym: the random id that keys contact entries
    # never leaves the app.
    for name in ("responses.csv", "responses.xlsx", "findings.json", "report.html"):
        for answer in hostile_wave.responses.all():
            assert str(answer.public_id) not in texts[name], name
    assert reference(response) in texts["responses.csv"]
    # Only the raffle page shows them, to an admin who draws.
    drawn = admin.post(f"/staff/waves/{hostile_wave.slug}/raffle/",
                       {"action": "draw", "csrfmiddlewaretoken":
                        token(admin)}).content.decode()
    assert RAFFLE_EMAIL in drawn and RAFFLE_NAME in drawn


def test_each_download_is_audited(hostile_wave, viewer):
    client, user = viewer
    for name in ("findings.json", "responses.csv"):
        _get(client, hostile_wave, name)
    logged = list(AuditEntry.objects.filter(wave=hostile_wave, action="download", user=user)
                  .order_by("id").values_list("detail", flat=True))
    assert logged == [{"file": "findings.json"}, {"file": "responses.csv"}]
    assert client.get(f"/staff/waves/{hostile_wave.slug}/downloads/passwords.txt"
                      ).status_code == 404


def test_report_and_findings_downloads(hostile_wave, viewer):
    client, _ = viewer
    report = _get(client, hostile_wave, "report.html").decode()
    assert report.startswith("<!doctype html>")
    assert "Harm Reduction Technical Assistance Stakeholder Analysis" in report
    # Open-ended answers are printed only in a report asked for with its verbatims.
    assert "<script>alert" not in report and "&lt;script&gt;alert" not in report
    findings = json.loads(_get(client, hostile_wave, "findings.json"))
    assert findings["responses"] == {"total": 5, "eligible": 5, "excluded": 0}
    assert sorted(findings["questions"]["challenges"]["answers"]) == \
        sorted(list(HOSTILE.values())[:5])
    docx = _get(client, hostile_wave, "report.docx")
    assert docx[:2] == b"PK"


def _csv_cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_and_xlsx_have_labels_and_neutralised_formulas(hostile_wave, viewer):
    client, _ = viewer
    rows = _csv_cells(_get(client, hostile_wave, "responses.csv"))
    book = load_workbook(io.BytesIO(_get(client, hostile_wave, "responses.xlsx")))
    sheet = book["Responses"]
    xlsx = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(rows) == len(xlsx) == 2 + 5
    header = rows[0]
    org = header.index("Which best describes your organization?")
    assert rows[1][org] == "Response"
    assert {row[org] for row in rows[2:]} == {
        "Certified Community Behavioral Health Clinic (CCBHC)"}
    challenges = header.index(next(h for h in header if h.startswith("What have been the "
                                                                      "greatest challenges")))
    written = [row[challenges] for row in rows[2:]]
    for cell in written + [row[challenges] for row in xlsx[2:]]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    expected = [neutralise(text) for text in list(HOSTILE.values())[:5]]
    assert sorted(written) == sorted(expected)
    assert "'=HYPERLINK(\"http://example.com/steal\",\"click\")" in written
    assert "'+1+2" in written and "'-2+3" in written and "'@SUM(A1:A2)" in written
    facilitators = [row[challenges + 1] for row in rows[2:]]
    assert "'\t=1+1" in facilitators and "'\r=1+1" in facilitators
    assert HOSTILE["long"] in facilitators and HOSTILE["unicode"] in facilitators
    # XLSX: the same text, as strings, never formulas.
    cells = [cell for row in sheet.iter_rows(min_row=3) for cell in row if cell.value]
    assert all(cell.data_type == "s" for cell in cells)
    assert "'=HYPERLINK(\"http://example.com/steal\",\"click\")" in \
        [row[challenges] for row in xlsx[2:]]


def test_hostile_text_is_shown_escaped_on_staff_pages(hostile_wave):
    admin, _ = signed_in("admin")
    response = hostile_wave.responses.order_by("id").first()
    page = admin.get(f"/staff/responses/{response.public_id}/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    dashboard = admin.get(f"/staff/waves/{hostile_wave.slug}/").content.decode()
    assert "<script>alert" not in dashboard
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in dashboard
    assert "=HYPERLINK(&quot;http://example.com/steal&quot;,&quot;click&quot;)" in dashboard
    assert HOSTILE["unicode"] in dashboard and HOSTILE["long"] in dashboard
    # Filtered, the group of five still lists its answers, escaped.
    filtered = admin.get(f"/staff/waves/{hostile_wave.slug}/?org_type=ccbhc").content.decode()
    assert "<script>alert" not in filtered and "&lt;script&gt;alert" in filtered


def test_neutralise():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("\r\n") == "'\r\n"
    assert neutralise("a=1") == "a=1"
    assert neutralise("") == "" and neutralise(None) is None


def test_wide_downloads_for_spss_stata_and_r(hostile_wave, viewer, tmp_path):
    """The page offers the wide layout; SPSS and Stata read it back with labels, web
    responses named by their pseudonym, formulas neutralised in the CSV."""
    import pyreadstat

    client, _ = viewer
    page = client.get(f"/staff/waves/{hostile_wave.slug}/downloads/").content.decode()
    for name in ("responses.sav", "responses.dta", "responses-wide.xlsx",
                 "responses-wide.csv", "codebook.csv"):
        assert f"/downloads/{name}" in page, name
    ccbhc = "Certified Community Behavioral Health Clinic (CCBHC)"
    for suffix, read in ((".sav", pyreadstat.read_sav), (".dta", pyreadstat.read_dta)):
        path = tmp_path / f"wave{suffix}"
        path.write_bytes(_get(client, hostile_wave, f"responses{suffix}"))
        frame, meta = read(str(path), apply_value_formats=True)
        assert len(frame) == 5
        assert set(frame["org_type"]) == {ccbhc}
        assert meta.column_names_to_labels["org_type"] == \
            "Which best describes your organization?"
        assert set(frame["response_id"]) == {reference(r) for r in hostile_wave.responses.all()}
        assert sorted(frame["challenges"]) == sorted(list(HOSTILE.values())[:5])
    rows = _csv_cells(_get(client, hostile_wave, "responses-wide.csv"))
    challenges = [row[rows[0].index("challenges")] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://example.com/steal\",\"click\")" in challenges
    codebook = _csv_cells(_get(client, hostile_wave, "codebook.csv"))
    assert codebook[0] == ["variable", "label", "question_id", "item_id", "type", "values",
                           "missing"]
    assert [row[0] for row in codebook[1:]] == rows[0]
    book = load_workbook(io.BytesIO(_get(client, hostile_wave, "responses-wide.xlsx")))
    assert book.sheetnames == ["Responses", "Codebook"]


def test_wide_parquet_and_r_script_downloads(hostile_wave, viewer, tmp_path):
    """Parquet holds the same wide columns as the CSV; the R script reads the CSV under the
    name the page gives it, with its labels."""
    import shutil
    import subprocess

    import polars as pl

    client, _ = viewer
    page = client.get(f"/staff/waves/{hostile_wave.slug}/downloads/").content.decode()
    for name in ("responses-wide.parquet", "responses-wide.R"):
        assert f"/downloads/{name}" in page, name
    rows = _csv_cells(_get(client, hostile_wave, "responses-wide.csv"))
    frame = pl.read_parquet(io.BytesIO(_get(client, hostile_wave, "responses-wide.parquet")))
    assert frame.columns == rows[0]
    assert frame.height == len(rows) - 1 == 5
    script = _get(client, hostile_wave, "responses-wide.R").decode("ascii")
    csv_name = f"{hostile_wave.slug}-responses-wide.csv"
    assert f'read.csv("{csv_name}"' in script
    assert shutil.which("Rscript"), "Rscript is missing: install Debian's r-base-core " \
        "(make system-test)"
    (tmp_path / csv_name).write_bytes(_get(client, hostile_wave, "responses-wide.csv"))
    (tmp_path / "read.R").write_text(script + 'cat(nrow(data), attr(data[["org_type"]], '
                                     '"label"), levels(data[["org_type"]])[1], sep = "|")\n')
    done = subprocess.run(["Rscript", "read.R"], cwd=tmp_path, capture_output=True,
                          text=True, check=True)
    assert done.stdout.split("|")[:2] == ["5", "Which best describes your organization?"]
