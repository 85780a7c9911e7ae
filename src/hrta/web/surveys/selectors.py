"""What reads stored responses: a wave as a ResponseSet, so that the dashboard, the
downloads and the API compute Findings with the same functions as the `hrta` command."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import polars as pl
from django.db.models import QuerySet
from django.utils import timezone

from hrta.responses import ResponseSet, answer_question_ids
from hrta.web.surveys.models import Answer, Response, Wave


def analysed_responses(wave: Wave, *, include_partial: bool = False) -> QuerySet[Response]:
    """Finished responses that staff have not excluded, oldest first."""
    statuses = [Response.Status.SUBMITTED, Response.Status.INELIGIBLE]
    if include_partial:
        statuses.append(Response.Status.IN_PROGRESS)
    return Response.objects.filter(wave=wave, excluded=False, status__in=statuses)


def response_set(wave: Wave, *, responses: Iterable[Response] | None = None,
                 include_partial: bool = False) -> ResponseSet:
    """The wave's responses in the one shape every hrta stage takes."""
    instrument = wave.instrument
    if responses is None:
        responses = analysed_responses(wave, include_partial=include_partial)
    meta = list(responses.values_list("id", "respondent_id", "public_id", "started_at",
                                      "submitted_at")
                if isinstance(responses, QuerySet) else
                ((r.id, r.respondent_id, r.public_id, r.started_at, r.submitted_at)
                 for r in responses))
    row_of = {pk: row for row, (pk, *_rest) in enumerate(meta)}
    respondents = pl.DataFrame(
        {
            "response_id": [rid or str(pid) for _, rid, pid, _, _ in meta],
            "started_at": [export_text(s) for *_x, s, _ in meta],
            "ended_at": [export_text(e) for *_x, e in meta],
        },
        schema={"response_id": pl.String, "started_at": pl.String, "ended_at": pl.String},
    )
    known = set(answer_question_ids(instrument))
    rows: list[int] = []
    questions: list[str] = []
    options: list[str | None] = []
    values: list[str | None] = []
    answer_rows = Answer.objects.filter(response_id__in=list(row_of)).values_list(
        "response_id", "question_id", "option_id", "value").order_by("response_id", "id")
    for response_pk, question_id, option_id, value in answer_rows.iterator(chunk_size=5000):
        if question_id not in known:
            continue  # an answer to a question the instrument no longer has
        rows.append(row_of[response_pk])
        questions.append(question_id)
        options.append(option_id or None)
        values.append(value)
    answers = pl.DataFrame(
        {"row": rows, "question_id": questions, "option_id": options, "value": values},
        schema={"row": pl.UInt32, "question_id": pl.String, "option_id": pl.String,
                "value": pl.String},
    )
    return ResponseSet.from_answers(instrument, respondents, answers, source=wave.slug)


def export_text(moment: datetime | None) -> str | None:
    """A stored time as ResponseSets and downloads write it: in the app's time zone, to
    the second ("2022-05-16 14:15:31"), which `hrta analyze` and an import read back."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None).isoformat(sep=" ",
                                                                     timespec="seconds")


def open_waves() -> list[Wave]:
    return [wave for wave in Wave.objects.all() if wave.is_open()]
