"""Personal API tokens: made, listed, revoked, and checked on each API request.

A token is 256 random bits; only its SHA-256 digest is stored, so a copy of the database
cannot be used to call the API. (A slow password hash is not needed: nobody can guess
256 random bits.)
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone

from hrta.web.accounts.models import ApiToken

TOKEN_PREFIX = "hrta_"
SHOWN_CHARS = 9


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for `user`; return its record and the token, which is shown only now."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(user=user, name=name.strip()[:100] or "API token",
                                     prefix=token[:SHOWN_CHARS], digest=_digest(token))
    return record, token


def revoke_token(*, user: User, token_id: int) -> bool:
    """Delete one of the user's tokens; False if they have no such token."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def user_for_token(token: str) -> User | None:
    """The active user a token belongs to, or None for an unknown token."""
    token = token.strip()
    if not token.startswith(TOKEN_PREFIX):
        return None
    record = ApiToken.objects.select_related("user").filter(digest=_digest(token)).first()
    if record is None or not record.user.is_active:
        return None
    ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
    return record.user
