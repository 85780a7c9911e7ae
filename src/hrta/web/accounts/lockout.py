"""Pausing sign-in after repeated failures, per username and per client address.

A username is locked when its last LOGIN_FAILURE_LIMIT failures all fell within
LOGIN_LOCKOUT_MINUTES, until LOGIN_LOCKOUT_MINUTES after the last of them; an address the
same way with LOGIN_IP_FAILURE_LIMIT (0 turns the address limit off, e.g. behind a proxy
that hides clients' addresses). Attempts while locked are refused without checking the
password and do not extend the lock. Usernames that do not exist are counted the same as
real ones, so the lockout never tells whether an account exists.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from hrta.web.accounts.models import LoginFailure


def normalise(username: str) -> str:
    # Case variants of one name must share one count, or the limit multiplies.
    return username.strip().casefold()[:150]


def client_address(request: HttpRequest | None) -> str | None:
    """The peer address as the server saw it (a proxy's own address behind a proxy)."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:  # e.g. served on a Unix socket
        return None


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _limits() -> tuple[int, int]:
    return settings.LOGIN_FAILURE_LIMIT, getattr(settings, "LOGIN_IP_FAILURE_LIMIT", 0)


def _locked_until(failures: QuerySet[LoginFailure], limit: int) -> datetime | None:
    if limit <= 0:
        return None
    recent = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
    if len(recent) < limit or recent[0] - recent[-1] > _window():
        return None
    until = recent[0] + _window()
    return until if until > timezone.now() else None


def locked_until(*, username: str, address: str | None) -> datetime | None:
    """When sign-in opens again for this username or address; None if it is open now."""
    user_limit, address_limit = _limits()
    times = [_locked_until(LoginFailure.objects.filter(username=normalise(username)),
                           user_limit)]
    if address:
        times.append(_locked_until(LoginFailure.objects.filter(address=address),
                                   address_limit))
    found = [t for t in times if t is not None]
    return max(found) if found else None


def note_failure(*, username: str, address: str | None) -> datetime | None:
    """Count a failed sign-in; return when sign-in opens again if this failure locked it."""
    now = timezone.now()
    # Failures older than the window can no longer lock anything.
    LoginFailure.objects.filter(at__lt=now - _window()).delete()
    LoginFailure.objects.create(username=normalise(username), address=address, at=now)
    return locked_until(username=username, address=address)


def clear_failures(*, username: str) -> None:
    """A successful sign-in forgives the username's failures (not the address's: one valid
    account must not reset the count for guesses at others)."""
    LoginFailure.objects.filter(username=normalise(username)).delete()
