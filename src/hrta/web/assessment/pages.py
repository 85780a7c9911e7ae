"""Reading a submitted page: validate the posted answers against the instrument and turn
them into answer rows; and describing a page's questions for its template."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hrta.instrument import Question, Section
from hrta.web.surveys import flow
from hrta.web.surveys.services import PageAnswer

MAX_TEXT = 10_000
MAX_OTHER = 500


def other_field(question_id: str, option_id: str) -> str:
    return f"{question_id}__{option_id}__text"


def clean_text(text: str) -> str:
    """Keep what the respondent typed, except NUL, which no database column can hold."""
    return text.replace("\x00", "")


@dataclass
class PageResult:
    answers: list[PageAnswer] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    chosen: dict[str, list[str]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


def read_page(section: Section, data: Any, earlier: flow.Chosen) -> PageResult:
    """Validate one page's POST data. `earlier` holds the answers of the other pages."""
    result = PageResult()
    for question in section.questions:
        for key in flow.answer_keys(question):
            picked = [v for v in data.getlist(key) if v != ""]
            if picked:
                result.chosen[key] = picked
        if question.type == "text":
            result.texts[question.id] = clean_text(data.get(question.id, ""))
        for option in question.options:
            if option.other:
                name = other_field(question.id, option.id)
                result.texts[name] = clean_text(data.get(name, ""))
    context = {**earlier, **result.chosen}
    for question in section.questions:
        if not flow.applies(question, context):
            continue
        _read_question(question, result)
    if result.errors:
        result.answers = []
    return result


def _read_question(question: Question, result: PageResult) -> None:
    qid = question.id
    if question.type == "text":
        text = result.texts.get(qid, "")
        if len(text) > MAX_TEXT:
            result.errors[qid] = _("Please shorten your answer to %(limit)s characters "
                                   "or fewer.") % {"limit": f"{MAX_TEXT:,}"}
        elif text.strip():
            result.answers.append(PageAnswer(question_id=qid, value=text))
        elif question.required:
            result.errors[qid] = _("Please answer this question.")
        return
    valid = set(question.option_ids)
    keys = flow.answer_keys(question)
    for key in keys:
        picked = result.chosen.get(key, [])
        if any(option not in valid for option in picked):
            result.errors[key] = _("Please choose from the options shown.")
            continue
        if question.type != "multi" and len(picked) > 1:
            result.errors[key] = _("Please choose one answer.")
            continue
        if question.max_choices is not None and len(picked) > question.max_choices:
            result.errors[key] = ngettext(
                "Please choose no more than %(limit)d option. You chose %(count)d.",
                "Please choose no more than %(limit)d options. You chose %(count)d.",
                question.max_choices) % {"limit": question.max_choices, "count": len(picked)}
            continue
        if not picked and question.required:
            result.errors[key] = _("Please answer this question.")
            continue
        for option_id in dict.fromkeys(picked):
            value = None
            if question.option(option_id).other:
                text = result.texts.get(other_field(qid, option_id), "")
                if len(text) > MAX_OTHER:
                    result.errors[other_field(qid, option_id)] = _(
                        "Please shorten this to %(limit)s characters or fewer."
                    ) % {"limit": MAX_OTHER}
                value = text if text.strip() else None
            result.answers.append(PageAnswer(question_id=key, option_id=option_id, value=value))


def stored_state(answers: Sequence[tuple[str, str, str | None]]
                 ) -> tuple[dict[str, list[str]], dict[str, str]]:
    """(question_id, option_id, value) rows as the chosen options and texts a page shows."""
    chosen: dict[str, list[str]] = {}
    texts: dict[str, str] = {}
    for question_id, option_id, value in answers:
        if option_id:
            chosen.setdefault(question_id, []).append(option_id)
            if value is not None:
                base = question_id.split(".")[0]
                texts[other_field(base, option_id)] = value
        elif value is not None:
            texts[question_id] = value
    return chosen, texts


def describe(section: Section, chosen: Mapping[str, Sequence[str]], texts: Mapping[str, str],
             errors: Mapping[str, str], earlier: flow.Chosen) -> list[dict[str, Any]]:
    """What the page template draws for each question that applies."""
    context = {**earlier, **chosen}
    described = []
    for question in section.questions:
        condition = question.show_if
        same_page = condition is not None and any(
            condition.question == q.id for q in section.questions)
        if not same_page and not flow.applies(question, context):
            continue
        entry: dict[str, Any] = {
            "id": question.id,
            "type": question.type,
            "text": question.text,
            "help": question.help,
            "required": question.required,
            "max_choices": question.max_choices,
            "error": errors.get(question.id),
            "text_value": texts.get(question.id, ""),
            "max_text": MAX_TEXT,
            "show_if": condition,
            "hidden": same_page and not flow.applies(question, context),
        }
        picked = chosen.get(question.id, [])
        entry["options"] = [
            {
                "id": option.id,
                "label": option.label,
                "checked": option.id in picked,
                "other": option.other,
                "other_name": other_field(question.id, option.id),
                "other_value": texts.get(other_field(question.id, option.id), ""),
                "other_error": errors.get(other_field(question.id, option.id)),
            }
            for option in question.options
        ]
        entry["statements"] = [
            {
                "key": f"{question.id}.{statement.id}",
                "text": statement.text,
                "picked": (chosen.get(f"{question.id}.{statement.id}") or [""])[0],
                "error": errors.get(f"{question.id}.{statement.id}"),
            }
            for statement in question.statements
        ]
        described.append(entry)
    return described
