"""Read assessments from YAML, expanding shared option lists and scales."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hrta.defaults import DEFAULT_INSTRUMENT as DEFAULT_INSTRUMENT
from hrta.errors import InputError
from hrta.instrument.schema import Instrument
from hrta.yamlfiles import load_yaml


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
    # libyaml's loader (in load_yaml) reads the bundled assessment ten times faster than
    # the pure-Python one, which made it the slowest step of a plain `hrta analyze`.
    raw = load_yaml(text, origin=origin)
    if not isinstance(raw, dict):
        raise InputError("an instrument file must hold a mapping", file=origin)
    try:
        return Instrument.model_validate(_expand(raw))
    except (ValidationError, ValueError) as exc:
        raise InputError("invalid instrument: %(reason)s", file=origin,
                         params={"reason": str(exc)}) from exc


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
