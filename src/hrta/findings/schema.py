"""docs/findings-schema.md and docs/findings.schema.json, generated from the model.

    python -m hrta.findings.schema [DOCS_FOLDER]

writes both; tests/test_findings_model.py keeps the files in the repository equal to what
this makes, so the model's descriptions are the one place the Findings JSON is explained.
"""

from __future__ import annotations

import json
import sys
import textwrap
import types
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from hrta.findings.model import Findings

SCHEMA_FILE = "findings.schema.json"
MARKDOWN_FILE = "findings-schema.md"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

INTRO = """\
# The Findings JSON

<!-- Generated from hrta.findings.model by `python -m hrta.findings.schema`; edit the
model's descriptions, not this file. -->

`hrta analyze FILE --json findings.json` writes every number of the stakeholder analysis
as one JSON document. The HTML report draws only what this file holds, so any figure in the
report can be traced here. This page is the public contract; `schema_version` changes when
a field is removed or changes meaning (new fields may be added at any time). The same
contract as a JSON Schema: [findings.schema.json](findings.schema.json).

Each object below lists its keys in the order they are written. A type ending in "or
absent" is left out of the document when it does not apply. Percents are unrounded; every
`ci_low`, `ci_high` pair is a 95% interval in percent (Wilson's score interval of the
count, or for weighted percents of the effective n: see [statistics.md](statistics.md)).
"""

EXAMPLE = """\
## Example

```json
{
  "schema_version": 1,
  "instrument": "harm_reduction_ta_2022",
  "responses": {"total": 161, "eligible": 151, "excluded": 10},
  "questions": {
    "ta_receiving": {
      "type": "single", "title": "Currently receiving technical assistance", "n": 87,
      "not_answered": 64,
      "options": {"yes": {"label": "Yes", "count": 7, "percent": 8.045977011494253,
                          "ci_low": 3.952027, "ci_high": 15.688189, "rank": 3}}
    }
  }
}
```
"""


def json_schema() -> dict[str, Any]:
    """The JSON Schema of Findings as `hrta analyze` writes them."""
    return {"$schema": JSON_SCHEMA_DIALECT, **Findings.model_json_schema(mode="serialization")}


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def markdown() -> str:
    """The reference page: one table per object, the Findings document first."""
    parts = [INTRO]
    for model in models():
        parts.append(_section(model))
    parts.append(EXAMPLE)
    return "\n".join(parts)


def models() -> list[type[BaseModel]]:
    """Every model reachable from Findings, in the order a reader meets them."""
    found: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in found:
            return
        found.append(model)
        for field in model.model_fields.values():
            for inner in _models_in(field.annotation):
                visit(inner)

    visit(Findings)
    return found


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models_in(arg)]


def _section(model: type[BaseModel]) -> str:
    # A class's own docstring only: Python does not inherit them.
    doc = _dedent(model.__dict__.get("__doc__") or "")
    lines = [f"## {model.__name__}", ""]
    if doc:
        lines += [doc, ""]
    lines += ["| key | type | meaning |", "|---|---|---|"]
    for name, field in model.model_fields.items():
        lines.append(f"| `{name}` | {_type(field)} | {_cell(field.description or '')} |")
    return "\n".join(lines) + "\n"


def _dedent(text: str) -> str:
    first, _, rest = text.strip().partition("\n")
    return (first + "\n" + textwrap.dedent(rest)).strip() if rest else first


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _type(field: FieldInfo) -> str:
    name = _type_name(field.annotation)
    if field.exclude_if is not None:
        return f"{name.removesuffix(' or null')}, or absent"
    return name


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return _type_name(args[0])
    if origin in (Union, types.UnionType):
        named = [_type_name(a) for a in args if a is not type(None)]
        text = " or ".join(named)
        return f"{text} or null" if type(None) in args else text
    if origin is Literal:
        return " or ".join(f"`{json.dumps(a)}`" for a in args)
    if origin is list:
        return f"array of {_type_name(args[0])}"
    if origin is dict:
        return f"object of {_type_name(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return {int: "int", float: "number", str: "string", bool: "boolean",
            date: "string (ISO date)"}[annotation]


def write(folder: Path) -> None:
    (folder / SCHEMA_FILE).write_text(json_schema_text(), encoding="utf-8")
    (folder / MARKDOWN_FILE).write_text(markdown(), encoding="utf-8")


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs"))
