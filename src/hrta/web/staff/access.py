"""Who may open a staff page: signed in (else the sign-in page) and with the permission
its role grants (else 403). Roles and their permissions: hrta.web.accounts.roles."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponseBase
from django.shortcuts import get_object_or_404

from hrta.web.surveys.models import Wave

VIEW = "staff.view_dashboard"
MANAGE_RESPONSES = "staff.manage_responses"
MANAGE_WAVES = "staff.manage_waves"
DRAW_WINNER = "contacts.draw_winner"
# Contact details of organizations that agreed to be contacted, and invitations by e-mail.
SEE_CONTACTS = "assistance.view_ta_contacts"

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def staff_page(permission: str) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        return login_required(permission_required(permission, raise_exception=True)(view))
    return decorate


def wave_or_404(slug: str) -> Wave:
    return get_object_or_404(Wave, slug=slug)
