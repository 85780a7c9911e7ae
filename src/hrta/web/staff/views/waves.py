"""Waves: list, create (from a bundled instrument, a file or a draft), change (admins)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hrta.errors import InputError
from hrta.web.staff import services
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
    drafted: InstrumentText | None = None
    error: InputError | None = None
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data
        try:
            drafted = services.draft_upload(upload=chosen["file"], fmt=chosen["format"] or "auto",
                                            member=chosen["member"],
                                            definition=chosen["definition"])
        except InputError as exc:
            error = exc
    return render(request, "staff/wave_draft.html", {
        "form": form, "drafted": drafted, "error": error,
        "surveys": getattr(error, "names", []),
    }, status=400 if error or form.errors else 200)


def _yaml_download(text: str) -> HttpResponse:
    # As the staff member left it in the text box: a download of their own edit.
    response = HttpResponse(text.replace("\r\n", "\n"),
                            content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="instrument.yaml"'
    return response
