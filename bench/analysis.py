"""Benchmark: import + analysis of SurveyMonkey expanded exports, hrta against pandas.

    python bench/analysis.py [--sizes 1000,100000,1000000] [--seed 2022] [--repeat 3]
                             [--profile] [--layouts condensed,expanded,numeric]

For each size it generates a synthetic export (cached in bench/data/ by size and seed),
then times, each in a fresh process so that neither inherits the other's memory:

- hrta: `load_responses(path, instrument, fmt="surveymonkey")` then `build_findings`;
- pandas: the frequency tables an analyst would compute by hand from the same CSV
  (question n = eligible respondents who answered it, per-option counts, matrix statement
  distributions).

Both report wall seconds of that work (the median of --repeat runs: this is a shared
2-core VM whose timings wander by 20%) and the peak resident memory of their process. The
two sets of tables must agree on every question before any timing is reported, so the
comparison is between equal results. Results go to bench/results/analysis.json.
--profile also runs hrta once under cProfile and prints its slowest hrta functions.

--layouts adds SurveyMonkey's other layouts of the same responses: `expanded` (a single
choice in one column per option, the chosen label in its cell) and `numeric` (expanded,
with numbers for labels: an option's position, a grid's scale position). hrta's tables
for them must equal its tables for the condensed file; their time (wall and CPU seconds,
runs of the layouts taken in turns) is reported beside the condensed file's, in
bench/results/analysis_layouts.json. With --profile, each layout is also profiled once.

--tools adds other tools' exports of the same responses, written from the demo generator
(the same seed): `qualtrics` (a choice-text CSV in the three-header-row layout, read with
the bundled instrument, whose ids are the column ids) and `redcap` (a raw-data CSV, read
with the instrument imported from the bundled instrument's own Data Dictionary). Their
tables must equal the SurveyMonkey file's; wall and CPU seconds and peak memory are
reported against the SurveyMonkey path's (runs taken in turns), in
bench/results/analysis_tools.json.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
DATA = BENCH / "data"
RESULTS = BENCH / "results" / "analysis.json"
LAYOUT_RESULTS = BENCH / "results" / "analysis_layouts.json"
LAYOUTS = ("condensed", "expanded", "numeric")
TOOL_RESULTS = BENCH / "results" / "analysis_tools.json"
TOOLS = ("qualtrics", "redcap")
DEFAULT_SIZES = "1000,100000,1000000"

# {question id: {"n": int, "counts": {option id: int}}}; open-ended questions have no counts.
Tables = dict[str, dict[str, Any]]


def peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- workers: each runs alone in a child process ---------------------------------------


def generate(path: Path, size: int, seed: int) -> dict[str, Any]:
    from hrta.demo import synthetic_responses
    from hrta.exports import surveymonkey_frame, write_frame_with_headers
    from hrta.ingest.layout import header_rows
    from hrta.instrument import load_bundled

    instrument = load_bundled()
    started = time.perf_counter()
    responses = synthetic_responses(instrument, size, seed=seed)
    drawn = time.perf_counter()
    write_frame_with_headers(path, list(header_rows(instrument)), surveymonkey_frame(responses))
    return {"draw_seconds": drawn - started, "write_seconds": time.perf_counter() - drawn,
            "peak_mb": peak_mb(), "file_mb": path.stat().st_size / 1e6}


def relayout(source: Path, path: Path, layout: str) -> dict[str, Any]:
    """Rewrite a condensed export in another layout (same responses, same order)."""
    import polars as pl

    from hrta.exports import write_frame_with_headers
    from hrta.ingest.layout import METADATA_HEADERS, export_columns
    from hrta.instrument import load_bundled

    instrument = load_bundled()
    started = time.perf_counter()
    names = [f"c{i}" for i in range(len(METADATA_HEADERS) + len(export_columns(instrument)))]
    frame = pl.read_csv(source, has_header=False, skip_rows=2, new_columns=names,
                        schema={name: pl.String for name in names})
    row1, row2 = list(METADATA_HEADERS), [""] * len(METADATA_HEADERS)
    out = [frame[f"c{i}"] for i in range(len(METADATA_HEADERS))]
    numeric = layout == "numeric"
    previous = None
    for index, column in enumerate(export_columns(instrument), start=len(METADATA_HEADERS)):
        cells = frame[f"c{index}"]
        question = column.question
        first = question is not previous
        if column.kind == "choice":
            plain = [o for o in question.options if not o.other]
            for place, option in enumerate(plain, start=1):
                row1.append(question.text if place == 1 else "")
                row2.append(option.label)
                mark = str(place) if numeric else option.label
                out.append(cells.replace_strict({option.label: mark}, default=None))
            previous = question
            continue
        row1.append(question.text if first else "")
        row2.append(column.header2)
        if numeric and column.kind == "statement":
            scale = {o.label: str(i) for i, o in enumerate(question.options, start=1)}
            cells = cells.replace_strict(scale, default=None)
        elif numeric and column.kind == "option":
            place = [o.id for o in question.options].index(column.option_id) + 1
            cells = cells.replace_strict({column.header2: str(place)}, default=None)
        out.append(cells)
        previous = question
    write_frame_with_headers(path, [row1, row2],
                             pl.DataFrame([c.alias(f"c{i}") for i, c in enumerate(out)]))
    return {"write_seconds": time.perf_counter() - started, "peak_mb": peak_mb(),
            "file_mb": path.stat().st_size / 1e6}


def write_tool_export(path: Path, size: int, seed: int, tool: str) -> dict[str, Any]:
    """The demo generator's responses as a Qualtrics or REDCap export (and, for REDCap, the
    Data Dictionary beside it), through the wide layout of `hrta convert`."""
    import polars as pl

    from hrta.demo import synthetic_responses
    from hrta.exports.redcap import redcap_dictionary
    from hrta.exports.wide import wide_data
    from hrta.instrument import load_bundled

    instrument = load_bundled()
    started = time.perf_counter()
    wide = wide_data(synthetic_responses(instrument, size, seed=seed))
    frame = wide.frame
    names = redcap_dictionary(instrument).names if tool == "redcap" else {}
    header: list[list[str]] = [[], [], []] if tool == "qualtrics" else [[]]
    columns: list[pl.Expr] = []

    def add(name: str, text: str, import_id: str, expr: pl.Expr) -> None:
        header[0].append(name)
        if tool == "qualtrics":
            header[1].append(text)
            header[2].append(json.dumps({"ImportId": import_id}, separators=(",", ":")))
        columns.append(expr.alias(f"c{len(columns)}"))

    if tool == "qualtrics":
        for name, import_id, value in (
                ("StartDate", "startDate", pl.col("started_at")),
                ("EndDate", "endDate", pl.col("ended_at")),
                ("Status", "status", pl.lit("IP Address")),
                ("Finished", "finished", pl.lit("True")),
                ("ResponseId", "_recordId", pl.col("response_id"))):
            add(name, name, import_id, value)
    else:
        add("record_id", "", "", pl.col("response_id"))
    numbers = {q.id: n for n, q in enumerate(instrument.questions, start=1)}
    for variable in wide.variables:
        if variable.question_id is None:
            continue
        question = instrument.question(variable.question_id)
        item, column = variable.item_id, pl.col(variable.name)
        import_id = f"QID{numbers[question.id]}" + (f"_{item}" if item else "")
        if variable.kind == "code":
            # The chosen option's number: its label (Qualtrics' choice text) or its id
            # (the REDCap code, which the exported dictionary makes the option id).
            points = {i: (o.label if tool == "qualtrics" else o.id)
                      for i, o in enumerate(question.options, start=1)}
            value = column.replace_strict(points, default=None, return_dtype=pl.String)
            key = f"{question.id}.{item}" if question.type == "matrix" else question.id
            name = f"{question.id}_{item}" if question.type == "matrix" else question.id
            statements = {s.id: s.text for s in question.statements}
            text = question.text + (f" - {statements[item]}"
                                    if question.type == "matrix" and item else "")
            add(name if tool == "qualtrics" else names[key], text, import_id, value)
        elif variable.kind == "flag":
            option = question.option(item or "")
            if tool == "qualtrics":
                value = pl.when(column == 1).then(pl.lit(option.label)).otherwise(None)
                add(f"{question.id}_{option.id}", f"{question.text} - {option.label}",
                    import_id, value)
            else:
                value = pl.when(column == 1).then(pl.lit("1")).otherwise(pl.lit("0"))
                add(f"{names[question.id]}___{option.id}", "", "", value)
        elif variable.kind == "text":
            key = f"{question.id}.{item}" if item else question.id
            name = f"{question.id}_{item}_TEXT" if item else f"{question.id}_TEXT"
            add(name if tool == "qualtrics" else names[key], question.text, import_id,
                column.cast(pl.String))
    if tool == "redcap":
        add(f"{instrument.sections[-1].id}_complete", "", "", pl.lit("2"))
    out = frame.select(columns)
    from hrta.exports import write_frame_with_headers

    write_frame_with_headers(path, header, out)
    if tool == "redcap":
        dictionary = redcap_dictionary(instrument).body
        (path.parent / f"{path.stem}_DataDictionary.csv").write_bytes(
            dictionary if isinstance(dictionary, bytes) else dictionary.encode())
    return {"write_seconds": time.perf_counter() - started, "peak_mb": peak_mb(),
            "file_mb": path.stat().st_size / 1e6}


def run_tool(path: Path, tool: str) -> dict[str, Any]:
    """hrta on a tool's export, as `hrta analyze --format TOOL` reads it."""
    from hrta.analysis import build_findings
    from hrta.ingest import load_responses
    from hrta.instrument import load_bundled

    if tool == "redcap":
        from hrta.ingest.definitions import read_definition

        dictionary = path.parent / f"{path.stem}_DataDictionary.csv"
        # A dictionary has no screening rule: the analyst adds the bundled one's, as the
        # SurveyMonkey path applies it.
        instrument = read_definition(dictionary).instrument.model_copy(
            update={"eligibility": load_bundled().eligibility})
    else:
        instrument = load_bundled()
    started, cpu = time.perf_counter(), time.process_time()
    findings = build_findings(load_responses(path, instrument, fmt=tool)).to_json()
    return {"seconds": time.perf_counter() - started,
            "cpu_seconds": time.process_time() - cpu, "peak_mb": peak_mb(),
            "tables": findings_tables(findings)}


