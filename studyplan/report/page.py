"""The report as one self-contained HTML page: inline SVG and CSS, nothing fetched,
readable in light and dark mode, fit to print. Well-formed XML throughout (every tag
closed, every text escaped), so an XML parser can check it. Pure."""

from __future__ import annotations

from xml.sax.saxutils import escape

from studyplan import clock
from studyplan.report import svg
from studyplan.report.data import STATES, Report

CSS = """
:root { color-scheme: light dark; --ink: #1f2328; --paper: #ffffff; --muted: #656d76;
  --l0: #ebedf0; --l1: #9be9a8; --l2: #40c463; --l3: #30a14e; --l4: #216e39;
  --bar: #4c78a8; --line: #e45756; }
@media (prefers-color-scheme: dark) {
  :root { --ink: #e6edf3; --paper: #0d1117; --muted: #8b949e;
    --l0: #161b22; --l1: #0e4429; --l2: #006d32; --l3: #26a641; --l4: #39d353; } }
body { font: 14px/1.4 system-ui, sans-serif; color: var(--ink); background: var(--paper);
  max-width: 1100px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; }
.muted, .label { color: var(--muted); fill: var(--muted); font-size: 9px; }
.heat.l0 { fill: var(--l0); } .heat.l1 { fill: var(--l1); } .heat.l2 { fill: var(--l2); }
.heat.l3 { fill: var(--l3); } .heat.l4 { fill: var(--l4); }
.bar { fill: var(--bar); } .axis { stroke: var(--muted); }
.target { stroke: var(--line); stroke-dasharray: 4 3; }
.edge { stroke: var(--muted); stroke-opacity: 0.45; }
.node { stroke: none; } .node.credited { stroke: var(--ink); stroke-width: 1.5; }
.not-yet { fill: #c9ced6; } .new { fill: #8fb8e8; } .learning { fill: #f2c744; }
.mature { fill: #40c463; } .due { fill: #f58518; } .overdue { fill: #e45756; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 12px; }
th, td { border-bottom: 1px solid var(--l0); padding: 2px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
details summary { cursor: pointer; color: var(--muted); }
.scroll { overflow-x: auto; }
@media print { body { margin: 0; max-width: none; } details { display: block; }
  details > * { display: block; } h2 { break-after: avoid; } svg { break-inside: avoid; } }
"""


def _table(head: list[str], rows: list[list[str]], caption: str) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return (
        f"<details><summary>The numbers</summary><table><caption>{escape(caption)}</caption>"
        f"<thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table></details>"
    )


def html(report: Report) -> str:
    day = report.day
    studied_days = [c for c in report.heatmap if c[1]]
    minutes = sum(c[2] for c in report.heatmap)
    parts = [
        "<!DOCTYPE html>",
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        f"<title>{escape(report.title)} · studyplan report</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="muted">Roadmap {escape(report.roadmap)} · as of '
        f"{escape(clock.fmt_day(day))} {day.year} · made by studyplan</p>",
        "<h2>Study, the last twelve months</h2>",
        f"<p>{len(studied_days)} study days, {minutes} min · streak: {report.streak} days</p>",
        f'<div class="scroll">{svg.heatmap(report.heatmap)}</div>',
        _table(
            ["day", "reviews", "minutes"],
            [[d.isoformat(), str(r), str(m)] for d, r, m in report.heatmap if r],
            "study days: reviews and minutes",
        ),
        "<h2>Knowledge map</h2>",
        '<p class="muted">'
        + " · ".join(
            f'<svg width="10" height="10"><circle class="{s}" cx="5" cy="5" r="5"/></svg> {s}'
            for s in STATES
        )
        + " · a ring: credited by related study</p>",
        _map(report),
        _table(
            ["topic", "section", "state", "credited"],
            [
                [
                    n.title,
                    "-" if n.section is None else str(n.section),
                    n.state,
                    "yes" if n.credited else "no",
                ]
                for n in report.nodes
            ],
            "topics and their state",
        ),
        "<h2>Progress by section</h2>",
        _progress(report),
        "<h2>Forecast, the next 30 days</h2>",
        svg.forecast(report.forecast, report.budget),
        _table(
            ["day", "reviews", "minutes"],
            [[d.day.isoformat(), str(d.reviews), str(d.minutes)] for d in report.forecast],
            "reviews and expected minutes falling due",
        ),
        "<h2>True retention by month</h2>",
        '<p class="muted">Share of reviews (after a topic\'s first session) not rated '
        f"again, against the desired retention of {report.desired:.0%}.</p>",
        svg.retention(report.retention, report.desired),
        _table(
            ["month", "reviews", "recalled", "share"],
            [
                [m.month, str(m.reviews), str(m.passed), f"{m.retention:.1%}"]
                for m in report.retention
            ],
            "true retention by month",
        ),
        "<h2>Stability</h2>",
        svg.bars(
            [(name, float(n)) for name, n in report.stability],
            label="studied topics by stability",
            unit="topics",
        ),
        _table(
            ["stability", "topics"],
            [[name, str(n)] for name, n in report.stability],
            "studied topics by stability",
        ),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


COLLAPSE = 150  # topics from which the map is drawn a section at a time, folded


def _map(report: Report) -> str:
    """The whole map, or for a big roadmap one folded map per section (each with the
    links inside it), so that five hundred topics stay legible."""
    if len(report.nodes) <= COLLAPSE:
        return f'<div class="scroll">{svg.knowledge_map(report.nodes, report.edges)}</div>'
    sections = sorted({n.section for n in report.nodes}, key=lambda s: (s is None, s or 0))
    parts = ['<p class="muted">A big roadmap: one map per section (links between sections '
             "are counted, not drawn).</p>"]  # fmt: skip
    names = {s.number: s.title for s in report.sections}
    for section in sections:
        inside = [n for n in report.nodes if n.section == section]
        ids = {n.id for n in inside}
        links = [e for e in report.edges if e[0] in ids and e[1] in ids]
        across = sum(1 for e in report.edges if (e[0] in ids) != (e[1] in ids))
        counts = ", ".join(
            f"{sum(1 for n in inside if n.state == state)} {state}"
            for state in STATES
            if any(n.state == state for n in inside)
        )
        title = f"§{section} {names.get(section, '')}" if section is not None else "§-"
        parts.append(
            f'<details class="section" data-section="{escape(str(section))}"><summary>'
            f"{escape(title.strip())}: {len(inside)} topics ({escape(counts)}; "
            f"{across} links to other sections)</summary>"
            f'<div class="scroll">{svg.knowledge_map(inside, links)}</div></details>'
        )
    return "".join(parts)


def _progress(report: Report) -> str:
    rows = []
    for s in report.sections:
        name = f"§{s.number} {s.title}" if s.number is not None else s.title
        share = s.studied / s.total if s.total else 0.0
        rows.append(
            "<tr>"
            f"<td>{escape(name)}</td><td>{s.studied}/{s.total}</td><td>{s.mature}</td>"
            f'<td><svg width="120" height="10"><rect class="heat l0" width="120" height="10"/>'
            f'<rect class="heat l3" width="{120 * share:.1f}" height="10"/></svg></td>'
            "</tr>"
        )
    return (
        "<table><caption>studied and mature topics per section</caption><thead><tr>"
        "<th>section</th><th>studied</th><th>mature</th><th></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
