"""The task that sends a mailing (a Job of kind `email`, hrta.web.tasks.runners).

Each message is tried once per run; a message the mail server refused, or that met a
server that did not answer, keeps the server's words on its Delivery for the invitations
page and is tried again only when staff ask (a run with `retry`), up to
HRTA_EMAIL_ATTEMPTS times in all: nothing is retried forever. A message whose worker was
lost while sending it may or may not have gone: it is marked not sent, never sent again
on its own, so nobody gets it twice unasked. Before each message the task waits while
HRTA_EMAIL_RATE messages were tried in the last window, counting every mailing's (so
every worker's).
An address unsubscribed since the mailing was queued, and for a reminder an invitee who
has finished since, is skipped.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hrta.web.invitations.models import Delivery, Mailing
from hrta.web.invitations.services import (
    Draft,
    fill,
    finished_hashes,
    stopped,
    unsubscribe_token,
)
from hrta.web.mail.sending import send
from hrta.web.surveys.models import Wave
from hrta.web.tasks.work import Working

KINDS = {Mailing.Kind.INVITATION: "invitation", Mailing.Kind.REMINDER: "reminder",
         Mailing.Kind.COHORT: "cohort_invitation"}


LOST = "The worker stopped while sending this message: it may not have arrived."


def to_send(mailing: Mailing, *, retry: bool) -> Q:
    """The deliveries a run sends: not yet tried; and when staff asked to try again, those
    not sent with tries left."""
    pending = Q(status=Delivery.Status.PENDING)
    if retry:
        pending |= Q(status=Delivery.Status.FAILED, attempts__lt=settings.HRTA_EMAIL_ATTEMPTS)
    return Q(mailing=mailing) & pending


def wait_for_slot(working: Working) -> None:
    """Wait until fewer than the rate's count of messages were tried in its window."""
    rate = settings.HRTA_EMAIL_RATE
    while True:
        since = timezone.now() - timedelta(seconds=rate.seconds)
        recent = [at for at in Delivery.objects.filter(tried_at__gte=since)
                  .order_by("-tried_at").values_list("tried_at", flat=True)[:rate.count] if at]
        if len(recent) < rate.count:
            return
        free_at = recent[-1] + timedelta(seconds=rate.seconds)
        time.sleep(min(max((free_at - timezone.now()).total_seconds(), 0.01), 1.0))
        working.check()


def run(working: Working) -> tuple[str, str] | None:
    mailing = Mailing.objects.get(pk=working.job.params["mailing"])
    wave = Wave.objects.filter(slug=mailing.wave_slug).first()
    if wave is None:
        raise ValueError("The wave this mailing was for no longer exists.")
    # Begun by a worker that was lost before it could say what became of them.
    Delivery.objects.filter(mailing=mailing, status=Delivery.Status.PENDING,
                            tried_at__isnull=False).update(
        status=Delivery.Status.FAILED, error=LOST, attempts=F("attempts") + 1)
    retry = bool(working.job.params.get("retry"))
    pending = list(Delivery.objects.filter(to_send(mailing, retry=retry))
                   .select_related("invitee"))
    working.progress(0, len(pending))
    stop = stopped(wave_slug=mailing.wave_slug)
    done = finished_hashes([d.invitee.start_hash for d in pending if d.invitee]) \
        if mailing.kind == Mailing.Kind.REMINDER else set()
    draft = Draft(mailing.subject, mailing.body)
    for number, delivery in enumerate(pending, 1):
        invitee = delivery.invitee
        if delivery.digest in stop or (invitee is not None and invitee.start_hash in done):
            skipped = "unsubscribed" if delivery.digest in stop else "finished"
            Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED,
                                                           error=skipped)
        else:
            wait_for_slot(working)
            _send_one(working, mailing, wave, delivery, draft)
        working.progress(number)
    counts = {status: mailing.deliveries.filter(status=status).count()
              for status in (Delivery.Status.SENT, Delivery.Status.FAILED)}
    with translation.override(mailing.language):
        working.notice(_("%(sent)s sent in all, %(failed)s not sent: the invitations page "
                         "lists each one.") % {"sent": counts[Delivery.Status.SENT],
                                               "failed": counts[Delivery.Status.FAILED]})
    return None


def _send_one(working: Working, mailing: Mailing, wave: Wave, delivery: Delivery,
              draft: Draft) -> None:
    invitee = delivery.invitee
    site = mailing.site.rstrip("/")
    link = site + reverse("invitations:open", args=[invitee.token]) if invitee else ""
    unsubscribe = site + (reverse("invitations:unsubscribe", args=[unsubscribe_token(
        address_digest=delivery.digest, wave_slug=mailing.wave_slug)]))
    message = fill(draft, name=delivery.name, link=link, unsubscribe=unsubscribe,
                   language=mailing.language)
    # Noted as tried first: the rate counts it even if this worker dies mid-send.
    Delivery.objects.filter(pk=delivery.pk).update(tried_at=timezone.now())
    sent = send(kind=KINDS[Mailing.Kind(mailing.kind)], to=delivery.address,
                subject=message.subject, body=message.body, user=working.job.created_by,
                wave=wave)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT if sent.ok else Delivery.Status.FAILED,
        error=sent.error, attempts=delivery.attempts + 1)
