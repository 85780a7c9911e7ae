"""The staff sign-in form, with the lockout, and the API token form."""

from __future__ import annotations

import math
from datetime import datetime

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hrta.web.accounts import lockout
from hrta.web.surveys.services import record


def _paused_message(until: datetime) -> str:
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return ngettext(
        "Sign-in is paused after too many failed tries. Try again in %(minutes)d minute.",
        "Sign-in is paused after too many failed tries. Try again in %(minutes)d minutes.",
        minutes) % {"minutes": minutes}


class LoginForm(AuthenticationForm):
    """Django's sign-in form, refusing attempts while the username is paused for the
    client's address (see hrta.web.accounts.lockout).

    The same message answers a wrong password, an unknown username and an inactive
    account, so the form never tells whether an account exists.
    """

    def clean(self) -> dict[str, object]:
        username = self.cleaned_data.get("username") or ""
        address = lockout.client_address(self.request)
        who = {"username": lockout.normalise(username), "address": address}
        until = lockout.paused_until(username=username, address=address)
        if until is not None:
            record(action="login_refused_locked", detail=who)
            raise ValidationError(_paused_message(until), code="locked")
        try:
            return super().clean()
        except ValidationError:
            pause = lockout.note_failure(username=username, address=address)
            record(action="login_failed", detail=who)
            if pause is not None:
                record(action="lockout", detail={
                    **who, "until": pause.until.isoformat(), "minutes": pause.minutes,
                    "failures": pause.failures, "kind": pause.kind})
                raise ValidationError(_paused_message(pause.until), code="locked") from None
            raise ValidationError(
                _("We could not sign you in with that username and password. After "
                  "%(limit)d failed tries in a row, sign-in is paused for %(minutes)d "
                  "minutes."),
                code="invalid_login",
                params={"limit": settings.LOGIN_FAILURE_LIMIT,
                        "minutes": settings.LOGIN_LOCKOUT_MINUTES}) from None


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("What the token is for"), max_length=100,
        help_text=_("For example, “Monthly figures spreadsheet”. Only you see this."))


def _role_choices() -> list[tuple[str, str]]:
    from hrta.web.accounts.roles import ROLES, role_label

    return [(role, role_label(role)) for role in ROLES]


class NewUserForm(forms.Form):
    username = forms.RegexField(
        label=_("Username"), max_length=150, regex=r"^[\w.@+-]+\Z",
        help_text=_("Letters, digits and . @ + - _ only."),
        error_messages={"invalid": _("Use only letters, digits and . @ + - _ in a username.")})
    email = forms.EmailField(
        label=_("E-mail address"), required=False, max_length=254,
        help_text=_("Where the link to set a password is sent. Leave empty to show the "
                    "link to you instead."))
    role = forms.ChoiceField(label=_("Role"), choices=_role_choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=_role_choices)


class PasswordForm(forms.Form):
    """A new password, typed twice; the owner's current one too when they change it."""

    current = forms.CharField(label=_("Current password"), strip=False,
                              widget=forms.PasswordInput(attrs={
                                  "autocomplete": "current-password"}))
    password = forms.CharField(label=_("New password"), strip=False,
                               help_text=_("At least 10 characters; not a common password, "
                                           "and not only digits."),
                               widget=forms.PasswordInput(attrs={
                                   "autocomplete": "new-password"}))
    again = forms.CharField(label=_("New password again"), strip=False,
                            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, data: QueryDict | None = None, *, user: User | None) -> None:
        super().__init__(data)
        self.user = user  # the owner changing their own password; None through a link
        if user is None:
            del self.fields["current"]

    def clean_current(self) -> str:
        current: str = self.cleaned_data["current"]
        if self.user is None or not self.user.check_password(current):
            raise ValidationError(_("That is not your current password."), code="wrong")
        return current

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("again") != data.get("password"):
            self.add_error("again", _("The two new passwords are not the same."))
        return data
