"""`hrta serve` started as an operator starts it, on a port the system picks.

The server is asked for port 0 and the port it got is read from its own log ("Listening
at: …"): no port is picked first and bound later, so no other process can take it in
between.
"""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

LISTENING = re.compile(r"Listening at: (http://\S+)")


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a GET; HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


class Served:
    """A running `hrta serve`; its output is kept (drained as it comes, so a full pipe
    never stalls the server)."""

    def __init__(self, command: Sequence[str | Path], *, env: Mapping[str, str], cwd: Path,
                 timeout: float = 90) -> None:
        self.process = subprocess.Popen(
            [*map(str, command), "--host", "127.0.0.1", "--port", "0"], env=dict(env), cwd=cwd,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self._found: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._drain, daemon=True).start()
        try:
            address = self._found.get(timeout=timeout)
        except queue.Empty:
            address = None
        if address is None:
            self.process.kill()
            self.process.wait(timeout=10)
            raise RuntimeError("hrta serve did not start listening:\n" + self.output)
        self.url = address
        self._wait_healthy(time.monotonic() + timeout)

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            found = LISTENING.search(line)
            if found:
                self._found.put(found.group(1))
        self._found.put(None)

    def _wait_healthy(self, deadline: float) -> None:
        while True:
            try:
                if get(self.url + "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("hrta serve did not answer /healthz:\n" + self.output)
            time.sleep(0.2)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM, as a service manager stops it; its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.process.returncode
