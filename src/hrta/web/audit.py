"""The audit trail's plumbing: where a request comes from, who and how it reached the app,
and the log's way out (a JSON-lines file as entries are written, and exports).

Entries are written by hrta.web.surveys.services.record; the model is
hrta.web.surveys.models.AuditEntry. A middleware puts each request's client address and
channel in a context variable, so the services that record entries need no request
argument; outside a request (an `hrta` command) the channel is `cli` and the entry names
the operating-system user who ran it.
"""

from __future__ import annotations

import contextvars
import csv
import getpass
import io
import ipaddress
import json
import logging
import os
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

log = logging.getLogger("hrta.audit")

StrOrPromise = str | Promise

FIELDS = ("id", "at", "username", "address", "via", "action", "wave", "response", "reason",
          "detail")
FORMATS = ("csv", "json", "jsonl")


# --- what the entries are called on staff pages ---------------------------------------------

# Every action an entry can record, with the words staff read for it. The code stays in
# the log and its exports (scripts filter on it); pages show the label.
ACTIONS: dict[str, StrOrPromise] = {
    "answers_save": _("Answers saved"),
    "audit_export": _("Audit log exported"),
    "backup": _("Backup made"),
    "catalog_add": _("Catalog entry added"),
    "catalog_change": _("Catalog entry changed"),
    "catalog_restore": _("Catalog entry brought back"),
    "catalog_retire": _("Catalog entry retired"),
    "catalog_update": _("Catalog updated"),
    "coding_code": _("Answer coded"),
    "coding_codebook_uploaded": _("Codebook uploaded"),
    "coding_proposal_dismissed": _("Proposed theme dismissed"),
    "coding_qdpx_imported": _("Codes read from a REFI-QDA project"),
    "coding_run": _("Coding run started"),
    "coding_theme_added": _("Theme added"),
    "contact_save": _("Contact choices saved"),
    "download": _("Download"),
    "email_failed": _("E-mail not sent"),
    "email_sent": _("E-mail sent"),
    "exclude": _("Excluded from the analysis"),
    "import": _("Answers imported"),
    "import_dedupe": _("Duplicate imports removed"),
    "include": _("Included in the analysis again"),
    "invitation_unsubscribe": _("Unsubscribed from invitations"),
    "invitees_add": _("Organizations added to invite"),
    "lockout": _("Account locked after failed sign-ins"),
    "login": _("Signed in"),
    "login_failed": _("Sign-in failed"),
    "login_refused_locked": _("Sign-in refused: account locked"),
    "logout": _("Signed out"),
    "mailing_queue": _("Invitations or reminders queued to send"),
    "password_change": _("Own password changed"),
    "password_link": _("Password link made"),
    "password_set": _("Password set"),
    "quote_released": _("Withheld quote released for the report"),
    "raffle_draw": _("Raffle winner drawn"),
    "raffle_show": _("Raffle winner's details shown"),
    "response_start": _("Assessment started"),
    "response_submit": _("Assessment submitted"),
    "restore": _("Backup restored"),
    "settings": _("Settings changed"),
    "ta_contacts_view": _("TA contact details viewed"),
    "ta_request": _("TA requested"),
    "ta_request_update": _("TA request updated"),
    "ta_requests_export": _("TA requests exported"),
    "token_create": _("API token created"),
    "token_revoke": _("API token revoked"),
    "unlock": _("Account unlocked"),
    "user_add": _("Account added"),
    "user_change": _("Account changed"),
    "user_deactivate": _("Account deactivated"),
    "user_reactivate": _("Account reactivated"),
    "user_role": _("Role changed"),
    "wave_change": _("Wave changed"),
    "wave_create": _("Wave created"),
}

CHANNELS: dict[str, StrOrPromise] = {"web": _("Web"), "api": _("API"),
                                     "cli": _("Command line")}


def action_label(code: str) -> str:
    """The words for an action; an action this version does not know (an entry written by
    a newer one) reads as its code with spaces, never as nothing."""
    known = ACTIONS.get(code)
    return str(known) if known is not None else code.replace("_", " ").capitalize()


def channel_label(code: str) -> str:
    known = CHANNELS.get(code)
    return str(known) if known is not None else code


