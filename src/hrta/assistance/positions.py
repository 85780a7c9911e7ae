"""YAML read with the line of every value, so errors can point at the line to fix."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from hrta.yamlfiles import compose_yaml

Path = tuple[str | int, ...]
"""Keys and list positions from the document's root to a value."""


def load_with_lines(text: str, *, origin: str) -> tuple[Any, dict[Path, int]]:
    """The document as plain data and a map from each value's path to its 1-based line."""
    data, node = compose_yaml(text, origin=origin)
    lines: dict[Path, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines


def line_of(lines: dict[Path, int], path: Iterable[str | int]) -> int | None:
    """The line of the value at `path`, or of its nearest ancestor that has one."""
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _walk(value, (*path, key.value), lines)
            # A key's own line is more useful than its value's when the value is a block.
            lines[(*path, key.value)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)
