"""The cost-over-time chart as inline SVG markup.

Pure. Points are the monthly cost after each priced apply (a step line:
the cost holds until the next apply); the budget, when the project has one,
is a dashed line, and the area above it is tinted. No script, no style
attributes: it renders under a strict Content-Security-Policy.
Every text in the markup is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from .queries import CostPoint

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 32


def _money(value: float) -> str:
    return f"${value:,.2f}"


def cost_chart(points: Sequence[CostPoint], budget: float | None, *, now: datetime, title: str) -> str:
    """SVG markup, or a sentence saying there is nothing priced to draw."""
    if not points:
        return '<p class="unknown">No priced apply yet: the cost of this project is unknown.</p>'
    start = points[0].at
    end = max(now, points[-1].at)
    span = max((end - start).total_seconds(), 1.0)
    top_value = max([p.monthly_usd for p in points] + ([budget] if budget is not None else [])) or 1.0
    top_value *= 1.15

    def x(at: datetime) -> float:
        return LEFT + (at - start).total_seconds() / span * (WIDTH - LEFT - RIGHT)

    def y(value: float) -> float:
        return TOP + (1 - value / top_value) * (HEIGHT - TOP - BOTTOM)

    path = [f"M{x(points[0].at):.1f},{y(points[0].monthly_usd):.1f}"]
    for point in points[1:]:
        path.append(f"H{x(point.at):.1f}V{y(point.monthly_usd):.1f}")
    path.append(f"H{x(end):.1f}")
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" stroke="#888"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#888"/>',
    ]
    for fraction in (0.0, 0.5, 1.0):
        value = top_value / 1.15 * fraction
        parts.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11" fill="#555">'
                     f"{escape(_money(value))}</text>")
    if budget is not None:
        by = y(budget)
        parts.append(f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}" height="{max(by - TOP, 0):.1f}" '
                     'fill="#d33" fill-opacity="0.06"/>')
        parts.append(f'<line class="budget" x1="{LEFT}" y1="{by:.1f}" x2="{WIDTH - RIGHT}" y2="{by:.1f}" '
                     'stroke="#d33" stroke-dasharray="6 4"/>')
        parts.append(f'<text x="{WIDTH - RIGHT}" y="{by - 4:.1f}" text-anchor="end" font-size="11" fill="#d33">'
                     f"budget {escape(_money(budget))}/mo</text>")
    parts.append(f'<path class="cost" d="{" ".join(path)}" fill="none" stroke="#2563eb" stroke-width="2"/>')
    for point in points:
        label = f"{point.at:%Y-%m-%d %H:%M} UTC: {_money(point.monthly_usd)}/mo"
        parts.append(f'<circle cx="{x(point.at):.1f}" cy="{y(point.monthly_usd):.1f}" r="4" fill="#2563eb">'
                     f"<title>{escape(label)}</title></circle>")
    parts.append(f'<text x="{LEFT}" y="{HEIGHT - 10}" font-size="11" fill="#555">{escape(f"{start:%Y-%m-%d}")}</text>')
    parts.append(f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 10}" text-anchor="end" font-size="11" fill="#555">'
                 f"{escape(f'{end:%Y-%m-%d}')}</text>")
    parts.append("</svg>")
    return "".join(parts)
