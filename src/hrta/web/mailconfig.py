"""Reading the mail server's settings from the environment (see hrta.web.settings).

Without any, messages are printed to the console, which is what `make run` wants: a
developer sees each message without a mail server. A mistyped setting stops the app with
a message naming it, rather than losing mail quietly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
# Scheme -> (STARTTLS, TLS from the start, default port)
SCHEMES = {"smtp": (True, False, 587), "smtps": (False, True, 465),
           "smtp+insecure": (False, False, 25)}
TLS_CHOICES = {"starttls": (True, False), "ssl": (False, True), "none": (False, False)}


@dataclass(frozen=True)
class EmailSettings:
    backend: str = CONSOLE
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""
    starttls: bool = False
    ssl: bool = False
    timeout: int = 10
    sender: str = "hrta@localhost"


def _number(name: str, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: {text!r} is not a whole number") from None
    if value <= 0:
        raise ImproperlyConfigured(f"{name}: {value} must be above 0")
    return value


def attempts(env: Mapping[str, str]) -> int:
    """HRTA_EMAIL_ATTEMPTS: how often one message is tried in all (a whole number above 0)."""
    return _number("HRTA_EMAIL_ATTEMPTS", env.get("HRTA_EMAIL_ATTEMPTS", "3").strip())


def _from_url(url: str, timeout: int, sender: str) -> EmailSettings:
    parts = urlsplit(url)
    if parts.scheme == "console":
        return EmailSettings(timeout=timeout, sender=sender)
    if parts.scheme not in SCHEMES:
        raise ImproperlyConfigured(
            f"HRTA_EMAIL_URL: scheme {parts.scheme!r} is not one of "
            f"{', '.join(sorted([*SCHEMES, 'console']))} (write e.g. "
            "smtp://user:password@mail.example.org:587)")
    if not parts.hostname:
        raise ImproperlyConfigured("HRTA_EMAIL_URL: no mail server named after //")
    starttls, ssl, port = SCHEMES[parts.scheme]
    try:
        port = parts.port or port
    except ValueError:
        raise ImproperlyConfigured("HRTA_EMAIL_URL: the port is not a number") from None
    return EmailSettings(backend=SMTP, host=parts.hostname, port=port,
                         user=unquote(parts.username or ""),
                         password=unquote(parts.password or ""),
                         starttls=starttls, ssl=ssl, timeout=timeout, sender=sender)


def email_settings(env: Mapping[str, str]) -> EmailSettings:
    """The mail settings HRTA_EMAIL_URL, or else HRTA_EMAIL_HOST and its companions, give."""
    timeout = _number("HRTA_EMAIL_TIMEOUT", env.get("HRTA_EMAIL_TIMEOUT", "10"))
    sender = env.get("HRTA_EMAIL_FROM", "").strip() or "hrta@localhost"
    url = env.get("HRTA_EMAIL_URL", "").strip()
    if url:
        return _from_url(url, timeout, sender)
    host = env.get("HRTA_EMAIL_HOST", "").strip()
    if not host:
        return EmailSettings(timeout=timeout, sender=sender)
    tls = env.get("HRTA_EMAIL_TLS", "starttls").strip().lower()
    if tls not in TLS_CHOICES:
        raise ImproperlyConfigured(
            f"HRTA_EMAIL_TLS: {tls!r} is not one of starttls, ssl, none")
    starttls, ssl = TLS_CHOICES[tls]
    default_port = 465 if ssl else 587 if starttls else 25
    return EmailSettings(
        backend=SMTP, host=host,
        port=_number("HRTA_EMAIL_PORT", env.get("HRTA_EMAIL_PORT", str(default_port))),
        user=env.get("HRTA_EMAIL_USER", ""), password=env.get("HRTA_EMAIL_PASSWORD", ""),
        starttls=starttls, ssl=ssl, timeout=timeout, sender=sender)
