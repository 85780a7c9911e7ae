"""A task's page (how far it has got, its result, why it failed; cancel and retry), the
status its page polls, its result file, and asking for a report. Thin: the work is in
services and runners."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hrta.web.staff.access import (
    MANAGE_RESPONSES,
    SEE_CONTACTS,
    VIEW,
    staff_page,
    wave_or_404,
)
from hrta.web.surveys.services import record
from hrta.web.tasks import selectors, services
from hrta.web.tasks.models import Job
from hrta.web.tasks.runners import REPORTS, fingerprint


def _job(request: HttpRequest, job_id: uuid.UUID) -> Job:
    job = get_object_or_404(Job.objects.select_related("wave"), pk=job_id)
    # Coding and imports are for those who may change responses; the rest for all staff.
    if job.kind in (Job.Kind.CODING, Job.Kind.IMPORT) \
            and not request.user.has_perm(MANAGE_RESPONSES):
        raise Http404("no such task")
    # A mailing's page leads to addresses: for those who may see contact details.
    if job.kind in (Job.Kind.EMAIL, Job.Kind.MESSAGE) \
            and not request.user.has_perm(SEE_CONTACTS):
        raise Http404("no such task")
    return job


@require_GET
@staff_page(VIEW)
def page(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = _job(request, job_id)
    return render(request, "tasks/task.html", {"job": job, "wave": job.wave,
                                               "state": selectors.state(job)})


@require_GET
@staff_page(VIEW)
def status(request: HttpRequest, job_id: uuid.UUID) -> JsonResponse:
    return JsonResponse(selectors.state(_job(request, job_id)))


@require_POST
@staff_page(VIEW)
def cancel(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    return _act(request, job_id, services.cancel, _("Cancelled."))


@require_POST
@staff_page(VIEW)
def retry(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    return _act(request, job_id, services.retry, _("Queued again."))


def _act(request: HttpRequest, job_id: uuid.UUID, action: Callable[..., object],
         done: str) -> HttpResponse:
    """Cancel or retry a task, and say on its page whether that could be done."""
    job = _job(request, job_id)
    try:
        action(job=job)
    except services.JobError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("tasks:page", job_id=job.pk)


@require_GET
@staff_page(VIEW)
def result(request: HttpRequest, job_id: uuid.UUID) -> HttpResponseBase:
    job = _job(request, job_id)
    path = selectors.result_file(job)
    if path is None:
        return render(request, "tasks/gone.html", {"job": job, "wave": job.wave}, status=410)
    record(action="download", user=request.user, wave=job.wave,
           detail={"file": job.result_name, "task": str(job.pk)})
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name,
                        content_type=job.content_type)


@require_POST
@staff_page(VIEW)
def report(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask for the wave's report in one format: a task, its page shown at once. The same
    report asked for again while one is being made is that one."""
    wave = wave_or_404(slug)
    fmt = request.POST.get("format", "")
    if fmt not in REPORTS:
        raise Http404("no such report format")
    language = translation.get_language() or ""
    job, _new = services.enqueue(kind=Job.Kind.REPORT, key=f"report:{wave.pk}:{fmt}:{language}",
                                 params={"format": fmt, "language": language}, wave=wave,
                                 user=request.user, fingerprint=fingerprint(wave))
    return redirect("tasks:page", job_id=job.pk)
