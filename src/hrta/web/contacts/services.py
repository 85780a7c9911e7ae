"""Saving the optional contact form shown after submission."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hrta.instrument import Instrument
from hrta.web.contacts.models import Contact, current
from hrta.web.surveys.models import Answer, Response
from hrta.web.surveys.services import record

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_FIELD = 200


def save_contact(*, response: Response, instrument: Instrument, data: Any) -> dict[str, str]:
    """Store the raffle choice as an answer and any contact details apart, encrypted.

    Returns errors by field name; nothing is saved when there are any.
    """
    errors: dict[str, str] = {}
    opt_in_question = next((q for q in instrument.questions
                            if not q.pii and any(d.show_if and d.show_if.question == q.id
                                                 for d in instrument.questions if d.pii)), None)
    opt_in = data.get(opt_in_question.id, "") if opt_in_question else ""
    if opt_in_question and opt_in and opt_in not in opt_in_question.option_ids:
        errors[opt_in_question.id] = _("Please choose from the options shown.")
    details: dict[str, str] = {}
    entering = bool(opt_in_question) and opt_in in (
        next(d.show_if.any_of for d in instrument.questions if d.pii and d.show_if)
        if opt_in_question else ())
    for question in instrument.questions:
        if not question.pii:
            continue
        value = data.get(question.id, "").replace("\x00", "").strip()
        if len(value) > MAX_FIELD:
            errors[question.id] = _("Please shorten this to %(limit)s characters or fewer.") % {
                "limit": MAX_FIELD}
        details[question.id] = value
    may_contact = data.get("may_contact") == "yes"
    # The instrument marks contact questions `pii`; an id naming e-mail marks the address.
    email = next((v for k, v in details.items() if "email" in k), "")
    if (entering or may_contact) and not email:
        errors["email"] = _("Please give an e-mail address so we can reach you.")
    elif email and not EMAIL.match(email):
        errors["email"] = _("Please check the e-mail address.")
    if errors:
        return errors
    with transaction.atomic():
        if opt_in_question and opt_in:
            Answer.objects.update_or_create(
                response=response, question_id=opt_in_question.id,
                defaults={"option_id": opt_in})
    earlier = current(Contact.Purpose.RAFFLE).filter(response_key=response.public_id)
    if entering or may_contact or earlier.exists():
        # A new record, also to say "no longer": the earlier one stays as history.
        add_record(response_key=response.public_id, wave_slug=response.wave.slug,
                   purpose=Contact.Purpose.RAFFLE, raffle=entering, may_contact=may_contact,
                   details=details if entering or may_contact else {})
    if opt_in or entering or may_contact:
        # Which choices were made, never the details themselves.
        record(action="contact_save", response=response, respondent=True,
               detail={"raffle": entering, "may_contact": may_contact})
    return {}


def add_record(*, response_key: UUID, wave_slug: str, purpose: str, details: dict[str, str],
               raffle: bool = False, may_contact: bool = False,
               ta_request: int | None = None) -> Contact:
    """Keep one form's contact details as a new record.

    The same form's earlier record (for the response; for a TA request, for that request)
    is marked replaced and otherwise left as it was; another form's records are never
    touched. The database keeps one current record per form, so two copies of one form
    sent at the same moment end as one current record and one replaced.
    """
    contact = Contact(wave_slug=wave_slug, response_key=response_key, purpose=purpose,
                      ta_request=ta_request, raffle=raffle, may_contact=may_contact)
    contact.details = {k: v for k, v in details.items() if v}
    try:
        return _replace(contact)
    except IntegrityError:
        # The other copy saved first, between our update and insert: replace it in turn.
        return _replace(contact)


def _replace(contact: Contact) -> Contact:
    with transaction.atomic(using="contacts"):
        same_form = ({"ta_request": contact.ta_request}
                     if contact.purpose == Contact.Purpose.TA_REQUEST
                     else {"response_key": contact.response_key})
        current(contact.purpose).filter(**same_form).update(replaced_at=timezone.now())
        contact.pk = None
        contact.save()
    return contact
