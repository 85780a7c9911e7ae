"""Benchmark: `hrta report` as a person runs it, one format per command, from cold processes.

    python bench/report.py [--sizes demo,100000] [--repeat 3] [--before REF]

For each wave — `demo`: the 161-response demo wave (`hrta.demo.demo_responses`, seed 2022,
written as a SurveyMonkey export and kept in bench/data/); a number: that many responses
of the synthetic export bench/analysis.py writes (kept there too) — it runs, each in a
fresh process and timed from outside:

    hrta report EXPORT -o report.html | report.pdf | report.docx
    hrta report EXPORT -o brief.pdf --brief

the demo wave with its open-ended answers coded into themes, larger waves with
`--no-themes`. Each command runs with its caches (HRTA_CACHE_DIR: embeddings, trained
coders, drawn charts) **cold** (an empty folder: the first report on a machine) and
**warm** (the folder an identical earlier run filled: a report made again while its
discussion is edited).

Every measurement is made for the code **before** and **after** in the same run,
interleaved so both meet the same machine: `before` is a copy of a git commit (HEAD
unless --before names another) made with `git archive REF | tar -x` into a temporary
folder and put first on PYTHONPATH; `after` is the working tree. Nothing in the working
tree is changed.

Beside wall seconds it records the CPU seconds of the command's process and its children
(`resource.getrusage(RUSAGE_CHILDREN)`: all threads, and the Word process a report may
start), which other work on a shared machine moves much less, and the load average. Each
cell is the median of --repeat runs. One more warm run of each format under
`python -X importtime` lists any of SciPy, statsmodels, Altair or pandas the command
loaded; a report needs none of them.
Results: bench/results/report.json. Targets (2 cores, each format from a cold process):
HTML ≤ 2 s, Word ≤ 3 s, PDF ≤ 4 s, brief ≤ 2.5 s (demo wave, themes included); 100,000
responses (--no-themes) within 3× those.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results" / "report.json"
sys.path.insert(0, str(BENCH))

KINDS = {"html": ("report.html", []), "docx": ("report.docx", []),
         "pdf": ("report.pdf", []), "brief": ("brief.pdf", ["--brief"])}
TARGETS = {"html": 2.0, "docx": 3.0, "pdf": 4.0, "brief": 2.5}
LARGE_FACTOR = 3
HEAVY = ("scipy", "statsmodels", "altair", "pandas")
# Run hrta's command line the way its console script does, from whichever tree is first
# on the path.
ENTRY = "import sys; from hrta.cli import main; sys.argv[0] = 'hrta'; sys.exit(main())"


def export_for(size: str, say: Any) -> Path:
    if size == "demo":
        from startup import demo_export

        return demo_export(2022)
    from analysis import export_for as synthetic_export

    return synthetic_export(int(size), 2022, say)


def checkout(ref: str, folder: Path) -> Path:
    """The source tree of `ref`, unpacked without touching the working tree."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"


def command(export: Path, kind: str, folder: Path, size: str) -> list[str]:
    name, extra = KINDS[kind]
    themes = [] if size == "demo" else ["--no-themes"]
    return [sys.executable, "-c", ENTRY, "report", str(export), "-o", str(folder / name),
            *extra, *themes]


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one command in a fresh process, its children included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def environment(source: Path | None, cache: Path) -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "HRTA_CACHE_DIR": str(cache)}
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(source), env.get("PYTHONPATH", "")])
    return env


