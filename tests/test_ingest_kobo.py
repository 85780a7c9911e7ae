"""KoboToolbox: the XLSForm as an instrument (XLSX, XLS, CSV pair) and its data exports."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
import xlwt

from hrta.errors import InputError
from hrta.ingest import load_responses
from hrta.ingest.definitions import read_definition
from hrta.instrument.loader import parse
from hrta.instrument.translation import translate
from hrta.instrument.writing import instrument_yaml
from tests.conftest import read_rows, run_hrta, write_rows

FIXTURES = Path(__file__).parent / "fixtures" / "kobo"
SURVEY = FIXTURES / "survey.csv"
XML_EXPORT = FIXTURES / "export_xml.csv"
# Planted in identifying columns (username, e-mail, organization, location, submitted by).
PERSONAL = ("alice@example.org", "bob@example.org", "alice_k", "bob_j", "carol_m",
            "Harm Reduction Works", "Bob's Clinic", "40.7128", "-87.63")


def _kobo_rows() -> list[list[str]]:
    """The `;`-separated export's cells, to rewrite in another layout."""
    with XML_EXPORT.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def _sheets() -> dict[str, list[list[str]]]:
    return {name: read_rows(FIXTURES / f"{name}.csv")
            for name in ("survey", "choices", "settings")}


