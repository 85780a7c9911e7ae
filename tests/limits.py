"""The real `hrta` command in a child process, held to a time and a memory limit."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

TIMEOUT_S = 30
MEMORY_BYTES = 1024 ** 3


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss: int


def run_limited(*args: str | Path, home: Path) -> Run:
    """Run `hrta` as a user does; kill it past 30 s or 1 GB of memory, and fail."""
    env = {"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1", "HOME": str(home),
           "HRTA_CATALOG": str(home / "catalog.yaml")}
    with (home / "stdout").open("w+b") as out, (home / "stderr").open("w+b") as err:
        child = subprocess.Popen([sys.executable, "-m", "hrta.cli", *map(str, args)],
                                 stdout=out, stderr=err, env=env, cwd=home)
        start = time.monotonic()
        peak = 0
        while True:
            # Sampled from /proc, not the rusage of wait4: a child forked from a big test
            # process counts the parent's pages as its own until it execs.
            peak = max(peak, _peak_rss(child.pid))
            pid, status, _usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            over = _rss(child.pid) > MEMORY_BYTES
            if over or time.monotonic() - start > TIMEOUT_S:
                child.kill()
                os.wait4(child.pid, 0)
                child.returncode = -9
                raise AssertionError(f"hrta {' '.join(map(str, args))} "
                                     f"{'took over 1 GB' if over else 'ran over 30 s'}")
            time.sleep(0.02)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(child.returncode, out.read().decode("utf-8", "replace"),
                   err.read().decode("utf-8", "replace"), time.monotonic() - start, peak)


def _rss(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/statm").read_text().split()
    except OSError:
        return 0
    return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_rss(pid: int) -> int:
    """The process's high-water resident size since it exec'd (VmHWM), in bytes."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0
