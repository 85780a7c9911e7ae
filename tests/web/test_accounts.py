"""Staff sign-in on the real database: Argon2 hashes, the lockout per username and address
(and per address), messages that never tell whether an account exists, the audit trail, sign-out,
and API tokens on the "my account" page."""

from __future__ import annotations

import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.utils import timezone

from hrta.web.accounts.models import ApiToken, SignInThrottle
from hrta.web.surveys.models import AuditEntry
from tests.web.conftest import make_user
from tests.web.staffdata import PASSWORD, post, signed_in, token


def _try(client: Client, username: str, password: str, address: str = "192.0.2.1"):
    return client.post("/staff/login/", {"username": username, "password": password,
                                         "csrfmiddlewaretoken": token(client)},
                       REMOTE_ADDR=address)


def _message(reply) -> str:
    html = reply.content.decode()
    found = re.search(r'id="login-error">.*?<p class="usa-alert__text">(.*?)</p>', html, re.S)
    assert found, html[:2000]
    return " ".join(found.group(1).split())


def _address(n: int) -> str:
    return f"198.51.100.{n % 250 + 1}"


def test_password_is_stored_with_argon2():
    user = make_user("viewer")
    assert user.password.startswith("argon2$")


def test_sign_in_lands_on_the_dashboard_and_is_audited(wave):
    user = make_user("viewer")
    client = Client(enforce_csrf_checks=True)
    client.get("/staff/login/")
    reply = _try(client, user.username, PASSWORD, "203.0.113.9")
    assert reply.status_code == 302 and reply["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 302  # on to the newest wave's dashboard
    entry = AuditEntry.objects.filter(action="login", user=user).get()
    assert entry.detail == {"address": "203.0.113.9"}


def test_wrong_password_and_unknown_user_get_the_same_message():
    user = make_user("analyst")
    client = Client(enforce_csrf_checks=True)
    client.get("/staff/login/")
    wrong = _try(client, user.username, "not-the-password", _address(1))
    unknown = _try(client, f"nobody-{user.pk}", "not-the-password", _address(2))
    assert wrong.status_code == unknown.status_code == 200
    assert _message(wrong) == _message(unknown)
    assert "After 5 failed tries" in _message(wrong)
    logged = AuditEntry.objects.filter(action="login_failed",
                                       detail__username__in=[user.username,
                                                             f"nobody-{user.pk}"])
    assert logged.count() == 2


def test_lockout_after_the_limit_refuses_even_the_right_password():
    user = make_user("admin")
    client = Client(enforce_csrf_checks=True)
    client.get("/staff/login/")
    address = _address(0)
    for _ in range(4):
        assert "After 5 failed tries" in _message(_try(client, user.username, "wrong", address))
    fifth = _try(client, user.username.upper(), "wrong", address)  # case does not help
    assert "Sign-in is paused" in _message(fifth)
    assert "Try again in 15 minutes" in _message(fifth)
    pause = SignInThrottle.objects.get(kind="pair", username=user.username.casefold())
    # Paused: from that address the right password is refused too, without being checked,
    # and the attempt does not lengthen the pause.
    right = _try(client, user.username, PASSWORD, address)
    assert right.status_code == 200 and "Sign-in is paused" in _message(right)
    assert "_auth_user_id" not in client.session
    pause.refresh_from_db()
    assert pause.failures == 5
    assert AuditEntry.objects.filter(action="lockout",
                                     detail__username=user.username.casefold()).count() == 1
    assert AuditEntry.objects.filter(action="login_refused_locked",
                                     detail__username=user.username.casefold()).count() == 1
    # Once the pause has run out, the right password works and forgives the failures.
    SignInThrottle.objects.filter(pk=pause.pk).update(
        paused_until=timezone.now() - timedelta(seconds=1))
    assert _try(client, user.username, PASSWORD, address).status_code == 302
    assert not SignInThrottle.objects.filter(pk=pause.pk).exists()


def test_unknown_usernames_lock_the_same_way():
    name = f"ghost-{timezone.now().timestamp()}"
    client = Client(enforce_csrf_checks=True)
    client.get("/staff/login/")
    messages = [_message(_try(client, name, "guess", _address(20))) for _ in range(5)]
    assert "After 5 failed tries" in messages[3]
    assert "Sign-in is paused" in messages[4]
    assert not get_user_model().objects.filter(username=name).exists()


@override_settings(LOGIN_IP_FAILURE_LIMIT=3)
def test_one_address_guessing_many_usernames_is_locked():
    client = Client(enforce_csrf_checks=True)
    client.get("/staff/login/")
    address = "192.0.2.77"
    SignInThrottle.objects.filter(address=address).delete()
    for n in range(3):
        reply = _try(client, f"guess-{n}-{timezone.now().timestamp()}", "x", address)
    assert "Sign-in is paused" in _message(reply)
    user = make_user("viewer")
    assert "Sign-in is paused" in _message(_try(client, user.username, PASSWORD, address))
    # The same account signs in from elsewhere: the lock is on the address.
    assert _try(client, user.username, PASSWORD, "192.0.2.78").status_code == 302


def test_sign_out_is_post_only_and_audited():
    client, user = signed_in("viewer")
    assert client.get("/staff/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    reply = post(client, "/staff/logout/")
    assert reply.status_code == 302 and reply["Location"] == "/staff/login/"
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="logout", user=user).exists()
    assert client.get("/staff/account/").status_code == 302


def test_sign_in_post_needs_the_csrf_token():
    user = make_user("viewer")
    client = Client(enforce_csrf_checks=True)
    client.get("/staff/login/")
    reply = client.post("/staff/login/", {"username": user.username, "password": PASSWORD})
    assert reply.status_code == 403


def test_staff_navigation_shows_what_the_role_may_open(wave):
    viewer, _ = signed_in("viewer")
    html = viewer.get(f"/staff/waves/{wave.slug}/").content.decode()
    assert 'aria-label="Staff pages"' in html
    assert "/staff/waves/\"" not in html and "/staff/audit/" not in html
    assert f"/staff/waves/{wave.slug}/downloads/" in html
    assert f"/staff/waves/{wave.slug}/responses/" not in html
    admin, _ = signed_in("admin")
    html = admin.get(f"/staff/waves/{wave.slug}/").content.decode()
    for link in ("/staff/waves/\"", "/staff/audit/", f"/staff/waves/{wave.slug}/raffle/",
                 f"/staff/waves/{wave.slug}/responses/", f"/staff/waves/{wave.slug}/import/"):
        assert link in html
    # Respondents never see it.
    assert 'aria-label="Staff pages"' not in Client().get(f"/w/{wave.slug}/").content.decode()


def test_api_token_is_shown_once_and_stored_hashed():
    client, user = signed_in("viewer")
    reply = post(client, "/staff/account/", {"action": "create", "name": "Sheets <b>"})
    html = reply.content.decode()
    made = re.search(r'id="new-token">(hrta_[A-Za-z0-9_-]+)<', html).group(1)
    assert "Sheets &lt;b&gt;" in html
    record = ApiToken.objects.get(user=user)
    assert record.digest != made and made not in record.digest and len(record.digest) == 64
    assert made[:9] == record.prefix
    assert made not in client.get("/staff/account/").content.decode()
    other, _ = signed_in("viewer")
    # Another user cannot revoke it.
    post(other, f"/staff/account/tokens/{record.pk}/revoke/")
    assert ApiToken.objects.filter(pk=record.pk).exists()
    reply = post(client, f"/staff/account/tokens/{record.pk}/revoke/")
    assert reply.status_code == 302
    assert not ApiToken.objects.filter(pk=record.pk).exists()
    assert list(AuditEntry.objects.filter(user=user, action__startswith="token_")
                .order_by("id").values_list("action", flat=True)) == ["token_create",
                                                                      "token_revoke"]
