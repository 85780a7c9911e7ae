"""A Spanish report passes its own audit, and the audit still catches a wrong figure in it.

The demo wave is analysed under the questionnaire's Spanish wording (as `hrta report --lang
es` does) and written in Spanish as HTML, Word and tagged PDF, as the one-page brief, and
with `--by org_type` and `--compare`; each is read back by `hrta audit --findings` in a fresh
process, which reads the report's language from the file itself (`<html lang>`, the Word
document's language, the PDF's /Lang). Variants render two at a time in fresh interpreters
(the machine's two cores).
"""

from __future__ import annotations

import json
import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from hrta.audit import audit, format_flags
from hrta.findings.model import Findings
from tests.conftest import run_hrta

# The plain variant first: its PDF takes longest.
VARIANTS = {"plain": ("html", "docx", "pdf"), "brief": ("html", "docx", "pdf"),
            "by": ("html", "docx"), "compare": ("html", "docx")}


def render_variant(name: str, folder: Path) -> None:
    """Analyse the demo wave in Spanish as the variant asks; write its Findings and every
    format of its report into `folder`. Runs in a child process."""
    from dataclasses import replace

    from hrta.analysis.pipeline import analyse
    from hrta.demo import demo_responses
    from hrta.instrument import load_bundled
    from hrta.instrument.translation import in_reading_order, translate
    from hrta.report import render_reports
    from hrta.report.brief import render_brief

    instrument = load_bundled()
    spanish = in_reading_order(translate(instrument, "es"), instrument, "es")
    options = {"plain": {}, "brief": {}, "by": {"by": "org_type"},
               "compare": {"previous": replace(demo_responses(instrument, seed=2021),
                                               instrument=spanish),
                           "previous_label": "la ola de 2021"}}[name]
    findings = analyse(replace(demo_responses(instrument), instrument=spanish),
                       **options)  # type: ignore[arg-type]
    (folder / f"{name}.json").write_text(json.dumps(findings.to_json()), encoding="utf-8")
    paths = [folder / f"{name}.{suffix}" for suffix in VARIANTS[name]]
    if name == "brief":
        for path in paths:
            render_brief(findings, path, draft=True, language="es")
    else:
        render_reports(findings, paths, language="es")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("spanish")
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        for job in [pool.submit(render_variant, name, folder) for name in VARIANTS]:
            job.result()
    return folder


def _flags(report: Path, findings: Path) -> list[dict[str, object]]:
    done = run_hrta("audit", report, "--findings", findings, "--json")
    assert done.returncode == 0, done.stderr
    flags: list[dict[str, object]] = json.loads(done.stdout)
    return flags


@pytest.mark.parametrize(("variant", "suffix"), [
    (variant, suffix) for variant, suffixes in VARIANTS.items() for suffix in suffixes])
def test_spanish_report_has_no_audit_flag(reports: Path, variant: str, suffix: str) -> None:
    flags = _flags(reports / f"{variant}.{suffix}", reports / f"{variant}.json")
    assert flags == [], json.dumps(flags, ensure_ascii=False, indent=1)


def _planted(reports: Path, pattern: str, wrong: str) -> tuple[Path, str]:
    """A copy of the Spanish HTML report with the first figure matching `pattern` (a group
    around the percent) replaced by `wrong`; the sentence fragment that now carries it."""
    page = (reports / "plain.html").read_text(encoding="utf-8")
    match = re.search(pattern, page)
    assert match, pattern
    planted = page[:match.start(1)] + wrong + page[match.end(1):]
    path = reports / "planted.html"
    path.write_text(planted, encoding="utf-8")
    return path, page[match.end(1):match.end(1) + 30]


def test_a_wrong_agreement_share_in_spanish_is_flagged(reports: Path) -> None:
    # "el 88% está muy o algo de acuerdo con la afirmación “…”": 81% is no share of that
    # statement, though other questions have an 81% somewhere.
    path, after = _planted(reports, r"el (\d+%) está muy o algo de acuerdo con la afirmación",
                           "81%")
    findings = Findings.load(reports / "plain.json")
    flags = audit(path, findings)
    wrong = [f for f in flags if f.kind == "unmatched-value" and "81%" in f.sentence]
    assert len(wrong) == 1, format_flags(flags)
    assert "81%" in wrong[0].reason and after.strip()[:10] in wrong[0].sentence


