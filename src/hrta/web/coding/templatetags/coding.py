"""The dashboard's panel of coded themes, read from the Findings it already has."""

from __future__ import annotations

from typing import Any

from django import template

from hrta.findings.model import CodedThemes, Findings, TextQuestion
from hrta.report.formatting import clean_text, format_percent
from hrta.web.coding.selectors import question_text

register = template.Library()


@register.inclusion_tag("coding/_themes_panel.html", takes_context=True)
def coded_themes(context: dict[str, Any], findings: Findings,
                 threshold: int | None) -> dict[str, Any]:
    """Per coded question, its themes ranked with count and percent (hidden below the
    threshold in a filtered view, as every other count there), and quotes in the whole
    wave's view only: a filtered view is a small group, where words can name someone."""
    questions = []
    for qid, entry in findings.questions.items():
        coding = entry.coding if isinstance(entry, TextQuestion) else None
        if not isinstance(coding, CodedThemes) or not coding.n:
            continue
        rows = []
        for theme in coding.themes:
            hidden = threshold is not None and 0 < theme.count < threshold
            rows.append({"id": theme.id, "label": clean_text(theme.label),
                         "count": None if hidden else theme.count,
                         "percent": None if hidden else format_percent(theme.percent),
                         "quotes": [] if threshold is not None else
                         [clean_text(q) for q in theme.quotes]})
        wave = context.get("wave")
        questions.append({"id": qid, "title": entry.title or entry.text or qid,
                          # the question as the reader's language words it
                          "text": question_text(wave, qid) if wave else entry.text,
                          "n": coding.n,
                          "confirmed": coding.confirmed, "rows": rows})
    return {"questions": questions, "wave": context.get("wave"),
            "perms": context.get("perms")}
