"""What changes the TA tables: the catalog (seeded from the catalog files, kept by staff)
and TA requests (sent by organizations, moved along by staff). Every staff change is
audited; each function is one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.utils import timezone

from hrta.assistance.catalog import (
    FIELDS,
    LIST_FIELDS,
    Resource,
    check_resource,
    load_catalog,
    user_catalog_path,
)
from hrta.errors import InputError
from hrta.instrument import DEFAULT_INSTRUMENT
from hrta.web.accounts.users import Someone, account
from hrta.web.assistance.models import STEP_DATES, CatalogEntry, TARequest, TARequestEvent
from hrta.web.assistance.rules import instrument_and_rules, vocabulary
from hrta.web.contacts.models import Contact
from hrta.web.contacts.services import add_record
from hrta.web.surveys.models import Response
from hrta.web.surveys.services import record

log = logging.getLogger(__name__)

# --- the catalog -----------------------------------------------------------------------------


class FieldError(InputError):
    """A catalog entry's field that fails the catalog's checks (raised for a form)."""

    def __init__(self, field: str, message: str,
                 params: Mapping[str, object] | None = None) -> None:
        super().__init__(message, column=field or None, params=params)
        self.field = field


@dataclass(frozen=True)
class SeedResult:
    added: tuple[str, ...]
    updated: tuple[str, ...]
    kept: tuple[str, ...]
    """Ids in the files that staff made or changed themselves: left as staff left them."""


_RESOURCE_FIELDS = ("title", "publisher", "format", *LIST_FIELDS, "link", "year",
                    "last_reviewed", "notes")


def _values(resource: Resource) -> dict[str, Any]:
    values = {name: getattr(resource, name) for name in _RESOURCE_FIELDS}
    for name in LIST_FIELDS:
        values[name] = list(values[name])
    return values


def seed_catalog(*, instrument_id: str = DEFAULT_INSTRUMENT, user: Someone = None,
                 audit: bool = False) -> SeedResult:
    """Bring the catalog table up to date with the catalog files: the bundled catalog and
    the user catalog that `hrta catalog import` writes (hrta.assistance.load_catalog).

    A new id is added; an entry that came from a file and that staff have not changed
    takes the file's fields; an entry staff made or changed is left alone, and so is an
    entry's retirement. Raises InputError (file, row, field) if a file has a bad entry.
    """
    instrument, rules = instrument_and_rules(instrument_id)
    resources = load_catalog(instrument, rules).resources
    added: list[str] = []
    updated: list[str] = []
    kept: list[str] = []
    with transaction.atomic():
        existing = {e.resource_id: e for e in CatalogEntry.objects.select_for_update().filter(
            instrument_id=instrument_id)}
        for resource in resources:
            bundled = resource.origin == "bundled"
            origin = CatalogEntry.Origin.BUNDLED if bundled else CatalogEntry.Origin.FILE
            source = "" if bundled else resource.origin
            values = _values(resource)
            entry = existing.get(resource.id)
            if entry is None:
                CatalogEntry.objects.create(instrument_id=instrument_id,
                                            resource_id=resource.id, origin=origin,
                                            source=source, **values)
                added.append(resource.id)
            elif entry.origin == CatalogEntry.Origin.STAFF or entry.edited:
                kept.append(resource.id)
            elif any(getattr(entry, k) != v for k, v in values.items()) \
                    or (entry.origin, entry.source) != (origin, source):
                for name, value in values.items():
                    setattr(entry, name, value)
                entry.origin, entry.source = origin, source
                entry.updated_at = timezone.now()
                entry.save()
                updated.append(resource.id)
        if audit:
            record(action="catalog_update", user=user, detail={
                "added": added, "updated": updated, "kept": kept,
                "user_catalog": str(user_catalog_path())})
    return SeedResult(tuple(added), tuple(updated), tuple(kept))


def seed_catalog_after_migrate(sender: object = None, using: str = DEFAULT_DB_ALIAS,
                               **kwargs: Any) -> None:
    """post_migrate: seed the table once it exists. A bad catalog file must not stop the
    app from starting: it is logged, and the catalog page reports it."""
    if using != DEFAULT_DB_ALIAS:
        return
    if CatalogEntry._meta.db_table not in connections[using].introspection.table_names():
        return
    try:
        seed_catalog()
    except InputError as exc:
        log.warning("TA catalog not updated from the catalog files: %s", exc)


def save_catalog_entry(*, instrument_id: str, data: Mapping[str, Any], user: Someone,
                       entry: CatalogEntry | None = None) -> CatalogEntry:
    """Add an entry (entry None) or change one, checked exactly as a catalog file's entries
    are (hrta.assistance.check_resource); FieldError names the field at fault."""
    def fail(field: str, message: str,
             params: Mapping[str, object] | None = None) -> InputError:
        return FieldError(field, message, params)

    fields = {name: data.get(name) for name in FIELDS if name in data}
    if entry is not None:
        fields["id"] = entry.resource_id  # an entry's id never changes: plans cite it
    resource = check_resource(fields, vocabulary(instrument_id), origin="staff", fail=fail)
    with transaction.atomic():
        if entry is None:
            if CatalogEntry.objects.filter(instrument_id=instrument_id,
                                           resource_id=resource.id).exists():
                raise FieldError("id", "id %(id)r is already in the catalog; choose "
                                 "another", {"id": resource.id})
            entry = CatalogEntry(instrument_id=instrument_id, resource_id=resource.id,
                                 origin=CatalogEntry.Origin.STAFF)
            action = "catalog_add"
        else:
            entry = CatalogEntry.objects.select_for_update().get(pk=entry.pk)
            action = "catalog_change"
            entry.edited = entry.origin != CatalogEntry.Origin.STAFF
        changed = [name for name, value in _values(resource).items()
                   if getattr(entry, name, None) != value]
        for name, value in _values(resource).items():
            setattr(entry, name, value)
        entry.updated_at = timezone.now()
        entry.updated_by = account(user)
        entry.save()
        record(action=action, user=user, detail={"entry": entry.resource_id,
                                                 "fields": changed})
    return entry


def set_retired(*, entry: CatalogEntry, retired: bool, user: Someone,
                reason: str = "") -> CatalogEntry:
    """Retire an entry (plans stop pointing to it; it stays listed for staff) or bring it
    back. The catalog files never undo a retirement."""
    with transaction.atomic():
        entry = CatalogEntry.objects.select_for_update().get(pk=entry.pk)
        entry.retired_at = timezone.now() if retired else None
        entry.updated_at = timezone.now()
        entry.updated_by = account(user)
        entry.save(update_fields=["retired_at", "updated_at", "updated_by"])
        record(action="catalog_retire" if retired else "catalog_restore", user=user,
               reason=reason.strip(), detail={"entry": entry.resource_id})
    return entry


# --- TA requests -----------------------------------------------------------------------------

MAX_MESSAGE = 2000
MAX_FIELD = 200
OPEN = (TARequest.Status.RECEIVED, TARequest.Status.ASSIGNED, TARequest.Status.SCHEDULED)


def request_ta(*, response: Response, areas: list[str], message: str, name: str,
               email: str, may_contact: bool, updates: bool = False) -> TARequest:
    """A request for individualized TA from a submitted response's plan.

    An organization waits on one request at a time: while one is open, asking again
    returns it unchanged, so a form sent twice (a double-click, two requests racing)
    makes one request; the database holds one open request per response.

    Its contact details go to the contacts database, encrypted, as a record of this
    request's own, apart from the thank-you page's; `may_contact` there lets the center
    invite the organization to cohorts, and `updates` asks for an e-mail as the request
    moves (hrta.web.mail.services.notify_ta_status). The caller has checked the fields
    (forms.TARequestForm).
    """
    instrument, rules = instrument_and_rules(response.wave.instrument_id)
    allowed = set(instrument.question(rules.plan.areas_question).option_ids)
    unknown = [a for a in areas if a not in allowed]
    if unknown:
        raise InputError(f"unknown TA area {unknown[0]!r}")
    if response.status != Response.Status.SUBMITTED:
        raise InputError("only a submitted assessment can ask for TA")
    try:
        with transaction.atomic(), transaction.atomic(using="contacts"):
            waiting = _open_request(response)
            if waiting is not None:
                return waiting
            request = TARequest.objects.create(response=response, wave=response.wave,
                                               areas=list(dict.fromkeys(areas)),
                                               message=message.strip()[:MAX_MESSAGE])
            TARequestEvent.objects.create(request=request, status=request.status,
                                          on=request.received_on)
            add_record(response_key=response.public_id, wave_slug=response.wave.slug,
                       purpose=Contact.Purpose.TA_REQUEST, ta_request=request.pk,
                       may_contact=may_contact,
                       details={"ta_name": name.strip()[:MAX_FIELD],
                                "ta_email": email.strip()[:MAX_FIELD],
                               "ta_updates": "yes" if updates else ""})
            record(action="ta_request", wave=response.wave, response=response,
                   respondent=True, detail={"request": request.reference, "areas": request.areas})
    except IntegrityError:
        # The same form's other copy saved its request first: that is the request.
        waiting = _open_request(response)
        if waiting is None:
            raise
        return waiting
    return request


def _open_request(response: Response) -> TARequest | None:
    return TARequest.objects.filter(response=response, status__in=OPEN).first()


ORDER = [TARequest.Status.RECEIVED, TARequest.Status.ASSIGNED, TARequest.Status.SCHEDULED,
         TARequest.Status.DELIVERED, TARequest.Status.FOLLOW_UP]


def update_request(*, request: TARequest, user: Someone, status: str, on: date,
                   assignee: User | None = None, scheduled_for: date | None = None,
                   note: str = "", outcome: str | None = None) -> TARequest:
    """Record a step: a new status reached on day `on`, the assignee, the day the TA is
    scheduled for, a note, the outcome.

    Moving back (a session that did not happen, say) clears the days of the later steps,
    so time to delivery counts only deliveries that stand. Raises InputError when the
    step does not make sense.
    """
    if status not in TARequest.Status.values:
        raise InputError(f"unknown status {status!r}")
    today = timezone.localdate()
    with transaction.atomic():
        locked = TARequest.objects.select_for_update().get(pk=request.pk)
        if on > today:
            raise FieldError("on", "The day cannot be in the future.")
        if on < locked.received_on:
            raise FieldError("on", "The day cannot be before the request was received "
                               "(%(received)s).", {"received": locked.received_on.isoformat()})
        if status == TARequest.Status.ASSIGNED and assignee is None and locked.assignee is None:
            raise FieldError("assignee", "Choose who the request is assigned to.")
        if status == TARequest.Status.SCHEDULED and scheduled_for is None \
                and locked.scheduled_for is None:
            raise FieldError("scheduled_for", "Give the day the TA is scheduled for.")
        kept_outcome = (locked.outcome if outcome is None else outcome).strip()
        if status == TARequest.Status.CLOSED and not kept_outcome:
            raise FieldError("outcome", "Say why the request is closed without delivery.")
        previous = locked.status
        if status in OPEN and previous not in OPEN:
            other = _open_request(locked.response)
            if other is not None:
                raise FieldError("status", "This organization's request %(reference)s is "
                                 "open: deliver or close it first.",
                                 {"reference": other.reference})
        if status != previous:
            if status == TARequest.Status.CLOSED:
                locked.closed_on = on
            else:
                locked.closed_on = None
                reached = ORDER.index(TARequest.Status(status))
                for later in ORDER[reached + 1:]:
                    setattr(locked, STEP_DATES[later], None)
                if status != TARequest.Status.RECEIVED:
                    # A step skipped on the way keeps no day: none was recorded.
                    setattr(locked, STEP_DATES[status], on)
            locked.status = status
        if assignee is not None:
            locked.assignee = assignee
        if scheduled_for is not None:
            locked.scheduled_for = scheduled_for
        locked.outcome = kept_outcome
        locked.updated_at = timezone.now()
        locked.save()
        note = note.strip()
        TARequestEvent.objects.create(
            request=locked, on=on, user=account(user),
            status=locked.status, previous_status=previous if previous != locked.status else "",
            assignee=assignee, note=note)
        record(action="ta_request_update", user=user, wave=locked.wave,
               response=locked.response, reason=note, detail={
                   "request": locked.reference, "status": locked.status,
                   "previous": previous, "on": on.isoformat(),
                   "assignee": getattr(locked.assignee, "username", None)})
    return locked
