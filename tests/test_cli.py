"""The `hrta` command line, run as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from hrta.demo import demo_responses
from hrta.exports import write_surveymonkey_csv
from tests.conftest import run_hrta


def test_analyze_writes_the_documented_findings(small_export, tmp_path):
    out = tmp_path / "findings.json"
    result = run_hrta("analyze", small_export, "--format", "surveymonkey", "--json", out)
    assert result.returncode == 0, result.stderr
    assert "5 responses: 4 eligible, 1 excluded" in result.stderr
    findings = json.loads(out.read_text(encoding="utf-8"))
    assert findings["instrument"] == "harm_reduction_ta_2022"
    assert findings["responses"] == {"total": 5, "eligible": 4, "excluded": 1}
    naloxone = findings["questions"]["services_direct"]["options"]["naloxone"]
    assert (naloxone["label"], naloxone["count"]) == ("Naloxone distribution", 2)
    assert findings["questions"]["challenges"]["n"] == 1
    assert "coding" in findings["questions"]["challenges"]


def test_analyze_without_themes_skips_coding(small_export, tmp_path):
    out = tmp_path / "findings.json"
    result = run_hrta("analyze", small_export, "--format", "surveymonkey", "--json", out,
                      "--no-themes")
    assert result.returncode == 0, result.stderr
    questions = json.loads(out.read_text(encoding="utf-8"))["questions"]
    assert questions["challenges"]["n"] == 1
    assert not any("coding" in entry for entry in questions.values())


def test_report_writes_one_self_contained_page(small_export, tmp_path):
    out = tmp_path / "report.html"
    result = run_hrta("report", small_export, "-o", out)
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "Figure 3." in html and "(n=" in html
    assert "<script src" not in html and "<link" not in html
    assert html.count("<svg") >= 3


def test_report_refuses_other_output_types(small_export, tmp_path):
    result = run_hrta("report", small_export, "-o", tmp_path / "report.odt")
    assert result.returncode == 2
    assert "*.html, *.pdf or *.docx" in result.stderr
    assert not (tmp_path / "report.odt").exists()


def test_convert_to_parquet_and_analyse_it(small_export, tmp_path):
    parquet = tmp_path / "wave.parquet"
    assert run_hrta("convert", small_export, "-o", parquet).returncode == 0
    out = tmp_path / "f.json"
    result = run_hrta("analyze", parquet, "--json", out)
    assert result.returncode == 0, result.stderr
    again = json.loads(out.read_text(encoding="utf-8"))
    direct = tmp_path / "direct.json"
    run_hrta("analyze", small_export, "--json", direct)
    assert again["questions"] == json.loads(direct.read_text(encoding="utf-8"))["questions"]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CompletedProcess[str]]:
    """`hrta demo` once for the module (it codes and reports the wave: seconds): the default
    seed's wave, the seed named as a user names it."""
    folder = tmp_path_factory.mktemp("demo") / "demo"
    return folder, run_hrta("demo", "--out", folder, "--seed", "2022")


def test_demo_writes_export_and_report(demo_run):
    folder, result = demo_run
    assert result.returncode == 0, result.stderr
    assert "161 responses: 151 eligible, 10 excluded" in result.stderr
    assert (folder / "responses.csv").stat().st_size > 10_000
    assert "Figure 12." in (folder / "report.html").read_text(encoding="utf-8")


def test_unknown_format_is_refused(small_export, tmp_path):
    result = run_hrta("analyze", small_export, "--format", "spss", "--json",
                      tmp_path / "f.json")
    assert result.returncode == 2
    assert "unknown format 'spss'" in result.stderr


