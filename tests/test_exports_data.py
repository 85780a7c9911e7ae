"""The data out: the wide layout as SPSS, Stata, CSV, Parquet and XLSX with its codebook,
read back with pyreadstat (SPSS's and Stata's own format library) and Polars."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyreadstat
import pytest
from openpyxl import load_workbook

from hrta.exports.data import codebook_path, r_script_path, write_wide
from hrta.exports.names import Names
from hrta.exports.wide import NOT_ANSWERED, NOT_SHOWN, wide_data
from hrta.instrument import parse
from hrta.responses import ResponseSet
from tests.conftest import run_hrta

FORM = """
id: exports_check
version: "1"
title: Export check
eligibility: {question: works, ineligible_options: ["no"]}
sections:
  - id: main
    title: Main
    questions:
      - {id: works, type: single, text: Do you work here?,
         options: [{id: "yes", label: "Yes"}, {id: "no", label: "No"}]}
      - {id: naloxone, type: single, text: Do you hand out naloxone?,
         options: [{id: "yes", label: "Yes"}, {id: "no", label: "No"}]}
      - id: naloxone_where
        type: multi
        text: Where do you hand it out?
        show_if: {question: naloxone, any_of: ["yes"]}
        options:
          - {id: clinic, label: In the clinic}
          - {id: street_outreach_and_mobile_vans, label: Street outreach and mobile vans}
          - {id: street_outreach_and_mobile_units, label: Street outreach and mobile units}
          - {id: other, label: Other (please specify), other: true}
      - id: grid
        type: matrix
        text: How much do you agree?
        options: [{id: agree, label: Agree}, {id: disagree, label: Disagree}]
        statements: [{id: funding, text: Funding is enough.}]
      - {id: story, type: text, text: Tell us more.}
      - {id: email, type: text, text: Your e-mail, pii: true}
