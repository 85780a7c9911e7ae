"""What changes invitations: adding invitees, writing a mailing and queueing it as a task,
opening a personal link, unsubscribing. Keyword-only, one transaction each.

A personal link carries a token; the token is a landing page's Start token
(hrta.web.surveys.services.start_from_form), so the first visit starts the invitee's
response and every later one resumes it with the resume code derived from the token —
the same codes, hashes and expiry as every other response.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from hrta.web.invitations.models import Delivery, Invitee, Mailing, Unsubscribe, unsubscribed
from hrta.web.invitations.roster import Roster, Row
from hrta.web.mail.services import digest
from hrta.web.surveys import services as surveys
from hrta.web.surveys.models import Response, Wave
from hrta.web.surveys.services import record
from hrta.web.tasks.models import Job
from hrta.web.tasks.services import enqueue

PLACEHOLDERS = ("{name}", "{link}")
_PLACEHOLDER = re.compile(r"\{[^{}\s]*\}")
MAX_SUBJECT = 200
MAX_BODY = 10_000
UNSUBSCRIBE_SALT = "hrta.invitations.unsubscribe"


class MailingError(ValueError):
    """A message or a mailing refused, in words staff can act on."""


def _who(user: User | AnonymousUser | None) -> str:
    return user.get_username() if isinstance(user, User) else ""


def add_invitees(*, wave: Wave, roster: Roster, user: User | AnonymousUser | None,
                 source: str) -> int:
    """Keep the roster's rows as invitees of the wave (an address already invited, perhaps
    by another person at the same moment, is left as it was); how many were added."""
    added = 0
    for row in roster.rows:
        if _add(wave, row, user):
            added += 1
    record(action="invitees_add", user=user, wave=wave,
           detail={"source": source, "added": added, "left_out": len(roster.problems)})
    return added


def _add(wave: Wave, row: Row, user: User | AnonymousUser | None) -> bool:
    token = surveys.new_start_token()
    invitee = Invitee(wave_slug=wave.slug, digest=digest(row.address),
                      start_hash=surveys.start_hash(token), created_by=_who(user))
    invitee.name = row.name
    invitee.address = row.address
    invitee.token = token
    try:
        with transaction.atomic(using="contacts"):
            invitee.save()
    except IntegrityError:
        return False
    return True


def known_digests(*, wave: Wave) -> dict[str, int]:
    return dict.fromkeys(Invitee.objects.filter(wave_slug=wave.slug)
                         .values_list("digest", flat=True), 0)


# --- messages ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Draft:
    subject: str
    body: str


def default_draft(*, kind: str, wave: Wave, topic: str = "") -> Draft:
    """The message staff start from, in their language."""
    if kind == Mailing.Kind.REMINDER:
        return Draft(_("Reminder: %(wave)s") % {"wave": wave.title}, _(
            "Hello {name},\n\nA few weeks ago we invited your organization to take part in "
            "%(wave)s. You have not finished it yet. Your personal link brings you back to "
            "where you left off:\n\n{link}\n\nThank you for your time.") % {"wave": wave.title})
    if kind == Mailing.Kind.COHORT:
        return Draft(_("Join a learning cohort: %(topic)s") % {"topic": topic}, _(
            "Hello {name},\n\nYou told us you would like to hear about technical assistance. "
            "We are forming a small group of organizations near you that want help with "
            "%(topic)s, and we would like your organization to join.\n\nReply to this "
            "message to tell us you are interested.\n\nThank you.") % {"topic": topic})
    return Draft(_("Invitation: %(wave)s") % {"wave": wave.title}, _(
        "Hello {name},\n\nWe invite your organization to take part in %(wave)s. It takes "
        "about 15 minutes. Your answers help us plan technical assistance, and you receive a "
        "TA plan made for your organization.\n\nThis link is yours: it starts your "
        "assessment and brings you back to it if you stop part way.\n\n{link}\n\n"
        "Thank you.") % {"wave": wave.title})


def check_draft(*, kind: str, subject: str, body: str) -> Draft:
    """The message as staff wrote it, or MailingError saying what to change."""
    subject = " ".join(subject.replace("\x00", "").split())
    body = body.replace("\x00", "").replace("\r\n", "\n").strip()
    if not subject:
        raise MailingError(_("Please write a subject."))
    if len(subject) > MAX_SUBJECT or len(body) > MAX_BODY:
        raise MailingError(_("Please shorten the message: at most %(subject)s characters in "
                             "the subject and %(body)s in the text.")
                           % {"subject": MAX_SUBJECT, "body": MAX_BODY})
    unknown = sorted({p for p in _PLACEHOLDER.findall(subject + body) if p not in PLACEHOLDERS})
    if unknown:
        raise MailingError(_("%(found)s is not a placeholder hrta fills in: use {name} and "
                             "{link}.") % {"found": ", ".join(unknown)})
    if "{link}" in subject:
        raise MailingError(_("Please keep {link} out of the subject."))
    if kind != Mailing.Kind.COHORT and "{link}" not in body:
        raise MailingError(_("Please keep {link} in the text: it is where each organization's "
                             "personal link goes."))
    return Draft(subject, body)


def fill(draft: Draft, *, name: str, link: str, unsubscribe: str, language: str) -> Draft:
    """One recipient's message: the placeholders filled, the unsubscribe line added."""
    with translation.override(language):
        fallback = _("there")
        footer = _("To receive no more of these messages, open %(link)s") % {
            "link": unsubscribe}
    who = name or fallback
    body = draft.body.replace("{name}", who).replace("{link}", link)
    return Draft(draft.subject.replace("{name}", who), f"{body}\n\n-- \n{footer}\n")


