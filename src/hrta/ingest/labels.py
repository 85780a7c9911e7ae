"""Matching of question texts and option labels as people and exporters write them."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " ",
})
_SPACE = re.compile(r"\s+")
# Labels repeat: every option column of an export is matched against its question's labels,
# and a question with 56 options expanded into 56 columns would normalise them 56 times.
_REMEMBERED = 1 << 16


@lru_cache(maxsize=_REMEMBERED)
def normalize(text: str) -> str:
    """The form two labels share when a person would call them the same.

    Case, runs of white space, curly versus straight quotes and dash variants differ
    between exports of one survey (Excel and SurveyMonkey each rewrite them).
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACE.sub(" ", text).strip().casefold()


_TAG = re.compile(r"<[^>]{0,200}>")
_LEADING_DASH = re.compile(r"^\s*[-\u2013\u2014]\s+")


def clean_header(text: str) -> str:
    """A header cell as a reader sees it: HTML markup and entities turned into text.

    SurveyMonkey writes question texts as their HTML (`<br>`, `<strong>`, `&nbsp;`) and
    recent expanded exports put " - " before each label of row 2.
    """
    if "<" in text or "&" in text:
        text = html.unescape(_TAG.sub(" ", text))
    return _LEADING_DASH.sub("", text).strip()


@lru_cache(maxsize=_REMEMBERED)
def header_key(text: str) -> str:
    """`normalize` of the cleaned header: the key question texts and labels match by."""
    return normalize(clean_header(text))