"""


@pytest.fixture(scope="module")
def responses() -> ResponseSet:
    instrument = parse(FORM, origin="test")
    respondents = pl.DataFrame({"response_id": ["r1", "r2", "r3", "r4"],
                                "started_at": ["s"] * 4, "ended_at": ["e"] * 4})
    rows = [
        (0, "works", "yes", None), (0, "naloxone", "yes", None),
        (0, "naloxone_where", "clinic", None), (0, "naloxone_where", "other", "=SUM(A1)"),
        (0, "grid.funding", "disagree", None), (0, "story", None, "Más fondos"),
        (1, "works", "yes", None), (1, "naloxone", "no", None),
        (2, "works", "yes", None), (2, "naloxone", "yes", None),
        (3, "works", "no", None),
    ]
    answers = pl.DataFrame(rows, schema=["row", "question_id", "option_id", "value"],
                           orient="row")
    contacts = pl.DataFrame({"row": [0], "question_id": ["email"], "value": ["a@b.example"]})
    return ResponseSet.from_answers(instrument, respondents, answers, contacts=contacts)


def test_missing_answers_say_why(responses: ResponseSet) -> None:
    frame = wide_data(responses).frame
    # r1 chose the clinic; r2 said no to naloxone (skip logic hides the question); r3 said
    # yes and left it blank; r4 was screened out.
    assert frame["naloxone_where_clinic"].to_list() == [1, NOT_SHOWN, NOT_ANSWERED, NOT_SHOWN]
    assert frame["naloxone"].to_list() == [1, 2, 1, NOT_SHOWN]
    assert frame["grid_funding"].to_list() == [2, NOT_ANSWERED, NOT_ANSWERED, NOT_SHOWN]
    assert frame["naloxone_where_other_text"].to_list() == ["=SUM(A1)", None, None, None]
    assert "email" not in frame.columns


def test_long_names_are_cut_and_told_apart_the_same_way_each_time(
        responses: ResponseSet) -> None:
    data = wide_data(responses)
    names = [v.name for v in data.variables if v.item_id and v.item_id.startswith("street")]
    assert names == ["naloxone_where_street_outrea", "naloxone_where_street_outr_2"]
    assert data.renaming_notes() == [
        "'naloxone_where_street_outreach_and_mobile_units' is the variable "
        "'naloxone_where_street_outr_2': cut to 28 characters it would be "
        "'naloxone_where_street_outrea', which an earlier variable has (the codebook says "
        "which is which)."]
    assert all(len(v.name) <= 28 for v in data.variables)
    assert [v.name for v in wide_data(responses).variables] == [v.name for v in data.variables]
    assert Names(10).name("in") == "in_v" and Names(10).name("9lives") == "v9lives"
    # A cut never leaves a name ending in an underscore.
    names = Names(10)
    assert [names.name("long_name_other"), names.name("long_name_x")] == \
        ["long_name", "long_nam_2"]


def test_spss_file_has_labels_and_declared_missing_values(responses: ResponseSet,
                                                         tmp_path: Path) -> None:
    path = tmp_path / "wave.sav"
    assert write_wide(path, wide_data(responses)) == [path]
    frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert meta.column_names_to_labels["naloxone"] == "Do you hand out naloxone?"
    assert meta.column_names_to_labels["naloxone_where_clinic"] == \
        "Where do you hand it out?: In the clinic"
    assert meta.variable_value_labels["naloxone"] == {
        1: "Yes", 2: "No", -99: "Not answered", -98: "Not shown (skip logic or screened out)"}
    assert meta.missing_ranges["naloxone_where_clinic"] == [
        {"lo": -99.0, "hi": -99.0}, {"lo": -98.0, "hi": -98.0}]
    assert frame["naloxone_where_clinic"].tolist() == [1, -98, -99, -98]
    counted, _ = pyreadstat.read_sav(str(path))  # missing values as missing
    assert counted["naloxone_where_clinic"].sum() == 1
    assert counted["naloxone_where_clinic"].isna().sum() == 3
    assert frame["story"].tolist()[0] == "Más fondos"


def test_stata_file_has_labels_and_lettered_missing_values(responses: ResponseSet,
                                                          tmp_path: Path) -> None:
    path = tmp_path / "wave.dta"
    write_wide(path, wide_data(responses))
    frame, meta = pyreadstat.read_dta(str(path), user_missing=True)
    assert frame["naloxone_where_clinic"].tolist() == [1, "b", "a", "b"]
    # The two reasons for a missing answer are labelled as in SPSS, on their letters.
    assert meta.variable_value_labels["grid_funding"] == {
        1: "Agree", 2: "Disagree", "a": "Not answered",
        "b": "Not shown (skip logic or screened out)"}
    assert meta.column_names_to_labels["grid_funding"] == \
        "How much do you agree?: Funding is enough."


def test_convert_writes_each_format_with_its_codebook(tmp_path: Path,
                                                      small_export: Path) -> None:
    for name, layout in (("wave.sav", ()), ("wave.dta", ()), ("wave.xlsx", ()),
                         ("wave.parquet", ("--layout", "wide")),
                         ("wave.csv", ("--layout", "wide"))):
        result = run_hrta("convert", small_export, "-o", tmp_path / name, *layout)
        assert result.returncode == 0, result.stderr
        # A name numbered after a collision is said, not only written in the codebook.
        assert "'services_direct_infectious_2'" in " ".join(result.stderr.split()), name
    wide = pl.read_csv(tmp_path / "wave.csv")
    codebook = pl.read_csv(codebook_path(tmp_path / "wave.csv"))
    assert codebook["variable"].to_list() == wide.columns
    assert pl.read_parquet(tmp_path / "wave.parquet").columns == wide.columns
    assert "factor(data[[\"org_type\"]]" in r_script_path(tmp_path / "wave.csv").read_text()
    sav, _meta = pyreadstat.read_sav(str(tmp_path / "wave.sav"))
    assert list(sav.columns) == wide.columns and len(sav) == wide.height
    book = load_workbook(tmp_path / "wave.xlsx", read_only=True)
    assert book.sheetnames == ["Responses", "Codebook"]
    # The long native layout stays the default for CSV.
    result = run_hrta("convert", small_export, "-o", tmp_path / "long.csv")
    assert pl.read_csv(tmp_path / "long.csv").columns == [
        "response_id", "question_id", "option_id", "value"]


def test_convert_refuses_what_it_cannot_write(tmp_path: Path, small_export: Path) -> None:
    result = run_hrta("convert", small_export, "-o", tmp_path / "wave.sas7bdat")
    assert result.returncode == 2 and "*.sav or *.dta" in result.stderr
    result = run_hrta("convert", small_export, "-o", tmp_path / "wave.sav", "--layout", "long")
    assert result.returncode == 2 and "wide layout only" in result.stderr
    assert list(tmp_path.iterdir()) == []
