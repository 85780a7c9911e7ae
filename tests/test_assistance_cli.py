"""`hrta plan`, `demand`, `cohorts` and `catalog`, run as the real command line."""

from __future__ import annotations

import json

from pypdf import PdfReader

from tests.conftest import FIXTURES, run_hrta

WAVE = FIXTURES / "assistance_profiles.csv"


def test_plan_writes_html_pdf_and_json(tmp_path):
    catalog = tmp_path / "catalog.yaml"
    result = run_hrta("plan", WAVE, "--respondent", "full", "-o", tmp_path / "plan.pdf",
                      "--json", tmp_path / "plan.json", "--catalog", catalog)
    assert result.returncode == 0, result.stderr
    assert "full: 7 TA areas" in result.stderr
    assert len(PdfReader(tmp_path / "plan.pdf").pages) == 1
    data = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert [a["id"] for a in data["areas"]][:3] == ["funding", "staff_training", "evaluation"]
    assert data["profile"]["domains"][0]["score"] == 31
    assert "notes" not in data["areas"][0]["resources"][0]
    assert not catalog.exists()  # reading the catalog never writes it
    html = run_hrta("plan", WAVE, "--respondent", "unknown", "-o", tmp_path / "plan.html",
                    "--catalog", catalog)
    assert html.returncode == 0, html.stderr
    page = (tmp_path / "plan.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in page and "<script>" not in page


def test_plan_json_to_standard_output(tmp_path):
    result = run_hrta("plan", WAVE, "--respondent", "sparse", "--json", "-",
                      "--catalog", tmp_path / "c.yaml")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["complete"] is False
    assert "Too little was answered to recommend" in result.stderr


def test_plan_refuses_bad_requests_and_writes_nothing(tmp_path):
    target = tmp_path / "plan.html"
    unknown = run_hrta("plan", WAVE, "--respondent", "nobody", "-o", target,
                       "--catalog", tmp_path / "c.yaml")
    assert unknown.returncode == 2
    assert "no respondent with id 'nobody' among 4 responses" in unknown.stderr
    assert "assistance_profiles.csv" in unknown.stderr
    screened = run_hrta("plan", WAVE, "--respondent", "out", "-o", target,
                        "--catalog", tmp_path / "c.yaml")
    assert screened.returncode == 2
    assert "screened out as ineligible" in screened.stderr
    nowhere = run_hrta("plan", WAVE, "--respondent", "full")
    assert nowhere.returncode == 2
    assert "-o plan.html" in nowhere.stderr
    docx = run_hrta("plan", WAVE, "--respondent", "full", "-o", tmp_path / "plan.docx")
    assert docx.returncode == 2
    assert not any(tmp_path.iterdir())


def test_bad_rules_file_names_the_line(tmp_path):
    from hrta.assistance.rules import bundled_rules_path

    rules = tmp_path / "rules.yaml"
    text = bundled_rules_path("harm_reduction_ta_2022").read_text(encoding="utf-8")
    rules.write_text(text.replace("cohort_format: small_group", "cohort_format: zoom"),
                     encoding="utf-8")
    result = run_hrta("demand", WAVE, "--json", tmp_path / "d.json", "--rules", rules)
    assert result.returncode == 2
    line = text[:text.index("cohort_format")].count("\n") + 1
    assert f"rules.yaml, row {line}: demand.cohort_format: 'zoom' is not an option" \
        in " ".join(result.stderr.split())
    assert not (tmp_path / "d.json").exists()


def test_demand_writes_json_and_page(tmp_path):
    result = run_hrta("demand", WAVE, "--json", tmp_path / "demand.json",
                      "-o", tmp_path / "demand.html", "--suppress-below", "1")
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "demand.json").read_text(encoding="utf-8"))
    assert (data["eligible"], data["areas"]["n"], data["threshold"]) == (3, 2, 1)
    assert "<svg" in (tmp_path / "demand.html").read_text(encoding="utf-8")
    assert "2 of 3 eligible respondents chose TA areas" in " ".join(result.stderr.split())


