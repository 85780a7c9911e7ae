"""Quantitative analysis of a ResponseSet into Findings.

Only Findings themselves are imported with the package; the subgroup, weighting and trend
modules load when first named, so a plain analysis starts without their statistics
libraries.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from hrta.analysis.findings import SCHEMA_VERSION, build_findings

if TYPE_CHECKING:
    from hrta.analysis.extended import add_statistics
    from hrta.analysis.pipeline import analyse
    from hrta.analysis.subgroups import compare_subgroups
    from hrta.analysis.trends import compare_waves
    from hrta.analysis.weighting import weight, weighted_findings

_LAZY = {
    "add_statistics": "hrta.analysis.extended",
    "analyse": "hrta.analysis.pipeline",
    "compare_subgroups": "hrta.analysis.subgroups",
    "compare_waves": "hrta.analysis.trends",
    "weight": "hrta.analysis.weighting",
    "weighted_findings": "hrta.analysis.weighting",
}

__all__ = [
    "SCHEMA_VERSION",
    "add_statistics",
    "analyse",
    "build_findings",
    "compare_subgroups",
    "compare_waves",
    "weight",
    "weighted_findings",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
