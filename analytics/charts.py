"""Charts of the analytics pages as server-rendered SVG.

No JavaScript and no CDN: a chart is markup the page ships, so it shows with
scripts off, prints, and needs no CSP change. The SVG carries no ``style``
attribute (the CSP allows styles from our files only): colours come from
``series-N`` classes in ``static/css/analytics.css``. Every chart has a
title, axis labels and a legend, and the page renders the same numbers as a
table for screen readers (``Chart.rows``).

Only drawing lives here; the numbers come from ``analytics.selectors``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 16, 44
SERIES_CLASSES = 8  # series-0 … series-7 in analytics.css
MAX_X_TICKS = 8


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]
    css: str = ""


@dataclass
class Chart:
    """A chart: ``kind`` is ``line`` (one line per series), ``stacked`` (stacked areas,
    the cumulative flow) or ``bar`` (one series of bars)."""

    id: str
    title: str
    x_label: str
    y_label: str
    x_values: list[str]
    series: list[Series]
    kind: str = "line"
    svg: SafeString = field(init=False)

    def __post_init__(self) -> None:
        self.series = [
            Series(s.name, s.values, s.css or f"series-{index % SERIES_CLASSES}")
            for index, s in enumerate(self.series)
        ]
        self.svg = _render(self)

    @property
    def has_data(self) -> bool:
        return any(value for series in self.series for value in series.values)

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """The table equivalent: one row per x value, one cell per series."""
        return [
            (label, [_number(series.values[index]) for series in self.series])
            for index, label in enumerate(self.x_values)
        ]


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return formats.number_format(int(value), use_l10n=True, force_grouping=True)
    return formats.number_format(value, decimal_pos=1, use_l10n=True)


def _nice_max(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _x(index: int, count: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    if count <= 1:
        return LEFT + inner / 2
    return LEFT + inner * index / (count - 1)


def _y(value: float, top: float) -> float:
    inner = HEIGHT - TOP - BOTTOM
    return TOP + inner * (1 - value / top)


def _axes(chart: Chart, top: float, *, bars: bool = False) -> list[str]:
    parts = []
    bottom = HEIGHT - BOTTOM
    for fraction in (0, 0.5, 1):
        value = top * fraction
        y = _y(value, top)
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>'
            f'<text class="chart-tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(_number(value))}</text>"
        )
    count = len(chart.x_values)
    step = max(1, -(-count // MAX_X_TICKS))
    for index in range(0, count, step):
        x = _bar_center(index, count) if bars else _x(index, count)
        # The outermost labels of a line chart would overflow the plot: anchor them inside.
        anchor = "middle"
        if not bars and count > 1 and index == 0:
            anchor = "start"
        elif not bars and count > 1 and index == count - 1:
            anchor = "end"
        parts.append(
            f'<text class="chart-tick" x="{x:.1f}" y="{bottom + 16}" text-anchor="{anchor}">'
            f"{escape(chart.x_values[index])}</text>"
        )
    parts.append(
        f'<line class="chart-axis" x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}"/>'
        f'<line class="chart-axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}"/>'
        f'<text class="chart-axis-label" x="{(LEFT + WIDTH - RIGHT) / 2:.1f}" y="{HEIGHT - 6}" '
        f'text-anchor="middle">{escape(chart.x_label)}</text>'
        f'<text class="chart-axis-label" x="14" y="{(TOP + bottom) / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {(TOP + bottom) / 2:.1f})">{escape(chart.y_label)}</text>'
    )
    return parts


def _bar_center(index: int, count: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    return LEFT + inner * (index + 0.5) / max(count, 1)


def _lines(chart: Chart, top: float) -> list[str]:
    parts = []
    count = len(chart.x_values)
    for series in chart.series:
        points = [
            (_x(index, count), _y(value, top))
            for index, value in enumerate(series.values)
            if value is not None
        ]
        if not points:
            continue
        joined = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<polyline class="chart-line {series.css}" fill="none" points="{joined}">'
            f"<title>{escape(series.name)}</title></polyline>"
        )
        if len(points) == 1:
            x, y = points[0]
            parts.append(
                f'<circle class="chart-dot {series.css}" cx="{x:.1f}" cy="{y:.1f}" r="3"/>'
            )
    return parts


def _stacked(chart: Chart, top: float) -> list[str]:
    parts = []
    count = len(chart.x_values)
    below = [0.0] * count
    for series in chart.series:
        above = [below[i] + (series.values[i] or 0) for i in range(count)]
        upper = [(_x(i, count), _y(above[i], top)) for i in range(count)]
        lower = [(_x(i, count), _y(below[i], top)) for i in reversed(range(count))]
        joined = " ".join(f"{x:.1f},{y:.1f}" for x, y in upper + lower)
        parts.append(
            f'<polygon class="chart-area {series.css}" points="{joined}">'
            f"<title>{escape(series.name)}</title></polygon>"
        )
        below = above
    return parts


def _bars(chart: Chart, top: float) -> list[str]:
    parts = []
    count = len(chart.x_values)
    slot = (WIDTH - LEFT - RIGHT) / max(count, 1)
    series = chart.series[0]
    for index, value in enumerate(series.values):
        height = (HEIGHT - TOP - BOTTOM) * (value or 0) / top
        x = LEFT + slot * index + slot * 0.15
        parts.append(
            f'<rect class="chart-bar {series.css}" x="{x:.1f}" '
            f'y="{HEIGHT - BOTTOM - height:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}">'
            f"<title>{escape(chart.x_values[index])}: {escape(_number(value))}</title></rect>"
        )
    return parts


def _render(chart: Chart) -> SafeString:
    if chart.kind == "stacked":
        highest = max(
            (sum(s.values[i] or 0 for s in chart.series) for i in range(len(chart.x_values))),
            default=0,
        )
    else:
        highest = max((v or 0 for s in chart.series for v in s.values), default=0)
    top = _nice_max(highest)
    body = {"line": _lines, "stacked": _stacked, "bar": _bars}[chart.kind](chart, top)
    parts = [
        f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart.id}-title" data-series="{len(chart.series)}">'
        f'<title id="{chart.id}-title">{escape(chart.title)}</title>',
        *_axes(chart, top, bars=chart.kind == "bar"),
        *body,
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def week_label(week: datetime.date) -> str:
    return formats.date_format(week, "SHORT_DATE_FORMAT", use_l10n=True)


def sparkline(values: Sequence[float | None], *, width: int = 96, height: int = 24) -> SafeString:
    """A small decorative line of weekly values (the table cell next to it says the numbers)."""
    highest = max((value or 0 for value in values), default=0) or 1
    count = len(values)
    points = " ".join(
        f"{(width * index / (count - 1) if count > 1 else width / 2):.1f},"
        f"{(height - 2 - (height - 4) * (value or 0) / highest):.1f}"
        for index, value in enumerate(values)
    )
    return mark_safe(  # noqa: S308 - numbers only
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" aria-hidden="true" focusable="false">'
        f'<polyline class="chart-line series-0" fill="none" points="{points}"/></svg>'
    )
