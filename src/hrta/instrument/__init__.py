"""The assessment as data: every stage reads questions and options from here."""

from hrta.instrument.loader import DEFAULT_INSTRUMENT, bundled_ids, load, load_bundled, parse
from hrta.instrument.schema import Condition, Instrument, Option, Question, Section, Statement

__all__ = [
    "DEFAULT_INSTRUMENT",
    "Condition",
    "Instrument",
    "Option",
    "Question",
    "Section",
    "Statement",
    "bundled_ids",
    "load",
    "load_bundled",
    "parse",
]
