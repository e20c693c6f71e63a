"""Cards, queues and plans as JSON values, CSV, an Obsidian note and iCalendar. Pure: every
function returns a value or a string; writing files is `store.py`'s job.

The iCalendar and front-matter libraries are imported inside the functions that use them,
so `today` never loads them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from studyplan import clock
from studyplan.errors import StudyplanError
from studyplan.graph import EdgeKind, Graph
from studyplan.model import Card, Roadmap
from studyplan.plan import Pace, Plan, iso_week
from studyplan.schedule import Entry, Queue

if TYPE_CHECKING:
    from studyplan.progress import ForecastDay


@dataclass(frozen=True, slots=True)
class NoteRef:
    """A card's note in the vault: its path and Obsidian URI, both None if the link
    has no note yet."""

    path: str | None
    uri: str | None


Notes = Mapping[str, NoteRef]
"""Card id → its note in the vault (empty without a vault)."""


def card_json(card: Card, ref: NoteRef | None = None) -> dict[str, Any]:
    return {
        "id": card.id,
        "title": card.title,
        "section": card.section,
        "section_title": card.section_title or None,
        "subsection": card.subsection,
        "kind": card.kind.value,
        "note": card.note,
        "anchor": card.anchor,
        "done": card.done,
        "skipped": card.skipped,
        "suspended": card.suspended,
        "mark": card.mark_char,
        "parent": card.parent,
        "line": card.line,
        "estimate": card.estimate,
        "description": card.description,
        "resources": [{"title": r.title, "url": r.url} for r in card.resources],
        "note_path": ref.path if ref else None,
        "uri": ref.uri if ref else None,
    }


def round4(value: float | None) -> float | None:
    """Figures in JSON: four decimals are plenty for probabilities and days."""
    return None if value is None else round(value, 4)


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def entry_json(entry: Entry, ref: NoteRef | None = None) -> dict[str, Any]:
    return {
        **card_json(entry.card, ref),
        "reason": "new" if entry.new else "due",
        "due": iso(entry.state.due),
        "retrievability": round4(entry.retrievability),
        "minutes": entry.minutes,
        "why": entry.why,
        "covers": [c.id for c in entry.covers],
        "pulled_forward": entry.pulled,
        "check_for": entry.check.id if entry.check else None,
        "unlocks": [c.id for c in entry.unlocks],
    }


def queue_json(q: Queue, notes: Notes | None = None) -> dict[str, Any]:
    notes = notes or {}
    return {
        "date": q.day.isoformat(),
        "reviews": [entry_json(e, notes.get(e.card.id)) for e in q.reviews],
        "new": [entry_json(e, notes.get(e.card.id)) for e in q.new],
        "minutes": q.minutes,
    }


@dataclass(frozen=True, slots=True)
class Meta:
    """What an exported plan says about itself."""

    roadmap: Roadmap
    generated: datetime
    zone: str  # IANA name of the learner's time zone
    study_start: time | None = None  # timed calendar blocks from this hour, else all-day
    notes: Notes = field(default_factory=dict)

    @property
    def note_name(self) -> str:
        """The roadmap's note name in the vault: its file name without `.md`."""
        return self.roadmap.source.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".md")


def _entries(q: Queue) -> list[tuple[str, Entry]]:
    return [("review", e) for e in q.reviews] + [("new", e) for e in q.new]


def plan_json(plan: Plan, meta: Meta) -> dict[str, Any]:
    return {
        "roadmap": meta.roadmap.title,
        "generated": meta.generated.isoformat(),
        "assume": plan.assume.label,
        "budget": plan.budget,
        "minutes": plan.minutes,
        "days": [queue_json(q, meta.notes) for q in plan.days],
    }


def plan_csv(plan: Plan) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["date", "kind", "id", "title", "section", "minutes"])
    for q in plan.days:
        for kind, e in _entries(q):
            section = "" if e.card.section is None else e.card.section
            writer.writerow([q.day.isoformat(), kind, e.card.id, e.card.title, section, e.minutes])
    return buffer.getvalue()


def _span(plan: Plan) -> str:
    first, last = plan.days[0].day, plan.days[-1].day
    return f"{clock.fmt_day(first)} – {clock.fmt_day(last)} {last.year}"


def wikilink(card: Card, meta: Meta) -> str:
    """The card's link as plan notes write it (its note, else its roadmap section)."""
    return _link(card, meta)


