"""E-mail to an organization as its TA request moves: received, scheduled, delivered (and
closed without delivery), when it asked for updates. A worker sends it; the request's page
says what became of the latest."""

from __future__ import annotations

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hrta.web.accounts.users import Someone
from hrta.web.assistance.models import TARequest
from hrta.web.mail.services import queue_ta_status
from hrta.web.tasks.models import Job

NEWSWORTHY = (TARequest.Status.RECEIVED, TARequest.Status.SCHEDULED,
              TARequest.Status.DELIVERED, TARequest.Status.CLOSED)


def tell_organization(request: TARequest, user: Someone = None) -> Job | None:
    """Queue the news of the request's status for a worker to send; None when there is
    none to send (the status is not news, or the organization did not ask)."""
    if request.status not in NEWSWORTHY:
        return None
    response = request.response
    language = response.language or "en"
    with translation.override(language):
        label = str(TARequest.Status(request.status).label)
        day = date_format(request.scheduled_for, "DATE_FORMAT") if request.scheduled_for else ""
    return queue_ta_status(request_id=request.pk, response=response, status=request.status,
                           status_label=label, scheduled_for=day, user=user)


def latest(request: TARequest) -> tuple[str, str] | None:
    """What became of the latest news sent about the request, for its staff page: ("info"
    or "warning" or "error", the words); None when none was sent."""
    job = (Job.objects.filter(kind=Job.Kind.MESSAGE, params__message="ta_status",
                              params__request=request.pk).order_by("-created_at").first())
    if job is None or job.status == Job.Status.CANCELLED:
        return None
    if job.status == Job.Status.DONE:
        return "info", _("The organization was told by e-mail, as it asked.")
    if job.status == Job.Status.FAILED:
        return "error", _("The e-mail to the organization could not be sent: "
                          "%(error)s") % {"error": job.message}
    return "warning", _("The e-mail to the organization is waiting to be sent.")
