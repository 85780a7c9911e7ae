"""The TA catalog: public resources and the center's own offerings that plans point to.

A catalog is a YAML file (`resources:`, a list of entries) or a CSV file (one entry a row,
lists separated by ";"). Formats, topics, services, program approaches, communities and
organization types are ids of the instrument's options, checked on reading: an error names
the file, the row (CSV) or line (YAML) and the field. The catalog in use is the one bundled
with the instrument plus the user catalog, whose entries replace bundled ones of the same
id. `import_catalog` adds a file's entries to the user catalog, all or nothing.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import yaml

from hrta.assistance.positions import line_of, load_with_lines
from hrta.assistance.rules import Rules
from hrta.errors import InputError
from hrta.files import write_text_atomic
from hrta.ingest.tables import column_letter
from hrta.instrument import Instrument

CATALOG_ENV = "HRTA_CATALOG"
"""Setting: the path of the user catalog file."""

FIELDS = ("id", "title", "publisher", "format", "topics", "approaches", "services",
          "communities", "org_types", "link", "year", "last_reviewed", "notes")
REQUIRED = ("id", "title", "publisher", "format", "topics")
LIST_FIELDS = ("topics", "approaches", "services", "communities", "org_types")
LIST_SEPARATOR = ";"
_SINGULAR = {"topics": "topic", "approaches": "program approach", "services": "service",
             "communities": "community", "org_types": "organization type"}
_ID = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_LINK = re.compile(r"^https?://[^\s<>\"']+$")


@dataclass(frozen=True)
class Resource:
    id: str
    title: str
    publisher: str
    format: str
    topics: tuple[str, ...]
    approaches: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    communities: tuple[str, ...] = ()
    org_types: tuple[str, ...] = ()
    link: str = ""
    year: int | None = None
    last_reviewed: date | None = None
    notes: str = ""
    origin: str = ""
    """Where the entry came from: `bundled` or the file it was read from."""

    def to_json(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in FIELDS}
        for name in LIST_FIELDS:
            data[name] = list(data[name])
        data["last_reviewed"] = self.last_reviewed.isoformat() if self.last_reviewed else None
        data["origin"] = self.origin
        return data

    def to_data(self) -> dict[str, Any]:
        """The entry as written in a catalog file: empty fields left out."""
        data = self.to_json()
        del data["origin"]
        return {k: v for k, v in data.items() if v not in (None, "", [])}


@dataclass(frozen=True)
class Catalog:
    resources: tuple[Resource, ...]

    def by_id(self) -> dict[str, Resource]:
        return {resource.id: resource for resource in self.resources}

    def about(self, topic: str) -> list[Resource]:
        return [r for r in self.resources if topic in r.topics]

    def to_json(self) -> list[dict[str, Any]]:
        return [resource.to_json() for resource in self.resources]


# --- reading -------------------------------------------------------------------------------


class Vocabulary:
    """The ids each catalog field may hold, from the instrument and the rules."""

    def __init__(self, instrument: Instrument, rules: Rules) -> None:
        def options(qid: str) -> tuple[str, ...]:
            return tuple(o.id for o in instrument.question(qid).options if not o.other)

        services = rules.domain("services")
        self.allowed: dict[str, tuple[str, ...]] = {
            "format": options(rules.plan.formats_question),
            "topics": options(rules.plan.areas_question),
            "approaches": tuple(a.id for a in instrument.program_approaches),
            "services": options(services.direct) if services else (),
            "communities": options(rules.organization.communities),
            "org_types": options(rules.organization.type),
        }
        self.questions = {"format": rules.plan.formats_question,
                          "topics": rules.plan.areas_question,
                          "services": services.direct if services else "services",
                          "communities": rules.organization.communities,
                          "org_types": rules.organization.type}


class Fail(Protocol):
    """Builds the error a failed check raises: `message` is English, a template filled
    from `params` (hrta.errors.InputError), so the web can show it translated."""

    def __call__(self, field: str, message: str,
                 params: Mapping[str, object] | None = None) -> InputError: ...


def check_resource(data: Mapping[str, Any], vocabulary: Vocabulary, *, origin: str,
                   fail: Fail) -> Resource:
    """One catalog entry from plain data; `fail(field, message, params)` builds the error
    to raise.

    The web app's staff form calls this with its own `fail`, and gets the checks the
    command line applies.
    """
    unknown = [name for name in data if name not in FIELDS]
    if unknown:
        raise fail(unknown[0], "unknown field %(field)r; fields are %(fields)s",
                   {"field": unknown[0], "fields": ", ".join(FIELDS)})
    values: dict[str, Any] = {}
    for name in REQUIRED:
        value = data.get(name)
        if value is None or value == "" or value == []:
            raise fail(name, "%(field)r is required", {"field": name})
    for name in ("id", "title", "publisher", "format", "link", "notes"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise fail(name, "%(field)r must be text, not %(kind)s",
                       {"field": name, "kind": type(value).__name__})
        values[name] = (value or "").strip()
    if not _ID.match(values["id"]):
        raise fail("id", "id %(id)r must be lower-case letters, digits and underscores, "
                   "starting with a letter or digit", {"id": values["id"]})
    if values["format"] not in vocabulary.allowed["format"]:
        raise fail("format", "unknown format %(format)r; formats are the options of "
                   "%(question)r: %(allowed)s",
                   {"format": values["format"], "question": vocabulary.questions["format"],
                    "allowed": ", ".join(vocabulary.allowed["format"])})
    for name in LIST_FIELDS:
        values[name] = _id_list(data.get(name), name, vocabulary, fail)
    if values["link"] and not _LINK.match(values["link"]):
        raise fail("link", "link %(link)r must be an http:// or https:// address with no "
                   "spaces, or empty", {"link": values["link"]})
    values["year"] = _year(data.get("year"), fail)
    values["last_reviewed"] = _date(data.get("last_reviewed"), fail)
    return Resource(**values, origin=origin)


def _id_list(value: Any, name: str, vocabulary: Vocabulary, fail: Fail) -> tuple[str, ...]:
    if value is None or value == "":
        items: list[Any] = []
    elif isinstance(value, str):
        items = [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
    elif isinstance(value, list):
        items = value
    else:
        raise fail(name, "%(field)r must be a list of ids", {"field": name})
    allowed = vocabulary.allowed[name]
    for item in items:
        if not isinstance(item, str) or item not in allowed:
            source = vocabulary.questions.get(name)
            params = {"kind": _SINGULAR[name], "item": item, "field": name,
                      "question": source, "allowed": ", ".join(allowed)}
            if source:
                raise fail(name, "unknown %(kind)s %(item)r; %(field)s are the options of "
                           "%(question)r: %(allowed)s", params)
            raise fail(name, "unknown %(kind)s %(item)r; %(field)s are the program "
                       "approaches: %(allowed)s", params)
    if len(set(items)) != len(items):
        raise fail(name, "%(field)r repeats an id", {"field": name})
    return tuple(items)


def _year(value: Any, fail: Fail) -> int | None:
    if value is None or value == "":
        return None
    try:
        year = int(str(value).strip())
    except ValueError:
        raise fail("year", "year %(year)r is not a number", {"year": value}) from None
    if not 1900 <= year <= date.today().year:
        raise fail("year", "year %(year)s is not between 1900 and this year", {"year": year})
    return year


def _date(value: Any, fail: Fail) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        parsed = value
    else:
        try:
            parsed = date.fromisoformat(str(value).strip())
        except ValueError:
            raise fail("last_reviewed", "last_reviewed %(date)r is not a date written "
                       "YYYY-MM-DD", {"date": value}) from None
    if parsed > date.today():
        raise fail("last_reviewed", "last_reviewed %(date)s is in the future",
                   {"date": parsed.isoformat()})
    return parsed


def read_catalog(path: Path, instrument: Instrument, rules: Rules, *,
                 origin: str | None = None) -> list[Resource]:
    """Every entry of a catalog file (.yaml, .yml or .csv), checked."""
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError("cannot read the catalog: %(reason)s", file=name,
                         params={"reason": exc.strerror or exc}) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("the catalog is not UTF-8 text (byte %(byte)s); save it as UTF-8",
                         file=name, params={"byte": exc.start + 1}) from exc
    vocabulary = Vocabulary(instrument, rules)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return parse_catalog_yaml(text, vocabulary, origin=origin or name, file=name)
    if suffix == ".csv":
        return parse_catalog_csv(text, vocabulary, origin=origin or name, file=name)
    raise InputError("name the catalog *.yaml, *.yml or *.csv", file=name)


def parse_catalog_yaml(text: str, vocabulary: Vocabulary, *, origin: str,
                       file: str) -> list[Resource]:
    data, lines = load_with_lines(text, origin=file)
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) != {"resources"} \
            or not isinstance(data["resources"], list | None):
        raise InputError("a catalog file holds one key, `resources:`, with a list of entries",
                         file=file, row=1)
    entries = data["resources"] or []
    found: list[Resource] = []
    for index, entry in enumerate(entries):
        def fail(field: str, message: str, params: Mapping[str, object] | None = None,
                 index: int = index) -> InputError:
            path = ("resources", index, field) if field else ("resources", index)
            return InputError("entry %(entry)s: " + message, file=file,
                              row=line_of(lines, path), column=field or None,
                              params={**(params or {}), "entry": index + 1})

        if not isinstance(entry, dict):
            raise fail("", "each entry is a mapping of fields (id, title, publisher, ...)")
        found.append(check_resource(entry, vocabulary, origin=origin, fail=fail))
    _no_repeats(found, lambda i: InputError(
        "entry %(entry)s: id %(id)r is used by an earlier entry", file=file,
        params={"entry": i + 1, "id": found[i].id},
        row=line_of(lines, ("resources", i, "id")), column="id"))
    return found


def parse_catalog_csv(text: str, vocabulary: Vocabulary, *, origin: str,
                      file: str) -> list[Resource]:
    rows: list[list[str]] = []
    try:
        rows.extend(csv.reader(io.StringIO(text)))
    except csv.Error as exc:  # e.g. a cell over the csv module's 128 KiB field limit
        raise InputError("malformed CSV: %(reason)s", params={"reason": exc}, file=file,
                         row=len(rows) + 1) from None
    if not rows:
        raise InputError("the catalog is empty; row 1 must name the columns: %(columns)s",
                         params={"columns": ",".join(FIELDS)}, file=file, row=1)
    header = [cell.strip() for cell in rows[0]]
    for index, name in enumerate(header):
        if name not in FIELDS:
            raise InputError("unknown column %(column)r; columns are %(columns)s",
                             params={"column": name, "columns": ", ".join(FIELDS)},
                             file=file, row=1, column=_column(index, name))
        if header.index(name) != index:
            raise InputError("column %(column)r appears twice", params={"column": name},
                             file=file, row=1, column=_column(index, name))
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise InputError("missing columns: %(columns)s", params={"columns": ", ".join(missing)},
                         file=file, row=1)
    found: list[Resource] = []
    lines: list[int] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise InputError("this row has %(cells)s cells but the header names %(width)s "
                             "columns", params={"cells": len(row), "width": len(header)},
                             file=file, row=number, column=_column(len(header), ""))
        data = {name: (row[i] if i < len(row) else "") for i, name in enumerate(header)}

        def fail(field: str, message: str, params: Mapping[str, object] | None = None,
                 number: int = number) -> InputError:
            index = header.index(field) if field in header else None
            return InputError(message, file=file, row=number, params=params,
                              column=_column(index, field) if index is not None else field)

        found.append(check_resource(data, vocabulary, origin=origin, fail=fail))
        lines.append(number)
    _no_repeats(found, lambda i: InputError(
        "id %(id)r is used by an earlier row", params={"id": found[i].id}, file=file,
        row=lines[i], column=_column(header.index("id"), "id")))
    return found


def _column(index: int, name: str) -> str:
    return f"{column_letter(index)} ({name!r})" if name else column_letter(index)


def _no_repeats(found: list[Resource], error: Callable[[int], InputError]) -> None:
    seen: set[str] = set()
    for index, resource in enumerate(found):
        if resource.id in seen:
            raise error(index)
        seen.add(resource.id)


# --- the catalog in use -----------------------------------------------------------------


def bundled_catalog_path(instrument_id: str) -> Path:
    folder = resources.files("hrta.instrument") / "assessments" / "catalog"
    return Path(str(folder / f"{instrument_id}.yaml"))


def user_catalog_path(override: Path | None = None) -> Path:
    """The user catalog: `override`, else $HRTA_CATALOG, else hrta/catalog.yaml in the
    user's data folder ($XDG_DATA_HOME, by default ~/.local/share)."""
    if override is not None:
        return Path(override)
    setting = os.environ.get(CATALOG_ENV, "").strip()
    if setting:
        return Path(setting).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME", "").strip() or Path.home() / ".local" / "share"
    return Path(data_home) / "hrta" / "catalog.yaml"


