"""A throwaway PostgreSQL server for the tests: its own data folder and port, on loopback.

The server binaries come from Debian's postgresql package, which `make test` installs.
PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "hrta-test-only"


def _bin_dir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("PostgreSQL server binaries not found: install Debian's "
                           "`postgresql` package (make test does)")
    return Path(initdb).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    folder: Path
    port: int
    user: str | None

    def url(self, database: str) -> str:
        return f"postgresql://hrta:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> subprocess.CompletedProcess[str]:
        def demote() -> None:
            if self.user:
                entry = pwd.getpwnam(self.user)
                os.setgid(entry.pw_gid)
                os.setuid(entry.pw_uid)

        return subprocess.run(command, check=True, capture_output=True, text=True,
                              preexec_fn=demote if self.user else None, cwd=self.folder)

    def stop(self) -> None:
        try:
            self._run(str(_bin_dir() / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast",
                      "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start(databases: tuple[str, ...] = ("hrta", "hrta_contacts")) -> Server:
    """initdb, start and create the `hrta` role and databases; about two seconds."""
    bin_dir = _bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="hrta-pg-"))
    user = "postgres" if os.geteuid() == 0 else None
    if user:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    server = Server(folder, _free_port(), user)
    password_file = folder / "password"
    password_file.write_text(PASSWORD)
    if user:
        os.chown(password_file, pwd.getpwnam(user).pw_uid, pwd.getpwnam(user).pw_gid)
    server._run(str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", "hrta",
                "--auth=scram-sha-256", f"--pwfile={password_file}", "-E", "UTF8",
                "--locale=C.UTF-8")
    for attempt in range(3):
        try:
            server._run(str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-l",
                        str(folder / "server.log"), "-w", "-o",
                        f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 "
                        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                        "-c max_connections=200", "start")
            break
        except subprocess.CalledProcessError:
            # The free port can be taken before the server binds it (test processes
            # running side by side start servers at the same moment): take another.
            if attempt == 2:
                raise
            server.port = _free_port()
    import psycopg

    deadline = time.monotonic() + 20
    while True:
        try:
            with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
                for name in databases:
                    conn.execute(f'CREATE DATABASE "{name}"')
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    return server
