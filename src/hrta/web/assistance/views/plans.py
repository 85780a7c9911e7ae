"""Staff see every response's plan, with the catalog's staff notes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import NamedTuple

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from hrta.assistance.plan import Plan
from hrta.assistance.rules import Rules
from hrta.report.plans import fit_plan
from hrta.web.assistance import selectors
from hrta.web.assistance.views.center import no_rules
from hrta.web.assistance.views.shared import pdf_reply, plan_context, printable_reply
from hrta.web.staff.access import MANAGE_RESPONSES, staff_page
from hrta.web.staff.selectors import reference
from hrta.web.surveys.models import Response
from hrta.web.surveys.services import record


def _response(public_id: str) -> Response:
    return get_object_or_404(Response.objects.select_related("wave"), public_id=public_id)


@require_GET
@staff_page(MANAGE_RESPONSES)
def staff_plan(request: HttpRequest, public_id: str) -> HttpResponse:
    response = _response(public_id)
    if not selectors.has_rules(response.wave):
        return no_rules(request, response.wave, "responses")
    made = selectors.plan_of(response, get_language())
    _instrument, rules = selectors.instrument_and_rules(response.wave.instrument_id)
    context = plan_context(made, rules, staff=True) if made is not None else {"plan": None}
    reply = render(request, "assistance/staff_plan.html", {
        **context, "wave": response.wave, "response": response, "staff": True,
        "reference": reference(response),
        "requests": response.ta_requests.order_by("-received_at"),
    }, status=200 if made is not None else 404)
    reply["Cache-Control"] = "private, no-store"
    return reply


class _Planned(NamedTuple):
    response: Response
    plan: Plan
    rules: Rules


def _planned(view: Callable[[HttpRequest, _Planned], HttpResponse]
             ) -> Callable[[HttpRequest, str], HttpResponse]:
    """A page of a response's plan, given the response, its plan and the rules it was made
    by; a response without a plan gets the plan page's "no plan" (404)."""
    @wraps(view)
    def page(request: HttpRequest, public_id: str) -> HttpResponse:
        response = _response(public_id)
        made = selectors.plan_of(response, get_language())
        if made is None:
            return staff_plan(request, public_id)
        _instrument, rules = selectors.instrument_and_rules(response.wave.instrument_id)
        return view(request, _Planned(response, made, rules))
    return page


@require_GET
@staff_page(MANAGE_RESPONSES)
@_planned
def staff_plan_print(request: HttpRequest, planned: _Planned) -> HttpResponse:
    return printable_reply(planned.plan, planned.rules, staff=True,
                           back=reverse("ta:plan", args=[planned.response.public_id]))


@require_GET
@staff_page(MANAGE_RESPONSES)
@_planned
def staff_plan_pdf(request: HttpRequest, planned: _Planned) -> HttpResponse:
    fitted = fit_plan(planned.plan, rules=planned.rules, staff=True, made=timezone.localdate())
    name = f"ta-plan-{reference(planned.response)}.pdf"
    body = fitted.pdf()
    record(action="download", user=request.user, response=planned.response,
           detail={"file": name})
    return pdf_reply(body, name)
