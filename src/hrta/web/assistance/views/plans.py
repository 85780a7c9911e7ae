"""Staff see every response's plan, with the catalog's staff notes."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from hrta.assistance.pages import fit_plan
from hrta.web.assistance import selectors
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
    made = selectors.plan_of(response)
    _instrument, rules = selectors.instrument_and_rules(response.wave.instrument_id)
    context = plan_context(made, rules) if made is not None else {"plan": None}
    reply = render(request, "assistance/staff_plan.html", {
        **context, "wave": response.wave, "response": response, "staff": True,
        "reference": reference(response),
        "requests": response.ta_requests.order_by("-received_at"),
    }, status=200 if made is not None else 404)
    reply["Cache-Control"] = "private, no-store"
    return reply


@require_GET
@staff_page(MANAGE_RESPONSES)
def staff_plan_print(request: HttpRequest, public_id: str) -> HttpResponse:
    response = _response(public_id)
    made = selectors.plan_of(response)
    if made is None:
        return staff_plan(request, public_id)
    _instrument, rules = selectors.instrument_and_rules(response.wave.instrument_id)
    return printable_reply(made, rules, staff=True,
                           back=reverse("ta:plan", args=[response.public_id]))


@require_GET
@staff_page(MANAGE_RESPONSES)
def staff_plan_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    response = _response(public_id)
    made = selectors.plan_of(response)
    if made is None:
        return staff_plan(request, public_id)
    _instrument, rules = selectors.instrument_and_rules(response.wave.instrument_id)
    fitted = fit_plan(made, rules=rules, staff=True, made=timezone.localdate())
    name = f"ta-plan-{reference(response)}.pdf"
    body = fitted.pdf()
    record(action="download", user=request.user, response=response, detail={"file": name})
    return pdf_reply(body, name)
