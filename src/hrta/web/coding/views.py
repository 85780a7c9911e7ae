"""The coding pages: runs and their progress, the review of one answer at a time,
agreement between coders, and proposed themes. Thin: the work is in services and
selectors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, NamedTuple

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hrta.web.accounts.users import signed_in
from hrta.web.coding import selectors, services
from hrta.web.coding.models import CodingRun, ProposedTheme
from hrta.web.staff.access import MANAGE_RESPONSES, staff_page, wave_or_404
from hrta.web.surveys.models import Wave
from hrta.web.tasks.selectors import coding_job

if TYPE_CHECKING:
    from pathlib import Path

    from django.core.files.uploadedfile import UploadedFile
    from django_stubs_ext import StrOrPromise


def _question(wave: Wave, question: str) -> str:
    if question not in selectors.coded_questions(wave):
        raise Http404("no open-ended question of this wave")
    return question


def _overview_url(wave: Wave, question: str = "") -> str:
    url = reverse("coding:overview", args=[wave.slug])
    return f"{url}#question-{question}" if question else url


@require_GET
@staff_page(MANAGE_RESPONSES)
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    wave = wave_or_404(slug)
    questions = []
    for question in selectors.coded_questions(wave):
        run = selectors.current_run(wave, question)
        working = run if run is not None and run.status in (
            CodingRun.Status.QUEUED, CodingRun.Status.RUNNING) else None
        questions.append({
            "id": question, "text": selectors.question_text(wave, question), "run": run,
            # The running run's task page, where it can be followed and cancelled.
            "job": coding_job(wave, working.pk) if working else None,
            "summary": selectors.run_summary(wave, run) if run else None,
            "book": selectors.wave_codebook(wave, question),
            "uploaded": selectors.uploaded_codebook(wave, question)})
    return render(request, "coding/overview.html", {
        "wave": wave, "waves": Wave.objects.order_by("-created_at", "-id"),
        "questions": questions})


@require_http_methods(["GET", "POST"])
@staff_page(MANAGE_RESPONSES)
def withheld_quotes(request: HttpRequest, slug: str) -> HttpResponse:
    """The quotes and write-ins the name screen holds back from the wave's report, with
    their text, each with a button to release it (an analyst's reading, audited)."""
    wave = wave_or_404(slug)
    if request.method == "POST":
        quote_id = request.POST.get("quote", "")
        try:
            services.release_quote(wave=wave, quote_id=quote_id, user=signed_in(request))
        except services.CodingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Released %(id)s: the report and the dashboard show "
                                        "it now.") % {"id": quote_id})
        return redirect(reverse("coding:withheld", args=[wave.slug]))
    return render(request, "coding/withheld.html", {
        "wave": wave, "waves": Wave.objects.order_by("-created_at", "-id"),
        "quotes": selectors.withheld(wave),
        "released": sorted(selectors.released_quotes(wave))})


@require_POST
@staff_page(MANAGE_RESPONSES)
def run(request: HttpRequest, slug: str, question: str) -> HttpResponse:
    wave = wave_or_404(slug)
    question = _question(wave, question)
    try:
        services.start_run(wave=wave, question=question, user=signed_in(request))
    except services.CodingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Coding has started. This page shows how far it has got."))
    return redirect(_overview_url(wave, question))


@require_POST
@staff_page(MANAGE_RESPONSES)
def codebook(request: HttpRequest, slug: str, question: str) -> HttpResponse:
    """A codebook file uploaded for the question, in place of the bundled one (or of none)."""
    import tempfile
    from pathlib import Path

    wave = wave_or_404(slug)
    question = _question(wave, question)
    upload = request.FILES.get("codebook")
    if upload is None:
        messages.error(request, _("Choose a codebook file to upload."))
        return redirect(_overview_url(wave, question))
    name = Path(upload.name or "codebook").name
    with tempfile.TemporaryDirectory() as folder:
        path = _saved(upload, Path(folder) / f"upload{Path(name).suffix.lower()}")
        try:
            stored = services.upload_codebook(wave=wave, question=question,
                                              user=signed_in(request), path=path, name=name)
        except services.CodingError as exc:
            messages.error(request, str(exc))
            return redirect(_overview_url(wave, question))
    messages.success(request, _("%(name)s is this question's codebook now. Code the answers "
                                "again to use it.") % {"name": stored.name})
    return redirect(_overview_url(wave, question))


