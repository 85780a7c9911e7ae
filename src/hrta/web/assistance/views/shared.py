"""What the respondent's and the staff's plan pages share."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from hrta.assistance.pages import fit_plan_html
from hrta.assistance.plan import Plan
from hrta.assistance.rules import Rules


def plan_context(plan: Plan, rules: Rules) -> dict[str, Any]:
    """The plan and profile as the page shows them: every area and item in full (the
    printed page shows fewer; see hrta.assistance.pages)."""
    profile = plan.profile
    org = profile.organization

    def gather(kind: str) -> list[str]:
        return [item for domain in profile.domains for item in getattr(domain, kind)]

    return {
        "plan": plan, "profile": profile, "org": org,
        "region": (org.get("region") or "").replace("_", " ").capitalize(),
        "strengths": gather("strengths") + gather("plans"),
        "gaps": gather("gaps"), "knowledge": gather("knowledge_gaps"),
        "bands": bands(rules),
    }


def bands(rules: Rules) -> list[dict[str, Any]]:
    """Each level's range of whole scores, highest first: `high` None means up to 100,
    `low` None means from 0 (said "under" the next level's minimum)."""
    found = []
    for index, level in enumerate(rules.levels):
        above = rules.levels[index - 1].min if index else None
        found.append({"label": level.label, "low": f"{level.min:g}" if level.min else None,
                      "high": None if above is None
                      else f"{above - (1 if level.min else 0):g}"})
    return found


def printable_reply(plan: Plan, rules: Rules, *, staff: bool, back: str) -> HttpResponse:
    """The page the PDF is made from, fitted to one printed sheet, with a bar on screen
    (never printed) that says how to print it and leads back to `back`."""
    html = fit_plan_html(plan, rules=rules, staff=staff, made=timezone.localdate())
    bar = render_to_string("assistance/_print_bar.html", {"back": back})
    reply = HttpResponse(html.replace("<body>", "<body>" + bar, 1))
    # A page of someone's answers: never cached, and it may load and run nothing.
    reply["Cache-Control"] = "private, no-store"
    reply["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return reply


def pdf_reply(body: bytes, name: str) -> HttpResponse:
    reply = HttpResponse(body, content_type="application/pdf")
    reply["Content-Disposition"] = f'attachment; filename="{name}"'
    reply["Cache-Control"] = "private, no-store"
    return reply
