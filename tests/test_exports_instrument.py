"""The questionnaire out: XLSForm (checked by pyxform, ODK's reference converter) and the
REDCap Data Dictionary, each read back by hrta's own reader to the same questions, options
and skip logic; Qualtrics .qsf refused with the reason."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from pyxform.xls2xform import convert

from hrta.exports.redcap import redcap_dictionary
from hrta.exports.xlsform import xlsform
from hrta.ingest.definitions import read_definition
from hrta.instrument import Instrument, Question, load_bundled, parse
from hrta.instrument.translation import translate
from tests.conftest import FIXTURES, run_hrta

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


def test_what_only_hrta_reports_with_is_said_by_both_formats(bundled: Instrument) -> None:
    """Short titles, nets, program approaches, option groups and regions and the report
    layout have no place in either format: each export says so, naming them."""
    for written in (xlsform(bundled, {}), redcap_dictionary(bundled)):
        said = [n for n in written.notes if "stay in the instrument file" in n]
        assert len(said) == 1, written.notes
        for what in ("short titles", "nets", "program approaches", "regions",
                     "report layout"):
            assert what in said[0], what
    plain = parse(SKIPPING, origin="test")
    assert not any("stay in the instrument file" in n for n in xlsform(plain, {}).notes)


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
            assert short == long[:26].rstrip("_")
            expected = [_shape(q.model_copy(update={"id": short})) if q.id == long else
                        _shape(q.model_copy(update={"show_if": q.show_if.model_copy(
                            update={"question": short})})) if q.id == "why" else _shape(q)
                        for q in instrument.questions]
        assert [_shape(q) for q in back.questions] == expected, name


RENAMED = """
id: renamed
version: "1"
title: Renamed fields and contact details
sections:
  - id: about
    title: About
    questions:
      - {id: populations_program_serves_now, type: multi, text: Whom do you serve?,
         options: [{id: youth, label: Youth},
                   {id: other, label: Other (please specify), other: true}]}
      - {id: reach_you, type: text, text: How can we reach you?, pii: true}
"""


def test_a_cut_other_box_and_unnamed_contact_details_round_trip(tmp_path: Path) -> None:
    """A please-specify box whose REDCap name had to be cut is still its option's box, and
    contact details whose id does not say so stay contact details in both formats."""
    instrument = parse(RENAMED, origin="test")
    dictionary = redcap_dictionary(instrument)
    (tmp_path / "renamed_DataDictionary.csv").write_bytes(dictionary.body)
    written = xlsform(instrument, {})
    (tmp_path / "form.xlsx").write_bytes(written.body)
    warnings: list[str] = []
    convert(xlsform=str(tmp_path / "form.xlsx"), warnings=warnings)
    assert warnings == []
    assert any("reach_you" in n and "pii" in n for n in written.notes), written.notes
    short = dictionary.names["populations_program_serves_now"]
    for name, ids in (("form.xlsx", {}),
                      ("renamed_DataDictionary.csv", {"populations_program_serves_now": short})):
        back = read_definition(tmp_path / name).instrument
        assert [_shape(q) for q in back.questions] == \
            [_shape(q.model_copy(update={"id": ids.get(q.id, q.id)}))
             for q in instrument.questions], name


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


def test_a_drafted_questionnaire_goes_out_to_every_format(tmp_path: Path) -> None:
    """A questionnaire drafted from another survey's export (not the bundled one): its
    XLSForm passes pyxform, both questionnaire files read back to it (REDCap's renamed
    fields aside, each one said), and its SPSS and Stata files count as its Findings do."""
    import json

    import pyreadstat

    export = FIXTURES / "drafting" / "needs_assessment.csv"
    drafted = tmp_path / "needs.yaml"
    assert run_hrta("instrument", "draft", export, "-o", drafted).returncode == 0
    instrument = _load(drafted)
    for to, name in (("xlsform", "needs.xlsx"), ("redcap", "needs_DataDictionary.csv")):
        result = run_hrta("instrument", "export", "--instrument", drafted, "--to", to,
                          "-o", tmp_path / name)
        assert result.returncode == 0, result.stderr
        said = " ".join(result.stderr.split())
        renamed = dict(re.findall(r"'(\w+)' is written as the REDCap field '(\w+)'", said))
        if to == "xlsform":
            convert(xlsform=str(tmp_path / name))
            assert "contact_information_optional" in said  # personal data, said how
        else:
            assert renamed == {"populations_program_serve_other": "populations_program_serv_2",
                               "contact_information_optional": "contact_information_option"}
        back = read_definition(tmp_path / name).instrument
        assert [_shape(q) for q in back.questions] == [
            _shape(q.model_copy(update={"id": renamed.get(q.id, q.id)}))
            for q in instrument.questions], to
    findings = tmp_path / "needs.json"
    assert run_hrta("analyze", export, "--instrument", drafted, "--json", findings,
                    "--no-themes").returncode == 0
    counts = json.loads(findings.read_text(encoding="utf-8"))["questions"]
    for suffix, read in ((".sav", pyreadstat.read_sav), (".dta", pyreadstat.read_dta)):
        out = tmp_path / f"needs{suffix}"
        assert run_hrta("convert", export, "--instrument", drafted, "-o", out).returncode == 0
        frame, meta = read(str(out))
        # Each also labels its two reasons for a missing answer (-99/-98, .a/.b).
        labels = {code: label for code, label in meta.variable_value_labels["program_run"]
                  .items() if not isinstance(code, str) and code > 0}
        assert labels == {i + 1: o.label for i, o in
                          enumerate(instrument.question("program_run").options)}
        question = instrument.question("populations_program_serve")
        if suffix == ".sav":  # Stata cuts labels at 80 characters; the names are the same
            named = {label: name for name, label in meta.column_names_to_labels.items()}
        for option in question.options:
            column = named[f"{question.title}: {option.label}"]  # names are cut to 28
            assert (frame[column] == 1).sum() == \
                counts["populations_program_serve"]["options"][option.id]["count"], column
        assert not [c for c in frame.columns if c.startswith("contact")]


def _load(path: Path) -> Instrument:
    from hrta.instrument import load

    return load(str(path))
