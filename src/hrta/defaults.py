"""Defaults the whole system shares, in a module light enough for the command line to read
at start-up (the packages that use them load Pydantic or Polars, which `hrta --help` should
not wait for).

`hrta.instrument.DEFAULT_INSTRUMENT` and `hrta.analysis.suppression.DEFAULT_THRESHOLD` are
these same values; code inside those packages names them from there.
"""

from __future__ import annotations

from typing import Final

DEFAULT_INSTRUMENT: Final = "harm_reduction_ta_2022"
"""The bundled assessment used when no other is named."""

DEFAULT_THRESHOLD: Final = 5
"""Counts below this are not published for small groups (`--suppress-below`)."""
