"""The report's one palette: colour-blind safe and legible when printed in grey.

Hues come from Okabe-Ito (blue) and ColorBrewer's blue and orange ramps, which stay apart
under the common colour-vision deficiencies. Every set used together also differs in
lightness (CIE L* noted beside each), so a grey print still tells them apart. Questions
compared side by side (services provided directly, through referral, planned) get a panel
each rather than a colour each, so nothing there depends on telling colours apart.
"""

from __future__ import annotations

INK = "#1b1b1b"
MUTED = "#565c65"
GRID = "#e5e5e5"
ACCENT = "#005ea2"  # headings and rules, the U.S. Web Design System's primary blue

BAR = "#0072B2"  # L* 46

# Agreement scales by length, agree (blue) to disagree (orange). Every answer has its own
# lightness, so grey print keeps them apart: for the 4-point scale strongly agree 21,
# somewhat agree 68, somewhat disagree 86, strongly disagree 39, and "I don't know" 77.
# The two strong ends are dark enough for white text.
DIVERGING: dict[int, tuple[str, ...]] = {
    2: ("#08306b", "#a63603"),
    3: ("#08306b", "#f7f7f7", "#a63603"),
    4: ("#08306b", "#6baed6", "#fdd0a2", "#a63603"),
    5: ("#08306b", "#6baed6", "#f7f7f7", "#fdd0a2", "#a63603"),
}
# A scale without agree / disagree nets (how often, how much, a scale hrta does not know)
# is an order, not two sides: a light-to-dark blue ramp from its first point to its last
# (ColorBrewer Blues, L* from about 92 down to 21), so grey print keeps the order too.
ORDERED: dict[int, tuple[str, ...]] = {
    2: ("#9ecae1", "#08306b"),
    3: ("#deebf7", "#6baed6", "#08306b"),
    4: ("#deebf7", "#9ecae1", "#2171b5", "#08306b"),
    5: ("#deebf7", "#9ecae1", "#4292c6", "#2171b5", "#08306b"),
    6: ("#deebf7", "#c6dbef", "#9ecae1", "#4292c6", "#2171b5", "#08306b"),
    7: ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#4292c6", "#2171b5", "#08306b"),
}
# Answers off the scale ("I don't know") sit apart from the scale, in a neutral grey.
OFF_SCALE = "#bdbdbd"

# Tile map: a sequential blue ramp for counts (L* 86, 68, 46, 21), light grey (95) for
# states with none.
SEQUENTIAL = ("#c6dbef", "#6baed6", "#2171b5", "#08306b")
EMPTY_TILE = "#f0f0f0"

# Fills dark enough to need white text on them.
DARK_FILLS = frozenset({"#08306b", "#a63603", "#0072B2", "#2171b5", "#4292c6"})
