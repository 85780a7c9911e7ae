"""Words for the codes staff pages hold: audit actions, channels, languages."""

from __future__ import annotations

from django import template

from hrta.web import audit
from hrta.web.surveys.models import AuditEntry, Wave

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return audit.action_label(code)


@register.filter
def channel_label(code: str) -> str:
    return audit.channel_label(code)


@register.filter
def language_name(code: str) -> str:
    """A response's language by name in the reader's language ("Spanish", "español");
    a code Django does not know stays as it is."""
    from django.utils.translation import get_language_info, gettext

    try:
        return gettext(get_language_info(code)["name"])
    except KeyError:
        return code


@register.filter
def detail_words(entry: AuditEntry) -> str:
    """An entry's details as "key: value" pairs, lists without brackets, and the TA areas
    a request names in the questionnaire's words (in the reader's language)."""
    parts = []
    for key, value in (entry.detail or {}).items():
        if key == "areas" and isinstance(value, list) and entry.wave is not None:
            value = _area_labels(entry.wave, [str(area) for area in value])
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value) or "–"
        parts.append(f"{key}: {value}")
    return "; ".join(parts)


def _area_labels(wave: Wave, areas: list[str]) -> list[str]:
    from django.utils.translation import get_language

    from hrta.instrument.translation import translate
    from hrta.web.assistance.rules import instrument_and_rules
    from hrta.web.assistance.selectors import has_rules

    if not has_rules(wave):
        return areas
    instrument, rules = instrument_and_rules(wave.instrument_id)
    question = translate(instrument, get_language() or "en").question(
        rules.plan.areas_question)
    known = set(question.option_ids)
    return [question.option(area).label if area in known else area for area in areas]
