"""The instrument in the respondent's language (labels per language beside the YAML)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING

from hrta.instrument import Instrument, load
from hrta.instrument.translation import base_language, in_reading_order, translate

if TYPE_CHECKING:
    from hrta.web.surveys.models import Wave


def localized_instrument(source: str | Wave, language: str) -> Instrument:
    """A bundled instrument (by id) or a wave's instrument, in `language` where a
    translation exists. A wave with its own instrument YAML is asked in that YAML's words.
    Lists of names (states) come sorted for the reader's language (`in_reading_order`)."""
    if isinstance(source, str):
        return _bundled(source, language)
    if source.instrument_yaml:
        # Its words in `language` are the wave's own translation (kept with the YAML).
        overlays = source.instrument_translations or {}
        overlay = overlays.get(base_language(language))
        return _own(source.instrument_yaml, language,
                    json.dumps(overlay, sort_keys=True) if overlay else "")
    return _bundled(source.instrument_id, language)


@lru_cache(maxsize=32)
def _bundled(instrument_id: str, language: str) -> Instrument:
    source = load(instrument_id)
    return in_reading_order(translate(source, language), source, language)


@lru_cache(maxsize=32)
def _own(text: str, language: str, overlay: str) -> Instrument:
    """`overlay` is the wave's translation into `language` as JSON text (a cache key)."""
    from hrta.web.surveys.models import stored_instrument

    source = stored_instrument(text)
    overlays = {base_language(language): json.loads(overlay)} if overlay else {}
    return in_reading_order(translate(source, language, overlays=overlays), source, language)
