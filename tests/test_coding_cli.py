"""`hrta code` and `hrta code --evaluate` run as a user runs them, on real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hrta.coding.codebook import load_codebook
from hrta.coding.labelled import read_answers, read_labelled
from hrta.demo import demo_responses
from hrta.errors import InputError
from hrta.exports import write_surveymonkey_csv
from hrta.instrument import Instrument
from tests.conftest import run_hrta, write_rows

DEVELOPMENT = Path(__file__).parent / "data" / "coding_development_set.csv"


@pytest.fixture(scope="module")
def demo_export(instrument: Instrument, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "responses.csv"
    write_surveymonkey_csv(path, demo_responses(instrument))
    return path


def test_code_the_demo_wave(demo_export: Path, tmp_path: Path):
    out = tmp_path / "coded.json"
    result = run_hrta("code", demo_export, "--question", "facilitators", "--json", out)
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    n = data["n"]
    assert n == len(data["responses"]) > 40
    assert data["coded"] + data["uncoded"] + data["uncodable"] == n
    for response in data["responses"]:
        assert response["response_id"].isdigit()
        assert response["status"] in ("coded", "uncoded", "uncodable")
        assert all(0.5 <= t["confidence"] <= 1 for t in response["themes"])
        assert bool(response["themes"]) == (response["status"] == "coded")
    counts = [t["count"] for t in data["themes"]]
    assert counts == sorted(counts, reverse=True)
    for theme in data["themes"]:
        assert theme["count"] == sum(
            1 for r in data["responses"] if theme["id"] in {t["id"] for t in r["themes"]})
        assert theme["percent"] == round(100 * theme["count"] / n, 1)
    assert data["tuning"]["source"] == "coding/tuning/harm_reduction_ta_2022.yaml"
    assert "Support from local and state health agencies" in result.stdout


def test_evaluate_against_the_development_set(tmp_path: Path):
    out = tmp_path / "evaluation.json"
    result = run_hrta("code", "--evaluate", DEVELOPMENT, "--question", "challenges",
                      "--json", out)
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["answers"] == 78
    assert set(data["themes"]) == {
        "funding", "education_training", "resources", "staff_capacity", "community_support",
        "stigma", "culture_change", "policy_legal", "organizational_support"}
    for stats in data["themes"].values():
        assert {"precision", "recall", "f1", "kappa", "support"} <= set(stats)
    assert data["micro"]["kappa"] >= 0.6 and data["macro"]["f1"] >= 0.6
    assert "micro" in result.stdout and "macro" in result.stdout


def test_hard_answers_are_coded_or_marked_never_a_crash(tmp_path: Path):
    answers = write_rows(tmp_path / "answers.csv", [
        ["response_id", "text"],
        ["1", ""], ["2", "Funding"], ["3", "Stigma. " * 1_250],
        ["4", "Falta de fondos y mucho estigma en la comunidad."],
        ["5", "🙂🙂🙂"], ["6", "<script>alert(1)</script><b>Staff</b> turnover &amp; burnout"],
        ["7", "資金不足"], ["8", "N/A"]])
    out = tmp_path / "coded.json"
    result = run_hrta("code", answers, "--format", "answers", "--question", "challenges",
                      "--json", out)
    assert result.returncode == 0, result.stderr
    status = {r["response_id"]: r for r in json.loads(out.read_text("utf-8"))["responses"]}
    assert len(status["3"]["text"]) == 10_000
    assert status["1"]["status"] == status["5"]["status"] == "uncodable"
    assert "funding" in {t["id"] for t in status["2"]["themes"]}
    assert "stigma" in {t["id"] for t in status["3"]["themes"]}
    assert "staff_capacity" in {t["id"] for t in status["6"]["themes"]}
    assert status["8"]["status"] == "uncoded"


def test_bad_labelled_csv_names_file_row_and_column(tmp_path: Path):
    labelled = write_rows(tmp_path / "labelled.csv", [
        ["text", "themes"], ["Money", "funding"], ["Laws", "policy;legal"]])
    out = tmp_path / "out.json"
    result = run_hrta("code", "--evaluate", labelled, "--question", "challenges",
                      "--json", out)
    assert result.returncode == 2
    assert "labelled.csv, row 3, column B ('themes'): unknown theme 'policy'" in result.stderr
    assert not out.exists()


def test_bad_answer_files_are_refused_before_any_coding(tmp_path: Path):
    book = load_codebook("challenges")
    missing = write_rows(tmp_path / "missing.csv", [["answer", "themes"], ["Money", ""]])
    with pytest.raises(InputError, match="no column named 'text'") as caught:
        read_labelled(missing, book)
    assert (caught.value.file, caught.value.row) == (str(missing), 1)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        read_answers(empty, "challenges")
    other = write_rows(tmp_path / "other.csv", [["question", "text"], ["facilitators", "x"]])
    with pytest.raises(InputError, match="no answers to code for question 'challenges'"):
        read_answers(other, "challenges")


def test_code_needs_one_input_and_an_open_ended_question(demo_export: Path):
    result = run_hrta("code", "--question", "challenges")
    assert result.returncode == 2 and "either a FILE" in result.stderr
    result = run_hrta("code", demo_export, "--question", "org_type")
    assert result.returncode == 2 and "'org_type' is not an open-ended question" in result.stderr
    result = run_hrta("code", demo_export, "--question", "challenges", "--format", "pdf")
    assert result.returncode == 2 and "unknown --format" in result.stderr
