"""The sentences of readiness profiles and TA plans, in each language the plan is written in.

Every sentence the profile, the plan and the printed plan page say is a catalog entry in
messages/<language>.yaml, filled in with `str.format` placeholders; nothing is written in an
f-string in the code. A language's wording of the rules file (level names, domain titles,
next steps, reasons) is beside the rules: readiness/<instrument id>.<language>.yaml
(`hrta.assistance.rules.localize_rules`); its questions' wording is the questionnaire's own
translation (`hrta.instrument.translation`), so a plan names services and topics as the
respondent read them.

Adding a language: copy messages/en.yaml to messages/<language>.yaml and translate each
entry, keeping the names in braces. A key ending in `.one`/`.other` is a count's two forms.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from hrta.errors import InputError
from hrta.wording import collation_key, join_words

ENGLISH = "en"


def base_language(language: str | None) -> str:
    """'es-MX', 'es_US' and 'ES' are all 'es'; None is English."""
    return (language or ENGLISH).replace("_", "-").split("-")[0].lower()


@dataclass(frozen=True)
class Words:
    """The catalog of one language: `words("key", name=value)` gives a sentence."""

    language: str
    messages: dict[str, str]

    def __call__(self, key: str, **values: Any) -> str:
        return self.messages[key].format(**values)

    def count(self, key: str, count: int, **values: Any) -> str:
        """The entry `key.one` or `key.other`, as `count` asks, with {count} filled in."""
        form = "one" if count == 1 else "other"
        return self(f"{key}.{form}", count=count, **values)

    def join(self, items: Sequence[str]) -> str:
        """'A, B and C' in this language ('A, B y C'; 'y' is 'e' before an i- sound)."""
        items = [item for item in items if item]
        conjunction = self.messages["and"]
        if self.language == "es" and items and _i_sound(items[-1]):
            conjunction = "e"
        return join_words(items, conjunction)

    def sort_key(self, text: str) -> tuple[str, str]:
        """A collation key for this language's readers (hrta.wording.collation_key)."""
        return collation_key(text, self.language)


def _i_sound(word: str) -> bool:
    bare = _strip_accents(word.strip().lower())
    return (bare.startswith("i") or bare.startswith("hi")) and not bare.startswith("hie")


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                    if not unicodedata.combining(c))


@cache
def words(language: str | None = ENGLISH) -> Words:
    """The catalog of `language` (its base: 'es-US' reads 'es'); English when there is none."""
    return catalog_words(language, _catalog)


def catalog_words(language: str | None,
                  read: Callable[[str], dict[str, str] | None]) -> Words:
    """The catalog `read` gives for the base of `language`, or its English one when it has
    none in that language (a plan's or a report's: each reads its own files)."""
    code = base_language(language)
    found = read(code)
    if found is None:
        code, found = ENGLISH, read(ENGLISH)
    assert found is not None, "the English catalog is bundled"
    return Words(code, found)


def available() -> list[str]:
    folder = resources.files("hrta.assistance") / "messages"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir()
                  if p.name.endswith(".yaml"))


def _catalog(code: str) -> dict[str, str] | None:
    path = resources.files("hrta.assistance") / "messages" / f"{code}.yaml"
    if not path.is_file():
        return None
    name = f"hrta/assistance/messages/{code}.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", file=name) from exc
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise InputError("a message catalog maps each key to a sentence", file=name)
    return {str(key): value for key, value in raw.items()}


def placeholders(text: str) -> set[str]:
    """The names in braces of a catalog entry."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
