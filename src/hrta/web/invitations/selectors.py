"""What the invitations page reads: each invitee with what became of their invitation and
reminders, and how far their assessment has got; the wave's mailings."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from hrta.web.invitations.models import Delivery, Invitee, Mailing
from hrta.web.invitations.services import stopped
from hrta.web.surveys.models import Response


@dataclass(frozen=True)
class Row:
    invitee: Invitee
    name: str
    address: str
    invitation: Delivery | None
    """The newest invitation message to them, whatever became of it."""
    reminders: int
    """Reminders sent."""
    progress: str
    """not_started, in_progress or finished."""
    unsubscribed: bool


def invitee_rows(*, wave_slug: str) -> list[Row]:
    invitees = list(Invitee.objects.filter(wave_slug=wave_slug))
    newest: dict[int, Delivery] = {}
    reminders: dict[int, int] = {}
    for delivery in Delivery.objects.filter(mailing__wave_slug=wave_slug,
                                            invitee__isnull=False).select_related("mailing"):
        key = delivery.invitee_id or 0
        if delivery.mailing.kind == Mailing.Kind.INVITATION:
            # A sent message outranks a later failed or skipped one.
            kept = newest.get(key)
            if kept is None or kept.status != Delivery.Status.SENT:
                newest[key] = delivery
        elif delivery.status == Delivery.Status.SENT:
            reminders[key] = reminders.get(key, 0) + 1
    statuses = dict(Response.objects.filter(start_hash__in=[i.start_hash for i in invitees])
                    .values_list("start_hash", "status"))
    stop = stopped(wave_slug=wave_slug)
    rows = []
    for invitee in invitees:
        status = statuses.get(invitee.start_hash)
        progress = ("not_started" if status is None else "in_progress"
                    if status == Response.Status.IN_PROGRESS else "finished")
        rows.append(Row(invitee, invitee.name, invitee.address, newest.get(invitee.pk),
                        reminders.get(invitee.pk, 0), progress, invitee.digest in stop))
    return rows


@dataclass(frozen=True)
class MailingView:
    mailing: Mailing
    counts: dict[str, int]
    failures: list[Delivery]
    retry_left: bool
    """Some failed messages may still be tried again."""


def mailings(*, wave_slug: str, limit: int = 10) -> list[MailingView]:
    views = []
    for mailing in Mailing.objects.filter(wave_slug=wave_slug).order_by("-created_at",
                                                                        "-id")[:limit]:
        deliveries = list(mailing.deliveries.all())
        counts = {status: sum(1 for d in deliveries if d.status == status)
                  for status in Delivery.Status.values}
        failures = [d for d in deliveries if d.status == Delivery.Status.FAILED]
        views.append(MailingView(mailing, counts, failures, any(
            d.attempts < settings.HRTA_EMAIL_ATTEMPTS for d in failures)))
    return views
