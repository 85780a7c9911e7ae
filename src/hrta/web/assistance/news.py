"""E-mail to an organization as its TA request moves: received, scheduled, delivered (and
closed without delivery), when it asked for updates."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hrta.web.accounts.users import Someone
from hrta.web.assistance.models import TARequest
from hrta.web.mail.sending import Sent
from hrta.web.mail.services import notify_ta_status

NEWSWORTHY = (TARequest.Status.RECEIVED, TARequest.Status.SCHEDULED,
              TARequest.Status.DELIVERED, TARequest.Status.CLOSED)


def tell_organization(request: TARequest, user: Someone = None) -> Sent | None:
    """Send the news of the request's status; None when there is none to send."""
    if request.status not in NEWSWORTHY:
        return None
    response = request.response
    language = response.language or "en"
    with translation.override(language):
        label = str(TARequest.Status(request.status).label)
        day = date_format(request.scheduled_for, "DATE_FORMAT") if request.scheduled_for else ""
    return notify_ta_status(request_id=request.pk, response=response, status=request.status,
                            status_label=label, scheduled_for=day, user=user)


def report_to_staff(request: HttpRequest, sent: Sent | None) -> None:
    """Staff see at once whether the organization was told, and the mail server's answer."""
    if sent is None:
        return
    if sent.ok:
        messages.info(request, _("The organization was told by e-mail, as it asked."))
    else:
        messages.warning(request, _("The e-mail to the organization could not be sent: "
                                    "%(error)s") % {"error": sent.error})