def load_catalog(instrument: Instrument, rules: Rules, *, user: Path | None = None,
                 extra: Iterable[Resource] = ()) -> Catalog:
    """The bundled catalog, then the user catalog (if it exists), then `extra` entries
    (e.g. the web app's staff-made ones); a later entry replaces an earlier one of its id."""
    merged: dict[str, Resource] = {}
    bundled = bundled_catalog_path(instrument.id)
    if bundled.is_file():
        for resource in read_catalog(bundled, instrument, rules, origin="bundled"):
            merged[resource.id] = resource
    user_path = user_catalog_path(user)
    if user_path.is_file():
        for resource in read_catalog(user_path, instrument, rules):
            merged[resource.id] = resource
    for resource in extra:
        merged[resource.id] = resource
    return Catalog(tuple(merged.values()))


@dataclass(frozen=True)
class ImportResult:
    path: Path
    added: tuple[str, ...]
    replaced: tuple[str, ...]
    total: int


def import_catalog(file: Path, instrument: Instrument, rules: Rules, *,
                   user: Path | None = None) -> ImportResult:
    """Check every entry of `file`, then add them to the user catalog (replacing entries
    of the same id) in one write; on any error nothing is written."""
    incoming = read_catalog(file, instrument, rules)
    target = user_catalog_path(user)
    existing = read_catalog(target, instrument, rules) if target.is_file() else []
    merged = {resource.id: resource for resource in existing}
    replaced = tuple(r.id for r in incoming if r.id in merged)
    added = tuple(r.id for r in incoming if r.id not in merged)
    for resource in incoming:
        merged[resource.id] = resource
    write_text_atomic(target, catalog_yaml(list(merged.values())))
    return ImportResult(target, added, replaced, len(merged))


def catalog_yaml(entries: list[Resource]) -> str:
    header = ("# hrta TA catalog: entries added with `hrta catalog import`. Fields and ids are\n"
              "# described in docs/assistance.md.\n")
    body = yaml.safe_dump({"resources": [r.to_data() for r in entries]}, sort_keys=False,
                          allow_unicode=True, width=100)
    return header + body
