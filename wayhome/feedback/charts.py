"""Server-rendered bar charts (SVG, no script): each chart is drawn from rows that the page also
shows as a table, so the figures are readable without the picture."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

LABEL_WIDTH = 200
BAR_AREA = 300
ROW_HEIGHT = 24
BAR_HEIGHT = 16


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    y: int
    width: int
    text_y: int
    count_x: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    bars: list[Bar]


def bars(rows: Sequence[Any]) -> Chart:
    """A horizontal bar per row (``label``, ``count``), scaled to the largest count."""
    largest = max((row.count for row in rows), default=0) or 1
    drawn = []
    for index, row in enumerate(rows):
        width = round(BAR_AREA * row.count / largest)
        y = index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) // 2
        drawn.append(
            Bar(
                label=str(row.label),
                count=row.count,
                y=y,
                width=width,
                text_y=y + BAR_HEIGHT - 3,
                count_x=LABEL_WIDTH + width + 6,
            )
        )
    return Chart(
        width=LABEL_WIDTH + BAR_AREA + 50,
        height=max(ROW_HEIGHT, ROW_HEIGHT * len(rows)),
        label_width=LABEL_WIDTH,
        bars=drawn,
    )
