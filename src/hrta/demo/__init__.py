"""Synthetic waves shaped like the 2022 study: the demo and the benchmark data."""

from hrta.demo.generator import (
    TargetError,
    Targets,
    TextBank,
    demo_responses,
    load_targets,
    load_texts,
    synthetic_responses,
)

__all__ = [
    "TargetError",
    "Targets",
    "TextBank",
    "demo_responses",
    "load_targets",
    "load_texts",
    "synthetic_responses",
]
