"""docs/architecture.md tells contributors which function computes each figure: every
function it names must exist in the file it names, so the table cannot drift."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| (?P<figure>[^|]+) \| (?P<functions>`[^|]+) \| (?P<files>src/[^|]+) \|$")


def _rows() -> list[tuple[str, list[str], list[str]]]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        match = ROW.match(line.strip())
        if match:
            functions = re.findall(r"`([^`]+)`", match["functions"])
            files = [name.strip() for name in match["files"].split(",")]
            rows.append((match["figure"].strip(), functions, files))
    return rows


def _defined(path: Path) -> set[str]:
    """Top-level functions and classes of a module, and 'Class.method' for methods."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            names.update(f"{node.name}.{item.name}" for item in node.body
                         if isinstance(item, ast.FunctionDef))
    return names


def test_the_table_names_many_figures() -> None:
    assert len(_rows()) >= 15


def test_every_function_in_the_table_exists_in_its_file() -> None:
    missing = []
    for figure, functions, files in _rows():
        defined = set().union(*(_defined(ROOT / name) for name in files))
        missing += [f"{figure}: {function}" for function in functions
                    if function not in defined]
    assert not missing, missing


def test_a_renamed_function_would_be_caught(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def kept():\n    pass\nclass P:\n    def of(cls):\n        pass\n")
    assert _defined(module) == {"kept", "P", "P.of"}