def run_hrta(path: Path, profiler: cProfile.Profile | None = None) -> dict[str, Any]:
    from hrta.analysis import build_findings
    from hrta.ingest import load_responses
    from hrta.instrument import load_bundled

    instrument = load_bundled()
    if profiler is not None:
        profiler.enable()
    started, cpu = time.perf_counter(), time.process_time()
    findings = build_findings(load_responses(path, instrument, fmt="surveymonkey")).to_json()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    if profiler is not None:
        profiler.disable()
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "peak_mb": peak_mb(),
            "tables": findings_tables(findings)}


def profile_hrta(path: Path) -> dict[str, Any]:
    """cProfile of import + analysis (not of Python imports), hrta's functions only."""
    profiler = cProfile.Profile()
    run_hrta(path, profiler)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(r"/hrta/", 25)
    return {"report": out.getvalue()}


def findings_tables(findings: dict[str, Any]) -> Tables:
    tables: Tables = {}
    for qid, entry in findings["questions"].items():
        tables[qid] = {"n": entry["n"]}
        if "options" in entry:
            tables[qid]["counts"] = {o: v["count"] for o, v in entry["options"].items()}
    return tables


def run_pandas(path: Path) -> dict[str, Any]:
    from hrta.instrument import load_bundled

    # The instrument serves as the analyst's codebook (question texts, labels, ids); all
    # the counting is pandas.
    instrument = load_bundled()
    started = time.perf_counter()
    tables = pandas_tables(path, instrument)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": peak_mb(), "tables": tables}


