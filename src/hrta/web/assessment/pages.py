"""Reading a submitted page: validate the posted answers against the instrument and turn
them into answer rows; and describing a page's questions for its template."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hrta.instrument import Question, Section
from hrta.web.surveys import flow
from hrta.web.surveys.services import PageAnswer

MAX_TEXT = 10_000
MAX_OTHER = 500
# A single-choice question with more options than this is drawn as a drop-down list:
# 56 states as radio buttons are a long scroll on a phone.
MAX_RADIOS = 20


def _number(value: int) -> str:
    """A count as the respondent's language writes it: 10,000 or 10.000."""
    return number_format(value, force_grouping=True)


def other_field(question_id: str, option_id: str) -> str:
    return f"{question_id}__{option_id}__text"


def clean_text(text: str) -> str:
    """Keep what the respondent typed, except NUL, which no database column can hold."""
    return text.replace("\x00", "")


@dataclass
class PageResult:
    """One posted page: the answers that are valid, and a message for each that is not.

    `answers` never holds a row of a question that has an error, so a page left with
    Back can save what is valid and keep the stored answer of what is not.
    """

    answers: list[PageAnswer] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    error_keys: set[str] = field(default_factory=set)
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
    answers: list[PageAnswer] = []
    for question in section.questions:
        if not flow.applies(question, context):
            continue
        answers.extend(_read_question(question, result))
    result.answers = [a for a in answers if a.question_id not in result.error_keys]
    return result


def _fail(result: PageResult, key: str, message: str, *, field_name: str | None = None) -> None:
    result.errors[field_name or key] = message
    result.error_keys.add(key)


def _read_question(question: Question, result: PageResult) -> list[PageAnswer]:
    qid = question.id
    if question.type == "text":
        text = result.texts.get(qid, "")
        if len(text) > MAX_TEXT:
            _fail(result, qid, ngettext(
                "Your answer is %(length)s characters long. Please shorten it to "
                "%(limit)s characters or fewer.",
                "Your answer is %(length)s characters long. Please shorten it to "
                "%(limit)s characters or fewer.", len(text),
            ) % {"length": _number(len(text)), "limit": _number(MAX_TEXT)})
            return []
        if text.strip():
            return [PageAnswer(question_id=qid, value=text)]
        if question.required:
            _fail(result, qid, _("Please answer this question."))
        return []
    answers = []
    valid = set(question.option_ids)
    for key in flow.answer_keys(question):
        picked = result.chosen.get(key, [])
        if any(option not in valid for option in picked):
            _fail(result, key, _("Please choose one of the answers shown."))
            continue
        if question.type != "multi" and len(picked) > 1:
            _fail(result, key, _("Please choose only one answer."))
            continue
        if question.max_choices is not None and len(picked) > question.max_choices:
            _fail(result, key, ngettext(
                "You can choose up to %(limit)d answer. You chose %(count)d. "
                "Please clear some.",
                "You can choose up to %(limit)d answers. You chose %(count)d. "
                "Please clear some.",
                question.max_choices) % {"limit": question.max_choices, "count": len(picked)})
            continue
        if not picked and question.required:
            _fail(result, key, _("Please answer this question."))
            continue
        for option_id in dict.fromkeys(picked):
            value = None
            if question.option(option_id).other:
                name = other_field(qid, option_id)
                text = result.texts.get(name, "")
                if len(text) > MAX_OTHER:
                    message = ngettext(
                        "This is %(length)s characters long. Please shorten it to "
                        "%(limit)s characters or fewer.",
                        "This is %(length)s characters long. Please shorten it to "
                        "%(limit)s characters or fewer.", len(text),
                    ) % {"length": _number(len(text)), "limit": _number(MAX_OTHER)}
                    _fail(result, key, message, field_name=name)
                value = text if text.strip() else None
            answers.append(PageAnswer(question_id=key, option_id=option_id, value=value))
    return answers


def stored_answers(stored: Sequence[tuple[str, str, str | None]],
                   keys: Collection[str]) -> list[PageAnswer]:
    """The stored rows of these question keys, to save again unchanged."""
    return [PageAnswer(question_id=q, option_id=o, value=v)
            for q, o, v in stored if q in keys]


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
            "max_text": _number(MAX_TEXT),
            "show_if": condition,
            "hidden": same_page and not flow.applies(question, context),
            "as_select": question.type == "single" and len(question.options) > MAX_RADIOS,
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


def error_links(questions: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The page's errors in page order, each with the id of the field it is about, for the
    summary at the top of the page (a link there moves the focus to the field)."""
    links = []
    for q in questions:
        if q["hidden"]:
            continue
        first = q["options"][0]["id"] if q["options"] else ""
        if q["error"]:
            target = q["id"] if q["type"] == "text" or q["as_select"] else f"{q['id']}-{first}"
            links.append({"target": target, "label": q["text"], "message": q["error"]})
        for statement in q["statements"]:
            if statement["error"]:
                links.append({"target": f"{statement['key']}-{first}",
                              "label": statement["text"], "message": statement["error"]})
        for option in q["options"]:
            if option["other_error"]:
                links.append({"target": option["other_name"],
                              "label": f"{q['text']} — {option['label']}",
                              "message": option["other_error"]})
    return links
