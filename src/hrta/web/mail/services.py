"""The messages respondents ask for: their resume link, a new link when they lost it, and
news of their TA request. Messages carry links and statuses, never answers."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from hrta.web.accounts.users import Someone
from hrta.web.contacts.selectors import request_contact
from hrta.web.mail.models import ResumeAddress
from hrta.web.mail.sending import Sent, send
from hrta.web.surveys import services as surveys
from hrta.web.surveys.models import Response

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


def keep_address(*, response: Response, address: str) -> None:
    """Remember the address the respondent wants their links sent to (the newest wins)."""
    with transaction.atomic(using="contacts"):
        ResumeAddress.objects.filter(response_key=response.public_id).delete()
        kept = ResumeAddress(wave_slug=response.wave.slug, response_key=response.public_id,
                             digest=digest(address))
        kept.address = address
        kept.save()


def send_resume_link(*, response: Response, address: str, link: str) -> Sent:
    """Send the respondent's own link to the address they typed, and keep the address so a
    lost link can be sent again (see send_new_link)."""
    keep_address(response=response, address=address)
    subject, body = _message("resume_link", _language(response), {
        "link": link, "wave": response.wave, "days": settings.RESUME_DAYS,
        "finished": response.finished})
    return send(kind="resume_link", to=address, subject=subject, body=body,
                response=response, respondent=True)


def send_new_link(*, address: str, link_for: LinkFor) -> int:
    """A new resume link for each assessment whose respondent gave this address, sent only
    to it. The old code stops working: whoever holds it is not the one asking. An address
    nobody gave gets nothing. Returns how many were sent (for tests; the page says the same
    whatever the number)."""
    sent = 0
    keys = ResumeAddress.objects.filter(digest=digest(address)).values_list(
        "response_key", flat=True)
    for response in Response.objects.select_related("wave").filter(
            public_id__in=list(keys), excluded=False):
        if not response.finished and not response.wave.is_open():
            continue
        code = surveys.new_resume_code()
        Response.objects.filter(pk=response.pk).update(resume_hash=surveys.code_hash(code))
        subject, body = _message("new_link", _language(response), {
            "link": link_for(response, code), "wave": response.wave,
            "days": settings.RESUME_DAYS})
        if send(kind="new_resume_link", to=address, subject=subject, body=body,
                response=response, respondent=True).ok:
            sent += 1
    return sent


def notify_ta_status(*, request_id: int, response: Response, status: str,
                     status_label: str, scheduled_for: str,
                     user: Someone = None) -> Sent | None:
    """Tell the organization its TA request moved, if it asked for updates when it sent
    the request; None when it did not."""
    contact = request_contact(request_id=request_id, response_key=response.public_id)
    if contact is None:
        return None
    details = contact.details
    address = details.get("ta_email", "")
    if details.get("ta_updates") != "yes" or not address:
        return None
    subject, body = _message("ta_status", _language(response), {
        "reference": f"TA-{request_id:05d}", "status": status, "status_label": status_label,
        "name": details.get("ta_name", ""), "scheduled_for": scheduled_for})
    return send(kind="ta_status", to=address, subject=subject, body=body, user=user,
                response=response, respondent=user is None)