@require_GET
@staff_page(MANAGE_RESPONSES)
def status(request: HttpRequest, slug: str, question: str) -> JsonResponse:
    """How far a run has got (the overview page asks every second while one works)."""
    wave = wave_or_404(slug)
    found = selectors.current_run(wave, _question(wave, question))
    if found is None:
        return JsonResponse({"status": "none", "done": 0, "total": 0, "message": ""})
    return JsonResponse({"status": found.status, "done": found.done, "total": found.total,
                         "message": found.message})


class _Finished(NamedTuple):
    wave: Wave
    question: str
    run: CodingRun


_OnFinished = Callable[[HttpRequest, _Finished], HttpResponse]
_QuestionPage = Callable[[HttpRequest, str, str], HttpResponse]


def _finished(first: StrOrPromise) -> Callable[[_OnFinished], _QuestionPage]:
    """A page that works on a question's finished run, given the wave, the question and
    the run. Without a finished run it sends the user back to the overview, saying `first`
    (what to do first)."""
    def decorate(view: _OnFinished) -> _QuestionPage:
        @wraps(view)
        def page(request: HttpRequest, slug: str, question: str) -> HttpResponse:
            wave = wave_or_404(slug)
            question = _question(wave, question)
            found = selectors.current_run(wave, question)
            if found is None or found.status != CodingRun.Status.DONE:
                messages.info(request, first)
                return redirect(_overview_url(wave, question))
            return view(request, _Finished(wave, question, found))
        return page
    return decorate


@require_http_methods(["GET", "POST"])
@staff_page(MANAGE_RESPONSES)
@_finished(gettext_lazy("Code the answers first: then you can review them."))
def review(request: HttpRequest, finished: _Finished) -> HttpResponse:
    wave, question, found = finished
    mode = selectors.BLIND if request.GET.get("mode") == selectors.BLIND else \
        selectors.PRIMARY
    user = signed_in(request)
    stored = selectors.stored_run(found, vectors=False)
    order, done = selectors.review_positions(stored, wave, user=user, mode=mode)
    base = reverse("coding:review", args=[wave.slug, question])

    def at(position: int | None) -> str:
        query: dict[str, int | str] = {"at": position} if position is not None else {}
        if mode == selectors.BLIND:
            query["mode"] = selectors.BLIND
        return f"{base}?{urlencode(query)}" if query else base

    if request.method == "POST":
        position = _int(request.POST.get("at"))
        if position is None or position not in order:
            raise Http404("no such answer")
        response = stored.response_pks[position]
        from hrta.web.surveys.models import Response

        try:
            services.save_code(
                wave=wave, question=question,
                response=get_object_or_404(Response, pk=response, wave=wave),
                user=user, themes=request.POST.getlist("themes"),
                primary=mode == selectors.PRIMARY,
                hide_quote=request.POST.get("hide_quote") == "on")
        except services.CodingError as exc:
            messages.error(request, str(exc))
            return redirect(at(position))
        done.add(position)
        following = selectors.next_position(order, done, position)
        if following is None:
            messages.success(request, _("Every answer is coded. Thank you."))
            return redirect(_overview_url(wave, question))
        return redirect(at(following))

    position = _int(request.GET.get("at"))
    if position is None or position not in order:
        position = selectors.next_position(order, done, -1)
        if position is None and order:
            position = order[0]
    book = selectors.wave_codebook(wave, question)
    item = selectors.review_item(stored, wave, book, position, user=user, mode=mode) \
        if position is not None else None
    index = order.index(position) if position is not None else 0
    return render(request, "coding/review.html", {
        "wave": wave, "question": question, "mode": mode, "blind": mode == selectors.BLIND,
        "question_text": selectors.question_text(wave, question), "item": item,
        "reviewed": len(done), "answers": len(order),
        "percent": round(100 * len(done) / len(order)) if order else 100,
        "number": index + 1,
        "previous_url": at(order[index - 1]) if order and index > 0 else "",
        "next_url": at(order[index + 1]) if order and index + 1 < len(order) else "",
        "blind_url": f"{base}?{urlencode({'mode': selectors.BLIND})}", "primary_url": base,
    })


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


