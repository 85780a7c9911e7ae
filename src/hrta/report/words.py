"""The words of the report, the brief and their charts, in each language a report is written in.

Every sentence and label the report writes is a catalog entry in
messages/<part>.<language>.yaml, filled in with `str.format` placeholders: `document` holds the
headings, table and chart labels and fixed text of the templates; `narrative` the sentences
generated from Findings. The parts of one language are read together as one catalog, so a key
lives in exactly one part. Questions, options and statements are named in the questionnaire's
own translation (`hrta.instrument.translation`), as respondents read them.

Adding a language: copy each messages/<part>.en.yaml to messages/<part>.<language>.yaml and
translate each entry, keeping the names in braces. A key ending in `.one`/`.other` is a
count's two forms.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

import yaml

from hrta.assistance.words import ENGLISH, Words, catalog_words
from hrta.errors import InputError

__all__ = ["ENGLISH", "Words", "languages", "report_words"]


@cache
def report_words(language: str | None = ENGLISH) -> Words:
    """The report's catalog in `language` (its base: 'es-US' reads 'es'); English when the
    report has no catalog in that language."""
    return catalog_words(language, _catalog)


def languages() -> list[str]:
    """The languages the report can be written in."""
    return sorted({path.name.split(".")[-2] for path in _folder().iterdir()
                   if path.name.endswith(".yaml")})


def _folder() -> Traversable:
    return resources.files("hrta.report") / "messages"


def _catalog(code: str) -> dict[str, str] | None:
    parts = sorted((path for path in _folder().iterdir()
                    if path.name.endswith(f".{code}.yaml")), key=lambda path: path.name)
    if not parts:
        return None
    merged: dict[str, str] = {}
    for path in parts:
        name = f"hrta/report/messages/{path.name}"
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise InputError(f"not valid YAML: {exc}", file=name) from exc
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise InputError("a message catalog maps each key to a sentence", file=name)
        twice = sorted(set(raw) & set(merged))
        if twice:
            raise InputError(f"keys also in another part: {', '.join(twice[:5])}", file=name)
        merged.update({str(key): value for key, value in raw.items()})
    return merged
