"""What the staff pages read: a wave's Findings (cached), its dashboard, its responses.

Findings come from hrta.analysis.pipeline.analyse on hrta.web.surveys.selectors.response_set
— the one code path the `hrta` command also takes. They are cached per wave, filters and
language, under a key that changes whenever the wave's analysed responses change, in the
database cache (settings.CACHES), so every server reads what one worked out. The cache
holds their JSON, read back with Findings.load: an entry an earlier hrta wrote still reads,
and one that no longer fits the model is computed again.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from hrta.analysis.pipeline import analyse
from hrta.errors import InputError
from hrta.findings import Findings
from hrta.findings.model import ResponseCounts
from hrta.instrument.schema import Question
from hrta.responses import ResponseSet
from hrta.web.assessment.localized import localized_instrument
from hrta.web.coding.selectors import add_confirmed_themes, coding_version, released_quotes
from hrta.web.staff import duplicates, figures
from hrta.web.staff.filters import FilterField, Selection, fields, filter_responses
from hrta.web.surveys.models import AuditEntry, Response, Wave
from hrta.web.surveys.selectors import analysed_responses, response_set

CACHE_SECONDS = 60 * 60
CACHED_RESPONSES = 20_000
log = logging.getLogger(__name__)


def wave_version(wave: Wave) -> str:
    """Changes whenever the wave's analysed responses change: a new or changed finished
    response, an exclusion or inclusion (always audited), an import."""
    stats = analysed_responses(wave).aggregate(count=Count("id"), latest=Max("updated_at"))
    last_change = (AuditEntry.objects.filter(wave=wave, action__in=("exclude", "include",
                                                                     "import"))
                   .aggregate(last=Max("id"))["last"])
    raw = f"{wave.pk}:{wave.instrument_id}:{stats['count']}:{stats['latest']}:{last_change}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _key(kind: str, wave: Wave, version: str, selection: Selection = ()) -> str:
    chosen = "&".join(f"{k}={v}" for k, v in selection)
    digest = hashlib.sha256(chosen.encode()).hexdigest()[:16]
    return f"hrta:{kind}:{wave.pk}:{version}:{digest}:{get_language() or ''}"


def wave_findings(wave: Wave, selection: Selection = ()) -> Findings:
    """The Findings of the wave's analysed responses, of those the filters keep."""
    version = wave_version(wave)
    return _findings(wave, version, _coded(wave, version), selection)


def _coded(wave: Wave, version: str) -> str:
    # Confirmed codes change the coding blocks without changing the responses.
    return f"{version}:{coding_version(wave)}"


def _responses(wave: Wave, version: str) -> ResponseSet:
    """The wave's ResponseSet, kept while the wave is unchanged (and not too large to keep
    in each server process's memory): every filter starts from it. Only this is kept per
    process (the "local" cache), under the wave's version: nothing else depends on it."""
    local = caches["local"]
    key = _key("responses", wave, version)
    found = local.get(key)
    if found is None:
        found = response_set(wave)
        if found.total <= CACHED_RESPONSES:
            local.set(key, found, CACHE_SECONDS)
    return found


def findings_key(wave: Wave, selection: Selection = ()) -> str:
    """Where the cache keeps the wave's Findings JSON as it is now, for these filters and
    the language of the request."""
    return _findings_key(wave, _coded(wave, wave_version(wave)), selection)


def _findings_key(wave: Wave, coded: str, selection: Selection) -> str:
    return _key("findings", wave, coded, selection)


def _findings(wave: Wave, version: str, coded: str, selection: Selection) -> Findings:
    key = _findings_key(wave, coded, selection)
    kept = cache.get(key)
    if kept is not None:
        try:
            return Findings.load(kept)
        except InputError:
            log.warning("cached Findings of wave %s no longer fit; computing them again",
                        wave.slug)
    chosen = filter_responses(_responses(wave, version), selection)
    findings = analyse(chosen, themes=partial(add_confirmed_themes, wave=wave))
    cache.set(key, findings.to_json(), CACHE_SECONDS)
    return findings


@dataclass(frozen=True)
class Dashboard:
    version: str  # the wave's version these figures show (older than now: new data since)
    responses: ResponseCounts
    parts: list[figures.Part]
    filters: list[FilterField]
    threshold: int | None
    too_few: bool
    # Names this view's figures in the cache: the page keeps its rendered figures under it,
    # so a view after the first renders none of its tables again.
    key: str = ""
    # The coded themes panel (hrta.web.coding.templatetags.coding.themes_panel).
    themes: list[dict[str, Any]] = field(default_factory=list)
    now: str = ""  # the wave's version now