def pandas_tables(path: Path, instrument: Any) -> Tables:
    """Frequency tables the way an analyst writes them in pandas."""
    import pandas as pd

    # keep_default_na=False: an answer of "None" or "N/A" is text, not missing.
    frame = pd.read_csv(path, header=[0, 1], dtype=str, keep_default_na=False,
                        na_values=[""])
    # Row 1 names a question only above its first column; carry it across the rest.
    top = pd.Series(frame.columns.get_level_values(0))
    top = top.mask(top.str.startswith("Unnamed:")).ffill()
    frame.columns = pd.MultiIndex.from_arrays([top, frame.columns.get_level_values(1)])

    rule = instrument.eligibility
    screen = instrument.question(rule.question)
    excluded = [screen.option(o).label for o in rule.ineligible_options]
    eligible = frame[~frame[(screen.text, "Response")].isin(excluded)]

    tables: Tables = {}
    for question in instrument.analysable_questions():
        block = eligible[question.text]
        if question.type == "single":
            tables[question.id] = _single_table(block, question)
        elif question.type == "multi":
            chosen = block.notna()
            counts = chosen.sum().rename(index=_ids(question))
            tables[question.id] = {"n": int(chosen.any(axis=1).sum()),
                                   "counts": _all_options(counts, question)}
        elif question.type == "matrix":
            for statement in question.statements:
                cells = block[statement.text]
                counts = cells.value_counts().rename(index=_ids(question))
                tables[f"{question.id}.{statement.id}"] = {
                    "n": int(cells.notna().sum()), "counts": _all_options(counts, question)}
        else:
            tables[question.id] = {"n": int(block.iloc[:, 0].notna().sum())}
    return tables


