"""Quantitative analysis of a ResponseSet into Findings."""

from hrta.analysis.findings import SCHEMA_VERSION, build_findings

__all__ = ["SCHEMA_VERSION", "build_findings"]
