"""Every report hrta writes passes its own audit: the demo wave's report, and its `--by`,
`--weights` and `--compare` variants, read back as HTML and Word (the plain one also as a
tagged PDF) and checked against the Findings they were drawn from raise no flag.

Each variant is analysed and rendered once for the module, all its formats from one
`render_reports` call; the variants are rendered two at a time in fresh processes (the
machine's two cores), and the Findings each was drawn from are read back from its JSON.
"""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from hrta.audit import audit, format_flags
from hrta.findings.model import Findings

MARGINS = ("margins:\n  state.region: {northeast: 0.18, midwest: 0.22, south: 0.37, west: 0.23}\n"
           "  role.group: {leadership: 0.5, staff: 0.5}\n")
# The plain variant first: its PDF takes longest.
VARIANTS = {"plain": ("html", "docx", "pdf"), "by": ("html", "docx"),
            "weights": ("html", "docx"), "compare": ("html", "docx")}


def render_variant(name: str, folder: Path) -> Path:
    """Analyse the demo wave as the variant asks, write the Findings and every format of
    the report into `folder`; give the Findings' path. Runs in a child process."""
    from hrta.analysis.pipeline import analyse
    from hrta.demo import demo_responses
    from hrta.instrument import load_bundled
    from hrta.report import render_reports

    instrument = load_bundled()
    options = {"plain": {}, "by": {"by": "role.group"},
               "weights": {"weights": folder / "margins.yaml"},
               "compare": {"previous": demo_responses(instrument, seed=2021),
                           "previous_label": "the 2021 wave"}}[name]
    findings = analyse(demo_responses(instrument), **options)  # type: ignore[arg-type]
    path = folder / f"{name}.json"
    path.write_text(json.dumps(findings.to_json()), encoding="utf-8")
    render_reports(findings, [folder / f"{name}.{suffix}" for suffix in VARIANTS[name]])
    return path


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Findings, Path]]:
    folder = tmp_path_factory.mktemp("variants")
    (folder / "margins.yaml").write_text(MARGINS, encoding="utf-8")
    # Fresh interpreters, not forks: this process may hold the chart renderer's threads.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        jobs = {name: pool.submit(render_variant, name, folder) for name in VARIANTS}
        return {name: (Findings.load(job.result()), folder) for name, job in jobs.items()}


@pytest.mark.parametrize(("variant", "suffix"), [
    (variant, suffix) for variant, suffixes in VARIANTS.items() for suffix in suffixes])
def test_generated_report_has_no_audit_flag(reports: dict[str, tuple[Findings, Path]],
                                            variant: str, suffix: str) -> None:
    findings, folder = reports[variant]
    flags = audit(folder / f"{variant}.{suffix}", findings)
    assert not flags, format_flags(flags)
