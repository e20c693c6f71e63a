"""The dashboard note: the report as an Obsidian note that renders without plugins.

Today's list as checkbox links (ticking one logs it, as in the weekly plan note: the same
front matter and hidden comments, `ticks.py`), progress bars in text, the knowledge map as
a Mermaid flowchart with a class per state, and the report's pictures as SVG files beside
the note, embedded with `![[…]]`. Pure: returns the note's text and the SVG files."""

from __future__ import annotations

import re
from datetime import date

from studyplan import clock
from studyplan.report import svg
from studyplan.report.data import STATES, Report
from studyplan.schedule import Queue
from studyplan.ticks import marker

COLOURS = {
    "not-yet": "#c9ced6",
    "new": "#8fb8e8",
    "learning": "#f2c744",
    "mature": "#40c463",
    "due": "#f58518",
    "overdue": "#e45756",
}


def _mermaid_id(card_id: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", card_id)


def _label(text: str) -> str:
    """A node label Mermaid reads literally."""
    return text.replace('"', "'").replace("[", "(").replace("]", ")")


def mermaid(report: Report) -> str:
    lines = ["```mermaid", "flowchart LR"]
    sections = sorted({n.section for n in report.nodes}, key=lambda s: (s is None, s or 0))
    for section in sections:
        name = f"§{section}" if section is not None else "§-"
        lines.append(f'  subgraph s{section if section is not None else "x"}["{name}"]')
        for node in report.nodes:
            if node.section == section:
                state = node.state.replace("-", "_")
                lines.append(f'    {_mermaid_id(node.id)}["{_label(node.title)}"]:::{state}')
        lines.append("  end")
    for source, target, _ in report.edges:
        lines.append(f"  {_mermaid_id(target)} --> {_mermaid_id(source)}")
    for state in STATES:
        lines.append(f"  classDef {state.replace('-', '_')} fill:{COLOURS[state]},color:#111")
    lines.append("```")
    return "\n".join(lines)


def note(
    report: Report, today: Queue, name: str, links: dict[str, str]
) -> tuple[str, dict[str, str]]:
    """(the note's text, {file name: SVG}) for a dashboard called `name`; `links` holds
    each listed card's wikilink, as the plan note writes it."""
    day = report.day
    files = {
        f"{name} heatmap.svg": svg.heatmap(report.heatmap),
        f"{name} forecast.svg": svg.forecast(report.forecast, report.budget),
        f"{name} retention.svg": svg.retention(report.retention, report.desired),
    }
    monday = date.fromordinal(day.toordinal() - day.weekday())
    lines = [
        "---",
        f"title: {name}",
        f"week_start: '{monday.isoformat()}'",
        f"generated: '{day.isoformat()}'",
        "tags: [studyplan]",
        "---",
        f"# {report.title}",
        "",
        f"As of {clock.fmt_day(day)} {day.year} · streak: {report.streak} days · "
        "rewritten by `studyplan report --format md`",
        "",
        f"## {clock.fmt_day(day)}",
    ]
    entries = [("review", e) for e in today.reviews] + [("new", e) for e in today.new]
    if not entries:
        lines.append("Nothing left to study today.")
    for kind, e in entries:
        link = links.get(e.card.id, e.card.title)
        lines.append(f"- [ ] {link} · {kind} · {e.minutes} min {marker(e.card.id)}")
    lines += ["", "## Progress", ""]
    for s in report.sections:
        title = f"§{s.number} {s.title}" if s.number is not None else s.title
        cells = round(20 * s.studied / s.total) if s.total else 0
        bar = "█" * cells + "░" * (20 - cells)
        lines.append(f"- `{bar}` {title}: {s.studied}/{s.total}, {s.mature} mature")
    lines += ["", "## Knowledge map", "", mermaid(report), ""]
    lines += ["## Study, the last twelve months", "", f"![[{name} heatmap.svg]]", ""]
    lines += ["## Forecast", "", f"![[{name} forecast.svg]]", ""]
    lines += ["## True retention by month", "", f"![[{name} retention.svg]]", ""]
    return "\n".join(lines), files
