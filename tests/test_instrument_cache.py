"""The instrument's YAML, once read, is kept parsed (as JSON) in hrta's cache, named by the
hash of the text: the same text is read back from there, a changed text is read afresh,
and what JSON cannot hold as it is never kept."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources

import pytest

from hrta.errors import InputError
from hrta.instrument import load, load_bundled, parse
from hrta.instrument.loader import _read_yaml
from hrta.yamlfiles import load_yaml

BUNDLED = (resources.files("hrta.instrument") / "assessments"
           / "harm_reduction_ta_2022.yaml").read_text(encoding="utf-8")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HRTA_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "instruments"


def test_the_bundled_instrument_is_kept_and_read_back_the_same(cache):
    parsed = parse(BUNDLED, origin="bundled.yaml")
    kept = list(cache.glob("*.json"))
    assert len(kept) == 1
    assert json.loads(kept[0].read_text(encoding="utf-8")) == load_yaml(BUNDLED,
                                                                       origin="bundled.yaml")
    assert parse(BUNDLED, origin="bundled.yaml") == parsed
    assert parsed == load_bundled.__wrapped__()


def test_the_kept_form_is_what_is_read(cache):
    """The second read comes from the cache: a kept form edited by hand shows through,
    which is how the test knows (the YAML stays the source: editing it changes the name)."""
    parse(BUNDLED, origin="bundled.yaml")
    kept = next(cache.glob("*.json"))
    data = json.loads(kept.read_text(encoding="utf-8"))
    data["title"] = "Read from the cache"
    kept.write_text(json.dumps(data), encoding="utf-8")
    assert parse(BUNDLED, origin="bundled.yaml").title == "Read from the cache"


def test_a_changed_file_is_read_afresh(cache, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(BUNDLED, encoding="utf-8")
    assert load(path).title != "Changed"
    path.write_text(BUNDLED.replace("\ntitle: ", "\ntitle: Changed # ", 1), encoding="utf-8")
    assert load(path).title == "Changed"
    assert len(list(cache.glob("*.json"))) == 2


def test_what_json_cannot_hold_is_not_kept(cache):
    assert _read_yaml("fielded: 2022-06-01\n1: one\n", origin="dates.yaml") == {
        "fielded": date(2022, 6, 1), 1: "one"}
    assert not cache.exists() or list(cache.glob("*.json")) == []


def test_bad_yaml_is_refused_and_not_kept(cache):
    with pytest.raises(InputError, match="not valid YAML"):
        parse("title: [unclosed\n", origin="bad.yaml")
    assert not cache.exists() or list(cache.glob("*.json")) == []


def test_an_unreadable_kept_form_is_parsed_again(cache):
    parse(BUNDLED, origin="bundled.yaml")
    kept = next(cache.glob("*.json"))
    kept.write_text("{not json", encoding="utf-8")
    assert parse(BUNDLED, origin="bundled.yaml") == load_bundled.__wrapped__()


def test_no_cache_keeps_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("HRTA_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    parse(BUNDLED, origin="bundled.yaml")
    assert list(tmp_path.rglob("*.json")) == []
