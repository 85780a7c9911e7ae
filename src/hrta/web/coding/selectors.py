"""What the coding pages read: a wave's codebook, its runs, people's codes, agreement, and
the `coding` blocks that the wave's Findings (dashboard, report, downloads) carry.

Nothing here loads the embedding model: Findings are built from the stored runs, so a
page view never codes anything (see services.start_run for the one place that does).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.contrib.auth.models import User
from django.db.models import Count, Max
from django.utils.translation import get_language

from hrta.coding.autocode import UNCODABLE, CodedAnswer, ThemeConfidence
from hrta.coding.codebook import (
    Codebook,
    Theme,
    bundled_questions,
    load_codebook,
    parse_codebook,
)
from hrta.coding.embedder import DIMENSIONS
from hrta.coding.review import Confirmation, agreement_report, primary_codes, review_queue
from hrta.report.themes import Quote
from hrta.responses import ResponseSet
from hrta.web.assessment.localized import localized_instrument
from hrta.web.coding.models import (
    CodingRun,
    HumanCode,
    ProposedTheme,
    ReleasedQuote,
    Suggestion,
    WaveCodebook,
    WaveTheme,
)
from hrta.web.surveys.models import Wave
from hrta.yamlfiles import load_yaml

PRIMARY, BLIND = "primary", "blind"
# What Findings and the report say in place of an answer a reviewer withheld.
WITHHELD = "(answer withheld by a reviewer)"


def coded_questions(wave: Wave) -> list[str]:
    """The wave's open-ended questions (contact questions aside). Those with a codebook
    (bundled, uploaded or built from proposed themes) are coded; the others get theme
    discovery until they have one."""
    return [q.id for q in wave.instrument.analysable_questions() if q.type == "text"]


def question_text(wave: Wave, question: str) -> str:
    """The question as the reader's language words it (where the instrument has one)."""
    return localized_instrument(wave, get_language() or "en").question(question).text


def wave_codebook(wave: Wave, question: str) -> Codebook:
    """The codebook staff uploaded for `question` (else the bundled one, else none: no
    themes) and the themes people added for this wave."""
    book = base_codebook(wave, question)
    added = [Theme(id=t.theme_id, label=t.label, description=t.description,
                   examples=tuple(t.examples))
             for t in WaveTheme.objects.filter(wave=wave, question=question)
             if t.theme_id not in book.ids]
    if not added:
        return book
    return Codebook(book.question, (*book.themes, *added), title=book.title,
                    source=book.source, uncoded_examples=book.uncoded_examples)


def base_codebook(wave: Wave, question: str) -> Codebook:
    """The wave's uploaded codebook of `question`, else the bundled one, else an empty one."""
    uploaded = WaveCodebook.objects.filter(wave=wave, question=question).first()
    if uploaded is not None:
        return parse_codebook(load_yaml(uploaded.text, origin=uploaded.name),
                              origin=uploaded.name)
    if question in bundled_questions(wave.instrument_id):
        return load_codebook(question, instrument_id=wave.instrument_id)
    return Codebook(question, ())


def uploaded_codebook(wave: Wave, question: str) -> WaveCodebook | None:
    return WaveCodebook.objects.filter(wave=wave, question=question).first()


def current_run(wave: Wave, question: str) -> CodingRun | None:
    return CodingRun.objects.filter(wave=wave, question=question).first()


def confirmations(wave: Wave, question: str) -> list[Confirmation]:
    """Everyone's codes of the question, oldest change first (so the latest primary code
    of an answer is the one that counts). Answers are named as in the ResponseSet."""
    rows = (HumanCode.objects.filter(wave=wave, question=question)
            .order_by("updated_at", "id")
            .values_list("response__respondent_id", "response__public_id", "coder__username",
                         "primary", "themes", "hide_quote"))
    return [Confirmation(response_id=respondent or str(public), question=question,
                         themes=tuple(themes), coder=coder, primary=primary,
                         hide_quote=hide)
            for respondent, public, coder, primary, themes, hide in rows]


def coding_version(wave: Wave) -> str:
    """Changes whenever anything the coding blocks read changes: a run, a person's code,
    a theme added to the codebook."""
    runs = CodingRun.objects.filter(wave=wave).aggregate(n=Count("id"),
                                                         last=Max("finished_at"))
    codes = HumanCode.objects.filter(wave=wave).aggregate(n=Count("id"), last=Max("updated_at"))
    themes = WaveTheme.objects.filter(wave=wave).count()
    raw = f"{runs['n']}:{runs['last']}:{codes['n']}:{codes['last']}:{themes}"
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


