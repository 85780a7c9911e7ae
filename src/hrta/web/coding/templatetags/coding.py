"""The dashboard's panel of coded themes: made from Findings with the dashboard's figures
(hrta.web.staff.selectors) and kept with them, so that a view reads no Findings."""

from __future__ import annotations

from typing import Any

from django import template

from hrta.findings.model import CodedThemes, Findings, TextQuestion
from hrta.report.formatting import clean_text, format_percent
from hrta.report.themes import quotes_of
from hrta.web.coding.selectors import question_text
from hrta.web.surveys.models import Wave

register = template.Library()


@register.inclusion_tag("coding/_themes_panel.html", takes_context=True)
def coded_themes(context: dict[str, Any], questions: list[dict[str, Any]]) -> dict[str, Any]:
    """The panel of `questions` as themes_panel made them (kept with the dashboard's
    figures, so a view reads no Findings)."""
    return {"questions": questions, "wave": context.get("wave"),
            "perms": context.get("perms")}


def themes_panel(findings: Findings, threshold: int | None, wave: Wave | None,
                 released: frozenset[str]) -> list[dict[str, Any]]:
    """Per coded question, its themes ranked with count and percent (hidden below the
    threshold in a filtered view, as every other count there), and quotes in the whole
    wave's view only: a filtered view is a small group, where words can name someone.
    The quotes are the report's: confirmed answers, screened for names unless an analyst
    released them (`released`; hrta.report.themes.quotes_of)."""
    questions = []
    for qid, entry in findings.questions.items():
        if not isinstance(entry, TextQuestion):
            continue
        coding = entry.coding
        if not isinstance(coding, CodedThemes) or not coding.n:
            continue
        rows = []
        withheld = 0
        for theme in coding.themes:
            hidden = threshold is not None and 0 < theme.count < threshold
            quotes = [] if threshold is not None else quotes_of(qid, entry, coding, theme,
                                                                released)
            withheld += sum(1 for q in quotes if q.withheld)
            rows.append({"id": theme.id, "label": clean_text(theme.label),
                         "count": None if hidden else theme.count,
                         "percent": None if hidden else format_percent(theme.percent),
                         "quotes": [clean_text(q.text) for q in quotes if not q.withheld]})
        questions.append({"id": qid, "title": entry.title or entry.text or qid,
                          # the question as the reader's language words it
                          "text": question_text(wave, qid) if wave else entry.text,
                          "n": coding.n,
                          "confirmed": coding.confirmed, "rows": rows,
                          "withheld": withheld})
    return questions
