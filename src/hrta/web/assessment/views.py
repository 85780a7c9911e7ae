"""Respondents' pages. Thin: validation lives in pages.py, storage in surveys.services."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hrta.instrument import Instrument, Question, Section
from hrta.web.assessment import pages
from hrta.web.assessment.localized import localized_instrument
from hrta.web.contacts.services import save_contact
from hrta.web.mail import services as mail
from hrta.web.mail.sending import clean_address
from hrta.web.surveys import flow, services
from hrta.web.surveys.models import Response, Wave
from hrta.web.surveys.selectors import open_waves
from hrta.web.tasks.services import JobError


def _session_key(wave: Wave) -> str:
    return f"hrta.response.{wave.slug}"


def _code_cookie(wave: Wave) -> str:
    return f"hrta_resume_{wave.slug}"


def _keep_code(reply: HttpResponse, wave: Wave, code: str) -> HttpResponse:
    """Keep the resume code where the respondent already has it, in their browser: the
    server keeps only its hash (a session row or a log line must never open the answers).
    The cookie goes only to the wave's own pages: the saved and thank-you pages show it
    again."""
    grouped = services.normalise_code(code)
    reply.set_cookie(_code_cookie(wave), "-".join(grouped[i:i + 4] for i in range(0, 32, 4)),
                     max_age=settings.RESUME_DAYS * 24 * 3600,
                     path=reverse("assessment:wave", args=[wave.slug]),
                     secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
    return reply


def _kept_code(request: HttpRequest, response: Response) -> str | None:
    """The code the browser keeps, if it is this response's own."""
    code = request.COOKIES.get(_code_cookie(response.wave), "")
    return code if code and services.code_hash(code) == response.resume_hash else None


def _language() -> str:
    return get_language() or settings.LANGUAGE_CODE


