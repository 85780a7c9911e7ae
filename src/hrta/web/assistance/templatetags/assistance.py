"""Pieces the assessment's and the staff app's templates show from this app, so that
their views need not know of it: the thank-you page's plan box and the dashboard's
TA requests panel."""

from __future__ import annotations

import logging
from typing import Any

from django import template
from django.utils.translation import get_language

from hrta.web.assessment.localized import localized_instrument
from hrta.web.assessment.views import _current as current_response
from hrta.web.assistance import selectors
from hrta.web.assistance.models import TARequest

register = template.Library()
log = logging.getLogger(__name__)


@register.inclusion_tag("assistance/_after_submit.html", takes_context=True)
def ta_plan_ready(context: template.Context) -> dict[str, Any]:
    """The box on the thank-you page that leads to the respondent's plan."""
    wave = context.get("wave")
    request = context.get("request")
    if wave is None or not request:
        return {"ta_plan": None}
    response = current_response(request, wave)
    if response is None or not selectors.has_plan(response):
        return {"ta_plan": None}
    try:
        made = selectors.plan_of(response)
    except Exception:
        # The thank-you page must never fail because of the plan: the plan page itself
        # reports the error.
        log.exception("TA plan of response %s", response.pk)
        return {"ta_plan": {"areas": []}, "wave": wave}
    if made is None:
        return {"ta_plan": None}
    instrument = localized_instrument(wave.instrument_id, get_language() or "en")
    _english, rules = selectors.instrument_and_rules(wave.instrument_id)
    return {"ta_plan": {"areas": selectors.area_labels(instrument, rules, made)},
            "wave": wave}


@register.inclusion_tag("assistance/_requests_panel.html", takes_context=True)
def ta_requests_panel(context: template.Context) -> dict[str, Any]:
    """Counts of the wave's TA requests and the median time to delivery, for staff who
    track them (a few columns of the wave's requests: cheap beside the dashboard)."""
    perms = context.get("perms")
    wave = context.get("wave")
    if not perms or not perms["assistance"]["manage_requests"] or wave is None:
        return {"counts": None}
    requests = TARequest.objects.filter(wave=wave).only("status", "received_on",
                                                        "delivered_on")
    return {"counts": selectors.request_counts(requests), "wave": wave}