@dataclass(frozen=True)
class _Drawn:
    """What a dashboard keeps in the cache beside its Findings (which have their own): all
    its page reads, so that a view of a wave whose figures are made reads no Findings."""

    responses: ResponseCounts
    parts: list[figures.Part]
    filters: list[FilterField]
    too_few: bool
    themes: list[dict[str, Any]]


# How long a queued `findings` task is waited for (and a running one whose worker has not
# said it is alive): longer than a busy queue takes to reach it, short enough that a site
# whose worker is down soon computes on view.
PREPARING_SECONDS = 120


def dashboard(wave: Wave, selection: Selection = (), *, now: bool = False) -> Dashboard:
    """The figures a dashboard view shows. A filtered view hides small counts.

    Right after new data, while a worker makes the wave's new Findings and charts
    (hrta.web.tasks.runners.findings), the whole wave's view is the last one made, read from
    the cache: its `version` is then older than the wave's, and the page says new answers
    have come in. Analysing in the request instead would make staff wait seconds on every
    view after every submission of a busy hour. `now`: the view of the wave as it is now
    (what the worker makes), never the last one made.

    A view whose figures are made is read from the cache in one piece (_Drawn), without
    its Findings: a few small queries and that read are all a request does."""
    version = wave_version(wave)
    coded = _coded(wave, version)
    released = released_quotes(wave)
    key = _drawn_key(wave, coded, released, selection)
    drawn = cache.get(key)
    if isinstance(drawn, _Drawn):
        view = _view(drawn, version, key, settings.SUPPRESS_BELOW if selection else None,
                     version)
    else:
        if not (selection or now):
            # Until the worker has made the whole view, charts included, the last one made.
            last = _last_made(wave, released, version)
            if last is not None:
                return last
        view = _dashboard(wave, version, coded, selection, released, charts=now)
    if not selection:
        latest = _key("latest", wave, "")
        # A write only when it changes: every view writing would queue staff behind the
        # respondents' submissions for SQLite's one writer.
        if cache.get(latest) != (version, coded):
            cache.set(latest, (version, coded), CACHE_SECONDS)
    return view


def _last_made(wave: Wave, released: frozenset[str], now: str) -> Dashboard | None:
    """The whole wave's last dashboard made, while a worker makes the new one; else None."""
    from hrta.web.tasks.models import Job
    from hrta.web.tasks.services import findings_key as job_key

    latest = cache.get(_key("latest", wave, ""))
    if not (settings.HRTA_PREPARE_FINDINGS and isinstance(latest, tuple)):
        return None
    since = timezone.now() - timedelta(seconds=PREPARING_SECONDS)
    waited = (Q(status=Job.Status.QUEUED, created_at__gte=since)
              | Q(status=Job.Status.RUNNING, heartbeat_at__gte=since))
    if not Job.objects.filter(waited, key=job_key(wave)).exists():
        return None
    version, coded = latest
    drawn = cache.get(_drawn_key(wave, coded, released, ()))
    if isinstance(drawn, _Drawn):
        return _view(drawn, version, _drawn_key(wave, coded, released, ()), None, now)
    if not cache.has_key(_findings_key(wave, coded, ())):
        return None
    return _dashboard(wave, version, coded, (), released, now)


def _drawn_key(wave: Wave, coded: str, released: frozenset[str], selection: Selection) -> str:
    # The write-ins an analyst released from the name screen change the figures' lists,
    # not the Findings.
    freed = hashlib.sha256("\n".join(sorted(released)).encode()).hexdigest()[:12]
    return _key("dashboard", wave, f"{coded}:{freed}", selection)


def _dashboard(wave: Wave, version: str, coded: str, selection: Selection,
               released: frozenset[str], now: str = "", *, charts: bool = False) -> Dashboard:
    """`charts`: draw the figures' chart images before the view is kept, so no one who
    sees the new figures waits for their charts (the worker's way)."""
    from hrta.web.coding.templatetags.coding import themes_panel

    threshold = settings.SUPPRESS_BELOW if selection else None
    key = _drawn_key(wave, coded, released, selection)
    drawn = cache.get(key)
    if not isinstance(drawn, _Drawn):
        findings = _findings(wave, version, coded, selection)
        few = figures.too_few(findings, threshold)
        language = get_language() or "en"
        worded = localized_instrument(wave, language)
        whole = _findings(wave, version, coded, ()) if selection and not few else None
        # The figures read in the page's language: its catalog, the questionnaire's words.
        drawn = _Drawn(responses=findings.responses,
                       parts=[] if few else figures.findings_parts(
                           findings, threshold=threshold, language=language, instrument=worded,
                           released=released, whole=whole),
                       filters=fields(_responses(wave, version), selection, worded),
                       too_few=few,
                       themes=themes_panel(findings, threshold, wave, released))
        if charts:
            for part in drawn.parts:
                for block in part.blocks:
                    figures.chart_svg(block)
        cache.set(key, drawn, CACHE_SECONDS)
    return _view(drawn, version, key, threshold, now or version)