# --- stored runs as the core's shapes ------------------------------------------------------

@dataclass(frozen=True)
class StoredRun:
    """A finished run's answers in review order, as the core's CodedAnswers."""

    run: CodingRun
    keys: list[str]
    response_pks: list[int]
    texts: list[str]
    coded: list[CodedAnswer]
    confidences: np.ndarray
    vectors: np.ndarray  # zeros for an uncodable answer


def stored_run(run: CodingRun, *, vectors: bool = True) -> StoredRun:
    """The run's answers; without `vectors` (the review page) the embeddings are left in
    the database and zeros stand in."""
    keys, pks, texts, coded, confidences, found = [], [], [], [], [], []
    fields = ["response_key", "response_id", "text", "status", "themes", "confidences"]
    for row in run.suggestions.order_by("position").values_list(
            *fields, *(["vector"] if vectors else [])).iterator(chunk_size=2000):
        key, pk, text, status, themes, scores = row[:6]
        vector = row[6] if vectors else None
        keys.append(key)
        pks.append(pk)
        texts.append(text)
        coded.append(CodedAnswer(text, status, tuple(ThemeConfidence(t, c) for t, c in themes)))
        confidences.append(scores)
        found.append(np.frombuffer(bytes(vector), dtype=np.float32) if vector
                     else np.zeros(DIMENSIONS, dtype=np.float32))
    width = len(run.themes)
    return StoredRun(run, keys, pks, texts, coded,
                     np.array(confidences, dtype=float).reshape(len(keys), width),
                     np.array(found, dtype=np.float32).reshape(len(keys), DIMENSIONS))


# --- the review page -----------------------------------------------------------------------

@dataclass(frozen=True)
class ThemeChoice:
    id: str
    label: str
    description: str
    key: str  # the keyboard key that toggles it ("" past the tenth)
    checked: bool
    confidence: float | None  # shown only to a primary reviewer
    suggested: bool


@dataclass(frozen=True)
class ReviewItem:
    position: int
    response_pk: int
    text: str
    status: str
    choices: list[ThemeChoice]
    hide_quote: bool
    reviewed: bool  # this coder (blind) or a primary reviewer has coded it
    reviewed_by: str


def review_positions(stored: StoredRun, wave: Wave, *, user: User,
                     mode: str) -> tuple[list[int], set[int]]:
    """The run's codable answers in review order (hrta.coding.review.review_queue), and
    those already coded: by any primary reviewer, or (blind) by this coder."""
    question = stored.run.question
    order = review_queue(stored.coded, stored.confidences, stored.keys, (), question)
    waiting = review_queue(stored.coded, stored.confidences, stored.keys,
                           confirmations(wave, question), question,
                           coder=user.get_username() if mode == BLIND else None)
    return order, set(order) - set(waiting)


def review_item(stored: StoredRun, wave: Wave, book: Codebook, position: int, *, user: User,
                mode: str) -> ReviewItem:
    """One answer as the review page shows it. A blind coder sees neither the machine's
    codes nor anyone else's: only the answer and their own earlier codes, if any."""
    answer = stored.coded[position]
    pk = stored.response_pks[position]
    codes = HumanCode.objects.filter(wave=wave, question=stored.run.question, response_id=pk)
    own = codes.filter(coder=user).first()
    primary = codes.filter(primary=True).order_by("-updated_at").select_related("coder").first()
    shown: HumanCode | None = own if mode == BLIND else (primary or own)
    suggested = set(answer.theme_ids)
    unseen: set[str] = set() if mode == BLIND else suggested
    checked = set(shown.themes) if shown is not None else unseen
    run_themes = list(stored.run.themes)
    choices = []
    for number, theme in enumerate(book.themes):
        confidence = None
        if mode == PRIMARY and theme.id in run_themes:
            confidence = round(float(stored.confidences[position, run_themes.index(theme.id)]),
                               2)
        choices.append(ThemeChoice(
            id=theme.id, label=theme.label, description=theme.description,
            key=str((number + 1) % 10) if number < 10 else "",
            checked=theme.id in checked, confidence=confidence,
            suggested=mode == PRIMARY and theme.id in suggested))
    return ReviewItem(position=position, response_pk=pk, text=stored.texts[position],
                      status=answer.status, choices=choices,
                      hide_quote=bool(shown and shown.hide_quote),
                      reviewed=shown is not None and (mode == BLIND or shown.primary),
                      reviewed_by=shown.coder.get_username() if shown is not None
                      and mode == PRIMARY else "")


