"""Coded themes of the open-ended questions, added to Findings.

For each open-ended question with a codebook, every eligible answer is coded (confirmed
codes override the machine's), and Findings gain a `coding` block beside the answers:
themes ranked by the number of respondents, each with count, percent of those who
answered and a 95% interval, and two or three representative quotes (the answers nearest
the centre of the theme's answers, confirmed ones first, none a reviewer hid). When the
embedding model cannot be loaded the block says so and the report says so in its text.
The shape is documented in docs/findings-schema.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import polars as pl

from hrta.coding.autocode import UNCODABLE, CodedAnswer, coder_for
from hrta.coding.codebook import Codebook, bundled_questions, load_codebook
from hrta.coding.embedder import MODEL_NAME, ModelUnavailableError
from hrta.coding.review import Confirmation, FinalCode, final_codes, hidden_answers
from hrta.responses import ResponseSet

QUOTES = 3
# Quotes are for reading in a report: answers longer than this many words are passed over
# while shorter ones remain.
QUOTE_WORDS = 60

Step = Callable[[str, int], Callable[[int], None] | None]
"""Given a description and a total, a callback that advances a progress bar (or None)."""


def coded_questions(responses: ResponseSet) -> list[str]:
    """The open-ended questions of the instrument that have a bundled codebook."""
    books = set(bundled_questions(responses.instrument.id))
    return [q.id for q in responses.instrument.analysable_questions()
            if q.type == "text" and q.id in books]


def question_answers(responses: ResponseSet, question: str) -> tuple[list[str], list[str]]:
    """The eligible answers of `question` in response order (as Findings list them) and
    their response ids."""
    texts = (responses.eligible_texts()
             .filter(pl.col("question_id").cast(pl.String) == question)
             .sort("row", maintain_order=True))
    ids = responses.respondents["response_id"].to_numpy()[texts["row"].to_numpy()]
    return texts["value"].to_list(), [str(i) for i in ids]


def add_themes(findings: dict[str, Any], responses: ResponseSet, *,
               confirmations: Iterable[Confirmation] = (),
               codebooks: dict[str, Codebook] | None = None,
               step: Step | None = None) -> dict[str, Any]:
    """Findings with a `coding` block on each open-ended question that has a codebook."""
    given = list(confirmations)
    codebooks = dict(codebooks or {})
    questions = list(dict.fromkeys([*coded_questions(responses), *codebooks]))
    for question in questions:
        entry = findings["questions"].get(question)
        if entry is None or entry.get("type") != "text":
            continue
        texts, response_ids = question_answers(responses, question)
        book = codebooks.get(question) or load_codebook(
            question, instrument_id=responses.instrument.id)
        progress = step(f"Coding {len(texts):,} answers to {question}", len(texts)) \
            if step and texts else None
        entry["coding"] = coding_block(book, texts, response_ids, given, progress=progress)
    return findings


def coding_block(book: Codebook, texts: Sequence[str], response_ids: Sequence[str],
                 confirmations: Sequence[Confirmation], *,
                 progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    question = book.question
    base: dict[str, Any] = {"codebook": {"question": question, "title": book.title},
                            "model": MODEL_NAME}
    try:
        coder = coder_for(question, codebook=book)
        coded = coder.code(texts, progress=progress)
        vectors, readable = coder.vectors(texts)
    except ModelUnavailableError as exc:
        return {**base, "status": "unavailable", "message": str(exc), "n": len(texts),
                "themes": [], "codes": [], "sources": []}
    return block_from_codes(book, texts, response_ids, coded, vectors, readable,
                            confirmations)


def block_from_codes(book: Codebook, texts: Sequence[str], response_ids: Sequence[str],
                     coded: Sequence[CodedAnswer], vectors: np.ndarray, readable: np.ndarray,
                     confirmations: Sequence[Confirmation]) -> dict[str, Any]:
    """The `coding` block from answers already coded (the web app stores its coding runs):
    `coded` the CodedAnswers, `vectors` the embeddings of the answers at `readable`."""
    question = book.question
    base: dict[str, Any] = {"codebook": {"question": question, "title": book.title},
                            "model": MODEL_NAME}
    final = final_codes(coded, response_ids, confirmations, question)
    hidden = hidden_answers(confirmations, question)
    full = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
    full[readable] = vectors
    themes = _ranked(book, final, texts, response_ids, full, hidden)
    return {
        **base, "status": "coded", "message": None, "n": len(texts),
        "coded": sum(1 for f in final if f.themes),
        "uncoded": sum(1 for f in final if not f.themes and f.source != UNCODABLE),
        "uncodable": sum(1 for f in final if f.source == UNCODABLE),
        "confirmed": sum(1 for f in final if f.source == "confirmed"),
        "themes": themes,
        "codes": [list(f.themes) for f in final],
        "sources": [f.source for f in final],
    }


def _ranked(book: Codebook, final: Sequence[FinalCode], texts: Sequence[str],
            response_ids: Sequence[str], vectors: np.ndarray,
            hidden: set[str]) -> list[dict[str, Any]]:
    from hrta.findings.proportion import Proportion, ranks

    n = len(texts)
    members = {theme.id: [i for i, f in enumerate(final) if theme.id in f.themes]
               for theme in book.themes}
    counts = [len(members[t.id]) for t in book.themes]
    ranked = ranks(counts)
    rows = []
    quoted: set[int] = set()
    order = sorted(range(len(book.themes)), key=lambda i: (ranked[i], i))
    for i in order:
        theme = book.themes[i]
        quotes = _quotes(members[theme.id], final, texts, response_ids, vectors, hidden,
                         quoted)
        quoted.update(quotes)
        rows.append({"id": theme.id, "label": theme.label, "parent": theme.parent,
                     **Proportion.of(counts[i], n).model_dump(), "rank": ranked[i],
                     "quotes": [texts[q] for q in quotes]})
    return rows


def _quotes(members: list[int], final: Sequence[FinalCode], texts: Sequence[str],
            response_ids: Sequence[str], vectors: np.ndarray, hidden: set[str],
            quoted: set[int]) -> list[int]:
    """The theme's most central answers: confirmed before machine-coded, not hidden,
    short enough to quote, and not already quoted for another theme while others remain."""
    allowed = [i for i in members if response_ids[i] not in hidden
               and len(texts[i].split()) <= QUOTE_WORDS and final[i].source != UNCODABLE]
    if not allowed:
        return []
    centre = vectors[members].mean(axis=0)
    closeness = vectors[allowed] @ centre

    def key(position: int) -> tuple[int, int, float]:
        i = allowed[position]
        return (final[i].source != "confirmed", i in quoted, -float(closeness[position]))

    ranked = sorted(range(len(allowed)), key=key)
    chosen: list[int] = []
    seen: set[str] = set()
    for position in ranked:
        i = allowed[position]
        text = " ".join(texts[i].split()).lower()
        if text in seen:
            continue  # the same words from two respondents are quoted once
        seen.add(text)
        chosen.append(i)
        if len(chosen) == QUOTES:
            break
    return chosen

