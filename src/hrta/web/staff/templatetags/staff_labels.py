"""Words for the codes staff pages hold: audit actions, channels, languages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from hrta.web import audit
from hrta.web.surveys.models import AuditEntry, Response, Wave

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
        elif key in ("question", "questions") and entry.wave is not None:
            value = _question_names(entry.wave, value if isinstance(value, list) else [value])
        elif key in ("status", "was") and isinstance(value, str):
            value = _status_labels().get(value, value)
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value) or "–"
        parts.append(f"{DETAIL_KEYS.get(key, key)}: {value}")
    return "; ".join(parts)


# The names of the details actions record, as staff read them; an unknown one shows as
# it is stored.
DETAIL_KEYS = {
    "account": _("account"), "action": _("action"), "added": _("added"),
    "address": _("address"), "areas": _("TA areas"), "changed": _("changed"),
    "demo": _("demo"), "entry": _("entry"), "error": _("error"), "excluded": _("excluded"),
    "file": _("file"), "format": _("format"), "kind": _("kind"), "left_out": _("left out"),
    "mailing": _("mailing"), "may_contact": _("may be contacted"), "os_user": _("system user"),
    "page": _("page"), "password": _("password"), "question": _("question"),
    "questions": _("questions"), "raffle": _("raffle"), "recipients": _("recipients"),
    "removed": _("removed"), "request": _("request"), "requests": _("requests"),
    "responses": _("responses"), "role": _("role"), "scope": _("scope"),
    "settings": _("settings"), "source": _("source"), "status": _("status"),
    "task": _("task"), "theme": _("theme"), "themes": _("themes"), "title": _("title"),
    "token": _("token"), "via": _("via"), "was": _("was"), "wave": _("wave"),
}


def _status_labels() -> dict[str, str]:
    """A response's or a TA request's status by its label (their codes differ)."""
    from hrta.web.assistance.models import TARequest

    return {str(code): str(label) for choices in (Response.Status, TARequest.Status)
            for code, label in choices.choices}


def _question_names(wave: Wave, ids: list[object]) -> list[str]:
    """Questions by their short names in the reader's language (a matrix statement's
    answers by their question's); an id the instrument lacks stays as it is."""
    from django.utils.translation import get_language

    from hrta.web.assessment.localized import localized_instrument

    instrument = localized_instrument(wave, get_language() or "en")
    known = {question.id: question.short or question.text for question in instrument.questions}
    return [known.get(str(given).split(".")[0], str(given)) for given in ids]


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
