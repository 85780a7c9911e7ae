"""Waves: list, create, change (admins)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hrta.web.staff import services
from hrta.web.staff.access import MANAGE_WAVES, staff_page, wave_or_404
from hrta.web.staff.forms import WaveForm
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
    form = WaveForm(request.POST or None, instance=wave)
    if request.method == "POST" and form.is_valid():
        saved = services.save_wave(user=request.user, values=form.cleaned_data, wave=wave)
        messages.success(request, _("The wave “%(title)s” is saved.") % {"title": saved.title})
        return redirect("staff:waves")
    return render(request, "staff/wave_form.html", {
        "form": form, "wave": wave, "link": _public_link(request, wave) if wave else "",
    }, status=400 if form.errors else 200)
