"""Small charts drawn on the server as inline SVG (no script, no external requests): matches
per day per watch or label as lines, and the places of recent matches as bars. Colours come from
the stylesheet (classes ``s0``..``s7``), so the content security policy needs no inline style."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

WIDTH, HEIGHT, LEFT, BOTTOM, TOP, RIGHT = 720, 220, 40, 24, 10, 10
MAX_SERIES = 8


@dataclass
class Series:
    name: str
    css: str
    points: str
    total: int


@dataclass
class LineChart:
    title: str
    days: list[str]
    series: list[Series]
    y_ticks: list[tuple[float, int]]  # (y pixel, value)
    x_ticks: list[tuple[float, str]]  # (x pixel, label)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: float = HEIGHT - BOTTOM


def day_range(weeks: int, today: date | None = None) -> list[str]:
    end = today or datetime.now(UTC).date()
    return [(end - timedelta(days=n)).isoformat() for n in range(weeks * 7 - 1, -1, -1)]


def _nice_max(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000):
        if value <= step * 4:
            return step * 4
    return value


def line_chart(title: str, days: list[str], rows: list[tuple[str, str, int]]) -> LineChart:
    """``rows``: (day, series name, count). The busiest series are drawn, the rest summed."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for day, name, n in rows:
        counts[name][day] = counts[name].get(day, 0) + n
    ranked = sorted(counts, key=lambda s: (-sum(counts[s].values()), s))
    if len(ranked) > MAX_SERIES:
        other: dict[str, int] = defaultdict(int)
        for name in ranked[MAX_SERIES - 1:]:
            for day, n in counts[name].items():
                other[day] += n
        ranked = [*ranked[: MAX_SERIES - 1], "other"]
        counts["other"] = dict(other)
    top = _nice_max(max([1] + [n for s in ranked for n in counts[s].values()]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM - TOP
    step = plot_w / max(1, len(days) - 1)
    x = lambda i: round(LEFT + i * step, 1)  # noqa: E731
    y = lambda n: round(TOP + plot_h * (1 - n / top), 1)  # noqa: E731
    series = [
        Series(name, f"s{k}", " ".join(f"{x(i)},{y(counts[name].get(d, 0))}"
                                       for i, d in enumerate(days)),
               sum(counts[name].get(d, 0) for d in days))
        for k, name in enumerate(ranked)
    ]
    y_ticks = [(y(top * f / 4), round(top * f / 4)) for f in range(5)]
    every = max(1, len(days) // 7)
    x_ticks = [(x(i), d[5:]) for i, d in enumerate(days) if i % every == 0]
    return LineChart(title, days, series, y_ticks, x_ticks)


@dataclass
class Bar:
    place_id: str
    name: str
    kind: str
    count: int
    width: float
    y: float


def bar_chart(rows: list[tuple[str, str, str, int]], width: int = 420) -> tuple[list[Bar], int]:
    """Horizontal bars for (place id, name, kind, count); returns the bars and the SVG height."""
    top = max([1] + [r[3] for r in rows])
    bars = [Bar(pid, name, kind, n, round(width * n / top, 1), 6 + 22 * i)
            for i, (pid, name, kind, n) in enumerate(rows)]
    return bars, 12 + 22 * len(rows)
