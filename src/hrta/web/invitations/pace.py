"""The send rate limit (HRTA_EMAIL_RATE): at most N messages in any window of a second,
a minute or an hour, counted over every mailing and every worker (they share the
database), so two batches sent at once keep to it together."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

UNITS = {"second": 1, "minute": 60, "hour": 3600}
_RATE = re.compile(r"\s*(\d+)\s*/\s*(second|minute|hour)s?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    def __str__(self) -> str:
        unit = next(name for name, length in UNITS.items() if length == self.seconds)
        return f"{self.count}/{unit}"


def parse_rate(text: str) -> Rate:
    """'60/minute' → Rate(60, 60); anything else is refused, saying what is expected."""
    found = _RATE.fullmatch(text or "")
    if not found or int(found.group(1)) < 1:
        raise ImproperlyConfigured(f"HRTA_EMAIL_RATE: {text!r} is not a rate such as 60/minute "
                         "(a whole number of messages per second, minute or hour)")
    return Rate(int(found.group(1)), UNITS[found.group(2).lower()])
