"""Findings: every number of the stakeholder analysis, as one typed document.

The model (hrta.findings.model) is the contract between the analysis that makes Findings
and the report, dashboard, API and audit that read them; percents and their intervals are
made only in hrta.findings.proportion.
"""

from hrta.findings.model import (
    SCHEMA_VERSION,
    Comparison,
    Findings,
    QuestionEntry,
    Trend,
    Weighting,
)
from hrta.findings.proportion import (
    Proportion,
    WeightedProportion,
    newcombe_interval,
    percent_of,
    ranks,
    wilson_interval,
)

__all__ = [
    "SCHEMA_VERSION",
    "Comparison",
    "Findings",
    "Proportion",
    "QuestionEntry",
    "Trend",
    "WeightedProportion",
    "Weighting",
    "newcombe_interval",
    "percent_of",
    "ranks",
    "wilson_interval",
]
