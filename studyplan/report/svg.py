"""A few hundred lines of SVG instead of matplotlib: the report's pictures. Each function
takes plain values and returns one `<svg>` element as text, well-formed XML, coloured
by CSS classes (so light and dark mode and print are the page's business), with a
`<title>` on every mark for a tooltip. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from studyplan import clock
from studyplan.progress import ForecastDay
from studyplan.report.data import Month, Node

CELL = 12  # heatmap square, with its gap
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _svg(width: float, height: float, label: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label={quoteattr(label)} '
        f'viewBox="0 0 {width:g} {height:g}" width="{width:g}" height="{height:g}">'
        + "".join(body)
        + "</svg>"
    )


def level(minutes: int) -> int:
    """The heatmap's shade: 0 nothing, then up to 30, 60, 120 minutes, and more."""
    if minutes <= 0:
        return 0
    return 1 if minutes <= 30 else 2 if minutes <= 60 else 3 if minutes <= 120 else 4


def heatmap(cells: Sequence[tuple[date, int, int]]) -> str:
    """A contribution calendar: a column per week (Monday on top), a square per day."""
    if not cells:
        return _svg(0, 0, "no study yet", [])
    first = cells[0][0]
    offset = first.weekday()
    body = []
    months_seen: set[tuple[int, int]] = set()
    for n, (day, reviews, minutes) in enumerate(cells):
        column, row = (n + offset) // 7, (n + offset) % 7
        x, y = 30 + column * CELL, 16 + row * CELL
        tip = f"{clock.fmt_day(day)} {day.year}: {reviews} reviews, {minutes} min"
        body.append(
            f'<rect class="heat l{level(minutes)}" x="{x}" y="{y}" width="10" height="10" '
            f'rx="2" data-day="{day.isoformat()}" data-reviews="{reviews}" '
            f'data-minutes="{minutes}"><title>{escape(tip)}</title></rect>'
        )
        if day.day <= 7 and (day.year, day.month) not in months_seen and row == 0:
            months_seen.add((day.year, day.month))
            body.append(f'<text class="label" x="{x}" y="11">{MONTHS[day.month - 1]}</text>')
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
        body.append(f'<text class="label" x="0" y="{16 + row * CELL + 9}">{name}</text>')
    columns = (len(cells) + offset + 6) // 7
    return _svg(30 + columns * CELL, 16 + 7 * CELL, "review heatmap, minutes per day", body)


def bars(
    values: Sequence[tuple[str, float]],
    *,
    label: str,
    unit: str,
    line: float | None = None,
    line_label: str = "",
    percent: bool = False,
) -> str:
    """A bar per value, labelled below, with an optional horizontal line (a budget, a
    target); the scale leaves room above the larger of the two."""
    width, height, left, bottom = max(240, 24 * len(values) + 80), 190, 70, 50
    top = max([v for _, v in values] + [line or 0.0, 1.0]) * 1.15
    scale = (height - bottom - 10) / top
    body = [f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{width}" '
            f'y2="{height - bottom}"/>']  # fmt: skip
    for n, (name, value) in enumerate(values):
        x = left + 6 + n * 24
        h = value * scale
        shown = f"{value:.0%}" if percent else f"{value:g} {unit}"
        body.append(
            f'<rect class="bar" x="{x}" y="{height - bottom - h:.1f}" width="18" '
            f'height="{h:.1f}" data-label={quoteattr(name)} data-value="{value:g}">'
            f"<title>{escape(name)}: {escape(shown)}</title></rect>"
        )
        body.append(
            f'<text class="label" x="{x + 9}" y="{height - bottom + 12}" '
            f'text-anchor="end" transform="rotate(-45 {x + 9} {height - bottom + 12})">'
            f"{escape(name)}</text>"
        )
    if line is not None:
        y = height - bottom - line * scale
        body.append(
            f'<line class="target" x1="{left}" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" '
            f'data-value="{line:g}"><title>{escape(line_label)}</title></line>'
        )
        body.append(
            f'<text class="label" x="{left + 2}" y="{y - 3:.1f}">{escape(line_label)}</text>'
        )
    return _svg(width, height, label, body)


def forecast(days: Sequence[ForecastDay], budget: int | None) -> str:
    return bars(
        [(clock.fmt_day(d.day), float(d.minutes)) for d in days],
        label="expected minutes of reviews per day",
        unit="min",
        line=float(budget) if budget else None,
        line_label=f"budget {budget} min" if budget else "",
    )


def retention(months: Sequence[Month], desired: float) -> str:
    return bars(
        [(m.month, m.retention) for m in months],
        label="share of reviews recalled per month",
        unit="",
        line=desired,
        line_label=f"desired {desired:.0%}",
        percent=True,
    )


def knowledge_map(items: Sequence[Node], links: Sequence[tuple[str, str, float]]) -> str:
    """The prerequisite graph laid out by section: a column per section, its topics
    stacked in roadmap order, a line per link (wider for a heavier weight). Each topic
    is a dot coloured by its state; a ring marks one that received credit. Titles are
    the dots' tooltips, so five hundred topics stay legible."""
    sections = sorted({n.section for n in items}, key=lambda s: (s is None, s or 0))
    column = {s: i for i, s in enumerate(sections)}
    rows: dict[int | None, int] = {}
    where: dict[str, tuple[float, float]] = {}
    for node in items:
        row = rows.get(node.section, 0)
        rows[node.section] = row + 1
        where[node.id] = (40 + column[node.section] * 90, 30 + row * 16)
    height = 40 + 16 * max(rows.values(), default=1)
    width = 80 + 90 * max(len(sections), 1)
    body = []
    for source, target, weight in links:
        if source in where and target in where:
            (x1, y1), (x2, y2) = where[source], where[target]
            body.append(
                f'<line class="edge" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" '
                f'stroke-width="{0.5 + 2 * weight:.2f}" data-from={quoteattr(source)} '
                f"data-to={quoteattr(target)}/>"
            )
    for section in sections:
        name = f"§{section}" if section is not None else "§-"
        body.append(
            f'<text class="label" x="{40 + column[section] * 90 - 10}" y="14">{name}</text>'
        )
    for node in items:
        x, y = where[node.id]
        classes = f"node {node.state}" + (" credited" if node.credited else "")
        body.append(
            f'<circle class="{classes}" cx="{x}" cy="{y}" r="6" data-id={quoteattr(node.id)}>'
            f"<title>{escape(node.title)} ({node.state}"
            f"{', credited' if node.credited else ''})</title></circle>"
        )
    return _svg(width, height, "knowledge map: topics by section, coloured by state", body)
