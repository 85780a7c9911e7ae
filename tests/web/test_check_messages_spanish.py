"""Checks the command line shares with the web (import errors, what a reader noticed while
importing, the TA catalog's checks) read in Spanish on Spanish staff pages: each message is
an English template (the msgid) whose Spanish is in the catalog
src/hrta/locale/es/LC_MESSAGES/django.po, the place in the file (file, row, column) kept
apart; the command line still prints the English."""

from __future__ import annotations

import ast
import csv
import html
import importlib
import io
import re
from pathlib import Path
from typing import Any

import polib
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hrta.errors import InputError
from tests.conftest import FIXTURES, read_rows, run_hrta, write_rows
from tests.web.staffdata import post, signed_in

SRC = Path(__file__).resolve().parents[2] / "src" / "hrta"
CATALOGUE = SRC / "locale" / "es" / "LC_MESSAGES" / "django.po"
# Where the shared checks are written: the argument of InputError (and of the helpers that
# make one) that MESSAGE_ARGUMENT names is the English msgid.
SOURCES = [*sorted((SRC / "ingest").glob("*.py")), SRC / "errors.py",
           SRC / "instrument" / "loader.py",
           SRC / "yamlfiles.py", SRC / "assistance" / "catalog.py",
           SRC / "web" / "surveys" / "instruments.py", SRC / "web" / "staff" / "services.py",
           SRC / "web" / "assistance" / "services.py"]
# Modules whose messages name what they found only through `params`, never an f-string.
TEMPLATED = [*(SRC / "ingest" / f"{name}.py" for name in (
                 "tables", "kobo", "googleforms", "xlsform", "draft", "mapping", "archive",
                 "surveymonkey", "building", "redcap", "qualtrics", "qsf",
                 "redcap_dictionary")),
             SRC / "instrument" / "loader.py", SRC / "yamlfiles.py",
             SRC / "assistance" / "catalog.py", SRC / "web" / "surveys" / "instruments.py",
             SRC / "web" / "staff" / "services.py"]
MESSAGE_ARGUMENT = {"InputError": 0, "fail": 1, "FieldError": 1, "row_error": 0,
                    "_untyped": 2, "_upload_name": 2, "CellError": 0,
                    "field_error": 0, "Notice": 0, "Phrase": 0}
# Messages chosen from a table or put together from parts rather than written in the call:
# module-level names holding a msgid, or a dict whose values are msgids.
MESSAGE_TABLES = {
    "hrta.web.staff.services": ("_SEVERAL",),
    "hrta.web.surveys.services": ("ImportedBeforeError.template",),
    "hrta.ingest.mapping": ("_NOT_ABSENT",),
    "hrta.ingest.qsf": ("_DOES_NOT_CONVERT", "_DOES_NOT_CONVERT_BECAUSE"),
    "hrta.ingest.surveymonkey": ("_TWO_COLUMNS", "_MISFIT", "_MISFITS", "_LACKS",
                                 "_LACKS_ABSENT", "_ADDED"),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)")


def _messages(path: Path) -> list[tuple[int, ast.expr]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            index = MESSAGE_ARGUMENT.get(name)
            if index is not None and len(node.args) > index:
                found.append((node.lineno, node.args[index]))
    return found


def _literals(argument: ast.expr) -> list[str]:
    """The msgids an argument writes: a literal, or either literal of `a if … else b`."""
    if isinstance(argument, ast.IfExp):
        return [*_literals(argument.body), *_literals(argument.orelse)]
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return [argument.value]
    return []


def _tabled() -> dict[str, str]:
    ids = {}
    for module, names in MESSAGE_TABLES.items():
        loaded = importlib.import_module(module)
        for name in names:
            value: Any = loaded
            for part in name.split("."):
                value = getattr(value, part)
            for msgid in value.values() if isinstance(value, dict) else [value]:
                ids.setdefault(msgid, f"{module}.{name}")
    return ids


def _msgids() -> dict[str, str]:
    """Every English message written as a literal, with where it is written."""
    ids = {"row %(row)s": "src/hrta/errors.py", "column %(column)s": "src/hrta/errors.py"}
    for path in SOURCES:
        for line, argument in _messages(path):
            for msgid in _literals(argument):
                ids.setdefault(msgid, f"{path.relative_to(SRC)}:{line}")
    return {**_tabled(), **ids}


def test_every_shared_check_message_has_its_spanish():
    po = polib.pofile(str(CATALOGUE))
    spanish = {entry.msgid: entry.msgstr for entry in po.translated_entries()
               if "fuzzy" not in entry.flags}
    missing = [f"{where}: {msgid!r}" for msgid, where in _msgids().items()
               if msgid not in spanish]
    assert not missing, f"not in {CATALOGUE}:\n" + "\n".join(missing)
    differ = [msgid for msgid, text in spanish.items()
              if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(text))]
    assert not differ, differ


