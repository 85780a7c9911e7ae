"""Waves: list, create (from a bundled instrument, a file or a draft), change (admins)."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hrta.errors import InputError
from hrta.web import inputerrors
from hrta.web.staff import kept, services
from hrta.web.staff.access import MANAGE_WAVES, staff_page, wave_or_404
from hrta.web.staff.forms import OWN_INSTRUMENT, DraftForm, WaveForm
from hrta.web.surveys.instruments import InstrumentText
from hrta.web.surveys.models import Wave


def _public_link(request: HttpRequest, wave: Wave) -> str:
    return request.build_absolute_uri(reverse("assessment:wave", args=[wave.slug]))


@require_GET
@staff_page(MANAGE_WAVES)
def wave_list(request: HttpRequest) -> HttpResponse:
    waves = Wave.objects.order_by("-created_at", "-id")
    return render(request, "staff/waves.html", {
        "rows": [{"wave": w, "link": _public_link(request, w), "open": w.is_open(),
                  "count": w.responses.count()} for w in waves],
    })


@require_http_methods(["GET", "POST"])
@staff_page(MANAGE_WAVES)
def wave_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    wave = wave_or_404(slug) if slug else None
    posted = request.method == "POST" and "from_draft" not in request.POST
    form = WaveForm(request.POST if posted else None, request.FILES if posted else None,
                    instance=wave, initial=_drafted(request))
    if posted and form.is_valid():
        saved = services.save_wave(user=request.user, values=form.cleaned_data, wave=wave)
        messages.success(request, _("The wave “%(title)s” is saved.") % {"title": saved.title})
        return redirect("staff:waves")
    return render(request, "staff/wave_form.html", {
        "form": form, "wave": wave, "link": _public_link(request, wave) if wave else "",
    }, status=400 if form.errors else 200)


def _drafted(request: HttpRequest) -> dict[str, str]:
    """A new wave's instrument YAML posted from the draft page, to start the form with."""
    if request.method == "POST" and "from_draft" in request.POST:
        return {"instrument_yaml": request.POST.get("instrument_yaml", ""),
                "instrument_id": OWN_INSTRUMENT}
    return {}


@require_http_methods(["GET", "POST"])
@staff_page(MANAGE_WAVES)
def wave_draft(request: HttpRequest) -> HttpResponse:
    """Draft an instrument for a new wave from an export (or convert the survey's own
    definition), to read, download, edit and create the wave from."""
    if request.method == "POST" and "download" in request.POST:
        return _yaml_download(request.POST.get("instrument_yaml", ""))
    form = DraftForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _draft_page(request, form)
    chosen = form.cleaned_data
    upload, held = chosen["file"], None
    if upload is None and chosen["definition"] is None:
        # The second step for a zip of several surveys: the zip was kept on the server, by
        # this page or by a wave's import page ("Draft an instrument from this file").
        held = kept.take(chosen["upload_token"], wave_slug=chosen["kept_wave"],
                         user_id=request.user.pk)
        if held is None:
            return _draft_page(request, DraftForm(), InputError(_(
                "the file chosen before is no longer on the server (it is kept for an hour, "
                "until drafted from): choose it again")))
        upload = held.upload
    try:
        drafted = services.draft_upload(upload=upload, fmt=chosen["format"] or "auto",
                                        member=chosen["member"],
                                        definition=chosen["definition"])
    except services.SeveralSurveysError as exc:
        if held is not None:
            return _draft_page(request, form, exc, held, chosen["kept_wave"])
        token = kept.keep(upload=upload, definition=None, wave_slug="",
                          user_id=request.user.pk)
        return _draft_page(request, form, exc, kept.Kept(token, upload, None))
    except InputError as exc:
        # Kept still, so another survey of the zip can be chosen without the file.
        return _draft_page(request, form, exc, held, chosen["kept_wave"])
    finally:
        if held is not None:
            held.close()
    if held is not None and not chosen["kept_wave"]:
        # Kept by this page only to draft from; a wave's import may still want its own.
        kept.discard(held.token)
    return _draft_page(request, form, drafted=drafted)


def _draft_page(request: HttpRequest, form: DraftForm, error: InputError | None = None,
                held: kept.Kept | None = None, kept_wave: str = "",
                drafted: InstrumentText | None = None) -> HttpResponse:
    return render(request, "staff/wave_draft.html", {
        "form": form, "drafted": drafted, "error": error,
        "error_message": inputerrors.message(error) if error else "",
        "surveys": getattr(error, "names", []),
        # Named as staff chose it: an error may name a survey file inside the zip.
        "upload_token": held.token if held else "",
        "kept_name": Path(held.upload.name or "").name if held else "",
        "kept_wave": kept_wave if held else "",
    }, status=400 if error or form.errors else 200)


def _yaml_download(text: str) -> HttpResponse:
    # As the staff member left it in the text box: a download of their own edit.
    response = HttpResponse(text.replace("\r\n", "\n"),
                            content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="instrument.yaml"'
    return response
