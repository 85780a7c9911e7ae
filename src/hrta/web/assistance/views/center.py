"""The TA center's view of a wave: demand for TA (charts and tables, small counts
hidden) and cohorts of organizations to invite."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from hrta.report.charts import to_svg
from hrta.report.plans import demand_charts
from hrta.web.assistance import selectors
from hrta.web.staff.access import DRAW_WINNER, MANAGE_RESPONSES, VIEW, staff_page, wave_or_404
from hrta.web.surveys.models import Wave
from hrta.web.surveys.services import record

VIEW_CONTACTS = "assistance.view_ta_contacts"
HIDDEN = "hidden"


def may_see_contacts(user: User | AnonymousUser) -> bool:
    return user.has_perm(VIEW_CONTACTS) or user.has_perm(DRAW_WINNER)


def _tables(demand: dict[str, Any]) -> list[dict[str, Any]]:
    """The group tables with each cell as the page shows it."""
    tables = []
    for key, table in demand["tables"].items():
        rows = [{"label": row["label"], "cells": [
            None if cell["suppressed"] else f"{cell['count']} ({cell['percent']:g}%)"
            if cell["percent"] is not None else str(cell["count"])
            for cell in row["cells"]]} for row in table["rows"]]
        tables.append({**table, "key": key, "rows": rows})
    return tables


def no_rules(request: HttpRequest, wave: Wave, current: str) -> HttpResponse:
    """The page in place of a TA page for a wave whose questionnaire has no readiness
    rules (one drafted or imported from another tool): said plainly, not a 404."""
    return render(request, "assistance/no_rules.html", {
        "wave": wave, "waves": Wave.objects.order_by("-created_at", "-id"),
        "current": current})


@require_GET
@staff_page(VIEW)
def demand(request: HttpRequest, slug: str) -> HttpResponse:
    wave = wave_or_404(slug)
    if not selectors.has_rules(wave):
        return no_rules(request, wave, "ta_demand")
    found = selectors.wave_demand(wave)
    return render(request, "assistance/demand.html", {
        "wave": wave, "waves": Wave.objects.order_by("-created_at", "-id"),
        "demand": found, "figures": demand_charts(found), "tables": _tables(found),
        "threshold": settings.SUPPRESS_BELOW,
        "unlock": [(key, found["unlock"][key]) for key in ("services", "partners")
                   if key in found["unlock"]],
    })


@require_GET
@staff_page(VIEW)
def demand_chart(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """One demand chart as SVG, drawn by the report's own renderer."""
    wave = wave_or_404(slug)
    if not selectors.has_rules(wave):
        raise Http404("this wave's questionnaire has no readiness rules")
    figure = next((f for f in demand_charts(selectors.wave_demand(wave)) if f["key"] == key),
                  None)
    if figure is None:
        raise Http404("no such chart")
    reply = HttpResponse(to_svg(figure["spec"], prefix=f"demand-{key}", title=figure["alt"]),
                         content_type="image/svg+xml")
    # Opened on its own, the SVG document may run nothing and load nothing.
    reply["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    reply["Cache-Control"] = "private, max-age=300"
    return reply


@require_http_methods(["GET", "POST"])
@staff_page(MANAGE_RESPONSES)
def cohorts(request: HttpRequest, slug: str) -> HttpResponse:
    """Cohorts to invite. Contact details are shown only when asked for (a POST, noted in
    the audit log), and only to staff allowed to see them."""
    wave = wave_or_404(slug)
    if not selectors.has_rules(wave):
        return no_rules(request, wave, "ta_cohorts")
    _instrument, rules = selectors.instrument_and_rules(wave.instrument_id)
    raw = request.GET.get("min_size", "")
    min_size = int(raw) if raw.isdigit() and 1 <= int(raw) <= 1000 else \
        rules.demand.cohort_min_size
    allowed = may_see_contacts(request.user)
    show = request.method == "POST" and request.POST.get("action") == "contacts"
    if show and not allowed:
        raise PermissionDenied
    found, consenting = selectors.wave_cohorts(wave, min_size=min_size, with_contacts=show)
    if show:
        record(action="ta_contacts_view", user=request.user, wave=wave,
               detail={"page": "cohorts", "organizations": sorted(
                   {m.reference for c in found for m in c.members})})
    return render(request, "assistance/cohorts.html", {
        "wave": wave, "waves": Wave.objects.order_by("-created_at", "-id"),
        "cohorts": found, "consenting": consenting, "min_size": min_size,
        "default_min_size": rules.demand.cohort_min_size,
        "format_name": rules.plan.format_names[rules.demand.cohort_format],
        "may_see_contacts": allowed, "showing_contacts": show,
    })
