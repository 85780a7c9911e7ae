"""What changes coding data: a coding run (the one place the embedding model is used),
people's codes, themes added to a wave's codebook, proposals dismissed, quotes released.

A run is started by an explicit action and worked as a Job (hrta.web.tasks) by whichever
worker takes it, while the page shows its progress. At most one run per wave is queued or
working at a time, across every server: the Job's key is the wave's, held unique among
active Jobs by the database (so two clicks, two tabs or two servers start one run, and two
runs never each take a worker's cores for one wave). The model and each codebook's trained
coder are loaded once per worker process (hrta.coding.autocode.coder_for keeps them).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hrta.coding.review import review_order
from hrta.errors import InputError
from hrta.web.accounts.users import Someone
from hrta.web.coding.models import (
    CodingRun,
    HumanCode,
    ProposedTheme,
    ReleasedQuote,
    Suggestion,
    WaveCodebook,
    WaveTheme,
)
from hrta.web.coding.selectors import wave_codebook, withheld
from hrta.web.surveys.models import Response, Wave
from hrta.web.surveys.selectors import analysed_responses, response_set
from hrta.web.surveys.services import record

if TYPE_CHECKING:
    from hrta.web.tasks.work import Working

log = logging.getLogger(__name__)
# Progress is written to the database at most this often (seconds).
PROGRESS_EVERY = 0.5
THEME_ID = re.compile(r"^[a-z0-9][a-z0-9_]{0,59}$")
BUSY = "This wave is already being coded: wait for that run to finish, or cancel it."


class CodingError(ValueError):
    """A request the coding services refuse, said in words a person can act on."""


def job_key(wave: Wave) -> str:
    """The key of a wave's coding Job: one active per wave."""
    return f"coding:{wave.pk}"


def start_run(*, wave: Wave, question: str, user: User, wait: bool = False) -> CodingRun:
    """Code the wave's answers to `question` again: the run is (re)set to queued and a Job
    put in the queue for a worker (or worked here, with `wait`)."""
    from hrta.web.tasks.models import Job
    from hrta.web.tasks.runners import fingerprint
    from hrta.web.tasks.services import enqueue
    from hrta.web.tasks.work import work_job

    with transaction.atomic():
        if Job.objects.filter(key=job_key(wave), status__in=Job.ACTIVE).exists():
            raise CodingError(BUSY)
        run, _created = CodingRun.objects.select_for_update().get_or_create(
            wave=wave, question=question)
        run.status = CodingRun.Status.QUEUED
        run.done = run.total = 0
        run.message = ""
        run.started_by = user
        run.started_at = timezone.now()
        run.finished_at = None
        run.save()
        job, new = enqueue(kind=Job.Kind.CODING, key=job_key(wave), wave=wave, user=user,
                           params={"run": run.pk, "question": question},
                           fingerprint=fingerprint(wave))
        if not new:
            raise CodingError(BUSY)  # another server's request came first: undo the reset
    record(action="coding_run", user=user, wave=wave, detail={"question": question})
    if wait:
        work_job(str(job.pk), worker="inline")
    run.refresh_from_db()
    return run