def _single_table(block: Any, question: Any) -> dict[str, Any]:
    choice = block["Response"]
    for option in question.options:
        if option.other and option.label in block.columns:
            # A typed "Other" with the choice left blank still counts as choosing Other.
            typed = block[option.label].notna() & choice.isna()
            choice = choice.mask(typed, option.label)
    counts = choice.value_counts().rename(index=_ids(question))
    return {"n": int(choice.notna().sum()), "counts": _all_options(counts, question)}


def _ids(question: Any) -> dict[str, str]:
    return {option.label: option.id for option in question.options}


def _all_options(counts: Any, question: Any) -> dict[str, int]:
    return {o: int(counts.get(o, 0)) for o in question.option_ids}


# --- the driver ------------------------------------------------------------------------


def in_child(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def export_for(size: int, seed: int, say: Any) -> Path:
    path = DATA / f"surveymonkey_{size}_seed{seed}.csv"
    if path.exists():
        say(f"{size:,}: using cached {path.relative_to(BENCH.parent)}")
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    made = in_child("--worker", "generate", "--file", str(path), "--size", str(size),
                    "--seed", str(seed))
    say(f"{size:,}: generated {made['file_mb']:,.0f} MB in "
        f"{made['draw_seconds']:.1f} s (draw) + {made['write_seconds']:.1f} s (write), "
        f"peak {made['peak_mb']:,.0f} MB")
    return path


def check_equal(hrta: Tables, baseline: Tables, size: int) -> None:
    """Refuse to report a comparison between different answers."""
    assert hrta.keys() == baseline.keys(), (size, hrta.keys() ^ baseline.keys())
    for qid, table in hrta.items():
        assert table == baseline[qid], (size, qid, table, baseline[qid])


def runs(kind: str, path: Path, repeat: int) -> tuple[float, float, Tables]:
    """Median seconds and highest peak MB of `repeat` fresh processes, and their tables."""
    done = [in_child("--worker", kind, "--file", str(path)) for _ in range(repeat)]
    for other in done[1:]:
        assert other["tables"] == done[0]["tables"], f"{kind} gave different tables on rerun"
    return (statistics.median(d["seconds"] for d in done), max(d["peak_mb"] for d in done),
            done[0]["tables"])


def measure(size: int, seed: int, repeat: int, say: Any) -> dict[str, float]:
    path = export_for(size, seed, say)
    seconds, peak, ours = runs("hrta", path, repeat)
    baseline_seconds, baseline_peak, theirs = runs("pandas", path, repeat)
    check_equal(ours, theirs, size)
    say(f"{size:,}: hrta and pandas agree on all {len(ours)} questions "
        f"(median of {repeat} runs each)")
    return {
        "seconds": round(seconds, 3),
        "peak_mb": round(peak, 1),
        "baseline_seconds": round(baseline_seconds, 3),
        "baseline_peak_mb": round(baseline_peak, 1),
        "speedup": round(baseline_seconds / seconds, 2),
    }


def layout_export(size: int, seed: int, layout: str, say: Any) -> Path:
    source = export_for(size, seed, say)
    if layout == "condensed":
        return source
    path = DATA / f"surveymonkey_{size}_seed{seed}_{layout}.csv"
    if path.exists():
        return path
    made = in_child("--worker", "relayout", "--file", str(source), "--out", str(path),
                    "--layout", layout)
    say(f"{size:,}: wrote the {layout} layout, {made['file_mb']:,.0f} MB in "
        f"{made['write_seconds']:.1f} s")
    return path


def layout_runs(paths: dict[str, Path], repeat: int) -> dict[str, list[dict[str, Any]]]:
    """`repeat` fresh processes per layout, taken in turns (condensed, expanded, numeric,
    condensed, ...) so that a burst of load on the shared machine falls on every layout."""
    done: dict[str, list[dict[str, Any]]] = {layout: [] for layout in paths}
    for _ in range(repeat):
        for layout, path in paths.items():
            done[layout].append(in_child("--worker", "hrta", "--file", str(path)))
    return done


def measure_layouts(size: int, seed: int, repeat: int, layouts: list[str],
                    say: Any) -> dict[str, dict[str, float]]:
    """hrta on each layout of the same responses: equal tables, time beside condensed.

    Wall seconds follow the machine's load; CPU seconds (all threads) much less, so both
    are kept, each as the median of `repeat` runs.
    """
    paths = {"condensed": export_for(size, seed, say)}
    paths.update({layout: layout_export(size, seed, layout, say) for layout in layouts
                  if layout != "condensed"})
    done = layout_runs(paths, repeat)
    reference = done["condensed"][0]["tables"]
    base = {key: statistics.median(d[key] for d in done["condensed"])
            for key in ("seconds", "cpu_seconds")}
    found: dict[str, dict[str, float]] = {}
    for layout, runs_of in done.items():
        for run in runs_of:
            check_equal(run["tables"], reference, size)
        took = statistics.median(d["seconds"] for d in runs_of)
        cpu = statistics.median(d["cpu_seconds"] for d in runs_of)
        found[layout] = {"seconds": round(took, 3), "cpu_seconds": round(cpu, 3),
                         "peak_mb": round(max(d["peak_mb"] for d in runs_of), 1),
                         "ratio": round(took / base["seconds"], 2),
                         "cpu_ratio": round(cpu / base["cpu_seconds"], 2)}
        if layout != "condensed":
            say(f"{size:,}: {layout} gives the condensed file's tables; "
                f"{took:.2f} s against {base['seconds']:.2f} s ({took / base['seconds']:.2f}x), "
                f"CPU {cpu:.2f} s against {base['cpu_seconds']:.2f} s "
                f"({cpu / base['cpu_seconds']:.2f}x)")
    return found


def profile_layouts(size: int, seed: int, layouts: list[str], say: Any) -> None:
    for layout in ["condensed", *(name for name in layouts if name != "condensed")]:
        path = layout_export(size, seed, layout, say)
        report = in_child("--worker", "profile", "--file", str(path))["report"]
        print(f"--- {layout} ---\n" + report.replace(str(BENCH.parent) + "/", ""),
              file=sys.stderr)


def tool_export(size: int, seed: int, tool: str, say: Any) -> Path:
    path = DATA / f"{tool}_{size}_seed{seed}.csv"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    made = in_child("--worker", "tool_export", "--file", str(path), "--size", str(size),
                    "--seed", str(seed), "--tool", tool)
    say(f"{size:,}: wrote the {tool} export, {made['file_mb']:,.0f} MB in "
        f"{made['write_seconds']:.1f} s, peak {made['peak_mb']:,.0f} MB")
    return path


def measure_tools(size: int, seed: int, repeat: int, tools: list[str],
                  say: Any) -> dict[str, dict[str, float]]:
    """hrta on each tool's export of the same responses: equal tables, time and memory
    beside the SurveyMonkey path's (the condensed export), runs taken in turns."""
    paths = {"surveymonkey": export_for(size, seed, say)}
    paths.update({tool: tool_export(size, seed, tool, say) for tool in tools})
    done: dict[str, list[dict[str, Any]]] = {name: [] for name in paths}
    for _ in range(repeat):
        for name, path in paths.items():
            args = ("--worker", "hrta", "--file", str(path)) if name == "surveymonkey" else (
                "--worker", "tool", "--tool", name, "--file", str(path))
            done[name].append(in_child(*args))
    reference = done["surveymonkey"][0]["tables"]
    base = {key: statistics.median(d[key] for d in done["surveymonkey"])
            for key in ("seconds", "cpu_seconds")}
    base_peak = max(d["peak_mb"] for d in done["surveymonkey"])
    found: dict[str, dict[str, float]] = {}
    for name, runs_of in done.items():
        for run in runs_of:
            check_equal(run["tables"], reference, size)
        took = statistics.median(d["seconds"] for d in runs_of)
        cpu = statistics.median(d["cpu_seconds"] for d in runs_of)
        peak = max(d["peak_mb"] for d in runs_of)
        found[name] = {"seconds": round(took, 3), "cpu_seconds": round(cpu, 3),
                       "peak_mb": round(peak, 1), "ratio": round(took / base["seconds"], 2),
                       "cpu_ratio": round(cpu / base["cpu_seconds"], 2),
                       "peak_ratio": round(peak / base_peak, 2)}
        if name != "surveymonkey":
            say(f"{size:,}: {name} gives the SurveyMonkey file's tables; {took:.2f} s "
                f"({took / base['seconds']:.2f}x), CPU {cpu:.2f} s "
                f"({cpu / base['cpu_seconds']:.2f}x), peak {peak:,.0f} MB "
                f"({peak / base_peak:.2f}x)")
    return found


def save_layouts(results: dict[str, dict[str, dict[str, float]]]) -> None:
    previous = json.loads(LAYOUT_RESULTS.read_text()) if LAYOUT_RESULTS.exists() else {}
    previous.update(results)
    ordered = dict(sorted(previous.items(), key=lambda item: int(item[0])))
    LAYOUT_RESULTS.write_text(json.dumps(ordered, indent=2) + "\n")


def save_tools(results: dict[str, dict[str, dict[str, float]]]) -> None:
    previous = json.loads(TOOL_RESULTS.read_text()) if TOOL_RESULTS.exists() else {}
    previous.update(results)
    ordered = dict(sorted(previous.items(), key=lambda item: int(item[0])))
    TOOL_RESULTS.parent.mkdir(parents=True, exist_ok=True)
    TOOL_RESULTS.write_text(json.dumps(ordered, indent=2) + "\n")


def show_tools(results: dict[str, dict[str, dict[str, float]]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Import + analysis of each tool's export of the same responses")
    for heading in ("responses", "export", "s", "CPU s", "peak MB", "time ×", "CPU ×",
                    "memory ×"):
        table.add_column(heading, justify="right")
    for size, rows in results.items():
        for name, row in rows.items():
            table.add_row(f"{int(size):,}", name, f"{row['seconds']:.2f}",
                          f"{row['cpu_seconds']:.2f}", f"{row['peak_mb']:,.0f}",
                          f"{row['ratio']:.2f}", f"{row['cpu_ratio']:.2f}",
                          f"{row['peak_ratio']:.2f}")
    Console().print(table)


def save(results: dict[str, dict[str, float]]) -> None:
    """Merge into earlier results so a run of some sizes keeps the others."""
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    previous.update(results)
    ordered = dict(sorted(previous.items(), key=lambda item: int(item[0])))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(ordered, indent=2) + "\n")


def show(results: dict[str, dict[str, float]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Import + analysis of a SurveyMonkey expanded export")
    for heading in ("responses", "hrta s", "hrta peak MB", "pandas s", "pandas peak MB",
                    "speed-up"):
        table.add_column(heading, justify="right")
    for size, row in results.items():
        table.add_row(f"{int(size):,}", f"{row['seconds']:.2f}", f"{row['peak_mb']:,.0f}",
                      f"{row['baseline_seconds']:.2f}", f"{row['baseline_peak_mb']:,.0f}",
                      f"{row['speedup']:.1f}×")
    Console().print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES,
                        help=f"comma-separated response counts (default {DEFAULT_SIZES})")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--repeat", type=int, default=3,
                        help="fresh-process runs per tool and size; the median is reported")
    parser.add_argument("--profile", action="store_true",
                        help="also profile hrta once per size and print its slowest functions")
    parser.add_argument("--layouts", default="",
                        help="also time these layouts of the same responses: "
                             f"{', '.join(LAYOUTS)} (default: none)")
    parser.add_argument("--tools", default="",
                        help="also time these tools' exports of the same responses: "
                             f"{', '.join(TOOLS)} (default: none)")
    parser.add_argument("--worker", choices=("generate", "hrta", "pandas", "profile",
                                             "relayout", "tool_export", "tool"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--tool", choices=TOOLS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--layout", choices=LAYOUTS, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker == "generate":
        print(json.dumps(generate(args.file, args.size, args.seed)))
    elif args.worker == "hrta":
        print(json.dumps(run_hrta(args.file)))
    elif args.worker == "pandas":
        print(json.dumps(run_pandas(args.file)))
    elif args.worker == "profile":
        print(json.dumps(profile_hrta(args.file)))
    elif args.worker == "relayout":
        print(json.dumps(relayout(args.file, args.out, args.layout)))
    elif args.worker == "tool_export":
        print(json.dumps(write_tool_export(args.file, args.size, args.seed, args.tool)))
    elif args.worker == "tool":
        print(json.dumps(run_tool(args.file, args.tool)))
    else:
        from rich.console import Console

        console = Console(stderr=True)
        layouts = [name for name in args.layouts.split(",") if name]
        unknown = set(layouts) - set(LAYOUTS)
        if unknown:
            parser.error(f"unknown layouts {', '.join(sorted(unknown))}; choose from "
                         f"{', '.join(LAYOUTS)}")
        tools = [name for name in args.tools.split(",") if name]
        if set(tools) - set(TOOLS):
            parser.error(f"unknown tools {', '.join(sorted(set(tools) - set(TOOLS)))}; "
                         f"choose from {', '.join(TOOLS)}")
        if tools:
            measured = {str(size): measure_tools(int(size), args.seed, args.repeat, tools,
                                                 console.print)
                        for size in args.sizes.split(",")}
            save_tools(measured)
            show_tools(measured)
            print(json.dumps(measured, indent=2))
            return
        if layouts:
            sizes = [int(s) for s in args.sizes.split(",")]
            found = {str(size): measure_layouts(size, args.seed, args.repeat, layouts,
                                                console.print)
                     for size in sizes}
            save_layouts(found)
            if args.profile:
                for size in sizes:
                    profile_layouts(size, args.seed, layouts, console.print)
            print(json.dumps(found, indent=2))
            return
        results = {}
        for size in (int(s) for s in args.sizes.split(",")):
            results[str(size)] = measure(size, args.seed, args.repeat, console.print)
            if args.profile:
                path = export_for(size, args.seed, console.print)
                report = in_child("--worker", "profile", "--file", str(path))["report"]
                print(report.replace(str(BENCH.parent) + "/", ""), file=sys.stderr)
        save(results)
        show(results)


if __name__ == "__main__":
    main()