def _xlsx(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([cell or None for cell in row])
    book.save(path)
    return path


def _xls(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    book = xlwt.Workbook()
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                sheet.write(r, c, cell)
    book.save(str(path))
    return path


@pytest.fixture(scope="module")
def instrument_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    converted = read_definition(SURVEY)
    path = tmp_path_factory.mktemp("kobo") / "instrument.yaml"
    path.write_text(instrument_yaml(converted.instrument, header=converted.header,
                                    notes=converted.notes, origin=str(SURVEY)))
    return path


def _instrument(path: Path):
    return parse(path.read_text(), origin=str(path))


@pytest.mark.parametrize("kind", ["csv", "xlsx", "xls"])
def test_xlsform_becomes_instrument(kind: str, tmp_path: Path) -> None:
    source = {"csv": lambda: SURVEY,
              "xlsx": lambda: _xlsx(tmp_path / "form.xlsx", _sheets()),
              "xls": lambda: _xls(tmp_path / "form.xls", _sheets())}[kind]()
    converted = read_definition(source)
    instrument = converted.instrument
    assert (instrument.id, instrument.title, instrument.version) == (
        "ta_survey", "TA survey", "2024072601")
    assert [q.id for q in instrument.questions] == [
        "works_in_tx", "role", "org_name", "services", "fts_count", "challenges",
        "visit_date", "email"]
    assert [s.id for s in instrument.sections] == ["about", "services_group", "main"]
    q = instrument.question
    assert q("works_in_tx").required and q("works_in_tx").option_ids == ("yes", "no")
    assert q("role").option_ids == ("director", "manager", "peer", "other")
    assert q("role").option("other").other and q("role").help == "Choose the closest"
    assert q("services").type == "multi"
    assert q("services").show_if.question == "works_in_tx"
    assert q("fts_count").type == "text" and q("fts_count").show_if.any_of == ("fts",)
    assert q("visit_date").show_if is None
    assert any("${role} != ''" in note for note in converted.notes["visit_date"])
    assert any(". >= 0 (Must be zero or more)" in n for n in converted.notes["fts_count"])
    assert q("org_name").pii and q("email").pii
    # The repeat group's question and the location are left out, and said so.
    assert "staff_role" not in [x.id for x in instrument.questions]
    assert any("location (geopoint)" in line for line in converted.header)
    assert any("repeat group(s) staff" in line for line in converted.header)
    spanish = converted.translations["es"]
    assert spanish["sections"] == {"about": "Sobre su organización",
                                   "services_group": "Servicios"}
    assert spanish["questions"]["services"]["options"]["fts"] == "Tiras de prueba de fentanilo"
    assert spanish["questions"]["role"]["help"] == "Elija la más cercana"


def test_xlsform_without_choices_is_refused(tmp_path: Path) -> None:
    sheets = _sheets()
    del sheets["choices"]
    form = _xlsx(tmp_path / "form.xlsx", sheets)
    out = tmp_path / "out.yaml"
    done = run_hrta("instrument", "import", form, "-o", out)
    assert done.returncode == 2
    assert "sheet 'survey', row 6, column A ('type')" in done.stderr
    assert "no 'choices' sheet" in done.stderr
    assert not out.exists()


def _counts(findings: dict, qid: str) -> dict[str, int]:
    return {o: v["count"] for o, v in findings["questions"][qid]["options"].items()}


def _labels_export(tmp_path: Path) -> Path:
    """Labels, `/` between groups, select_multiple as labels in one column; a repeat sheet."""
    rows = _kobo_rows()
    labels = {
        "about/works_in_tx": "About your organization/Do you work at a treatment organization?",
        "about/role": "About your organization/What is your role?",
        "about/role_other": "About your organization/Specify other.",
        "about/org_name": "About your organization/Organization name",
        "services_group/services": "Services/Which services do you offer?",
        "services_group/fts_count": "Services/How many test strips a month?",
        "services_group/challenges": "Services/What are your biggest challenges?",
        "services_group/visit_date": "Services/Date of visit",
        "email": "Your e-mail",
    }
    words = {"yes": "Yes", "no": "No", "director": "Executive Director",
             "manager": "Program Manager", "peer": "Peer worker", "other": "Other",
             "naloxone ssp": "Naloxone Syringe services",
             "ssp fts": "Syringe services Fentanyl test strips",
             "naloxone fts": "Naloxone Fentanyl test strips"}
    keep = [i for i, name in enumerate(rows[0]) if not name.startswith(
        "services_group/services/")]
    header = [labels.get(rows[0][i], rows[0][i]) for i in keep]
    body = [[words.get(row[i], row[i]) if rows[0][i] in labels else row[i] for i in keep]
            for row in rows[1:]]
    return _xlsx(tmp_path / "labels.xlsx", {"TA survey": [header, *body],
                                            "staff": [["staff_role", "_parent_index"],
                                                      ["nurse", "1"]]})


def _dotted_export(tmp_path: Path) -> Path:
    """XML values, `.` between groups, select_multiple only as split 0/1 columns, commas."""
    rows = _kobo_rows()
    drop = rows[0].index("services_group/services")
    rows = [row[:drop] + row[drop + 1:] for row in rows]
    rows[0] = [name.replace("/", ".") for name in rows[0]]
    return write_rows(tmp_path / "dotted.csv", rows)


def test_cli_import_then_every_export_layout_alike(tmp_path: Path) -> None:
    instrument = tmp_path / "form.yaml"
    form = _xlsx(tmp_path / "form.xlsx", _sheets())
    done = run_hrta("instrument", "import", form, "-o", instrument)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "form.es.yaml").is_file()
    results = []
    for export in (XML_EXPORT, _labels_export(tmp_path), _dotted_export(tmp_path)):
        out = tmp_path / f"{export.stem}.json"
        done = run_hrta("analyze", export, "--instrument", instrument, "--json", out)
        assert done.returncode == 0, done.stderr
        text = out.read_text()
        assert not [p for p in PERSONAL if p in text], export
        results.append(json.loads(text))
    first = results[0]
    assert first["responses"]["total"] == 4
    assert _counts(first, "works_in_tx") == {"yes": 3, "no": 1}
    assert _counts(first, "role") == {"director": 1, "manager": 1, "peer": 1, "other": 1}
    assert _counts(first, "services") == {"naloxone": 2, "ssp": 2, "fts": 2}
    assert first["questions"]["services"]["n"] == 3
    assert first["questions"]["fts_count"]["answers"] == ["200", "50"]
    assert first["fielded"] == {"first": "2024-07-26", "last": "2024-07-29"}
    for other in results[1:]:
        for key in ("questions", "responses", "fielded", "sections"):
            assert other[key] == first[key], key
    assert any("'staff'" in w for w in results[1]["warnings"])
    converted = tmp_path / "converted.csv"
    done = run_hrta("convert", XML_EXPORT, "--instrument", instrument, "-o", converted)
    assert done.returncode == 0, done.stderr
    assert not [p for p in PERSONAL if p in converted.read_text()]
    report = tmp_path / "report.html"
    done = run_hrta("report", XML_EXPORT, "--instrument", instrument, "-o", report,
                    "--no-themes")
    assert done.returncode == 0, done.stderr
    assert not [p for p in PERSONAL if p in report.read_text(encoding="utf-8")]


def test_other_text_and_metadata(instrument_file: Path) -> None:
    responses = load_responses(XML_EXPORT, _instrument(instrument_file), fmt="kobo")
    assert responses.respondents["response_id"].to_list() == [
        "8b1f-0001", "8b1f-0002", "8b1f-0003", "8b1f-0004"]
    assert responses.respondents["started_at"][0] == "2024-07-26 10:00:00"
    others = responses.texts.filter(responses.texts["option_id"] == "other")
    assert others["value"].to_list() == ["Board chair"]
    assert responses.attributes["validation status"].to_list() == [
        "validation_status_approved", None, "validation_status_not_approved", None]
    assert sorted(responses.contacts["value"].to_list()) == sorted(
        ["Harm Reduction Works", "Bob's Clinic", "alice@example.org", "bob@example.org"])


def test_unknown_choice_names_row_and_column(tmp_path: Path, instrument_file: Path) -> None:
    rows = _kobo_rows()
    rows[2][4] = "janitor"
    bad = write_rows(tmp_path / "bad.csv", rows)
    with pytest.raises(InputError) as caught:
        load_responses(bad, _instrument(instrument_file), fmt="auto")
    assert (caught.value.row, caught.value.column) == (3, "E ('about/role')")
    assert "'janitor' is not a choice of 'role'" in caught.value.message


def test_export_without_its_form_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "findings.json"
    done = run_hrta("analyze", XML_EXPORT, "--format", "kobo", "--json", out)
    assert done.returncode == 2
    assert "a Kobo export is read with its form" in done.stderr
    assert not out.exists()


def test_translation_overlay_beside_a_file_instrument(tmp_path: Path) -> None:
    instrument = tmp_path / "form.yaml"
    assert run_hrta("instrument", "import", SURVEY, "-o", instrument).returncode == 0
    loaded = parse(instrument.read_text(), origin=str(instrument))
    spanish = translate(loaded, "es", beside=instrument)
    assert spanish.question("works_in_tx").text == "¿Trabaja en una organización de tratamiento?"
    assert spanish.question("services").option("ssp").label == "Servicios de jeringas"
    done = run_hrta("instrument", "show", "--instrument", instrument, "--language", "es")
    assert done.returncode == 0, done.stderr
    assert "Servicios de jeringas" in done.stdout
