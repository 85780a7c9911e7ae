"""YAML that people write (instruments, rules, codebooks, catalogs, mappings, margins).

Read with safe types only, and every way it can fail is an InputError naming the file
and, where YAML knows it, the line: a syntax error, a value YAML cannot build (a date
like 2022-13-45), nesting too deep. Aliases are checked before the document is built: a
few lines of `&a [*a, *a, ...]` stand for millions of values that every later step would
walk, and an alias inside its own anchor for a value without end.
"""

from __future__ import annotations

from typing import Any

import yaml

from hrta.errors import InputError

# The bundled instrument, its rules and catalog are a few thousand values each.
MAX_VALUES = 250_000

# libyaml's parser, where PyYAML has it, is about ten times faster; both build safe types.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str, *, origin: str) -> Any:
    """The document as plain data (None for an empty one)."""
    return compose_yaml(text, origin=origin)[0]


def compose_yaml(text: str, *, origin: str) -> tuple[Any, yaml.Node | None]:
    """The document as plain data and as YAML nodes (which know their lines)."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_size(node, origin)
        return loader.construct_document(node), node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise InputError("not valid YAML: %(reason)s", file=origin,
                         row=mark.line + 1 if mark is not None else None,
                         params={"reason": problem or str(exc)}) from None
    except yaml.YAMLError as exc:
        raise InputError("not valid YAML: %(reason)s", file=origin,
                         params={"reason": str(exc)}) from None
    except RecursionError:
        raise InputError("not valid YAML: nested too deeply", file=origin) from None
    except (ValueError, TypeError, OverflowError) as exc:
        # Raised by the builders of typed values, e.g. a timestamp with month 13.
        raise InputError("not valid YAML: %(reason)s", file=origin,
                         params={"reason": str(exc)}) from None
    finally:
        loader.dispose()


def _check_size(root: yaml.Node, origin: str) -> None:
    """Count the values the document stands for, every alias expanded, without expanding.

    Depth first and without recursion; a node reached again through an alias is counted
    from its memo, and a node reached again while it is still open is a cycle.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        key = id(node)
        children = _children(node)
        if closing:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[key] > MAX_VALUES:
                raise InputError("the document stands for more than %(limit)s values once "
                                 "its aliases (*name) are expanded", file=origin,
                                 row=node.start_mark.line + 1,
                                 params={"limit": f"{MAX_VALUES:,}"})
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise InputError("an alias (*name) refers to a value that contains it",
                             file=origin, row=node.start_mark.line + 1)
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []
