"""What changes stored responses: start, save a page, submit, resume, exclude, import.

Each function is one transaction, so a failure leaves nothing half-saved.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hrta.instrument import Section
from hrta.responses import ResponseSet
from hrta.web.accounts.users import Someone, account
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
    return _grouped(secrets.token_bytes(RESUME_BYTES))


def _grouped(raw: bytes) -> str:
    text = base64.b32encode(raw).decode().rstrip("=")
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def normalise_code(code: str) -> str:
    """Codes are read back from paper or a phone: ignore case, spaces and dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def start_response(*, wave: Wave, language: str = "en") -> tuple[Response, str]:
    code = new_resume_code()
    return _create(wave=wave, language=language, code=code), code


def _create(*, wave: Wave, language: str, code: str, start: str | None = None) -> Response:
    with transaction.atomic():
        response = Response.objects.create(wave=wave, resume_hash=code_hash(code),
                                           start_hash=start, language=language)
        record(action="response_start", wave=wave, response=response, respondent=True)
    return response


# The token of a landing page's Start form: as unguessable as a resume code.
START_BYTES = 20
_START_TOKEN = re.compile(r"[A-Za-z0-9_-]{27}")


def new_start_token() -> str:
    """The token a landing page's Start form carries (see start_from_form)."""
    return secrets.token_urlsafe(START_BYTES)


def start_from_form(*, wave: Wave, token: str,
                    language: str = "en") -> tuple[Response, str] | None:
    """Start a response for a posted Start form: one form, one response.

    The form's first POST makes the response; the same form posted again (a double-click,
    a reload, two requests racing) gets that response and its resume code back, because
    the database holds one response per token and the code is derived from the token.
    None when the token's response can no longer be continued from the form: it was sent,
    excluded, belongs to another wave, or waited longer than a resume code lasts. A form
    without a well-formed token starts a new response.
    """
    if not _START_TOKEN.fullmatch(token):
        return start_response(wave=wave, language=language)
    code = code_for_token(token)
    start = start_hash(token)
    try:
        return _create(wave=wave, language=language, code=code, start=start), code
    except IntegrityError:
        pass  # this form made its response already
    response = Response.objects.filter(start_hash=start).first()
    if response is None or response.wave_id != wave.pk or response.excluded \
            or response.finished \
            or response.updated_at < timezone.now() - timedelta(days=settings.RESUME_DAYS):
        return None
    return response, code


def code_for_token(token: str) -> str:
    """The resume code of the response a Start token starts (an invitation's personal
    link carries such a token too: hrta.web.invitations)."""
    return _grouped(hmac.new(settings.SECRET_KEY.encode(), f"resume:{token}".encode(),
                             hashlib.sha256).digest()[:RESUME_BYTES])


def start_hash(token: str) -> str:
    """What a response started from a Start token keeps of it: its start_hash."""
    return hashlib.sha256(f"start:{token}".encode()).hexdigest()


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
        record(action="answers_save", wave=response.wave, response=locked, respondent=True,
               detail={"page": page, "questions": sorted({a.question_id for a in rows}),
                       "status": locked.status})
    return locked


def submit(*, response: Response) -> Response:
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.status == Response.Status.IN_PROGRESS:
            locked.status = Response.Status.SUBMITTED
            locked.submitted_at = locked.updated_at = timezone.now()
            locked.save()
            record(action="response_submit", response=locked, respondent=True)
    return locked


def chosen_options(response: Response) -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {}
    for question_id, option_id in response.answers.exclude(option_id="").values_list(
            "question_id", "option_id"):
        chosen.setdefault(question_id, []).append(option_id)
    return chosen


def set_excluded(*, response: Response, user: Someone, excluded: bool, reason: str) -> Response:
    """Exclude a response from the analysis (or include it again), with the reason audited."""
    reason = reason.strip()
    if not reason:
        raise ValueError("a reason is required")
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        locked.excluded = excluded
        locked.exclusion_reason = reason if excluded else ""
        locked.save(update_fields=["excluded", "exclusion_reason"])
        record(action="exclude" if excluded else "include", user=user, wave=locked.wave,
               response=locked, reason=reason)
    return locked


# What changes a wave's Findings (every such change is audited): each queues them to be
# made anew once it commits (hrta.web.tasks.services.prepare_findings).
CHANGES_FINDINGS = frozenset({"response_submit", "import", "exclude", "include", "coding_code",
                              "coding_theme_added"})