def work_run(*, run_id: int, working: Working | None = None) -> None:
    """Code every analysed answer of the run's question, store the suggestions and the
    proposed themes in one transaction (written only while the Job is still this worker's);
    on failure the run says why, and the error goes on to the Job."""
    from hrta.coding.autocode import UNCODABLE, UNCODED, CodedAnswer, coder_for
    from hrta.coding.discovery import discover, discover_all
    from hrta.coding.themes import question_answers
    from hrta.web.tasks.work import Stopped

    run = CodingRun.objects.select_related("wave").get(pk=run_id)
    wave = run.wave
    try:
        CodingRun.objects.filter(pk=run_id).update(status=CodingRun.Status.RUNNING)
        responses = response_set(wave)
        texts, keys = question_answers(responses, run.question)
        CodingRun.objects.filter(pk=run_id).update(total=len(texts))
        book = wave_codebook(wave, run.question)
        if book.themes:
            coder = coder_for(run.question, codebook=book, instrument_id=wave.instrument_id)
            coded = coder.code(texts, progress=_progress(run_id, len(texts), working))
            # The vectors are cached by text now: these take no more model time.
            confidences = coder.confidences(texts)
            vectors, readable = coder.vectors(texts)
            full = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            full[readable] = vectors
            uncoded = [i for i, a in enumerate(coded) if a.status == UNCODED]
            candidates = discover([texts[i] for i in uncoded], full[uncoded],
                                  background=[texts[i] for i in readable])
        else:
            # No codebook yet: nothing to code into; every answer is open to discovery.
            found = discover_all(texts, progress=_progress(run_id, len(texts), working))
            full, candidates = found.vectors, found.candidates
            kept = set(found.readable.tolist())
            coded = [CodedAnswer(text, UNCODED if i in kept else UNCODABLE)
                     for i, text in enumerate(texts)]
            confidences = np.zeros((len(texts), 0))
        pks = _response_pks(wave, keys)
        order = review_order(coded, confidences)
        owned: AbstractContextManager[None] = working.owned() if working else nullcontext()
        with owned, transaction.atomic():
            run.suggestions.all().delete()
            run.proposals.all().delete()
            Suggestion.objects.bulk_create([
                Suggestion(run=run, response_id=pks[keys[i]], response_key=keys[i],
                           text=texts[i], status=coded[i].status,
                           themes=[[s.theme, s.confidence] for s in coded[i].themes],
                           confidences=[round(float(c), 3) for c in confidences[i]],
                           vector=None if coded[i].status == UNCODABLE
                           else full[i].tobytes(),
                           position=position)
                for position, i in enumerate(order) if keys[i] in pks], batch_size=500)
            ProposedTheme.objects.bulk_create([
                ProposedTheme(run=run, size=c.size, representatives=list(c.representatives),
                              words=list(c.words)) for c in candidates])
            CodingRun.objects.filter(pk=run_id).update(
                status=CodingRun.Status.DONE, done=len(texts), total=len(texts),
                themes=list(book.ids), codebook_fingerprint=book.fingerprint(),
                finished_at=timezone.now())
    except Stopped:
        raise  # cancelled (hrta.web.tasks.services.cancel says so on the run) or taken over
    except Exception as exc:  # the page must say the run failed, whatever the cause
        log.exception("coding run %s failed", run_id)
        CodingRun.objects.filter(pk=run_id).update(
            status=CodingRun.Status.FAILED, message=str(exc)[:2000],
            finished_at=timezone.now())
        raise


def _progress(run_id: int, total: int,
              working: Working | None) -> Callable[[int], None]:
    state = {"done": 0, "written": 0.0}

    def advance(count: int) -> None:
        state["done"] += count
        now = time.monotonic()
        if now - state["written"] >= PROGRESS_EVERY or state["done"] >= total:
            state["written"] = now
            done = min(state["done"], total)
            CodingRun.objects.filter(pk=run_id).update(done=done)
            if working is not None:
                working.progress(int(done), total)  # raises Stopped once cancelled

    return advance


def _response_pks(wave: Wave, keys: Sequence[str]) -> dict[str, int]:
    """ResponseSet name (an import's respondent id, else the public id) -> database id."""
    found: dict[str, int] = {}
    for pk, respondent, public in analysed_responses(wave).values_list(
            "id", "respondent_id", "public_id"):
        found.setdefault(respondent or str(public), pk)
    return {key: found[key] for key in keys if key in found}


def save_code(*, wave: Wave, question: str, response: Response, user: User,
              themes: Sequence[str], primary: bool, hide_quote: bool) -> HumanCode:
    """One person's codes of one answer (replacing their earlier ones)."""
    known = set(wave_codebook(wave, question).ids)
    unknown = sorted(set(themes) - known)
    if unknown:
        raise CodingError(f"Unknown themes: {', '.join(unknown)}.")
    with transaction.atomic():
        code, _created = HumanCode.objects.update_or_create(
            wave=wave, question=question, response=response, coder=user,
            defaults={"themes": [t for t in dict.fromkeys(themes)], "primary": primary,
                      "hide_quote": hide_quote})
        record(action="coding_code", user=user, wave=wave, response=response,
               detail={"question": question, "themes": code.themes, "primary": primary,
                       "hide_quote": hide_quote})
    return code


def add_theme(*, wave: Wave, question: str, user: User, theme_id: str, label: str,
              description: str = "", examples: Sequence[str] = (),
              proposal: ProposedTheme | None = None) -> WaveTheme:
    """A theme added to the wave's codebook; the next run codes with it."""
    label = " ".join(label.split())
    if not label:
        raise CodingError("Give the theme a name.")
    theme_id = theme_id.strip() or re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:60]
    if not THEME_ID.match(theme_id):
        raise CodingError("A theme id is lower-case letters, digits and underscores.")
    if theme_id in wave_codebook(wave, question).ids:
        raise CodingError(f"The codebook already has a theme {theme_id!r}.")
    with transaction.atomic():
        theme = WaveTheme.objects.create(
            wave=wave, question=question, theme_id=theme_id, label=label,
            description=" ".join(description.split()),
            examples=[e.strip() for e in examples if e.strip()], added_by=user)
        if proposal is not None:
            proposal.status = ProposedTheme.Status.ADDED
            proposal.save(update_fields=["status"])
        record(action="coding_theme_added", user=user, wave=wave,
               detail={"question": question, "theme": theme_id})
    return theme