def open_wave_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Hand the view an open wave; a closed wave gets a page that says so, never an error."""
    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponse:
        wave = get_object_or_404(Wave, slug=slug)
        if not wave.is_open():
            return render(request, "assessment/closed.html", {
                "wave": wave, "posted": request.method == "POST",
            }, status=410)
        return view(request, wave, **kwargs)
    return wrapper


def _current(request: HttpRequest, wave: Wave) -> Response | None:
    pk = request.session.get(_session_key(wave))
    if pk is None:
        return None
    response = Response.objects.filter(pk=pk, wave=wave, excluded=False).first()
    if response is not None:
        response.wave = wave  # already loaded: spares a query on every page
    return response


def _instrument(wave: Wave) -> Instrument:
    return localized_instrument(wave, _language())


def landing(request: HttpRequest) -> HttpResponse:
    waves = open_waves()
    if len(waves) == 1:
        return redirect("assessment:wave", slug=waves[0].slug)
    return render(request, "assessment/choose_wave.html", {"waves": waves})


@open_wave_only
def wave_landing(request: HttpRequest, wave: Wave) -> HttpResponse:
    instrument = _instrument(wave)
    reply = render(request, "assessment/landing.html", {
        "wave": wave, "instrument": instrument, "current": _current(request, wave),
        "page_count": len(flow.pages(instrument)), "start_token": services.new_start_token(),
    })
    # Each visit's Start form carries its own token: a page kept from an earlier visit
    # must not send that visit's token again.
    reply["Cache-Control"] = "private, no-store"
    return reply


@require_POST
@open_wave_only
def start(request: HttpRequest, wave: Wave) -> HttpResponse:
    current = _current(request, wave)
    if current is not None and not current.finished:
        return _where_left_off(current, flow.pages(_instrument(wave)))
    # One Start form, one response: the form posted again (a double-click) continues the
    # response its first POST made (see services.start_from_form).
    started = services.start_from_form(wave=wave, token=request.POST.get("start", ""),
                                       language=_language())
    if started is None:
        messages.info(request, _("That start page was used before. Please start again "
                                 "here, or use your resume code to come back to your "
                                 "assessment."))
        return redirect("assessment:wave", slug=wave.slug)
    response, code = started
    request.session.cycle_key()
    request.session[_session_key(wave)] = response.pk
    return _keep_code(_where_left_off(response, flow.pages(_instrument(wave))), wave, code)


def _left_off_url(response: Response, sections: list) -> str:
    """The first page not yet answered, or the review page once all are."""
    if response.page >= len(sections):
        return reverse("assessment:review", args=[response.wave.slug])
    return reverse("assessment:page", args=[response.wave.slug, response.page + 1])


def _where_left_off(response: Response, sections: list) -> HttpResponseRedirect:
    return redirect(_left_off_url(response, sections))


def _progress(instrument: Instrument, number: int) -> list[dict[str, object]]:
    titles = [*(page.title for page in flow.pages(instrument)), _("Check and send")]
    return [{"title": title, "number": step,
             "state": "current" if step == number else "complete" if step < number else ""}
            for step, title in enumerate(titles, 1)]


@require_http_methods(["GET", "POST"])
@open_wave_only
def page(request: HttpRequest, wave: Wave, number: int) -> HttpResponse:
    response = _current(request, wave)
    if response is None:
        messages.info(request, _("Please start the assessment, or use your resume code to "
                                 "come back to it."))
        return redirect("assessment:wave", slug=wave.slug)
    if response.finished:
        return _finished_redirect(request, response)
    instrument = _instrument(wave)
    sections = flow.pages(instrument)
    # The screening question must be answered before any other page, and pages are
    # reached in order; a made-up page number leads back to where the respondent was.
    if not 1 <= number <= len(sections) or (number > 1 and number > response.page + 1):
        messages.info(request, _("That page is not open to you yet. This is where you "
                                 "left off."))
        return _where_left_off(response, sections)
    section = sections[number - 1]
    keys = {key for q in section.questions for key in flow.answer_keys(q)}
    stored = list(response.answers.values_list("question_id", "option_id", "value"))
    earlier = {k: v for k, v in pages.stored_state(stored)[0].items() if k not in keys}
    if request.method == "POST":
        action = request.POST.get("action", "next")
        result = pages.read_page(section, request.POST, earlier)
        leaving = action in ("back", "later")
        if result.errors and not leaving:
            return _render_page(request, wave, instrument, number, section, result.chosen,
                                result.texts, result.errors, earlier, status=400)
        answers = result.answers
        if result.errors:
            # Never lose an answer: keep what is valid, and what was saved before for the
            # rest, and say so.
            answers = [*answers, *pages.stored_answers(stored, result.error_keys)]
            messages.warning(request, _(
                "We saved your other answers. Some answers on the page “%(title)s” were "
                "not saved because they need a change. Please go back to that page to "
                "fix them.") % {"title": section.title})
        response = services.save_page(response=response, section=section, answers=answers,
                                      page=number, language=_language())
        if response.status == Response.Status.INELIGIBLE:
            return redirect("assessment:ineligible", slug=wave.slug)
        if action == "back":
            return redirect("assessment:page", slug=wave.slug, number=max(number - 1, 1))
        if action == "later":
            return redirect("assessment:saved", slug=wave.slug)
        if number == 1 and not request.session.get(f"hrta.code_shown.{wave.slug}"):
            return redirect("assessment:saved", slug=wave.slug)
        if number == len(sections):
            return redirect("assessment:review", slug=wave.slug)
        return redirect("assessment:page", slug=wave.slug, number=number + 1)
    chosen, texts = pages.stored_state(stored)
    return _render_page(request, wave, instrument, number, section, chosen, texts, {}, earlier)


def _render_page(request: HttpRequest, wave: Wave, instrument: Instrument, number: int,
                 section: Section, chosen: flow.Chosen, texts: Mapping[str, str],
                 errors: Mapping[str, str], earlier: flow.Chosen,
                 status: int = 200) -> HttpResponse:
    questions = pages.describe(section, chosen, texts, errors, earlier)
    return render(request, "assessment/page.html", {
        "wave": wave, "section": section, "number": number,
        "total": len(flow.pages(instrument)), "questions": questions,
        "steps": _progress(instrument, number), "errors": pages.error_links(questions),
        "any_required": any(q["required"] for q in questions),
    }, status=status)


def _resume_link(request: HttpRequest, code: str) -> str:
    # The code after "#": browsers never send it, so it reaches no server or proxy log.
    return request.build_absolute_uri(reverse("assessment:resume")) + "#" + code


def _email_link(request: HttpRequest, response: Response, code: str) -> str | None:
    """Send the respondent's link to the address they typed; the error to show, if any."""
    address = clean_address(request.POST.get("email", ""))
    if address is None:
        return _("Please check the e-mail address. It looks like name@example.org.")
    try:  # a worker sends it: the page does not wait on the mail server
        mail.queue_resume_link(response=response, address=address,
                               link=_resume_link(request, code))
    except JobError:
        return _("We could not send the message just now. Your link and code are still on "
                 "this page: please copy them or write them down.")
    messages.success(request, _("Your link is on its way to %(address)s. If it does not "
                                "arrive in a few minutes, look in your spam folder, or copy "
                                "the link and code from this page.") % {"address": address})
    return None


