"""Server-rendered SVG charts: no JavaScript, a title and description, and the numbers.

Each chart is a picture of a table that the page also prints, so nothing is only in the
picture. Bars carry their value in `data-value` and in a <title>, so tests (and curious
readers) can check the numbers against the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from tracker.models import PledgeStatus

WIDTH = 640
LABEL_WIDTH = 210
ROW = 30
BAR = 18
ORDER = (PledgeStatus.PLEDGED, PledgeStatus.PARTIAL, PledgeStatus.DECLINED, PledgeStatus.AWAITING)


@dataclass(frozen=True)
class BarRow:
    """One bar: its label and its counts per status."""

    label: str
    counts: dict[str, int]


def stacked_bars(chart_id: str, title: str, description: str, rows: Sequence[BarRow]) -> Markup:
    """Draw one horizontal bar per row, split by pledge status, each scaled to its total."""
    height = ROW * len(rows) + 34
    plot = WIDTH - LABEL_WIDTH - 10
    parts = [_open(chart_id, title, description, height)]
    for index, row in enumerate(rows):
        y = index * ROW + 6
        total = sum(row.counts.get(s, 0) for s in ORDER)
        parts.append(f'<g class="chart-row" data-label="{escape(row.label)}" data-total="{total}">')
        parts.append(
            f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{y + 13}" '
            f'text-anchor="end">{escape(_shorten(row.label))}</text>'
        )
        x = float(LABEL_WIDTH)
        for status in ORDER:
            value = row.counts.get(status, 0)
            width = plot * value / total if total else 0
            if value:
                parts.append(
                    f'<rect class="chart-{status.value}" x="{x:.1f}" y="{y}" width="{width:.1f}" '
                    f'height="{BAR}" data-status="{status.value}" data-value="{value}">'
                    f"<title>{escape(row.label)}: {escape(status.label)} {value}</title></rect>"
                )
            x += width
        parts.append("</g>")
    parts.append(_legend(ROW * len(rows) + 14))
    parts.append("</svg>")
    return _markup(parts)


def timeline(
    chart_id: str, title: str, description: str, points: Sequence[tuple[date, int]]
) -> Markup:
    """Draw a cumulative line: how many pledges there were at the end of each week."""
    height = 220
    left, bottom, top = 48, height - 28, 12
    parts = [_open(chart_id, title, description, height)]
    if not points:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{height / 2}" text-anchor="middle">'
            "No pledges yet</text></svg>"
        )
        return _markup(parts)
    peak = max(count for _, count in points) or 1
    step = (WIDTH - left - 12) / max(len(points) - 1, 1)
    coords = [
        (left + i * step, bottom - (bottom - top) * count / peak)
        for i, (_, count) in enumerate(points)
    ]
    parts.append(
        f'<line class="chart-axis" x1="{left}" y1="{bottom}" x2="{WIDTH - 12}" y2="{bottom}"/>'
    )
    parts.append(
        f'<text class="chart-label" x="{left - 6}" y="{top + 4}" text-anchor="end">{peak}</text>'
    )
    parts.append(
        f'<text class="chart-label" x="{left - 6}" y="{bottom}" text-anchor="end">0</text>'
    )
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    parts.append(f'<polyline class="chart-line" points="{path}"/>')
    for (day, count), (x, y) in zip(points, coords, strict=True):
        parts.append(
            f'<circle class="chart-point" cx="{x:.1f}" cy="{y:.1f}" r="3" '
            f'data-date="{day.isoformat()}" data-value="{count}">'
            f"<title>Week of {day.day} {day:%B %Y}: {count}</title></circle>"
        )
    first, last = points[0][0], points[-1][0]
    parts.append(
        f'<text class="chart-label" x="{left}" y="{height - 8}">{first.day} {first:%b %Y}</text>'
    )
    parts.append(
        f'<text class="chart-label" x="{WIDTH - 12}" y="{height - 8}" '
        f'text-anchor="end">{last.day} {last:%b %Y}</text>'
    )
    parts.append("</svg>")
    return _markup(parts)


def _markup(parts: list[str]) -> Markup:
    """Join the drawn parts into markup; every value interpolated into them was escaped."""
    svg = "".join(parts)
    return Markup(svg)  # noqa: S704  # nosec B704


def _open(chart_id: str, title: str, description: str, height: int) -> str:
    """Start an accessible SVG: named by its title, described by its description."""
    return (
        f'<svg class="chart" id="{escape(chart_id)}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
    )


def _legend(y: int) -> str:
    """Name each colour, so the chart reads without the table beside it."""
    parts = ['<g class="chart-legend">']
    x = LABEL_WIDTH
    for status in ORDER:
        parts.append(f'<rect class="chart-{status.value}" x="{x}" y="{y}" width="12" height="12"/>')
        parts.append(f'<text class="chart-label" x="{x + 16}" y="{y + 11}">{status.label}</text>')
        x += 16 + int(len(status.label) * 7.2) + 14
    parts.append("</g>")
    return "".join(parts)


def _shorten(label: str, limit: int = 30) -> str:
    """Keep long labels inside the label column (the full one is in the <title>)."""
    return label if len(label) <= limit else label[: limit - 1] + "…"
