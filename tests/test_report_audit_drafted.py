"""The report of a drafted questionnaire passes its own audit: an instrument drafted from
an export whose frequency grid (Always … Never, nets "always or often" / "rarely or
never") the report writes one sentence per statement, all in one paragraph. Each sentence
is its own statement's claim, checked against that statement's figures: no flag on the
report as written, and a flag when one statement's figure is wrong though the same value
is a real share of another question.

Every step is the real command line in a fresh process, as an analyst runs it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_hrta

FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPORT = FIXTURES / "drafting" / "needs_assessment.csv"
# A Google Forms export: a frequency grid, and a checkbox grid drafted as one select-all
# question per row, whose sentences open "On <question - row>, ..." and share options.
GRIDS = FIXTURES / "googleforms" / "grids.csv"
FORMATS = ("html", "docx", "pdf")
FUNDING = "Of 7 respondents rating “Lack of funding”, 86% answered always or often"


def _draft_analyse_report(folder: Path, export: Path, *options: str) -> Path:
    steps = [("instrument", "draft", export, *options, "-o", folder / "i.yaml"),
             ("analyze", export, "--instrument", folder / "i.yaml", "--json", folder / "f.json"),
             *[("report", export, "--instrument", folder / "i.yaml", "-o", folder / f"r.{s}")
               for s in FORMATS]]
    for step in steps:
        done = run_hrta(*step)
        assert done.returncode == 0, (step, done.stderr)
    return folder


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _draft_analyse_report(tmp_path_factory.mktemp("drafted"), EXPORT)


@pytest.fixture(scope="module")
def grids(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _draft_analyse_report(tmp_path_factory.mktemp("grids"), GRIDS,
                                 "--format", "googleforms")


def _flags(report: Path, findings: Path) -> list[dict[str, object]]:
    done = run_hrta("audit", report, "--findings", findings, "--json")
    assert done.returncode == 0, done.stderr
    flags: list[dict[str, object]] = json.loads(done.stdout)
    return flags


def test_the_drafted_instrument_has_a_frequency_grid(drafted: Path) -> None:
    text = (drafted / "i.yaml").read_text(encoding="utf-8")
    assert 'nets: {often: "Always or often", rarely: "Rarely or never"}' in text
    assert FUNDING in (drafted / "r.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("suffix", FORMATS)
def test_the_frequency_grid_report_has_no_audit_flag(drafted: Path, suffix: str) -> None:
    assert _flags(drafted / f"r.{suffix}", drafted / "f.json") == []


@pytest.mark.parametrize("suffix", FORMATS)
def test_the_google_forms_grids_report_has_no_audit_flag(grids: Path, suffix: str) -> None:
    text = (grids / "i.yaml").read_text(encoding="utf-8")
    assert "scale: frequency" in text
    assert _flags(grids / f"r.{suffix}", grids / "f.json") == []


ROWS = ("## Grids\n\nOn “Which kinds of TA did each team receive? - Outreach team”, the most "
        "common answers were training (75%, n=4) and coaching (75%).\n\nFor “Which kinds of "
        "TA did each team receive? - {team} team”, the leading answers were training (50%, "
        "n=4) and materials (50%).\n")


def test_the_same_option_of_two_questions_is_two_findings(tmp_path: Path) -> None:
    path = tmp_path / "r.md"
    path.write_text(ROWS.format(team="Clinical"), encoding="utf-8")
    done = run_hrta("audit", path, "--json")
    assert done.returncode == 0 and json.loads(done.stdout) == [], done.stdout


def test_the_same_option_of_one_question_quoted_twice_still_conflicts(tmp_path: Path) -> None:
    path = tmp_path / "r.md"
    path.write_text(ROWS.format(team="Outreach"), encoding="utf-8")
    done = run_hrta("audit", path, "--json")
    assert done.returncode == 0, done.stderr
    flags = json.loads(done.stdout)
    assert [f["kind"] for f in flags] == ["conflicting-figures"], flags
    assert "training (50%" in flags[0]["sentence"] and "75%" in flags[0]["reason"]


def test_two_statements_rated_in_one_paragraph_are_two_findings(tmp_path: Path) -> None:
    path = tmp_path / "r.md"
    path.write_text(
        "## Barriers\n\nOf 6 respondents rating “Staff turnover”, 50% answered always or "
        "often and 17% answered “Sometimes”. Of 7 respondents rating “Lack of funding”, 86% "
        "answered always or often and 14% answered “Sometimes”.\n", encoding="utf-8")
    done = run_hrta("audit", path, "--json")
    assert done.returncode == 0 and json.loads(done.stdout) == [], done.stdout
    # The same statement rated twice with two figures is one finding quoted twice.
    path.write_text(path.read_text(encoding="utf-8").replace("Lack of funding",
                                                             "Staff turnover"),
                    encoding="utf-8")
    done = run_hrta("audit", path, "--json")
    assert [f["kind"] for f in json.loads(done.stdout)] == ["conflicting-figures"] * 2


# 71% is a real share of 7 respondents elsewhere (5 of 7 serve adults); 43% is this
# statement's own "Always" alone (3 of 7). Only the figure of the answer the sentence
# names tells either is wrong for "always or often" of "Lack of funding".
@pytest.mark.parametrize("wrong", ["71%", "43%"])
def test_a_wrong_figure_for_one_statement_is_still_flagged(drafted: Path, wrong: str) -> None:
    page = (drafted / "r.html").read_text(encoding="utf-8")
    assert page.count(FUNDING) == 1
    edited = drafted / f"wrong-{wrong[:-1]}.html"
    edited.write_text(page.replace(FUNDING, FUNDING.replace("86%", wrong)), encoding="utf-8")
    flags = _flags(edited, drafted / "f.json")
    unmatched = [f for f in flags if f["kind"] == "unmatched-value"]
    assert len(unmatched) == 1, flags
    reason = str(unmatched[0]["reason"])
    assert reason.endswith(f"not {wrong}")
    assert "“Lack of funding”: Always or often (n=7)" in reason
    # The takeaway quotes the right figure for the same finding: the two disagree.
    assert [f["kind"] for f in flags].count("conflicting-figures") == 1, flags
