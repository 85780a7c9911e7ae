"""Benchmark: the TA center's staff pages on a wave of a given size.

    python bench/staff_pages.py [--sizes demo,10000] [--repeat 3] [--output FILE]

For each wave (`demo`: the 161 responses of `hrta.demo.demo_responses`; a number: that
many responses of `hrta.demo.synthetic_responses(instrument, n, seed=1)`) it loads the
wave into a fresh SQLite database (`import_responses`, as the import page does) and times
the staff pages through Django's test client, signed in as an admin:

- cold: the first request after the wave changed (nothing cached: the wave read from the
  database into a ResponseSet, Findings built, the page's figures laid out);
- warm: the same request again (Findings and figures cached until the wave changes);
- charts: every chart of the dashboard drawn to SVG, as the browser asks for them after
  the page (vl-convert; its JavaScript runtime is started before timing);
- live: the counts the dashboard asks for every 30 seconds;
- new data: the dashboard right after new responses come in, while the worker's refresh
  of the wave's Findings is queued (the page shows the last figures made, read from the
  cache), and once the refresh is done (as hrta.web.tasks.runners.findings makes it), in
  wall and CPU seconds (medians);
- the responses list (with the likely-duplicate check) and each download.

Seconds are medians of --repeat runs; each cold run first empties the cache and the chart
store. Results: bench/results/staff_pages.json.
Targets (2 cores): for the demo wave a warm dashboard within 0.2 s and a cold one within
2 s (charts load after the page); the live counts within 0.05 s; the dashboard right after
new data within 0.2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from webwave import load_wave, median_seconds

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "staff_pages.json"
TARGETS = {"dashboard_warm": 0.2, "dashboard_cold": 2.0, "live": 0.05,
           "dashboard_new_data": 0.2}


def measure(size: str, repeat: int) -> dict[str, Any]:
    from django.core.cache import cache
    from django.test import Client

    from hrta.report import charts
    from hrta.web.staff import selectors

    wave, responses, admin, loaded = load_wave(size, f"bench-{size}")
    client = Client()
    client.force_login(admin)

    def forget() -> None:
        cache.clear()
        charts._DRAWN.clear()

    def get(url: str) -> Callable[[], object]:
        def run() -> object:
            reply = client.get(url)
            assert reply.status_code == 200, (url, reply.status_code)
            return reply
        return run

    base = f"/staff/waves/{wave.slug}/"
    filtered = base + "?org_type=ccbhc"
    charts.to_svg(charts.bar_spec([charts.Bar("warm-up", 50.0, "50%")], description="x"),
                  prefix="warm")
    result: dict[str, Any] = {"responses": responses.total, "load_seconds": round(loaded, 2)}
    for name, url in (("dashboard", base), ("filtered", filtered),
                      ("responses_list", base + "responses/")):
        result[f"{name}_cold"] = median_seconds(get(url), repeat, forget)
        result[f"{name}_warm"] = median_seconds(get(url), repeat)
    view = selectors.dashboard(wave)
    blocks = [b for part in view.parts for b in part.blocks if getattr(b, "chart", None)]
    result["charts"] = len(blocks)
    result["charts_seconds"] = median_seconds(
        lambda: [client.get(f"{base}charts/{b.anchor}.svg") for b in blocks], repeat,
        lambda: charts._DRAWN.clear())
    result["live"] = median_seconds(get(base + "live/"), repeat)
    for name in ("findings.json", "responses.csv", "responses.xlsx", "report.html"):
        result[f"download {name}"] = median_seconds(get(f"{base}downloads/{name}"), repeat, forget)
    result.update(new_data(wave, get(base), repeat))
    return {key: round(value, 3) if isinstance(value, float) else value
            for key, value in result.items()}


def new_data(wave: Any, view: Callable[[], object], repeat: int) -> dict[str, float]:
    """The dashboard right after new data (20 more responses imported, which queues the
    worker's refresh) and after that refresh, as the worker makes it (in each language)."""
    from django.utils import translation

    from hrta.demo import synthetic_responses
    from hrta.instrument import load_bundled
    from hrta.web.surveys.services import import_responses
    from hrta.web.tasks.runners import _prepare

    def refresh() -> None:
        for language in ("en", "es"):
            with translation.override(language):
                _prepare(wave)

    refresh()
    view()
    times = max(repeat, 20)  # a page of tens of milliseconds: more runs for a steady median
    import_responses(wave=wave, responses=synthetic_responses(load_bundled(), 20, seed=7),
                     source_name="bench new data")
    found = {"dashboard_new_data": median_seconds(view, times),
             "dashboard_new_data_cpu": median_cpu_seconds(view, times)}
    refresh()
    found.update(dashboard_after_refresh=median_seconds(view, times),
                 dashboard_after_refresh_cpu=median_cpu_seconds(view, times))
    return found


def median_cpu_seconds(run: Callable[[], object], repeat: int) -> float:
    """Median CPU time (this process, all threads) of `repeat` calls of `run`."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="demo,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    os.environ["HRTA_DATA_DIR"] = tempfile.mkdtemp(prefix="hrta-bench-staff-")
    sys.path.insert(0, str(BENCH.parent / "src"))
    from hrta.web.commands import prepare

    prepare()
    results = {size: measure(size, args.repeat) for size in args.sizes.split(",")}
    rows = sorted({key for values in results.values() for key in values})
    print(f"{'seconds (median of ' + str(args.repeat) + ')':<32}"
          + "".join(f"{size:>12}" for size in results))
    for key in rows:
        print(f"{key:<32}" + "".join(f"{results[size].get(key, ''):>12}" for size in results))
    for key, limit in TARGETS.items():
        if "demo" in results:
            value = results["demo"][key]
            print(f"target demo {key} <= {limit} s: {'met' if value <= limit else 'MISSED'}"
                  f" ({value} s)")
    from hrta.files import write_text_atomic

    write_text_atomic(args.output, json.dumps(results, indent=2) + "\n")
    print(f"written {args.output}")


if __name__ == "__main__":
    main()
