"""A real SMTP server in the test process (aiosmtpd), keeping what arrives; one that
refuses some recipients; and a listener that never answers (a mail server that hangs)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from django.test import override_settings

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
REFUSED = "refused.example.org"
# Refused with the address in the answer, as many real servers word it.
ECHOED = "echoed.example.org"


@dataclass
class Inbox:
    """The messages the server accepted, by recipient."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        return [message for rcpt, message in self.messages if address in rcpt]

    def clear(self) -> None:
        self.messages.clear()


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802  (aiosmtpd calls it by this name)
        if address.endswith("@" + REFUSED):
            return "550 5.1.1 Mailbox unavailable"
        if address.endswith("@" + ECHOED):
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.inbox.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(_Handler(inbox), hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def sending_to(port: int, timeout: int = 5):
    """Settings that send through the SMTP server on `port` (plain, on loopback)."""
    return override_settings(EMAIL_BACKEND=SMTP_BACKEND, EMAIL_HOST="127.0.0.1",
                             EMAIL_PORT=port, EMAIL_USE_TLS=False, EMAIL_USE_SSL=False,
                             EMAIL_TIMEOUT=timeout, EMAIL_HOST_USER="",
                             EMAIL_HOST_PASSWORD="")


@contextmanager
def silent_server() -> Iterator[int]:
    """Accepts connections and never says a word: the client must give up on its own."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused at once."""
    return _free_port()