def next_position(order: Sequence[int], done: set[int], after: int) -> int | None:
    """The first position in `order` after `after` not yet done, wrapping round."""
    if not order:
        return None
    start = order.index(after) + 1 if after in order else 0
    for position in [*order[start:], *order[:start]]:
        if position not in done:
            return position
    return None


# --- agreement -----------------------------------------------------------------------------

def agreement(wave: Wave, question: str) -> dict[str, Any] | None:
    """The machine against the primary reviewer, every pair of people, and Krippendorff's
    alpha (hrta.coding.review.agreement_report) on the stored run."""
    run = current_run(wave, question)
    if run is None or run.status != CodingRun.Status.DONE:
        return None
    stored = stored_run(run)
    book = wave_codebook(wave, question)
    given = [c for c in confirmations(wave, question) if c.response_id in set(stored.keys)]
    report = agreement_report(stored.coded, stored.keys, given, question, list(book.ids))
    report["labels"] = {t.id: t.label for t in book.themes}
    report["reviewed"] = len(primary_codes(given, question))
    report["answers"] = sum(1 for answer in stored.coded if answer.status != UNCODABLE)
    return report


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def agreement_tables(report: dict[str, Any]) -> dict[str, Any]:
    """The agreement report as rows of text for the page (— where a statistic is
    undefined)."""
    labels = report["labels"]
    machine = report["machine_vs_reviewer"]
    machine_rows = []
    if machine:
        for theme, entry in machine["themes"].items():
            machine_rows.append({"label": labels.get(theme, theme), "people": entry["support"],
                                 "machine": entry["predicted"],
                                 **{k: _figure(entry[k]) for k in
                                    ("precision", "recall", "f1", "kappa")}})
    pairs = []
    for pair in report["between_people"]:
        pairs.append({"coders": pair["coders"], "answers": pair["answers"],
                      "micro": _figure(pair["micro"]["kappa"]),
                      "macro": _figure(pair["macro"]["kappa"]),
                      "rows": [{"label": labels.get(t, t), "kappa": _figure(e["kappa"]),
                                "first": e["support"], "second": e["predicted"]}
                               for t, e in pair["themes"].items()]})
    alpha_all, alpha_people = report["alpha_all"], report["alpha_people"] or {}
    alpha_rows = [{"label": labels.get(t, t), "all": _figure(alpha_all["themes"].get(t)),
                   "people": _figure((alpha_people.get("themes") or {}).get(t))}
                  for t in labels]
    return {
        "machine": machine_rows,
        "machine_micro": {k: _figure(machine["micro"][k]) for k in machine["micro"]}
        if machine else None,
        "machine_macro": {k: _figure(machine["macro"][k]) for k in machine["macro"]}
        if machine else None,
        "machine_answers": machine["answers"] if machine else 0,
        "pairs": pairs,
        "alpha": alpha_rows,
        "alpha_all": _figure(alpha_all.get("pooled")),
        "alpha_people": _figure(alpha_people.get("pooled")) if alpha_people else "—",
    }


def proposals(run: CodingRun) -> list[ProposedTheme]:
    return list(run.proposals.filter(status=ProposedTheme.Status.PROPOSED))


def added_themes(wave: Wave, question: str) -> list[WaveTheme]:
    return list(WaveTheme.objects.filter(wave=wave, question=question)
                .select_related("added_by"))


@dataclass(frozen=True)
class RunSummary:
    answers: int  # answers the run coded
    codable: int
    reviewed: int  # answers a primary reviewer confirmed
    second: int  # answers a blind second coder coded
    answered_now: int  # answers to the question among the wave's analysed responses
    proposals: int


