"""Inline SVG charts drawn on the server (no JavaScript; each is followed by its data table on
the page). Series differ by colour *and* by dash pattern, so that they can be told apart without
colour; colours are SVG presentation attributes (no inline styles: the CSP forbids them)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

WIDTH = 560
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 12, 36
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM

#: (colour, dash pattern, stroke width) per series, the composite last and thickest.
STYLES = [
    ("#1f5f99", "", 2),
    ("#a64b00", "6 4", 2),
    ("#2b7a3d", "2 3", 2),
    ("#6b3fa0", "8 3 2 3", 2),
    ("#8a1c1c", "4 2", 2),
]
COMPOSITE_STYLE = ("#1a1a1a", "", 3.5)


@dataclass
class Series:
    label: str
    colour: str
    dash: str
    width: float
    segments: list[str] = field(default_factory=list)  # "x,y x,y ..." per unbroken run
    markers: list[tuple[float, float, str]] = field(default_factory=list)  # x, y, title


def _y(value: Decimal) -> float:
    return round(TOP + (1 - float(value)) * PLOT_H, 1)


def _axis() -> list[dict[str, Any]]:
    return [{"y": _y(Decimal(tick) / 4), "label": f"{tick / 4:.2f}"} for tick in range(5)]


def line_chart(
    dates: list[datetime.date], series: list[tuple[str, list[Decimal | None], bool]]
) -> dict[str, Any]:
    """``series``: (label, one value or None per date, is the composite)."""
    if not dates:
        return {}
    first, last = min(dates), max(dates)
    span = (last - first).days

    def x(day: datetime.date) -> float:
        if span == 0:
            return round(LEFT + PLOT_W / 2, 1)
        return round(LEFT + (day - first).days / span * PLOT_W, 1)

    drawn = []
    others = 0
    for label, values, composite in series:
        if composite:
            colour, dash, width = COMPOSITE_STYLE
        else:
            colour, dash, width = STYLES[others % len(STYLES)]
            others += 1
        line = Series(label, colour, dash, width)
        run: list[str] = []
        for day, value in zip(dates, values, strict=True):
            if value is None:
                if run:
                    line.segments.append(" ".join(run))
                run = []
                continue
            px, py = x(day), _y(value)
            run.append(f"{px},{py}")
            line.markers.append((px, py, f"{label} {day:%Y-%m-%d}: {value}"))
        if run:
            line.segments.append(" ".join(run))
        drawn.append(line)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "axis": _axis(),
        "first": {"x": x(first), "label": f"{first:%Y-%m-%d}"},
        "last": {"x": x(last), "label": f"{last:%Y-%m-%d}"} if span else None,
        "series": drawn,
    }


def bar_chart(labels: list[str], counts: list[int]) -> dict[str, Any]:
    """Vertical bars, one per label (the histogram's bins)."""
    top = max(counts or [0]) or 1
    slot = PLOT_W / max(1, len(counts))
    bars = []
    for n, (label, count) in enumerate(zip(labels, counts, strict=True)):
        height = round(count / top * PLOT_H, 1)
        bars.append(
            {
                "x": round(LEFT + n * slot + slot * 0.1, 1),
                "y": round(TOP + PLOT_H - height, 1),
                "width": round(slot * 0.8, 1),
                "height": height,
                "label": label,
                "label_x": round(LEFT + n * slot + slot / 2, 1),
                "count": count,
            }
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "max": top,
        "bars": bars,
    }
