"""Open-ended answers coded into themes: codebooks, the embedding model, the automatic
coder and its tuning set, theme discovery, inter-coder reliability and the review of codes
by people.

The names below are imported on first use, so that `hrta` starts without loading NumPy,
Polars or the model for commands that do not code anything.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "CodedAnswer": "autocode",
    "Coder": "autocode",
    "coder_for": "autocode",
    "Codebook": "codebook",
    "Theme": "codebook",
    "load_codebook": "codebook",
    "read_codebook": "codebook",
    "Embedder": "embedder",
    "ModelUnavailableError": "embedder",
    "TaggedAnswer": "labelled",
    "Confirmation": "review",
    "add_themes": "themes",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'hrta.coding' has no attribute {name!r}")
    return getattr(import_module(f"hrta.coding.{_WHERE[name]}"), name)
