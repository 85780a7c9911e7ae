"""Responses and signed-in clients for the staff page tests, made through the app's own
services (the same calls the respondent pages make), on the real test database."""

from __future__ import annotations

import csv
import html
import itertools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.test import Client

from hrta.demo.generator import synthetic_responses
from hrta.exports import write_surveymonkey_csv
from hrta.instrument import load_bundled
from hrta.web.surveys import flow
from hrta.web.surveys.models import Response, Wave
from hrta.web.surveys.services import PageAnswer, save_page, start_response, submit
from tests.web.conftest import make_user

PASSWORD = "correct-horse-battery"
_names = itertools.count(1)

# One answer per question id: "option", ["option", ...], ("option", "other text"),
# "free text" for a text question, or a matrix statement as "grid.statement": "option".
Answers = Mapping[str, Any]

ELIGIBLE = {"screening": "employed"}


def _rows(wave: Wave, answers: Answers) -> list[PageAnswer]:
    instrument = wave.instrument
    rows: list[PageAnswer] = []
    for key, given in answers.items():
        question = instrument.question(key.split(".")[0])
        if question.type == "text":
            rows.append(PageAnswer(question_id=key, value=given))
        elif isinstance(given, tuple):
            rows.append(PageAnswer(question_id=key, option_id=given[0], value=given[1]))
        else:
            for option in [given] if isinstance(given, str) else given:
                rows.append(PageAnswer(question_id=key, option_id=option))
    return rows


def add_response(wave: Wave, answers: Answers, *, finish: bool = True) -> Response:
    """A response answered page by page through the services, then submitted."""
    response, _code = start_response(wave=wave)
    rows = _rows(wave, {**ELIGIBLE, **answers})
    for number, section in enumerate(flow.pages(wave.instrument), 1):
        keys = {k for q in section.questions for k in flow.answer_keys(q)}
        response = save_page(response=response, section=section,
                             answers=[r for r in rows if r.question_id in keys], page=number)
    if finish:
        response = submit(response=response)
    return response


def staff_user(role: str | None) -> Any:
    """A new account of `role` (None: no role). Without a password: hashing one with
    Argon2 costs a large part of a second, and only the sign-in tests need it."""
    from django.contrib.auth import get_user_model

    from hrta.web.accounts.roles import assign_role

    user = get_user_model().objects.create_user(f"{role or 'norole'}-staff-{next(_names)}")
    if role is not None:
        assign_role(user, role)
    return user


def signed_in(role: str | None, *, through_login: bool = False) -> tuple[Client, Any]:
    """A test client (CSRF enforced) signed in as a new user of `role`: through the
    sign-in page, or with Django's test login (the sign-in page has its own tests)."""
    client = Client(enforce_csrf_checks=True)
    if through_login:
        user = make_user(role, name=f"{role}-staff-{next(_names)}", password=PASSWORD) \
            if role else staff_user(None)
        client.get("/staff/login/")
        reply = client.post("/staff/login/", {"username": user.username, "password": PASSWORD,
                                              "csrfmiddlewaretoken": token(client)})
        assert reply.status_code == 302, reply.content[:400]
    else:
        user = staff_user(role)
        client.force_login(user)
    return client, user


def token(client: Client) -> str:
    """The client's CSRF token; any page with a form sets it."""
    if "csrftoken" not in client.cookies:
        client.get("/staff/account/" if "sessionid" in client.cookies else "/staff/login/")
    return client.cookies["csrftoken"].value


def post(client: Client, url: str, data: Mapping[str, Any] | None = None, **extra: Any) -> Any:
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": token(client)}, **extra)


def raffle_export(tmp_path: Path, n: int = 12, seed: int = 5) -> Path:
    """A SurveyMonkey export of n synthetic responses; two entered the raffle."""
    path = tmp_path / "export.csv"
    write_surveymonkey_csv(path, synthetic_responses(load_bundled(), n, seed=seed))
    rows = list(csv.reader(path.open(encoding="utf-8")))
    name, email = rows[0].index("Your name"), rows[0].index("Your e-mail address")
    for row, who in ((2, "ana"), (5, "bo")):
        rows[row][name], rows[row][email] = who.title(), f"{who}.{seed}@example.org"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def figure_html(page: str, title: str) -> str:
    """The <figure> of a staff page whose caption holds `title`."""
    start = page.index(title)
    begin = page.rindex("<figure", 0, start)
    return page[begin:page.index("</figure>", start)]


def row_cells(figure: str, label: str) -> list[str]:
    """The cells of a figure table's row headed `label`, as text."""
    row = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', figure, re.S)
    assert row, f"no row {label!r}"
    return [html.unescape(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>",
                                                         row.group(1))]
