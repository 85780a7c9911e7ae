"""What reads contact records: the contact a TA request was sent with, and who agreed to
be contacted about TA. Each form's own newest record speaks for that form alone."""

from __future__ import annotations

from uuid import UUID

from hrta.web.contacts.models import Contact, current


def request_contact(*, request_id: int, response_key: UUID) -> Contact | None:
    """The name, e-mail and consent sent with a TA request. A request sent before records
    were kept by request has the response's TA request record (see migration 0002)."""
    asked = current(Contact.Purpose.TA_REQUEST)
    found = asked.filter(ta_request=request_id).first()
    if found is None:
        found = (asked.filter(response_key=response_key, ta_request=None)
                 .order_by("-created_at", "-id").first())
    return found


def consenting(*, wave_slug: str) -> dict[UUID, Contact]:
    """The wave's responses that agreed to be contacted about TA (and so to be invited
    to cohorts), each with the record that says so.

    The newest TA request's record decides for the TA request form, the newest
    thank-you page's record for that page; either agreeing is enough, and the TA
    request's is preferred, being given for TA. Leaving one form's box unticked never
    withdraws what the other form gave.
    """
    newest: dict[tuple[str, UUID], Contact] = {}
    for record in Contact.objects.filter(wave_slug=wave_slug, replaced_at=None).order_by(
            "created_at", "id"):
        newest[(record.purpose, record.response_key)] = record
    found: dict[UUID, Contact] = {}
    for purpose in (Contact.Purpose.TA_REQUEST, Contact.Purpose.RAFFLE):
        for (kind, key), record in newest.items():
            if kind == purpose and record.may_contact and key not in found:
                found[key] = record
    return found
