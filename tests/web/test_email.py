"""E-mail through a real SMTP server run in the test process: a respondent's resume link
sent to the address they type (on the saved and the thank-you page), a new link for a
lost one sent only to an address given before, news of a TA request for those who asked
for it; each sent by the task queue's worker, so a page never waits on the mail server;
refusals and a silent server reported to staff and in the audit log; the mail settings read
from the environment."""

from __future__ import annotations

import re
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone

from hrta.web.assistance.models import TARequest
from hrta.web.mail.models import ResumeAddress
from hrta.web.mailconfig import CONSOLE, SMTP, email_settings
from hrta.web.surveys import services as surveys
from hrta.web.surveys.models import AuditEntry, Response
from hrta.web.tasks.models import Job
from tests.web import respondents
from tests.web.mailserver import REFUSED, sending_to, silent_server
from tests.web.staffdata import post as staff_post
from tests.web.staffdata import signed_in
from tests.web.tasking import empty_queue, work_queue
from tests.web.test_assistance_web import RICH, submit, text_of
from tests.web.test_hardening import _fresh_env, _hrta

ANSWER_TEXT = "Stigma from the county board"


def _code_in(body: str) -> str:
    return re.search(r"/resume/#([A-Z0-9-]+)", body).group(1)


@pytest.fixture(autouse=True)
def _own_queue():
    """The worker below takes only what each test queues."""
    empty_queue()


def test_saved_page_sends_the_link_only_to_the_address_typed(client, wave, inbox):
    respondents.reach(client, wave, 2)
    code = respondents.resume_code(client, wave)
    bad = respondents.post(client, f"/w/{wave.slug}/saved/",
                           {"action": "email_link", "email": "not an address"})
    assert bad.status_code == 400
    assert "Please check the e-mail address." in bad.content.decode()
    assert inbox.messages == []

    sent = respondents.post(client, f"/w/{wave.slug}/saved/",
                            {"action": "email_link", "email": "Ana@Example.org"})
    assert sent.status_code == 302
    assert inbox.messages == []  # the worker sends it, not the request
    [job] = Job.objects.filter(kind=Job.Kind.MESSAGE, status=Job.Status.QUEUED)
    # The queue holds no address, code or text: the worker looks them up in the contacts
    # database.
    assert "ana@" not in str(job.params).casefold() and code not in str(job.params)
    assert work_queue() == 1
    [(rcpt, message)] = inbox.messages
    assert rcpt == ["Ana@Example.org"]
    body = message.get_content()
    assert _code_in(body) == code and "/resume/#" in body
    assert "Your link is on its way to Ana@Example.org" in client.get(
        f"/w/{wave.slug}/saved/").content.decode()
    response = Response.objects.filter(wave=wave).latest("id")
    kept = ResumeAddress.objects.get(response_key=response.public_id)
    assert kept.address == "Ana@Example.org" and "Example" not in kept.address_encrypted
    assert kept.link_encrypted == ""  # the link is forgotten once sent
    entry = AuditEntry.objects.filter(action="email_sent", response=response).get()
    # Recorded by the worker that sent it, as a command's entry is; no address of anyone.
    assert entry.detail["kind"] == "resume_link" and entry.address == ""
    assert "Ana" not in str(entry.detail)


def test_a_lost_link_is_sent_again_only_to_the_address_given(client, wave, inbox):
    respondents.reach(client, wave, 2)
    old = respondents.resume_code(client, wave)
    respondents.post(client, f"/w/{wave.slug}/saved/",
                     {"action": "email_link", "email": "lost@example.org"})
    work_queue()
    client.get(f"/w/{wave.slug}/saved/")  # reads the "we sent it" message
    inbox.clear()
    stranger = respondents.post(client, "/resume/", {"action": "new_link",
                                                     "email": "someone@example.org"})
    answer_unknown = text_of(client.get(stranger["Location"]).content.decode())
    work_queue()
    assert inbox.messages == []

    known = respondents.post(client, "/resume/", {"action": "new_link",
                                                  "email": "LOST@example.org"})
    answer_known = text_of(client.get(known["Location"]).content.decode())
    assert "lost@" not in str(Job.objects.filter(kind=Job.Kind.MESSAGE).values_list(
        "params", "key")).casefold()
    assert surveys.find_by_code(old) is not None  # still works until the new one is sent
    assert work_queue() == 1
    # The page says the same, apart from the address echoed: it reveals nothing.
    assert answer_known.replace("LOST@example.org", "X") == \
        answer_unknown.replace("someone@example.org", "X")
    [(rcpt, message)] = inbox.messages
    assert rcpt == ["lost@example.org"]  # as the respondent gave it
    new = _code_in(message.get_content())
    assert new != old
    assert surveys.find_by_code(old) is None  # whoever holds the old code is locked out
    assert surveys.find_by_code(new) == Response.objects.filter(wave=wave).latest("id")


