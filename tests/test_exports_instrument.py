"""The questionnaire out: XLSForm (checked by pyxform, ODK's reference converter) and the
REDCap Data Dictionary, each read back by hrta's own reader to the same questions, options
and skip logic; Qualtrics .qsf refused with the reason."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from pyxform.xls2xform import convert

from hrta.exports.redcap import redcap_dictionary
from hrta.exports.xlsform import xlsform
from hrta.ingest.definitions import read_definition
from hrta.instrument import Instrument, Question, load_bundled, parse
from hrta.instrument.translation import translate
from tests.conftest import run_hrta

SKIPPING = """
id: skipping
version: "2"
title: Skip check
sections:
  - id: start
    title: Start
    questions:
      - {id: naloxone, type: multi, text: What do you hand out?, max_choices: 2,
         options: [{id: kits, label: Kits}, {id: strips, label: Test strips},
                   {id: other, label: Something else, other: true}]}
      - {id: where_kits_are_handed_out_mostly, type: single, text: Where mostly?,
         show_if: {question: naloxone, any_of: [kits, strips]},
         options: [{id: clinic, label: Clinic}, {id: street, label: Street}]}
      - {id: why, type: text, text: Why there?, help: A sentence is enough.,
         show_if: {question: where_kits_are_handed_out_mostly, any_of: [street]}}
"""


def _shape(question: Question) -> tuple[object, ...]:
    return (question.id, question.type, question.text, question.help, question.required,
            question.max_choices, question.pii,
            [(o.id, o.label, o.other) for o in question.options],
            [(s.id, s.text) for s in question.statements], question.show_if)


@pytest.fixture(scope="module")
def bundled() -> Instrument:
    return load_bundled("harm_reduction_ta_2022")


def test_xlsform_passes_pyxform_and_reads_back_the_same(bundled: Instrument,
                                                        tmp_path: Path) -> None:
    spanish = translate(bundled, "es")
    written = xlsform(bundled, {"es": spanish})
    path = tmp_path / "assessment.xlsx"
    path.write_bytes(written.body)
    warnings: list[str] = []
    xform = convert(xlsform=str(path), warnings=warnings).xform
    assert warnings == []
    assert "count-selected(.) &lt;= 3" in xform and "Español (es)" in xform
    back = read_definition(path)
    assert [_shape(q) for q in back.instrument.questions] == \
        [_shape(q) for q in bundled.questions if not q.pii] + \
        [_shape(q) for q in bundled.questions if q.pii]
    assert [s.id for s in back.instrument.sections] == [s.id for s in bundled.sections]
    # The Spanish labels come back as its translation.
    again: dict = back.translations["es"]["questions"]  # type: ignore[assignment]
    assert again["fb_policy"]["statements"]["adequate_funding"] == \
        spanish.question("fb_policy").statements[-1].text
    assert any("screening rule" in n for n in written.notes)


def test_skip_logic_and_limits_round_trip_through_both_formats(tmp_path: Path) -> None:
    instrument = parse(SKIPPING, origin="test")
    (tmp_path / "form.xlsx").write_bytes(xlsform(instrument, {}).body)
    dictionary = redcap_dictionary(instrument)
    (tmp_path / "skipping_DataDictionary.csv").write_bytes(dictionary.body)
    convert(xlsform=str(tmp_path / "form.xlsx"))
    for name in ("form.xlsx", "skipping_DataDictionary.csv"):
        back = read_definition(tmp_path / name).instrument
        expected = [_shape(q) for q in instrument.questions]
        if name.endswith(".csv"):  # REDCap's 26 characters: the renamed field comes back
            long = "where_kits_are_handed_out_mostly"
            short = dictionary.names[long]
            assert short == long[:26]
            expected = [_shape(q.model_copy(update={"id": short})) if q.id == long else
                        _shape(q.model_copy(update={"show_if": q.show_if.model_copy(
                            update={"question": short})})) if q.id == "why" else _shape(q)
                        for q in instrument.questions]
        assert [_shape(q) for q in back.questions] == expected, name


def test_redcap_dictionary_rules(bundled: Instrument) -> None:
    rows = list(csv.DictReader(io.StringIO(redcap_dictionary(bundled).body.decode())))
    names = [row["Variable / Field Name"] for row in rows]
    assert names[0] == "record_id" and len(set(names)) == len(names)
    assert all(len(n) <= 26 and n == n.lower() for n in names)
    by_name = {row["Variable / Field Name"]: row for row in rows}
    assert by_name["raffle_email"]["Identifier?"] == "y"
    assert by_name["raffle_email"]["Branching Logic (Show field only if...)"] == \
        "[raffle_opt_in] = 'yes'"
    assert {row["Matrix Group Name"] for row in rows} >= {"fb_organizational", "fb_policy"}
    assert by_name["ta_formats"]["Field Annotation"] == "@MAXCHECKED=3"
    assert {row["Form Name"] for row in rows} == {s.id for s in bundled.sections}
    back = read_definition_text(redcap_dictionary(bundled).body)
    assert [_shape(q) for q in back.questions] == [_shape(q) for q in bundled.questions]


def read_definition_text(body: bytes) -> Instrument:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hrta_DataDictionary.csv"
        path.write_bytes(body)
        return read_definition(path).instrument


def test_instrument_export_command(tmp_path: Path) -> None:
    result = run_hrta("instrument", "export", "--to", "xlsform", "-o", tmp_path / "f.xlsx")
    assert result.returncode == 0, result.stderr
    assert "screening rule" in result.stderr  # what XLSForm cannot say is said
    result = run_hrta("instrument", "export", "--to", "redcap", "-o", tmp_path / "d.csv")
    assert result.returncode == 0, result.stderr
    for args, message in ((("--to", "qsf", "-o", tmp_path / "s.qsf"), "does not write Qualtrics"),
                          (("--to", "redcap", "-o", tmp_path / "d.xlsx"), "*.csv"),
                          (("--to", "spss", "-o", tmp_path / "x.sav"), "unknown target")):
        result = run_hrta("instrument", "export", *args)
        assert result.returncode == 2 and message in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv", "f.xlsx"]
