"""The messages respondents ask for: their resume link, a new link when they lost it, and
news of their TA request. Messages carry links and statuses, never answers. Each is queued
by the request and sent by a worker: a slow mail server holds up no page."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from hrta.web.accounts.users import Someone
from hrta.web.contacts.crypto import encrypt
from hrta.web.contacts.selectors import request_contact
from hrta.web.mail.models import ResumeAddress
from hrta.web.mail.sending import Sent, send
from hrta.web.surveys import services as surveys
from hrta.web.surveys.models import Response, Wave
from hrta.web.tasks.models import Job

LinkFor = Callable[[Response, str], str]
"""The absolute resume link of a response, given its code."""


def digest(address: str) -> str:
    """A keyed digest of the address: finds it again without keeping it readable."""
    key = settings.CONTACTS_KEY.encode()
    return hmac.new(key, address.strip().casefold().encode(), hashlib.sha256).hexdigest()


def _language(response: Response) -> str:
    return response.language if response.language in dict(settings.LANGUAGES) \
        else settings.LANGUAGE_CODE


def _message(template: str, language: str, context: dict[str, object]) -> tuple[str, str]:
    """(subject, body) in the reader's language; the template's first line is the subject."""
    with translation.override(language):
        text = render_to_string(f"mail/{template}.txt", context)
    subject, _blank, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def keep_address(*, response: Response, address: str, link: str = "") -> ResumeAddress:
    """Remember the address the respondent wants their links sent to (the newest wins),
    and the link waiting to be sent there, if any."""
    with transaction.atomic(using="contacts"):
        ResumeAddress.objects.filter(response_key=response.public_id).delete()
        kept = ResumeAddress(wave_slug=response.wave.slug, response_key=response.public_id,
                             digest=digest(address))
        kept.address = address
        kept.link_encrypted = encrypt(link) if link else ""
        kept.save()
    return kept


# Messages go out from a worker (hrta.web.tasks.runners.message), so no request waits on
# the mail server. A task names only rows (a response, a kept address, a TA request): the
# address, the code and the text are looked up when it is sent.

def queue_resume_link(*, response: Response, address: str, link: str) -> Job:
    """Keep the address and the respondent's own link, and queue the message to it; a
    second ask while the first waits is the same message, to the newest address."""
    keep_address(response=response, address=address, link=link)
    return queue_message(kind="resume_link", key=f"mail:resume_link:{response.public_id}",
                  params={"response": response.pk}, wave=response.wave)


def queue_new_link(*, address: str, base: str) -> Job | None:
    """Queue a new resume link for each assessment whose respondent gave this address
    (see send_new_link); nothing for an address nobody gave. `base` is the resume page's
    absolute address: the code is made and added when the message is sent."""
    ids = sorted(ResumeAddress.objects.filter(digest=digest(address))
                 .values_list("pk", flat=True))
    if not ids:
        return None
    named = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:32]
    return queue_message(kind="new_link", key=f"mail:new_link:{named}",
                  params={"addresses": ids, "base": base})


def queue_ta_status(*, request_id: int, response: Response, status: str,
                    status_label: str, scheduled_for: str, user: Someone = None) -> Job | None:
    """Queue the news that a TA request moved, if the organization asked for updates when
    it sent the request; None when it did not."""
    if _ta_address(request_id, response) is None:
        return None
    return queue_message(kind="ta_status", key=f"mail:ta_status:{request_id}:{status}",
                  params={"request": request_id, "response": response.pk, "status": status,
                          "status_label": status_label, "scheduled_for": scheduled_for},
                  wave=response.wave, user=user)


def queue_message(*, kind: str, key: str, params: dict[str, object], wave: Wave | None = None,
           user: Someone = None) -> Job:
    """Queue one message of `kind` (see send_queued), one queued or running per `key`."""
    from hrta.web.tasks.services import enqueue

    job, _new = enqueue(kind=Job.Kind.MESSAGE, key=key, params={"message": kind, **params},
                        wave=wave, user=user)
    return job


def send_queued(job: Job) -> Sent:
    """Send the message a `message` Job names (on a worker); what became of it. A reason
    it cannot be sent reads in the language of the person who asked (the worker runs it
    in that language, hrta.web.tasks.work)."""
    params = job.params
    kind = params.get("message")
    if kind == "password_link":  # a staff account's (hrta.web.accounts.mailing)
        from hrta.web.accounts.mailing import send_password_link

        return send_password_link(job)
    if kind == "new_link":
        return send_new_link(ids=[int(pk) for pk in params.get("addresses", [])],
                             link_for=lambda _response, code: f"{params['base']}#{code}")
    response = Response.objects.select_related("wave").filter(pk=params.get("response")) \
        .first()
    if response is None:
        raise ValueError(_("The assessment this message was for no longer exists."))
    if kind == "resume_link":
        return send_resume_link(response=response)
    if kind == "ta_status":
        user = job.created_by
        return notify_ta_status(request_id=int(params["request"]), response=response,
                                status=params["status"], status_label=params["status_label"],
                                scheduled_for=params["scheduled_for"], user=user) or Sent()
    raise ValueError(_("No such message: %(kind)s") % {"kind": repr(kind)})


def send_resume_link(*, response: Response) -> Sent:
    """Send the respondent's own link, kept with their address, to that address; the link
    is forgotten once tried (the respondent may ask again from the page)."""
    kept = ResumeAddress.objects.filter(response_key=response.public_id).first()
    link = kept.pending_link if kept is not None else ""
    if kept is None or not link:
        raise ValueError(_("The link to send is no longer kept; the respondent may ask "
                           "again."))
    subject, body = _message("resume_link", _language(response), {
        "link": link, "wave": response.wave, "days": settings.RESUME_DAYS,
        "finished": response.finished})
    try:
        return send(kind="resume_link", to=kept.address, subject=subject, body=body,
                    response=response, respondent=True)
    finally:
        ResumeAddress.objects.filter(pk=kept.pk, link_encrypted=kept.link_encrypted) \
            .update(link_encrypted="")


def send_new_link(*, ids: list[int], link_for: LinkFor) -> Sent:
    """A new resume link for each assessment whose respondent gave the address (the kept
    rows `ids`, found by its digest), sent only to it. The old code stops working: whoever
    holds it is not the one asking. Says the first failure, if any."""
    failed: Sent | None = None
    kept = {row.response_key: row for row in ResumeAddress.objects.filter(pk__in=ids)}
    for response in Response.objects.select_related("wave").filter(
            public_id__in=list(kept), excluded=False):
        if not response.finished and not response.wave.is_open():
            continue
        code = surveys.new_resume_code()
        Response.objects.filter(pk=response.pk).update(resume_hash=surveys.code_hash(code))
        subject, body = _message("new_link", _language(response), {
            "link": link_for(response, code), "wave": response.wave,
            "days": settings.RESUME_DAYS})
        sent = send(kind="new_resume_link", to=kept[response.public_id].address,
                    subject=subject, body=body, response=response, respondent=True)
        if not sent.ok and failed is None:
            failed = sent
    return failed or Sent()


def _ta_address(request_id: int, response: Response) -> tuple[str, dict[str, str]] | None:
    """The address a TA request's news goes to, with its contact details, if the
    organization asked for updates."""
    contact = request_contact(request_id=request_id, response_key=response.public_id)
    if contact is None:
        return None
    details = contact.details
    address = details.get("ta_email", "")
    if details.get("ta_updates") != "yes" or not address:
        return None
    return address, details


def notify_ta_status(*, request_id: int, response: Response, status: str,
                     status_label: str, scheduled_for: str,
                     user: Someone = None) -> Sent | None:
    """Tell the organization its TA request moved, if it asked for updates when it sent
    the request; None when it did not (it may have changed its mind since it was queued)."""
    found = _ta_address(request_id, response)
    if found is None:
        return None
    address, details = found
    subject, body = _message("ta_status", _language(response), {
        "reference": f"TA-{request_id:05d}", "status": status, "status_label": status_label,
        "name": details.get("ta_name", ""), "scheduled_for": scheduled_for})
    return send(kind="ta_status", to=address, subject=subject, body=body, user=user,
                response=response, respondent=user is None)
