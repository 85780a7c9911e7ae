"""The dashboard: a wave's Findings as figures, filtered, refreshed while answers come in."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from hrta.web.staff import figures, selectors
from hrta.web.staff.access import MANAGE_RESPONSES, VIEW, staff_page, wave_or_404
from hrta.web.staff.filters import read_selection
from hrta.web.surveys.models import Wave


@require_GET
@staff_page(VIEW)
def home(request: HttpRequest) -> HttpResponse:
    """The newest wave's dashboard, or a note that there is no wave yet."""
    slug = request.GET.get("wave")
    wave = (Wave.objects.filter(slug=slug).first() if slug else None) or \
        Wave.objects.order_by("-created_at", "-id").first()
    if wave is None:
        return render(request, "staff/no_waves.html")
    return redirect("staff:dashboard", slug=wave.slug)


@require_GET
@staff_page(VIEW)
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    wave = wave_or_404(slug)
    selection = read_selection(wave.instrument, request.GET)
    view = selectors.dashboard(wave, selection)
    return render(request, "staff/dashboard.html", {
        # The wave menu names each wave: not each one's questionnaire (YAML) too.
        "wave": wave, "waves": Wave.objects.order_by("-created_at", "-id").only("slug", "title"),
        "view": view,
        "live": selectors.live_status(wave, version=view.now), "query": urlencode(selection),
        "filtered": bool(selection),
        # A write-in the name screen holds back links to where it can be read and released.
        "can_release": request.user.has_perm(MANAGE_RESPONSES),
    })


@require_GET
@staff_page(VIEW)
def chart(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    """One figure's chart as SVG, loaded by the dashboard after its tables."""
    wave = wave_or_404(slug)
    view = selectors.dashboard(wave, read_selection(wave.instrument, request.GET))
    block = figures.find_block(view.parts, name)
    svg = figures.chart_svg(block) if block is not None else None
    if svg is None:
        raise Http404("no such chart")
    response = HttpResponse(svg, content_type="image/svg+xml")
    # Opened on its own, the SVG document may run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_GET
@staff_page(VIEW)
def live(request: HttpRequest, slug: str) -> JsonResponse:
    """The wave's response counts now: the dashboard asks every 30 seconds."""
    status = selectors.live_status(wave_or_404(slug))
    return JsonResponse({
        "version": status.version, "submitted": status.submitted,
        "screened_out": status.screened_out, "in_progress": status.in_progress,
        "excluded": status.excluded,
        "updated_at": status.updated_at.isoformat() if status.updated_at else None,
    })
