"""Report audit: check the numbers of a human-written report, alone or against Findings.

`audit(path)` reads a Markdown, plain-text, Word or PDF report and flags internal
inconsistencies; `audit(path, findings)` also flags every figure that matches nothing in
the data. See docs/audit.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hrta.audit.checks import check_distribution_sums, check_percentages
from hrta.audit.claims import find_mentions
from hrta.audit.conflicts import check_conflicting_figures
from hrta.audit.data import check_unmatched
from hrta.audit.flags import KINDS, Flag, Place, flags_to_json, format_flags, sort_flags
from hrta.audit.text import Document, read_document
from hrta.errors import InputError


def audit(path: Path, findings: dict[str, Any] | None = None) -> list[Flag]:
    """Flags for the report at `path`, in output order. Raises InputError for bad input."""
    return audit_document(read_document(Path(path)), findings)


def audit_document(doc: Document, findings: dict[str, Any] | None = None) -> list[Flag]:
    if findings is not None and not isinstance(findings.get("questions"), dict):
        raise InputError("is not a Findings document: it has no \"questions\" object",
                         file="findings")
    mentions = find_mentions(doc)
    flags = check_distribution_sums(mentions)
    flags += check_conflicting_figures(doc, mentions)
    flags += check_percentages(mentions)
    if findings is not None:
        flags += check_unmatched(doc, mentions, findings)
    return sort_flags(flags)


def load_findings(path: Path) -> dict[str, Any]:
    """Read a Findings JSON file (as `hrta analyze --json` writes it) for `audit`."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError("no such file", file=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read it: {exc}", file=str(path)) from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"is not JSON: {exc.msg}", file=str(path), row=exc.lineno) from exc
    if not isinstance(data, dict) or not isinstance(data.get("questions"), dict):
        raise InputError("is not a Findings document: it has no \"questions\" object",
                         file=str(path))
    return data


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
