"""Benchmark: automatic coding of open-ended answers with the embedding model.

    python bench/coding.py [--sizes 1000,100000] [--repeat 3] [--seed 2022]

Measures, on this machine:

- model load: a fresh process builds the embedding model from the package's files (the
  ONNX graph from the safetensors weights, the ONNX Runtime session) and embeds one text;
  the median of --repeat processes, imports not counted;
- answers per second: after the model is loaded, the "challenges" coder codes N distinct
  answers (no embedding cache, so every answer is run through the model) for each size;
- the report's coding step: `add_themes` on the 2022-shaped demo wave (113 answers to two
  questions) in a fresh process, with an empty embedding cache and with a warm one (what
  `hrta report` adds when run again on the same wave).

Answers are made from the demo text bank's sentences, one to three at random with a
number so that no two are the same; their lengths are those of survey answers (mostly
a phrase or a sentence or two). Results: bench/results/coding.json.
Targets (2 cores): load under 5 s, at least 200 answers per second.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "coding.json"
DEFAULT_SIZES = "1000,100000"
TARGET_RATE = 200
TARGET_LOAD = 5.0


def answers(size: int, seed: int) -> list[str]:
    """`size` distinct answers built from the demo bank's sentences."""
    import numpy as np

    from hrta.demo import load_texts
    from hrta.instrument import load_bundled

    bank = load_texts(load_bundled())
    sentences = [s.strip() for items in bank.answers.values() for item in items
                 for s in re.split(r"(?<=[.!?])\s+", " ".join(item.text.split())) if s.strip()]
    rng = np.random.default_rng(seed)
    made = []
    for index in range(size):
        count = int(rng.choice([1, 1, 1, 2, 2, 3]))
        picked = rng.choice(len(sentences), size=count, replace=False)
        made.append(" ".join(sentences[i] for i in picked) + f" ({index})")
    return made


# --- workers: each runs alone in a child process -----------------------------------------

def load_worker() -> dict[str, Any]:
    from hrta.coding.embedder import Embedder

    started = time.perf_counter()
    embedder = Embedder(cache=False)
    embedder.encode(["Funding"])
    return {"seconds": time.perf_counter() - started}


def rate_worker(sizes: list[int], seed: int) -> dict[str, Any]:
    from hrta.coding.autocode import Coder, tuning_answers
    from hrta.coding.codebook import load_codebook
    from hrta.coding.embedder import Embedder

    embedder = Embedder(cache=False)
    book = load_codebook("challenges")
    source, tuning = tuning_answers(book, "harm_reduction_ta_2022")
    started = time.perf_counter()
    coder = Coder.train(book, tuning, source=source, embedder=embedder)
    trained = time.perf_counter() - started
    results: dict[str, Any] = {"train_seconds": trained, "sizes": {}}
    for size in sizes:
        texts = answers(size, seed)
        tokens = sum(len(e.ids) for e in embedder.tokenizer.encode_batch(texts))
        started, cpu = time.perf_counter(), time.process_time()
        coded = coder.code(texts)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        results["sizes"][str(size)] = {
            "seconds": seconds, "answers_per_second": size / seconds,
            "cpu_seconds": cpu, "answers_per_cpu_second": size / cpu,
            "mean_tokens": tokens / size,
            "coded": sum(1 for a in coded if a.status == "coded")}
    return results


def report_worker() -> dict[str, Any]:
    from hrta.analysis import build_findings
    from hrta.coding import add_themes
    from hrta.coding.embedder import shared_embedder
    from hrta.demo import demo_responses
    from hrta.instrument import load_bundled

    responses = demo_responses(load_bundled())
    findings = build_findings(responses).to_json()
    started = time.perf_counter()
    add_themes(findings, responses)
    seconds = time.perf_counter() - started
    answered = sum(findings["questions"][q]["coding"]["n"] for q in ("challenges",
                                                                      "facilitators"))
    return {"seconds": seconds, "answers": answered, "model_built": shared_embedder().loaded}


# --- the parent -----------------------------------------------------------------------------

def child(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise SystemExit(f"bench worker {args} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--worker", choices=("load", "rate", "report"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.worker == "load":
        print(json.dumps(load_worker()))
        return
    if args.worker == "rate":
        print(json.dumps(rate_worker(sizes, args.seed)))
        return
    if args.worker == "report":
        print(json.dumps(report_worker()))
        return

    from rich.console import Console
    from rich.table import Table

    console = Console()
    loads = [child("--worker", "load")["seconds"] for _ in range(args.repeat)]
    load = statistics.median(loads)
    console.print(f"model load: {load:.2f} s (median of {args.repeat})")
    with tempfile.TemporaryDirectory() as cache:
        cold = child("--worker", "report", env={"HRTA_CACHE_DIR": cache})
        warm = [child("--worker", "report", env={"HRTA_CACHE_DIR": cache})
                for _ in range(args.repeat)]
    warm_seconds = statistics.median(w["seconds"] for w in warm)
    console.print(f"report coding step: {cold['seconds']:.2f} s cold, "
                  f"{warm_seconds:.2f} s warm")
    rates = child("--worker", "rate", "--sizes", args.sizes, "--seed", str(args.seed),
                  env={"HRTA_CACHE_DIR": "off"})

    table = Table(title="Automatic coding (all-MiniLM-L6-v2, ONNX Runtime, CPU)")
    for name in ("measure", "value", "target", "met"):
        table.add_column(name, justify="left" if name == "measure" else "right")
    table.add_row("model load (fresh process)", f"{load:.2f} s", f"< {TARGET_LOAD:.0f} s",
                  "yes" if load < TARGET_LOAD else "NO")
    for size, result in rates["sizes"].items():
        rate = result["answers_per_second"]
        table.add_row(f"code {int(size):,} answers ({result['mean_tokens']:.0f} tokens each)",
                      f"{rate:,.0f} /s ({result['seconds']:.1f} s)", f"≥ {TARGET_RATE} /s",
                      "yes" if rate >= TARGET_RATE else "NO")
        table.add_row("  per CPU second (both threads' time)",
                      f"{result['answers_per_cpu_second']:,.0f} /s", "", "")
    table.add_row("train a coder (codebook + tuning set)", f"{rates['train_seconds']:.2f} s",
                  "", "")
    table.add_row(f"report coding step, {cold['answers']} demo answers, empty cache",
                  f"{cold['seconds']:.2f} s", "", "")
    table.add_row(f"report coding step, {cold['answers']} demo answers, warm cache",
                  f"{warm_seconds:.2f} s", "", "")
    console.print(table)
    try:
        load_average = os.getloadavg()[0]
    except OSError:
        load_average = None
    console.print(f"load average at the end: {load_average} (other work on the machine "
                  "slows every figure)")
    results = {
        "model": "all-MiniLM-L6-v2", "runtime": "onnxruntime", "cores": os.cpu_count(),
        "load_average_at_end": load_average,
        "load_seconds": load, "load_runs": loads,
        "train_seconds": rates["train_seconds"],
        "sizes": rates["sizes"],
        "report_coding": {"answers": cold["answers"], "cold_seconds": cold["seconds"],
                          "warm_seconds": warm_seconds,
                          "warm_built_model": any(w["model_built"] for w in warm)},
        "targets": {"load_seconds": TARGET_LOAD, "answers_per_second": TARGET_RATE},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    console.print(f"Results: {RESULTS}")


if __name__ == "__main__":
    main()
