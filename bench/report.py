"""Benchmark: the stakeholder analysis report as HTML, PDF and Word.

    python bench/report.py [--sizes demo,100000] [--repeat 3]

For each wave (`demo`: the 161 responses of `hrta.demo.demo_responses`; a number: that
many responses of `hrta.demo.synthetic_responses(instrument, n, seed=1)`) it times
`render_report(findings, path)` for HTML, PDF and Word alone, and `render_reports(findings,
[html, pdf, docx])` for all three together (which builds the report once, draws each chart
once, and writes Word in a second process while this one writes HTML and PDF: two cores).
Each of the four runs in a fresh process, so none inherits another's chart cache or
memory, and is timed twice there:

- cold: the first render in the fresh process, as `hrta report -o report.pdf` makes it:
  charts drawn by vl-convert (whose JavaScript runtime starts on the first chart), fonts
  looked up for the first time;
- warm: the same render again in the same process (charts kept, fonts cached), as a
  long-running process (the web app, a notebook) would render a second report.

Seconds are the median of --repeat runs of the rendering only: Python start-up, imports
and building the Findings are not counted. Beside the wall clock it records CPU seconds
(all threads, and the Word process when there is one), which other work on a shared
machine barely moves, and the load average when the wave was done. Each result also gives
the output's size and, for the PDF, its page count. Results: bench/results/report.json.
Target (2 cores): all three formats of the demo wave in at most 10 s, cold.
"""

from __future__ import annotations

import argparse
import json
import os
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
TIMES = ("seconds", "warm_seconds", "cpu_seconds", "cpu_warm_seconds")
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
    findings = build_findings(responses).to_json()
    results: dict[str, Any] = {"responses": findings["responses"]["total"]}
    with tempfile.TemporaryDirectory() as folder:
        paths = [Path(folder) / f"report.{fmt}" for fmt in formats]
        for run in ("seconds", "warm_seconds"):
            started, used = time.perf_counter(), _cpu()
            if len(paths) == 1:
                render_report(findings, paths[0])
            else:
                render_reports(findings, paths)
            results[run] = time.perf_counter() - started
            results[f"cpu_{run}"] = _cpu() - used
        for fmt, path in zip(formats, paths, strict=True):
            results[fmt] = {"kb": path.stat().st_size / 1024}
            if fmt == "pdf":
                from pypdf import PdfReader

                results[fmt]["pages"] = len(PdfReader(path).pages)
    results["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return results


def _cpu() -> float:
    """CPU seconds of this process (all its threads) and of its finished children (the Word
    writer): unlike the wall clock, barely moved by other work on a shared machine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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
            cold[fmt].append(result[fmt] | {key: result[key] for key in (*TIMES, "peak_mb")})
        together.append(in_child(size, list(FORMATS)))
        say(f"{size}: run {run + 1} of {repeat} done")
    summary: dict[str, Any] = {"responses": responses, "cold": {}}
    for fmt in FORMATS:
        runs = cold[fmt]
        summary["cold"][fmt] = {
            **{key: statistics.median(r[key] for r in runs) for key in TIMES},
            "kb": runs[-1]["kb"], "peak_mb": max(r["peak_mb"] for r in runs),
            **({"pages": runs[-1]["pages"]} if "pages" in runs[-1] else {})}
    summary["cold"]["total"] = sum(summary["cold"][fmt]["seconds"] for fmt in FORMATS)
    summary["cold"]["warm_total"] = sum(summary["cold"][fmt]["warm_seconds"] for fmt in FORMATS)
    # The parent's peak only: the Word child's memory is its own process's.
    summary["together"] = {**{key: statistics.median(r[key] for r in together)
                              for key in TIMES},
                           "peak_mb": max(r["peak_mb"] for r in together)}
    summary["load"] = os.getloadavg()[0]
    return summary


def show(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Report rendering, seconds cold / warm (median; rendering only)")
    for column in ("wave", "responses", "HTML", "PDF", "Word", "sum of the three",
                   "all three together", "PDF pages", "HTML / PDF / Word KB", "peak MB"):
        table.add_column(column, justify="left" if column == "wave" else "right")
    for size, result in results.items():
        cold = result["cold"]
        together = result["together"]
        peak = max(together["peak_mb"], *(cold[fmt]["peak_mb"] for fmt in FORMATS))
        table.add_row(size, f"{result['responses']:,}",
                      *(f"{cold[fmt]['seconds']:.2f} / {cold[fmt]['warm_seconds']:.2f}"
                        for fmt in FORMATS),
                      f"{cold['total']:.2f} / {cold['warm_total']:.2f}",
                      f"{together['seconds']:.2f} / {together['warm_seconds']:.2f}",
                      str(cold["pdf"].get("pages", "")),
                      " / ".join(f"{cold[fmt]['kb']:,.0f}" for fmt in FORMATS), f"{peak:,.0f}")
    console = Console(width=150)
    console.print(table)
    cpu = Table(title="CPU seconds cold / warm (all threads and the Word process; what the "
                      "wall clock would be on an idle machine, one process at a time)")
    for column in ("wave", "HTML", "PDF", "Word", "all three together", "load average"):
        cpu.add_column(column, justify="left" if column == "wave" else "right")
    for size, result in results.items():
        cold, together = result["cold"], result["together"]
        cpu.add_row(size, *(f"{cold[fmt]['cpu_seconds']:.2f} / {cold[fmt]['cpu_warm_seconds']:.2f}"
                            for fmt in FORMATS),
                    f"{together['cpu_seconds']:.2f} / {together['cpu_warm_seconds']:.2f}",
                    f"{result['load']:.1f}")
    console.print(cpu)
    if "demo" in results:
        seconds = results["demo"]["together"]["seconds"]
        verdict = "meets" if seconds <= TARGET_SECONDS else "misses"
        console.print(f"Demo wave, all three formats together, cold: {seconds:.1f} s — "
                      f"{verdict} the {TARGET_SECONDS:.0f} s target (each alone in a fresh "
                      f"process: {results['demo']['cold']['total']:.1f} s).")


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