def unsubscribe_token(*, address_digest: str, wave_slug: str) -> str:
    return signing.dumps({"d": address_digest, "w": wave_slug}, salt=UNSUBSCRIBE_SALT,
                         compress=True)


def read_unsubscribe_token(token: str) -> tuple[str, str] | None:
    try:
        found = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return str(found.get("d", "")), str(found.get("w", ""))


# --- mailings ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Recipient:
    name: str
    address: str
    invitee: Invitee | None = None


def stopped(*, wave_slug: str) -> set[str]:
    """Digests of the addresses that asked for no more mail of this wave."""
    return set(Unsubscribe.objects.filter(unsubscribed(wave_slug=wave_slug))
               .values_list("digest", flat=True))


def finished_hashes(start_hashes: list[str]) -> set[str]:
    """Which of these invitees' responses are sent or screened out (not to be reminded)."""
    found = Response.objects.filter(start_hash__in=start_hashes).exclude(
        status=Response.Status.IN_PROGRESS).values_list("start_hash", flat=True)
    return {value for value in found if value}


def recipients(*, wave: Wave, kind: str) -> list[Recipient]:
    """Who a new invitation or reminder goes to: invitees not yet sent an invitation (nor
    waiting for one); or, for a reminder, those sent one who have not finished.
    Unsubscribed addresses never."""
    stop = stopped(wave_slug=wave.slug)
    # Sent, or waiting in a mailing queued a moment ago: not invited a second time.
    invited = set(Delivery.objects.filter(
        mailing__wave_slug=wave.slug, mailing__kind=Mailing.Kind.INVITATION,
        status__in=(Delivery.Status.SENT, Delivery.Status.PENDING)).values_list(
        "invitee_id", flat=True))
    invitees = [i for i in Invitee.objects.filter(wave_slug=wave.slug) if i.digest not in stop]
    if kind == Mailing.Kind.INVITATION:
        return [Recipient(i.name, i.address, i) for i in invitees if i.pk not in invited]
    sent = set(Delivery.objects.filter(
        mailing__wave_slug=wave.slug, mailing__kind=Mailing.Kind.INVITATION,
        status=Delivery.Status.SENT).values_list("invitee_id", flat=True))
    chosen = [i for i in invitees if i.pk in sent]
    done = finished_hashes([i.start_hash for i in chosen])
    return [Recipient(i.name, i.address, i) for i in chosen if i.start_hash not in done]


def queue_mailing(*, wave: Wave, kind: str, draft: Draft, to: list[Recipient], site: str,
                  user: User | AnonymousUser | None) -> Job:
    """Keep the message and one Delivery per recipient, and queue the task that sends
    them (hrta.web.invitations.delivery)."""
    if not to:
        raise MailingError(_("Nobody to send this to."))
    stop = stopped(wave_slug=wave.slug)
    with transaction.atomic(using="contacts"):
        mailing = Mailing.objects.create(
            wave_slug=wave.slug, kind=kind, subject=draft.subject, body=draft.body,
            language=translation.get_language() or "en", site=site,
            created_by=_who(user))
        for person in to:
            delivery = Delivery(mailing=mailing, invitee=person.invitee,
                                digest=digest(person.address))
            delivery.name = person.name
            delivery.address = person.address
            if delivery.digest in stop:
                delivery.status = Delivery.Status.SKIPPED
                delivery.error = "unsubscribed"
            delivery.save()
    record(action="mailing_queue", user=user, wave=wave,
           detail={"kind": kind, "mailing": mailing.pk, "recipients": len(to)})
    return send_mailing(mailing=mailing, wave=wave, user=user)


def send_mailing(*, mailing: Mailing, wave: Wave, user: User | AnonymousUser | None,
                 retry: bool = False) -> Job:
    """The task that sends the mailing's messages not yet sent, and with `retry` those not
    sent that have tries left (the task already queued or running when there is one)."""
    job, _new = enqueue(kind=Job.Kind.EMAIL, key=f"mailing:{mailing.pk}",
                        params={"mailing": mailing.pk, "retry": retry}, wave=wave, user=user)
    return job


# --- the invitee's side ------------------------------------------------------------------------

def invitee_for(token: str) -> Invitee | None:
    if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", token or ""):
        return None
    return Invitee.objects.filter(start_hash=surveys.start_hash(token)).first()


def open_invitation(*, wave: Wave, token: str, language: str) -> str | None:
    """The resume code of the invitee's response, started now if it was not yet; None
    when the link can no longer open it (excluded, or a new link replaced its code)."""
    started = surveys.start_from_form(wave=wave, token=token, language=language)
    if started is not None:
        return started[1]
    # Sent or screened out: its code still opens it (the TA plan, or the closing page).
    code = surveys.code_for_token(token)
    response = surveys.find_by_code(code)
    mine = response is not None and response.start_hash == surveys.start_hash(token)
    return code if mine else None


def unsubscribe(*, address_digest: str, wave: Wave | None) -> None:
    """No more mail to this address: for the wave's invitations, or (wave None) at all."""
    slug = wave.slug if wave is not None else ""
    with transaction.atomic(using="contacts"):
        Unsubscribe.objects.get_or_create(digest=address_digest, wave_slug=slug)
    record(action="invitation_unsubscribe", wave=wave, respondent=True,
           detail={"scope": "wave" if wave is not None else "all"})
