"""Staff accounts managed from the web: add one, change its role, deactivate or reactivate
it, send or show a one-time link to set a new password, and change one's own password.
Each change is in the audit log, naming the account it was made to (never a password or a
link).

A password link is Django's password-reset token: it works once (setting the password
changes what it was made from) and for PASSWORD_RESET_TIMEOUT seconds. One to e-mail is
made and sent by a worker (hrta.web.accounts.mailing), so a slow mail server holds up no
admin's page. An admin cannot
change their own role or deactivate themselves, so a center always keeps one admin who
can put things right.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from hrta.web.accounts.mailing import queue_password_link
from hrta.web.accounts.roles import ROLES, assign_role, role_of
from hrta.web.surveys.services import record
from hrta.web.tasks.models import Job


class AccountError(ValueError):
    """A change the page refuses, with the message to show."""


@dataclass(frozen=True)
class ResetLink:
    link: str  # "" when it is to be e-mailed
    queued: Job | None  # the message that e-mails it; None when it is shown once instead


def add_user(*, by: User, username: str, role: str, email: str = "") -> User:
    """A new staff account with no usable password: its owner sets one from a link."""
    if role not in ROLES:
        raise AccountError(_("Choose a role."))
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(_("There is already an account with that username."))
    with transaction.atomic():
        user = User.objects.create_user(username, email=email)
        user.set_unusable_password()
        user.save()
        assign_role(user, role)
        record(action="user_add", user=by, detail={"account": username, "role": role})
    return user


def _not_self(by: User, user: User) -> None:
    if by.pk == user.pk:
        raise AccountError(_("You cannot change your own role or deactivate your own "
                             "account: ask another administrator."))


def change_role(*, by: User, user: User, role: str) -> None:
    _not_self(by, user)
    if role not in ROLES:
        raise AccountError(_("Choose a role."))
    before = role_of(user)
    with transaction.atomic():
        assign_role(user, role)
        record(action="user_role", user=by,
               detail={"account": user.get_username(), "role": role, "was": before})


def set_active(*, by: User, user: User, active: bool) -> None:
    """Deactivate an account (it can no longer sign in, and its tokens stop working at
    once) or let it sign in again. Nothing it did is deleted."""
    _not_self(by, user)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=active)
        record(action="user_reactivate" if active else "user_deactivate", user=by,
               detail={"account": user.get_username()})
    user.is_active = active


def password_page(user: User, page: str) -> str:
    """The one-time link of `user`'s password page, `page` being that page's absolute
    address without the account and token (see hrta.web.accounts.people)."""
    return (f"{page}{urlsafe_base64_encode(force_bytes(user.pk))}/"
            f"{default_token_generator.make_token(user)}/")


def reset_link(*, by: User, user: User, page: str, by_email: bool) -> ResetLink:
    """A one-time link to set a new password: queued to be e-mailed to the account's
    address by a worker (hrta.web.accounts.mailing), or returned to be shown once to the
    admin."""
    if by_email and not user.email:
        raise AccountError(_("This account has no e-mail address: show the link instead."))
    record(action="password_link", user=by, detail={
        "account": user.get_username(), "how": "email" if by_email else "shown"})
    if not by_email:
        return ResetLink(link=password_page(user, page), queued=None)
    return ResetLink(link="", queued=queue_password_link(by=by, user=user, page=page))


def user_for_link(uidb64: str, token: str) -> User | None:
    """The active account a password link is for, if the link is still good."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def set_password(*, user: User, password: str, own: bool) -> None:
    """Set a password checked by the password rules (AUTH_PASSWORD_VALIDATORS): by the
    account's owner on the "change password" page, or through a one-time link."""
    from django.contrib.auth.password_validation import validate_password

    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages)) from exc
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record(action="password_change" if own else "password_set", user=user,
               detail={"account": user.get_username()})
