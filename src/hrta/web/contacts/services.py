"""Saving the optional contact form shown after submission."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hrta.instrument import Instrument
from hrta.web.contacts.models import Contact
from hrta.web.surveys.models import Answer, Response

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
    if entering or may_contact:
        contact, _created = Contact.objects.get_or_create(
            response_key=response.public_id, defaults={"wave_slug": response.wave.slug})
        contact.raffle = entering
        contact.may_contact = may_contact
        contact.details = {k: v for k, v in details.items() if v}
        contact.save()
    return {}
