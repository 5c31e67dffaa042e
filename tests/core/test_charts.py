"""The one chart mechanism (wayhome.core.charts and its templates): bars scale to the largest
count, empty charts draw nothing, missing values break a line, scores stay inside the plot,
and the SVG has a role, a title and no inline style (the CSP)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string

from wayhome.core import charts

DAY = datetime.date(2025, 1, 1)


@dataclass
class Row:
    label: str
    count: int


def test_bars_scale_to_the_largest_count() -> None:
    chart = charts.bar_chart([Row("a", 5), Row("b", 10), Row("c", 0)])
    widths = [bar.width for bar in chart.bars]
    assert widths == [round(charts.BAR_AREA / 2), charts.BAR_AREA, 0]
    assert [bar.label for bar in chart.bars] == ["a", "b", "c"]
    # Every bar and its count inside the drawing, one row below another.
    assert all(bar.count_x < chart.width for bar in chart.bars)
    assert [bar.y for bar in chart.bars] == sorted({bar.y for bar in chart.bars})
    assert chart.bars[-1].y + charts.BAR_HEIGHT <= chart.height


def test_bars_take_label_count_pairs_and_cut_long_labels() -> None:
    long = "A category with a very long name indeed"
    chart = charts.bar_chart([("[0, 0.2)", 1), (long, 4)])
    assert [bar.width for bar in chart.bars] == [round(charts.BAR_AREA / 4), charts.BAR_AREA]
    assert chart.bars[1].label == long
    assert len(chart.bars[1].short) == charts.LABEL_CHARS
    assert chart.bars[1].short.endswith("…")


def test_an_empty_bar_chart() -> None:
    chart = charts.bar_chart([])
    assert chart.bars == []
    assert chart.height > 0
    zeros = charts.bar_chart([Row("a", 0), Row("b", 0)])  # no division by zero
    assert [bar.width for bar in zeros.bars] == [0, 0]


def test_an_empty_line_chart() -> None:
    chart = charts.line_chart([], [])
    assert chart.series == []
    assert chart.first is None
    html = render_to_string(
        "includes/charts/line_chart.html", {"chart": chart, "chart_id": "x", "title": "T"}
    )
    assert "<polyline" not in html
    assert "chart-legend" not in html


def test_a_missing_value_breaks_the_line() -> None:
    dates = [DAY + datetime.timedelta(days=n) for n in range(5)]
    values = [Decimal("0.1"), Decimal("0.2"), None, Decimal("0.4"), Decimal("0.5")]
    chart = charts.line_chart(dates, [("Economic", values, False)])
    (line,) = chart.series
    assert len(line.segments) == 2
    assert [len(segment.split()) for segment in line.segments] == [2, 2]
    assert len(line.markers) == 4  # no marker for the gap
    leading = charts.line_chart(dates[:2], [("x", [None, Decimal("1")], False)])
    assert len(leading.series[0].segments) == 1


def test_scores_in_zero_to_one_map_inside_the_plot() -> None:
    dates = [DAY, DAY + datetime.timedelta(days=30), DAY + datetime.timedelta(days=90)]
    chart = charts.line_chart(
        dates,
        [
            ("low", [Decimal(0), Decimal("0.5"), Decimal(1)], False),
            ("all", [Decimal(1), Decimal("0.25"), Decimal(0)], True),
        ],
    )
    for line in chart.series:
        for marker in line.markers:
            assert chart.left <= marker.x <= chart.right
            assert chart.top <= marker.y <= chart.bottom
    low = chart.series[0].markers
    assert low[0].y == chart.bottom  # 0 at the bottom, 1 at the top
    assert low[2].y == chart.top
    assert low[0].x == chart.left
    assert low[2].x == chart.right
    assert low[0].y > low[1].y > low[2].y
    # Out of range values are held at the edge rather than drawn outside.
    wild = charts.line_chart([DAY], [("w", [Decimal("1.7")], False)])
    assert wild.series[0].markers[0].y == chart.top


def test_series_differ_by_colour_and_by_dash_or_marker() -> None:
    dates = [DAY]
    series = [(f"s{n}", [Decimal("0.5")], False) for n in range(4)]
    chart = charts.line_chart(dates, [*series, ("composite", [Decimal("0.5")], True)])
    looks = {(line.colour, line.dash, line.marker) for line in chart.series}
    assert len({colour for colour, _d, _m in looks}) == 5
    assert len({(dash, marker) for _c, dash, marker in looks}) == 5
    composite = chart.series[-1]
    assert composite.width > max(line.width for line in chart.series[:-1])


def test_the_templates_have_a_role_and_a_title_and_no_style() -> None:
    bars = render_to_string(
        "includes/charts/bar_chart.html",
        {"chart": charts.bar_chart([Row("Tëst <b>", 3)]), "chart_id": "c1", "title": "Bars"},
    )
    dates = [DAY, DAY + datetime.timedelta(days=3)]
    lines = render_to_string(
        "includes/charts/line_chart.html",
        {
            "chart": charts.line_chart(dates, [("x", [Decimal("0.25"), None], True)]),
            "chart_id": "c2",
            "title": "Lines",
        },
    )
    for html, chart_id, title in ((bars, "c1", "Bars"), (lines, "c2", "Lines")):
        assert 'role="img"' in html
        assert f'aria-labelledby="{chart_id}-title"' in html
        assert f'<title id="{chart_id}-title">{title}</title>' in html
        assert "style=" not in html
        assert "<script" not in html
    assert "Tëst &lt;b&gt;" in bars  # labels escaped
    assert re.search(r'<path d="M[^"]+" fill="#000000"><title>x 2025-01-01: 0.25', lines)
