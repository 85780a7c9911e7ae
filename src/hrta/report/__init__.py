"""Reports drawn from Findings: they lay out and format numbers, never compute them."""

from hrta.report.html import render_html

__all__ = ["render_html"]
