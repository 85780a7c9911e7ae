"""The instrument in the respondent's language (labels per language beside the YAML)."""

from __future__ import annotations

from functools import lru_cache

from hrta.instrument import Instrument, load


@lru_cache(maxsize=32)
def localized_instrument(instrument_id: str, language: str) -> Instrument:
    try:
        from hrta.instrument.translation import translate
    except ImportError:  # translations not installed: the instrument's own wording
        return load(instrument_id)
    return translate(load(instrument_id), language)
