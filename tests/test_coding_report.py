"""Coded themes in Findings and in the report: ranked, with n, percent and quotes, escaped
in HTML, PDF and Word; and a report that still renders when the model cannot be loaded."""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import docx
import pytest
from pypdf import PdfReader

from hrta.analysis import build_findings
from hrta.coding import add_themes
from hrta.coding.review import Confirmation
from hrta.ingest import load_responses
from hrta.instrument import Instrument
from hrta.report import build_document, render_reports
from hrta.report.document import Bullets, Paragraph, Table
from tests.conftest import write_rows

HOSTILE = "<script>alert(1)</script> Funding & money are <b>short</b>"
CHALLENGES = [
    HOSTILE, "Not enough funding for supplies.", "Our grants cannot pay for syringes.",
    "Money.", "Stigma in the community.", "People think we enable drug use.",
    "Staff turnover and burnout.", "N/A", "🙂",
]
FACILITATORS = ["Our peer specialists.", "Peers with lived experience.",
                "The county health department.", "Support from our CEO."]


def wave(path: Path) -> Path:
    rows = [["response_id", "question_id", "option_id", "value"]]
    for number, text in enumerate(CHALLENGES, start=1):
        rows.append([f"r{number}", "challenges", "", text])
    for number, text in enumerate(FACILITATORS, start=1):
        rows.append([f"r{number}", "facilitators", "", text])
    return write_rows(path, rows)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return wave(tmp_path_factory.mktemp("wave") / "wave.csv")


@pytest.fixture(scope="module")
def findings(export: Path, instrument: Instrument) -> dict[str, Any]:
    responses = load_responses(export, instrument, fmt="native")
    return add_themes(build_findings(responses).to_json(), responses,
                      confirmations=[Confirmation("r5", "challenges", ("stigma",),
                                                  hide_quote=True),
                                     # Only confirmed answers are quoted in the report.
                                     Confirmation("r1", "challenges", ("funding",))])


def test_findings_carry_ranked_themes_with_n(findings):
    coding = findings["questions"]["challenges"]["coding"]
    assert coding["status"] == "coded" and coding["n"] == len(CHALLENGES)
    assert (coding["uncoded"], coding["uncodable"], coding["confirmed"]) == (1, 1, 2)
    assert len(coding["codes"]) == len(findings["questions"]["challenges"]["answers"])
    funding = coding["themes"][0]
    assert funding["id"] == "funding" and funding["rank"] == 1 and funding["count"] >= 4
    assert funding["percent"] == pytest.approx(100 * funding["count"] / len(CHALLENGES))
    assert funding["ci_low"] < funding["percent"] < funding["ci_high"]
    assert 2 <= len(funding["quotes"]) <= 3
    stigma = next(t for t in coding["themes"] if t["id"] == "stigma")
    assert "Stigma in the community." not in stigma["quotes"], "hidden by the reviewer"
    assert [t["rank"] for t in coding["themes"]] == sorted(t["rank"] for t in coding["themes"])


def test_every_coding_key_is_documented(findings):
    doc = (Path(__file__).parents[1] / "docs" / "findings-schema.md").read_text("utf-8")
    coding = findings["questions"]["challenges"]["coding"]
    keys = set(coding) | {key for theme in coding["themes"] for key in theme} | {"coding"}
    missing = sorted(key for key in keys if f"`{key}`" not in doc)
    assert not missing, f"docs/findings-schema.md does not describe {missing}"