def record(*, action: str, user: Someone = None, wave: Wave | None = None,
           response: Response | None = None, reason: str = "",
           detail: Mapping[str, object] | None = None,
           respondent: bool = False) -> AuditEntry:
    """Add an entry to the audit log, with who (as text, so it outlives the account),
    from where (hrta.web.audit: the request's client address, or the command's user) and
    which wave and response (by slug and by the name staff pages use).

    `respondent` marks a respondent's own change: their address is never kept, as no
    respondent's address is kept anywhere.
    """
    from hrta.web import audit

    origin = audit.current_origin()
    detail = dict(detail or {})
    if origin.os_user:
        detail.setdefault("os_user", origin.os_user)
    known = account(user)
    if wave is None and response is not None:
        wave = response.wave
    entry = AuditEntry.objects.create(
        action=action, user=known, username=known.get_username() if known else "",
        address="" if respondent else origin.address, via=origin.via,
        wave=wave, wave_slug=wave.slug if wave else "", response=response,
        response_ref=audit.response_name(response) if response else "",
        reason=reason, detail=detail)
    audit.ship(entry)
    if wave is not None and action in CHANGES_FINDINGS:
        from hrta.web.tasks.services import prepare_findings

        prepare_findings(wave=wave)
    return entry


def import_responses(*, wave: Wave, responses: ResponseSet, user: Someone = None,
                     source_name: str = "") -> int:
    """Add an imported wave's responses (same ingest as the CLI) in one transaction.

    Contact details go to the contacts database, encrypted, keyed by the new response's
    public id. A respondent id already in the wave is refused: importing the same export
    twice must not double-count. The check runs inside the transaction, and the database
    holds one response per respondent id in a wave (one_response_per_respondent_id), so
    two imports racing each other end with one saved and the other refused alike.

    The export's start and end dates are kept as the response's started and submitted
    times; the import time stands in only where the export has none.
    """
    from hrta.web.contacts.models import Contact  # the contacts app imports this module

    ids = responses.respondents["response_id"].to_list()
    eligible = responses.respondents["eligible"].to_list()
    started = responses.respondents["started_at"].to_list()
    ended = responses.respondents["ended_at"].to_list()
    now = timezone.now()
    objects = []
    for rid, ok, first, last in zip(ids, eligible, started, ended, strict=True):
        began = export_time(first) or export_time(last) or now
        objects.append(Response(
            wave=wave, respondent_id=rid, source=Response.Source.IMPORT,
            status=Response.Status.SUBMITTED if ok else Response.Status.INELIGIBLE,
            started_at=began, updated_at=now, submitted_at=export_time(last) or began,
            page=len(flow.pages(wave.instrument))))
    answers = responses.answers.select(
        "row", pl.col("question_id").cast(pl.String), pl.col("option_id").cast(pl.String),
        "value")
    try:
        with transaction.atomic(), transaction.atomic(using="contacts"):
            _refuse_imported(wave, ids)
            created = Response.objects.bulk_create(objects, batch_size=2000)
            if created and created[0].pk is None:  # backends that do not return keys
                by_id = dict(Response.objects.filter(wave=wave, respondent_id__in=ids)
                             .values_list("respondent_id", "pk"))
                keys = [by_id[rid] for rid in ids]
            else:
                keys = [r.pk for r in created]
            Answer.objects.bulk_create(
                (Answer(response_id=keys[row], question_id=qid, option_id=oid or "",
                        value=value)
                 for row, qid, oid, value in answers.iter_rows()),
                batch_size=5000)
            contacts: dict[int, dict[str, str]] = {}
            for row, qid, value in responses.contacts.iter_rows():
                if value:
                    contacts.setdefault(row, {})[qid] = value
            for row, details in contacts.items():
                contact = Contact(wave_slug=wave.slug, response_key=created[row].public_id,
                                  purpose=Contact.Purpose.RAFFLE, raffle=True)
                contact.details = details
                contact.save()
            record(action="import", user=user, wave=wave,
                   detail={"file": source_name, "responses": len(objects)})
    except IntegrityError:
        # Another import of these respondents committed while this one was saving.
        _refuse_imported(wave, ids)
        raise
    return len(objects)


class ImportedBeforeError(ValueError):
    """An import's respondent is already in the wave. The message is a template filled
    from `params`, so a page can show it in its reader's language (hrta.errors.InputError)."""

    template = ("respondent %(respondent)r is already in wave %(wave)r; this export (or part "
                "of it) was imported before")

    def __init__(self, respondent: str, wave: str) -> None:
        self.params = {"respondent": respondent, "wave": wave}
        super().__init__(self.template % self.params)


def _refuse_imported(wave: Wave, ids: list[str]) -> None:
    clash = (Response.objects.filter(wave=wave, respondent_id__in=ids)
             .values_list("respondent_id", flat=True).first())
    if clash is not None:
        raise ImportedBeforeError(clash, wave.slug)


# Times as SurveyMonkey's CSV writes them; ISO times (native files, XLSX cells, hrta's own
# downloads) are read first.
_EXPORT_TIME_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y")


def export_time(text: str | None) -> datetime | None:
    """A start or end time as an export writes it; a time without a zone is taken to be
    in the app's time zone (TIME_ZONE), as downloads write it back. None if unreadable."""
    text = (text or "").strip()
    if not text:
        return None
    moment = _parse(text)
    if moment is None:
        return None
    return moment if moment.tzinfo else timezone.make_aware(moment)


def _parse(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for fmt in _EXPORT_TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None

