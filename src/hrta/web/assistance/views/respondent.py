"""A respondent's own plan: on screen, printable on one page, as PDF, and the request for
individualized TA. Reached from the thank-you page or the private resume link; the session
names the response, as for the assessment's own pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import NamedTuple

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hrta.assistance.plan import Plan
from hrta.assistance.rules import Rules
from hrta.report.plans import fit_plan
from hrta.web.assessment.localized import localized_instrument
from hrta.web.assessment.views import _current as current_response
from hrta.web.assistance import news, selectors, services
from hrta.web.assistance.forms import TARequestForm
from hrta.web.assistance.views.shared import pdf_reply, plan_context, printable_reply
from hrta.web.surveys.models import Response, Wave


class _Sent(NamedTuple):
    wave: Wave
    response: Response
    plan: Plan
    rules: Rules


def _sent(view: Callable[[HttpRequest, _Sent], HttpResponse]
          ) -> Callable[[HttpRequest, str], HttpResponse]:
    """A page of the plan of the session's response, given the wave, the response, its plan
    and the rules it was made by. Until the answers are sent (and for a response screened
    out) there is no plan: the visitor is sent on elsewhere."""
    @wraps(view)
    def page(request: HttpRequest, slug: str) -> HttpResponse:
        wave = get_object_or_404(Wave, slug=slug)
        response = current_response(request, wave)
        # The plan is written in the language of the page that shows it.
        made = selectors.plan_of(response, get_language()) if response is not None else None
        if made is None or response is None:
            return _away(request, wave, response)
        _english, rules = selectors.instrument_and_rules(wave.instrument_id)
        return view(request, _Sent(wave, response, made, rules))
    return page


def _away(request: HttpRequest, wave: Wave, response: Response | None) -> HttpResponse:
    if response is not None and response.status == Response.Status.INELIGIBLE:
        return redirect("assessment:ineligible", slug=wave.slug)
    messages.info(request, _("Your TA plan is ready once you send your answers. To see it "
                             "later, open your private resume link."))
    return redirect("assessment:wave", slug=wave.slug)


@require_GET
@_sent
def plan(request: HttpRequest, sent: _Sent) -> HttpResponse:
    wave, response, made, rules = sent
    language = get_language() or "en"
    instrument = localized_instrument(wave.instrument_id, language)
    reply = render(request, "assistance/plan.html", {
        **plan_context(made, rules), "wave": wave, "staff": False,
        "open_request": selectors.open_request(response),
        "requests": response.ta_requests.order_by("-received_at"),
        "area_labels": selectors.area_labels(instrument, rules, made),
    })
    reply["Cache-Control"] = "private, no-store"
    return reply


@require_GET
@_sent
def plan_print(request: HttpRequest, sent: _Sent) -> HttpResponse:
    """The plan as one page to print: the HTML the PDF is made from, fitted to one sheet."""
    return printable_reply(sent.plan, sent.rules, staff=False,
                           back=reverse("assistance:plan", args=[sent.wave.slug]))


@require_GET
@_sent
def plan_pdf(request: HttpRequest, sent: _Sent) -> HttpResponse:
    fitted = fit_plan(sent.plan, rules=sent.rules, staff=False, made=timezone.localdate())
    return pdf_reply(fitted.pdf(), "ta-plan.pdf")


@require_http_methods(["GET", "POST"])
@_sent
def ask_for_ta(request: HttpRequest, sent: _Sent) -> HttpResponse:
    """A short form: which areas, a few words, how to reach you."""
    wave, response, made, rules = sent
    waiting = selectors.open_request(response)
    if waiting is not None:
        messages.info(request, _("You already asked for individualized TA. We will be in "
                                 "touch; the status is shown on your plan."))
        return redirect("assistance:plan", slug=wave.slug)
    language = get_language() or "en"
    instrument = localized_instrument(wave.instrument_id, language)
    question = instrument.question(rules.plan.areas_question)
    in_plan = [area.id for area in made.areas]
    choices = [(a, question.option(a).label) for a in in_plan if not question.option(a).other]
    choices += [(o.id, o.label) for o in question.options
                if o.id not in in_plan and not o.other]
    form = TARequestForm(request.POST or None, areas=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        made_request = services.request_ta(
            response=response, areas=data["areas"], message=data["message"],
            name=data["name"], email=data["email"], may_contact=data["may_contact"],
            updates=data["updates"])
        news.tell_organization(made_request)
        messages.success(request, _("Thank you. We received your request for individualized "
                                    "TA and will contact you by e-mail."))
        return redirect("assistance:plan", slug=wave.slug)
    errors = [(name, error) for name, found in form.errors.items() for error in found]
    return render(request, "assistance/ask.html", {
        "wave": wave, "form": form, "in_plan": set(in_plan), "errors": errors,
    }, status=400 if request.method == "POST" else 200)
