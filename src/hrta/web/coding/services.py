"""What changes coding data: a coding run (the one place the embedding model is used),
people's codes, themes added to a wave's codebook, proposals dismissed.

A run is started by an explicit action and works in a thread of the server process while
the page shows its progress. The model and each codebook's trained coder are loaded once
per process, on the first run (hrta.coding.autocode.coder_for keeps them), and one run at
a time works in a process so that two cannot each take the machine's cores.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import numpy as np
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from hrta.web.coding.models import CodingRun, HumanCode, ProposedTheme, Suggestion, WaveTheme
from hrta.web.coding.selectors import wave_codebook
from hrta.web.surveys.models import Response, Wave
from hrta.web.surveys.selectors import analysed_responses, response_set
from hrta.web.surveys.services import record

log = logging.getLogger(__name__)
_one_at_a_time = threading.Lock()
# Progress is written to the database at most this often (seconds).
PROGRESS_EVERY = 0.5
THEME_ID = re.compile(r"^[a-z0-9][a-z0-9_]{0,59}$")
# A run still "working" this long after it started died with its server process (a
# restart): it may be started again.
STALE = timedelta(hours=1)


class CodingError(ValueError):
    """A request the coding services refuse, said in words a person can act on."""


def start_run(*, wave: Wave, question: str, user: Any, wait: bool = False) -> CodingRun:
    """Code the wave's answers to `question` again: the run is (re)set to queued and
    worked in a background thread (or here, with `wait`)."""
    with transaction.atomic():
        run, created = CodingRun.objects.select_for_update().get_or_create(
            wave=wave, question=question)
        working = run.status in (CodingRun.Status.QUEUED, CodingRun.Status.RUNNING)
        if not created and working and run.started_at > timezone.now() - STALE:
            raise CodingError("This question is already being coded.")
        run.status = CodingRun.Status.QUEUED
        run.done = run.total = 0
        run.message = ""
        run.started_by = user
        run.started_at = timezone.now()
        run.finished_at = None
        run.save()
    record(action="coding_run", user=user, wave=wave, detail={"question": question})
    if wait:
        work_run(run_id=run.pk)
    else:
        threading.Thread(target=_in_thread, kwargs={"run_id": run.pk}, daemon=True,
                         name=f"coding-{run.pk}").start()
    run.refresh_from_db()
    return run


def _in_thread(*, run_id: int) -> None:
    try:
        work_run(run_id=run_id)
    finally:
        connection.close()  # the thread's own connection


def work_run(*, run_id: int) -> None:
    """Code every analysed answer of the run's question, store the suggestions and the
    proposed themes in one transaction; on failure the run says why."""
    from hrta.coding.autocode import UNCODABLE, UNCODED, coder_for
    from hrta.coding.discovery import discover
    from hrta.coding.themes import question_answers

    close_old_connections()
    run = CodingRun.objects.select_related("wave").get(pk=run_id)
    wave = run.wave
    try:
        with _one_at_a_time:
            CodingRun.objects.filter(pk=run_id).update(status=CodingRun.Status.RUNNING)
            responses = response_set(wave)
            texts, keys = question_answers(responses, run.question)
            CodingRun.objects.filter(pk=run_id).update(total=len(texts))
            book = wave_codebook(wave, run.question)
            coder = coder_for(run.question, codebook=book, instrument_id=wave.instrument_id)
            coded = coder.code(texts, progress=_progress(run_id, len(texts)))
            # The vectors are cached by text now: these take no more model time.
            confidences = coder.scores(texts)
            vectors, readable = coder.vectors(texts)
            full = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            full[readable] = vectors
            uncoded = [i for i, a in enumerate(coded) if a.status == UNCODED]
            candidates = discover([texts[i] for i in uncoded], full[uncoded],
                                  background=[texts[i] for i in readable])
        pks = _response_pks(wave, keys)
        order = _review_order(coded, confidences)
        with transaction.atomic():
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
    except Exception as exc:  # the page must say the run failed, whatever the cause
        log.exception("coding run %s failed", run_id)
        CodingRun.objects.filter(pk=run_id).update(
            status=CodingRun.Status.FAILED, message=str(exc)[:2000],
            finished_at=timezone.now())


def _progress(run_id: int, total: int) -> Any:
    state = {"done": 0, "written": 0.0}

    def advance(count: int) -> None:
        state["done"] += count
        now = time.monotonic()
        if now - state["written"] >= PROGRESS_EVERY or state["done"] >= total:
            state["written"] = now
            CodingRun.objects.filter(pk=run_id).update(done=min(state["done"], total))

    return advance


def _response_pks(wave: Wave, keys: Sequence[str]) -> dict[str, int]:
    """ResponseSet name (an import's respondent id, else the public id) -> database id."""
    found: dict[str, int] = {}
    for pk, respondent, public in analysed_responses(wave).values_list(
            "id", "respondent_id", "public_id"):
        found.setdefault(respondent or str(public), pk)
    return {key: found[key] for key in keys if key in found}


def _review_order(coded: Sequence[Any], confidences: np.ndarray) -> list[int]:
    """Answers with a close call (a confidence near 0.5) first, uncodable ones last."""
    if not len(coded):
        return []
    closeness = np.abs(confidences - 0.5).min(axis=1) if confidences.shape[1] else \
        np.zeros(len(coded))
    last = np.array([a.status == "uncodable" for a in coded])
    return [int(i) for i in np.lexsort((closeness, last))]


def save_code(*, wave: Wave, question: str, response: Response, user: Any,
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


def add_theme(*, wave: Wave, question: str, user: Any, theme_id: str, label: str,
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


def dismiss_proposal(*, proposal: ProposedTheme, user: Any = None) -> None:
    with transaction.atomic():
        proposal.status = ProposedTheme.Status.DISMISSED
        proposal.save(update_fields=["status"])
        run = proposal.run
        record(action="coding_proposal_dismissed", user=user, wave=run.wave,
               detail={"question": run.question, "proposal": proposal.pk,
                       "size": proposal.size})
