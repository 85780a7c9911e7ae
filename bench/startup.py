"""Benchmark: `hrta analyze --no-themes` from a cold process, against plain Python.

    python bench/startup.py [--repeat 5] [--size 100000] [--seed 2022]

Two measurements, each of whole fresh processes (interpreter start, imports and the work),
so they are what a person waits for at the command line:

- **demo wave**: `hrta analyze responses.csv --no-themes --json findings.json` on the
  161-response demo wave (`hrta.demo.demo_responses`, seed 2022), the median of --repeat
  processes; one more run under `python -X importtime` lists any statistics library
  (SciPy, statsmodels, pandas) a plain analysis loaded: there should be none;
- **large export**: the same command on a synthetic SurveyMonkey export of --size responses
  (bench/analysis.py's generator and cache), against a process that computes the same
  frequency tables (every question's n and per-option counts) with the csv module and
  dicts, as a short script without hrta would. The two must agree on every question before
  any time is reported. Medians of --repeat processes each, run in the same session so that
  both meet the same machine.

Wall seconds are reported with the processes' CPU seconds beside them: on a shared machine
the CPU time wanders less. Results: bench/results/startup.json.
"""

from __future__ import annotations

import argparse
import csv
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
sys.path.insert(0, str(BENCH))

from analysis import DATA, Tables, check_equal, export_for, findings_tables  # noqa: E402

RESULTS = BENCH / "results" / "startup.json"
HEAVY = ("scipy", "statsmodels", "pandas")
TARGET_DEMO_SECONDS = 0.5
TARGET_SPEEDUP = 5.0


# --- the plain-Python baseline (runs alone in a child process) ---------------------------


def plain_tables(path: Path) -> Tables:
    """n and per-option counts of every question, with the csv module and dicts.

    The instrument serves only as the codebook (question texts, option labels, ids), as
    it does for the pandas baseline of bench/analysis.py.
    """
    from hrta.instrument import load_bundled

    instrument = load_bundled()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        top, sub = next(reader), next(reader)
        columns = _columns(top, sub)
        rule = instrument.eligibility
        screen = instrument.question(rule.question)
        excluded = {screen.option(o).label for o in rule.ineligible_options}
        screen_at = columns[(screen.text, "Response")]
        rows = [row for row in reader if row[screen_at] not in excluded]

    tables: Tables = {}
    for question in instrument.analysable_questions():
        if question.type == "single":
            tables[question.id] = _single(rows, columns, question)
        elif question.type == "multi":
            at = {o.id: columns[(question.text, o.label)] for o in question.options
                  if (question.text, o.label) in columns}
            counts = {o: sum(1 for row in rows if row[i]) for o, i in at.items()}
            answered = sum(1 for row in rows if any(row[i] for i in at.values()))
            tables[question.id] = {"n": answered, "counts": _all(question, counts)}
        elif question.type == "matrix":
            ids = {o.label: o.id for o in question.options}
            for statement in question.statements:
                i = columns[(question.text, statement.text)]
                counts: dict[str, int] = {}
                for row in rows:
                    if row[i]:
                        counts[ids[row[i]]] = counts.get(ids[row[i]], 0) + 1
                tables[f"{question.id}.{statement.id}"] = {
                    "n": sum(counts.values()), "counts": _all(question, counts)}
        else:
            first = min(i for (text, _), i in columns.items() if text == question.text)
            tables[question.id] = {"n": sum(1 for row in rows if row[first])}
    return tables


def _columns(top: list[str], sub: list[str]) -> dict[tuple[str, str], int]:
    """(question text, sub-header) -> column index; row 1 names a question only above its
    first column, so carry it across the rest."""
    columns: dict[tuple[str, str], int] = {}
    current = ""
    for index, (text, below) in enumerate(zip(top, sub, strict=True)):
        current = text or current
        columns.setdefault((current, below), index)
    return columns


def _single(rows: list[list[str]], columns: dict[tuple[str, str], int],
            question: Any) -> dict[str, Any]:
    ids = {o.label: o.id for o in question.options}
    at = columns[(question.text, "Response")]
    other = next((o for o in question.options if o.other), None)
    typed_at = columns.get((question.text, other.label)) if other else None
    counts: dict[str, int] = {}
    for row in rows:
        choice = ids.get(row[at]) if row[at] else None
        if choice is None and typed_at is not None and row[typed_at]:
            # A typed "Other" with the choice left blank still counts as choosing Other.
            choice = other.id  # type: ignore[union-attr]
        if choice is not None:
            counts[choice] = counts.get(choice, 0) + 1
    return {"n": sum(counts.values()), "counts": _all(question, counts)}


def _all(question: Any, counts: dict[str, int]) -> dict[str, int]:
    return {o: counts.get(o, 0) for o in question.option_ids}


# --- timing fresh processes --------------------------------------------------------------


