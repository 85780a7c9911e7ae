"""Send the contacts app (and the mail app's addresses) to the `contacts` database and
nothing else there."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

CONTACTS = "contacts"
# Apps whose tables hold addresses: all in the contacts database.
CONTACT_APPS = frozenset({CONTACTS, "mail", "invitations"})


class ContactsRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        return CONTACTS if model._meta.app_label in CONTACT_APPS else None

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        return CONTACTS if model._meta.app_label in CONTACT_APPS else None

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # No foreign key may cross between contacts and answers.
        apps = {obj1._meta.app_label, obj2._meta.app_label}
        if apps & CONTACT_APPS:
            return apps <= CONTACT_APPS
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        if app_label in CONTACT_APPS:
            return db == CONTACTS
        if db == CONTACTS:
            # The contacts database also holds nothing else: auth checks run on default.
            return False
        return None
