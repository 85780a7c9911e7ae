"""What changes stored responses: start, save a page, submit, resume, exclude, import.

Each function is one transaction, so a failure leaves nothing half-saved.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hrta.instrument import Section
from hrta.responses import ResponseSet
from hrta.web.surveys import flow
from hrta.web.surveys.models import Answer, AuditEntry, Response, Wave

# 160 random bits: more than the 128 a resume code needs to be unguessable.
RESUME_BYTES = 20


@dataclass(frozen=True)
class PageAnswer:
    """One stored answer row: a chosen option (with any "Other" text) or a text answer."""

    question_id: str
    option_id: str = ""
    value: str | None = None


def new_resume_code() -> str:
    """A random code shown to the respondent, in groups of four letters and digits."""
    raw = base64.b32encode(secrets.token_bytes(RESUME_BYTES)).decode().rstrip("=")
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def normalise_code(code: str) -> str:
    """Codes are read back from paper or a phone: ignore case, spaces and dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def start_response(*, wave: Wave, language: str = "en") -> tuple[Response, str]:
    code = new_resume_code()
    response = Response.objects.create(wave=wave, resume_hash=code_hash(code), language=language)
    return response, code


def find_by_code(code: str) -> Response | None:
    """The response a resume code opens, or None if the code is unknown or expired."""
    if not code or len(normalise_code(code)) != 32:
        return None
    response = (Response.objects.select_related("wave")
                .filter(resume_hash=code_hash(code)).first())
    if response is None or response.excluded:
        return None
    if not response.finished:
        expired = response.updated_at < timezone.now() - timedelta(days=settings.RESUME_DAYS)
        if expired or not response.wave.is_open():
            return None
    return response


def save_page(*, response: Response, section: Section, answers: Iterable[PageAnswer],
              page: int, language: str = "") -> Response:
    """Replace the answers to one page's questions; screen out on an ineligible answer.

    `language` is the one the page was answered in: a respondent may switch part way.
    """
    keys = [key for question in section.questions for key in flow.answer_keys(question)]
    rows = list(answers)
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.finished:
            return locked
        Answer.objects.filter(response=locked, question_id__in=keys).delete()
        Answer.objects.bulk_create(
            Answer(response=locked, question_id=a.question_id, option_id=a.option_id,
                   value=a.value) for a in rows)
        locked.page = max(locked.page, page)
        locked.language = language or locked.language
        locked.updated_at = timezone.now()
        chosen = chosen_options(locked)
        # The caller's response already holds the wave: no second look-up under the lock.
        if flow.is_ineligible(response.wave.instrument, chosen):
            locked.status = Response.Status.INELIGIBLE
            locked.submitted_at = locked.updated_at
        locked.save()
    return locked


def submit(*, response: Response) -> Response:
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.status == Response.Status.IN_PROGRESS:
            locked.status = Response.Status.SUBMITTED
            locked.submitted_at = locked.updated_at = timezone.now()
            locked.save()
    return locked


def chosen_options(response: Response) -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {}
    for question_id, option_id in response.answers.exclude(option_id="").values_list(
            "question_id", "option_id"):
        chosen.setdefault(question_id, []).append(option_id)
    return chosen


def set_excluded(*, response: Response, user: object, excluded: bool, reason: str) -> Response:
    """Exclude a response from the analysis (or include it again), with the reason audited."""
    reason = reason.strip()
    if not reason:
        raise ValueError("a reason is required")
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        locked.excluded = excluded
        locked.exclusion_reason = reason if excluded else ""
        locked.save(update_fields=["excluded", "exclusion_reason"])
        AuditEntry.objects.create(user=user, action="exclude" if excluded else "include",
                                  wave=locked.wave, response=locked, reason=reason)
    return locked


def record(*, action: str, user: object = None, wave: Wave | None = None,
           response: Response | None = None, reason: str = "",
           detail: Mapping[str, object] | None = None) -> AuditEntry:
    return AuditEntry.objects.create(action=action, user=user, wave=wave, response=response,
                                     reason=reason, detail=dict(detail or {}))


def import_responses(*, wave: Wave, responses: ResponseSet, user: object = None,
                     source_name: str = "") -> int:
    """Add an imported wave's responses (same ingest as the CLI) in one transaction.

    Contact details go to the contacts database, encrypted, keyed by the new response's
    public id. A respondent id already in the wave is refused: importing the same export
    twice must not double-count.
    """
    from hrta.web.contacts.models import Contact  # the contacts app imports this module

    ids = responses.respondents["response_id"].to_list()
    clash = (Response.objects.filter(wave=wave, respondent_id__in=ids)
             .values_list("respondent_id", flat=True).first())
    if clash is not None:
        raise ValueError(f"respondent {clash!r} is already in wave {wave.slug!r}; "
                         "this export (or part of it) was imported before")
    eligible = responses.respondents["eligible"].to_list()
    started = responses.respondents["started_at"].to_list()
    ended = responses.respondents["ended_at"].to_list()
    now = timezone.now()
    objects = [
        Response(wave=wave, respondent_id=rid, source=Response.Source.IMPORT,
                 status=Response.Status.SUBMITTED if ok else Response.Status.INELIGIBLE,
                 started_at=_timestamp(s) or now, updated_at=now,
                 submitted_at=_timestamp(e) or now, page=len(flow.pages(wave.instrument)))
        for rid, ok, s, e in zip(ids, eligible, started, ended, strict=True)
    ]
    answers = responses.answers.select(
        "row", pl.col("question_id").cast(pl.String), pl.col("option_id").cast(pl.String),
        "value")
    with transaction.atomic(), transaction.atomic(using="contacts"):
        created = Response.objects.bulk_create(objects, batch_size=2000)
        if created and created[0].pk is None:  # backends that do not return keys
            by_id = dict(Response.objects.filter(wave=wave, respondent_id__in=ids)
                         .values_list("respondent_id", "pk"))
            keys = [by_id[rid] for rid in ids]
        else:
            keys = [r.pk for r in created]
        Answer.objects.bulk_create(
            (Answer(response_id=keys[row], question_id=qid, option_id=oid or "", value=value)
             for row, qid, oid, value in answers.iter_rows()),
            batch_size=5000)
        contacts: dict[int, dict[str, str]] = {}
        for row, qid, value in responses.contacts.iter_rows():
            if value:
                contacts.setdefault(row, {})[qid] = value
        for row, details in contacts.items():
            contact = Contact(wave_slug=wave.slug, response_key=created[row].public_id,
                              raffle=True)
            contact.details = details
            contact.save()
        record(action="import", user=user, wave=wave,
               detail={"file": source_name, "responses": len(objects)})
    return len(objects)


def _timestamp(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
