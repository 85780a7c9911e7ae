"""Downloads and the raffle draw."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from hrta.web.assessment.localized import localized_instrument
from hrta.web.contacts.models import Contact, raffle_entrants, raffle_winners
from hrta.web.staff import services
from hrta.web.staff.access import DRAW_WINNER, VIEW, staff_page, wave_or_404
from hrta.web.staff.downloads import KINDS, build_download
from hrta.web.surveys.models import Wave
from hrta.web.surveys.services import record


@require_GET
@staff_page(VIEW)
def download_list(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "staff/downloads.html", {"wave": wave_or_404(slug)})


@require_GET
@staff_page(VIEW)
def download(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    wave = wave_or_404(slug)
    if name not in KINDS:
        raise Http404("no such download")
    made = build_download(wave, name)
    record(action="download", user=request.user, wave=wave, detail={"file": name})
    response = HttpResponse(made.body, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.name}"'
    return response


def _labelled(wave: Wave, winner: Contact | None) -> list[tuple[str, str]]:
    """The winner's details, each under its question's wording in the instrument, in the
    reader's language where the instrument has a translation (a wave's own instrument,
    the wave's). A detail whose question the instrument no longer has reads as its id in
    words, never as a bare code."""
    if winner is None:
        return []
    instrument = localized_instrument(wave, get_language() or "en")
    titles = {q.id: q.title for q in instrument.questions if q.pii}
    return [(titles.get(key) or key.replace("_", " ").capitalize(), value)
            for key, value in winner.details.items()]


@require_http_methods(["GET", "POST"])
@staff_page(DRAW_WINNER)
def raffle(request: HttpRequest, slug: str) -> HttpResponse:
    """Draw a winner; the page then shows that winner's contact details, and only theirs."""
    wave = wave_or_404(slug)
    winner = None
    drawn = False
    if request.method == "POST" and request.POST.get("action") == "draw":
        winner = services.draw_raffle(wave=wave, user=request.user)
        drawn = True
    elif request.method == "POST" and request.POST.get("action") == "show":
        entry = request.POST.get("entry", "")
        winner = services.reveal_winner(wave=wave, entry=int(entry) if entry.isdigit() else 0,
                                        user=request.user)
    return render(request, "staff/raffle.html", {
        "wave": wave, "winner": winner, "details": _labelled(wave, winner),
        "drawn": drawn, "waiting": raffle_entrants(wave_slug=wave.slug).count(),
        "winners": raffle_winners(wave_slug=wave.slug),
    })
