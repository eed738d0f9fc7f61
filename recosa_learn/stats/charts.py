"""Charts as server-rendered SVG: readable without JavaScript, printable, accessible.

No maintained chart library is installed (pygal is not available), so this is a deliberately small renderer of
the three charts a coordinator puts in a report: a line (completions per month), sorted horizontal bars
(completion rate per municipality) and stacked horizontal bars (progress by sex or age band). Each SVG carries a
``<title>`` and a ``<desc>`` (named by ``aria-labelledby``); the page shows the data table beside it. Colours are
presentation attributes (the CSP forbids inline styles) chosen to stay distinct in greyscale print.
"""
from __future__ import annotations

from collections.abc import Sequence
from itertools import count

from markupsafe import Markup, escape

PALETTE = ("#1b5e7a", "#e3a33b", "#b8c7d1", "#7a3b69", "#4f8a3c")
INK = "#222"
GRID = "#ccc"
_ids = count(1)


def _frame(width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    n = next(_ids)
    return Markup(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-{n}-title chart-{n}-desc" font-family="sans-serif" font-size="12">'
        f'<title id="chart-{n}-title">{escape(title)}</title><desc id="chart-{n}-desc">{escape(desc)}</desc>'
        + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", size: int | None = None) -> str:
    extra = f' font-size="{size}"' if size else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{INK}"{extra}>{escape(text)}</text>'


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000):
        if value <= step * 4:
            return step * 4
    return value


def line_chart(title: str, desc: str, points: Sequence[tuple[str, float | None]], *, width: int = 640,
               height: int = 260) -> Markup:
    """A line over labelled points; None values (withheld) break the line."""
    left, right, top, bottom = 44, 12, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max([v for _l, v in points if v is not None] or [0]))
    body: list[str] = []
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, f"{top_value * i / 4:g}", "end"))
    step = plot_w / max(len(points) - 1, 1)
    segments: list[list[tuple[float, float]]] = [[]]
    for i, (label, value) in enumerate(points):
        x = left + step * i if len(points) > 1 else left + plot_w / 2
        if i % max(1, len(points) // 12 + (len(points) > 12)) == 0:
            body.append(_text(x, height - bottom + 16, label, "middle", 10))
        if value is None:
            segments.append([])
            continue
        y = top + plot_h - plot_h * value / top_value
        segments[-1].append((x, y))
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PALETTE[0]}"/>')
    for segment in segments:
        if len(segment) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
            body.append(f'<polyline points="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>')
    return _frame(width, height, title, desc, body)


def bar_chart(title: str, desc: str, bars: Sequence[tuple[str, float]], *, maximum: float = 100.0,
              unit: str = "%", width: int = 640) -> Markup:
    """Horizontal bars, in the order given (sort them before)."""
    label_w, bar_h, gap, top = 170, 18, 6, 8
    height = top * 2 + (bar_h + gap) * max(len(bars), 1)
    plot_w = width - label_w - 60
    body: list[str] = []
    for i, (label, value) in enumerate(bars):
        y = top + i * (bar_h + gap)
        w = plot_w * (value / maximum if maximum else 0)
        body.append(_text(label_w - 6, y + bar_h - 5, label[:28], "end"))
        body.append(f'<rect x="{label_w}" y="{y}" width="{max(w, 0):.1f}" height="{bar_h}" fill="{PALETTE[0]}"/>')
        body.append(_text(label_w + w + 4, y + bar_h - 5, f"{value:g}{unit}"))
    return _frame(width, height, title, desc, body)


def stacked_bars(title: str, desc: str, categories: Sequence[tuple[str, Sequence[int | None]]],
                 series: Sequence[str], *, width: int = 640) -> Markup:
    """Horizontal bars split into segments (one per series), each bar scaled to its own total (100%).

    A category with a withheld segment is drawn as an empty outline: its shares cannot be shown.
    """
    label_w, bar_h, gap, top, legend_h = 170, 18, 6, 8, 26
    height = top * 2 + legend_h + (bar_h + gap) * max(len(categories), 1)
    plot_w = width - label_w - 20
    body: list[str] = []
    x = label_w
    for i, name in enumerate(series):
        body.append(f'<rect x="{x}" y="{top}" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>')
        body.append(_text(x + 16, top + 10, name))
        x += 24 + 7 * len(name)
    for i, (label, values) in enumerate(categories):
        y = top + legend_h + i * (bar_h + gap)
        body.append(_text(label_w - 6, y + bar_h - 5, label[:28], "end"))
        if any(v is None for v in values) or not sum(values):  # type: ignore[arg-type]
            body.append(f'<rect x="{label_w}" y="{y}" width="{plot_w}" height="{bar_h}" fill="none" '
                        f'stroke="{GRID}" stroke-dasharray="4 3"/>')
            continue
        total, offset = sum(values), 0.0  # type: ignore[arg-type]
        for j, value in enumerate(values):
            w = plot_w * value / total  # type: ignore[operator]
            body.append(f'<rect x="{label_w + offset:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                        f'fill="{PALETTE[j % len(PALETTE)]}"/>')
            offset += w
    return _frame(width, height, title, desc, body)
