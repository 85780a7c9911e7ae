"""Sending one message, and keeping the trace of it in the audit log.

Each message is tried once: a refusal or a mail server that does not answer within
EMAIL_TIMEOUT seconds is reported back to the caller (to show on the page) and recorded,
never retried in the background. The audit entry names the kind of message and the error,
never the address or the text.
"""

from __future__ import annotations

import re
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email

from hrta.web.accounts.users import Someone
from hrta.web.surveys.models import Response, Wave
from hrta.web.surveys.services import record

MAX_ADDRESS = 254
# Django's check accepts what a mail server will: with no spaces, one @, a dotted domain.
_DOTTED = re.compile(r"@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Sent:
    """What became of one message: `error` is the mail server's answer when it failed."""

    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def clean_address(text: str) -> str | None:
    """The address, trimmed, if it looks deliverable; None if not."""
    address = text.replace("\x00", "").strip()
    if not address or len(address) > MAX_ADDRESS or not _DOTTED.search(address):
        return None
    try:
        validate_email(address)
    except ValidationError:
        return None
    return address


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def _failure(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [f"{code} {_text(reply)}" for code, reply in exc.recipients.values()]
        return "; ".join(codes) or "refused"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    # smtplib reports a greeting that never came as a lost connection, caused by the timeout.
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError) \
            or "timed out" in str(exc):
        return f"the mail server did not answer within {settings.EMAIL_TIMEOUT} seconds"
    return str(exc) or type(exc).__name__


def send(*, kind: str, to: str, subject: str, body: str, user: Someone = None,
         wave: Wave | None = None, response: Response | None = None,
         respondent: bool = False) -> Sent:
    """Send one plain-text message to one address; record that it went, or why not."""
    message = EmailMessage(subject=subject.replace("\n", " "), body=body,
                           from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        error = _failure(exc)
        # The server's answer often names the address: the log keeps it without.
        logged = re.sub(re.escape(to), "(the address)", error, flags=re.IGNORECASE)
        record(action="email_failed", user=user, wave=wave, response=response,
               respondent=respondent, detail={"kind": kind, "error": logged})
        return Sent(error=error)
    record(action="email_sent", user=user, wave=wave, response=response,
           respondent=respondent, detail={"kind": kind})
    return Sent()
