"""Staff roles as Django groups: what each may do.

viewer   reads the dashboard and downloads published outputs
analyst  also manages responses (exclude, include), imports exports, reviews coding,
         keeps the TA catalog and tracks TA requests
admin    also manages waves and accounts, and may draw the raffle and see the contact
         details of organizations that asked for TA or agreed to be invited
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, Group, Permission, User

ROLES: dict[str, tuple[str, ...]] = {
    "viewer": ("staff.view_dashboard",),
    "analyst": ("staff.view_dashboard", "staff.manage_responses",
                "assistance.manage_catalog", "assistance.manage_requests"),
    "admin": ("staff.view_dashboard", "staff.manage_responses", "staff.manage_waves",
              "contacts.draw_winner", "assistance.manage_catalog",
              "assistance.manage_requests", "assistance.view_ta_contacts",
              "accounts.manage_users"),
}


def ensure_roles() -> None:
    """Create the role groups and their permissions (idempotent; run after migrate)."""
    for role, codes in ROLES.items():
        group, _created = Group.objects.get_or_create(name=role)
        permissions = [Permission.objects.get(content_type__app_label=code.split(".")[0],
                                              codename=code.split(".")[1]) for code in codes]
        group.permissions.set(permissions)


def assign_role(user: User, role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    ensure_roles()
    user.groups.set([Group.objects.get(name=role)])
    user.is_staff = True
    user.save()


def role_label(role: str | None) -> str:
    """The role as pages name it, in the reader's language."""
    from django.utils.translation import gettext

    names = {"admin": gettext("Administrator"), "analyst": gettext("Analyst"),
             "viewer": gettext("Viewer")}
    return names.get(role or "", gettext("No role"))


def role_of(user: User | AnonymousUser) -> str | None:
    names = set(user.groups.values_list("name", flat=True))
    for role in ("admin", "analyst", "viewer"):
        if role in names:
            return role
    return None
