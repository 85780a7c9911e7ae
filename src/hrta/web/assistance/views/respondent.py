"""A respondent's own plan: on screen, printable on one page, as PDF, and the request for
individualized TA. Reached from the thank-you page or the private resume link; the session
names the response, as for the assessment's own pages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hrta.assistance.pages import fit_plan
from hrta.assistance.plan import Plan
from hrta.web.assessment.localized import localized_instrument
from hrta.web.assessment.views import _current as current_response
from hrta.web.assistance import selectors, services
from hrta.web.assistance.forms import TARequestForm
from hrta.web.assistance.views.shared import pdf_reply, plan_context, printable_reply
from hrta.web.surveys.models import Response, Wave


def _submitted(request: HttpRequest, slug: str) -> tuple[Wave, Response | None, Plan | None]:
    """The wave, the session's response and its plan (None until it is sent, and for a
    response screened out)."""
    wave = get_object_or_404(Wave, slug=slug)
    response = current_response(request, wave)
    made = selectors.plan_of(response) if response is not None else None
    return wave, response, made


def _away(request: HttpRequest, wave: Wave, response: Response | None) -> HttpResponse:
    if response is not None and response.status == Response.Status.INELIGIBLE:
        return redirect("assessment:ineligible", slug=wave.slug)
    messages.info(request, _("Your TA plan is ready once you send your answers. To see it "
                             "later, open your private resume link."))
    return redirect("assessment:wave", slug=wave.slug)


@require_GET
def plan(request: HttpRequest, slug: str) -> HttpResponse:
    wave, response, made = _submitted(request, slug)
    if made is None or response is None:
        return _away(request, wave, response)
    language = get_language() or "en"
    instrument = localized_instrument(wave.instrument_id, language)
    _english, rules = selectors.instrument_and_rules(wave.instrument_id)
    reply = render(request, "assistance/plan.html", {
        **plan_context(made, rules), "wave": wave, "staff": False,
        "open_request": selectors.open_request(response),
        "requests": response.ta_requests.order_by("-received_at"),
        "area_labels": selectors.area_labels(instrument, rules, made),
        "english_only": not language.startswith("en"),
    })
    reply["Cache-Control"] = "private, no-store"
    return reply


@require_GET
def plan_print(request: HttpRequest, slug: str) -> HttpResponse:
    """The plan as one page to print: the HTML the PDF is made from, fitted to one sheet."""
    wave, response, made = _submitted(request, slug)
    if made is None or response is None:
        return _away(request, wave, response)
    _instrument, rules = selectors.instrument_and_rules(wave.instrument_id)
    return printable_reply(made, rules, staff=False,
                           back=reverse("assistance:plan", args=[wave.slug]))


@require_GET
def plan_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    wave, response, made = _submitted(request, slug)
    if made is None or response is None:
        return _away(request, wave, response)
    _instrument, rules = selectors.instrument_and_rules(wave.instrument_id)
    fitted = fit_plan(made, rules=rules, staff=False, made=timezone.localdate())
    return pdf_reply(fitted.pdf(), "ta-plan.pdf")


@require_http_methods(["GET", "POST"])
def ask_for_ta(request: HttpRequest, slug: str) -> HttpResponse:
    """A short form: which areas, a few words, how to reach you."""
    wave, response, made = _submitted(request, slug)
    if made is None or response is None:
        return _away(request, wave, response)
    waiting = selectors.open_request(response)
    if waiting is not None:
        messages.info(request, _("You already asked for individualized TA. We will be in "
                                 "touch; the status is shown on your plan."))
        return redirect("assistance:plan", slug=wave.slug)
    language = get_language() or "en"
    instrument = localized_instrument(wave.instrument_id, language)
    _english, rules = selectors.instrument_and_rules(wave.instrument_id)
    question = instrument.question(rules.plan.areas_question)
    in_plan = [area.id for area in made.areas]
    choices = [(a, question.option(a).label) for a in in_plan if not question.option(a).other]
    choices += [(o.id, o.label) for o in question.options
                if o.id not in in_plan and not o.other]
    form = TARequestForm(request.POST or None, areas=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.request_ta(response=response, areas=data["areas"], message=data["message"],
                            name=data["name"], email=data["email"],
                            may_contact=data["may_contact"])
        messages.success(request, _("Thank you. We received your request for individualized "
                                    "TA and will contact you by e-mail."))
        return redirect("assistance:plan", slug=wave.slug)
    errors = [(name, error) for name, found in form.errors.items() for error in found]
    return render(request, "assistance/ask.html", {
        "wave": wave, "form": form, "in_plan": set(in_plan), "errors": errors,
    }, status=400 if request.method == "POST" else 200)
