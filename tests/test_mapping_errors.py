"""Mapping files (`--mapping`): reworded questions, labels and agreement statements read as the
instrument's ids, and every mistake in the file refused with the file's name."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hrta.errors import InputError
from hrta.ingest import load_responses
from hrta.ingest.mapping import load_mapping
from hrta.responses import ResponseSet
from tests.conftest import read_rows, write_rows

# Columns of tests/fixtures/small_surveymonkey.csv.
SCREENING, PEER, STATEMENT, CHALLENGES = 9, 10, 13, 15


def _answers(responses: ResponseSet) -> list[tuple[object, ...]]:
    return sorted(responses.answers.rows(), key=repr)


@pytest.fixture
def reworded(small_export: Path, tmp_path: Path) -> Path:
    """The small export as another survey tool worded it: a question, an option label and an
    agreement statement reworded, and one question the instrument does not have."""
    rows = read_rows(small_export)
    assert rows[0][SCREENING].startswith("Are you currently employed")
    rows[0][SCREENING] = "Do you work at a treatment organization?"
    assert rows[1][PEER] == "Peer support services"
    rows[1][PEER] = "Peers"
    assert rows[1][STATEMENT].startswith("Our organizational leadership supports")
    rows[1][STATEMENT] = "Our leaders back harm reduction."
    for number, row in enumerate(rows):
        row.append("How did you hear about us?" if number == 0 else
                   "Response" if number == 1 else "A friend")
    return write_rows(tmp_path / "reworded.csv", rows)


def write_mapping(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


MAPPING = {
    "questions": {"Do you work at a treatment organization?": "screening",
                  "How did you hear about us?": "ignore"},
    "options": {"services_direct": {"Peers": "peer_support"}},
    "statements": {"fb_organizational": {"Our leaders back harm reduction.":
                                         "leadership_support"}},
}


def test_mapping_reads_the_reworded_export_as_the_original(small_export, reworded, instrument,
                                                          tmp_path):
    mapping = write_mapping(tmp_path / "map.yaml", MAPPING)
    mapped = load_responses(reworded, instrument, mapping=mapping)
    original = load_responses(small_export, instrument)
    assert _answers(mapped) == _answers(original)
    assert mapped.eligible_count == original.eligible_count == 4
    leadership = mapped.answers.filter(
        mapped.answers["question_id"] == "fb_organizational.leadership_support")
    assert leadership.height > 0


@pytest.mark.parametrize(("left_out", "unknown"), [
    ("questions", "unknown question 'Do you work at a treatment organization?'"),
    ("options", "'Peers'"),
    ("statements", "'Our leaders back harm reduction.'"),
])
def test_each_part_of_the_mapping_is_needed(reworded, instrument, tmp_path, left_out, unknown):
    partial = {key: value for key, value in MAPPING.items() if key != left_out}
    if left_out == "questions":  # the extra question must still be ignored
        partial["questions"] = {"How did you hear about us?": "ignore"}
    mapping = write_mapping(tmp_path / "map.yaml", partial)
    with pytest.raises(InputError) as caught:
        load_responses(reworded, instrument, mapping=mapping)
    assert caught.value.file == str(reworded)
    assert unknown in caught.value.message


def test_statement_mapping_keys_are_normalized(instrument, tmp_path):
    """Case and spacing of a statement's text do not matter, as in the export's headers."""
    loose = write_mapping(tmp_path / "loose.yaml", {"statements": {"fb_organizational": {
        "  OUR LEADERS   back harm reduction.  ": "leadership_support"}}})
    exact = write_mapping(tmp_path / "exact.yaml", {"statements": {"fb_organizational": {
        "Our leaders back harm reduction.": "leadership_support"}}})
    statements = load_mapping(loose, instrument).statements
    assert statements == load_mapping(exact, instrument).statements
    assert list(statements["fb_organizational"].values()) == ["leadership_support"]


def _refused(path: Path, instrument, message: str) -> InputError:
    with pytest.raises(InputError) as caught:
        load_mapping(path, instrument)
    assert caught.value.file == str(path)
    assert str(caught.value).startswith(str(path))
    assert message in caught.value.message, caught.value.message
    return caught.value


@pytest.mark.parametrize(("text", "message"), [
    ("questions:\n  'Do you work?': screening\n options: {}\n", "not valid YAML"),
    ("questions: {'a': screening\n", "not valid YAML"),
    ("- questions\n", "a mapping file holds only 'questions', 'options', 'statements'"),
    ("question:\n  'Do you work?': screening\n",
     "a mapping file holds only 'questions', 'options', 'statements'"),
    ("questions:\n  'Do you work?': screeening\n", "the instrument has no question 'screeening'"),
    ("options:\n  services: {Peers: peer_support}\n", "the instrument has no question 'services'"),
    ("options:\n  services_direct: {Peers: peers}\n",
     "question 'services_direct' has no option 'peers'"),
    ("statements:\n  fb_org: {Leaders: leadership_support}\n",
     "the instrument has no question 'fb_org'"),
    ("statements:\n  fb_organizational: {Leaders: leaders}\n",
     "question 'fb_organizational' has no statement 'leaders'"),
    ("statements:\n  services_direct: {Peers: peer_support}\n",
     "question 'services_direct' has no statement 'peer_support'"),
    # A block that is not "text: id" lines is named, never a crash.
    ("questions: [screening, role]\n",
     "'questions' must map each text to an id, one 'text: id' a line, not a list"),
    ("options: 5\n", "'options' must map each text to an id, one 'text: id' a line, "
                     "not the value 5"),
    ("options:\n  services_direct: [peer_support]\n",
     "'options: services_direct' must map each text to an id"),
    ("statements: [leadership_support]\n", "'statements' must map each text to an id"),
    ("statements:\n  fb_organizational: Leaders\n",
     "'statements: fb_organizational' must map each text to an id, one 'text: id' a line, "
     "not the value 'Leaders'"),
])
def test_mistakes_in_the_mapping_file(instrument, tmp_path, text, message):
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    _refused(path, instrument, message)


def test_missing_and_unreadable_mapping_files(instrument, tmp_path):
    _refused(tmp_path / "absent.yaml", instrument, "cannot read the mapping file")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("questions:\n  '¿Trabaja?': screening\n".encode("latin-1"))
    _refused(latin, instrument, "cannot read the mapping file")


def test_empty_mapping_maps_nothing(instrument, tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing to map yet\n", encoding="utf-8")
    mapping = load_mapping(empty, instrument)
    assert (mapping.questions, mapping.options, mapping.statements) == ({}, {}, {})
    blocks = write_mapping(tmp_path / "blocks.yaml",
                           {"questions": None, "options": None, "statements": None})
    assert load_mapping(blocks, instrument) == mapping


def test_a_mapping_for_a_format_that_names_questions_by_id_is_refused(
        small_export: Path, instrument, tmp_path: Path) -> None:
    """A native file names questions by id: a mapping would be silently ignored, and the
    analyst would believe it applied."""
    native = tmp_path / "wave.parquet"
    load_responses(small_export, instrument).write_parquet(native)
    mapping = tmp_path / "map.yaml"
    mapping.write_text("questions: {}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_responses(native, instrument, mapping=mapping)
    assert caught.value.file == str(mapping)
    assert "applies to SurveyMonkey exports" in caught.value.message
    assert "read as native" in caught.value.message
