"""Shared fixtures: the bundled instrument, the hand-checked small export, and the CLI."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hrta.instrument import Instrument, load_bundled

FIXTURES = Path(__file__).parent / "fixtures"

# The tests marked sqlite_only that this PostgreSQL pass left out, with their reasons: in an
# xdist run each worker collects them and hands them to the controller, which prints them.
_LEFT_TO_SQLITE: set[str] = set()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("HRTA_TEST_POSTGRES") != "1":
        return
    kept: list[pytest.Item] = []
    left: list[pytest.Item] = []
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is None:
            kept.append(item)
            continue
        reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
        if not reason:
            raise pytest.UsageError(f"{item.nodeid}: say why it is sqlite_only (reason=...)")
        left.append(item)
        _LEFT_TO_SQLITE.add(f"{item.nodeid}: {reason}")
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["sqlite_only"] = sorted(_LEFT_TO_SQLITE)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    _LEFT_TO_SQLITE.update(getattr(node, "workeroutput", {}).get("sqlite_only", []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _LEFT_TO_SQLITE:
        terminalreporter.write_sep("-", f"left to the SQLite pass: {len(_LEFT_TO_SQLITE)}")
        for line in sorted(_LEFT_TO_SQLITE):
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def instrument() -> Instrument:
    return load_bundled()


@pytest.fixture
def small_export() -> Path:
    """Five responses, checked by hand in tests/test_analysis.py."""
    return FIXTURES / "small_surveymonkey.csv"


def run_hrta(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `hrta` command line in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "hrta.cli", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


def read_rows(path: Path) -> list[list[str]]:
    """The cells of a small CSV file, to edit in a test."""
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def write_rows(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path