def _link(card: Card, meta: Meta) -> str:
    """A wikilink to the card's note, else to its section of the roadmap note."""
    alias = card.title.replace("|", "/").replace("]", ")").replace("[", "(")
    if card.note:
        return f"[[{card.note}{card.anchor or ''}|{alias}]]"
    heading = card.section_heading.replace("#", "").replace("|", "/").strip()
    target = f"{meta.note_name}#{heading}" if heading else meta.note_name
    return f"[[{target}|{alias}]]"


def _md_text(text: str) -> str:
    """Text safe inside a Markdown link's brackets."""
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def resource_lines(card: Card) -> str:
    """The card's links, one a line, for a calendar event's description."""
    return "".join(f"\n{r.title}: {r.url}" for r in card.resources)


def plan_markdown(plan: Plan, meta: Meta, pace: Pace | None = None) -> str:
    """An Obsidian note: front matter, a `## Mon 30 Nov` heading per day, checkboxes;
    with a goal date, its verdict as a callout."""
    import frontmatter

    from studyplan.ticks import marker

    first = plan.days[0].day
    year, week, _ = first.isocalendar()
    monday, sunday = iso_week(first)
    lines = [
        f"# Study plan · {_span(plan)}",
        "",
        f"From [[{meta.note_name}]] · {plan.topics} topics · about {plan.minutes} min, "
        f"assuming you rate them {plan.assume.label}.",
        "",
    ]
    if pace is not None:
        verdict = pace_lines(pace, meta.generated.date())
        lines += ["> [!info] " + verdict[0], *(f"> {line}" for line in verdict[1:]), ""]
    for q in plan.days:
        lines.append(f"## {clock.fmt_day(q.day)}")
        entries = _entries(q)
        if q.away:
            lines.append("On a break.")
        elif not entries:
            lines.append("Nothing planned.")
        for kind, e in entries:
            where = f"§{e.card.section} · " if e.card.section is not None else ""
            why = f" · {e.why}" if e.covers or e.check else ""
            # The hidden comment names the card, so a tick can be logged (ticks.py).
            lines.append(
                f"- [ ] {_link(e.card, meta)} · {kind} · {where}{e.minutes} min{why} "
                f"{marker(e.card.id)}"
            )
            lines += [f"    - [{_md_text(r.title)}](<{r.url}>)" for r in e.card.resources]
        if entries:
            lines.append(f"- Total: {q.minutes} min")
        lines.append("")
    metadata: dict[str, object] = {
        "title": f"Study plan {_span(plan)}",
        "week": f"{year}-W{week:02d}",
        "week_start": monday.isoformat(),
        "week_end": sunday.isoformat(),
        "generated": meta.generated.isoformat(),
        "roadmap": meta.note_name,
        "assume": plan.assume.label,
        "tags": ["studyplan"],
    }
    post = frontmatter.Post("\n".join(lines).rstrip() + "\n")
    post.metadata.update(metadata)
    return str(frontmatter.dumps(post, sort_keys=False)) + "\n"


def _uri_suffix(meta: Meta, card: Card) -> str:
    ref = meta.notes.get(card.id)
    return f" {ref.uri}" if ref and ref.uri else ""


