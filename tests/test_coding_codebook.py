"""Codebooks: the bundled ones, YAML/CSV/REFI-QDA round trips, nesting and bad files."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from hrta.coding.codebook import (
    QDC_NAMESPACE,
    Codebook,
    Theme,
    codebook_csv,
    codebook_qdc,
    codebook_yaml,
    load_codebook,
    read_codebook,
    write_codebook,
)
from hrta.errors import InputError
from tests.conftest import run_hrta, write_rows

CHALLENGES = ["funding", "education_training", "resources", "staff_capacity",
              "community_support", "stigma", "culture_change", "policy_legal",
              "organizational_support"]
FACILITATORS = ["health_agencies", "peers_lived_experience", "collaboration", "leadership",
                "education_training", "community_support", "champion", "reimbursement"]


def nested() -> Codebook:
    """A two-level codebook: resources with two finer themes under it."""
    return Codebook("challenges", (
        Theme("funding", "Inadequate funding", "Money.", examples=("=cost", "No money")),
        Theme("resources", "Resources", "Things we lack.", include="Supplies, space",
              exclude="Money"),
        Theme("supplies", "Supplies", "Naloxone, test strips.", examples=("Out of kits",),
              parent="resources"),
        Theme("space", "Space", "Rooms and storage.", parent="resources"),
    ), title="Nested", uncoded_examples=("N/A",))


def test_bundled_codebooks_have_the_reports_themes(instrument):
    for question, ids in (("challenges", CHALLENGES), ("facilitators", FACILITATORS)):
        book = load_codebook(question)
        assert list(book.ids) == ids
        assert instrument.question(question).type == "text"
        for theme in book.themes:
            assert theme.label and theme.description and theme.include and theme.exclude
            assert len(theme.examples) >= 8
        assert book.uncoded_examples


def test_demo_text_bank_tags_use_the_codebook(instrument):
    from hrta.demo import load_texts

    bank = load_texts(instrument)
    for question in ("challenges", "facilitators"):
        assert bank.themes[question] == load_codebook(question).ids


@pytest.mark.parametrize("suffix", [".yaml", ".csv", ".qdc"])
def test_round_trip_keeps_every_part(tmp_path: Path, suffix: str):
    book = nested()
    path = tmp_path / f"book{suffix}"
    write_codebook(book, path)
    again = read_codebook(path, question="challenges")
    assert again.themes == book.themes
    assert again.depth("supplies") == 1 and again.ancestors("space") == ("resources",)


def test_bundled_codebook_survives_csv_and_qdc(tmp_path: Path):
    book = load_codebook("facilitators")
    for suffix in (".csv", ".qdc"):
        path = tmp_path / f"f{suffix}"
        write_codebook(book, path)
        assert read_codebook(path, question="facilitators").themes == book.themes


def test_csv_guards_against_formulas_and_keeps_examples_one_per_line():
    text = codebook_csv(nested())
    assert '"\'=cost\nNo money"' in text


def test_qdc_is_refi_qda_codebook_xml():
    root = ElementTree.fromstring(codebook_qdc(nested()))
    assert root.tag == f"{{{QDC_NAMESPACE}}}CodeBook"
    codes = root.find(f"{{{QDC_NAMESPACE}}}Codes")
    top = codes.findall(f"{{{QDC_NAMESPACE}}}Code")
    assert [c.get("name") for c in top] == ["Inadequate funding", "Resources"]
    children = top[1].findall(f"{{{QDC_NAMESPACE}}}Code")
    assert [c.get("name") for c in children] == ["Supplies", "Space"]
    guids = [c.get("guid") for c in root.iter(f"{{{QDC_NAMESPACE}}}Code")]
    assert len(set(guids)) == 4 and all(len(g) == 36 for g in guids)
    assert guids == [c.get("guid") for c in ElementTree.fromstring(
        codebook_qdc(nested())).iter(f"{{{QDC_NAMESPACE}}}Code")]


def test_qdc_from_another_program_gets_ids_from_names(tmp_path: Path):
    path = tmp_path / "other.qdc"
    path.write_text(
        f'<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="{QDC_NAMESPACE}">'
        '<Codes><Code guid="6f1c1e1a-0000-4000-8000-000000000001" name="Money problems" '
        'isCodable="true"><Description>Budget issues.</Description>'
        '<Code guid="6f1c1e1a-0000-4000-8000-000000000002" name="Grants" isCodable="true"/>'
        '</Code><Code guid="6f1c1e1a-0000-4000-8000-000000000003" name="Money problems" '
        'isCodable="true"/></Codes></CodeBook>', encoding="utf-8")
    book = read_codebook(path, question="challenges")
    assert book.ids == ("money_problems", "grants", "money_problems_2")
    assert book.theme("grants").parent == "money_problems"
    assert book.theme("money_problems").description == "Budget issues."


def test_yaml_export_reads_back_as_the_bundled_file(tmp_path: Path):
    bundled = (Path(__file__).parents[1] / "src" / "hrta" / "instrument" / "assessments"
               / "codebooks" / "harm_reduction_ta_2022" / "challenges.yaml")
    book = load_codebook("challenges")
    exported = codebook_yaml(book)
    # The same document as the bundled file, key for key, and the same codebook when read.
    assert yaml.safe_load(exported) == yaml.safe_load(bundled.read_text(encoding="utf-8"))
    path = tmp_path / "challenges.yaml"
    path.write_text(exported, encoding="utf-8")
    again = read_codebook(path, question="challenges")
    assert (again.title, again.themes, again.uncoded_examples) == (
        book.title, book.themes, book.uncoded_examples)


def test_bad_csv_names_file_row_and_column(tmp_path: Path):
    path = write_rows(tmp_path / "bad.csv", [
        ["id", "label", "parent"], ["funding", "Funding", ""], ["Bad Id", "Staff", ""]])
    with pytest.raises(InputError) as caught:
        read_codebook(path, question="challenges")
    assert (caught.value.row, caught.value.column) == (3, "A ('id')")
    assert caught.value.file == str(path)

    path = write_rows(tmp_path / "orphan.csv", [
        ["id", "label", "parent"], ["funding", "Funding", ""], ["grants", "Grants", "money"]])
    with pytest.raises(InputError, match="unknown parent 'money'") as caught:
        read_codebook(path, question="challenges")
    assert (caught.value.row, caught.value.column) == (3, "C (parent)")

    path = write_rows(tmp_path / "nolabel.csv", [["id", "label"], ["funding", ""]])
    with pytest.raises(InputError, match="no label") as caught:
        read_codebook(path, question="challenges")
    assert caught.value.row == 2

    path = write_rows(tmp_path / "cols.csv", [["id", "name"], ["funding", "Funding"]])
    with pytest.raises(InputError, match="'label'") as caught:
        read_codebook(path, question="challenges")
    assert caught.value.row == 1

    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        read_codebook(empty, question="challenges")


def test_bad_yaml_and_xml_are_refused(tmp_path: Path):
    path = tmp_path / "book.yaml"
    path.write_text("question: challenges\nthemes:\n  - {id: a, label: A}\n  - {id: a, "
                    "label: B}\n", encoding="utf-8")
    with pytest.raises(InputError, match="more than once"):
        read_codebook(path)
    path.write_text("question: challenges\nthemes:\n  - {id: a, label: A, colour: red}\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match="unknown keys"):
        read_codebook(path)
    qdc = tmp_path / "bad.qdc"
    qdc.write_text("<CodeBook><Codes><Code name='x'></Codes>", encoding="utf-8")
    with pytest.raises(InputError, match="not valid XML") as caught:
        read_codebook(qdc, question="challenges")
    assert caught.value.row == 1


def test_cli_codebook_show_json_has_exactly_the_documented_shape():
    result = run_hrta("codebook", "show", "--question", "challenges", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"question", "themes"}
    assert data["question"] == "challenges"
    assert [t["id"] for t in data["themes"]] == CHALLENGES
    assert all(set(t) == {"id", "label", "description"} for t in data["themes"])
    table = run_hrta("codebook", "show", "--question", "facilitators")
    assert table.returncode == 0 and "champion" in table.stdout


def test_cli_export_then_import(tmp_path: Path):
    qdc = tmp_path / "challenges.qdc"
    result = run_hrta("codebook", "export", "--question", "challenges", "-o", qdc)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "back.yaml"
    result = run_hrta("codebook", "import", qdc, "--question", "challenges", "-o", out)
    assert result.returncode == 0, result.stderr
    assert read_codebook(out).themes == load_codebook("challenges").themes


def test_cli_refuses_unknown_question_and_bad_file(tmp_path: Path):
    result = run_hrta("codebook", "show", "--question", "role")
    assert result.returncode == 2 and "no codebook for question 'role'" in result.stderr
    bad = write_rows(tmp_path / "bad.csv", [["id", "label"], ["Bad Id", "X"]])
    result = run_hrta("codebook", "import", bad, "--question", "challenges", "-o",
                      tmp_path / "out.yaml")
    assert result.returncode == 2
    assert "bad.csv, row 2, column A ('id')" in result.stderr
    assert not (tmp_path / "out.yaml").exists()
