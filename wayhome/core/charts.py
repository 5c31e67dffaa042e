"""Charts as inline SVG drawn on the server: no script, nothing fetched, the same on every
browser. The functions here only compute geometry; the shared templates
``includes/charts/bar_chart.html`` and ``includes/charts/line_chart.html`` draw it, at their
natural size on a wide screen and scaled down to fit a phone (the text stays legible).

Rules every chart keeps:

* every chart is followed on the page by its data table (the figures, readable by a screen
  reader, a printout or anyone who cannot read the picture); the SVG itself has ``role="img"``
  and a title;
* series are told apart by colour *and* by dash pattern and marker shape, so that colour-blind
  readers can read them; the colours come from the Okabe-Ito colour-blind-safe palette;
* no inline ``style`` attributes, the CSP forbids them: colours, widths and dashes are SVG
  presentation attributes;
* coordinates are laid out left to right (``direction="ltr"`` on the SVG, whatever the page's
  direction), so text anchors mean the same in right-to-left languages.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

#: Okabe-Ito, in the order used (the yellow and sky blue are too pale on white for lines).
BLUE, VERMILLION, GREEN, PURPLE, ORANGE, BLACK = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#000000",
)


class Counted(Protocol):
    @property
    def label(self) -> str: ...

    @property
    def count(self) -> int: ...


# --- horizontal bars --------------------------------------------------------------------------

LABEL_WIDTH = 170  # viewBox units; labels longer than LABEL_CHARS are cut (the table has them)
LABEL_CHARS = 20
BAR_AREA = 190
COUNT_WIDTH = 40
ROW_HEIGHT = 24
BAR_HEIGHT = 16
BAR_COLOUR = BLUE


@dataclass(frozen=True)
class Bar:
    label: str  # in full (the <title> and the table)
    short: str  # as drawn
    count: int
    y: int
    width: int
    text_y: int
    count_x: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    colour: str
    bars: list[Bar]


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def bar_chart(rows: Iterable[Counted | tuple[str, int]]) -> BarChart:
    """One horizontal labelled bar per row, scaled to the largest count. A row is anything with
    ``label`` and ``count`` or a ``(label, count)`` pair: categories and histogram bins alike."""
    pairs = [
        (str(row[0]), int(row[1])) if isinstance(row, tuple) else (str(row.label), int(row.count))
        for row in rows
    ]
    largest = max((count for _label, count in pairs), default=0) or 1
    bars = []
    for index, (label, count) in enumerate(pairs):
        width = round(BAR_AREA * max(count, 0) / largest)
        y = index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) // 2
        bars.append(
            Bar(
                label=label,
                short=_short(label),
                count=count,
                y=y,
                width=width,
                text_y=y + BAR_HEIGHT - 3,
                count_x=LABEL_WIDTH + width + 6,
            )
        )
    return BarChart(
        width=LABEL_WIDTH + BAR_AREA + COUNT_WIDTH,
        height=ROW_HEIGHT * max(1, len(bars)),
        label_width=LABEL_WIDTH,
        colour=BAR_COLOUR,
        bars=bars,
    )


# --- lines over time --------------------------------------------------------------------------

WIDTH = 480
HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 12, 36
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM
MARKER = 3.5  # half the size of a marker

#: (colour, dash pattern, stroke width, marker) per series; the composite last and thickest.
STYLES = [
    (BLUE, "", 2.0, "square"),
    (VERMILLION, "6 4", 2.0, "triangle"),
    (GREEN, "2 3", 2.0, "diamond"),
    (PURPLE, "8 3 2 3", 2.0, "triangle-down"),
    (ORANGE, "4 2", 2.0, "cross"),
]
COMPOSITE_STYLE = (BLACK, "", 3.5, "circle")


def marker_path(shape: str, x: float, y: float, r: float = MARKER) -> str:
    """An SVG path drawing ``shape`` centred on (x, y)."""
    if shape == "square":
        return f"M{x - r:g} {y - r:g}h{2 * r:g}v{2 * r:g}h{-2 * r:g}Z"
    if shape == "triangle":
        return f"M{x:g} {y - r - 1:g}l{r + 1:g} {2 * r + 1:g}h{-2 * r - 2:g}Z"
    if shape == "triangle-down":
        return f"M{x:g} {y + r + 1:g}l{r + 1:g} {-2 * r - 1:g}h{-2 * r - 2:g}Z"
    if shape == "diamond":
        d = r + 1
        return f"M{x:g} {y - d:g}l{d:g} {d:g}l{-d:g} {d:g}l{-d:g} {-d:g}Z"
    if shape == "cross":
        a, b = r, r / 3
        return (
            f"M{x - b:g} {y - a:g}h{2 * b:g}v{a - b:g}h{a - b:g}v{2 * b:g}h{b - a:g}"
            f"v{a - b:g}h{-2 * b:g}v{b - a:g}h{b - a:g}v{-2 * b:g}h{a - b:g}Z"
        )
    return f"M{x - r:g} {y:g}a{r:g} {r:g} 0 1 0 {2 * r:g} 0a{r:g} {r:g} 0 1 0 {-2 * r:g} 0Z"


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    d: str
    title: str


@dataclass
class Series:
    label: str
    colour: str
    dash: str
    width: float
    marker: str
    segments: list[str] = field(default_factory=list)  # "x,y x,y ..." per unbroken run
    markers: list[Marker] = field(default_factory=list)

    @property
    def legend_marker(self) -> str:
        return marker_path(self.marker, 18, 6)


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class DateLabel:
    x: float
    label: str


@dataclass(frozen=True)
class LineChart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    axis: list[Tick] = field(default_factory=list)
    first: DateLabel | None = None
    last: DateLabel | None = None  # None when there is one date only
    series: list[Series] = field(default_factory=list)


def _y(value: Decimal | float) -> float:
    """A value of the scale [0, 1] to its height (outside values are held at the edge)."""
    clamped = min(1.0, max(0.0, float(value)))
    return round(TOP + (1 - clamped) * PLOT_H, 1)


def line_chart(
    dates: Sequence[datetime.date],
    series: Sequence[tuple[str, Sequence[Decimal | float | None], bool]],
) -> LineChart:
    """Lines of scores from 0 to 1 over ``dates``. ``series``: (label, one value or None per
    date, is the composite). A missing value breaks the line (a gap, not a guess)."""
    if not dates:
        return LineChart()
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
            colour, dash, width, shape = COMPOSITE_STYLE
        else:
            colour, dash, width, shape = STYLES[others % len(STYLES)]
            others += 1
        line = Series(label, colour, dash, width, shape)
        run: list[str] = []
        for day, value in zip(dates, values, strict=True):
            if value is None:
                if run:
                    line.segments.append(" ".join(run))
                run = []
                continue
            px, py = x(day), _y(value)
            run.append(f"{px},{py}")
            line.markers.append(
                Marker(px, py, marker_path(shape, px, py), f"{label} {day:%Y-%m-%d}: {value}")
            )
        if run:
            line.segments.append(" ".join(run))
        drawn.append(line)
    return LineChart(
        axis=[Tick(_y(tick / 4), f"{tick / 4:.2f}") for tick in range(5)],
        first=DateLabel(x(first), f"{first:%Y-%m-%d}"),
        last=DateLabel(x(last), f"{last:%Y-%m-%d}") if span else None,
        series=drawn,
    )
