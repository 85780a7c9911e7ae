"""Respondents' pages. Thin: validation lives in pages.py, storage in surveys.services."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hrta.instrument import Instrument
from hrta.web.assessment import pages
from hrta.web.assessment.localized import localized_instrument
from hrta.web.contacts.services import save_contact
from hrta.web.surveys import flow, services
from hrta.web.surveys.models import Response, Wave
from hrta.web.surveys.selectors import open_waves


def _session_key(wave: Wave) -> str:
    return f"hrta.response.{wave.slug}"


def _code_key(wave: Wave) -> str:
    return f"hrta.code.{wave.slug}"


def _open_wave(slug: str) -> Wave:
    wave = get_object_or_404(Wave, slug=slug)
    if not wave.is_open():
        raise Http404("This assessment is not open.")
    return wave


def _current(request: HttpRequest, wave: Wave) -> Response | None:
    pk = request.session.get(_session_key(wave))
    if pk is None:
        return None
    return Response.objects.filter(pk=pk, wave=wave, excluded=False).first()


def _instrument(wave: Wave) -> Instrument:
    return localized_instrument(wave.instrument_id, get_language() or "en")


def landing(request: HttpRequest) -> HttpResponse:
    waves = open_waves()
    if len(waves) == 1:
        return redirect("assessment:wave", slug=waves[0].slug)
    return render(request, "assessment/choose_wave.html", {"waves": waves})


def wave_landing(request: HttpRequest, slug: str) -> HttpResponse:
    wave = _open_wave(slug)
    instrument = _instrument(wave)
    return render(request, "assessment/landing.html", {
        "wave": wave, "instrument": instrument, "current": _current(request, wave),
        "page_count": len(flow.pages(instrument)),
    })


@require_POST
def start(request: HttpRequest, slug: str) -> HttpResponse:
    wave = _open_wave(slug)
    current = _current(request, wave)
    if current is not None and not current.finished:
        return redirect("assessment:page", slug=slug, number=max(current.page, 1))
    response, code = services.start_response(wave=wave, language=get_language() or "en")
    request.session.cycle_key()
    request.session[_session_key(wave)] = response.pk
    request.session[_code_key(wave)] = code
    return redirect("assessment:page", slug=slug, number=1)


def _progress(instrument: Instrument, number: int) -> list[dict[str, object]]:
    steps = [{"title": s.title, "number": i} for i, s in enumerate(flow.pages(instrument), 1)]
    steps.append({"title": _("Review and submit"), "number": len(steps) + 1})
    for step in steps:
        step["state"] = ("current" if step["number"] == number else
                         "complete" if step["number"] < number else "")
    return steps


@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    wave = _open_wave(slug)
    response = _current(request, wave)
    if response is None:
        messages.info(request, _("Please start the assessment, or use your resume code."))
        return redirect("assessment:wave", slug=slug)
    if response.finished:
        return _finished_redirect(response)
    instrument = _instrument(wave)
    sections = flow.pages(instrument)
    if not 1 <= number <= len(sections):
        raise Http404("No such page.")
    # The screening question must be answered before any other page.
    if number > 1 and number > response.page + 1:
        return redirect("assessment:page", slug=slug, number=max(response.page, 1))
    section = sections[number - 1]
    keys = {key for q in section.questions for key in flow.answer_keys(q)}
    stored = list(response.answers.values_list("question_id", "option_id", "value"))
    earlier = {k: v for k, v in pages.stored_state(stored)[0].items() if k not in keys}
    if request.method == "POST":
        action = request.POST.get("action", "next")
        result = pages.read_page(section, request.POST, earlier)
        if result.errors and action != "back":
            return _render_page(request, wave, instrument, number, section, result.chosen,
                                result.texts, result.errors, earlier, status=400)
        if not result.errors:
            response = services.save_page(response=response, section=section,
                                          answers=result.answers, page=number)
        if response.status == Response.Status.INELIGIBLE:
            return redirect("assessment:ineligible", slug=slug)
        if action == "back":
            return redirect("assessment:page", slug=slug, number=max(number - 1, 1))
        if action == "later":
            return redirect("assessment:saved", slug=slug)
        if number == 1 and not request.session.get(f"hrta.code_shown.{slug}"):
            return redirect("assessment:saved", slug=slug)
        if number == len(sections):
            return redirect("assessment:review", slug=slug)
        return redirect("assessment:page", slug=slug, number=number + 1)
    chosen, texts = pages.stored_state(stored)
    return _render_page(request, wave, instrument, number, section, chosen, texts, {}, earlier)


def _render_page(request: HttpRequest, wave: Wave, instrument: Instrument, number: int,
                 section, chosen, texts, errors, earlier, status: int = 200) -> HttpResponse:
    questions = pages.describe(section, chosen, texts, errors, earlier)
    return render(request, "assessment/page.html", {
        "wave": wave, "section": section, "number": number,
        "total": len(flow.pages(instrument)), "questions": questions,
        "steps": _progress(instrument, number), "errors": errors,
    }, status=status)


def saved(request: HttpRequest, slug: str) -> HttpResponse:
    """The resume link and code, shown after screening and whenever the respondent stops."""
    wave = _open_wave(slug)
    response = _current(request, wave)
    code = request.session.get(_code_key(wave))
    if response is None or code is None:
        return redirect("assessment:wave", slug=slug)
    request.session[f"hrta.code_shown.{slug}"] = True
    link = request.build_absolute_uri(reverse("assessment:resume_code", args=[code]))
    return render(request, "assessment/saved.html", {
        "wave": wave, "code": code, "link": link,
        "next_page": min(max(response.page + 1, 2), len(flow.pages(_instrument(wave)))),
        "finished": response.finished,
    })


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, slug: str) -> HttpResponse:
    wave = _open_wave(slug)
    response = _current(request, wave)
    if response is None:
        return redirect("assessment:wave", slug=slug)
    if response.finished:
        return _finished_redirect(response)
    instrument = _instrument(wave)
    sections = flow.pages(instrument)
    if response.page < len(sections):
        return redirect("assessment:page", slug=slug, number=max(response.page + 1, 1))
    if request.method == "POST":
        services.submit(response=response)
        return redirect("assessment:thanks", slug=slug)
    stored = list(response.answers.values_list("question_id", "option_id", "value"))
    chosen, texts = pages.stored_state(stored)
    summary = []
    for number, section in enumerate(sections, 1):
        items = []
        for question in section.questions:
            if not flow.applies(question, chosen):
                continue
            items.extend(_answer_lines(question, chosen, texts))
        summary.append({"title": section.title, "number": number, "items": items})
    return render(request, "assessment/review.html", {
        "wave": wave, "summary": summary, "steps": _progress(instrument, len(sections) + 1),
    })


def _answer_lines(question, chosen, texts) -> list[dict[str, object]]:
    not_answered = _("Not answered")
    if question.type == "text":
        return [{"question": question.text, "answers": [texts.get(question.id) or not_answered]}]
    if question.type == "matrix":
        lines = []
        for statement in question.statements:
            picked = chosen.get(f"{question.id}.{statement.id}", [])
            labels = [question.option(p).label for p in picked] or [not_answered]
            lines.append({"question": f"{question.text} — {statement.text}", "answers": labels})
        return lines
    labels = []
    for option_id in chosen.get(question.id, []):
        option = question.option(option_id)
        other = texts.get(pages.other_field(question.id, option_id))
        labels.append(f"{option.label}: {other}" if option.other and other else option.label)
    return [{"question": question.text, "answers": labels or [not_answered]}]


def _finished_redirect(response: Response) -> HttpResponseRedirect:
    name = ("assessment:ineligible" if response.status == Response.Status.INELIGIBLE
            else "assessment:thanks")
    return redirect(name, slug=response.wave.slug)


def ineligible(request: HttpRequest, slug: str) -> HttpResponse:
    wave = get_object_or_404(Wave, slug=slug)
    return render(request, "assessment/ineligible.html", {"wave": wave})


@require_http_methods(["GET", "POST"])
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    wave = get_object_or_404(Wave, slug=slug)
    response = _current(request, wave)
    if response is None or response.status != Response.Status.SUBMITTED:
        return redirect("assessment:wave", slug=slug)
    instrument = _instrument(wave)
    contact_questions = flow.contact_questions(instrument)
    errors: dict[str, str] = {}
    saved_contact = request.session.get(f"hrta.contact.{slug}", False)
    if request.method == "POST" and not saved_contact:
        errors = save_contact(response=response, instrument=instrument, data=request.POST)
        if not errors:
            request.session[f"hrta.contact.{slug}"] = True
            messages.success(request, _("Thank you. Your contact details were saved apart "
                                        "from your answers."))
            return redirect("assessment:thanks", slug=slug)
    return render(request, "assessment/thanks.html", {
        "wave": wave, "contact_questions": contact_questions, "errors": errors,
        "saved_contact": saved_contact, "post": request.POST,
        "code": request.session.get(_code_key(wave)),
    }, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
def resume_form(request: HttpRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        code = request.POST.get("code", "")
        if services.find_by_code(code) is not None:
            return redirect("assessment:resume_code", code=services.normalise_code(code))
        error = _("We could not find an open assessment for that code. Check it and try "
                  "again.")
    return render(request, "assessment/resume.html", {"error": error},
                  status=400 if error else 200)


def resume(request: HttpRequest, code: str) -> HttpResponse:
    response = services.find_by_code(code)
    if response is None:
        return render(request, "assessment/resume.html", {
            "error": _("This resume link is not valid or has expired."),
        }, status=404)
    wave = response.wave
    request.session.cycle_key()
    request.session[_session_key(wave)] = response.pk
    request.session[_code_key(wave)] = code
    request.session[f"hrta.code_shown.{wave.slug}"] = True
    if response.finished:
        return _finished_redirect(response)
    sections = flow.pages(response.wave.instrument)
    if response.page >= len(sections):
        return redirect("assessment:review", slug=wave.slug)
    return redirect("assessment:page", slug=wave.slug, number=max(response.page + 1, 1))
