"""The demo report as people make it, open-ended answers coded into themes (the default),
passes its own audit in every format and in the brief: the theme sentences give each count
with its base ("12 of 61, 20%"), as every other sentence does. Each command runs in a fresh
process, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_hrta


@pytest.fixture(scope="module")
def wave(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("themed")
    done = run_hrta("demo", "--out", folder)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture(scope="module")
def findings(wave: Path) -> dict[str, Path]:
    paths = {}
    for lang in ("en", "es"):
        path = wave / f"findings-{lang}.json"
        done = run_hrta("analyze", wave / "responses.csv", "--lang", lang, "--json", path)
        assert done.returncode == 0, done.stderr
        coding = json.loads(path.read_text(encoding="utf-8"))["questions"]["challenges"]["coding"]
        assert coding["status"] == "coded" and coding["themes"], "the answers were coded"
        paths[lang] = path
    return paths


@pytest.mark.parametrize(("name", "options", "lang"), [
    ("report.html", (), "en"),
    ("report.docx", (), "en"),
    ("report.pdf", (), "en"),
    ("brief.pdf", ("--brief",), "en"),
    ("informe.pdf", (), "es"),
])
def test_the_themed_demo_report_has_no_audit_flag(wave: Path, findings: dict[str, Path],
                                                  name: str, options: tuple[str, ...],
                                                  lang: str) -> None:
    report = wave / name
    done = run_hrta("report", wave / "responses.csv", "--lang", lang, *options, "-o", report)
    assert done.returncode == 0, done.stderr
    audited = run_hrta("audit", report, "--findings", findings[lang])
    assert audited.returncode == 0 and "No inconsistencies found." in audited.stdout, \
        audited.stdout
