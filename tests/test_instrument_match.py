"""`hrta instrument match`: a mapping for a reworded wave, then the same counts as the original."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hrta.demo import demo_responses
from hrta.exports import write_surveymonkey_csv
from hrta.instrument import load_bundled
from hrta.yamlfiles import load_yaml
from tests.conftest import read_rows, run_hrta, write_rows

# A new wave's wording: question texts, option labels (in row 2 and in the cells that hold
# them) and a grid statement, reworded as a center might.
REWORDED = {
    "Which of these services does your organization currently provide directly to people "
    "who use drugs (PWUD)? Select all that apply.":
        "What services does your agency offer directly to people who use drugs? Check all "
        "that apply.",
    "Is your organization currently receiving technical assistance to support its harm "
    "reduction efforts?":
        "Does your organization receive technical assistance for its harm reduction work at "
        "present?",
    "How much do you agree with each statement about the communities you serve?":
        "To what extent do you agree with these statements about the communities your "
        "organization serves?",
    "What have been the greatest challenges to adopting harm reduction in your "
    "organization, if any?":
        "What are the biggest challenges your organization has faced in adopting harm "
        "reduction?",
    "Naloxone distribution": "Distribution of naloxone",
    "Staff in our organization support harm reduction services.":
        "Our staff are supportive of harm reduction services.",
    "Unsure": "Not sure",
}
EXTRA = "How did you hear about this survey?"


@pytest.fixture(scope="module")
def waves(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("waves")
    original = folder / "wave.csv"
    write_surveymonkey_csv(original, demo_responses(load_bundled(), seed=11))
    rows = [[REWORDED.get(cell, cell) for cell in row] for row in read_rows(original)]
    # A question the instrument does not have.
    rows[0].append(EXTRA)
    rows[1].append("Open-Ended Response")
    for number, row in enumerate(rows[2:]):
        row.append("A colleague" if number % 3 == 0 else "")
    return original, write_rows(folder / "reworded.csv", rows)


@pytest.fixture(scope="module")
def mapping(waves, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mapping") / "mapping.yaml"
    done = run_hrta("instrument", "match", waves[1], "--instrument",
                    "harm_reduction_ta_2022", "-o", out)
    assert done.returncode == 0, done.stderr
    return out


def test_match_maps_reworded_questions_labels_and_statements(mapping):
    text = mapping.read_text(encoding="utf-8")
    proposed = load_yaml(text, origin=str(mapping))
    reworded = {REWORDED[k]: v for k, v in {
        "Which of these services does your organization currently provide directly to people "
        "who use drugs (PWUD)? Select all that apply.": "services_direct",
        "Is your organization currently receiving technical assistance to support its harm "
        "reduction efforts?": "ta_receiving",
        "How much do you agree with each statement about the communities you serve?":
            "fb_community",
        "What have been the greatest challenges to adopting harm reduction in your "
        "organization, if any?": "challenges"}.items()}
    for question_text, qid in reworded.items():
        assert proposed["questions"][question_text] == qid
    for qid in ("services_direct", "services_referral", "services_planned"):
        assert proposed["options"][qid] == {"Distribution of naloxone": "naloxone"}
    assert proposed["options"]["ta_receiving"] == {"Not sure": "unsure"}
    assert proposed["statements"]["fb_organizational"] == {
        "Our staff are supportive of harm reduction services.": "staff_support"}
    # The unmatched question is ignored and said so; every proposal carries its similarity.
    assert proposed["questions"][EXTRA] == "ignore"
    assert "# UNMATCHED: no question of harm_reduction_ta_2022 fits" in text
    assert re.search(r'^    "Distribution of naloxone": naloxone  # (0\.\d\d|1\.00)', text, re.M)
    assert "screening  # 1.00" in text


def test_analyze_with_the_proposed_mapping_counts_as_the_original(waves, mapping, tmp_path):
    original, reworded = waves
    before = run_hrta("analyze", original, "--json", tmp_path / "before.json", "--no-themes")
    after = run_hrta("analyze", reworded, "--mapping", mapping, "--json",
                     tmp_path / "after.json", "--no-themes")
    assert before.returncode == 0, before.stderr
    assert after.returncode == 0, after.stderr
    first, second = (json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
                     for name in ("before", "after"))

    def counts(findings: dict) -> dict[str, object]:
        return {qid: (entry["n"], {o: v["count"] for o, v in entry.get("options", {}).items()},
                      sorted(entry.get("answers", [])))
                for qid, entry in findings["questions"].items()}

    assert first["responses"] == second["responses"]
    assert counts(first) == counts(second)
    assert counts(first)["ta_receiving"][1]["unsure"] > 0  # the reworded label was counted


def test_match_refuses_a_file_that_is_not_a_survey_export(tmp_path):
    export = write_rows(tmp_path / "people.csv", [["name", "age"], ["", ""], ["Bob", "3"]])
    out = tmp_path / "mapping.yaml"
    done = run_hrta("instrument", "match", export, "-o", out)
    assert done.returncode == 2
    assert f"{export}, row 1, column A" in " ".join(done.stderr.split())
    assert not out.exists()
