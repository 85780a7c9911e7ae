"""What `hrta` loads before it works: a plain analysis, `--help` and `--version` import only
what they use. Behaviour, not timing: the timings are bench/startup.py's.

A fresh process per check, for only a fresh interpreter shows what a command imports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from hrta import __version__
from hrta.cli import app, app_for
from tests.conftest import FIXTURES

# Loaded only when a command asks for them: statistics for --by/--weights/--compare, the
# report's renderers, the web app, the coder's model.
NOT_FOR_A_PLAIN_ANALYSIS = ("scipy", "statsmodels", "pandas", "sklearn", "django", "jinja2",
                            "matplotlib", "docx", "weasyprint", "pypdf")
HRTA_NOT_FOR_A_PLAIN_ANALYSIS = ("hrta.report", "hrta.coding", "hrta.assistance", "hrta.demo",
                                 "hrta.audit", "hrta.exports", "hrta.analysis.subgroups",
                                 "hrta.analysis.weighting", "hrta.analysis.extended",
                                 "hrta.web", "hrta.commands")
# A progress display is drawn only on a terminal, and short lines to a pipe or a file are
# written as Rich would write them: such a command loads no Rich at all.
DISPLAY_MODULES = ("rich",)
# The instrument's YAML, once read, is kept parsed in the cache (hrta.instrument.loader).
YAML_MODULES = ("yaml", "hrta.yamlfiles")
# `hrta --help` and `--version` print text: no data library at all.
DATA_LIBRARIES = ("polars", "numpy", "pydantic", "yaml", *NOT_FOR_A_PLAIN_ANALYSIS)


def imported(*args: str | Path, cache: Path | None = None
             ) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """The modules a fresh `hrta ARGS` imports, from Python's -X importtime report; its
    caches in `cache` (none kept without)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "hrta.cli",
                           *map(str, args)], capture_output=True, text=True, check=False,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "NO_COLOR": "1",
                               "HRTA_CACHE_DIR": str(cache) if cache else "off"})
    modules = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
               if line.startswith("import time:") and line.count("|") == 2}
    return modules, done


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_plain_analysis_loads_only_what_it_uses(tmp_path):
    out = tmp_path / "findings.json"
    args = ("analyze", FIXTURES / "small_surveymonkey.csv", "--no-themes", "--json", out)
    first, done = imported(*args, cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr[-2000:]
    assert loaded(first, YAML_MODULES)  # the instrument read from its YAML, then kept
    written = out.read_text(encoding="utf-8")
    assert json.loads(written)["responses"]["total"] == 5

    modules, done = imported(*args, cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.read_text(encoding="utf-8") == written
    assert {"polars", "hrta.analysis.findings", "hrta.findings.model"} <= modules
    assert loaded(modules, NOT_FOR_A_PLAIN_ANALYSIS) == []
    assert loaded(modules, HRTA_NOT_FOR_A_PLAIN_ANALYSIS) == []
    assert loaded(modules, DISPLAY_MODULES) == []
    assert loaded(modules, YAML_MODULES) == []
    assert done.stderr.splitlines()[-1] == "5 responses: 4 eligible, 1 excluded as ineligible"
    assert done.stdout == f"Findings: {out}\n"


def test_version_and_help_load_no_data_library():
    modules, done = imported("--version")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == f"hrta {__version__}\n"
    assert loaded(modules, DATA_LIBRARIES) == []

    modules, done = imported("--help")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "--version" in done.stdout and "analyze" in done.stdout and "serve" in done.stdout
    assert loaded(modules, DATA_LIBRARIES) == []


def names(typer_app: typer.Typer) -> set[str]:
    group = typer.main.get_command(typer_app)
    return set(getattr(group, "commands", {}))


@pytest.mark.parametrize(("args", "built"), [
    (["analyze", "export.csv", "--json", "f.json"], {"analyze"}),
    (["instrument", "draft", "export.csv"], {"instrument"}),
    (["code", "--help"], {"code"}),
    (["user", "add", "someone"], {"user"}),
    (["--version"], set()),
])
def test_a_command_builds_only_itself(args, built):
    assert names(app_for(args)) == built


@pytest.mark.parametrize("args", [[], ["--help"], ["analyse"], ["--help", "analyze"]])
def test_anything_else_gets_every_command(args):
    assert app_for(args) is app
    assert {"analyze", "report", "instrument", "code", "serve", "user"} <= names(app)


def test_a_command_built_alone_reads_and_fails_as_before(tmp_path):
    """Usage errors name the command as the whole app does (`hrta analyze`), exit 2."""
    done = subprocess.run([sys.executable, "-m", "hrta.cli", "analyze",
                           FIXTURES / "small_surveymonkey.csv"], capture_output=True, text=True,
                          check=False, env={"PATH": "/usr/bin:/bin", "COLUMNS": "200",
                                            "NO_COLOR": "1"})
    assert done.returncode == 2
    assert "Missing option '--json'" in done.stderr
    assert "Usage: python -m hrta.cli analyze [OPTIONS]" in done.stderr
