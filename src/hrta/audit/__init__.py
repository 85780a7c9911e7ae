"""Report audit: check the numbers of a human-written report, alone or against Findings.

`audit(path)` reads a Markdown, plain-text, Word or PDF report and flags internal
inconsistencies; `audit(path, findings)` also flags every figure that matches nothing in
the data. See docs/audit.md.
"""

from __future__ import annotations

from pathlib import Path

from hrta.audit.checks import check_distribution_sums, check_percentages
from hrta.audit.claims import find_mentions
from hrta.audit.conflicts import check_conflicting_figures
from hrta.audit.data import check_unmatched
from hrta.audit.flags import KINDS, Flag, Place, flags_to_json, format_flags, sort_flags
from hrta.audit.language import speaking
from hrta.audit.text import Document, read_document
from hrta.findings import Findings


def audit(path: Path, findings: Findings | None = None) -> list[Flag]:
    """Flags for the report at `path`, in output order. Raises InputError for bad input."""
    return audit_document(read_document(Path(path)), findings)


def audit_document(doc: Document, findings: Findings | None = None) -> list[Flag]:
    """Flags for a document already read, its wording read in the language it declares."""
    with speaking(doc.lang):
        return _audit(doc, findings)


def _audit(doc: Document, findings: Findings | None) -> list[Flag]:
    mentions = find_mentions(doc)
    flags = check_distribution_sums(mentions)
    flags += check_conflicting_figures(doc, mentions)
    flags += check_percentages(mentions)
    if findings is not None:
        flags += check_unmatched(doc, mentions, findings)
    return sort_flags(flags)


def load_findings(path: Path) -> Findings:
    """Read a Findings JSON file (as `hrta analyze --json` writes it, this version or an
    earlier one) for `audit`; InputError naming the file and the first key that does not
    fit."""
    return Findings.load(Path(path))


__all__ = [
    "KINDS",
    "Document",
    "Flag",
    "Place",
    "audit",
    "audit_document",
    "flags_to_json",
    "format_flags",
    "load_findings",
    "read_document",
]