def test_thank_you_page_repeats_the_code_and_mails_the_plan_link(client, wave, inbox):
    submit(client, wave, RICH)
    page = client.get(f"/w/{wave.slug}/thanks/").content.decode()
    code = re.search(r'id="resume-code">([^<]+)<', page).group(1)
    assert 'data-copy="resume-code"' in page and "Copy the code" in page
    sent = respondents.post(client, f"/w/{wave.slug}/thanks/",
                            {"action": "email_link", "email": "plan@example.org"})
    assert sent.status_code == 302
    work_queue()
    [message] = inbox.to("plan@example.org")
    body = message.get_content()
    assert _code_in(body) == code and "TA plan" in body
    assert ANSWER_TEXT not in body and "ccbhc" not in body  # no answers in a message


def _ask(client, wave, *, updates: bool, email: str) -> TARequest:
    submit(client, wave, RICH)
    fields = {"areas": ["funding"], "name": "Ana", "email": email}
    if updates:
        fields["updates"] = "on"
    assert respondents.post(client, f"/w/{wave.slug}/plan/ask/", fields).status_code == 302
    work_queue()
    return TARequest.objects.filter(wave=wave).latest("id")


def test_ta_request_news_reaches_those_who_asked_for_it(client, wave, inbox):
    request = _ask(client, wave, updates=True, email="news@example.org")
    [received] = inbox.to("news@example.org")
    assert request.reference in received["Subject"] and "Received" in received["Subject"]
    staff, _user = signed_in("analyst")
    today = timezone.localdate()
    reply = staff_post(staff, f"/staff/requests/{request.pk}/", {
        "status": "scheduled", "on": today.isoformat(),
        "scheduled_for": today.isoformat(), "assignee": _user.pk})
    assert reply.status_code == 302
    assert "The e-mail to the organization is waiting to be sent" in staff.get(
        reply["Location"]).content.decode()
    assert work_queue() == 1
    assert "The organization was told by e-mail" in staff.get(reply["Location"]) \
        .content.decode()
    scheduled = inbox.to("news@example.org")[1]
    assert "Scheduled" in scheduled["Subject"] and "is scheduled for" in \
        scheduled.get_content()


def test_no_news_for_those_who_did_not_ask(client, wave, inbox):
    request = _ask(client, wave, updates=False, email="quiet@example.org")
    staff, user = signed_in("analyst")
    today = timezone.localdate().isoformat()
    staff_post(staff, f"/staff/requests/{request.pk}/", {
        "status": "delivered", "on": today, "outcome": "Done", "assignee": user.pk})
    assert TARequest.objects.get(pk=request.pk).status == "delivered"
    assert work_queue() == 0  # nothing even queued
    assert inbox.to("quiet@example.org") == []


def test_a_refusal_is_shown_to_staff_and_recorded(client, wave, inbox):
    respondents.reach(client, wave, 2)
    reply = respondents.post(client, f"/w/{wave.slug}/saved/",
                             {"action": "email_link", "email": f"ana@{REFUSED}"})
    assert reply.status_code == 302
    assert work_queue() == 1
    [job] = Job.objects.filter(kind=Job.Kind.MESSAGE, wave=wave)
    assert job.status == Job.Status.FAILED and job.message.startswith("550")
    assert work_queue() == 0  # tried once: nothing tries it again on its own
    assert respondents.resume_code(client, wave)  # the code is still on the page
    entry = AuditEntry.objects.filter(action="email_failed").latest("id")
    assert entry.detail["kind"] == "resume_link" and entry.detail["error"].startswith("550")

    request = _ask(Client(enforce_csrf_checks=True), wave, updates=True,
                   email=f"org@{REFUSED}")
    staff, user = signed_in("analyst")
    today = timezone.localdate().isoformat()
    reply = staff_post(staff, f"/staff/requests/{request.pk}/", {
        "status": "delivered", "on": today, "outcome": "Done", "assignee": user.pk})
    work_queue()
    page = staff.get(reply["Location"]).content.decode()
    assert "could not be sent: 550 5.1.1 Mailbox unavailable" in page


