"""Reports drawn from Findings: they lay out and format numbers, never compute them.

`render_report(findings, path)` writes the stakeholder analysis as HTML, PDF or Word by
the path's extension; all three draw one `Document` built by `build_document`.
"""

from hrta.report.html import render_html
from hrta.report.layout import build_document
from hrta.report.render import render_report, render_reports

__all__ = ["build_document", "render_html", "render_report", "render_reports"]