def plan_ics(plan: Plan, meta: Meta) -> bytes:
    """One all-day event per day, or one timed block per topic from `study_start`.

    Importing a regenerated plan updates the events instead of adding copies: a day's
    event is named by the roadmap and the day (a day of the plan with nothing left on it
    is sent as cancelled), a topic's block by the roadmap, the card and which session of
    that card it is (the 3rd session of Linear Algebra keeps its UID when the plan moves
    it to another day). SEQUENCE grows with the moment of the export, so calendars take
    the newer version.
    """
    from zoneinfo import ZoneInfo

    from icalendar import Calendar, Event

    from studyplan.roadmap import slugify

    calendar = Calendar()
    calendar.add("prodid", "-//studyplan//studyplan//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Study plan: {meta.roadmap.title}")
    stamp = meta.generated.astimezone(ZoneInfo("UTC"))
    sequence = _sequence(meta.generated)
    domain = f"{slugify(meta.note_name)}.studyplan"
    zone = ZoneInfo(meta.zone)
    local_now = meta.generated.astimezone(zone)
    for q in plan.days:
        entries = _entries(q)

        if not entries:
            if meta.study_start is None:
                # Nothing left that day: a cancelled event replaces one imported before.
                event = _day_event(q.day, domain, stamp, sequence, "Study: nothing planned")
                event.add("status", "CANCELLED")
                event.add("transp", "TRANSPARENT")
                calendar.add_component(event)
            continue
        if meta.study_start is None:
            summary = f"Study: {len(entries)} topics (~{q.minutes} min)"
            event = _day_event(q.day, domain, stamp, sequence, summary)
            event.add(
                "description",
                "\n".join(
                    f"{kind}: {e.card.title} ({e.minutes} min)"
                    + _uri_suffix(meta, e.card)
                    + resource_lines(e.card)
                    for kind, e in entries
                ),
            )
            event.add("transp", "TRANSPARENT")
            calendar.add_component(event)
            continue
        begin = datetime.combine(q.day, meta.study_start, tzinfo=zone)
        if begin < local_now:  # today, after the study start: from the next quarter hour
            begin = _next_quarter(local_now)
        for kind, e in entries:
            end = begin + timedelta(minutes=e.minutes)
            event = Event()
            session = e.state.memory.reviewed + 1  # which session of this card it is
            event.add("uid", f"{e.card.id}-{session}@{domain}")
            event.add("dtstamp", stamp)
            event.add("sequence", sequence)
            event.add("dtstart", begin)
            event.add("dtend", end)
            event.add("summary", f"{e.card.title} ({kind})")
            ref = meta.notes.get(e.card.id)
            note = f"\nNote: [[{e.card.note}]]" if e.card.note else ""
            note += f"\n{ref.uri}" if ref and ref.uri else ""
            note += resource_lines(e.card)
            event.add("description", f"§{e.card.section} {e.card.section_title}{note}")
            calendar.add_component(event)
            begin = end
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _day_event(day: date, domain: str, stamp: datetime, sequence: int, summary: str) -> Any:
    """One all-day event for `day`, named by it (its UID is the day's)."""
    from icalendar import Event

    event = Event()
    event.add("uid", f"{day.isoformat()}@{domain}")
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    return event


def _sequence(generated: datetime) -> int:
    """Minutes since 2020 at the export: grows with every later export, with no state
    to keep (RFC 5545 asks only that a revision's SEQUENCE be larger)."""
    from zoneinfo import ZoneInfo

    epoch = datetime(2020, 1, 1, tzinfo=ZoneInfo("UTC"))
    return max(0, int((generated - epoch).total_seconds() // 60))


def _next_quarter(moment: datetime) -> datetime:
    """The next quarter hour at or after `moment` (seconds dropped)."""
    base = moment.replace(second=0, microsecond=0)
    if base < moment:
        base += timedelta(minutes=1)
    return base + timedelta(minutes=(-base.minute) % 15)


def forecast_png(rows: Sequence[ForecastDay], title: str) -> bytes:
    """The forecast as a PNG bar chart at 150 dpi (matplotlib, an optional extra)."""
    import io

    figure = forecast_figure(rows, title)
    from matplotlib import pyplot

    try:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=PNG_DPI)
    finally:
        pyplot.close(figure)
    return buffer.getvalue()


PNG_DPI = 150


def forecast_figure(rows: Sequence[ForecastDay], title: str) -> Any:
    """The chart a learner reads: one bar of reviews per day (whole-number ticks), its
    minutes written on it (no line drawn through empty days), days named as the terminal
    names them ("Mon 30 Nov"), weekends shaded, the first day marked as today, and a
    legend. The caller closes it."""
    try:
        import matplotlib
    except ImportError:
        raise StudyplanError(
            "--png needs matplotlib: pip install matplotlib (from a clone of studyplan: "
            "pip install '.[plot]')"
        ) from None
    matplotlib.use("Agg")
    from matplotlib import pyplot
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    figure, axes = pyplot.subplots(figsize=(10, 4))
    positions = list(range(len(rows)))
    today = rows[0].day if rows else None
    for x, row in zip(positions, rows, strict=True):
        if row.day.weekday() >= 5:
            axes.axvspan(x - 0.5, x + 0.5, color="#eeeeee", zorder=0)
    colours = ["#e45756" if r.day == today else "#4c78a8" for r in rows]
    bars = axes.bar(positions, [r.reviews for r in rows], color=colours, zorder=2)
    peak = max((r.reviews for r in rows), default=0)
    for bar, row in zip(bars, rows, strict=True):
        if row.reviews:
            axes.annotate(
                f"{row.minutes} min",
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize=8,
            )
    axes.set_xticks(positions)
    axes.set_xticklabels(
        [clock.fmt_day(r.day, today) for r in rows], rotation=45, ha="right", fontsize=8
    )
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max(1, peak) * 1.2)
    axes.set_ylabel("reviews due")
    axes.set_title(f"Reviews due · {title}")
    axes.legend(
        handles=[
            Patch(color="#e45756", label="today"),
            Patch(color="#4c78a8", label="reviews due (minutes on the bar)"),
            Patch(color="#eeeeee", label="weekend"),
        ],
        loc="upper right",
        fontsize=8,
    )
    figure.tight_layout()
    return figure


