"""Staff e-mail (a password link, the first one a new account gets) sent by the task queue's
worker, through a real SMTP server: the admin's page returns at once whatever the mail
server does, says the link is on its way, and shows what became of it beside the account's
details; the queue keeps no address and no link; the link is made when it is sent and works
once."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.models import User
from django.test import Client

from hrta.web.surveys.models import AuditEntry
from hrta.web.tasks.models import Job
from tests.web.conftest import make_user
from tests.web.mailserver import REFUSED, sending_to, silent_server
from tests.web.staffdata import post, signed_in
from tests.web.tasking import empty_queue, work_queue

NEW_PASSWORD = "plum-orchard-lantern-7"


@pytest.fixture(autouse=True)
def _own_queue():
    """The worker below takes only what each test queues."""
    empty_queue()


def _account(email: str) -> User:
    user = make_user("viewer")
    User.objects.filter(pk=user.pk).update(email=email)
    user.refresh_from_db()
    return user


def _link(text: str) -> str:
    return re.search(r"https?://[^/\s]+(/staff/password/[^\s<\"]+/)", text).group(1)


def _set_password(link: str) -> int:
    client = Client(enforce_csrf_checks=True)
    if client.get(link).status_code != 200:
        return 400
    return post(client, link, {"password": NEW_PASSWORD, "again": NEW_PASSWORD}).status_code


def _details(page: str) -> str:
    """The part of an account's page that shows its details (up to the role form)."""
    return page.split('id="role-heading"')[0]


def test_a_stalled_mail_server_holds_up_no_admin_page(inbox):
    client, _boss = signed_in("admin")
    user = _account("sam@example.org")
    with silent_server() as port, sending_to(port, timeout=5):
        began = time.monotonic()
        reply = post(client, f"/staff/users/{user.pk}/", {"action": "email_link"})
        took = time.monotonic() - began
        page = client.get(reply["Location"]).content.decode()
    assert took < 1, f"the admin's page waited {took:.1f} s on the mail server"
    assert reply.status_code == 302
    assert "A link to set a password is on its way to" in page
    assert "/staff/password/" not in page  # to be e-mailed, so not shown
    [job] = Job.objects.filter(kind=Job.Kind.MESSAGE, params__message="password_link",
                              params__account=user.pk)
    assert job.status == Job.Status.QUEUED
    assert "sam@" not in str(job.params)
    assert inbox.messages == []

    assert work_queue() == 1  # the worker, with the mail server answering again
    [message] = inbox.to("sam@example.org")
    link = _link(message.get_content())
    # The queue never held the link: it was made when it was sent.
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert link.split("/password/")[1] not in str(job.params)
    assert "was sent to" in _details(client.get(f"/staff/users/{user.pk}/").content.decode())
    assert _set_password(link) == 302
    assert _set_password(link) == 400  # it worked once
    sent = AuditEntry.objects.filter(action="email_sent").latest("id")
    assert sent.detail["kind"] == "password_link" and "sam@" not in str(sent.detail)


def test_a_new_account_gets_its_first_link_from_the_worker(inbox):
    client, boss = signed_in("admin")
    reply = post(client, "/staff/users/", {"username": "rosa", "email": "rosa@example.org",
                                           "role": "analyst"})
    assert reply.status_code == 200
    assert "A link to set a password is on its way to rosa." in reply.content.decode()
    assert inbox.messages == []
    assert work_queue() == 1
    [message] = inbox.to("rosa@example.org")
    assert _set_password(_link(message.get_content())) == 302
    # Recorded as the admin's, who asked for it, though a worker sent it.
    assert AuditEntry.objects.filter(action="email_sent").latest("id").username == \
        boss.username


def test_a_refusal_is_shown_beside_the_accounts_details(inbox):
    client, _boss = signed_in("admin")
    user = _account(f"who@{REFUSED}")
    post(client, f"/staff/users/{user.pk}/", {"action": "email_link"})
    waiting = _details(client.get(f"/staff/users/{user.pk}/").content.decode())
    assert "waiting to be sent" in waiting
    assert work_queue() == 1
    page = _details(client.get(f"/staff/users/{user.pk}/").content.decode())
    assert "could not be sent: 550 5.1.1 Mailbox unavailable" in page
    assert work_queue() == 0  # tried once: nothing tries it again on its own


def test_an_account_deactivated_while_its_link_waited_gets_none(inbox):
    client, _boss = signed_in("admin")
    user = _account("gone@example.org")
    post(client, f"/staff/users/{user.pk}/", {"action": "email_link"})
    post(client, f"/staff/users/{user.pk}/", {"action": "deactivate"})
    assert work_queue() == 1
    assert inbox.messages == []
    page = _details(client.get(f"/staff/users/{user.pk}/").content.decode())
    assert "could not be sent: The account was deactivated" in page