@require_GET
@staff_page(MANAGE_RESPONSES)
def qdpx(request: HttpRequest, slug: str, question: str) -> HttpResponse:
    """The question's answers, codebook and codes as a REFI-QDA project (.qdpx)."""
    from hrta.web.surveys.services import record

    wave = wave_or_404(slug)
    question = _question(wave, question)
    if not selectors.wave_codebook(wave, question).themes:
        messages.info(request, _("This question has no codebook yet, so there are no codes "
                                 "to take to a QDA program."))
        return redirect(_overview_url(wave, question))
    body = selectors.qdpx_project(wave, question)
    record(action="download", user=request.user, wave=wave,
           detail={"file": f"{question}.qdpx"})
    reply = HttpResponse(body, content_type="application/zip")
    reply["Content-Disposition"] = f'attachment; filename="{wave.slug}-{question}.qdpx"'
    return reply


@require_POST
@staff_page(MANAGE_RESPONSES)
def qdpx_import(request: HttpRequest, slug: str, question: str) -> HttpResponse:
    """A REFI-QDA project of the question's answers, coded in a QDA program: one person's
    codes become the signed-in reviewer's."""
    import tempfile
    from pathlib import Path

    wave = wave_or_404(slug)
    question = _question(wave, question)
    upload = request.FILES.get("project")
    if upload is None:
        messages.error(request, _("Choose a REFI-QDA project file (.qdpx) to upload."))
        return redirect(_overview_url(wave, question))
    name = Path(upload.name or "project.qdpx").name
    with tempfile.TemporaryDirectory() as folder:
        path = _saved(upload, Path(folder) / "upload.qdpx")
        try:
            count = services.import_qdpx(wave=wave, question=question,
                                         user=signed_in(request), path=path, name=name,
                                         coder=request.POST.get("coder", ""))
        except services.CodingError as exc:
            messages.error(request, str(exc))
            return redirect(_overview_url(wave, question))
    messages.success(request, _("Read the codes of %(count)s answers from %(name)s; they "
                                "are your confirmed codes now.") % {"count": count,
                                                                    "name": name})
    return redirect(_overview_url(wave, question))


@require_GET
@staff_page(MANAGE_RESPONSES)
def agreement(request: HttpRequest, slug: str, question: str) -> HttpResponse:
    wave = wave_or_404(slug)
    question = _question(wave, question)
    report = selectors.agreement(wave, question)
    return render(request, "coding/agreement.html", {
        "wave": wave, "question": question,
        "question_text": selectors.question_text(wave, question),
        "report": report, "tables": selectors.agreement_tables(report) if report else None})


@require_http_methods(["GET", "POST"])
@staff_page(MANAGE_RESPONSES)
@_finished(gettext_lazy("Code the answers first: proposed themes come from a run."))
def proposals(request: HttpRequest, finished: _Finished) -> HttpResponse:
    wave, question, found = finished
    here = reverse("coding:proposals", args=[wave.slug, question])
    if request.method == "POST":
        proposal = None
        if request.POST.get("proposal"):
            proposal = get_object_or_404(ProposedTheme, pk=_int(request.POST["proposal"]) or 0,
                                         run=found)
        if request.POST.get("action") == "dismiss" and proposal is not None:
            services.dismiss_proposal(proposal=proposal, user=request.user)
            messages.success(request, _("The proposal is set aside."))
            return redirect(here)
        try:
            theme = services.add_theme(
                wave=wave, question=question, user=signed_in(request),
                theme_id=request.POST.get("theme_id", ""), label=request.POST.get("label", ""),
                description=request.POST.get("description", ""),
                examples=request.POST.get("examples", "").splitlines(), proposal=proposal)
        except services.CodingError as exc:
            messages.error(request, str(exc))
            return redirect(here)
        messages.success(request, _("“%(label)s” is in this wave's codebook. Code the answers "
                                    "again to use it.") % {"label": theme.label})
        return redirect(here)
    return render(request, "coding/proposals.html", {
        "wave": wave, "question": question,
        "question_text": selectors.question_text(wave, question),
        "proposals": selectors.proposals(found),
        "added": selectors.added_themes(wave, question)})


def _saved(upload: UploadedFile, path: Path) -> Path:
    """The uploaded file written to `path`, chunk by chunk (an upload may be large)."""
    with path.open("wb") as copy:
        for chunk in upload.chunks():
            copy.write(chunk)
    return path