def run_summary(wave: Wave, run: CodingRun) -> RunSummary:
    from hrta.web.surveys.models import Answer
    from hrta.web.surveys.selectors import analysed_responses

    suggestions = Suggestion.objects.filter(run=run)
    pks = suggestions.values("response_id")
    codes = HumanCode.objects.filter(wave=wave, question=run.question, response_id__in=pks)
    answered = (Answer.objects.filter(question_id=run.question,
                                      response__in=analysed_responses(wave))
                .values("response_id").distinct().count())
    return RunSummary(
        answers=suggestions.count(),
        codable=suggestions.exclude(status=UNCODABLE).count(),
        reviewed=codes.filter(primary=True).values("response_id").distinct().count(),
        second=codes.filter(primary=False).values("response_id").distinct().count(),
        answered_now=answered,
        proposals=run.proposals.filter(status=ProposedTheme.Status.PROPOSED).count())


# --- Findings ------------------------------------------------------------------------------

def add_confirmed_themes(findings: dict[str, Any], responses: ResponseSet, *,
                         wave: Wave) -> dict[str, Any]:
    """Findings with a `coding` block on each open-ended question the wave has a finished
    run of: people's confirmed codes over the machine's, quotes none a reviewer hid. The
    answers a reviewer withheld are replaced in the answer listing as well."""
    from hrta.coding.autocode import UNCODED
    from hrta.coding.themes import block_from_codes, question_answers

    for run in CodingRun.objects.filter(wave=wave, status=CodingRun.Status.DONE):
        entry = findings["questions"].get(run.question)
        if entry is None or entry.get("type") != "text":
            continue
        stored = stored_run(run)
        at = {(key, text): i for i, (key, text) in enumerate(zip(stored.keys, stored.texts,
                                                                strict=True))}
        texts, keys = question_answers(responses, run.question)
        coded, vectors = [], np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, (key, text) in enumerate(zip(keys, texts, strict=True)):
            i = at.get((key, text))
            if i is None:  # answered or changed since the run: no machine codes yet
                coded.append(CodedAnswer(text, UNCODED))
                continue
            coded.append(stored.coded[i])
            vectors[row] = stored.vectors[i]
        given = confirmations(wave, run.question)
        block = block_from_codes(wave_codebook(wave, run.question), texts, keys, coded,
                                 vectors, np.arange(len(texts)), given)
        block["pending"] = sum(1 for key, text in zip(keys, texts, strict=True)
                               if (key, text) not in at)
        entry["coding"] = block
        hidden = {c.response_id for c in given if c.hide_quote}
        if hidden and len(entry.get("answers", [])) == len(keys):
            entry["answers"] = [WITHHELD if key in hidden else text
                                for key, text in zip(keys, entry["answers"], strict=True)]
    return findings


# --- REFI-QDA project ------------------------------------------------------------------------

def qdpx_project(wave: Wave, question: str) -> bytes:
    """The question's answers as a REFI-QDA project (hrta.coding.qdpx): the wave's codebook,
    everyone's codes (each person a user of the project), the last run's suggestions on the
    answers it coded as they still read, and the respondents' attributes."""
    from hrta.coding.qdpx import project_answers, qdpx_bytes
    from hrta.coding.themes import question_answers
    from hrta.web.surveys.selectors import response_set

    responses = response_set(wave)
    texts, keys = question_answers(responses, question)
    current = set(zip(keys, texts, strict=True))
    suggested: dict[str, tuple[str, ...]] = {}
    run = current_run(wave, question)
    if run is not None and run.status == CodingRun.Status.DONE:
        stored = stored_run(run, vectors=False)
        suggested = {key: answer.theme_ids for key, text, answer
                     in zip(stored.keys, stored.texts, stored.coded, strict=True)
                     if (key, text) in current}
    variables, answers = project_answers(responses, question, suggested)
    return qdpx_bytes(wave_codebook(wave, question), answers,
                      confirmations(wave, question), variables=variables,
                      name=f"{wave.title}: {question}",
                      question_text=question_text(wave, question))


# --- quotes the name screen withheld -----------------------------------------------------

def released_quotes(wave: Wave) -> frozenset[str]:
    """The ids of the quotes and write-ins analysts released for the wave's report and
    dashboard (hrta.report.themes: the screen lets these through)."""
    return frozenset(ReleasedQuote.objects.filter(wave=wave)
                     .values_list("quote_id", flat=True))


def withheld(wave: Wave) -> list[Quote]:
    """The quotes and write-ins of the wave's report that the name screen holds back and
    nobody has released yet, with their text, for an analyst to read."""
    from hrta.report.themes import withheld_quotes
    from hrta.web.staff.selectors import wave_findings

    return withheld_quotes(wave_findings(wave), released_quotes(wave))
