"""`hrta demo --follow-up`: a second wave fielded two years later, whose trend chapter shows
real movement. Figures checked by hand against the two CSV files."""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import pytest

from tests.conftest import run_hrta

SERVICES = "Which of these services does your organization currently provide directly"
NALOXONE = "Naloxone distribution"


def _hand_percent(path: Path, question_start: str, option: str) -> tuple[int, int]:
    """(ticked, answered) of one checkbox option among eligible respondents, read from the
    export's two header rows and its cells with nothing but the csv module."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    texts, labels, body = rows[0], rows[1], rows[2:]
    first = next(i for i, text in enumerate(texts) if text.startswith(question_start))
    last = next((i for i in range(first + 1, len(texts)) if texts[i]), len(texts))
    column = next(i for i in range(first, last) if labels[i] == option)
    screening = next(i for i, text in enumerate(texts) if text.startswith("Are you currently"))
    eligible = [row for row in body if row[screening].startswith("Yes")]
    answered = [row for row in eligible if any(row[first:last])]
    return sum(1 for row in answered if row[column]), len(answered)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("follow-up")
    result = run_hrta("demo", "--out", folder, "--follow-up")
    assert result.returncode == 0, result.stderr
    assert "Trend report" in result.stdout
    return folder


def test_the_follow_up_wave_moves_and_the_trend_chapter_says_by_how_much(demo: Path):
    ticked_then, n_then = _hand_percent(demo / "responses.csv", SERVICES, NALOXONE)
    ticked_now, n_now = _hand_percent(demo / "follow_up.csv", SERVICES, NALOXONE)
    then, now = 100 * ticked_then / n_then, 100 * ticked_now / n_now
    assert now - then > 10, (then, now)  # follow_up.yaml moves naloxone from 67% to 82%

    findings = demo / "trend.json"
    result = run_hrta("analyze", demo / "follow_up.csv", "--compare", demo / "responses.csv",
                      "--no-themes", "--json", findings)
    assert result.returncode == 0, result.stderr
    trend = json.loads(findings.read_text())["trend"]
    entry = trend["questions"]["services_direct"]
    assert (entry["n"], entry["n_before"]) == (n_now, n_then)
    naloxone = entry["options"]["naloxone"]
    assert naloxone["percent"] == pytest.approx(now)
    assert naloxone["percent_before"] == pytest.approx(then)
    assert naloxone["changed"] is True and naloxone["ci_low"] > 0

    page = html.unescape(re.sub(r"<[^>]+>", " ", (demo / "trend_report.html").read_text()))
    assert "fielded May 13, 2024" in page
    assert re.search(rf"“{NALOXONE}” rose from {round(then)}% of {n_then} to "
                     rf"{round(now)}% of {n_now}", page), \
        "the trend chapter names the change with both percents and their bases"


def test_the_first_wave_is_the_same_as_without_follow_up(demo: Path, tmp_path: Path):
    """--follow-up adds files; the first wave and its report are what `hrta demo` writes."""
    plain = tmp_path / "plain"
    assert run_hrta("demo", "--out", plain).returncode == 0
    assert (plain / "responses.csv").read_bytes() == (demo / "responses.csv").read_bytes()
    assert not (plain / "follow_up.csv").exists()


def test_an_interval_that_leaves_out_zero_never_reads_as_touching_it(demo: Path):
    """Fentanyl test strips planned: 19% → 9%, interval about −20 to −0.4 points. Rounded to
    whole points its upper end would read "0" beside "beyond chance"."""
    from hrta.report.formatting import format_bound

    assert [format_bound(v) for v in (-0.4, 0.3, -0.04, 0.0, -19.6, 2.5, None)] == \
        ["−0.4", "+0.3", "−0.04", "0", "−20", "+3", "–"]
    page = html.unescape(re.sub(r"<[^>]+>", " ", (demo / "trend_report.html").read_text()))
    assert not re.search(r"95% CI [−+]\d+ to 0\)", page)
    assert re.search(r"“Fentanyl test strips distribution” fell from \d+% of \d+ to \d+% of \d+ "
                     r"\(−\d+ points; 95% CI −\d+ to −0\.\d+\)", page)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_follow_up_report_and_its_trend_chapter_pass_their_audit(demo: Path, lang: str):
    """Other answers than the first wave's: the report's sentences (the referral-against-
    direct gaps give each percent its own base) and the trend tables (each wave's n heads its
    column) read back with no flag, in both languages."""
    wave, earlier = demo / "follow_up.csv", demo / "responses.csv"
    findings, report = demo / f"audit-{lang}.json", demo / f"audit-{lang}.html"
    common = ("--compare", earlier, "--compare-label", "the first wave", "--no-themes",
              "--lang", lang)
    assert run_hrta("analyze", wave, *common, "--json", findings).returncode == 0
    assert run_hrta("report", wave, *common, "-o", report).returncode == 0
    page = html.unescape(re.sub(r"<[^>]+>", " ", report.read_text(encoding="utf-8")))
    now = {"en": "This wave", "es": "Esta ronda"}[lang]
    assert re.search(rf"{now} \(2024, n=101\)", page), \
        "each wave's column names its year and its n"
    done = run_hrta("audit", report, "--findings", findings)
    assert done.returncode == 0 and "No inconsistencies found." in done.stdout, done.stdout
