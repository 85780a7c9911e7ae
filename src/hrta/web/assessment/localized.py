"""The instrument in the respondent's language (labels per language beside the YAML)."""

from __future__ import annotations

from functools import lru_cache

from hrta.instrument import Instrument, load
from hrta.instrument.translation import translate


@lru_cache(maxsize=32)
def localized_instrument(instrument_id: str, language: str) -> Instrument:
    return translate(load(instrument_id), language)
