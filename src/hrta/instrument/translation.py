"""The instrument in another language: labels from `<instrument id>.<language>.yaml`
beside the instrument. Ids, types and skip logic never change with the language; a label
the translation lacks stays in the instrument's own wording."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from hrta.errors import InputError
from hrta.instrument.schema import Instrument


@lru_cache(maxsize=16)
def _overlay(instrument_id: str, language: str) -> dict[str, Any] | None:
    name = f"{instrument_id}.{language}.yaml"
    path = resources.files("hrta.instrument") / "assessments" / "translations" / name
    if not path.is_file():
        return None
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise InputError("a translation file must hold a mapping", file=name)
    return raw


def available_languages(instrument_id: str) -> list[str]:
    folder = resources.files("hrta.instrument") / "assessments" / "translations"
    if not folder.is_dir():
        return []
    prefix = f"{instrument_id}."
    return sorted(p.name.removeprefix(prefix).removesuffix(".yaml")
                  for p in folder.iterdir()
                  if p.name.startswith(prefix) and p.name.endswith(".yaml"))


def translate(instrument: Instrument, language: str) -> Instrument:
    """The instrument with its wording in `language`, when a translation is bundled."""
    overlay = _overlay(instrument.id, language.split("-")[0].lower())
    if overlay is None:
        return instrument
    data = instrument.model_dump()
    data["title"] = overlay.get("title", data["title"])
    data["description"] = overlay.get("description", data["description"])
    sections = overlay.get("sections", {})
    questions = overlay.get("questions", {})
    options = overlay.get("options", {})
    for section in data["sections"]:
        section["title"] = sections.get(section["id"], section["title"])
        for question in section["questions"]:
            own = questions.get(question["id"], {})
            for key in ("text", "short", "help"):
                if own.get(key):
                    question[key] = own[key]
            for option in question["options"]:
                label = own.get("options", {}).get(option["id"]) or options.get(option["id"])
                if label:
                    option["label"] = label
            for statement in question["statements"]:
                text = own.get("statements", {}).get(statement["id"])
                if text:
                    statement["text"] = text
    return Instrument.model_validate(data)