def test_a_wrong_option_share_in_a_spanish_list_is_flagged(reports: Path) -> None:
    # The first option of "Sobre servicios que ofrece directamente, la respuesta principal
    # fue … (88%, n=101)": 95% of 101 is a possible share but not this option's.
    path, _ = _planted(reports, r"Sobre servicios que ofrece directamente[^(]*\((\d+%), n=",
                       "95%")
    flags = _flags(path, reports / "plain.json")
    assert [f["kind"] for f in flags] == ["unmatched-value"], json.dumps(flags, indent=1)
    assert "95%" in str(flags[0]["reason"])


def test_spanish_wording_is_read_as_spanish_only_in_a_spanish_report(tmp_path: Path) -> None:
    """The same Spanish prose in an HTML page that declares English is read with the English
    patterns: "como máximo 300%" is then a plain 300%, more than all respondents."""
    body = ("<h2>Socios</h2><p>De las 90 personas encuestadas, el 83% trabaja con agencias "
            "locales (IC del 95%: 74–89%). Eligieron hasta 3 opciones, por lo que los "
            "porcentajes suman como máximo 300%.</p>")
    for lang, expected in (("es", []), ("en", ["count-as-percentage"])):
        path = tmp_path / f"{lang}.html"
        path.write_text(f'<html lang="{lang}"><body>{body}</body></html>', encoding="utf-8")
        assert sorted(f.kind for f in audit(path)) == expected, format_flags(audit(path))


def test_spanish_bases_and_answer_levels_are_checked(tmp_path: Path) -> None:
    """A count with its base ("3 de 7, 40%": no count of 7 gives 40%) and a statement's
    agreement shares that leave 30% unaccounted for are flagged in a Spanish report."""
    body = ("<h2>Factores</h2><p>Lo eligieron 3 de 7, 40%, de quienes respondieron.</p>"
            "<p>De las 90 personas encuestadas, el 60% está muy o algo de acuerdo con la "
            "afirmación “Hay fondos suficientes”, el 8% está algo o muy en desacuerdo y el 2% "
            "respondió “No sé”.</p>")
    path = tmp_path / "r.html"
    path.write_text(f'<html lang="es-US"><body>{body}</body></html>', encoding="utf-8")
    flags = audit(path)
    assert sorted(f.kind for f in flags) == ["distribution-sum", "impossible-percentage"], \
        format_flags(flags)
    assert "n=7" in next(f.reason for f in flags if f.kind == "impossible-percentage")


def test_findings_written_in_spanish_from_the_command_line_audit_a_spanish_report(
        tmp_path: Path) -> None:
    """`hrta analyze --lang es` writes the Findings a Spanish report is read against, as
    `hrta report --lang es` analyses; the same counts as in English; an unknown language
    writes nothing."""
    assert run_hrta("demo", "--out", tmp_path / "d").returncode == 0
    export, report = tmp_path / "d" / "responses.csv", tmp_path / "r.docx"
    written = {}
    for lang in ("es", "en"):
        path = tmp_path / f"{lang}.json"
        done = run_hrta("analyze", export, "--lang", lang, "--no-themes", "--json", path)
        assert done.returncode == 0, done.stderr
        written[lang] = json.loads(path.read_text(encoding="utf-8"))["questions"]
    spanish, english = written["es"], written["en"]
    assert {q["title"] for q in spanish.values()}.isdisjoint(
        {q["title"] for q in english.values()}), "every title in the questionnaire's Spanish"
    assert {qid: q.get("n") for qid, q in spanish.items()} == \
        {qid: q.get("n") for qid, q in english.items()}
    assert run_hrta("report", export, "--lang", "es", "--no-themes", "-o", report).returncode == 0
    assert _flags(report, tmp_path / "es.json") == []
    refused = run_hrta("analyze", export, "--lang", "fr", "--json", tmp_path / "fr.json")
    assert refused.returncode == 2 and "--lang" in refused.stderr
    assert not (tmp_path / "fr.json").exists()
