"""`hrta backup` and `hrta restore`: both databases and the keys, safely while the server runs.

SQLite databases are copied with SQLite's online backup (a consistent snapshot even while
respondents write; copying the files of a WAL-mode database can catch a transaction half
written) and saved as one self-contained file each. PostgreSQL databases are dumped with
`pg_dump --format=custom` (a consistent snapshot too) and restored with `pg_restore`.

A backup folder holds the two databases, `secret_key` and `manifest.json` (what each file
is, with its SHA-256). The contacts key is written only where `--key-dir` says: keep it
apart from the backup, since together they are the contact details in clear.

Restoring goes into a fresh data folder (or empty PostgreSQL databases): it refuses to
overwrite a database that holds tables. It checks every file against the manifest first
and, once restored, that every contact entry opens with the key.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hrta.errors import InputError

ALIASES = {"default": "hrta", "contacts": "contacts"}
KEY_FILE = "contacts.key"
SECRET_FILE = "secret_key"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Restored:
    responses: int
    contacts: int


def _settings() -> Any:
    from django.conf import settings

    return settings


def _engine(alias: str) -> str:
    engine = _settings().DATABASES[alias]["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise InputError(f"database {alias!r}: backups of {engine} are not supported")


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    path.chmod(0o600)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env(alias: str) -> dict[str, str]:
    """libpq's variables for a database: the password never appears on a command line."""
    config = _settings().DATABASES[alias]
    env = {**os.environ, "PGDATABASE": str(config["NAME"])}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD")):
        if config.get(key):
            env[variable] = str(config[key])
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise InputError(f"{name} is not installed: install the PostgreSQL client "
                         "(Debian: postgresql-client) of the server's version or later")
    return found


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise InputError(f"{what} failed: {done.stderr.strip() or done.stdout.strip()}")


# --- backing up ---------------------------------------------------------------------------

