"""Reports drawn from Findings: they lay out and format numbers, never compute them.

`render_report(findings, path)` writes the stakeholder analysis as HTML, PDF or Word by
the path's extension; all three draw one `Document` built by `build_document`.

The package imports none of its modules itself: each names the modules it uses, so none
is imported back through this one, and `from hrta.report import charts` loads the charts
alone. The functions below load their module when first named.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hrta.report.html import render_html
    from hrta.report.layout import build_document
    from hrta.report.render import render_report, render_reports

_LAZY = {
    "build_document": "hrta.report.layout",
    "render_html": "hrta.report.html",
    "render_report": "hrta.report.render",
    "render_reports": "hrta.report.render",
}

__all__ = ["build_document", "render_html", "render_report", "render_reports"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
