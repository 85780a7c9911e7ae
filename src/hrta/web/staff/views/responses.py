"""Responses: the list, one response, exclusion and inclusion, imports, the audit log
and its export."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hrta.errors import InputError
from hrta.web import audit, inputerrors
from hrta.web.assessment.localized import localized_instrument
from hrta.web.staff import kept, listing, selectors, services
from hrta.web.staff.access import MANAGE_RESPONSES, MANAGE_WAVES, staff_page, wave_or_404
from hrta.web.staff.forms import ExclusionForm, ImportForm
from hrta.web.staff.paging import paged
from hrta.web.surveys.models import AuditEntry, Response, Wave
from hrta.web.surveys.services import record, set_excluded


@require_GET
@staff_page(MANAGE_RESPONSES)
def response_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The wave's responses, searched by name and filtered by answers, status and day."""
    wave = wave_or_404(slug)
    chosen = listing.read_filter(wave.instrument, request.GET)
    flagged = selectors.likely_duplicates(wave)
    responses = listing.filtered(wave, chosen, flagged)
    shown = paged(request, responses, chosen.query())
    labelled = localized_instrument(wave, get_language())
    return render(request, "staff/responses.html", {
        "wave": wave, "page": shown.page, "show": chosen.show, "chosen": chosen,
        # Labels in the reader's language; the ids the filters use are the same in each.
        "rows": listing.rows(labelled, list(shown.page), flagged),
        "choices": listing.choices(labelled, chosen),
        "filtered": any(value for _key, value in chosen.query()),
        "flagged": len(flagged), "keep": shown.keep,
    })


@require_GET
@staff_page(MANAGE_RESPONSES)
def response_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    response = get_object_or_404(Response.objects.select_related("wave"), public_id=public_id)
    return _detail(request, response, ExclusionForm())


def _detail(request: HttpRequest, response: Response, form: ExclusionForm,
            status: int = 200) -> HttpResponse:
    flagged = selectors.likely_duplicates(response.wave).get(response.pk, [])
    twins = Response.objects.filter(pk__in=flagged)
    return render(request, "staff/response.html", {
        "response": response, "wave": response.wave, "reference": selectors.reference(response),
        "sections": selectors.answers_with_labels(response, get_language()), "form": form,
        "duplicates": [{"response": r, "reference": selectors.reference(r)} for r in twins],
        # What staff did to it; the respondent's own saves are in the audit log.
        "history": AuditEntry.objects.filter(response=response).exclude(username=""),
    }, status=status)


@require_POST
@staff_page(MANAGE_RESPONSES)
def exclusion(request: HttpRequest, public_id: str) -> HttpResponse:
    """Exclude a response from the analysis, or include it again, with a reason."""
    response = get_object_or_404(Response.objects.select_related("wave"), public_id=public_id)
    form = ExclusionForm(request.POST)
    if not form.is_valid():
        return _detail(request, response, form, status=400)
    exclude = request.POST.get("action") == "exclude"
    set_excluded(response=response, user=request.user, excluded=exclude,
                 reason=form.cleaned_data["reason"])
    messages.success(request, _("The response is excluded from the analysis.") if exclude
                     else _("The response is included in the analysis again."))
    return redirect("staff:response", public_id=response.public_id)


# Room for the form's other fields and the multipart framing around the file.
UPLOAD_OVERHEAD = 16 * 1024


