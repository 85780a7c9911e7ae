"""Benchmark: readiness profiles, TA plans, printed plan pages, demand and cohorts.

    python bench/assistance.py [--size 100000]

On the demo wave (the 161 responses of `hrta.demo.demo_responses`) it times, for every
eligible respondent, the profile and plan (`build_plan`) and the printed page fitted to one
Letter page (`fit_plan`, WeasyPrint), and records how many pages each plan printed on
and how much of it had to be folded away to fit. On the demo wave and on a synthetic wave
of --size responses it times `build_demand` and `find_cohorts` (everyone counted as
consenting). Seconds are wall-clock on this machine,
after imports. Results: bench/results/assistance.json.
Targets (2 cores): a plan and its one-page PDF in under 1 s for the median respondent;
every demo plan on one page; demand for 100,000 responses in under 5 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "assistance.json"
PLAN_TARGET = 1.0
DEMAND_TARGET = 5.0


def timed(call):
    started = time.perf_counter()
    value = call()
    return value, time.perf_counter() - started


def plans(responses, instrument, rules, catalog) -> dict[str, Any]:
    from hrta.assistance import all_answers, build_plan
    from hrta.report.plans import fit_plan

    answers, read = timed(lambda: all_answers(responses))
    eligible = [a for a in answers.values() if a.eligible]
    plan_times, page_times, pages, densities = [], [], Counter(), Counter()
    for given in eligible:
        plan, seconds = timed(lambda given=given: build_plan(
            given, instrument=instrument, rules=rules, catalog=catalog))
        plan_times.append(seconds)
        fitted, seconds = timed(lambda plan=plan: fit_plan(plan, rules=rules))
        _, pdf_seconds = timed(fitted.pdf)
        page_times.append(seconds + pdf_seconds)
        pages[fitted.pages] += 1
        densities[f"{fitted.density.areas} areas, {fitted.density.items} list items"] += 1
    return {
        "respondents": len(eligible),
        "read_answers_seconds": read,
        "plan_median_ms": 1000 * statistics.median(plan_times),
        "plan_max_ms": 1000 * max(plan_times),
        "page_median_seconds": statistics.median(page_times),
        "page_max_seconds": max(page_times),
        "pages": {str(k): v for k, v in sorted(pages.items())},
        "densities": dict(densities.most_common()),
    }


def wave_level(responses, rules) -> dict[str, Any]:
    from hrta.assistance import build_demand, find_cohorts

    ids = set(responses.respondents["response_id"].to_list())
    demand, demand_seconds = timed(lambda: build_demand(responses, rules=rules))
    cohorts, cohort_seconds = timed(lambda: find_cohorts(responses, rules=rules,
                                                         consenting=ids))
    return {"responses": responses.total, "demand_seconds": demand_seconds,
            "cohorts_seconds": cohort_seconds, "cohorts": len(cohorts),
            "areas_n": demand["areas"]["n"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args()
    sys.path.insert(0, str(BENCH.parent / "src"))
    import weasyprint  # noqa: F401  (imported before timing)

    from hrta.assistance import load_catalog, load_rules
    from hrta.demo import demo_responses, synthetic_responses
    from hrta.instrument import load_bundled

    instrument = load_bundled()
    rules = load_rules(instrument)
    catalog = load_catalog(instrument, rules, user=BENCH / "results" / "no-user-catalog.yaml")
    demo = demo_responses(instrument)
    print(f"Plans for the {demo.eligible_count} eligible demo respondents …", flush=True)
    plan_results = plans(demo, instrument, rules, catalog)
    print("Demand and cohorts …", flush=True)
    demo_wave = wave_level(demo, rules)
    large, generate = timed(lambda: synthetic_responses(instrument, args.size, seed=1))
    large_wave = wave_level(large, rules)
    results = {"plans": plan_results, "demo": demo_wave, "large": large_wave,
               "large_generate_seconds": generate,
               "targets": {"plan_and_page_seconds": PLAN_TARGET,
                           "demand_100000_seconds": DEMAND_TARGET}}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")

    p = plan_results
    print()
    print("| what | demo wave | " + f"{args.size:,} responses |")
    print("|---|---|---|")
    print(f"| profile + plan, one respondent (median / max) | {p['plan_median_ms']:.1f} / "
          f"{p['plan_max_ms']:.1f} ms | |")
    print(f"| one-page PDF of a plan, fitted (median / max) | {p['page_median_seconds']:.2f} / "
          f"{p['page_max_seconds']:.2f} s | |")
    print(f"| plans printing on one page | {p['pages'].get('1', 0)} of {p['respondents']} | |")
    print(f"| read every respondent's answers | {p['read_answers_seconds']:.3f} s | |")
    print(f"| demand tables | {demo_wave['demand_seconds']:.3f} s | "
          f"{large_wave['demand_seconds']:.2f} s |")
    print(f"| cohorts (all consenting) | {demo_wave['cohorts_seconds']:.3f} s | "
          f"{large_wave['cohorts_seconds']:.2f} s |")
    print()
    print("Densities used to fit one page: " + "; ".join(
        f"{k}: {v}" for k, v in p["densities"].items()))
    print(f"Results: {RESULTS}")
    slow = p["page_median_seconds"] + p["plan_median_ms"] / 1000 > PLAN_TARGET
    if slow or large_wave["demand_seconds"] > DEMAND_TARGET or set(p["pages"]) != {"1"}:
        print("TARGET MISSED", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
