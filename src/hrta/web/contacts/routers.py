"""Send the contacts app to the `contacts` database and nothing else there."""

from __future__ import annotations

from typing import Any

CONTACTS = "contacts"


class ContactsRouter:
    def db_for_read(self, model: type, **hints: Any) -> str | None:
        return CONTACTS if model._meta.app_label == CONTACTS else None

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return CONTACTS if model._meta.app_label == CONTACTS else None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # No foreign key may cross between contacts and answers.
        apps = {obj1._meta.app_label, obj2._meta.app_label}
        if CONTACTS in apps:
            return apps == {CONTACTS}
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        if app_label == CONTACTS:
            return db == CONTACTS
        if db == CONTACTS:
            # The contacts database also holds nothing else: auth checks run on default.
            return False
        return None
