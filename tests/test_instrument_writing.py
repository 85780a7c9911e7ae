"""An instrument written as YAML (what `hrta instrument import` writes) loads back equal,
with notes as comments above their question only."""

from __future__ import annotations

import pytest

from hrta.errors import InputError
from hrta.instrument import load
from hrta.instrument.loader import parse
from hrta.instrument.schema import Instrument, Option, Question, Section
from hrta.instrument.writing import instrument_yaml


def test_the_bundled_instrument_round_trips() -> None:
    instrument = load("harm_reduction_ta_2022")
    assert parse(instrument_yaml(instrument, origin="t"), origin="t") == instrument


def test_notes_go_above_their_question_not_above_an_option_of_the_same_id() -> None:
    instrument = Instrument(id="s", version="1", title="S", sections=(Section(
        id="main", title="Main", questions=(
            Question(id="colour", type="single", text="Favourite colour?",
                     options=(Option(id="red", label="Red"), Option(id="blue", label="Blue"))),
            Question(id="red", type="text", text="Why red?"))),))
    text = instrument_yaml(instrument, header=["From survey.qsf"],
                           notes={"red": ["Shown only to those who chose Red."]}, origin="t")
    lines = text.splitlines()
    assert lines[0] == "# From survey.qsf"
    note = lines.index("  # Shown only to those who chose Red.")
    assert lines[note + 1] == "  - id: red"
    assert text.count("Shown only") == 1
    assert "source:" not in text  # defaults are left out


def test_an_instrument_that_would_not_load_names_its_origin() -> None:
    broken = Instrument.model_construct(id="s", version="1", title="S", sections=())
    with pytest.raises(InputError) as caught:
        instrument_yaml(broken, origin="survey.qsf")
    assert caught.value.file == "survey.qsf"
    assert "does not load" in caught.value.message
