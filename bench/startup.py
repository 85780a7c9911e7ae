"""Benchmark: `hrta` from a cold process: start-up, the demo wave, and 100,000 responses
against plain Python.

    python bench/startup.py [--repeat 5] [--size 100000] [--seed 2022] [--no-large]

Every row times whole fresh processes (interpreter start, imports and the work), so they
are what a person waits for at the command line; medians of --repeat processes:

- **commands**: `hrta --version`, `hrta --help`, and `hrta analyze responses.csv
  --no-themes --json findings.json` on the 161-response demo wave (`hrta.demo.demo_responses`,
  seed 2022);
- **floor**: `python -c pass`, then `python -c "import …"` of Polars alone, of Polars and
  NumPy, and of every library the demo analysis imported (from its -X importtime report):
  what any analysis on this stack costs before hrta's own code runs;
- **imports**: the demo analysis under `python -X importtime`, --repeat times: the median
  milliseconds each package's modules take to import (their own time, so the rows add up),
  and any statistics library (SciPy, statsmodels, pandas) a plain analysis loaded: there
  should be none;
- **large export** (left out with --no-large): the same command on a synthetic SurveyMonkey
  export of --size responses (bench/analysis.py's generator and cache), against a process
  that computes the same frequency tables (every question's n and per-option counts) with
  the csv module and dicts, as a short script without hrta would. The two must agree on
  every question before any time is reported; both run in the same session so that both
  meet the same machine.

Wall seconds are reported with the processes' CPU seconds beside them: on a shared machine
the CPU time wanders less. Results: bench/results/startup.json.

Every child runs with a bytecode cache and hrta's caches of its own (PYTHONPYCACHEPREFIX
and HRTA_CACHE_DIR in a temporary folder; PYTHONDONTWRITEBYTECODE cleared), filled by an
uncounted first run: an installed hrta has its modules compiled, and a shell that sets
PYTHONDONTWRITEBYTECODE would otherwise time compiling hrta's sources on every run (about
0.03-0.06 s of the demo row).
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


CHILD_ENV: dict[str, str] = {}
"""The children's environment: ours with their own bytecode cache (set in `main`)."""


