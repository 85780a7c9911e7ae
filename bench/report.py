"""Benchmark: the stakeholder analysis report as HTML, PDF and Word.

    python bench/report.py [--sizes demo,100000] [--repeat 3]

For each wave (`demo`: the 161 responses of `hrta.demo.demo_responses`; a number: that
many responses of `hrta.demo.synthetic_responses(instrument, n, seed=1)`) it times
`render_report(findings, path)`, each run in a fresh process so no run inherits another's
chart cache or memory:

- cold: one format alone, as `hrta report -o report.pdf` would make it;
- together: all three from one `render_reports(findings, [html, pdf, docx])` call, which
  builds the report once, draws each chart once, and writes Word in a second process
  while this one writes HTML and PDF (two cores).

Seconds are the median of --repeat runs of the rendering only: Python start-up, imports
and building the Findings are not counted. Each result also gives the output's size and,
for the PDF, its page count. Results: bench/results/report.json.
Target (2 cores): all three formats of the demo wave in at most 10 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "report.json"
FORMATS = ("html", "pdf", "docx")
TARGET_SECONDS = 10.0


# --- worker: runs alone in a child process ----------------------------------------------


def work(size: str, formats: list[str]) -> dict[str, Any]:
    # Import what PDF and Word need now, so the timings are of rendering, not imports.
    import docx  # noqa: F401
    import weasyprint  # noqa: F401

    from hrta.analysis import build_findings
    from hrta.demo import demo_responses, synthetic_responses
    from hrta.instrument import load_bundled
    from hrta.report import render_report, render_reports

    instrument = load_bundled()
    responses = (demo_responses(instrument) if size == "demo"
                 else synthetic_responses(instrument, int(size), seed=1))
    findings = build_findings(responses)
    results: dict[str, Any] = {"responses": findings["responses"]["total"]}
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / f"report.{fmt}" for fmt in formats]
        started = time.perf_counter()
        if len(paths) == 1:
            render_report(findings, paths[0])
        else:
            render_reports(findings, paths)
        results["seconds"] = time.perf_counter() - started
        for fmt, path in zip(formats, paths, strict=True):
            results[fmt] = {"kb": path.stat().st_size / 1024}
            if fmt == "pdf":
                from pypdf import PdfReader

                results[fmt]["pages"] = len(PdfReader(path).pages)
    results["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return results


# --- the driver ---------------------------------------------------------------------------


def in_child(size: str, formats: list[str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker",
                           "--size", size, "--formats", ",".join(formats)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"worker {size} {formats} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(size: str, repeat: int, say: Any) -> dict[str, Any]:
    cold: dict[str, list[dict[str, Any]]] = {fmt: [] for fmt in FORMATS}
    together: list[dict[str, Any]] = []
    responses = 0
    for run in range(repeat):
        for fmt in FORMATS:
            result = in_child(size, [fmt])
            responses = result["responses"]
            cold[fmt].append(result[fmt] | {"seconds": result["seconds"],
                                            "peak_mb": result["peak_mb"]})
        together.append(in_child(size, list(FORMATS)))
        say(f"{size}: run {run + 1} of {repeat} done")
    summary: dict[str, Any] = {"responses": responses, "cold": {}}
    for fmt in FORMATS:
        runs = cold[fmt]
        summary["cold"][fmt] = {
            "seconds": statistics.median(r["seconds"] for r in runs),
            "kb": runs[-1]["kb"], "peak_mb": max(r["peak_mb"] for r in runs),
            **({"pages": runs[-1]["pages"]} if "pages" in runs[-1] else {})}
    summary["cold"]["total"] = sum(summary["cold"][fmt]["seconds"] for fmt in FORMATS)
    # The parent's peak only: the Word child's memory is its own process's.
    summary["together"] = {"seconds": statistics.median(r["seconds"] for r in together),
                           "peak_mb": max(r["peak_mb"] for r in together)}
    return summary


def show(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Report rendering, seconds (median; rendering only)")
    for column in ("wave", "responses", "HTML", "PDF", "Word", "sum of the three",
                   "all three together", "PDF pages", "HTML / PDF / Word KB", "peak MB"):
        table.add_column(column, justify="left" if column == "wave" else "right")
    for size, result in results.items():
        cold = result["cold"]
        peak = max(result["together"]["peak_mb"], *(cold[fmt]["peak_mb"] for fmt in FORMATS))
        table.add_row(size, f"{result['responses']:,}",
                      *(f"{cold[fmt]['seconds']:.2f}" for fmt in FORMATS),
                      f"{cold['total']:.2f}", f"{result['together']['seconds']:.2f}",
                      str(cold["pdf"].get("pages", "")),
                      " / ".join(f"{cold[fmt]['kb']:,.0f}" for fmt in FORMATS), f"{peak:,.0f}")
    console = Console(width=130)
    console.print(table)
    if "demo" in results:
        seconds = results["demo"]["together"]["seconds"]
        verdict = "meets" if seconds <= TARGET_SECONDS else "misses"
        console.print(f"Demo wave, all three formats together: {seconds:.1f} s — {verdict} the "
                      f"{TARGET_SECONDS:.0f} s target (each alone in a fresh process: "
                      f"{results['demo']['cold']['total']:.1f} s).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="demo,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--size", help=argparse.SUPPRESS)
    parser.add_argument("--formats", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(work(args.size, args.formats.split(","))))
        return

    from rich.console import Console

    err = Console(stderr=True)
    results = {size: measure(size, args.repeat, lambda m: err.print(m, highlight=False))
               for size in args.sizes.split(",")}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    show(results)


if __name__ == "__main__":
    main()