def upload_codebook(*, wave: Wave, question: str, user: User, path: Path,
                    name: str) -> WaveCodebook:
    """A codebook file (YAML, CSV or .qdc, as `hrta codebook import` reads) for one of the
    wave's open-ended questions, in place of the bundled one; the next run codes with it.
    InputError names the file and row when it is not a codebook of that question."""
    from hrta.coding.codebook import EXPORT_SUFFIXES, codebook_yaml, read_codebook

    if Path(name).suffix.lower() not in (*EXPORT_SUFFIXES, ".xlsx"):
        raise CodingError(f"{name}: choose a codebook file: .yaml, .csv, .xlsx or .qdc.")
    try:
        book = read_codebook(path, question=question)
    except InputError as exc:
        raise CodingError(str(exc).replace(str(path), name)) from None
    book = dataclasses.replace(book, source=name)
    with transaction.atomic():
        stored, _created = WaveCodebook.objects.update_or_create(
            wave=wave, question=question,
            defaults={"text": codebook_yaml(book), "name": name, "uploaded_by": user})
        record(action="coding_codebook_uploaded", user=user, wave=wave,
               detail={"question": question, "file": name, "themes": len(book.themes)})
    return stored


def dismiss_proposal(*, proposal: ProposedTheme, user: Someone = None) -> None:
    with transaction.atomic():
        proposal.status = ProposedTheme.Status.DISMISSED
        proposal.save(update_fields=["status"])
        run = proposal.run
        record(action="coding_proposal_dismissed", user=user, wave=run.wave,
               detail={"question": run.question, "proposal": proposal.pk,
                       "size": proposal.size})


def import_qdpx(*, wave: Wave, question: str, user: User, path: Path, name: str,
                coder: str = "") -> int:
    """The codes one person made in a QDA program, read from a REFI-QDA project of the
    wave's answers (hrta.coding.qdpx.read_qdpx), saved as `user`'s reviewer codes: all of
    them or none. `coder` names the person when the project holds several. Returns the
    number of answers coded."""
    from hrta.coding.qdpx import read_qdpx
    from hrta.coding.themes import question_answers

    if Path(name).suffix.lower() != ".qdpx":
        raise CodingError(f"{name}: choose a REFI-QDA project file (.qdpx).")
    responses = response_set(wave)
    texts, keys = question_answers(responses, question)
    try:
        imported = read_qdpx(path, wave_codebook(wave, question),
                             list(zip(keys, texts, strict=True)))
    except InputError as exc:
        raise CodingError(str(exc).replace(str(path), name)) from None
    coders = imported.coders
    if not coders:
        raise CodingError(f"{name}: no person's codes in the project.")
    chosen = coder.strip() or (coders[0] if len(coders) == 1 else "")
    if chosen not in coders:
        raise CodingError(f"{name} holds the codes of {', '.join(coders)}: "
                          "name the one whose codes to import.")
    found: dict[str, Response] = {}
    for response in analysed_responses(wave):
        found[response.respondent_id or str(response.public_id)] = response
    given = [c for c in imported.confirmations if c.coder == chosen]
    with transaction.atomic():
        for confirmation in given:
            save_code(wave=wave, question=question, response=found[confirmation.response_id],
                      user=user, themes=confirmation.themes, primary=True, hide_quote=False)
        record(action="coding_qdpx_imported", user=user, wave=wave,
               detail={"question": question, "file": name, "coder": chosen,
                       "answers": len(given)})
    return len(given)


def release_quote(*, wave: Wave, quote_id: str, user: User) -> None:
    """Let a quote or write-in the name screen withheld into the wave's report and
    dashboard, once an analyst has read it. Only an id the screen holds back now can be
    released; the audit entry names the id, never the text (it may name someone)."""
    if quote_id not in {quote.id for quote in withheld(wave)}:
        raise CodingError(gettext("%(id)s: no quote withheld from this wave's report has "
                                  "this id (released already, or the answers changed).")
                          % {"id": quote_id})
    with transaction.atomic():
        ReleasedQuote.objects.get_or_create(wave=wave, quote_id=quote_id,
                                            defaults={"released_by": user})
        record(action="quote_released", user=user, wave=wave, detail={"quote": quote_id})
