"""Who did something: a staff account, a visitor who has not signed in, or nobody (a
command run from the shell). Services take any of them; what they store names an account
only when there is one."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

Someone = User | AnonymousUser | None
"""`request.user`, or None where no request is behind the change."""


def account(user: Someone) -> User | None:
    """The saved staff account behind `user`, or None for a visitor or a command."""
    return user if isinstance(user, User) and user.pk else None


def signed_in(request: HttpRequest) -> User:
    """The account of a page that only signed-in staff reach (behind login_required or a
    permission check), so a visitor is refused rather than treated as an account."""
    user = account(request.user)
    if user is None:
        raise PermissionDenied
    return user