def test_a_stalled_mail_server_holds_up_no_page(client, wave, inbox):
    request = _ask(client, wave, updates=True, email="stalled@example.org")
    staff, user = signed_in("analyst")
    today = timezone.localdate().isoformat()
    with silent_server() as port, sending_to(port, timeout=30):
        began = time.monotonic()
        saved = respondents.post(client, f"/w/{wave.slug}/thanks/",
                                 {"action": "email_link", "email": "ana@example.org"})
        moved = staff_post(staff, f"/staff/requests/{request.pk}/", {
            "status": "delivered", "on": today, "outcome": "Done", "assignee": user.pk})
        # Sent from the request, each would wait the full 30 seconds for the server.
        assert time.monotonic() - began < 10
    assert saved.status_code == 302 and moved.status_code == 302
    inbox.clear()
    assert work_queue() == 2  # the worker, with the mail server answering again
    assert len(inbox.to("ana@example.org")) == 1
    assert "Delivered" in inbox.to("stalled@example.org")[0]["Subject"]


def test_a_server_that_never_answers_is_given_up_on(client, wave):
    respondents.reach(client, wave, 2)
    with silent_server() as port, sending_to(port, timeout=1):
        reply = respondents.post(client, f"/w/{wave.slug}/saved/",
                                 {"action": "email_link", "email": "ana@example.org"})
        assert reply.status_code == 302
        began = time.monotonic()
        assert work_queue() == 1
        assert time.monotonic() - began < 10
    entry = AuditEntry.objects.filter(action="email_failed").latest("id")
    assert "did not answer within 1 seconds" in entry.detail["error"]
    failed = Job.objects.filter(kind=Job.Kind.MESSAGE).latest("created_at")
    assert failed.status == Job.Status.FAILED
    assert "did not answer within 1 seconds" in failed.message


@pytest.mark.parametrize(("env", "expected"), [
    ({}, (CONSOLE, "localhost", 25, "", False, False)),
    ({"HRTA_EMAIL_URL": "smtp://me%40x.org:p%2Fw@mail.x.org"},
     (SMTP, "mail.x.org", 587, "me@x.org", True, False)),
    ({"HRTA_EMAIL_URL": "smtps://mail.x.org"}, (SMTP, "mail.x.org", 465, "", False, True)),
    ({"HRTA_EMAIL_URL": "smtp+insecure://relay:2525"}, (SMTP, "relay", 2525, "", False, False)),
    ({"HRTA_EMAIL_HOST": "mail.x.org", "HRTA_EMAIL_USER": "u", "HRTA_EMAIL_TLS": "ssl"},
     (SMTP, "mail.x.org", 465, "u", False, True)),
])
def test_mail_settings_from_the_environment(env, expected):
    found = email_settings(env)
    assert (found.backend, found.host, found.port, found.user, found.starttls,
            found.ssl) == expected


@pytest.mark.parametrize(("env", "named"), [
    ({"HRTA_EMAIL_URL": "imap://x"}, "HRTA_EMAIL_URL"),
    ({"HRTA_EMAIL_URL": "smtp://"}, "HRTA_EMAIL_URL"),
    ({"HRTA_EMAIL_HOST": "x", "HRTA_EMAIL_PORT": "twenty"}, "HRTA_EMAIL_PORT"),
    ({"HRTA_EMAIL_HOST": "x", "HRTA_EMAIL_TLS": "maybe"}, "HRTA_EMAIL_TLS"),
    ({"HRTA_EMAIL_TIMEOUT": "0"}, "HRTA_EMAIL_TIMEOUT"),
])
def test_a_mistyped_mail_setting_stops_with_its_name(env, named):
    with pytest.raises(ImproperlyConfigured, match=named):
        email_settings(env)


@pytest.mark.parametrize("value", ["three", "0"])
def test_a_malformed_attempts_setting_stops_start_up_with_its_name(value):
    # A fresh process, as an operator starts one: the setting is read at start-up.
    failed = _hrta("user", "unlock", "admin", env=_fresh_env(HRTA_EMAIL_ATTEMPTS=value))
    assert failed.returncode == 2
    assert "HRTA_EMAIL_ATTEMPTS" in failed.stderr
    assert "Traceback" not in failed.stderr