def pace_lines(pace: Pace, today: date) -> list[str]:
    """A goal date's verdict, in three lines at most."""
    goal = f"{clock.fmt_day(pace.by)} {pace.by.year}"
    if not pace.remaining:
        return [f"Every topic is already introduced; nothing left to pace by {goal}."]
    lines = [
        f"Goal: the {pace.remaining} remaining topics introduced by {goal} "
        f"({pace.days} study days; at least {pace.floor} a day)."
    ]
    if pace.on_track:
        assert pace.finished is not None
        slower = pace.needed is not None and pace.needed < pace.current
        lines.append(
            f"On track: at {pace.current} new a day the last one comes on "
            f"{clock.fmt_day(pace.finished, today)}."
            + (f" {pace.needed} a day would do." if slower else "")
        )
        return lines
    lines.append(f"Behind: at {pace.current} new a day, {pace.introduced} of them by then.")
    if pace.needed is None:
        lines.append(
            f"Out of reach under this time budget: even without a new-topic limit only "
            f"{pace.reached} fit; raise --minutes (or daily_minutes) or move the date."
        )
    else:
        lines.append(
            f"Needs {pace.needed} new a day (new_per_day = {pace.needed}); the plan below "
            "is at that pace."
        )
    return lines


def pace_json(pace: Pace) -> dict[str, Any]:
    return {
        "by": pace.by.isoformat(),
        "remaining": pace.remaining,
        "days": pace.days,
        "new_per_day": pace.current,
        "introduced_by_then": pace.introduced,
        "finished": iso(pace.finished),
        "on_track": pace.on_track,
        "at_least_per_day": pace.floor,
        "needed_per_day": pace.needed,
    }


# --- the prerequisite graph ------------------------------------------------------------


def graph_json(roadmap: Roadmap, graph: Graph) -> dict[str, Any]:
    linked = {e.source for e in graph.edges} | {e.target for e in graph.edges}
    return {
        "roadmap": roadmap.title,
        "cards": [
            {"id": c.id, "title": c.title, "section": c.section}
            for c in roadmap.cards
            if c.id in linked
        ],
        "edges": [
            {
                "source": e.source,
                "target": e.target,
                "kind": e.kind.value,
                "weight": e.weight,
                "origin": e.origin,
            }
            for e in graph.edges
        ],
        "problems": list(graph.problems),
    }


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def graph_dot(roadmap: Roadmap, graph: Graph) -> str:
    """Graphviz: prerequisites point at what they lead to (solid); a topic points at
    its parts (dashed). Sections are clusters."""
    linked = {e.source for e in graph.edges} | {e.target for e in graph.edges}
    lines = [
        f"digraph {_dot_id(roadmap.title)} {{",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
    ]
    sections: dict[int | None, list[Card]] = {}
    for card in roadmap.cards:
        if card.id in linked:
            sections.setdefault(card.section, []).append(card)
    for number, cards in sections.items():
        indent = "  "
        if number is not None:
            lines.append(f"  subgraph cluster_{number} {{")
            lines.append(f"    label={_dot_id(f'{number}. {cards[0].section_title}')};")
            indent = "    "
        lines += [f"{indent}{_dot_id(c.id)} [label={_dot_id(c.title)}];" for c in cards]
        if number is not None:
            lines.append("  }")
    for e in graph.edges:
        if e.kind is EdgeKind.REQUIRES:
            lines.append(f'  {_dot_id(e.target)} -> {_dot_id(e.source)} [label="{e.weight:g}"];')
        else:
            lines.append(
                f"  {_dot_id(e.source)} -> {_dot_id(e.target)} "
                f'[style=dashed, label="part {e.weight:g}"];'
            )
    lines.append("}")
    return "\n".join(lines) + "\n"
