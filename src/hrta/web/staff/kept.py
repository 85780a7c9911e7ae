"""Uploads kept on the server while staff make a choice about them.

A zip that holds several surveys cannot be imported until staff say which one; the page
then asks for that choice only, not for the file again. The upload (and the definition
sent with it) waits under HRTA_SHARED_DIR (which every server sees) in a folder named by
a random token, with the wave and the person it belongs to. It is taken only by that
person for that wave, and removed once imported or after `KEEP_SECONDS`, whichever comes
first.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

KEEP_SECONDS = 60 * 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
_ROLES = ("upload", "definition")


@dataclass
class Kept:
    """A kept upload as files the import reads like fresh uploads (close them after)."""

    token: str
    upload: UploadedFile
    definition: UploadedFile | None

    def close(self) -> None:
        for given in (self.upload, self.definition):
            if given is not None:
                given.close()


def kept_dir() -> Path:
    return Path(settings.HRTA_SHARED_DIR) / "kept-uploads"


def keep(*, upload: UploadedFile, definition: UploadedFile | None, wave_slug: str,
         user_id: int | None) -> str:
    """Keep the upload (and its definition); the token to take them back with."""
    sweep()
    token = secrets.token_urlsafe(24)
    folder = kept_dir() / token
    folder.mkdir(parents=True, mode=0o700)
    names: dict[str, str] = {}
    for role, given in zip(_ROLES, (upload, definition), strict=True):
        if given is None:
            continue
        with (folder / role).open("wb") as handle:
            for chunk in given.chunks():
                handle.write(chunk)
        names[role] = Path(given.name or role).name
    (folder / "kept.json").write_text(json.dumps({
        "wave": wave_slug, "user": user_id, "names": names, "at": time.time()}))
    return token


def take(token: str, *, wave_slug: str, user_id: int | None) -> Kept | None:
    """The upload kept under `token` for this wave and person; None when there is none
    (another person's, another wave's, expired, or a made-up token)."""
    folder = _folder(token)
    if folder is None or user_id is None:
        return None
    try:
        meta = json.loads((folder / "kept.json").read_text())
    except (OSError, ValueError):
        return None
    if meta.get("wave") != wave_slug or meta.get("user") != user_id or _expired(meta):
        return None
    names: dict[str, str] = meta.get("names") or {}
    files: dict[str, UploadedFile] = {}
    for role in _ROLES:
        path = folder / role
        if role in names and path.is_file():
            files[role] = UploadedFile(path.open("rb"), name=names[role],
                                       size=path.stat().st_size)
    if "upload" not in files:
        return None
    return Kept(token, files["upload"], files.get("definition"))


def discard(token: str) -> None:
    folder = _folder(token)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def sweep() -> None:
    """Remove the uploads kept longer than KEEP_SECONDS."""
    root = kept_dir()
    if not root.is_dir():
        return
    for folder in root.iterdir():
        try:
            meta = json.loads((folder / "kept.json").read_text())
        except (OSError, ValueError):
            meta = {"at": folder.stat().st_mtime}
        if _expired(meta):
            shutil.rmtree(folder, ignore_errors=True)


def _expired(meta: dict[str, object]) -> bool:
    at = meta.get("at")
    return not isinstance(at, int | float) or time.time() - at > KEEP_SECONDS


def _folder(token: str) -> Path | None:
    if not _TOKEN.match(token or ""):
        return None
    folder = kept_dir() / token
    return folder if folder.is_dir() else None