def test_templated_modules_name_what_they_found_through_params():
    written = [f"{path.relative_to(SRC)}:{line}" for path in TEMPLATED
               for line, argument in _messages(path) if isinstance(argument, ast.JoinedStr)]
    assert not written, "an f-string message cannot be looked up in the catalog: " \
                        "write it as a template with params: " + ", ".join(written)


def test_a_template_in_another_language_keeps_the_place_apart():
    error = InputError("this row has %(cells)s cells but the header has %(width)s",
                       params={"cells": 9, "width": 7}, file="export.csv", row=4,
                       column="H")
    assert str(error) == "export.csv, row 4, column H: this row has 9 cells but the header " \
                         "has 7"
    spanish = {"this row has %(cells)s cells but the header has %(width)s":
               "esta fila tiene %(cells)s celdas, pero el encabezado tiene %(width)s",
               "row %(row)s": "fila %(row)s", "column %(column)s": "columna %(column)s"}
    assert error.text(lambda text: spanish.get(text, text)) == \
        "export.csv, fila 4, columna H: esta fila tiene 9 celdas, pero el encabezado tiene 7"
    renamed = error.renamed("/tmp/x/upload.csv", "export.csv", file="export.csv")
    assert renamed.template == error.template and renamed.params == error.params


@pytest.fixture(scope="module")
def spanish_analyst():
    client, user = signed_in("analyst")
    client.cookies["django_language"] = "es"
    return client, user


def _ragged(tmp_path: Path) -> Path:
    rows = read_rows(FIXTURES / "small_surveymonkey.csv")
    rows[3] = [*rows[3], "extra", "cells"]  # the first response, two cells too many
    return write_rows(tmp_path / "spring export.csv", rows)


def test_a_spanish_staff_import_of_a_malformed_export_reads_in_spanish(
        wave, spanish_analyst, tmp_path):
    client, _ = spanish_analyst
    export = _ragged(tmp_path)
    reply = post(client, f"/staff/waves/{wave.slug}/import/",
                 {"file": SimpleUploadedFile(export.name, export.read_bytes())})
    assert reply.status_code == 400
    page = html.unescape(reply.content.decode())
    width = len(read_rows(FIXTURES / "small_surveymonkey.csv")[0])
    assert f"esta fila tiene {width + 2} celdas, pero el encabezado tiene {width}" in page
    assert 'Archivo: <span dir="auto">spring export.csv</span>' in page
    assert "Fila: 4" in page and "Columna:" in page
    assert "this row has" not in page
    assert wave.responses.count() == 0
    # The command line reads the same file in English, with the same place.
    analysed = run_hrta("analyze", export, "--json", tmp_path / "findings.json",
                        "--no-themes")
    assert analysed.returncode == 2
    assert "row 4, column" in analysed.stderr
    assert f"this row has {width + 2} cells but the header has {width}" in analysed.stderr


def test_a_catalog_check_on_the_spanish_entry_form_reads_in_spanish(spanish_analyst):
    client, _ = spanish_analyst
    reply = post(client, "/staff/catalog/new/", {
        "id": "horario_de_consulta", "title": "Horario de consulta", "publisher": "Centro",
        "format": "small_group", "topics": ["funding"], "communities": ["rural"],
        "link": "ftp://example.org/guia", "year": "", "last_reviewed": "", "notes": ""})
    page = html.unescape(reply.content.decode())
    assert reply.status_code == 400, page[:2000]
    assert "el enlace 'ftp://example.org/guia' debe ser una dirección http:// o https://" \
           in page
    assert "must be an http" not in page