def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup of `source` into a new file `target`, then a check of it."""
    if not source.is_file():
        raise InputError("no SQLite database here", file=str(source))
    # mode=rw: a wrong path must fail, not create an empty database.
    with sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True, timeout=30) as src, \
            sqlite3.connect(target) as dst:
        src.backup(dst)
        # One file that needs no -wal beside it.
        dst.execute("PRAGMA journal_mode=DELETE")
        result = dst.execute("PRAGMA integrity_check").fetchone()[0]
    src.close()
    dst.close()
    if result != "ok":
        raise InputError(f"the copy of {source} fails SQLite's integrity check: {result}")


Manifest = dict[str, Any]
"""manifest.json of a backup, as parsed JSON: written here, read back by a restore and by
people and scripts checking a backup, so it stays plain JSON rather than a class."""


def backup(folder: Path, *, key_dir: Path | None = None) -> Manifest:
    """Back up both databases and the secret key into `folder` (new or empty), and the
    contacts key into `key_dir`; return the manifest."""
    settings = _settings()
    if folder.exists() and any(folder.iterdir()):
        raise InputError("choose a new or empty folder for the backup", file=str(folder))
    _private_dir(folder)
    files: dict[str, dict[str, str]] = {}
    # Answers first, then contacts: every contact whose response is in the backup is too.
    for alias, stem in ALIASES.items():
        engine = _engine(alias)
        if engine == "sqlite":
            name = f"{stem}.sqlite3"
            _sqlite_copy(Path(settings.DATABASES[alias]["NAME"]), folder / name)
        else:
            name = f"{stem}.dump"
            _run([_pg_tool("pg_dump"), "--format=custom", "--file", str(folder / name)],
                 _pg_env(alias), f"pg_dump of the {alias} database")
        (folder / name).chmod(0o600)
        files[alias] = {"file": name, "engine": engine, "sha256": _sha256(folder / name)}
    _write_private(folder / SECRET_FILE, settings.SECRET_KEY)
    if key_dir is not None:
        _private_dir(key_dir)
        _write_private(key_dir / KEY_FILE, settings.CONTACTS_KEY)
    manifest = {
        "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "databases": files,
        "secret_key": {"file": SECRET_FILE, "sha256": _sha256(folder / SECRET_FILE)},
        "contacts_key": _fingerprint(settings.CONTACTS_KEY),
    }
    _write_private(folder / MANIFEST, json.dumps(manifest, indent=2))
    return manifest


# --- restoring ----------------------------------------------------------------------------

def _manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    if not path.is_file():
        raise InputError("not an hrta backup folder: manifest.json is missing", file=str(folder))
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        entries = [*manifest["databases"].values(), manifest["secret_key"]]
    except (ValueError, KeyError, AttributeError) as exc:
        raise InputError(f"manifest.json cannot be read: {exc}", file=str(path)) from None
    for entry in entries:
        file = folder / entry["file"]
        if not file.is_file():
            raise InputError("the backup is incomplete: this file is missing", file=str(file))
        if _sha256(file) != entry["sha256"]:
            raise InputError("the file differs from the one backed up (SHA-256)",
                             file=str(file))
    return manifest


def _sqlite_tables(path: Path) -> list[str]:
    if not path.exists() or path.stat().st_size == 0:
        return []
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    db.close()
    return [name for (name,) in rows]


def _pg_tables(alias: str) -> list[str]:
    from django.db import connections

    with connections[alias].cursor() as cursor:
        return list(connections[alias].introspection.table_names(cursor))


def _fingerprint(key: str) -> str:
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()[:12]


def _key(key_dir: Path | None, manifest: Manifest) -> str:
    """The contacts key to restore with, checked against the backup's before anything is
    written: a wrong key would leave contact details nobody can read."""
    settings = _settings()
    if key_dir is None:
        if not os.environ.get("HRTA_CONTACTS_KEY"):
            raise InputError("give --key-dir, the folder where `hrta backup` put contacts.key "
                             "(or set HRTA_CONTACTS_KEY)")
        key, where = settings.CONTACTS_KEY, "HRTA_CONTACTS_KEY"
    else:
        path = key_dir / KEY_FILE
        if not path.is_file():
            raise InputError("the contacts key is not here", file=str(path))
        key, where = path.read_text(encoding="utf-8").strip(), str(path)
        if os.environ.get("HRTA_CONTACTS_KEY") and os.environ["HRTA_CONTACTS_KEY"] != key:
            raise InputError("HRTA_CONTACTS_KEY is set to another key than this one; unset "
                             "it or set it to the backup's key", file=where)
    if manifest.get("contacts_key") and _fingerprint(key) != manifest["contacts_key"]:
        raise InputError("this is not the contacts key of the backup: its contact details "
                         "would not open; nothing was restored", file=where)
    return key


def restore(folder: Path, *, key_dir: Path | None = None) -> Restored:
    """Restore a backup made by `backup` into this app's (fresh) databases and data folder;
    every contact entry must open with the key."""
    settings = _settings()
    manifest = _manifest(folder)
    key = _key(key_dir, manifest)
    for alias, entry in manifest["databases"].items():
        if alias not in ALIASES:
            raise InputError(f"manifest.json names an unknown database {alias!r}",
                             file=str(folder / MANIFEST))
        if _engine(alias) != entry["engine"]:
            raise InputError(f"the {alias} database is {_engine(alias)} here but the backup "
                             f"holds {entry['engine']}", file=str(folder / entry["file"]))
        if _engine(alias) == "sqlite":
            found = _sqlite_tables(Path(settings.DATABASES[alias]["NAME"]))
        else:
            found = _pg_tables(alias)
        if found:
            raise InputError(f"the {alias} database already holds tables: restore into a "
                             "fresh data folder or empty databases")
    for alias, entry in manifest["databases"].items():
        source = folder / entry["file"]
        if entry["engine"] == "sqlite":
            target = Path(settings.DATABASES[alias]["NAME"])
            for stale in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
                stale.unlink(missing_ok=True)
            _sqlite_copy(source, target)
            target.chmod(0o600)
        else:
            _run([_pg_tool("pg_restore"), "--no-owner", "--exit-on-error",
                  "--dbname", str(settings.DATABASES[alias]["NAME"]), str(source)],
                 _pg_env(alias), f"pg_restore of the {alias} database")
    data_dir = Path(settings.DATA_DIR)
    if not os.environ.get("HRTA_SECRET_KEY"):
        secret = (folder / SECRET_FILE).read_text(encoding="utf-8").strip()
        _write_private(data_dir / SECRET_FILE, secret)
    if not os.environ.get("HRTA_CONTACTS_KEY"):
        _write_private(data_dir / KEY_FILE, key)
    return _check(key)


def _check(key: str) -> Restored:
    """Every contact entry opens with the key; count what came back."""
    from cryptography.fernet import Fernet, InvalidToken
    from django.db import connections

    fernet = Fernet(key.encode())
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM surveys_response")
        responses = cursor.fetchone()[0]
    unreadable = contacts = 0
    with connections["contacts"].cursor() as cursor:
        cursor.execute("SELECT details_encrypted FROM contacts_contact")
        for (token,) in cursor.fetchall():
            contacts += 1
            if not token:
                continue
            try:
                fernet.decrypt(token.encode("ascii"))
            except InvalidToken:
                unreadable += 1
    if unreadable:
        raise InputError(f"{unreadable} of {contacts} contact entries do not open with this "
                         "key: it is not the key they were encrypted with")
    return Restored(responses=responses, contacts=contacts)
