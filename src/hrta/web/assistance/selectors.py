"""What the TA pages read: a response's profile and plan, the catalog in use, a wave's
demand and cohorts, and the TA requests with their counts.

Plans, demand and cohorts are computed by hrta.assistance from
hrta.web.surveys.selectors.response_set — the ResponseSet the `hrta` command builds too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from hrta.assistance.answers import answers_of
from hrta.assistance.catalog import Catalog
from hrta.assistance.cohorts import Cohort, find_cohorts
from hrta.assistance.demand import build_demand
from hrta.assistance.plan import Plan, build_plan
from hrta.assistance.rules import Rules
from hrta.instrument import Instrument
from hrta.web.assessment.localized import localized_instrument
from hrta.web.assistance.models import CatalogEntry, TARequest
from hrta.web.assistance.rules import instrument_and_rules
from hrta.web.contacts import selectors as contacts
from hrta.web.staff.selectors import reference, wave_version
from hrta.web.surveys.models import Response, Wave
from hrta.web.surveys.selectors import analysed_responses, response_set

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CACHE_SECONDS = 60 * 60


# --- the catalog ----------------------------------------------------------------------------


def catalog_entries(*, instrument_id: str, retired: bool | None = False,
                    topic: str = "", resource_format: str = "") -> QuerySet[CatalogEntry]:
    """Catalog entries, by title; `retired` None lists retired and active ones alike."""
    entries = CatalogEntry.objects.filter(instrument_id=instrument_id)
    if retired is not None:
        entries = entries.filter(retired_at__isnull=not retired)
    if resource_format:
        entries = entries.filter(format=resource_format)
    found = entries.order_by("title", "id")
    if topic:
        # JSON list membership differs between SQLite and PostgreSQL; the catalog is small.
        return found.filter(pk__in=[e.pk for e in found if topic in e.topics])
    return found


def catalog_in_use(instrument_id: str) -> Catalog:
    """The catalog plans are matched against: every entry staff have not retired."""
    return Catalog(tuple(entry.to_resource() for entry in catalog_entries(
        instrument_id=instrument_id)))


# --- plans --------------------------------------------------------------------------------


def has_plan(response: Response) -> bool:
    """Submitted and not screened out, of an instrument with readiness rules: the
    responses a plan is made for."""
    return response.status == Response.Status.SUBMITTED and has_rules(response.wave)


def has_rules(wave: Wave) -> bool:
    """TA plans follow an instrument's readiness rules; a questionnaire drafted or imported
    from another tool has none (bundled rules are looked up by the instrument's id)."""
    from hrta.assistance.rules import bundled_rules_path

    return not wave.instrument_yaml and bundled_rules_path(wave.instrument_id).is_file()


def plan_of(response: Response, language: str | None = None) -> Plan | None:
    """The readiness profile and TA plan of a submitted response, or None when it has none
    (not finished, or screened out); written in `language` (the page's: the respondent's, or
    the staff member's).

    The response is named by its reference (a pseudonym for a web response): its public
    id keys contact details and never leaves the app.
    """
    if not has_plan(response):
        return None
    responses = response_set(response.wave, responses=[response])
    answers = answers_of(responses, responses.respondents["response_id"][0])
    if not answers.eligible:
        return None
    instrument, rules = instrument_and_rules(response.wave.instrument_id)
    answers = dataclasses.replace(answers, response_id=reference(response))
    return build_plan(answers, instrument=instrument, rules=rules,
                      catalog=catalog_in_use(instrument.id), language=language)


def area_labels(instrument: Instrument, rules: Rules, plan: Plan) -> list[str]:
    """The plan's areas in the instrument's wording (`instrument` may be a translation);
    an "Other" area is named by what the respondent typed."""
    question = instrument.question(rules.plan.areas_question)
    labels = []
    for area in plan.areas:
        option = question.option(area.id)
        labels.append(area.label if option.other else option.label)
    return labels


# --- demand and cohorts ---------------------------------------------------------------------


def _key(kind: str, wave: Wave, *parts: object) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
    return f"hrta:ta:{kind}:{wave.pk}:{wave_version(wave)}:{digest}"


def wave_demand(wave: Wave) -> dict[str, Any]:
    """The wave's TA demand (hrta.assistance.build_demand), small group counts hidden
    below HRTA_SUPPRESS_BELOW; kept while the wave's analysed responses are unchanged."""
    key = _key("demand", wave, settings.SUPPRESS_BELOW)
    found = cache.get(key)
    if found is None:
        _instrument, rules = instrument_and_rules(wave.instrument_id)
        found = build_demand(response_set(wave), rules=rules, threshold=settings.SUPPRESS_BELOW)
        cache.set(key, found, CACHE_SECONDS)
    return found


@dataclass(frozen=True)
class Invitee:
    reference: str
    public_id: UUID
    organization: str | None
    state: str | None
    contact: dict[str, str] | None
    """Name and e-mail, only for staff allowed to see contact details."""


@dataclass(frozen=True)
class CohortView:
    cohort: Cohort
    members: tuple[Invitee, ...]


def consenting_keys(wave: Wave) -> set[UUID]:
    """Public ids of the wave's responses that agreed to be contacted about TA
    (hrta.web.contacts.selectors.consenting)."""
    return set(contacts.consenting(wave_slug=wave.slug))


def wave_cohorts(wave: Wave, *, min_size: int | None = None,
                 with_contacts: bool = False) -> tuple[list[CohortView], int]:
    """Cohorts to invite (hrta.assistance.find_cohorts) among the wave's analysed
    responses that agreed to be contacted; and how many such responses there are."""
    _instrument, rules = instrument_and_rules(wave.instrument_id)
    agreed = contacts.consenting(wave_slug=wave.slug)
    keys = set(agreed)
    by_id = {r.response_id: r for r in analysed_responses(wave).filter(public_id__in=keys)}
    consenting = set(by_id)
    # Kept while the wave's answers and the consenting organizations stay the same.
    key = _key("cohorts", wave, min_size, sorted(consenting))
    cohorts = cache.get(key)
    if cohorts is None:
        cohorts = find_cohorts(response_set(wave), rules=rules, consenting=consenting,
                               min_size=min_size)
        cache.set(key, cohorts, CACHE_SECONDS)
    # The details given with the consent: never another form's.
    details = {public_id: record.details for public_id, record in agreed.items()} \
        if with_contacts else {}
    views = []
    for cohort in cohorts:
        members = tuple(Invitee(reference(by_id[m.response_id]), by_id[m.response_id].public_id,
                                m.organization, m.state,
                                contact_fields(details.get(by_id[m.response_id].public_id))
                                if with_contacts else None)
                        for m in cohort.members)
        views.append(CohortView(cohort, members))
    return views, len(consenting)


def contact_fields(details: dict[str, str] | None) -> dict[str, str]:
    """One contact record's name and e-mail (a record holds one form's answers)."""
    details = details or {}
    name = next((v for k, v in details.items() if "name" in k and v), "")
    email = next((v for k, v in details.items() if "email" in k and v), "")
    return {"name": name, "email": email}


def contact_of(request: TARequest) -> dict[str, Any] | None:
    """The name, e-mail and cohort consent sent with this TA request, never the
    thank-you page's."""
    contact = contacts.request_contact(request_id=request.pk,
                                       response_key=request.response.public_id)
    if contact is None:
        return None
    return {**contact_fields(contact.details), "may_contact": contact.may_contact}


# --- TA requests ----------------------------------------------------------------------------


def ta_requests(*, status: str = "", wave: Wave | None = None) -> QuerySet[TARequest]:
    found = TARequest.objects.select_related("wave", "response", "assignee")
    if wave is not None:
        found = found.filter(wave=wave)
    if status == "open":
        found = found.filter(status__in=OPEN)
    elif status:
        found = found.filter(status=status)
    return found.order_by("-received_at", "-id")


OPEN = (TARequest.Status.RECEIVED, TARequest.Status.ASSIGNED, TARequest.Status.SCHEDULED)


@dataclass(frozen=True)
class RequestCounts:
    total: int
    open: int
    by_status: list[tuple[str, StrOrPromise, int]]
    """(status, label, count) in the order requests move through."""
    delivered: int
    median_days: float | None
    """Median days from received to delivered, over delivered requests."""


def request_counts(requests: Iterable[TARequest] | None = None) -> RequestCounts:
    if requests is None:
        requests = TARequest.objects.only("status", "received_on", "delivered_on")
    rows = list(requests)
    counts = Counter(r.status for r in rows)
    days = [r.days_to_delivery for r in rows if r.days_to_delivery is not None]
    return RequestCounts(
        total=len(rows), open=sum(counts[s] for s in OPEN),
        by_status=[(s.value, s.label, counts[s.value]) for s in TARequest.Status],
        delivered=len(days), median_days=statistics.median(days) if days else None)


def open_request(response: Response) -> TARequest | None:
    """The response's newest request that is not yet delivered or closed."""
    return response.ta_requests.filter(status__in=OPEN).order_by("-received_at").first()


def request_area_labels(request: TARequest, language: str | None = None) -> list[str]:
    """The request's TA areas as the instrument words them (in `language` when given)."""
    instrument, rules = instrument_and_rules(request.wave.instrument_id)
    if language:
        instrument = localized_instrument(request.wave.instrument_id, language)
    question = instrument.question(rules.plan.areas_question)
    ids = set(question.option_ids)
    return [question.option(a).label if a in ids else a for a in request.areas]
