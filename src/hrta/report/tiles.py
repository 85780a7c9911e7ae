"""Tile-grid positions of U.S. states, DC and territories, read from `state_tiles.csv`.

One square per state in a grid that keeps neighbours near each other: every state gets
the same area, so small states with many respondents stay visible, and no map geometry
has to be downloaded. Territories sit in a row of their own below the states.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    row: int
    col: int
    kind: str  # state, district or territory


@cache
def state_tiles() -> tuple[Tile, ...]:
    text = resources.files("hrta.report").joinpath("state_tiles.csv").read_text("utf-8")
    return tuple(Tile(r["code"], r["name"], int(r["row"]), int(r["col"]), r["kind"])
                 for r in csv.DictReader(io.StringIO(text)))


def tile_for(option_id: str, label: str) -> Tile | None:
    """The tile of an answer option, matched by postal code (the option id) or by name."""
    for tile in state_tiles():
        if option_id.upper() == tile.code or label.casefold() == tile.name.casefold():
            return tile
    return None
