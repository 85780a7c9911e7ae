"""The instrument in the respondent's language (labels per language beside the YAML)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from hrta.instrument import Instrument, load
from hrta.instrument.translation import in_reading_order, translate

if TYPE_CHECKING:
    from hrta.web.surveys.models import Wave


def localized_instrument(source: str | Wave, language: str) -> Instrument:
    """A bundled instrument (by id) or a wave's instrument, in `language` where a
    translation exists. A wave with its own instrument YAML is asked in that YAML's words.
    Lists of names (states) come sorted for the reader's language (`in_reading_order`)."""
    if isinstance(source, str):
        return _bundled(source, language)
    if source.instrument_yaml:
        return _own(source.instrument_yaml, language)
    return _bundled(source.instrument_id, language)


@lru_cache(maxsize=32)
def _bundled(instrument_id: str, language: str) -> Instrument:
    source = load(instrument_id)
    return in_reading_order(translate(source, language), source, language)


@lru_cache(maxsize=32)
def _own(text: str, language: str) -> Instrument:
    from hrta.web.surveys.models import stored_instrument

    source = stored_instrument(text)
    return in_reading_order(translate(source, language), source, language)
