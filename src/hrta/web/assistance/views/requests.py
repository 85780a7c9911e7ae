"""TA requests for staff: the list with counts and time to delivery, one request with its
steps, and the export."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hrta.web import inputerrors
from hrta.web.assistance import news, selectors, services
from hrta.web.assistance.forms import RequestUpdateForm
from hrta.web.assistance.models import TARequest
from hrta.web.assistance.views.center import may_see_contacts
from hrta.web.staff.access import staff_page
from hrta.web.staff.downloads import neutralise
from hrta.web.staff.paging import paged
from hrta.web.staff.selectors import reference
from hrta.web.surveys.models import Wave
from hrta.web.surveys.services import record

MANAGE_REQUESTS = "assistance.manage_requests"
FILTERS = ("", "open", *TARequest.Status.values)


def _chosen(request: HttpRequest) -> tuple[str, Wave | None]:
    status = request.GET.get("status", "")
    status = status if status in FILTERS else ""
    wave = Wave.objects.filter(slug=request.GET.get("wave", "")).first()
    return status, wave


@require_GET
@staff_page(MANAGE_REQUESTS)
def request_list(request: HttpRequest) -> HttpResponse:
    status, wave = _chosen(request)
    chosen = selectors.ta_requests(status=status, wave=wave)
    listing = paged(request, chosen, [("status", status), ("wave", wave.slug if wave else "")])
    return render(request, "assistance/requests.html", {
        "page": listing.page, "rows": [{"request": r, "reference": reference(r.response),
                                        "areas": selectors.request_area_labels(r, get_language())}
                                       for r in listing.page],
        "counts": selectors.request_counts(
            TARequest.objects.filter(**({"wave": wave} if wave else {})).only(
                "status", "received_on", "delivered_on")),
        "status": status, "wave": wave, "statuses": TARequest.Status.choices,
        "waves": Wave.objects.order_by("-created_at", "-id"),
        "keep": listing.keep, "query": listing.query,
    })


@require_http_methods(["GET", "POST"])
@staff_page(MANAGE_REQUESTS)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(TARequest.objects.select_related("wave", "response", "assignee"),
                              pk=pk)
    form = RequestUpdateForm(request_obj=found)
    contact = None
    status = 200
    if request.method == "POST" and request.POST.get("action") == "contacts":
        if not may_see_contacts(request.user):
            raise PermissionDenied
        contact = selectors.contact_of(found) or {}
        record(action="ta_contacts_view", user=request.user, wave=found.wave,
               response=found.response, detail={"page": "request",
                                                "request": found.reference})
    elif request.method == "POST":
        form = RequestUpdateForm(request.POST, request_obj=found)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_request(
                    request=found, user=request.user, status=data["status"], on=data["on"],
                    assignee=data["assignee"], scheduled_for=data["scheduled_for"],
                    note=data["note"], outcome=data["outcome"])
            except services.FieldError as problem:
                form.add_error(problem.field if problem.field in form.fields else None,
                               inputerrors.message(problem))
            else:
                messages.success(request, _("Saved: %(reference)s is now “%(status)s”.") % {
                    "reference": found.reference,
                    "status": TARequest.Status(data["status"]).label})
                if data["status"] != found.status:
                    news.tell_organization(TARequest.objects.get(pk=found.pk),
                                           user=request.user)
                return redirect("ta:request", pk=found.pk)
        status = 400
    return render(request, "assistance/request.html", {
        "ta": found, "reference": reference(found.response), "form": form,
        "areas": selectors.request_area_labels(found, get_language()), "contact": contact,
        "may_see_contacts": may_see_contacts(request.user), "news": news.latest(found),
        "events": found.events.select_related("user", "assignee"),
        "errors": [(form[name] if name in form.fields else None, error)
                   for name, errs in form.errors.items() for error in errs],
    }, status=status)


COLUMNS = ("request", "wave", "response", "received_on", "status", "assignee", "assigned_on",
           "scheduled_on", "scheduled_for", "delivered_on", "followed_up_on", "closed_on",
           "days_to_delivery", "areas", "message", "outcome")


@require_GET
@staff_page(MANAGE_REQUESTS)
def request_export(request: HttpRequest) -> HttpResponse:
    """The requests as CSV: no contact details; cells a spreadsheet would run as a formula
    are neutralised."""
    status, wave = _chosen(request)
    chosen = selectors.ta_requests(status=status, wave=wave)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    count = 0
    for item in chosen:
        def day(value: date | None) -> str:
            return value.isoformat() if value else ""

        writer.writerow([neutralise(str(cell)) if cell is not None else "" for cell in (
            item.reference, item.wave.slug, reference(item.response), day(item.received_on),
            item.status, item.assignee.get_username() if item.assignee else "",
            day(item.assigned_on), day(item.scheduled_on), day(item.scheduled_for),
            day(item.delivered_on), day(item.followed_up_on), day(item.closed_on),
            item.days_to_delivery, "; ".join(selectors.request_area_labels(item)),
            item.message, item.outcome)])
        count += 1
    record(action="ta_requests_export", user=request.user, wave=wave,
           detail={"status": status, "requests": count})
    reply = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    reply["Content-Disposition"] = f'attachment; filename="ta-requests-{stamp}.csv"'
    return reply
