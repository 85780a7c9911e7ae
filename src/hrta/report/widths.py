"""Column widths of a printed table, worked out from its text before WeasyPrint sees it.

Left to size columns itself (CSS `table-layout: auto`), WeasyPrint lays out every cell of
a table twice more to learn its narrowest and widest width: a sixth of the demo report's
PDF time, its appendix being tables. The print page instead gives each table its column
widths (`table-layout: fixed`), found here by the same rule from an estimate of each
cell's width in its type: a column wants its widest line, cannot go below its longest word
(a number is never wrapped), and space left over goes in proportion to what each wants.
"""

from __future__ import annotations

from hrta.report.document import Table

# Widths in ems of the table's type (8.5 pt Liberation Sans): the average letter of
# English and Spanish words and the figures, the bold header's letters, and a cell's
# left and right padding (.5rem each at 12 pt). Generous, so a number is never clipped.
LETTER = 0.53
BOLD_LETTER = 0.58
PADDING = 1.5
# The printed text width (6.8 in) in those ems, and half of it less the gap between two
# tables side by side.
FULL = 57.6
HALF = 27.5


def column_widths(table: Table, *, half: bool = False) -> list[float]:
    """Each column's share of the table's width, in percent, the row labels' first."""
    headers = [table.stub or "", *(column.label for column in table.columns)]
    numeric = [False, *(column.numeric for column in table.columns)]
    least, most = [], []
    for index, header in enumerate(headers):
        cells = [row.label if index == 0 else row.cells[index - 1] for row in table.rows]
        words = [len(word) * LETTER for cell in cells for word in cell.split()]
        lines = [len(cell) * (BOLD_LETTER if index == 0 else LETTER) for cell in cells]
        if numeric[index]:
            words = lines  # figures keep to one line (`white-space: nowrap`)
        titled = [len(word) * BOLD_LETTER for word in header.split()]
        least.append(max(words + titled, default=0.0) + PADDING)
        most.append(max([*lines, len(header) * BOLD_LETTER]) + PADDING)
    room = HALF if half else FULL
    if sum(most) <= room:
        widths = [want + (room - sum(most)) * want / sum(most) for want in most]
    elif sum(least) < room:
        spare = sum(most) - sum(least)
        widths = [low + (room - sum(least)) * (high - low) / spare
                  for low, high in zip(least, most, strict=True)]
    else:
        widths = least
    return [round(100 * width / sum(widths), 1) for width in widths]