@require_http_methods(["GET", "POST"])
@open_wave_only
def saved(request: HttpRequest, wave: Wave) -> HttpResponse:
    """The resume link and code, shown after screening and whenever the respondent stops,
    with a form to e-mail the link to oneself."""
    response = _current(request, wave)
    code = _kept_code(request, response) if response is not None else None
    if response is None or code is None:
        return redirect("assessment:wave", slug=wave.slug)
    request.session[f"hrta.code_shown.{wave.slug}"] = True
    email_error = None
    if request.method == "POST":
        email_error = _email_link(request, response, code)
        if email_error is None:
            return redirect("assessment:saved", slug=wave.slug)
    sections = flow.pages(_instrument(wave))
    return render(request, "assessment/saved.html", {
        "wave": wave, "code": code, "link": _resume_link(request, code),
        "finished": response.finished, "next_url": _left_off_url(response, sections),
        "email_error": email_error, "email": request.POST.get("email", "")[:254],
    }, status=400 if email_error else 200)


@require_http_methods(["GET", "POST"])
@open_wave_only
def review(request: HttpRequest, wave: Wave) -> HttpResponse:
    response = _current(request, wave)
    if response is None:
        return redirect("assessment:wave", slug=wave.slug)
    if response.finished:
        return _finished_redirect(request, response)
    instrument = _instrument(wave)
    sections = flow.pages(instrument)
    if response.page < len(sections):
        return _where_left_off(response, sections)
    if request.method == "POST":
        services.submit(response=response)
        return redirect("assessment:thanks", slug=wave.slug)
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


def _label(question: Question, option_id: str) -> str:
    # An option dropped from the instrument after it was answered still shows, by its id.
    return next((o.label for o in question.options if o.id == option_id), option_id)


def _answer_lines(question: Question, chosen: flow.Chosen,
                  texts: Mapping[str, str]) -> list[dict[str, object]]:
    not_answered = _("No answer")
    if question.type == "text":
        text = texts.get(question.id)
        return [{"question": question.text, "answers": [text] if text else [],
                 "empty": not_answered}]
    if question.type == "matrix":
        return [{"question": question.text, "empty": not_answered, "answers": [],
                 "statements": [
                     {"text": statement.text,
                      "answer": ", ".join(_label(question, p) for p in chosen.get(
                          f"{question.id}.{statement.id}", [])),
                      "answered": bool(chosen.get(f"{question.id}.{statement.id}"))}
                     for statement in question.statements]}]
    labels = []
    for option_id in chosen.get(question.id, []):
        other = texts.get(pages.other_field(question.id, option_id))
        label = _label(question, option_id)
        labels.append(f"{label}: {other}" if other else label)
    return [{"question": question.text, "answers": labels, "empty": not_answered}]


def _finished_redirect(request: HttpRequest, response: Response) -> HttpResponseRedirect:
    if request.method == "POST":
        messages.info(request, _("You already sent your answers, so they can no longer be "
                                 "changed. Thank you."))
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
    errors: dict[str, str] = {}
    saved_contact = request.session.get(f"hrta.contact.{slug}", False)
    code = _kept_code(request, response)
    email_error = None
    if request.method == "POST" and request.POST.get("action") == "email_link" and code:
        email_error = _email_link(request, response, code)
        if email_error is None:
            return redirect("assessment:thanks", slug=slug)
    elif request.method == "POST" and not saved_contact:
        errors = save_contact(response=response, instrument=instrument, data=request.POST)
        if not errors:
            request.session[f"hrta.contact.{slug}"] = True
            messages.success(request, _("Thank you. We saved your contact details apart "
                                        "from your answers."))
            return redirect("assessment:thanks", slug=slug)
    fields = _contact_fields(flow.contact_questions(instrument), request.POST, errors)
    return render(request, "assessment/thanks.html", {
        "wave": wave, "fields": fields, "errors": [f for f in fields if f["error"]],
        "saved_contact": saved_contact, "may_contact": request.POST.get("may_contact") == "yes",
        "code": code, "link": _resume_link(request, code) if code else "",
        "email_error": email_error, "email": request.POST.get("email", "")[:254],
    }, status=400 if errors or email_error else 200)


