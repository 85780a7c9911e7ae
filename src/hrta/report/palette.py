"""The report's one palette: colour-blind safe and legible when printed in grey.

Hues come from Okabe-Ito (blue, orange) and ColorBrewer's blue and orange ramps, which
stay apart under the common colour-vision deficiencies. Every set used together also
differs in lightness (CIE L* noted beside each), so a grey print still tells them apart.
"""

from __future__ import annotations

INK = "#1b1b1b"
MUTED = "#565c65"
GRID = "#e5e5e5"
ACCENT = "#005ea2"  # headings and rules, the U.S. Web Design System's primary blue

BAR = "#0072B2"  # L* 46

# Series side by side (provided directly, through referral, planned): dark blue, orange,
# light blue — lightness 36, 72, 84 apart, hues blue/orange apart.
SERIES = ("#08519c", "#E69F00", "#9ecae1")

# Agreement scales by length, agree (blue) to disagree (orange). Ends are dark enough for
# white text; the lightness runs dark-light-light-dark, and the hue tells the two sides.
DIVERGING: dict[int, tuple[str, ...]] = {
    2: ("#08519c", "#a63603"),
    3: ("#08519c", "#e0e0e0", "#a63603"),
    4: ("#08519c", "#6baed6", "#fdae6b", "#a63603"),
    5: ("#08519c", "#6baed6", "#e0e0e0", "#fdae6b", "#a63603"),
}
# Answers off the scale ("I don't know") sit apart from the scale, in a neutral grey.
OFF_SCALE = "#bdbdbd"
DARK_FILLS = frozenset({"#08519c", "#a63603", "#0072B2"})

# Tile map: a sequential blue ramp for counts, light grey for states with none.
SEQUENTIAL = ("#c6dbef", "#6baed6", "#2171b5", "#08306b")
EMPTY_TILE = "#f0f0f0"
