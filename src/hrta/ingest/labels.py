"""Matching of question texts and option labels as people and exporters write them."""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " ",
})
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """The form two labels share when a person would call them the same.

    Case, runs of white space, curly versus straight quotes and dash variants differ
    between exports of one survey (Excel and SurveyMonkey each rewrite them).
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACE.sub(" ", text).strip().casefold()