def heavy_modules(argv: list[str], env: dict[str, str]) -> list[str]:
    done = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], env=env,
                          capture_output=True, text=True, check=True)
    names = {m.group(1).split(".")[0] for m in
             re.finditer(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)$", done.stderr, re.M)}
    return sorted(names & set(HEAVY))


def measure(size: str, trees: dict[str, Path | None], repeat: int, scratch: Path,
            say: Any) -> dict[str, Any]:
    export = export_for(size, say)
    runs: dict[str, dict[str, dict[str, list[tuple[float, float]]]]] = {
        version: {kind: {"cold": [], "warm": []} for kind in KINDS} for version in trees}
    load = [os.getloadavg()[0]]
    for run in range(repeat):
        for kind in KINDS:
            for version, source in trees.items():  # interleaved: both meet the same load
                out = scratch / f"{version}-{kind}"
                out.mkdir(exist_ok=True)
                cache = scratch / f"cache-{version}-{kind}-{run}"
                shutil.rmtree(cache, ignore_errors=True)
                env = environment(source, cache)
                argv = command(export, kind, out, size)
                try:
                    cold = timed(argv, env)
                except RuntimeError:
                    if version == "after":
                        raise
                    say(f"{size}: {kind} cannot be made by the code before; left out")
                    continue
                runs[version][kind]["cold"].append(cold)
                runs[version][kind]["warm"].append(timed(argv, env))
                shutil.rmtree(cache, ignore_errors=True)
        load.append(os.getloadavg()[0])
        say(f"{size}: run {run + 1} of {repeat} done (load average {load[-1]:.1f})")
    result: dict[str, Any] = {"export": str(export.relative_to(ROOT)), "load_average": load,
                              "themes": size == "demo"}
    for version, kinds in runs.items():
        result[version] = {kind: {cache: {"seconds": statistics.median(w for w, _ in times),
                                          "cpu_seconds": statistics.median(c for _, c in times)}
                                  for cache, times in caches.items()} if caches["cold"] else None
                           for kind, caches in kinds.items()}
    # What the report path imports, after the change, with warm caches.
    after_env = environment(trees["after"], scratch / "cache-imports")
    result["heavy_modules"] = {}
    for kind in KINDS:
        argv = command(export, kind, scratch / "after-imports", size)
        (scratch / "after-imports").mkdir(exist_ok=True)
        timed(argv, after_env)
        result["heavy_modules"][kind] = heavy_modules(argv, after_env)
    return result


def show(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    for size, result in results.items():
        title = (f"{size} wave ({'themes coded' if result['themes'] else '--no-themes'}), "
                 f"one fresh process per command: seconds wall / CPU, median; load average "
                 f"{min(result['load_average']):.1f}–{max(result['load_average']):.1f}")
        table = Table(title=title)
        for column in ("format", "before, cold cache", "before, warm", "after, cold cache",
                       "after, warm", "target"):
            table.add_column(column, justify="left" if column == "format" else "right")
        factor = 1 if size == "demo" else LARGE_FACTOR
        for kind in KINDS:
            cells = [_cell(result[v][kind], c) for v in ("before", "after")
                     for c in ("cold", "warm")]
            table.add_row(kind, *cells, f"≤ {TARGETS[kind] * factor:.1f}")
        console.print(table)
        heavy = {k: v for k, v in result["heavy_modules"].items() if v}
        console.print(f"statistics libraries loaded by a report: {heavy or 'none'}")


def _cell(times: dict[str, Any] | None, cache: str) -> str:
    if times is None:
        return "—"
    return f"{times[cache]['seconds']:.2f} / {times[cache]['cpu_seconds']:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="demo,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", default="HEAD", help="the git commit to compare with")
    parser.add_argument("--output", type=Path, default=RESULTS, help=argparse.SUPPRESS)
    args = parser.parse_args()

    from rich.console import Console

    err = Console(stderr=True)

    def say(message: str) -> None:
        err.print(message, highlight=False)

    with tempfile.TemporaryDirectory(prefix="hrta-bench-report-") as folder:
        scratch = Path(folder)
        (scratch / "before").mkdir()
        trees: dict[str, Path | None] = {"before": checkout(args.before, scratch / "before"),
                                         "after": None}
        results = {size: measure(size, trees, args.repeat, scratch, say)
                   for size in args.sizes.split(",")}
    results = {"before_ref": args.before, **results}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    show({k: v for k, v in results.items() if k != "before_ref"})


if __name__ == "__main__":
    main()