def _view(drawn: _Drawn, version: str, key: str, threshold: int | None, now: str) -> Dashboard:
    return Dashboard(version=version, responses=drawn.responses, parts=drawn.parts,
                     filters=drawn.filters, threshold=threshold, too_few=drawn.too_few,
                     key=key, themes=drawn.themes, now=now)


@dataclass(frozen=True)
class LiveStatus:
    version: str
    submitted: int
    screened_out: int
    in_progress: int
    excluded: int
    updated_at: datetime | None


def live_status(wave: Wave, *, version: str = "") -> LiveStatus:
    """How many responses the wave has now, and when one last changed (a few counts;
    cheap enough to ask every 30 seconds). `version`: the wave's, when the caller has it."""
    statuses = Response.Status
    counts = Response.objects.filter(wave=wave).aggregate(
        submitted=Count("id", filter=Q(status=statuses.SUBMITTED, excluded=False)),
        screened_out=Count("id", filter=Q(status=statuses.INELIGIBLE, excluded=False)),
        in_progress=Count("id", filter=Q(status=statuses.IN_PROGRESS, excluded=False)),
        excluded=Count("id", filter=Q(excluded=True)),
        updated_at=Max("updated_at"))
    return LiveStatus(version=version or wave_version(wave), **counts)


def likely_duplicates(wave: Wave) -> dict[int, list[int]]:
    """Cached like Findings: the pairs change only when the wave's responses do."""
    key = _key("duplicates", wave, wave_version(wave))
    found = cache.get(key)
    if found is None:
        found = duplicates.likely_duplicates(wave)
        cache.set(key, found, CACHE_SECONDS)
    return found


def wave_responses(wave: Wave, *, show: str = "") -> QuerySet[Response]:
    """The wave's responses for the list, newest first; `show` narrows it."""
    responses = Response.objects.filter(wave=wave).order_by("-started_at", "-id")
    if show == "excluded":
        return responses.filter(excluded=True)
    if show in {choice.value for choice in Response.Status}:
        return responses.filter(status=show)
    return responses


def reference(response: Response) -> str:
    """How staff pages and exports name a response: an import's respondent id, or a web
    response's pseudonym."""
    return response.respondent_id or web_reference(response.public_id)


def web_reference(public_id: uuid.UUID | str) -> str:
    """A web response's name outside the database. Its random public id also keys any
    contact entry, so that id never leaves the app: the pseudonym is a keyed hash of it,
    which cannot be matched to contact entries without the secret key."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"response:{public_id}".encode(),
                      hashlib.sha256).hexdigest()
    return f"W-{digest[:10].upper()}"


@dataclass(frozen=True)
class AnswerLine:
    question: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class AnswerSection:
    title: str
    lines: tuple[AnswerLine, ...]


def answers_with_labels(response: Response, language: str | None = None
                        ) -> list[AnswerSection]:
    """A response's answers, question by question, with the instrument's labels (in
    `language` where the instrument has a translation). Contact questions are never shown
    (their answers are not stored with answers anyway)."""
    instrument = localized_instrument(response.wave, language) if language \
        else response.wave.instrument
    stored: dict[str, list[tuple[str, str | None]]] = {}
    for question_id, option_id, value in response.answers.order_by("id").values_list(
            "question_id", "option_id", "value"):
        stored.setdefault(question_id, []).append((option_id, value))
    sections = []
    for section in instrument.sections:
        lines: list[AnswerLine] = []
        for question in section.questions:
            if question.pii:
                continue
            if question.type == "matrix":
                for statement in question.statements:
                    rows = stored.get(f"{question.id}.{statement.id}", [])
                    lines.append(AnswerLine(f"{question.text} — {statement.text}",
                                            _labels(question, rows)))
            else:
                lines.append(AnswerLine(question.text, _labels(question, stored.get(
                    question.id, []))))
        if lines:
            sections.append(AnswerSection(section.title, tuple(lines)))
    return sections


def _labels(question: Question, rows: list[tuple[str, str | None]]) -> tuple[str, ...]:
    labels = []
    for option_id, value in rows:
        if not option_id:
            labels.append(value or "")
            continue
        label = next((o.label for o in question.options if o.id == option_id), option_id)
        labels.append(f"{label}: {value}" if value else label)
    return tuple(labels)


def audit_entries(*, wave_slug: str = "", action: str = "") -> QuerySet[AuditEntry]:
    """Entries newest first; by the wave's slug as written, so a deleted wave's remain."""
    entries = AuditEntry.objects.select_related("response")
    if wave_slug:
        entries = entries.filter(wave_slug=wave_slug)
    if action:
        entries = entries.filter(action=action)
    return entries.order_by("-at", "-id")
