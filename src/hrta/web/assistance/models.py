"""The web app's TA catalog (a table seeded from the catalog files) and the TA requests
organizations send from their plans, with the steps staff record as they act on them.

Contact details of a request are kept with the other contact details, in the contacts
database (hrta.web.contacts), never here.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hrta.instrument import DEFAULT_INSTRUMENT
from hrta.web.surveys.models import Response, Wave

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from hrta.assistance.catalog import Resource


class CatalogEntry(models.Model):
    """One TA catalog resource, with the fields of hrta.assistance.catalog.Resource."""

    class Origin(models.TextChoices):
        BUNDLED = "bundled", _("Bundled with hrta")
        FILE = "file", _("User catalog file")
        STAFF = "staff", _("Added by staff")

    instrument_id = models.CharField(max_length=100, default=DEFAULT_INSTRUMENT)
    resource_id = models.CharField(max_length=80, help_text=_("The catalog id, e.g. "
                                                              "center_office_hours."))
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=300)
    format = models.CharField(max_length=60)
    topics = models.JSONField(default=list)
    approaches = models.JSONField(default=list, blank=True)
    services = models.JSONField(default=list, blank=True)
    communities = models.JSONField(default=list, blank=True)
    org_types = models.JSONField(default=list, blank=True)
    link = models.CharField(max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    last_reviewed = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.STAFF)
    source = models.CharField(max_length=500, blank=True,
                              help_text=_("The catalog file an entry came from."))
    edited = models.BooleanField(
        default=False, help_text=_("Changed by staff: updates of the catalog files leave it "
                                   "as staff left it."))
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["title", "id"]
        default_permissions = ()
        permissions = [("manage_catalog", "Can add, change and retire TA catalog entries")]
        constraints = [models.UniqueConstraint(fields=["instrument_id", "resource_id"],
                                               name="one_catalog_entry_per_id")]

    def __str__(self) -> str:
        return self.title

    @property
    def retired(self) -> bool:
        return self.retired_at is not None

    def to_resource(self) -> Resource:
        from hrta.assistance.catalog import Resource  # polars and YAML: only when used

        origin = "bundled" if self.origin == self.Origin.BUNDLED else \
            self.source or self.origin
        return Resource(
            id=self.resource_id, title=self.title, publisher=self.publisher,
            format=self.format, topics=tuple(self.topics), approaches=tuple(self.approaches),
            services=tuple(self.services), communities=tuple(self.communities),
            org_types=tuple(self.org_types), link=self.link, year=self.year,
            last_reviewed=self.last_reviewed, notes=self.notes, origin=origin)


class TARequest(models.Model):
    """A request for individualized TA, sent by an organization from its plan."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ASSIGNED = "assigned", _("Assigned")
        SCHEDULED = "scheduled", _("Scheduled")
        DELIVERED = "delivered", _("Delivered")
        FOLLOW_UP = "follow_up", _("Follow-up done")
        CLOSED = "closed", _("Closed without delivery")

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="ta_requests")
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="ta_requests")
    areas = models.JSONField(default=list, help_text=_("TA area ids (options of the areas "
                                                       "question)."))
    message = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField(default=timezone.now)
    # The day each step was reached, as staff record it (they may record it later).
    received_on = models.DateField(default=timezone.localdate)
    assigned_on = models.DateField(null=True, blank=True)
    scheduled_on = models.DateField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    followed_up_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    scheduled_for = models.DateField(null=True, blank=True,
                                     help_text=_("The day the TA is to take place."))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="ta_requests")
    outcome = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        default_permissions = ()
        permissions = [
            ("manage_requests", "Can track TA requests"),
            ("view_ta_contacts", "Can see the contact details of organizations that asked "
                                 "for TA or agreed to be invited"),
        ]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["wave", "status"])]
        constraints = [
            # An organization waits on one request at a time: a form sent twice (a
            # double-click) cannot make a second.
            models.UniqueConstraint(
                fields=["response"], name="one_open_ta_request_per_response",
                condition=models.Q(status__in=["received", "assigned", "scheduled"])),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"TA-{self.pk:05d}" if self.pk else "TA-new"

    @property
    def open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.ASSIGNED,
                               self.Status.SCHEDULED)

    @property
    def days_to_delivery(self) -> int | None:
        if self.delivered_on is None:
            return None
        return (self.delivered_on - self.received_on).days

    def date_of(self, status: str) -> date | None:
        return getattr(self, STEP_DATES[status])


STEP_DATES: dict[str, str] = {
    TARequest.Status.RECEIVED: "received_on",
    TARequest.Status.ASSIGNED: "assigned_on",
    TARequest.Status.SCHEDULED: "scheduled_on",
    TARequest.Status.DELIVERED: "delivered_on",
    TARequest.Status.FOLLOW_UP: "followed_up_on",
    TARequest.Status.CLOSED: "closed_on",
}
"""The field holding the day a request reached each status."""


class TARequestEvent(models.Model):
    """One step staff recorded on a request: a change of status or assignee, or a note."""

    request = models.ForeignKey(TARequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    on = models.DateField(default=timezone.localdate, help_text=_("The day it happened."))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=20, choices=TARequest.Status.choices)
    previous_status = models.CharField(max_length=20, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        default_permissions = ()

    @property
    def previous_label(self) -> StrOrPromise:
        return TARequest.Status(self.previous_status).label if self.previous_status else ""
