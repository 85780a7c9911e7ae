"""What the report says of open-ended answers, run as a user runs `hrta report`.

Themes reach the executive summary only once people reviewed the coding (`--codes`); a
quote is shown only from a confirmed answer, at most three per theme, and held back when
it may name a person, place or agency unless the analyst releases it; the answers
themselves are printed only with `--verbatims`.
"""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_hrta, write_rows

PLANTED = "Sheriff Smith of Jefferson County keeps arresting our clients."
CHALLENGES = [  # with the theme a reviewer confirmed
    ("Not enough funding for supplies.", "funding"),
    ("Our grants cannot pay for syringes.", "funding"),
    ("Money is always short.", "funding"),
    ("Funding ends every year and we start over.", "funding"),
    ("Stigma in the community.", "stigma"),
    ("People think we enable drug use.", "stigma"),
    (PLANTED, "policy_legal"),
    ("Laws make it hard to hand out supplies.", "policy_legal"),
    ("Staff turnover and burnout.", "staff_capacity"),
]
FACILITATORS = [("Our peer specialists.", "peers_lived_experience"),
                ("Peers with lived experience.", "peers_lived_experience"),
                ("Support from our leaders.", "leadership"),
                ("Working together with other programs.", "collaboration")]
PLANTED_ID = "challenges-7"  # its place among the question's answers


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("quotes")
    rows = [["response_id", "question_id", "option_id", "value"]]
    codes = [["response_id", "question", "themes"]]
    for question, answers in (("challenges", CHALLENGES), ("facilitators", FACILITATORS)):
        for number, (text, theme) in enumerate(answers, start=1):
            rows.append([f"r{number}", question, "", text])
            codes.append([f"r{number}", question, theme])
    write_rows(folder / "wave.csv", rows)
    write_rows(folder / "codes.csv", codes)
    return folder


def _report(folder: Path, name: str, *options: str) -> tuple[str, subprocess.CompletedProcess[str]]:
    out = folder / f"{name}.html"
    result = run_hrta("report", folder / "wave.csv", "--format", "native", "-o", out, *options)
    assert result.returncode == 0, result.stderr
    return out.read_text(encoding="utf-8"), result


@pytest.fixture(scope="module")
def machine(folder: Path) -> str:
    return _report(folder, "machine")[0]


@pytest.fixture(scope="module")
def reviewed(folder: Path) -> tuple[str, subprocess.CompletedProcess[str]]:
    return _report(folder, "reviewed", "--codes", folder / "codes.csv", "--verbatims")


@pytest.fixture(scope="module")
def released(folder: Path) -> str:
    return _report(folder, "released", "--codes", folder / "codes.csv",
                   "--release-quote", PLANTED_ID)[0]


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _chapter(page: str, anchor: str) -> str:
    """The text of one chapter or section of the HTML report, up to the next one."""
    start = page.index(f'<section id="{anchor}"')
    following = page.find("<section id=", start + 1)
    return _text(page[start:following if following > 0 else len(page)])


def _quotes(page: str) -> list[list[str]]:
    """Per theme, the quotes listed under it (bullets of “…” in the themes' section)."""
    section = page[page.index('<section id="section-facilitators_barriers"'):]
    return [re.findall(r"<li[^>]*>\s*“(.*?)”\s*</li>", html.unescape(items))
            for items in re.findall(r"<ul[^>]*>(.*?)</ul>", section, re.S)
            if "“" in html.unescape(items)]


def test_machine_coded_themes_stay_in_their_section_labelled(machine: str) -> None:
    summary = _chapter(machine, "summary")
    assert "nadequate funding" not in summary and "own words" not in summary
    body = _chapter(machine, "section-facilitators_barriers")
    assert "Common themes that emerged included inadequate funding" in body
    assert body.count("machine-coded, not yet reviewed") >= 4  # sentence and caption, twice
    # Nobody confirmed an answer: no quote at all, though the machine picked some.
    assert _quotes(machine) == []
    assert "Not enough funding for supplies." not in _text(machine)


def test_answers_are_printed_only_with_verbatims(machine: str, reviewed, released: str) -> None:
    for page in (machine, released):
        assert 'id="appendix-answers"' not in page
        assert "Open-ended answers" not in _text(page)
    assert "Working together with other programs." not in _text(machine)
    page = _text(reviewed[0])
    assert "Appendix B: Open-ended answers" in page
    appendix = _chapter(reviewed[0], "appendix-answers")
    assert PLANTED in appendix and "Working together with other programs." in appendix


def test_reviewed_themes_reach_the_summary(reviewed) -> None:
    page, _ = reviewed
    summary = _chapter(page, "summary")
    assert ("The challenges respondents wrote of most often were inadequate funding "
            "(4 of 9, 44%)") in summary
    assert "peers and people with lived experience (2 of 4, 50%)" in summary
    assert "machine-coded" not in _text(page)


def test_quotes_are_confirmed_at_most_three_and_screened(reviewed) -> None:
    page, result = reviewed
    quotes = _quotes(page)
    assert quotes and all(1 <= len(q) <= 3 for q in quotes)
    shown = {q for theme in quotes for q in theme}
    assert shown <= {text for text, _ in CHALLENGES + FACILITATORS}
    assert PLANTED not in shown
    assert "Laws make it hard to hand out supplies." in shown
    body = _chapter(page, "section-facilitators_barriers")
    assert "One quote was withheld because it may name a person, place or agency." in body
    # The analyst is told which quote, and how to release it.
    told = " ".join(result.stderr.split())
    assert f"quote {PLANTED_ID} (Policy and legal barriers) withheld" in told
    assert f"--release-quote {PLANTED_ID}" in told
    assert PLANTED in told


def test_a_released_quote_is_shown(released: str) -> None:
    assert PLANTED in {q for theme in _quotes(released) for q in theme}
    assert "withheld" not in _chapter(released, "section-facilitators_barriers")


def test_bad_codes_file_names_row_and_column(folder: Path) -> None:
    bad = write_rows(folder / "bad.csv", [["response_id", "question", "themes"],
                                          ["r1", "challenges", "funding"],
                                          ["r2", "challenges", "no_such_theme"]])
    result = run_hrta("report", folder / "wave.csv", "--format", "native",
                      "-o", folder / "bad.html", "--codes", bad)
    assert result.returncode == 2
    assert "no_such_theme" in result.stderr and "bad.csv" in result.stderr
    assert "row 3" in result.stderr
    assert not (folder / "bad.html").exists()


@pytest.mark.parametrize("text", [
    PLANTED, "Dr. Lee left the clinic.", "Write to jo@example.org for more.",
    "Call 555-123-4567 any time.", "In Ohio the laws are harsh.",
    "We worked with the Harm Reduction Coalition last year.", "The county will not help.",
    "The police department raided our site.", "See www.example.org for details."])
def test_the_screen_finds_names(text: str) -> None:
    from hrta.report.themes import screen

    assert screen(text)


@pytest.mark.parametrize("text", [
    "Not enough funding for supplies.", "We need Narcan and more staff.",
    "Stigma in the community. People think we enable drug use.",
    "MOUD access is limited.", "I think leadership support matters."])
def test_the_screen_lets_plain_answers_through(text: str) -> None:
    from hrta.report.themes import screen

    assert screen(text) is None
