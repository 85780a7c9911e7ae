"""`hrta audit-log export`, `hrta backup` and `hrta restore`: the web app's records taken
out and put back. Django is set up only when one of these runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from hrta.commandline import fail as _fail
from hrta.commandline import warn as _warn
from hrta.errors import InputError

audit_log_app = typer.Typer(no_args_is_help=True, help="The web app's audit log.")
# Markup off: paths are printed as they are, "[" and "]" included.
out = Console(markup=False)


@audit_log_app.command("export")
def audit_log_export(
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.")],
    fmt: Annotated[str, typer.Option(
        "--format", help="csv, json or jsonl (JSON lines); default: from the file's suffix, "
                         "else csv.")] = "",
    since: Annotated[str, typer.Option(
        "--since", help="Only entries from this day on (YYYY-MM-DD, UTC).")] = "",
    wave: Annotated[str, typer.Option("--wave", help="Only this wave's entries (its slug).")] = "",
    action: Annotated[str, typer.Option("--action", help="Only this action.")] = "",
) -> None:
    """Write the audit log (oldest first) to a file, e.g. to ship it to another system.
    The export is itself recorded in the log."""
    try:
        count = _export(output, fmt, since, wave, action)
    except InputError as exc:
        _fail(exc)
    out.print(f"Wrote {count:,} audit entries to {output}.", highlight=False, soft_wrap=True)


def _export(output: Path, fmt: str, since: str, wave: str, action: str) -> int:
    from hrta.web.audit import FORMATS, export_to

    fmt = (fmt or output.suffix.lstrip(".").lower() or "csv")
    if fmt == "ndjson":
        fmt = "jsonl"
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    try:
        day = date.fromisoformat(since) if since else None
    except ValueError:
        raise InputError(f"--since {since!r} is not a day written YYYY-MM-DD") from None
    if not output.parent.is_dir():
        raise InputError("the folder to write into does not exist", file=str(output.parent))
    from hrta.web.commands import prepare

    prepare()
    from hrta.web.staff.selectors import audit_entries
    from hrta.web.surveys.services import record

    record(action="audit_export", detail={"format": fmt, "file": output.name,
                                          "since": since, "wave": wave, "action": action})
    entries = audit_entries(wave_slug=wave, action=action)
    if day is not None:
        entries = entries.filter(at__date__gte=day)
    return export_to(output, fmt=fmt, entries=entries)


def _record(*, action: str, detail: dict[str, object]) -> None:
    """Audit a backup or a restore, in the database it concerns. A database whose schema
    is older than this code (a backup taken before an upgrade) cannot take the entry: the
    command goes on and says so."""
    from django.db import DatabaseError

    from hrta.web.surveys.services import record

    try:
        record(action=action, detail=detail)
    except DatabaseError as exc:
        _warn(f"not recorded in the audit log ({exc})")


def backup(
    folder: Annotated[Path, typer.Argument(help="A new or empty folder for the backup.")],
    key_dir: Annotated[Path | None, typer.Option(
        "--key-dir", help="Where to write the contacts key (keep it apart from the backup).")
    ] = None,
) -> None:
    """Back up both databases and the keys; safe while the server runs."""
    from hrta.web import setup

    try:
        setup()
        from hrta.web.backup import backup as make_backup

        _record(action="backup", detail={"folder": str(folder.resolve()),
                                          "key_saved": key_dir is not None})
        manifest = make_backup(folder, key_dir=key_dir)
    except InputError as exc:
        _fail(exc)
    files = ", ".join(entry["file"] for entry in manifest["databases"].values())
    out.print(f"Backed up {files} and the secret key to {folder}.", highlight=False,
              soft_wrap=True)
    if key_dir is None:
        _warn("the contacts key was not saved; without it the contact details in this "
              "backup cannot be read. Run again with --key-dir, or keep HRTA_CONTACTS_KEY "
              "(or the data folder's contacts.key) safe elsewhere.")
    else:
        out.print(f"Contacts key written to {key_dir / 'contacts.key'}: keep it apart from "
                  "the backup.", highlight=False, soft_wrap=True)


def restore(
    folder: Annotated[Path, typer.Argument(help="A folder written by `hrta backup`.")],
    key_dir: Annotated[Path | None, typer.Option(
        "--key-dir", help="The folder holding the backup's contacts.key.")] = None,
) -> None:
    """Restore a backup into a fresh data folder (or empty PostgreSQL databases)."""
    from hrta.web import setup

    try:
        setup()
        from hrta.web.backup import restore as put_back

        restored = put_back(folder, key_dir=key_dir)
    except InputError as exc:
        _fail(exc)
    _record(action="restore", detail={"folder": str(folder.resolve()),
                                      "responses": restored.responses,
                                      "contacts": restored.contacts})
    out.print(f"Restored {restored.responses:,} responses and {restored.contacts:,} contact "
              "entries (all open with the key). Start the server: it brings the databases "
              "up to date.", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_log_app, name="audit-log")
    app.command("backup")(backup)
    app.command("restore")(restore)
