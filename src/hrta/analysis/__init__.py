"""Quantitative analysis of a ResponseSet into Findings."""

from hrta.analysis.extended import add_statistics
from hrta.analysis.findings import SCHEMA_VERSION, build_findings
from hrta.analysis.subgroups import compare_subgroups
from hrta.analysis.trends import compare_waves
from hrta.analysis.weighting import weight, weighted_findings

__all__ = [
    "SCHEMA_VERSION",
    "add_statistics",
    "build_findings",
    "compare_subgroups",
    "compare_waves",
    "weight",
    "weighted_findings",
]
