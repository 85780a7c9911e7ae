"""Pausing sign-in after repeated failures, so that guessing is slow but nobody can lock
out somebody else.

Failures are counted per username *and* client address. After LOGIN_FAILURE_LIMIT
failures in a row from one address for one username, that address may not try that
username for LOGIN_LOCKOUT_MINUTES; each further failure after a pause doubles the next
pause, up to LOGIN_LOCKOUT_MAX_MINUTES. Someone guessing the admin's password therefore
slows only their own guesses: the admin, at another address, signs in as usual. One
address is paused the same way after LOGIN_IP_FAILURE_LIMIT failures for any usernames
(guessing many accounts; 0 turns this off).

The client address is the one hrta.web.audit.client_address finds: behind a reverse
proxy listed in HRTA_TRUSTED_PROXIES, the client named by X-Forwarded-For, so clients
behind one proxy are counted apart. Attempts while paused are refused without checking the
password and do not lengthen the pause. Unknown usernames are counted exactly like real
ones, so the lockout never tells whether an account exists. A successful sign-in forgives
its own pair's failures; failures are forgotten after a quiet day longer than the longest
pause; `hrta user unlock NAME` lifts every pause on a username at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from hrta.web.accounts.models import SignInThrottle
from hrta.web.audit import client_address as _client_address
from hrta.web.surveys.services import record

Kind = SignInThrottle.Kind


@dataclass(frozen=True)
class Pause:
    """A pause that a failure has just started."""

    until: datetime
    minutes: int
    failures: int
    kind: str


def normalise(username: str) -> str:
    # Case variants of one name must share one count, or the limit multiplies.
    return username.strip().casefold()[:150]


def client_address(request: HttpRequest | None) -> str:
    """The client's address ("" when unknown), believing only trusted proxies."""
    return _client_address(request)


def _forget_after() -> timedelta:
    # Longer than the longest pause: coming back each time a pause ends keeps the count.
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MAX_MINUTES) + timedelta(days=1)


def _pause_minutes(failures: int, limit: int) -> int:
    if limit <= 0 or failures < limit:
        return 0
    doublings = min(failures - limit, 32)  # far past any cap; keeps the number small
    return min(settings.LOGIN_LOCKOUT_MINUTES * 2 ** doublings,
               settings.LOGIN_LOCKOUT_MAX_MINUTES)


def _scopes(username: str, address: str) -> list[tuple[str, str, str, int]]:
    """(kind, username, address, limit) of each count a try from `address` falls under."""
    scopes: list[tuple[str, str, str, int]] = [
        (Kind.PAIR, normalise(username), address, settings.LOGIN_FAILURE_LIMIT)]
    if address:  # clients of unknown address are not lumped together
        scopes.append((Kind.ADDRESS, "", address, settings.LOGIN_IP_FAILURE_LIMIT))
    return scopes


def paused_until(*, username: str, address: str) -> datetime | None:
    """When this username may be tried again from this address; None if it may now."""
    match = Q()
    for kind, name, where, _limit in _scopes(username, address):
        match |= Q(kind=kind, username=name, address=where)
    times = SignInThrottle.objects.filter(match, paused_until__gt=timezone.now()) \
        .values_list("paused_until", flat=True)
    return max((time for time in times if time is not None), default=None)


def _count(kind: str, username: str, address: str, limit: int,
           now: datetime) -> Pause | None:
    with transaction.atomic():
        row, _created = SignInThrottle.objects.select_for_update().get_or_create(
            kind=kind, username=username, address=address)
        if now - row.last_failure_at > _forget_after():
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        minutes = _pause_minutes(row.failures, limit)
        until = now + timedelta(minutes=minutes) if minutes else None
        row.paused_until = until
        row.save()
    if until is None:
        return None
    return Pause(until=until, minutes=minutes, failures=row.failures, kind=kind)


def note_failure(*, username: str, address: str) -> Pause | None:
    """Count a failed sign-in; the longest pause it started, if it started one."""
    now = timezone.now()
    pauses = [pause for kind, name, where, limit in _scopes(username, address)
              if (pause := _count(kind, name, where, limit, now)) is not None]
    # Housekeeping: counts this old would start again from nothing anyway.
    SignInThrottle.objects.filter(last_failure_at__lt=now - _forget_after()).delete()
    return max(pauses, key=lambda pause: pause.until, default=None)


def clear_failures(*, username: str, address: str) -> None:
    """A successful sign-in forgives its own pair's failures: not other addresses' tries
    at the same username, nor the address's tries at other usernames."""
    SignInThrottle.objects.filter(kind=Kind.PAIR, username=normalise(username),
                                  address=address).delete()


def unlock(*, username: str, address: str = "") -> int:
    """Forget every failure for `username` (and, given an address, every failure from
    it); return how many pauses were lifted."""
    match = Q(kind=Kind.PAIR, username=normalise(username))
    if address:
        match |= Q(address=address)
    found = SignInThrottle.objects.filter(match)
    with transaction.atomic():
        paused = found.filter(paused_until__gt=timezone.now()).count()
        found.delete()
        record(action="unlock", detail={"account": normalise(username),
                                        "address": address or None, "pauses": paused})
    return paused
