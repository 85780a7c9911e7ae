"""A respondent's steps through the assessment with Django's test client (CSRF enforced),
shared by the respondent-side tests."""

from __future__ import annotations

import re
from typing import Any

from hrta.web.surveys import flow


def csrf(client, url: str) -> str:
    client.get(url)
    return client.cookies["csrftoken"].value


def post(client, url: str, data: dict[str, Any] | None = None):
    token = (client.cookies["csrftoken"].value if "csrftoken" in client.cookies
             else csrf(client, url))
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": token})


def start(client, wave) -> None:
    csrf(client, f"/w/{wave.slug}/")
    reply = post(client, f"/w/{wave.slug}/start/")
    assert reply.status_code == 302, reply
    assert reply["Location"] == f"/w/{wave.slug}/page/1/"


def page_of(wave, question_id: str) -> int:
    """The page number a question is asked on."""
    return next(number for number, section in enumerate(flow.pages(wave.instrument), 1)
                if any(q.id == question_id for q in section.questions))


def page_count(wave) -> int:
    return len(flow.pages(wave.instrument))


def reach(client, wave, number: int) -> None:
    """Start, pass the screening question, and skip ahead to page `number`."""
    start(client, wave)
    reply = post(client, f"/w/{wave.slug}/page/1/", {"screening": "employed", "action": "next"})
    assert reply.status_code == 302
    for earlier in range(2, number):
        reply = post(client, f"/w/{wave.slug}/page/{earlier}/", {"action": "next"})
        assert reply.status_code == 302, reply.content[:300]


def resume_code(client, wave) -> str:
    html = client.get(f"/w/{wave.slug}/saved/").content.decode()
    return re.search(r'id="resume-code">([^<]+)<', html).group(1)
