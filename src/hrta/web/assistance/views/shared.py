"""What the respondent's and the staff's plan pages share."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation

from hrta.assistance.plan import Plan
from hrta.assistance.rules import Rules
from hrta.assistance.sheet import plan_sheet
from hrta.report.plans import fit_plan_html


def plan_context(plan: Plan, rules: Rules, *, staff: bool = False) -> dict[str, Any]:
    """The plan and the sheet the page shows: every area and item in full (the printed
    page shows fewer; both are made from the same sheet, see hrta.assistance.sheet)."""
    return {"plan": plan, "sheet": plan_sheet(plan, rules=rules, staff=staff)}


# The print bar's one script: shows the Print button (a page without scripts has none to
# offer) and opens the browser's print dialog. The page's policy lets in this script only.
PRINT_SCRIPT = ('var b=document.getElementById("hrta-print");b.hidden=false;'
                'b.addEventListener("click",function(){window.print();});')
PRINT_SCRIPT_HASH = "sha256-" + base64.b64encode(
    hashlib.sha256(PRINT_SCRIPT.encode()).digest()).decode()


def printable_reply(plan: Plan, rules: Rules, *, staff: bool, back: str) -> HttpResponse:
    """The page the PDF is made from, fitted to one printed sheet, with a bar on screen
    (never printed) that says how to print it and leads back to `back`."""
    html = fit_plan_html(plan, rules=rules, staff=staff, made=timezone.localdate())
    with translation.override(plan.language):
        bar = render_to_string("assistance/_print_bar.html",
                               {"back": back, "script": PRINT_SCRIPT})
    reply = HttpResponse(html.replace("<body>", "<body>" + bar, 1))
    # A page of someone's answers: never cached, and it may load nothing and run only
    # the Print button's script.
    reply["Cache-Control"] = "private, no-store"
    reply["Content-Security-Policy"] = ("default-src 'none'; style-src 'unsafe-inline'; "
                                       f"script-src '{PRINT_SCRIPT_HASH}'")
    return reply


def pdf_reply(body: bytes, name: str) -> HttpResponse:
    reply = HttpResponse(body, content_type="application/pdf")
    reply["Content-Disposition"] = f'attachment; filename="{name}"'
    reply["Cache-Control"] = "private, no-store"
    return reply
