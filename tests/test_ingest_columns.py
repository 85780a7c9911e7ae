"""A question's export columns come whole: a deleted option, statement or "Other" box is
refused, unless a mapping file says the survey did not ask it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hrta.errors import InputError
from hrta.ingest import load_responses
from hrta.ingest.mapping import load_mapping
from tests.conftest import read_rows, run_hrta, write_rows


def _without(small_export: Path, tmp_path: Path, label: str) -> Path:
    """The small export with the column whose second header is `label` deleted."""
    rows = read_rows(small_export)
    at = rows[1].index(label)
    for row in rows:
        del row[at]
    return write_rows(tmp_path / "export.csv", rows)


@pytest.mark.parametrize(("label", "question", "named"), [
    ("Naloxone distribution", "services_direct", "'Naloxone distribution' (naloxone)"),
    ("Methadone treatment", "services_direct", "'Methadone treatment' (methadone)"),
    ("Our organizational leadership supports harm reduction services.", "fb_organizational",
     "'Our organizational leadership supports harm reduction services.' "
     "(leadership_support)"),
])
def test_a_deleted_column_is_refused(small_export, instrument, tmp_path, label, question,
                                     named):
    path = _without(small_export, tmp_path, label)
    with pytest.raises(InputError) as caught:
        load_responses(path, instrument)
    error = caught.value
    assert error.file == str(path)
    assert f"question {question!r} lacks the column of {named}" in error.message
    assert "absent" in error.message
    assert error.row == 1


def test_the_cli_refuses_it_and_writes_nothing(small_export, tmp_path):
    path = _without(small_export, tmp_path, "Naloxone distribution")
    out = tmp_path / "findings.json"
    result = run_hrta("analyze", path, "--no-themes", "--json", out)
    assert result.returncode == 2, result.stderr
    said = " ".join(result.stderr.split())
    assert str(path) in said and "'services_direct' lacks the column of" in said
    assert "Naloxone distribution" in said
    assert not out.exists()


def _mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_mapping_marks_a_column_not_asked(small_export, instrument, tmp_path):
    path = _without(small_export, tmp_path, "Naloxone distribution")
    mapping = _mapping(tmp_path, "absent:\n  services_direct: [naloxone]\n")
    responses = load_responses(path, instrument, mapping=mapping)
    assert responses.not_asked == {"services_direct": ("naloxone",)}
    assert any("'services_direct': naloxone not asked" in str(w) for w in responses.warnings)
    # The other columns read as before: 1001 and 1002 chose peer support, 1005 typed "Other".
    chosen = responses.answers.filter(responses.answers["question_id"] == "services_direct")
    assert sorted(chosen["option_id"].cast(str).to_list()) == ["other", "peer_support",
                                                               "peer_support"]

    out = tmp_path / "findings.json"
    result = run_hrta("analyze", path, "--mapping", mapping, "--no-themes", "--json", out)
    assert result.returncode == 0, result.stderr
    findings = json.loads(out.read_text(encoding="utf-8"))
    assert any("naloxone not asked" in w for w in findings["warnings"])
    # The Findings say so: no percent for an option nobody was offered.
    options = findings["questions"]["services_direct"]["options"]
    assert options["naloxone"]["asked"] is False
    assert options["naloxone"]["percent"] is None and options["naloxone"]["ci_low"] is None
    assert "asked" not in options["peer_support"]
    assert options["peer_support"]["percent"] == 50.0  # 1001, of 1001 and 1005 (other)
    report = tmp_path / "report.html"
    result = run_hrta("report", path, "--mapping", mapping, "--no-themes", "-o", report)
    assert result.returncode == 0, result.stderr
    assert "naloxone not asked" in report.read_text(encoding="utf-8")


def test_a_statement_not_asked(small_export, instrument, tmp_path):
    label = "Our organizational leadership supports harm reduction services."
    path = _without(small_export, tmp_path, label)
    mapping = _mapping(tmp_path, "absent:\n  fb_organizational: [leadership_support]\n")
    out = tmp_path / "findings.json"
    result = run_hrta("analyze", path, "--mapping", mapping, "--no-themes", "--json", out)
    assert result.returncode == 0, result.stderr
    statement = json.loads(out.read_text(encoding="utf-8"))["questions"][
        "fb_organizational.leadership_support"]
    assert statement["asked"] is False and statement["n"] == 0


def test_an_export_with_every_column_needs_no_mapping(small_export, instrument):
    responses = load_responses(small_export, instrument)
    assert responses.not_asked == {}


@pytest.mark.parametrize(("text", "message"), [
    ("absent:\n  services_direct: [teleportation]\n", "'teleportation' is not one of"),
    ("absent:\n  nope: [x]\n", "no question 'nope'"),
    ("absent:\n  services_direct: {}\n", "must list option or statement ids"),
    ("absent:\n  screening: [employed]\n", "is not one of its columns to leave out: none"),
    ("absent:\n  fb_policy: [naloxone]\n", "is not one of its statements"),
    ("absent: [services_direct]\n", "must map each text to an id"),
])
def test_bad_absent_entries_name_the_mapping_file(instrument, small_export, tmp_path, text,
                                                   message):
    mapping = _mapping(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_responses(small_export, instrument, mapping=mapping)
    assert caught.value.file == str(mapping)
    assert message in caught.value.message


def test_the_documented_mapping_file_is_valid(instrument, tmp_path):
    doc = (Path(__file__).parents[1] / "docs" / "importing.md").read_text(encoding="utf-8")
    block = doc.split("### When the wording differs", 1)[1].split("```yaml\n", 1)[1]
    mapping = load_mapping(_mapping(tmp_path, block.split("```", 1)[0]), instrument)
    assert mapping.absent == {"services_direct": {"vending_machines", "mail_based_supplies"},
                              "fb_policy": {"law_enforcement_support"}}


def test_an_added_option_missing_from_the_export_is_not_asked(small_export, instrument,
                                                               tmp_path):
    """Options the instrument marks `source: added` were not in the 2022 questionnaire:
    an export without them was simply not asked them."""
    path = _without(small_export, tmp_path, "Telehealth-based buprenorphine treatment")
    rows = read_rows(path)
    at = rows[1].index("Other (please specify)")
    for row in rows:
        del row[at]
    path = write_rows(tmp_path / "export.csv", rows)
    responses = load_responses(path, instrument)
    assert responses.not_asked == {"services_direct": ("telehealth_buprenorphine", "other")}
    assert any("'services_direct': telehealth_buprenorphine, other not in this export"
               in str(w) and "added" in str(w) for w in responses.warnings)
    chosen = responses.answers.filter(responses.answers["question_id"] == "services_direct")
    assert sorted(chosen["option_id"].cast(str).to_list()) == ["naloxone", "naloxone",
                                                               "peer_support", "peer_support"]