def action_choices(codes: Iterable[str]) -> list[tuple[str, str]]:
    """(code, label) for a filter's options, in the reader's alphabetical order."""
    from django.utils.translation import get_language

    from hrta.wording import collation_key

    language = get_language() or "en"
    return sorted(((code, action_label(code)) for code in set(codes)),
                  key=lambda choice: collation_key(choice[1], language))


# --- where a request comes from ---------------------------------------------------------------

def _networks(value: Any) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """settings.HRTA_TRUSTED_PROXIES as networks: a list, or a comma-separated string."""
    from django.core.exceptions import ImproperlyConfigured

    items = value.split(",") if isinstance(value, str) else list(value or ())
    networks = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"HRTA_TRUSTED_PROXIES: {text!r} is not an IP address "
                                       "or network") from None
    return networks


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(request: HttpRequest | None) -> str:
    """The client's IP address, or "" when it is not known (e.g. a Unix socket).

    REMOTE_ADDR is the peer the server saw. X-Forwarded-For is believed only when that
    peer is one of settings.HRTA_TRUSTED_PROXIES (addresses or networks; none by default):
    its entries are read from the right, skipping trusted proxies, and the first other
    address is the client. Anyone can send the header, so from any other peer it is
    ignored.
    """
    if request is None:
        return ""
    peer = _ip(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return ""
    trusted = _networks(getattr(settings, "HRTA_TRUSTED_PROXIES", ()))

    def is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return any(address in network for network in trusted)

    if not is_trusted(peer):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
        address = _ip(hop)
        if address is None:
            break  # a hop we cannot read: nothing left of it can be believed
        if not is_trusted(address):
            return str(address)
    return str(peer)


# --- who and how, for the entries made while a request or a command runs ----------------------

@dataclass(frozen=True)
class Origin:
    address: str
    via: str
    os_user: str = ""


_current: contextvars.ContextVar[Origin | None] = contextvars.ContextVar("hrta_audit_origin",
                                                                          default=None)


def _command_origin() -> Origin:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # a uid with no name (e.g. in a container)
        who = str(os.getuid())
    return Origin(address="", via="cli", os_user=f"{who}@{socket.gethostname()}")


def current_origin() -> Origin:
    """The origin of the entries recorded now: the request being served, else a command."""
    return _current.get() or _command_origin()


class AuditMiddleware:
    """Notes each request's client address and channel for the entries it records."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        via = "api" if request.path_info.startswith("/api/") else "web"
        token = _current.set(Origin(address=client_address(request), via=via))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


def response_name(response: Any) -> str:
    """The name staff pages give a response (an import's respondent id, else the web
    pseudonym): never its random public id, which keys contact entries."""
    from hrta.web.staff.selectors import reference

    return reference(response)


# --- settings ----------------------------------------------------------------------------------

# The settings that change what the app shows, keeps or lets in. Secrets are never logged:
# a key is named by a short fingerprint, which tells that it changed and nothing more.
WATCHED_SETTINGS = ("DEBUG", "ALLOWED_HOSTS", "SESSION_COOKIE_SECURE", "SUPPRESS_BELOW",
                    "RESUME_DAYS", "LOGIN_FAILURE_LIMIT", "LOGIN_LOCKOUT_MINUTES",
                    "LOGIN_IP_FAILURE_LIMIT", "IMPORT_MAX_BYTES", "HRTA_TRUSTED_PROXIES",
                    "HTTPS", "SECURE_HSTS_SECONDS", "AUDIT_LOG_FILE")
SECRET_SETTINGS = ("SECRET_KEY", "CONTACTS_KEY")


JSONObject = dict[str, Any]
"""An audit entry, or the settings snapshot, as plain JSON. Open by design: each action
records the keys of its own `detail`, and an export writes whatever an entry holds."""


def settings_snapshot() -> JSONObject:
    import hashlib

    snapshot: JSONObject = {}
    for name in WATCHED_SETTINGS:
        value = getattr(settings, name, None)
        snapshot[name] = list(value) if isinstance(value, list | tuple) else value
    for name in SECRET_SETTINGS:
        value = str(getattr(settings, name, ""))
        snapshot[name] = "sha256:" + hashlib.sha256(value.encode()).hexdigest()[:12]
    snapshot["databases"] = {alias: config["ENGINE"].rsplit(".", 1)[-1]
                             for alias, config in settings.DATABASES.items()}
    return json.loads(json.dumps(snapshot, default=str))


def record_settings() -> bool:
    """Record the app's settings when they differ from the last ones recorded (run when
    the server starts and by `hrta migrate`); True if an entry was added."""
    from hrta.web.surveys.models import AuditEntry
    from hrta.web.surveys.services import record

    now = settings_snapshot()
    last = AuditEntry.objects.filter(action="settings").order_by("-id").first()
    before = (last.detail or {}).get("settings", {}) if last else {}
    changed = sorted(name for name in set(now) | set(before) if now.get(name) != before.get(name))
    if not changed:
        return False
    record(action="settings", detail={"settings": now, "changed": changed})
    return True


# --- the way out -------------------------------------------------------------------------------

def as_dict(entry: Any) -> JSONObject:
    """One entry as plain data, the shape of every export and of the JSON-lines file."""
    return {
        "id": entry.pk, "at": entry.at.isoformat(), "username": entry.username,
        "address": entry.address, "via": entry.via, "action": entry.action,
        "wave": entry.wave_slug, "response": entry.response_ref, "reason": entry.reason,
        "detail": entry.detail,
    }


class _PrivateFileHandler(logging.FileHandler):
    """Appends to a file created readable by its owner only: the log names staff and
    their addresses."""

    def _open(self) -> Any:
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return os.fdopen(descriptor, "a", encoding=self.encoding or "utf-8")


_handler_for: str | None = None


def _ensure_file_handler() -> bool:
    """Attach the JSON-lines handler once settings.AUDIT_LOG_FILE names a file."""
    global _handler_for
    path = getattr(settings, "AUDIT_LOG_FILE", "")
    if not path:
        return False
    if _handler_for != path:
        for old in [h for h in log.handlers if isinstance(h, _PrivateFileHandler)]:
            log.removeHandler(old)
            old.close()
        handler = _PrivateFileHandler(path, encoding="utf-8", delay=True)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False  # the lines are for the file, not the server's console
        _handler_for = path
    return True


def ship(entry: Any) -> None:
    """Write the entry to the JSON-lines file (if one is set) once its transaction
    commits: an entry rolled back with its change never reaches the file."""
    if not _ensure_file_handler():
        return
    from django.db import transaction

    line = json.dumps(as_dict(entry), ensure_ascii=False, sort_keys=True)
    transaction.on_commit(lambda: log.info(line))


def _cell(value: Any) -> str:
    from hrta.formulas import neutralise

    text = value if isinstance(value, str) else (
        "" if value is None or value == {} else json.dumps(value, ensure_ascii=False,
                                                            sort_keys=True))
    return neutralise(text) or ""


def write_csv(rows: Iterable[JSONObject]) -> Iterator[str]:
    """CSV text, a header then one line per entry; cells a spreadsheet would run as a
    formula are neutralised as in every other download."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FIELDS)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_cell(row[name]) for name in FIELDS])
        yield buffer.getvalue()


def write_jsonl(rows: Iterable[JSONObject]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"


def write_json(rows: Iterable[JSONObject]) -> Iterator[str]:
    yield "["
    for number, row in enumerate(rows):
        yield ("," if number else "") + "\n" + json.dumps(row, ensure_ascii=False, sort_keys=True)
    yield "\n]\n"


WRITERS: dict[str, Callable[[Iterable[JSONObject]], Iterator[str]]] = {
    "csv": write_csv, "json": write_json, "jsonl": write_jsonl}
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json",
                 "jsonl": "application/x-ndjson"}


def export_rows(entries: Any) -> Iterator[JSONObject]:
    """Entries oldest first, read in chunks: a long log is never held in memory."""
    for entry in entries.order_by("at", "id").iterator(chunk_size=2000):
        yield as_dict(entry)


def export_to(path: Path, *, fmt: str, entries: Any) -> int:
    """Write entries to `path` (a temporary file moved into place, readable by the owner
    only); return how many."""
    count = 0

    def counted() -> Iterator[JSONObject]:
        nonlocal count
        for row in export_rows(entries):
            count += 1
            yield row

    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            for chunk in WRITERS[fmt](counted()):
                handle.write(chunk)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return count
