"""Two failures an operator meets: a database that is down (the health check says which one,
with 503, from a real gunicorn) and contact details read under another key (a clear error,
never garbage)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from hrta.web.contacts.crypto import decrypt, encrypt
from tests.served import get
from tests.web.conftest import ROOT, stop_server


@pytest.fixture
def dead_database_url() -> Iterator[str]:
    """A PostgreSQL address where nothing listens: the port is held (bound, never listening),
    so every connection is refused at once and no other process can take the port."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield f"postgres://hrta@127.0.0.1:{holder.getsockname()[1]}/hrta"


def _gunicorn(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    command = [str(Path(sys.executable).parent / "gunicorn"), "hrta.web.wsgi:application",
               "--bind", f"fd://{listener.fileno()}", "--workers", "1",
               "--worker-class", "gthread", "--log-level", "warning"]
    try:
        process = subprocess.Popen(command, env=env, cwd=ROOT, pass_fds=(listener.fileno(),))
    finally:
        listener.close()
    deadline = time.monotonic() + 60
    while True:
        try:
            if get(url + "/healthz")[0] == 200:
                return process, url
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("gunicorn did not start")
        time.sleep(0.2)


def test_health_check_names_the_database_that_is_down(dead_database_url: str):
    env = {**os.environ, "DATABASE_URL": dead_database_url}
    process, url = _gunicorn(env)
    try:
        # The app itself is up: the plain check does not touch a database.
        status, _, body = get(url + "/healthz")
        assert (status, body) == (200, b"ok\n")
        status, headers, body = get(url + "/healthz/db")
        assert status == 503
        assert headers["Content-Type"].startswith("text/plain")
        assert "no-cache" in headers["Cache-Control"]
        assert body.decode().splitlines() == ["default: unavailable (OperationalError)",
                                              "contacts: ok"]
    finally:
        stop_server(process)


def test_contact_details_under_another_key_give_a_clear_error():
    assert decrypt(encrypt("Ana Díaz <ana@example.org>")) == "Ana Díaz <ana@example.org>"
    # Sealed with another installation's key (a data folder restored without its key).
    other = Fernet(Fernet.generate_key()).encrypt(b'{"ta_email": "ana@example.org"}')
    with pytest.raises(ValueError) as caught:
        decrypt(other.decode("ascii"))
    assert str(caught.value) == "contact details cannot be decrypted with the configured key"
    assert "ana@example.org" not in str(caught.value)
    # A damaged token is told the same way, never decoded into garbage.
    sealed = encrypt("Ana")
    with pytest.raises(ValueError, match="cannot be decrypted with the configured key"):
        decrypt(sealed[:-4] + ("A" if sealed[-4] != "A" else "B") + sealed[-3:])