def _contact_fields(questions: list[Question], post: Any,
                    errors: dict[str, str]) -> list[dict[str, Any]]:
    """The contact form's fields with what was typed, so a mistake loses nothing."""
    fields = []
    for question in questions:
        email = "email" in question.id  # as contacts.services reads the address
        error = errors.get(question.id) or (errors.get("email") if email else None)
        fields.append({
            "id": question.id, "type": question.type, "text": question.text,
            "options": question.options, "value": post.get(question.id, ""), "error": error,
            "email": email, "show_if": question.show_if,
            "first": question.options[0].id if question.options else "",
        })
    return fields


def _new_link(request: HttpRequest) -> HttpResponse:
    """A new link for a lost one, sent only to an address the respondent gave for it. The
    page answers the same whether or not the address is known, so it tells nobody whose
    address it is."""
    address = clean_address(request.POST.get("email", ""))
    if address is None:
        return render(request, "assessment/resume.html", {
            "email_error": _("Please check the e-mail address. It looks like "
                             "name@example.org."),
            "email": request.POST.get("email", "")[:254]}, status=400)
    # A worker sends it, if the address is known at all: the page says the same either way.
    with contextlib.suppress(JobError):
        mail.queue_new_link(address=address,
                            base=request.build_absolute_uri(reverse("assessment:resume")))
    messages.info(request, _("If you asked us to e-mail your link to %(address)s, a new link "
                             "is on its way there. Your old link and code no longer work "
                             "once it is sent.") % {"address": address})
    return redirect("assessment:resume")


@require_http_methods(["GET", "POST"])
def resume_form(request: HttpRequest) -> HttpResponse:
    error = None
    code = ""
    if request.method == "POST" and request.POST.get("action") == "new_link":
        return _new_link(request)
    if request.method == "POST":
        code = pages.clean_text(request.POST.get("code", ""))[:200]
        response = services.find_by_code(code)
        if response is not None:
            return _resume(request, response, code)
        error = _("We could not find an assessment for that code. Check the code and try "
                  "again. Codes have 32 letters and numbers.")
    return render(request, "assessment/resume.html", {"error": error, "code": code},
                  status=400 if error else 200)


def resume(request: HttpRequest, code: str) -> HttpResponse:
    """A resume link of the older form, with the code in the path (links handed out before
    the code moved after "#"). It still works; the access log scrubs the code
    (hrta.web.accesslog)."""
    response = services.find_by_code(code)
    if response is None:
        return render(request, "assessment/resume.html", {
            "error": _("This resume link does not work. It may be mistyped, or the "
                       "assessment may be closed. You can type your code below."),
        }, status=404)
    return _resume(request, response, code)


def _resume(request: HttpRequest, response: Response, code: str) -> HttpResponse:
    """Continue `response`, whose code was checked: the session keeps only its id."""
    wave = response.wave
    request.session.cycle_key()
    request.session[_session_key(wave)] = response.pk
    request.session[f"hrta.code_shown.{wave.slug}"] = True
    if response.status == Response.Status.SUBMITTED:
        # A sent assessment's link leads to the organization's TA plan.
        reply = redirect("assistance:plan", slug=wave.slug)
    else:
        reply = (_finished_redirect(request, response) if response.finished else
                 _where_left_off(response, flow.pages(response.wave.instrument)))
    # On a new device the pages come back in the language the respondent was using.
    if (settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and response.language in dict(settings.LANGUAGES)):
        reply.set_cookie(settings.LANGUAGE_COOKIE_NAME, response.language,
                         max_age=settings.LANGUAGE_COOKIE_AGE,
                         path=settings.LANGUAGE_COOKIE_PATH,
                         secure=settings.LANGUAGE_COOKIE_SECURE,
                         samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return _keep_code(reply, wave, code)
