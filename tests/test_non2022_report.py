"""A questionnaire that is not the 2022 one, on the command line: its open-ended questions
have no bundled codebook and get theme discovery, and TA plans are refused plainly where
the instrument has no readiness rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import read_rows, run_hrta, write_rows

EXPORT = Path(__file__).resolve().parent / "fixtures" / "drafting" / "needs_assessment.csv"
NEEDS = ["More affordable housing", "Housing for people leaving jail", "Affordable housing",
         "Detox beds", "More detox beds", "Detox beds near us", "", "!!!"]


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An export with more answers to its open-ended question, and the instrument drafted
    from it."""
    folder = tmp_path_factory.mktemp("non2022")
    rows = read_rows(EXPORT)
    column = rows[0].index("What is the biggest unmet need in your community?")
    first = rows[2]
    body = []
    for number, need in enumerate(NEEDS):
        row = list(first)
        row[0] = str(900 + number)
        row[column] = need
        row[-4:] = ["", "", "", ""]
        body.append(row)
    export = write_rows(folder / "needs.csv", [rows[0], rows[1], *body])
    instrument = folder / "instrument.yaml"
    drafted = run_hrta("instrument", "draft", export, "-o", instrument)
    assert drafted.returncode == 0, drafted.stderr
    return export, instrument


def test_an_open_ended_question_without_a_codebook_gets_theme_discovery(drafted, tmp_path):
    export, instrument = drafted
    target = tmp_path / "themes.json"
    result = run_hrta("code", export, "--question", "biggest_unmet_need",
                      "--instrument", instrument, "--json", target)
    assert result.returncode == 0, result.stderr
    found = json.loads(target.read_text(encoding="utf-8"))
    assert found["codebook"] is None and found["n"] == 7 and found["uncodable"] == 1
    groups = sorted(sorted(c["response_ids"]) for c in found["candidates"])
    assert groups == [["900", "901", "902"], ["903", "904", "905"]]
    assert "no codebook" in result.stderr and "--codebook" in result.stderr


def test_a_codebook_given_for_such_a_question_codes_it(drafted, tmp_path):
    export, instrument = drafted
    book = tmp_path / "needs.yaml"
    book.write_text("question: biggest_unmet_need\nthemes:\n"
                    "  - {id: housing, label: Housing, examples: [affordable housing]}\n"
                    "  - {id: detox, label: Detox, examples: [detox beds]}\n",
                    encoding="utf-8")
    target = tmp_path / "coded.json"
    result = run_hrta("code", export, "--question", "biggest_unmet_need",
                      "--instrument", instrument, "--codebook", book, "--json", target)
    assert result.returncode == 0, result.stderr
    coded = {r["response_id"]: [t["id"] for t in r["themes"]]
             for r in json.loads(target.read_text(encoding="utf-8"))["responses"]}
    assert coded["902"] == ["housing"] and coded["904"] == ["detox"]


def test_a_closed_question_is_not_coded(drafted):
    export, instrument = drafted
    result = run_hrta("code", export, "--question", "program_run", "--instrument", instrument)
    assert result.returncode == 2
    assert "'program_run' is not an open-ended question" in result.stderr
    assert "biggest_unmet_need" in result.stderr


@pytest.mark.parametrize("command", ["plan", "demand"])
def test_ta_plans_need_readiness_rules(drafted, tmp_path, command):
    export, instrument = drafted
    args = ["--respondent", "900"] if command == "plan" else ["--json", tmp_path / "d.json"]
    result = run_hrta(command, export, "--instrument", instrument, *args,
                      "-o", tmp_path / f"{command}.html")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "has no readiness rules" in result.stderr
    assert "--rules" in result.stderr
    assert not (tmp_path / f"{command}.html").exists() and not (tmp_path / "d.json").exists()
