"""Staff accounts without the command line: an admin adds an account, which sets its own
password from a one-time link (e-mailed through a real SMTP server, or shown once);
changes its role; deactivates it (it can no longer sign in, nor use its tokens); every
user changes their own password. Every step is in the audit log."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from hrta.web.accounts.roles import role_of
from hrta.web.accounts.tokens import issue_token
from hrta.web.surveys.models import AuditEntry
from tests.web.conftest import make_user
from tests.web.mailserver import REFUSED
from tests.web.staffdata import post, signed_in
from tests.web.tasking import empty_queue, work_queue

NEW_PASSWORD = "plum-orchard-lantern-7"


@pytest.fixture(autouse=True)
def _own_queue():
    """The worker takes only what each test queues."""
    empty_queue()


@pytest.fixture
def admin():
    return signed_in("admin")


def _link(text: str) -> str:
    return re.search(r"https?://[^/\s]+(/staff/password/[^\s<\"]+/)", text).group(1)


def _set_password(link: str, password: str = NEW_PASSWORD) -> Client:
    client = Client(enforce_csrf_checks=True)
    page = client.get(link)
    assert page.status_code == 200, page.content[:300]
    reply = post(client, link, {"password": password, "again": password})
    assert reply.status_code == 302, reply.content.decode()[-2000:]
    return client


def _signs_in(username: str, password: str = NEW_PASSWORD) -> bool:
    client = Client(enforce_csrf_checks=True)
    client.get("/staff/login/")
    return post(client, "/staff/login/", {"username": username,
                                          "password": password}).status_code == 302


def test_admin_adds_an_account_that_sets_its_password_from_an_emailed_link(admin, inbox):
    client, boss = admin
    reply = post(client, "/staff/users/", {"username": "maria", "email": "maria@example.org",
                                           "role": "analyst"})
    assert reply.status_code == 200, reply.content.decode()[-1500:]
    page = reply.content.decode()
    assert "A link to set a password is on its way to maria." in page
    assert "/staff/password/" not in page  # e-mailed, so not shown
    maria = User.objects.get(username="maria")
    assert role_of(maria) == "analyst" and not maria.has_usable_password()
    work_queue()  # a worker sends it (tests/web/test_staff_mail.py)
    [message] = inbox.to("maria@example.org")
    link = _link(message.get_content())
    _set_password(link)
    assert _signs_in("maria")
    # The link worked once.
    assert Client().get(link).status_code == 400
    added = AuditEntry.objects.filter(action="user_add").latest("id")
    assert added.username == boss.username and added.detail == {"account": "maria",
                                                                 "role": "analyst"}
    assert AuditEntry.objects.filter(action="password_set").latest("id").detail == {
        "account": "maria"}
    listing = client.get("/staff/users/").content.decode()
    assert re.search(r">maria</a></th>\s*<td>Analyst</td>", listing)


def test_a_link_is_shown_once_when_there_is_no_address(admin):
    client, _boss = admin
    reply = post(client, "/staff/users/", {"username": "lee", "email": "", "role": "viewer"})
    link = _link(reply.content.decode())
    assert link not in client.get(f"/staff/users/{User.objects.get(username='lee').pk}/"
                                  ).content.decode()
    _set_password(link)
    assert _signs_in("lee")


def test_bad_new_accounts_are_refused_with_the_reason(admin):
    client, _boss = admin
    make_user("viewer", name="taken")
    for data, says in (
            ({"username": "TAKEN", "email": "", "role": "viewer"}, "already an account"),
            ({"username": "bad name", "email": "", "role": "viewer"}, "letters, digits"),
            ({"username": "ok", "email": "not-an-address", "role": "viewer"},
             "valid email address"),
            ({"username": "ok", "email": "", "role": "owner"}, "valid choice")):
        reply = post(client, "/staff/users/", data)
        assert reply.status_code == 400
        assert says in reply.content.decode(), data
    assert not User.objects.filter(username="ok").exists()


def test_role_change_and_deactivation(admin, inbox, wave):
    client, boss = admin
    user = make_user("viewer", password=NEW_PASSWORD)
    _made, secret = issue_token(user=user, name="sheets")
    url = f"/staff/users/{user.pk}/"
    api = f"/api/waves/{wave.slug}/findings"
    assert Client().get(api, HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200
    assert post(client, url, {"action": "role", "role": "analyst"}).status_code == 302
    assert role_of(user) == "analyst"
    assert AuditEntry.objects.filter(action="user_role").latest("id").detail == {
        "account": user.username, "role": "analyst", "was": "viewer"}
    assert post(client, url, {"action": "deactivate"}).status_code == 302
    assert not _signs_in(user.username)
    assert Client().get(api, HTTP_AUTHORIZATION=f"Token {secret}").status_code in (401, 403)
    assert "Deactivated" in client.get("/staff/users/").content.decode()
    assert post(client, url, {"action": "reactivate"}).status_code == 302
    assert _signs_in(user.username)
    actions = list(AuditEntry.objects.filter(username=boss.username).values_list(
        "action", flat=True).order_by("id"))
    assert actions[-3:] == ["user_role", "user_deactivate", "user_reactivate"]
    # An admin cannot lock themselves out.
    own = post(client, f"/staff/users/{boss.pk}/", {"action": "deactivate"})
    assert own.status_code == 400 and "ask another administrator" in own.content.decode()
    boss.refresh_from_db()
    assert boss.is_active


def test_a_refused_password_link_shows_the_mail_servers_answer(admin, inbox):
    client, _boss = admin
    user = make_user("viewer")
    User.objects.filter(pk=user.pk).update(email=f"who@{REFUSED}")
    reply = post(client, f"/staff/users/{user.pk}/", {"action": "email_link"})
    work_queue()
    page = client.get(reply["Location"]).content.decode()
    assert "could not be sent: 550 5.1.1 Mailbox unavailable" in page
    assert AuditEntry.objects.filter(action="email_failed").latest("id").detail["kind"] == \
        "password_link"


def test_only_admins_manage_accounts():
    client, _user = signed_in("analyst")
    assert client.get("/staff/users/").status_code == 403
    assert post(client, "/staff/users/", {"username": "x", "role": "admin"}).status_code == 403
    assert "/staff/users/" not in client.get("/staff/account/").content.decode()


def test_everyone_changes_their_own_password():
    user = make_user("viewer", password="correct-horse-battery")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    wrong = post(client, "/staff/account/password/", {
        "current": "not-it-at-all", "password": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert wrong.status_code == 400 and "not your current password" in wrong.content.decode()
    weak = post(client, "/staff/account/password/", {
        "current": "correct-horse-battery", "password": "12345678901",
        "again": "12345678901"})
    assert weak.status_code == 400 and "entirely numeric" in weak.content.decode()
    done = post(client, "/staff/account/password/", {
        "current": "correct-horse-battery", "password": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get("/staff/account/").status_code == 200  # still signed in here
    assert _signs_in(user.username)
    assert AuditEntry.objects.filter(action="password_change").latest("id").username == \
        user.username


def test_a_forged_or_mangled_link_sets_nothing():
    user = make_user("viewer")
    for link in (f"/staff/password/{user.pk}/abc-def/", "/staff/password/!!/x-y/",
                 "/staff/password/MQ/1234-abcdef/"):
        reply = Client().get(link)
        assert reply.status_code == 400
        assert "This link no longer works" in reply.content.decode()