def test_document_tells_the_themes_like_the_2022_report(findings):
    document = build_document(findings)
    section = next(s for s in document.walk() if s.anchor == "section-facilitators_barriers")
    texts = [b.text for b in section.blocks if isinstance(b, Paragraph)]
    assert any(f"A total of {len(CHALLENGES)} respondents answered this open-ended question. "
               "Common themes that emerged included inadequate funding" in t for t in texts)
    # The count and its base, "(12 of 61, 20%)": never "(n=12, 20%)", the count as an n.
    assert any(re.match(r"Inadequate funding was the most cited challenge among "
                        r"respondents to this question \(\d+ of \d+, \d+%\)\.", t)
               for t in texts)
    assert not any(re.search(r"\(n=\d+, \d+%", t) for t in texts)
    # Every theme's percent has its base beside it: none is a bare "(15%)".
    assert not any(re.search(r"\(\d+%\)", t) for t in texts)
    tables = [b for b in section.blocks if isinstance(b, Table) and b.stub == "Theme"]
    assert [t.caption for t in tables] == [
        f"Themes of challenges to adopting harm reduction services (n={len(CHALLENGES)}), "
        "machine-coded, not yet reviewed",
        f"Themes of facilitators to adopting harm reduction services (n={len(FACILITATORS)}), "
        "machine-coded, not yet reviewed"]
    assert tables[0].rows[0].label == "Inadequate funding"
    quotes = [run.text for b in section.blocks if isinstance(b, Bullets)
              for item in b.items for run in item]
    assert quotes == [f"“{HOSTILE}”"], "only the answer a reviewer confirmed is quoted"
    # Machine-coded themes are told in their section, not in the summary, which leads with
    # takeaways computed from closed questions.
    summary = next(s for s in document.walk() if s.anchor == "summary")
    summary_text = " ".join(
        [b.text for b in summary.blocks if isinstance(b, Paragraph)]
        + [run.text for b in summary.blocks if isinstance(b, Bullets)
           for i in b.items for run in i])
    assert summary_text and "nadequate funding" not in summary_text


def test_quotes_are_escaped_in_html_pdf_and_word(findings, tmp_path: Path):
    html, pdf, word = tmp_path / "r.html", tmp_path / "r.pdf", tmp_path / "r.docx"
    render_reports(findings, [html, pdf, word])
    page = html.read_text(encoding="utf-8")
    assert "“&lt;script&gt;alert(1)&lt;/script&gt; Funding &amp; money are &lt;b&gt;short" \
           "&lt;/b&gt;”" in page
    assert "<script" not in page.lower()
    text = " ".join(p.text for p in docx.Document(str(word)).paragraphs)
    assert f"“{HOSTILE}”" in text
    # pypdf spells some fonts' text with NUL bytes between letters.
    pdf_text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(pdf).pages)
                      .replace("\x00", ""))
    assert "<script>alert(1)</script> Funding & money are <b>short</b>" in pdf_text


def test_report_renders_and_says_so_when_the_model_is_missing(export: Path, tmp_path: Path):
    empty = tmp_path / "no-model"
    empty.mkdir()
    out = tmp_path / "report.html"
    result = subprocess.run(
        [sys.executable, "-m", "hrta.cli", "report", str(export), "-o", str(out),
         "--verbatims"],
        capture_output=True, text=True, check=False,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "COLUMNS": "200",
             "NO_COLOR": "1", "HRTA_MODEL_DIR": str(empty), "HRTA_CACHE_DIR": "off"})
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert "could not be coded into themes for this report" in page
    assert "Not enough funding for supplies." in page, "the answers are still listed"


def test_a_theme_named_mid_sentence_reads_in_lower_case(findings):
    """"Finally, respondents named A champion" reads "… named a champion": a theme's
    label is a sentence-case name, lower case inside a sentence."""
    renamed = copy.deepcopy(findings)
    themes = renamed["questions"]["challenges"]["coding"]["themes"]
    used = [t for t in themes if t["count"] > 0]
    for theme in used[1:]:
        theme["label"] = "A champion"
    section = next(s for s in build_document(renamed).walk()
                   if s.anchor == "section-facilitators_barriers")
    texts = [b.text for b in section.blocks if isinstance(b, Paragraph)]
    assert any("respondent named a champion (1 of" in t for t in texts)
    # At the start of a sentence it keeps its capital.
    assert any(t.startswith("A champion was also named") for t in texts)
    assert not any(re.search(r"[a-z,] A champion", t) for t in texts), texts
