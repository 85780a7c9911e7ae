"""Shared fixtures: the bundled instrument, the hand-checked small export, and the CLI."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from hrta.instrument import Instrument, load_bundled

FIXTURES = Path(__file__).parent / "fixtures"


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
