"""YAML people write: every way it fails is an InputError naming the file, and aliases
that stand for millions of values (or for themselves) are refused before anything walks
them."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from hrta.assistance.catalog import read_catalog
from hrta.assistance.rules import load_rules
from hrta.coding.codebook import read_codebook
from hrta.errors import InputError
from hrta.ingest.mapping import load_mapping
from hrta.instrument.loader import load as load_instrument
from hrta.yamlfiles import MAX_VALUES, load_yaml

BOMB = ("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
        "g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n")


def _error(read: Callable[[], object]) -> InputError:
    with pytest.raises(InputError) as caught:
        read()
    return caught.value


def test_an_alias_bomb_is_refused_before_it_is_built():
    started = time.monotonic()
    error = _error(lambda: load_yaml(BOMB, origin="bomb.yaml"))
    assert time.monotonic() - started < 2
    assert error.file == "bomb.yaml"
    assert f"more than {MAX_VALUES:,} values" in error.message


def test_aliases_that_stand_for_few_values_are_fine():
    assert load_yaml("a: &a [1, 2]\nb: *a\nc: *a\n", origin="x.yaml") == {
        "a": [1, 2], "b": [1, 2], "c": [1, 2]}


def test_an_alias_inside_its_own_anchor_is_refused():
    error = _error(lambda: load_yaml("a: &a [1, *a]\n", origin="loop.yaml"))
    assert "refers to a value that contains it" in error.message
    assert error.row == 1


@pytest.mark.parametrize(("text", "words"), [
    ("day: 2022-13-45\n", "month must be in 1..12"),
    ("a: [1, 2\n", "not valid YAML"),
    ("[" * 2000 + "]" * 2000, "not valid YAML"),
    ("a: !!python/object/apply:os.system ['true']\n", "not valid YAML"),
])
def test_every_failure_is_an_input_error(text, words):
    error = _error(lambda: load_yaml(text, origin="bad.yaml"))
    assert error.file == "bad.yaml" and words in error.message


def test_a_syntax_error_names_its_line():
    error = _error(lambda: load_yaml("a: 1\nb: [1, 2\nc: 3\n", origin="bad.yaml"))
    assert error.row is not None and error.row >= 2


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_each_yaml_reader_names_the_file(tmp_path, instrument):
    # A date YAML cannot build once crashed every one of them.
    bad = "resources: 2022-13-45\nthemes: 2022-13-45\nquestions: 2022-13-45\n"
    readers = {
        "instrument.yaml": lambda p: load_instrument(p),
        "map.yaml": lambda p: load_mapping(p, instrument),
        "rules.yaml": lambda p: load_rules(instrument, p),
        "book.yaml": lambda p: read_codebook(p, question="challenges"),
        "catalog.yaml": lambda p: read_catalog(p, instrument, load_rules(instrument)),
    }
    for name, read in readers.items():
        path = _file(tmp_path, name, bad)
        error = _error(lambda read=read, path=path: read(path))
        assert error.file == str(path), name
        assert "month must be in 1..12" in error.message, name


def test_a_bomb_in_an_instrument_file(tmp_path):
    path = _file(tmp_path, "bomb.yaml", BOMB)
    error = _error(lambda: load_instrument(path))
    assert error.file == str(path) and "values" in error.message
