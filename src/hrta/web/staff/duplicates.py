"""Likely duplicate responses: one organization answering twice.

The rule, for the finished responses of one wave (excluded ones included, so a pair stays
visible after one of them is excluded):

1. Both give the same answers to every question of the instrument's organization section
   (state, role, organization type, communities served in the bundled assessment), and
   answered at least one of them; and
2. their answers overall are near-identical: the chosen options, matrix ratings and
   written texts (compared without case or spacing) of the two overlap by at least
   SIMILARITY (Jaccard index: shared answers / answers in either).

Imported responses carrying the same respondent id never reach a wave: the import refuses
them (see hrta.web.surveys.services.import_responses). A flag is a prompt to look, not a
verdict: staff decide, and exclude one with a reason if it is a duplicate.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from hrta.instrument import Instrument
from hrta.web.surveys.models import Answer, Response, Wave

ORGANIZATION_SECTION = "organization"
SIMILARITY = 0.9
# Pairs are compared within groups of equal organization answers; a group this large
# means the organization questions were left blank in bulk, not one organization.
LARGEST_GROUP = 500

Item = tuple[str, str, str]


def organization_questions(instrument: Instrument) -> set[str]:
    for section in instrument.sections:
        if section.id == ORGANIZATION_SECTION:
            return {q.id for q in section.questions if q.type in ("single", "multi")}
    return set()


def similarity(a: frozenset[Item], b: frozenset[Item]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def _normalise(value: str | None) -> str:
    return " ".join((value or "").casefold().split())


def likely_duplicates(wave: Wave) -> dict[int, list[int]]:
    """Response pk -> the pks of the responses it likely duplicates (both ways)."""
    org_questions = organization_questions(wave.instrument)
    finished = Response.objects.filter(wave=wave).exclude(status=Response.Status.IN_PROGRESS)
    answers: dict[int, set[Item]] = defaultdict(set)
    rows = Answer.objects.filter(response__in=finished).values_list(
        "response_id", "question_id", "option_id", "value")
    for pk, question_id, option_id, value in rows.iterator(chunk_size=5000):
        answers[pk].add((question_id, option_id, _normalise(value)))
    sets = {pk: frozenset(items) for pk, items in answers.items()}
    groups: dict[frozenset[Item], list[int]] = defaultdict(list)
    for pk, items in sets.items():
        signature = frozenset(i for i in items if i[0] in org_questions)
        if signature:
            groups[signature].append(pk)
    found: dict[int, list[int]] = defaultdict(list)
    for members in groups.values():
        if len(members) < 2 or len(members) > LARGEST_GROUP:
            continue
        for a, b in combinations(sorted(members), 2):
            if similarity(sets[a], sets[b]) >= SIMILARITY:
                found[a].append(b)
                found[b].append(a)
    return dict(found)
