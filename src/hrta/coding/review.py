"""People in the loop: confirmed codes, hidden quotes, the review queue and agreement.

Plain data in, plain data out: whatever stores reviews (the web app's database, a file)
passes them in as `Confirmation`s. A primary reviewer's confirmation overrides the machine
everywhere; a second coder working blind (`primary=False`) is only compared, never used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hrta.coding.autocode import UNCODABLE, CodedAnswer
from hrta.coding.reliability import krippendorff_alpha, reliability

MACHINE = "machine"


@dataclass(frozen=True)
class Confirmation:
    """One person's coding of one answer: the themes they found (none is an answer too)."""

    response_id: str
    question: str
    themes: tuple[str, ...]
    coder: str = "reviewer"
    primary: bool = True
    hide_quote: bool = False  # never quote this answer in a report (privacy)


@dataclass(frozen=True)
class FinalCode:
    themes: tuple[str, ...]
    source: str  # machine, confirmed or uncodable


def primary_codes(confirmations: Iterable[Confirmation],
                  question: str) -> dict[str, tuple[str, ...]]:
    """response id -> the themes its primary reviewer confirmed (the last one given)."""
    return {c.response_id: c.themes for c in confirmations
            if c.question == question and c.primary}


def hidden_answers(confirmations: Iterable[Confirmation], question: str) -> set[str]:
    return {c.response_id for c in confirmations if c.question == question and c.hide_quote}


def final_codes(coded: Sequence[CodedAnswer], response_ids: Sequence[str],
                confirmations: Iterable[Confirmation], question: str) -> list[FinalCode]:
    """The codes every output uses: confirmed ones where a person confirmed, else the
    machine's."""
    confirmed = primary_codes(confirmations, question)
    final = []
    for answer, response_id in zip(coded, response_ids, strict=True):
        if response_id in confirmed:
            final.append(FinalCode(confirmed[response_id], "confirmed"))
        elif answer.status == UNCODABLE:
            final.append(FinalCode((), UNCODABLE))
        else:
            final.append(FinalCode(answer.theme_ids, MACHINE))
    return final


def review_order(coded: Sequence[CodedAnswer], confidences: np.ndarray) -> list[int]:
    """Every answer's index in the order a reviewer meets them: the closest call first (the
    answer whose theme confidence nearest 0.5 is nearest), ties in answer order, and the
    uncodable answers, with no words to review, last. A coding run is stored in this order."""
    closeness = (np.abs(np.asarray(confidences, dtype=float) - 0.5).min(axis=1)
                 if len(coded) and np.shape(confidences)[1] else np.zeros(len(coded)))
    last = np.array([answer.status == UNCODABLE for answer in coded], dtype=bool)
    return [int(i) for i in np.lexsort((closeness, last))]


def review_queue(coded: Sequence[CodedAnswer], confidences: np.ndarray,
                 response_ids: Sequence[str], confirmations: Iterable[Confirmation],
                 question: str, *, coder: str | None = None) -> list[int]:
    """Indices of the answers still to review, in review order (`review_order`): those no
    primary reviewer has confirmed, uncodable ones left out. With `coder`, a blind second
    coder's queue: the answers that coder has not coded, whoever else has."""
    given = [c for c in confirmations if c.question == question]
    done = ({c.response_id for c in given if c.coder == coder} if coder is not None
            else set(primary_codes(given, question)))
    return [i for i in review_order(coded, confidences)
            if coded[i].status != UNCODABLE and response_ids[i] not in done]


def review_progress(response_ids: Sequence[str], confirmations: Iterable[Confirmation],
                    question: str) -> dict[str, int]:
    done = primary_codes(confirmations, question)
    reviewed = sum(1 for rid in response_ids if rid in done)
    return {"answers": len(response_ids), "reviewed": reviewed,
            "remaining": len(response_ids) - reviewed}


def agreement_report(coded: Sequence[CodedAnswer], response_ids: Sequence[str],
                     confirmations: Iterable[Confirmation], question: str,
                     themes: Sequence[str]) -> dict[str, Any]:
    """The machine against the primary reviewer (per-theme kappa, F1, micro and macro),
    every pair of people on the answers both coded, and Krippendorff's alpha of all coders
    (machine included) and of the people alone."""
    given = [c for c in confirmations if c.question == question]
    machine = {rid: a.theme_ids for rid, a in zip(response_ids, coded, strict=True)
               if a.status != UNCODABLE}
    people: dict[str, dict[str, tuple[str, ...]]] = {}
    for c in given:
        people.setdefault(c.coder, {})[c.response_id] = c.themes
    report: dict[str, Any] = {"question": question, "coders": sorted(people)}
    primary = primary_codes(given, question)
    shared = [rid for rid in primary if rid in machine]
    report["machine_vs_reviewer"] = (
        reliability(_matrix([primary[r] for r in shared], themes),
                    _matrix([machine[r] for r in shared], themes), themes) if shared else None)
    pairs = []
    names = sorted(people)
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            both = sorted(set(people[first]) & set(people[second]))
            if both:
                pairs.append({"coders": [first, second], **reliability(
                    _matrix([people[first][r] for r in both], themes),
                    _matrix([people[second][r] for r in both], themes), themes)})
    report["between_people"] = pairs
    report["alpha_all"] = krippendorff_alpha({MACHINE: machine, **people}, themes)
    report["alpha_people"] = krippendorff_alpha(people, themes) if len(people) > 1 else None
    return report


def _matrix(codes: Sequence[Sequence[str]], themes: Sequence[str]) -> np.ndarray:
    return np.array([[theme in set(c) for theme in themes] for c in codes],
                    dtype=bool).reshape(len(codes), len(themes))


def confirmations_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[Confirmation]:
    """Confirmations from plain mappings (a database query, JSON): keys response_id,
    question, themes (a list or ';'-separated text), and optionally coder, primary and
    hide_quote."""
    found = []
    for row in rows:
        themes = row.get("themes") or ()
        if isinstance(themes, str):
            themes = tuple(t.strip() for t in themes.split(";") if t.strip())
        found.append(Confirmation(
            response_id=str(row["response_id"]), question=str(row["question"]),
            themes=tuple(themes), coder=str(row.get("coder") or "reviewer"),
            primary=bool(row.get("primary", True)),
            hide_quote=bool(row.get("hide_quote", False))))
    return found