@csrf_exempt  # checked by _import below, once the upload's size is known to be allowed
@require_http_methods(["GET", "POST"])
@staff_page(MANAGE_RESPONSES)
def import_export(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload an export (any tool, any layout) into the wave; all of it is saved, or none."""
    wave = wave_or_404(slug)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if request.method == "POST" and length > settings.IMPORT_MAX_BYTES + UPLOAD_OVERHEAD:
        # Refused before the body is read (the CSRF check would read it), so a huge
        # upload costs neither time nor disk.
        error = InputError(_("the file is larger than the limit of %(mb)s MB") % {
            "mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)})
        return _import_page(request, wave, ImportForm(), error, status=413)
    return _import(request, wave)


@csrf_protect
def _import(request: HttpRequest, wave: Wave) -> HttpResponse:
    if request.method != "POST":
        return _import_page(request, wave, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, wave, form, status=400)
    chosen = form.cleaned_data
    upload, definition, held = chosen["file"], chosen["definition"], None
    if upload is None:
        # The second step for a zip of several surveys: the zip was kept on the server.
        held = kept.take(chosen["upload_token"], wave_slug=wave.slug, user_id=request.user.pk)
        if held is None:
            error = InputError(_("the file chosen before is no longer on the server (it is "
                                 "kept for an hour, until imported): choose it again"))
            return _import_page(request, wave, ImportForm(), error, status=400)
        upload, definition = held.upload, definition or held.definition
    try:
        return _imported(request, wave, form, upload,
                         _paired(definition, chosen["definition_choices"]), held)
    finally:
        if held is not None:
            held.close()


def _imported(request: HttpRequest, wave: Wave, form: ImportForm, upload: UploadedFile,
              definition: UploadedFile | None, held: kept.Kept | None) -> HttpResponse:
    chosen = form.cleaned_data
    if (upload.size or 0) > settings.HRTA_IMPORT_TASK_BYTES:
        # A large file is imported by a worker, its progress shown on the task's page.
        from hrta.web.tasks.services import import_later

        job = import_later(wave=wave, upload=upload, user=request.user,
                           fmt=chosen["format"] or "auto", member=chosen["member"],
                           definition=definition)
        if held is not None:
            kept.discard(held.token)
        return redirect("tasks:page", job_id=job.pk)
    try:
        imported = services.import_upload(wave=wave, upload=upload, user=request.user,
                                          fmt=chosen["format"] or "auto",
                                          member=chosen["member"], definition=definition)
    except services.SeveralSurveysError as exc:
        token = held.token if held is not None else kept.keep(
            upload=upload, definition=definition, wave_slug=wave.slug, user_id=request.user.pk)
        return _import_page(request, wave, form, exc, status=400, token=token)
    except InputError as exc:
        return _import_page(request, wave, form, exc, status=400,
                            token=held.token if held is not None else "")
    if held is not None:
        kept.discard(held.token)
    messages.success(request, _("Imported %(count)s responses.") % {
        "count": f"{imported.count:,}"})
    for notice in imported.notices:
        messages.warning(request, inputerrors.notice(notice))
    return redirect("staff:responses", slug=wave.slug)


def _paired(definition: UploadedFile | None,
            choices: UploadedFile | None) -> UploadedFile | None:
    """An XLSForm given as its survey CSV (the definition) and its choices CSV, as the one
    zip of the two that the definition reader unpacks."""
    if choices is None or definition is None:
        return definition
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, given in (("survey", definition), ("choices", choices)):
            archive.writestr(f"{part}.csv", b"".join(given.chunks()))
    names = f"{Path(definition.name or 'survey.csv').stem}+{Path(choices.name or '').stem}"
    return SimpleUploadedFile(f"{names}.zip", buffer.getvalue())


def _import_page(request: HttpRequest, wave: Wave, form: ImportForm,
                 error: InputError | None = None, status: int = 200,
                 token: str = "") -> HttpResponse:
    return render(request, "staff/import.html", {
        "wave": wave, "form": form, "error": error,
        "error_message": inputerrors.message(error) if error else "",
        "limit_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
        "surveys": getattr(error, "names", []),
        "can_draft": request.user.has_perm(MANAGE_WAVES),
        "upload_token": token,
    }, status=status)


def _audit_filters(request: HttpRequest) -> tuple[str, str]:
    return request.GET.get("wave", "")[:50], request.GET.get("action", "")[:60]


@require_GET
@staff_page(MANAGE_RESPONSES)
def audit_log(request: HttpRequest) -> HttpResponse:
    slug, action = _audit_filters(request)
    entries = selectors.audit_entries(wave_slug=slug, action=action)
    listing = paged(request, entries, [("wave", slug), ("action", action)])
    actions = audit.action_choices(
        AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())
    return render(request, "staff/audit.html", {
        "page": listing.page, "wave_slug": slug, "action": action, "actions": actions,
        "waves": Wave.objects.order_by("-created_at", "-id"),
        "rows": listing.page, "filters": listing.query, "keep": listing.keep,
        "formats": audit.FORMATS,
    })


@require_GET
@staff_page(MANAGE_RESPONSES)
def audit_export(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    """The audit log (as filtered on its page) as CSV, JSON or JSON lines, oldest first.
    The export is itself recorded first, so it is in the file it makes."""
    if fmt not in audit.FORMATS:
        raise Http404("no such format")
    slug, action = _audit_filters(request)
    record(action="audit_export", user=request.user,
           detail={"format": fmt, "wave": slug, "action": action})
    entries = selectors.audit_entries(wave_slug=slug, action=action)
    reply = StreamingHttpResponse(audit.WRITERS[fmt](audit.export_rows(entries)),
                                  content_type=audit.CONTENT_TYPES[fmt])
    stamp = timezone.now().strftime("%Y-%m-%dT%H%M%SZ")
    reply["Content-Disposition"] = f'attachment; filename="hrta-audit-{stamp}.{fmt}"'
    return reply