def test_cohorts_from_a_consent_list(tmp_path):
    wave = tmp_path / "wave.csv"
    lines = ["response_id,question_id,option_id,value"]
    for number in range(1, 4):
        for qid, option in (("screening", "employed"), ("state", "ok"),
                            ("ta_areas", "funding"), ("ta_formats", "small_group")):
            lines.append(f"r{number},{qid},{option},")
    lines.append("r1,raffle_opt_in,yes,")
    lines.append("r1,raffle_email,,one@example.org")
    wave.write_text("\n".join(lines) + "\n", encoding="utf-8")
    listed = tmp_path / "consented.txt"
    listed.write_text("# agreed to be contacted\nr1\nr3\n", encoding="utf-8")
    result = run_hrta("cohorts", wave, "--consented", listed, "--json", tmp_path / "c.json")
    assert result.returncode == 0, result.stderr
    found = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert [(c["area"], c["region"], [m["response_id"] for m in c["members"]])
            for c in found] == [("funding", "south", ["r1", "r3"])]
    assert "r1, r3" in result.stdout
    # Without a list, those who left contact details consent: r1 alone is no cohort.
    alone = run_hrta("cohorts", wave)
    assert alone.returncode == 0, alone.stderr
    assert "1 respondents who left contact details; 0 cohorts" in alone.stderr


def test_catalog_import_and_list(tmp_path):
    user = tmp_path / "user" / "catalog.yaml"
    good = tmp_path / "good.csv"
    good.write_text("id,title,publisher,format,topics\n"
                    "center_cohort,Funding cohort,Our TA center,small_group,funding\n",
                    encoding="utf-8")
    result = run_hrta("catalog", "import", good, "--catalog", user)
    assert result.returncode == 0, result.stderr
    assert "Imported 1 entries (1 new, 0 replaced)" in " ".join(result.stdout.split())
    listed = run_hrta("catalog", "list", "--json", "--topic", "funding", "--catalog", user)
    assert listed.returncode == 0, listed.stderr
    entries = json.loads(listed.stdout)
    assert "center_cohort" in [e["id"] for e in entries]
    assert all("funding" in e["topics"] for e in entries)
    before = user.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("id,title,publisher,format,topics\nx,T,P,podcast,funding\n",
                   encoding="utf-8")
    refused = run_hrta("catalog", "import", bad, "--catalog", user)
    assert refused.returncode == 2
    assert "bad.csv, row 2, column D ('format'): unknown format 'podcast'" in \
        " ".join(refused.stderr.split())
    assert user.read_bytes() == before
    table = run_hrta("catalog", "list", "--resource-format", "small_group", "--catalog", user)
    assert table.returncode == 0, table.stderr
    assert "center_cohort" in table.stdout
    wrong = run_hrta("catalog", "list", "--topic", "grants", "--catalog", user)
    assert wrong.returncode == 2
    assert "unknown topic 'grants'" in wrong.stderr


def test_demand_of_an_export_with_headers_and_no_rows(tmp_path):
    """A wave nobody has answered yet: empty tables and a message, never a traceback."""
    from hrta.demo.generator import synthetic_responses
    from hrta.exports import write_surveymonkey_csv
    from hrta.instrument import load_bundled
    from tests.conftest import read_rows, write_rows

    full = tmp_path / "full.csv"
    write_surveymonkey_csv(full, synthetic_responses(load_bundled(), 12, seed=5))
    empty = write_rows(tmp_path / "empty.csv", read_rows(full)[:2])
    result = run_hrta("demand", empty, "--json", tmp_path / "demand.json",
                      "-o", tmp_path / "demand.html")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    said = " ".join(result.stderr.split())
    assert "empty.csv has no eligible responses: the demand tables are empty" in said
    data = json.loads((tmp_path / "demand.json").read_text(encoding="utf-8"))
    assert (data["eligible"], data["areas"]["n"], data["receiving_gap"]["n"]) == (0, 0, 0)
    assert all(row["count"] == 0 for row in data["areas"]["rows"])
    assert (tmp_path / "demand.html").stat().st_size > 0
    native = tmp_path / "empty-native.csv"
    native.write_text("response_id,question_id,option_id,value\n", encoding="utf-8")
    result = run_hrta("demand", native, "--json", "-")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["eligible"] == 0
