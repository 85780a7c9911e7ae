"""Small hand-made waves written as native long CSVs, for the statistics tests."""

from __future__ import annotations

from pathlib import Path

from hrta.ingest import load_responses
from hrta.instrument import Instrument
from hrta.responses import ResponseSet

Answers = dict[str, str | list[str]]
"""Question id -> the option chosen, or the options chosen for a multi-choice question."""


def write_wave(path: Path, people: list[tuple[int, Answers]]) -> Path:
    """A native CSV: `copies` respondents giving the same answers, for each entry."""
    lines = ["response_id,question_id,option_id,value"]
    number = 0
    for copies, answers in people:
        for _ in range(copies):
            number += 1
            for qid, chosen in answers.items():
                for option in [chosen] if isinstance(chosen, str) else chosen:
                    lines.append(f"r{number},{qid},{option},")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load_wave(path: Path, instrument: Instrument,
              people: list[tuple[int, Answers]]) -> ResponseSet:
    return load_responses(write_wave(path, people), instrument, fmt="native")
