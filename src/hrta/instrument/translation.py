"""The instrument in another language: labels from `<instrument id>.<language>.yaml`
beside the instrument. Ids, types and skip logic never change with the language; a label
the translation lacks stays in the instrument's own wording.

A translation file holds:

    title, description
    sections:   {section id: title}
    questions:  {question id: {text, short, help, options: {option id: label},
                               statements: {statement id: text}}}
    options:    {option id: label}      labels shared by every question with that option
    nets:       {net id: label}         e.g. agree: "Strongly or somewhat agree"
    program_approaches: {approach id: label}
    report:     {title, sections: {report section id: title},
                 items: {the item's title in the instrument: its title}}
                the stakeholder analysis's layout, so a report in the language names its
                chapters, figures and tables in it
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from hrta.errors import InputError
from hrta.instrument.schema import Instrument
from hrta.wording import collation_key

_SECTIONS = ("title", "description", "sections", "questions", "options", "nets",
             "program_approaches", "report")


@lru_cache(maxsize=16)
def _overlay(instrument_id: str, language: str, beside: Path | None = None
             ) -> dict[str, Any] | None:
    """The bundled overlay, or for an instrument file `beside`, `<its name>.<language>.yaml`
    next to it (what `hrta instrument import` writes from a form's other languages)."""
    name = f"{instrument_id}.{language}.yaml"
    path: Any = resources.files("hrta.instrument") / "assessments" / "translations" / name
    if beside is not None:
        path = beside.with_name(f"{beside.stem}.{language}.yaml")
        name = str(path)
    if not path.is_file():
        return None
    return _read(path, name)


def _read(path: Any, name: str) -> dict[str, Any]:
    import yaml  # only a translation read needs it; a plain analysis reads none

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", file=name) from exc
    return checked_overlay(raw, name=name)


def checked_overlay(raw: object, *, name: str) -> dict[str, Any]:
    """A translation as read from a file or kept by a web wave; InputError names `name`."""
    if not isinstance(raw, dict):
        raise InputError("a translation file must hold a mapping", file=name)
    unknown = sorted(set(raw) - set(_SECTIONS))
    if unknown:
        raise InputError(f"unknown keys {unknown}; a translation holds {list(_SECTIONS)}",
                         file=name)
    return raw


def overlays_beside(path: Path) -> dict[str, dict[str, Any]]:
    """The translations lying beside the instrument file `path`, by language code: what
    `hrta instrument import` wrote there, and what a web wave keeps with its instrument."""
    # Read afresh, not through _overlay's cache: an upload's copy may reuse a path.
    return {code: _read(path.with_name(f"{path.stem}.{code}.yaml"),
                        str(path.with_name(f"{path.stem}.{code}.yaml")))
            for code in available_languages("", beside=path)}


def available_languages(instrument_id: str, *, beside: Path | None = None) -> list[str]:
    if beside is not None:
        prefix = f"{beside.stem}."
        return sorted(p.name.removeprefix(prefix).removesuffix(".yaml")
                      for p in beside.parent.glob(f"{beside.stem}.*.yaml"))
    folder = resources.files("hrta.instrument") / "assessments" / "translations"
    if not folder.is_dir():
        return []
    prefix = f"{instrument_id}."
    return sorted(p.name.removeprefix(prefix).removesuffix(".yaml")
                  for p in folder.iterdir()
                  if p.name.startswith(prefix) and p.name.endswith(".yaml"))


def versions_beside(instrument: Instrument, ref: str | Path) -> tuple[Instrument, ...]:
    """The instrument file `ref` in each language whose overlay lies beside it (none for a
    bundled instrument named by id): what a multi-language survey's export may hold."""
    path = Path(ref)
    if not path.is_file():
        return ()
    return versions(instrument, overlays_beside(path))


def versions(instrument: Instrument, overlays: Mapping[str, Mapping[str, Any]]
             ) -> tuple[Instrument, ...]:
    """The instrument in each language of `overlays` (by language code): the `translated`
    versions an import of a multi-language survey's export is given, whether the overlays
    lie beside a file (the command line) or are kept with a web wave."""
    return tuple(translate(instrument, code, overlays=overlays) for code in sorted(overlays))


def base_language(language: str) -> str:
    return language.replace("_", "-").split("-")[0].lower()


def translate(instrument: Instrument, language: str, *, beside: Path | None = None,
              overlays: Mapping[str, Mapping[str, Any]] | None = None) -> Instrument:
    """The instrument with its wording in `language`, when a translation is bundled (or,
    for the instrument file `beside`, lies next to it; or is one of `overlays`, the
    translations a web wave keeps, by language code)."""
    overlay = (overlays.get(base_language(language)) if overlays is not None
               else _overlay(instrument.id, base_language(language), beside))
    if overlay is None:
        return instrument
    data = instrument.model_dump()
    data["title"] = overlay.get("title") or data["title"]
    data["description"] = overlay.get("description") or data["description"]
    approaches = overlay.get("program_approaches") or {}
    for approach in data["program_approaches"]:
        approach["label"] = approaches.get(approach["id"]) or approach["label"]
    sections = overlay.get("sections") or {}
    questions = overlay.get("questions") or {}
    options = overlay.get("options") or {}
    nets = overlay.get("nets") or {}
    for section in data["sections"]:
        section["title"] = sections.get(section["id"]) or section["title"]
        for question in section["questions"]:
            own = questions.get(question["id"]) or {}
            for key in ("text", "short", "help"):
                if own.get(key):
                    question[key] = own[key]
            for option in question["options"]:
                label = (own.get("options") or {}).get(option["id"]) or options.get(option["id"])
                if label:
                    option["label"] = label
            for statement in question["statements"]:
                text = (own.get("statements") or {}).get(statement["id"])
                if text:
                    statement["text"] = text
            question["nets"] = {net: nets.get(net) or label
                                for net, label in question["nets"].items()}
    _translate_layout(data.get("report"), overlay.get("report") or {})
    return Instrument.model_validate(data)


def _translate_layout(layout: dict[str, Any] | None, overlay: dict[str, Any]) -> None:
    """The report layout's titles in the translation's words. Items have no ids, so the
    translation names each by its title in the instrument, as a message catalog would."""
    if not layout or not overlay:
        return
    layout["title"] = overlay.get("title") or layout["title"]
    sections = overlay.get("sections") or {}
    items = overlay.get("items") or {}
    for section in layout["sections"]:
        section["title"] = sections.get(section["id"]) or section["title"]
        for item in section["items"]:
            item["title"] = items.get(item["title"]) or item["title"]


ALPHABETICAL_RUN = 10
"""Options in a row this long in alphabetical order are a list of names (states), not an
order the instrument chose; shorter runs happen by chance."""


def in_reading_order(translated: Instrument, source: Instrument, language: str
                     ) -> Instrument:
    """`translated` with each list of names sorted for readers of `language`.

    An instrument fixes the order of its options (an agreement scale, the most common answer
    first), except where it lists names alphabetically: those runs, at least
    `ALPHABETICAL_RUN` options in alphabetical order in the instrument's own wording, are
    sorted again by their translated labels (hrta.wording.collation_key); the options around
    them keep their place (territories after the states). Ids never change, only the order
    a form shows them in; the analysis keeps the instrument's order."""
    data = translated.model_dump()
    changed = False
    for section in data["sections"]:
        for question in section["questions"]:
            own = [o.label for o in source.question(question["id"]).options]
            for start, end in _alphabetical_runs(own):
                options = list(question["options"])
                run = options[start:end]
                ordered = sorted(run, key=lambda o: collation_key(o["label"], language))
                if ordered != run:
                    question["options"] = options[:start] + ordered + options[end:]
                    changed = True
    return Instrument.model_validate(data) if changed else translated


def _alphabetical_runs(labels: list[str]) -> list[tuple[int, int]]:
    runs, start = [], 0
    for index in range(1, len(labels) + 1):
        if index == len(labels) or collation_key(labels[index]) < collation_key(
                labels[index - 1]):
            if index - start >= ALPHABETICAL_RUN:
                runs.append((start, index))
            start = index
    return runs


def untranslated(instrument: Instrument, language: str) -> list[str]:
    """Where the translation into `language` leaves the instrument's own wording, as
    dotted paths (e.g. `questions.state.options.ny`); empty when it is complete."""
    overlay = _overlay(instrument.id, base_language(language)) or {}
    sections = overlay.get("sections") or {}
    questions = overlay.get("questions") or {}
    options = overlay.get("options") or {}
    nets = overlay.get("nets") or {}
    approaches = overlay.get("program_approaches") or {}
    missing = [key for key in ("title", "description")
               if getattr(instrument, key) and not overlay.get(key)]
    missing += [f"program_approaches.{a.id}" for a in instrument.program_approaches
                if not approaches.get(a.id)]
    for section in instrument.sections:
        if not sections.get(section.id):
            missing.append(f"sections.{section.id}")
        for question in section.questions:
            own = questions.get(question.id) or {}
            path = f"questions.{question.id}"
            missing += [f"{path}.{key}" for key in ("text", "short", "help")
                        if getattr(question, key) and not own.get(key)]
            missing += [f"{path}.options.{o.id}" for o in question.options
                        if not ((own.get("options") or {}).get(o.id) or options.get(o.id))]
            missing += [f"{path}.statements.{s.id}" for s in question.statements
                        if not (own.get("statements") or {}).get(s.id)]
            missing += [f"nets.{net}" for net in question.nets if not nets.get(net)]
    if instrument.report is not None:
        layout = overlay.get("report") or {}
        titles = layout.get("sections") or {}
        items = layout.get("items") or {}
        missing += ["report.title"] if not layout.get("title") else []
        for part in instrument.report.sections:
            missing += [f"report.sections.{part.id}"] if not titles.get(part.id) else []
            missing += [f"report.items.{item.title}" for item in part.items
                        if not items.get(item.title)]
    return list(dict.fromkeys(missing))