def test_a_large_import_refused_by_the_worker_reads_in_the_language_of_who_asked(
        wave, spanish_analyst, tmp_path):
    from hrta.web.tasks.models import Job
    from tests.web.tasking import import_as_task

    client, _ = spanish_analyst
    job, _page = import_as_task(client, wave, "grande.csv", _ragged(tmp_path).read_bytes())
    assert job.status == Job.Status.FAILED
    assert job.message.startswith("grande.csv, fila 4, columna "), job.message
    assert "esta fila tiene" in job.message


def test_a_spanish_import_of_an_export_imported_before_reads_in_spanish(
        wave, spanish_analyst):
    client, _ = spanish_analyst
    export = (FIXTURES / "small_surveymonkey.csv").read_bytes()
    first = post(client, f"/staff/waves/{wave.slug}/import/",
                 {"file": SimpleUploadedFile("primavera.csv", export)})
    assert first.status_code == 302
    imported = wave.responses.count()
    again = post(client, f"/staff/waves/{wave.slug}/import/",
                 {"file": SimpleUploadedFile("primavera.csv", export)})
    page = html.unescape(again.content.decode())
    assert again.status_code == 400
    assert f"ya está en la ronda '{wave.slug}'" in page, page[page.find("<main"):][:3000]
    assert "was imported before" not in page
    assert wave.responses.count() == imported


def test_a_spanish_draft_from_a_zip_of_several_surveys_asks_which_in_spanish(tmp_path):
    import zipfile

    client, _ = signed_in("admin")  # drafting a wave's instrument is an admin's
    client.cookies["django_language"] = "es"
    bundle = tmp_path / "descarga.zip"
    export = (FIXTURES / "small_surveymonkey.csv").read_bytes()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("CSV/Primavera.csv", export)
        archive.writestr("CSV/Otoño.csv", export)
    reply = post(client, "/staff/waves/draft/",
                 {"file": SimpleUploadedFile(bundle.name, bundle.read_bytes()),
                  "format": "auto"})
    page = html.unescape(reply.content.decode())
    assert "el zip contiene 2 encuestas:" in page, page[page.find("<main"):][:3000]
    assert "Choose which one" not in page


def test_a_spanish_wave_made_from_a_broken_instrument_yaml_reads_in_spanish():
    client, _ = signed_in("admin")
    client.cookies["django_language"] = "es"
    reply = post(client, "/staff/waves/new/", {
        "slug": "yaml-roto", "title": "YAML roto", "accepting": "on", "instrument_id": "",
        "instrument_file": SimpleUploadedFile("survey.yaml", b"id: roto\nsections: [\n")})
    page = html.unescape(reply.content.decode())
    assert "YAML no válido: " in page, page[page.find("<main"):][:3000]
    assert "not valid YAML" not in page


def test_a_spanish_staff_import_of_a_redcap_export_with_a_bad_cell_reads_in_spanish(
        wave, tmp_path):
    client, _ = signed_in("admin")  # an import with its definition may change the instrument
    client.cookies["django_language"] = "es"
    rows = read_rows(FIXTURES / "redcap" / "export_raw.csv")
    role = rows[0].index("role")
    rows[2][role] = "7"  # record 1's role: no code of the data dictionary
    export = write_rows(tmp_path / "registro.csv", rows)
    reply = post(client, f"/staff/waves/{wave.slug}/import/", {
        "file": SimpleUploadedFile(export.name, export.read_bytes()), "format": "redcap",
        "definition": SimpleUploadedFile(
            "DataDictionary.csv", (FIXTURES / "redcap" / "DataDictionary.csv").read_bytes())})
    page = html.unescape(reply.content.decode())
    assert reply.status_code == 400, page[page.find("<main"):][:3000]
    assert "el código '7' no está en el diccionario de datos de 'role'" in page, \
        page[page.find("usa-alert--error"):][:1500]
    assert 'Archivo: <span dir="auto">registro.csv</span>' in page
    assert "Fila: 3" in page and 'Columna: <span dir="auto">E (\'role\')</span>' in page
    assert "is not in the data dictionary" not in page
    assert wave.responses.count() == 0