def test_statistics_options_add_their_blocks(demo_run, instrument, tmp_path):
    # The default seed's wave: by role group it has one significant difference (worked
    # through in docs/statistics.md), so the sentence that states it is checked below.
    demo, made = demo_run
    assert made.returncode == 0, made.stderr
    # The earlier wave is the export `hrta demo --seed 6` writes, made in-process (the
    # command itself runs once, above): the same bytes without coding and reporting it.
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    write_surveymonkey_csv(earlier / "responses.csv", demo_responses(instrument, seed=6))
    margins = tmp_path / "margins.yaml"
    margins.write_text("margins:\n  role.group: {leadership: 0.4, staff: 0.6}\n",
                       encoding="utf-8")
    out = tmp_path / "f.json"
    result = run_hrta("analyze", demo / "responses.csv", "--json", out, "--by", "role.group",
                      "--weights", margins, "--compare", earlier / "responses.csv",
                      "--compare-label", "the 2021 wave")
    assert result.returncode == 0, result.stderr
    findings = json.loads(out.read_text(encoding="utf-8"))
    assert [g["id"] for g in findings["comparisons"]["groups"]] == ["leadership", "staff"]
    assert findings["weighting"]["margins"] == ["role.group"]
    assert findings["trend"]["label"] == "the 2021 wave"
    for entry in findings["comparisons"]["questions"].values():
        for option in entry["options"].values():
            for cell in option["groups"].values():
                assert cell["count"] is None or cell["count"] == 0 or cell["count"] >= 5

    docx = tmp_path / "by-role.docx"
    result = run_hrta("report", demo / "responses.csv", "-o", docx, "--by", "role.group")
    assert result.returncode == 0, result.stderr
    import docx as python_docx

    text = "\n".join(p.text for p in python_docx.Document(str(docx)).paragraphs)
    assert "Comparisons by professional role or title" in text
    significant = findings["comparisons"]["significant"]
    assert [s["question"] for s in significant] == ["fb_policy.law_enforcement_support"]
    # The significant difference is stated in words, with its adjusted p.
    p_adjusted = significant[0]["p_adjusted"]
    assert 0 < p_adjusted < 0.05
    assert "differed by professional role or title" in text
    assert f"(adjusted p={p_adjusted:.3f})" in text

    bad = run_hrta("analyze", demo / "responses.csv", "--json", tmp_path / "g.json",
                   "--by", "favourite_colour")
    assert bad.returncode == 2
    assert "favourite_colour" in bad.stderr
    assert not (tmp_path / "g.json").exists()


def test_audit_flags_the_2022_report(tmp_path):
    from pathlib import Path

    seed = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_5615df9b51167696.txt"
    if not seed.is_file():
        pytest.fail(f"the 2022 report is not at {seed}: shared/seeds must lie beside the "
                    "repository (as in CI and on developers' machines)")
    copy = tmp_path / "report.txt"
    copy.write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_hrta("audit", copy, "--json")
    assert result.returncode == 0, result.stderr
    flags = json.loads(result.stdout)
    kinds = {flag["kind"] for flag in flags}
    assert {"distribution-sum", "conflicting-figures"} <= kinds
    assert any("106" in flag["reason"] for flag in flags)

    missing = run_hrta("audit", tmp_path / "nope.odt")
    assert missing.returncode == 2


def _literals(value: object) -> list[str]:
    """`path:line` of every Python constant equal to `value` in src/hrta (the Django
    migrations, which are generated and frozen, left out)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "src" / "hrta"
    found = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Constant) and type(node.value) is type(value)
                    and node.value == value):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_the_default_instrument_id_is_written_once():
    assert _literals("harm_reduction_ta_2022") == ["defaults.py:13"]


def test_every_command_takes_the_shared_defaults():
    """--instrument and --suppress-below default to the one constant in every command."""
    import typer.main

    from hrta.cli import app
    from hrta.defaults import DEFAULT_INSTRUMENT, DEFAULT_THRESHOLD

    def walk(command, path):
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    seen = {"--instrument": 0, "--suppress-below": 0}
    for path, command in walk(typer.main.get_command(app), []):
        for param in command.params:
            for option, default in (("--instrument", DEFAULT_INSTRUMENT),
                                    ("--suppress-below", DEFAULT_THRESHOLD)):
                if option in getattr(param, "opts", ()):
                    assert param.default == default, (path, option)
                    seen[option] += 1
    assert seen["--instrument"] >= 12 and seen["--suppress-below"] == 3, seen
