"""What the report reads of Findings, checked before anything is drawn.

Findings written by `hrta analyze` always fit. A file edited by hand, cut short or written
for another purpose gets one error naming the missing key and where it was expected, never a
KeyError from inside a chart. The keys are those of docs/findings-schema.md that the report
reads unconditionally; optional blocks (comparisons, weighting, trend) are read with care
where they are drawn.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hrta.errors import InputError

TOP = ("generator", "instrument", "instrument_version", "title", "responses", "questions",
       "matrices", "profile", "sections", "warnings")
RESPONSES = ("total", "eligible", "excluded")
QUESTION = ("type", "title", "text", "n", "not_answered")
BY_TYPE = {"single": ("options",), "multi": ("options",),
           "matrix_statement": ("options", "matrix", "statement", "nets"), "text": ("answers",)}
OPTION = ("label", "count", "percent", "ci_low", "ci_high", "rank")
MATRIX = ("title", "text", "statements", "n")
SECTION = ("id", "title", "items")
ITEM = ("kind", "number", "title", "chart", "questions", "n", "rows")


class _MisfitError(Exception):
    """Raised inside the check; check_findings turns it into one InputError."""


def check_findings(findings: Any) -> None:
    """Raise InputError when the report cannot be drawn from `findings`."""
    try:
        _check(findings)
    except _MisfitError as exc:
        raise InputError(f"the Findings do not fit the report: {exc}") from None


def _check(findings: Any) -> None:
    _keys(findings, TOP, "the top level")
    _keys(findings["responses"], RESPONSES, "responses")
    questions = _object(findings["questions"], "questions")
    for qid, entry in questions.items():
        _question(entry, f"questions[{qid!r}]")
    matrices = _object(findings["matrices"], "matrices")
    for mid, matrix in matrices.items():
        where = f"matrices[{mid!r}]"
        _keys(matrix, MATRIX, where)
        _known(matrix["statements"], questions, f"{where} lists statement")
    if not isinstance(findings["sections"], list):
        raise _MisfitError("sections is not a list")
    for index, section in enumerate(findings["sections"]):
        _section(section, f"sections[{index}]", questions, matrices)


def _question(entry: Any, where: str) -> None:
    _keys(entry, QUESTION, where)
    _keys(entry, BY_TYPE.get(entry["type"], ()), where)
    for oid, option in _object(entry.get("options", {}), f"{where}.options").items():
        _keys(option, OPTION, f"{where}.options[{oid!r}]")


def _section(section: Any, where: str, questions: dict[str, Any],
             matrices: dict[str, Any]) -> None:
    _keys(section, SECTION, where)
    for index, item in enumerate(section["items"]):
        _keys(item, ITEM, f"{where}.items[{index}]")
        named = f"{item['kind']} {item['number']} ({item['title']}) in section {section['id']!r}"
        for qid in (*item["questions"], *item["rows"], *_object(item["n"], f"{named}: n")):
            if qid not in questions and qid not in matrices:
                raise _MisfitError(f"{named} names {qid!r}, which is neither a question nor a "
                              "grid of the Findings")


def _known(ids: Iterable[str], questions: dict[str, Any], said: str) -> None:
    for qid in ids:
        if qid not in questions:
            raise _MisfitError(f"{said} {qid!r}, which is not among the Findings' questions")


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _MisfitError(f"{where} is not an object")
    return value


def _keys(value: Any, keys: Iterable[str], where: str) -> None:
    present = _object(value, where)
    for key in keys:
        if key not in present:
            raise _MisfitError(f"no key {key!r} {'at' if where == 'the top level' else 'in'} "
                          f"{where}")
