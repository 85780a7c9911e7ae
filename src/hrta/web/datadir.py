"""The data folder is private: only the account that runs hrta may read it.

It holds the SQLite databases (answers, contact details, staff sessions, their WAL and SHM
files) and the keys; a copy of any of them by another local user would hand over a staff
session or the contact details. So, once per process, before any of them is opened:

- the process's umask becomes 077, so every file the app creates from then on (databases,
  WAL and SHM files, keys, uploads, files written by web commands) is 0600 and every
  folder 0700, whatever umask the shell had;
- the folder is created 0700, and an existing folder, or a file or folder directly in it,
  that others may read is tightened and the operator told so on standard error.

Kept free of Django so that settings can call it before anything else happens.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def _tighten(path: Path, wanted: int) -> None:
    if path.is_symlink():  # chmod would change what it points to, maybe outside the folder
        return
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:  # a journal another process has just removed
        return
    if not mode & 0o077:
        return
    try:
        path.chmod(mode & wanted)
    except OSError as exc:  # e.g. owned by another account: say so, and carry on
        print(f"hrta: {path} is open to other users ({mode:04o}) and could not be "
              f"tightened: {exc.strerror}", file=sys.stderr, flush=True)
        return
    print(f"hrta: {path} was open to other users ({mode:04o}); it is now "
          f"{mode & wanted:04o}", file=sys.stderr, flush=True)


def make_private(folder: Path, subfolders: tuple[str, ...] = ()) -> None:
    """Set the umask, then create or tighten `folder`, its `subfolders` and what they hold."""
    os.umask(0o077)
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    for name in subfolders:
        (folder / name).mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
    _tighten(folder, PRIVATE_FOLDER)
    # What the folder holds directly: the databases, their journals, the keys. Not deeper:
    # a private folder already keeps others out of everything below it, and an operator's
    # own subfolders are theirs to set.
    for path in folder.iterdir():
        _tighten(path, PRIVATE_FOLDER if path.is_dir() else PRIVATE_FILE)
