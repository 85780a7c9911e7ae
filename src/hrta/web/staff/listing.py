"""The responses list: what staff search and filter it by, and what each row says.

A response is found by the name staff pages give it (an import's respondent id, or a web
response's pseudonym "W-…"), and filtered by its answers to the organization questions
(organization type, state), its status and the day it was submitted. Rows name the state
and organization type with the instrument's labels, never option ids.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hrta.instrument import Instrument
from hrta.web.staff import selectors
from hrta.web.surveys.models import Answer, Response, Wave

SHOW = ("", "submitted", "ineligible", "in_progress", "excluded", "duplicates")
# The organization questions a row names and the list filters by (question ids of the
# bundled instrument; a wave whose instrument lacks one has no such filter or column).
COLUMNS = ("state", "org_type")
MAX_SEARCH = 200


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    options: tuple[tuple[str, str], ...]  # (option id, label), in the instrument's order
    chosen: str


@dataclass(frozen=True)
class ResponseFilter:
    """What the list is narrowed to; every field blank means the whole wave."""

    search: str = ""
    show: str = ""
    answers: tuple[tuple[str, str], ...] = ()  # (question id, option id)
    submitted_from: date | None = None
    submitted_to: date | None = None

    def query(self) -> list[tuple[str, str]]:
        """The filter as query-string pairs, to keep in page links."""
        return [("q", self.search), ("show", self.show), *self.answers,
                ("from", self.submitted_from.isoformat() if self.submitted_from else ""),
                ("to", self.submitted_to.isoformat() if self.submitted_to else "")]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None  # a mistyped date narrows nothing, rather than failing the page


def _options(instrument: Instrument, question_id: str) -> dict[str, str]:
    known = {question.id: question for question in instrument.analysable_questions()}
    question = known.get(question_id)
    if question is None or question.type != "single":
        return {}
    return {option.id: option.label for option in question.options}


def read_filter(instrument: Instrument, params: Mapping[str, str]) -> ResponseFilter:
    """The filter a query string asks for; unknown values are left out."""
    show = params.get("show", "")
    answers = tuple((key, value) for key in COLUMNS
                    if (value := params.get(key, "")) in _options(instrument, key))
    return ResponseFilter(search=params.get("q", "").strip()[:MAX_SEARCH],
                          show=show if show in SHOW else "", answers=answers,
                          submitted_from=_day(params.get("from", "")),
                          submitted_to=_day(params.get("to", "")))


def choices(instrument: Instrument, chosen: ResponseFilter) -> list[Choice]:
    """The answer filters this wave's instrument can serve, with their options."""
    picked = dict(chosen.answers)
    labels = {"state": _("State"), "org_type": _("Organization type")}
    return [Choice(key, str(labels[key]), tuple(options.items()), picked.get(key, ""))
            for key in COLUMNS if (options := _options(instrument, key))]


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _matching(wave: Wave, search: str) -> Q:
    """Responses named by `search`: a respondent id containing it, a pseudonym equal to
    it, or (pasted from a link) the response's id."""
    match = Q(respondent_id__icontains=search)
    wanted = search.upper()
    if wanted.startswith("W-"):
        # The pseudonym is a keyed hash: it cannot be searched in the database, so the
        # wave's web responses are named one by one (fast: a hash each).
        ids = Response.objects.filter(wave=wave, respondent_id="").values_list(
            "pk", "public_id")
        match |= Q(pk__in=[pk for pk, public_id in ids
                           if selectors.web_reference(public_id) == wanted])
    with contextlib.suppress(ValueError):  # not an id: the other two ways only
        match |= Q(public_id=uuid.UUID(search))
    return match


def filtered(wave: Wave, chosen: ResponseFilter,
             flagged: Mapping[int, object]) -> QuerySet[Response]:
    """The wave's responses the filter keeps, newest first."""
    show = "" if chosen.show == "duplicates" else chosen.show
    responses = selectors.wave_responses(wave, show=show)
    if chosen.show == "duplicates":
        responses = responses.filter(pk__in=list(flagged))
    if chosen.search:
        responses = responses.filter(_matching(wave, chosen.search))
    for question_id, option_id in chosen.answers:
        responses = responses.filter(Exists(Answer.objects.filter(
            response=OuterRef("pk"), question_id=question_id, option_id=option_id)))
    if chosen.submitted_from:
        responses = responses.filter(submitted_at__gte=_midnight(chosen.submitted_from))
    if chosen.submitted_to:
        responses = responses.filter(
            submitted_at__lt=_midnight(chosen.submitted_to + timedelta(days=1)))
    return responses


@dataclass(frozen=True)
class Row:
    response: Response
    reference: str
    duplicate: bool
    state: str
    org_type: str


def rows(instrument: Instrument, responses: Sequence[Response],
         flagged: Mapping[int, object]) -> list[Row]:
    """One row per response of a page, naming its state and organization type."""
    labels = {key: _options(instrument, key) for key in COLUMNS}
    named: dict[tuple[int, str], str] = {}
    for response_id, question_id, option_id in Answer.objects.filter(
            response__in=[r.pk for r in responses], question_id__in=COLUMNS
    ).values_list("response_id", "question_id", "option_id"):
        named[(response_id, question_id)] = labels[question_id].get(option_id, option_id)
    return [Row(response=r, reference=selectors.reference(r), duplicate=r.pk in flagged,
                state=named.get((r.pk, "state"), ""),
                org_type=named.get((r.pk, "org_type"), "")) for r in responses]