def test_a_kobo_cell_that_is_no_choice_reads_in_spanish_from_the_catalogue(tmp_path):
    """Readers' cell errors pass through the column reader as templates, so that a Kobo
    "'x' is not a choice of …" reads in Spanish on the web too."""
    from hrta.ingest import load_responses
    from hrta.ingest.definitions import read_definition

    kobo = FIXTURES / "kobo"
    export = (kobo / "export_xml.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(export), delimiter=";"))
    rows[2][4] = "janitor"
    bad = write_rows(tmp_path / "kobo.csv", rows)
    instrument = read_definition(kobo / "survey.csv").instrument
    with pytest.raises(InputError) as caught:
        load_responses(bad, instrument, fmt="kobo")
    spanish = {entry.msgid: entry.msgstr
               for entry in polib.pofile(str(CATALOGUE)).translated_entries()}
    text = caught.value.text(lambda msgid: spanish.get(msgid, msgid))
    assert text.startswith(f"{bad}, fila 3, columna E ('about/role'): 'janitor' no es una "
                           "opción de 'role' en el formulario; se esperaba una de estas: "), text
    assert str(caught.value).startswith(f"{bad}, row 3, column E ('about/role'): 'janitor' is "
                                        "not a choice of 'role' in the form; expected one of: ")


def _catalogue() -> dict[str, str]:
    return {entry.msgid: entry.msgstr
            for entry in polib.pofile(str(CATALOGUE)).translated_entries()}


def test_a_readers_notices_read_in_spanish_from_the_catalogue():
    """What the readers noticed is a template too: each of a Windows-1252 SurveyMonkey
    export's and a Qualtrics export's notices has its Spanish; the English is unchanged."""
    from hrta.ingest import load_responses
    from hrta.ingest.definitions import read_definition
    from hrta.instrument import load_bundled

    spanish = _catalogue()
    windows = FIXTURES / "surveymonkey" / "windows_1252.csv"
    qualtrics = FIXTURES / "qualtrics"
    notices = [
        *load_responses(windows, load_bundled()).warnings,
        *load_responses(qualtrics / "choice_text.csv",
                        read_definition(qualtrics / "ta_needs_2024.qsf").instrument,
                        fmt="qualtrics").warnings]
    assert len(notices) == 4
    assert all(notice.template in spanish for notice in notices)
    texts = [notice.text(lambda msgid: spanish.get(msgid, msgid)) for notice in notices]
    assert texts[0].startswith(f"{windows} no está en UTF-8: se leyó como Windows-1252")
    assert any(text.startswith(f"{qualtrics / 'choice_text.csv'}: se conservó 1 respuesta "
                               "sin terminar") for text in texts), texts
    assert str(notices[0]).startswith(f"{windows} is not UTF-8: read as Windows-1252 (what")


def test_the_words_joining_a_list_inside_a_message_are_translated(tmp_path):
    """"'A', 'B' and 3 more" is put together from a template of its own."""
    from hrta.ingest import load_responses
    from hrta.ingest.definitions import read_definition

    redcap = FIXTURES / "redcap"
    rows = read_rows(redcap / "export_raw.csv")
    rows = [[*row, *([f"extra_{i}" for i in range(8)] if n == 0 else [""] * 8)]
            for n, row in enumerate(rows)]
    export = write_rows(tmp_path / "registro.csv", rows)
    notice, = load_responses(export, read_definition(redcap / "DataDictionary.csv").instrument,
                             fmt="redcap").warnings
    spanish = _catalogue()
    text = notice.text(lambda msgid: spanish.get(msgid, msgid))
    assert "AA ('extra_3'), AB ('extra_4') y 3 más, que no están en el cuestionario" in text
    assert " and " not in text
    assert "AA ('extra_3'), AB ('extra_4') and 3 more, which the instrument" in str(notice)