def child_environment(folder: Path) -> dict[str, str]:
    """Bytecode and hrta's caches (the parsed instrument) in `folder`, filled by the
    uncounted first run of each command."""
    env = {key: value for key, value in os.environ.items()
           if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    env["HRTA_CACHE_DIR"] = str(folder / "cache")
    return env


def timed(command: list[str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall and CPU seconds (user + system, the child's) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          env=CHILD_ENV or None)
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


def import_times(stderr: str) -> dict[str, int]:
    """Each module's own import time (microseconds) from a -X importtime report."""
    times: dict[str, int] = {}
    for line in stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            own, _, name = line.removeprefix("import time:").split("|")
            if own.strip().isdigit():
                times[name.strip()] = int(own)
    return times


def package(module: str) -> str:
    """The row a module's time is counted in: its top-level package; hrta's by subpackage."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "hrta" else parts[0]


def measure_imports(path: Path, out: Path, repeat: int) -> dict[str, Any]:
    """Median own import milliseconds per package, and the statistics libraries loaded."""
    runs = [import_times(timed(analyze_command(path, out, "-X", "importtime"))[2].stderr)
            for _ in range(repeat)]
    packages = sorted({package(m) for run in runs for m in run})
    per_run = [{p: sum(us for m, us in run.items() if package(m) == p) for p in packages}
               for run in runs]
    milliseconds = {p: round(statistics.median(r[p] for r in per_run) / 1000, 1)
                    for p in packages}
    ordered = dict(sorted(milliseconds.items(), key=lambda item: -item[1]))
    modules = set(runs[0])
    libraries = set(_third_party())
    return {"milliseconds": ordered,
            "total_milliseconds": round(statistics.median(sum(r.values()) for r in runs)
                                        / 1000, 1),
            "heavy_modules": sorted(m for m in modules if m.split(".")[0] in HEAVY),
            "libraries": sorted({m.split(".")[0] for m in modules} & libraries),
            "library_modules": [m for m in runs[0] if m.split(".")[0] in libraries]}


def _third_party() -> list[str]:
    """Importable top-level names of the installed distributions (not the standard
    library, not hrta)."""
    from importlib.metadata import packages_distributions

    return [name for name in packages_distributions() if name != "hrta"]


def demo_export(seed: int) -> Path:
    path = DATA / f"demo_seed{seed}.csv"
    if not path.exists():
        from hrta.demo import demo_responses
        from hrta.exports import write_surveymonkey_csv
        from hrta.instrument import load_bundled

        DATA.mkdir(parents=True, exist_ok=True)
        write_surveymonkey_csv(path, demo_responses(load_bundled(), seed=seed))
    return path


def hrta_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "hrta.cli", *args]


def measure_commands(seed: int, repeat: int, folder: Path) -> dict[str, Any]:
    """`hrta --version`, `hrta --help` and the demo analysis, taken in turns."""
    path = demo_export(seed)
    out = folder / "demo.json"
    commands = {"version": hrta_command("--version"), "help": hrta_command("--help"),
                "demo": analyze_command(path, out)}
    for command in commands.values():
        timed(command)  # the first run fills the bytecode cache; not counted
    return {name: medians(command, repeat) for name, command in commands.items()}


def measure_floor(imports: dict[str, Any], repeat: int) -> dict[str, Any]:
    """The interpreter, then the interpreter importing the libraries the analysis uses:
    Polars, NumPy, then every module of a library the analysis imported (a package's
    `__init__` alone leaves out what the analysis loads later, e.g. pydantic.main)."""
    every = ("import importlib\n"
             f"for name in {imports['library_modules']!r}:\n"
             "    try:\n        importlib.import_module(name)\n"
             "    except ImportError:\n        pass\n")
    steps = {"python": "pass", "polars": "import polars", "polars, numpy": "import polars, numpy",
             "all": every}
    floor = {name: medians([sys.executable, "-c", code], repeat) for name, code in steps.items()}
    floor["all"]["libraries"] = imports["libraries"]
    return floor


def measure_large(size: int, seed: int, repeat: int, folder: Path, say: Any) -> dict[str, Any]:
    path = export_for(size, seed, say)
    out = folder / "large.json"
    hrta = medians(analyze_command(path, out), repeat)
    ours = findings_tables(json.loads(out.read_text(encoding="utf-8")))
    plain_command = [sys.executable, str(Path(__file__).resolve()), "--worker", "plain",
                     "--file", str(path), "--out", str(folder / "plain.json")]
    timed(plain_command)  # compiles its imports into the cache, as the first hrta run did
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

    console = Console(width=max(Console().width, 100))  # the table's rows unwrapped in a pipe
    table = Table(title="hrta from a cold process: whole fresh processes (median)")
    for heading in ("what", "wall s", "CPU s", "min wall", "plain wall", "plain CPU",
                    "speed-up", "target"):
        table.add_column(heading, justify="left" if heading == "what" else "right",
                         no_wrap=heading == "what")
    commands, floor = results["commands"], results["floor"]
    for label, row in (("hrta --version", commands["version"]),
                       ("hrta --help", commands["help"]),
                       ("analyze demo (161)", commands["demo"])):
        target = f"≤ {TARGET_DEMO_SECONDS} s" if row is commands["demo"] else ""
        table.add_row(label, *_seconds(row), "", "", "", target)
    large = results.get("large")
    if large:
        table.add_row(f"analyze {large['responses']:,}", f"{large['seconds']:.2f}",
                      f"{large['cpu_seconds']:.2f}", "", f"{large['baseline_seconds']:.2f}",
                      f"{large['baseline_cpu_seconds']:.2f}",
                      f"{large['speedup']:.1f}×/{large['cpu_speedup']:.1f}×",
                      f"≥ {large['target_speedup']:.0f}×")
    table.add_section()
    # The floor: an interpreter that only imports, then each row's libraries on top.
    for label, key in (("python -c pass", "python"), ("+ polars", "polars"),
                       ("+ polars, numpy", "polars, numpy"), ("+ all it imports", "all")):
        table.add_row(label, *_seconds(floor[key]), "", "", "", "")
    console.print(table)

    imports = results["imports"]
    breakdown = Table(title="analyze demo: own import ms by package (median)")
    breakdown.add_column("package")
    breakdown.add_column("ms", justify="right")
    for name, ms in list(imports["milliseconds"].items())[:15]:
        breakdown.add_row(name, f"{ms:.0f}")
    breakdown.add_row("all imports", f"{imports['total_milliseconds']:.0f}")
    console.print(breakdown)
    heavy = imports["heavy_modules"]
    console.print(f"libraries the analysis loaded: {', '.join(floor['all']['libraries'])}; "
                  f"statistics libraries: {', '.join(heavy) or 'none'}; load average "
                  f"{results['load_average'][0]:.1f} before, "
                  f"{results['load_average_after'][0]:.1f} after")


def _seconds(row: dict[str, float]) -> tuple[str, str, str]:
    return f"{row['seconds']:.2f}", f"{row['cpu_seconds']:.2f}", f"{row['min_seconds']:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per timing")
    parser.add_argument("--size", type=int, default=100_000, help="responses of the large "
                                                                  "export")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--no-large", dest="large", action="store_false",
                        help="leave out the large export and its plain-Python baseline")
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
        CHILD_ENV.update(child_environment(Path(folder)))
        results["commands"] = measure_commands(args.seed, args.repeat, Path(folder))
        results["imports"] = measure_imports(demo_export(args.seed), Path(folder) / "i.json",
                                             args.repeat)
        results["floor"] = measure_floor(results["imports"], args.repeat)
        if args.large:
            results["large"] = measure_large(args.size, args.seed, args.repeat, Path(folder),
                                             say)
    results["load_average_after"] = list(os.getloadavg())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    show(results)


if __name__ == "__main__":
    main()
