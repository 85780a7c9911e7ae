"""Driving the app in Chromium the way a person does: questions found by their wording and
answers by their label (both read from the instrument), buttons and links by their text."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from hrta.web.surveys import flow
from hrta.web.surveys.models import Answer

# Stored exactly as typed, shown as text: a script tag, a formula, accents and an emoji
# sequence with a skin tone and a zero-width joiner.
HOSTILE = "<script>alert('x')</script> =HYPERLINK(\"http://x\") naïve café 👩🏽‍⚕️ ok"

NEXT = re.compile(r"^Save and (continue|check|review)", re.IGNORECASE)


def fail_on_dialog(page) -> list[str]:
    dialogs: list[str] = []

    def record(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return dialogs


def question_of(wave, question_id: str):
    return wave.instrument.question(question_id)


def choose(page, wave, question_id: str, *option_ids: str) -> None:
    """Pick answers the way a person does: find the question by its wording, then the
    answer by its label (a drop-down list for long single-choice questions)."""
    question = question_of(wave, question_id)
    labels = [question.option(option_id).label for option_id in option_ids]
    group = page.get_by_role("group", name=question.text)
    if group.count():
        for label in labels:
            tap(group, label)
    else:
        page.get_by_label(question.text).select_option(label=labels[0])


def rate(page, wave, question_id: str, statement_id: str, option_id: str) -> None:
    question = question_of(wave, question_id)
    statement = next(s for s in question.statements if s.id == statement_id)
    group = page.get_by_role("group", name=statement.text, exact=True)
    tap(group, question.option(option_id).label)


def tap(group, label: str) -> None:
    """Tap an answer's label, as on a phone: USWDS draws its own radio buttons and
    checkboxes and keeps the real inputs out of sight."""
    group.locator("label").filter(has_text=re.compile(f"^{re.escape(label)}$")).click()
    expect(group.get_by_label(label, exact=True)).to_be_checked()


def write(page, wave, question_id: str, text: str) -> None:
    page.get_by_label(question_of(wave, question_id).text).fill(text)


def fits_phone(page) -> None:
    """Nothing wider than the 360 px screen: no sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width} px wide"


def start(page, live_url: str, wave) -> None:
    page.goto(f"{live_url}/w/{wave.slug}/")
    fits_phone(page)
    page.get_by_role("button", name=re.compile("Start the assessment", re.I)).click()
    page.wait_for_url(re.compile(r"/page/1/$"))


def save_and_continue(page) -> None:
    """Save the page and wait for the one the app sends the respondent to next."""
    before = page.url
    page.get_by_role("button", name=NEXT).click()
    page.wait_for_url(lambda url: url != before)


def resume_link(page) -> str:
    """The private link shown after screening or on "Save and finish later": the code
    comes after "#", so browsers never send it to a server."""
    link = page.locator("a[href*='/resume/']").first
    href = link.get_attribute("href")
    assert href and re.search(r"/resume/#[A-Z0-9-]{32,}$", href), href
    return href


def page_number(page) -> int:
    match = re.search(r"/page/(\d+)/$", page.url)
    assert match, page.url
    return int(match.group(1))


def stored(wave) -> set[tuple[str, str, str | None]]:
    return set(Answer.objects.filter(response__wave=wave)
               .values_list("question_id", "option_id", "value"))


def complete_assessment(page, live_url: str, wave, answers: dict[str, tuple[str, ...] | str],
                        ) -> None:
    """Answer the whole assessment in the browser: `answers` maps a question id to option
    ids, or to the text typed for an open-ended question; every other question is left
    blank. Ends on the thank-you page."""
    start(page, live_url, wave)
    choose(page, wave, "screening", "employed")
    save_and_continue(page)
    page.get_by_role("link", name=re.compile("Continue", re.I)).click()
    sections = flow.pages(wave.instrument)
    for number in range(2, len(sections) + 1):
        page.wait_for_url(re.compile(rf"/page/{number}/$"))
        for q in sections[number - 1].questions:
            given = answers.get(q.id)
            if isinstance(given, str):
                write(page, wave, q.id, given)
            elif given:
                choose(page, wave, q.id, *given)
        save_and_continue(page)
    page.wait_for_url(re.compile(r"/review/$"))
    page.get_by_role("button", name=re.compile(r"^(Submit|Send)", re.I)).click()
    page.wait_for_url(re.compile(r"/thanks/$"))
