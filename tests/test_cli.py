"""The `hrta` command line, run as a user runs it."""

from __future__ import annotations

import json

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


def test_report_writes_one_self_contained_page(small_export, tmp_path):
    out = tmp_path / "report.html"
    result = run_hrta("report", small_export, "-o", out)
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "Figure 3." in html and "(n=" in html
    assert "<script src" not in html and "<link" not in html
    assert html.count("<svg") >= 3


def test_report_refuses_other_output_types(small_export, tmp_path):
    result = run_hrta("report", small_export, "-o", tmp_path / "report.pdf")
    assert result.returncode == 2
    assert "HTML" in result.stderr
    assert not (tmp_path / "report.pdf").exists()


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


def test_demo_writes_export_and_report(tmp_path):
    result = run_hrta("demo", "--out", tmp_path / "demo", "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert "161 responses: 151 eligible, 10 excluded" in result.stderr
    assert (tmp_path / "demo" / "responses.csv").stat().st_size > 10_000
    assert "Figure 12." in (tmp_path / "demo" / "report.html").read_text(encoding="utf-8")


def test_unknown_format_is_refused(small_export, tmp_path):
    result = run_hrta("analyze", small_export, "--format", "qualtrics", "--json",
                      tmp_path / "f.json")
    assert result.returncode == 2
    assert "unknown format 'qualtrics'" in result.stderr
