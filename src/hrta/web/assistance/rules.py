"""The instrument and readiness rules the TA pages work with, read once per process.

Apart from the selectors so that services (run at every `migrate`) need not import the
analysis the selectors use.
"""

from __future__ import annotations

from functools import lru_cache

from hrta.assistance.catalog import Vocabulary
from hrta.assistance.rules import Rules, load_rules
from hrta.instrument import Instrument, load


@lru_cache(maxsize=16)
def instrument_and_rules(instrument_id: str) -> tuple[Instrument, Rules]:
    """The instrument and its bundled readiness rules."""
    instrument = load(instrument_id)
    return instrument, load_rules(instrument)


def vocabulary(instrument_id: str) -> Vocabulary:
    """The ids each catalog field may hold for this instrument."""
    return Vocabulary(*instrument_and_rules(instrument_id))
