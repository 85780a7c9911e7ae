"""Writing outputs whole or not at all; where hrta keeps what it can compute again."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write` on a temporary file beside `path`, then move it into place.

    A failure part-way leaves any earlier file at `path` untouched and no partial file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        write(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    write_atomic(path, write)


def cache_root() -> Path | None:
    """The folder of hrta's caches (embeddings, trained coders, parsed instruments):
    HRTA_CACHE_DIR, else the user's cache folder (XDG_CACHE_HOME or ~/.cache, then hrta).
    HRTA_CACHE_DIR=off (or empty, none, 0) keeps none."""
    setting = os.environ.get("HRTA_CACHE_DIR")
    if setting is not None:
        if setting.strip().lower() in ("", "off", "none", "0"):
            return None
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hrta"
