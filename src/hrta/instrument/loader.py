"""Read assessments from YAML, expanding shared option lists and scales.

The YAML file is the instrument; what PyYAML reads from it is kept as JSON in hrta's
cache (`hrta.files.cache_root`, under `instruments/`), named by the SHA-256 of the text,
so the next command reads the same text without loading PyYAML (a tenth of a plain
`hrta analyze`). A changed file has another hash, so it is read afresh; a document JSON
cannot hold as it is (dates, keys that are not strings) is never kept.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import suppress
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hrta.defaults import DEFAULT_INSTRUMENT as DEFAULT_INSTRUMENT
from hrta.errors import InputError
from hrta.files import cache_root, write_text_atomic
from hrta.instrument.schema import Instrument


def bundled_ids() -> list[str]:
    folder = resources.files("hrta.instrument") / "assessments"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir()
                  if p.name.endswith(".yaml"))


@lru_cache(maxsize=16)
def load_bundled(instrument_id: str = DEFAULT_INSTRUMENT) -> Instrument:
    if instrument_id not in bundled_ids():
        raise InputError("no bundled instrument %(id)r; bundled: %(bundled)s",
                         params={"id": instrument_id, "bundled": ", ".join(bundled_ids())})
    path = resources.files("hrta.instrument") / "assessments" / f"{instrument_id}.yaml"
    return parse(path.read_text(encoding="utf-8"), origin=f"{instrument_id}.yaml")


def load(ref: str | Path) -> Instrument:
    """Load a bundled instrument by id, or an instrument YAML file by path."""
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError("cannot read instrument: %(reason)s", file=str(path),
                             params={"reason": str(exc)}) from exc
        return parse(text, origin=str(path))
    return load_bundled(str(ref))


def parse(text: str, *, origin: str) -> Instrument:
    raw = _read_yaml(text, origin=origin)
    if not isinstance(raw, dict):
        raise InputError("an instrument file must hold a mapping", file=origin)
    try:
        return Instrument.model_validate(_expand(raw))
    except (ValidationError, ValueError) as exc:
        raise InputError("invalid instrument: %(reason)s", file=origin,
                         params={"reason": str(exc)}) from exc


def _read_yaml(text: str, *, origin: str) -> Any:
    """The YAML document `text` as plain data: from the cache when this very text was read
    before, else parsed (libyaml's loader, in load_yaml) and kept."""
    folder = cache_root()
    kept = None if folder is None else (
        folder / "instruments" / f"{hashlib.sha256(text.encode('utf-8')).hexdigest()}.json")
    if kept is not None:
        try:
            return json.loads(kept.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # not kept yet, or unreadable: parse the YAML
            pass
    from hrta.yamlfiles import load_yaml

    raw = load_yaml(text, origin=origin)
    if kept is not None:
        stored = json.dumps(raw, ensure_ascii=False, default=str)
        if json.loads(stored) == raw:  # JSON holds it as it is
            with suppress(OSError):  # a read-only cache: parse again next time
                write_text_atomic(kept, stored)
    return raw


def _expand(raw: dict[str, Any]) -> dict[str, Any]:
    """Resolve `option_list:` and `scale:` references so each question carries its options.

    Parts of the wrong shape are left as they are, for the schema to name them.
    """
    lists = raw.pop("option_lists", None) or {}
    scales = raw.pop("scales", None) or {}
    if not isinstance(lists, dict):
        raise ValueError("option_lists must map each list's name to its options")
    if not isinstance(scales, dict):
        raise ValueError("scales must map each scale's name to its options and nets")
    for section in _mappings(raw.get("sections")):
        for question in _mappings(section.get("questions")):
            if "option_list" in question:
                name = question.pop("option_list")
                if not isinstance(name, str) or name not in lists:
                    raise ValueError(f"question {question.get('id')!r} names unknown "
                                     f"option list {name!r}")
                question["options"] = lists[name]
            if "scale" in question:
                name = question.pop("scale")
                scale = scales.get(name) if isinstance(name, str) else None
                if scale is None:
                    raise ValueError(f"question {question.get('id')!r} names unknown "
                                     f"scale {name!r}")
                if not isinstance(scale, dict) or "options" not in scale:
                    raise ValueError(f"scale {name!r} must hold its options (and may hold "
                                     "nets)")
                question["options"] = scale["options"]
                question["nets"] = scale.get("nets") or {}
    return raw


def _mappings(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