def timed(command: list[str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall and CPU seconds (user + system, the child's) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done


def medians(command: list[str], repeat: int) -> dict[str, float]:
    runs = [timed(command)[:2] for _ in range(repeat)]
    return {"seconds": round(statistics.median(w for w, _ in runs), 3),
            "cpu_seconds": round(statistics.median(c for _, c in runs), 3),
            "min_seconds": round(min(w for w, _ in runs), 3)}


def analyze_command(path: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, *extra, "-m", "hrta.cli", "analyze", str(path), "--no-themes",
            "--json", str(out)]


def heavy_modules(path: Path, out: Path) -> list[str]:
    """Statistics libraries a plain analysis imported, from -X importtime."""
    _, _, done = timed(analyze_command(path, out, "-X", "importtime"))
    names = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
             if line.startswith("import time:") and line.count("|") == 2}
    return sorted(n for n in names if n.split(".")[0] in HEAVY)


def demo_export(seed: int) -> Path:
    path = DATA / f"demo_seed{seed}.csv"
    if not path.exists():
        from hrta.demo import demo_responses
        from hrta.exports import write_surveymonkey_csv
        from hrta.instrument import load_bundled

        DATA.mkdir(parents=True, exist_ok=True)
        write_surveymonkey_csv(path, demo_responses(load_bundled(), seed=seed))
    return path


def measure_demo(seed: int, repeat: int, folder: Path) -> dict[str, Any]:
    path = demo_export(seed)
    out = folder / "demo.json"
    timed(analyze_command(path, out))  # the first run may compile bytecode; not counted
    result: dict[str, Any] = medians(analyze_command(path, out), repeat)
    result["heavy_modules"] = heavy_modules(path, out)
    result["target_seconds"] = TARGET_DEMO_SECONDS
    return result


def measure_large(size: int, seed: int, repeat: int, folder: Path, say: Any) -> dict[str, Any]:
    path = export_for(size, seed, say)
    out = folder / "large.json"
    hrta = medians(analyze_command(path, out), repeat)
    ours = findings_tables(json.loads(out.read_text(encoding="utf-8")))
    plain_command = [sys.executable, str(Path(__file__).resolve()), "--worker", "plain",
                     "--file", str(path), "--out", str(folder / "plain.json")]
    plain = medians(plain_command, repeat)
    theirs = json.loads((folder / "plain.json").read_text(encoding="utf-8"))
    check_equal(ours, theirs, size)
    say(f"{size:,}: hrta and plain Python agree on all {len(ours)} questions")
    return {"responses": size, "seconds": hrta["seconds"], "cpu_seconds": hrta["cpu_seconds"],
            "baseline_seconds": plain["seconds"], "baseline_cpu_seconds": plain["cpu_seconds"],
            "speedup": round(plain["seconds"] / hrta["seconds"], 2),
            "cpu_speedup": round(plain["cpu_seconds"] / hrta["cpu_seconds"], 2),
            "target_speedup": TARGET_SPEEDUP}


def show(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="hrta analyze --no-themes, whole fresh processes (median)")
    for heading in ("what", "hrta s", "hrta CPU s", "plain Python s", "plain CPU s",
                    "speed-up", "target"):
        table.add_column(heading, justify="right")
    demo = results["demo"]
    table.add_row("demo wave (161)", f"{demo['seconds']:.2f}", f"{demo['cpu_seconds']:.2f}",
                  "", "", "", f"≤ {demo['target_seconds']} s")
    large = results["large"]
    table.add_row(f"{large['responses']:,} responses", f"{large['seconds']:.2f}",
                  f"{large['cpu_seconds']:.2f}", f"{large['baseline_seconds']:.2f}",
                  f"{large['baseline_cpu_seconds']:.2f}", f"{large['speedup']:.1f}×",
                  f"≥ {large['target_speedup']:.0f}×")
    Console().print(table)
    heavy = demo["heavy_modules"]
    Console().print(f"statistics libraries a plain analysis loaded: {', '.join(heavy) or 'none'}"
                    f"; load average {results['load_average'][0]:.1f} before, "
                    f"{results['load_average_after'][0]:.1f} after")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per timing")
    parser.add_argument("--size", type=int, default=100_000, help="responses of the large "
                                                                  "export")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--worker", choices=("plain",), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker == "plain":
        args.out.write_text(json.dumps(plain_tables(args.file)), encoding="utf-8")
        return
    from rich.console import Console

    say = Console(stderr=True).print
    results: dict[str, Any] = {"load_average": list(os.getloadavg())}
    with tempfile.TemporaryDirectory() as folder:
        results["demo"] = measure_demo(args.seed, args.repeat, Path(folder))
        results["large"] = measure_large(args.size, args.seed, args.repeat, Path(folder), say)
    results["load_average_after"] = list(os.getloadavg())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    show(results)


if __name__ == "__main__":
    main()
