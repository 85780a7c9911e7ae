"""Invitation pages. Staff (those who may see contact details): the wave's invitees and
mailings, adding invitees from a CSV, writing an invitation, a reminder or a cohort's
message with a preview before it is sent. Invitees: their personal link, and unsubscribing.
Thin: the work is in services, roster and delivery."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hrta.web.invitations import roster, selectors, services
from hrta.web.invitations.models import Mailing
from hrta.web.staff.access import SEE_CONTACTS, staff_page, wave_or_404
from hrta.web.surveys.models import Response, Wave

MAX_UPLOAD = 1024 * 1024


def _wave_page(request: HttpRequest, wave: Wave, template: str, context: dict[str, object],
               status: int = 200) -> HttpResponse:
    return render(request, f"invitations/{template}.html", {
        "wave": wave, "waves": Wave.objects.order_by("-created_at", "-id"), **context},
        status=status)


@require_http_methods(["GET", "POST"])
@staff_page(SEE_CONTACTS)
def invitees(request: HttpRequest, slug: str) -> HttpResponse:
    """The wave's invitees and mailings; adding invitees from a CSV file or pasted text."""
    wave = wave_or_404(slug)
    found: roster.Roster | None = None
    added = 0
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        pasted = request.POST.get("pasted", "")
        if upload is not None and upload.size is not None and upload.size > MAX_UPLOAD:
            error = _("The file is larger than 1 MB: split the list into smaller files.")
        elif upload is None and not pasted.strip():
            error = _("Please choose a CSV file or paste names and addresses.")
        else:
            text, note = roster.decode(upload.read()) if upload is not None else (pasted, "")
            found = roster.read_roster(text, known=services.known_digests(wave=wave))
            found.encoding_note = note
            added = services.add_invitees(wave=wave, roster=found, user=request.user,
                                          source="file" if upload is not None else "pasted")
    return _wave_page(request, wave, "invitees", {
        "rows": selectors.invitee_rows(wave_slug=wave.slug),
        "mailings": selectors.mailings(wave_slug=wave.slug), "roster": found,
        "added": added, "error": error, "pasted": request.POST.get("pasted", "")
        if found is None else "", "attempts": settings.HRTA_EMAIL_ATTEMPTS,
        "rate": settings.HRTA_EMAIL_RATE,
    }, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
@staff_page(SEE_CONTACTS)
def compose(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    """An invitation to the invitees not yet invited, or a reminder to those invited who
    have not finished: written, previewed, then sent."""
    wave = wave_or_404(slug)
    if kind not in (Mailing.Kind.INVITATION, Mailing.Kind.REMINDER):
        raise Http404("no such message")
    to = services.recipients(wave=wave, kind=kind)
    return _compose(request, wave, kind, to, topic="")


@require_http_methods(["GET", "POST"])
@staff_page(SEE_CONTACTS)
def cohort(request: HttpRequest, slug: str, area: str, region: str) -> HttpResponse:
    """A message to the organizations of one cohort (those that agreed to be contacted),
    at the address they gave with their consent."""
    from hrta.web.assistance.selectors import has_rules, wave_cohorts

    wave = wave_or_404(slug)
    if not has_rules(wave):
        raise Http404("no cohorts in this wave")
    found, _consenting = wave_cohorts(wave, min_size=1, with_contacts=True)
    view = next((c for c in found if c.cohort.area == area and c.cohort.region == region),
                None)
    if view is None:
        raise Http404("no such cohort")
    to = [services.Recipient(m.contact["name"], m.contact["email"]) for m in view.members
          if m.contact and m.contact.get("email")]
    return _compose(request, wave, Mailing.Kind.COHORT, to, topic=view.cohort.area_label,
                    cohort=view)


def _compose(request: HttpRequest, wave: Wave, kind: str, to: list[services.Recipient], *,
             topic: str, cohort: object = None) -> HttpResponse:
    action = request.POST.get("action", "") if request.method == "POST" else ""
    draft = services.default_draft(kind=kind, wave=wave, topic=topic)
    subject = request.POST.get("subject", draft.subject) if action else draft.subject
    body = request.POST.get("body", draft.body) if action else draft.body
    context: dict[str, object] = {"kind": kind, "to": to, "cohort": cohort,
                                  "subject": subject, "body": body}
    if action in ("preview", "send"):
        try:
            checked = services.check_draft(kind=kind, subject=subject, body=body)
        except services.MailingError as exc:
            return _wave_page(request, wave, "compose", {**context, "error": str(exc)}, 400)
        if action == "send":
            try:
                job = services.queue_mailing(wave=wave, kind=kind, draft=checked, to=to,
                                             site=request.build_absolute_uri("/"),
                                             user=request.user)
            except services.MailingError as exc:
                return _wave_page(request, wave, "compose", {**context, "error": str(exc)},
                                  400)
            return redirect("tasks:page", job_id=job.pk)
        sample = to[0] if to else services.Recipient("", "")
        example = services.fill(
            checked, name=sample.name,
            link=request.build_absolute_uri(reverse("invitations:open",
                                                    args=["PERSONAL-LINK"])),
            unsubscribe=request.build_absolute_uri(reverse("invitations:unsubscribe",
                                                           args=["UNSUBSCRIBE"])),
            language=get_language() or settings.LANGUAGE_CODE)
        context.update(subject=checked.subject, body=checked.body, preview=example,
                       sample=sample)
    return _wave_page(request, wave, "compose", context)


@require_POST
@staff_page(SEE_CONTACTS)
def retry(request: HttpRequest, slug: str, mailing_id: int) -> HttpResponse:
    """The mailing's messages that failed, tried again while they have tries left."""
    wave = wave_or_404(slug)
    mailing = get_object_or_404(Mailing, pk=mailing_id, wave_slug=wave.slug)
    job = services.send_mailing(mailing=mailing, wave=wave, user=request.user, retry=True)
    return redirect("tasks:page", job_id=job.pk)


# --- the invitee's side ------------------------------------------------------------------------

def _broken(request: HttpRequest, status: int = 404) -> HttpResponse:
    return render(request, "invitations/broken.html", status=status)


@require_http_methods(["GET", "POST"])
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """A personal link: it resumes the invitee's assessment, or (asked with the button, so
    a mail scanner that follows links starts nothing) starts it."""
    invitee = services.invitee_for(token)
    if invitee is None:
        return _broken(request)
    wave = get_object_or_404(Wave, slug=invitee.wave_slug)
    if not wave.is_open() and not _finished(token):
        return render(request, "assessment/closed.html", {"wave": wave, "posted": False},
                      status=410)
    started = Response.objects.filter(start_hash=invitee.start_hash).exists()
    if request.method == "GET" and not started:
        reply = render(request, "invitations/welcome.html", {"wave": wave})
        reply["Referrer-Policy"] = "no-referrer"
        return reply
    code = services.open_invitation(wave=wave, token=token,
                                    language=get_language() or settings.LANGUAGE_CODE)
    if code is None:
        return _broken(request, 410)
    # The resume link of the older form opens the response (and keeps the code out of the
    # logs: hrta.web.accesslog scrubs it, as it scrubs this path).
    return redirect("assessment:resume_code", code=code)


def _finished(token: str) -> bool:
    from hrta.web.surveys.services import start_hash

    return Response.objects.filter(start_hash=start_hash(token)).exclude(
        status=Response.Status.IN_PROGRESS).exists()


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """No more mail to this address, for this wave or at all: asked with a button, so a
    mail scanner that follows the link unsubscribes nobody."""
    found = services.read_unsubscribe_token(token)
    if found is None:
        return _broken(request)
    address_digest, slug = found
    wave = Wave.objects.filter(slug=slug).first()
    if request.method == "POST":
        scope = request.POST.get("scope", "")
        if scope not in ("wave", "all"):
            scope = "all"
        services.unsubscribe(address_digest=address_digest,
                             wave=wave if scope == "wave" and wave is not None else None)
        messages.success(request, _("Done: we will send you no more of these messages.")
                         if scope == "wave" else _("Done: we will send you no more e-mail."))
        return redirect("invitations:unsubscribe", token=token)
    return render(request, "invitations/unsubscribe.html", {"wave": wave})
