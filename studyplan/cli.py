"""The command line: parse arguments, call `app`, format the result. The only click user.

Data goes to stdout, messages to stderr. A StudyplanError becomes one line on stderr and
its exit code (2 for bad input, 1 otherwise); nothing a learner can cause prints a
traceback.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from studyplan import __version__, clock
from studyplan.app import Study
from studyplan.config import CHECKS, HELP, Config
from studyplan.errors import RoadmapError, StudyplanError
from studyplan.memory import CardState
from studyplan.model import Card, Rating
from studyplan.schedule import Blocker, Entry, Queue
from studyplan.words import plural

if TYPE_CHECKING:
    from studyplan.export import NoteRef, Notes
    from studyplan.plan import Plan

F = TypeVar("F", bound=Callable[..., Any])
RATINGS = "again|hard|good|easy"


class _Failure(click.ClickException):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.exit_code = code  # type: ignore[misc]  # click declares it ClassVar; ours varies

    def show(self, file: Any = None) -> None:
        from studyplan.cells import safe

        click.echo(safe(f"studyplan: error: {self.format_message()}"), err=True)


class _Group(click.Group):
    """Translate the program's own errors, once, for every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            # One line, like every other error: what is wrong, and where to read more.
            where = error.ctx.command_path if error.ctx else "studyplan"
            hint = f" (see '{where} --help')"
            raise _Failure(error.format_message() + hint, error.exit_code) from None
        except StudyplanError as error:
            raise _Failure(str(error), error.exit_code) from None
        except BrokenPipeError:
            # `studyplan topics | head`: the reader left; say nothing more.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            _recorded_anyway("the reader of the output left")
            raise SystemExit(1) from None
        except UnicodeEncodeError as error:
            _recorded_anyway(
                f"the terminal's encoding cannot show {error.object[error.start : error.end]!r}"
            )
            raise _Failure(
                f"the output cannot be encoded as {error.encoding} "
                f"({error.object[error.start : error.end]!r}); set PYTHONIOENCODING=utf-8",
                1,
            ) from None
        except OSError as error:
            where = f" {error.filename}" if error.filename else ""
            if error.filename is None:
                _recorded_anyway(error.strerror or str(error))
            raise _Failure(f"cannot access{where}: {error.strerror or error}", 1) from None


def _recorded_anyway(reason: str) -> None:
    """If this command already appended to the log, its work is done: say so and exit 0,
    so that a failed output never invites logging the same session twice."""
    from studyplan.store import APPENDED

    if not APPENDED:
        return
    with contextlib.suppress(OSError, UnicodeError):
        click.echo(
            f"studyplan: warning: recorded in {APPENDED[-1].name}, but the output could not "
            f"be written ({reason}); do not log it again",
            err=True,
        )
    raise SystemExit(0)


def _color() -> bool | None:
    """NO_COLOR (no-color.org) wins; FORCE_COLOR colours a pipe too; else click decides
    (colour on a terminal only)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    return None


def terminal_columns() -> int | None:
    """The terminal's width when stdout is one; None for a pipe or a file, which get the
    full text."""
    if not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().columns


def title_limit() -> int | None:
    """At most how wide a title column may be: half the terminal, so that what follows
    a title still fits on the line; unlimited off a terminal."""
    columns = terminal_columns()
    return None if columns is None else max(20, columns // 2)


def out(text: str = "") -> None:
    """Print to stdout; on a terminal, every line is cut to its width (in cells)."""
    from studyplan.cells import safe

    text = safe(text)
    columns = terminal_columns()
    if columns is not None:
        from studyplan.cells import clip

        text = "\n".join(clip(line, columns) for line in text.split("\n"))
    click.echo(text, color=_color())


def warn_plain(text: str) -> None:
    """A line on stderr that is news, not a warning (stdout stays the command's own)."""
    from studyplan.cells import safe

    click.echo(safe(text), err=True, color=_color())


def warn(text: str) -> None:
    from studyplan.cells import safe

    click.echo(safe(f"studyplan: warning: {text}"), err=True, color=_color())


def style(text: str, **kwargs: Any) -> str:
    return text if os.environ.get("NO_COLOR") else click.style(text, **kwargs)


def _study(ctx: click.Context) -> Study:
    study = ctx.find_object(Study)
    assert study is not None
    if not study.ticks_checked:
        study.ticks_checked = True
        if ctx.command.name not in _NO_PICK_UP and study.vault_root is not None:
            _pick_up_ticks(study)
    return study


# Commands that only look at or set up the home: they log no ticked boxes.
_NO_PICK_UP = {"config", "set", "get", "unset", "path", "init", "doctor", "import"}


def _pick_up_ticks(study: Study) -> None:
    """Boxes ticked in plan notes are logged before the command looks at the log."""
    from studyplan.ticks import pick_up

    for path, count in pick_up(study):
        root = study.vault_root
        shown = path.relative_to(root) if root is not None and path.is_relative_to(root) else path
        warn_plain(f"Logged {plural(count, 'review')} ticked in {shown}.")


def _flush_warnings(study: Study) -> None:
    for message in study.warnings:
        warn(message)
    study.warnings.clear()


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(func)


def _dump(value: Any) -> None:
    import json
    import re

    text = json.dumps(value, indent=2, ensure_ascii=False)
    # JSON escapes C0 controls itself; escape DEL, C1 and the bidirectional overrides too,
    # so no value can drive a terminal that shows the JSON.
    text = re.sub(
        "[\x7f-\x9f\u202a-\u202e\u2066-\u2069]", lambda m: f"\\u{ord(m.group()):04x}", text
    )
    click.echo(text)


# --- JSON shapes -----------------------------------------------------------------------


def status(state: CardState, today: date, locked: bool) -> str:
    card = state.card
    if card.suspended:
        return "suspended"
    if card.skipped:
        return "skipped"
    if state.studied:
        if state.due is None:
            return "done"  # a resource, read once
        return "due" if state.due <= today else "scheduled"
    if card.done:
        return "done"
    return "locked" if locked else "new"


# --- the group -------------------------------------------------------------------------


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    envvar="STUDYPLAN_HOME",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder with studyplan.toml and the review log [env STUDYPLAN_HOME; "
    "default: the platform's user data folder].",
)
@click.option(
    "--roadmap",
    envvar="STUDYPLAN_ROADMAP",
    type=click.Path(dir_okay=True, path_type=Path),
    help="Roadmap Markdown file [env STUDYPLAN_ROADMAP; default: config, else the bundled "
    "Machine Learning roadmap].",
)
@click.option(
    "--now",
    envvar="STUDYPLAN_NOW",
    metavar="ISO-8601",
    help="Act as if it were this moment (local time unless it has an offset) [env STUDYPLAN_NOW].",
)
@click.option(
    "--vault",
    envvar="STUDYPLAN_VAULT",
    type=click.Path(file_okay=False, path_type=Path),
    help="Your Obsidian vault: links resolve to its notes [env STUDYPLAN_VAULT; default: config].",
)
@click.version_option(__version__, prog_name="studyplan")
@click.pass_context
def cli(
    ctx: click.Context,
    home: Path | None,
    roadmap: Path | None,
    now: str | None,
    vault: Path | None,
) -> None:
    """Study a Markdown roadmap with spaced repetition (FSRS).

    \b
    Every morning:   studyplan today
    After a topic:   studyplan review "Linear Algebra" good --minutes 40
    """
    from studyplan.store import APPENDED, default_home

    APPENDED.clear()  # what this command appends (tests run many in one process)
    # `~` is the shell's, so STUDYPLAN_HOME="~/notes" (quoted, or in a service file) and
    # --roadmap "~/x.md" would otherwise name a folder called "~".
    home = default_home() if home is None else home.expanduser()
    roadmap = roadmap.expanduser() if roadmap is not None else None
    vault = vault.expanduser() if vault is not None else None
    ctx.obj = Study(home=home, roadmap_override=roadmap, now_text=now, vault_override=vault)
    ctx.call_on_close(lambda: _flush_warnings(ctx.obj))


# --- today -------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--minutes",
    "budget",
    type=int,
    metavar="N",
    help="Fit the list into N minutes, using each topic's expected minutes.",
)
@click.option(
    "--more",
    type=click.IntRange(0, 1000),
    default=0,
    metavar="N",
    help="Take N more new topics today than the daily limit allows.",
)
@json_option
@click.pass_context
def today(ctx: click.Context, budget: int | None, more: int, as_json: bool) -> None:
    """What to study today: due reviews (most at risk first), then new topics.

    \b
    studyplan today
    studyplan today --minutes 90
    studyplan today --more 1
    """
    study = _study(ctx)
    q = study.queue(budget, more=more)
    if as_json:
        from studyplan.export import entry_json, iso

        _dump(
            {
                "date": q.day.isoformat(),
                "reviews": [entry_json(e, study.notes.get(e.card.id)) for e in q.reviews],
                "new": [entry_json(e, study.notes.get(e.card.id)) for e in q.new],
                "minutes": q.minutes,
                "studied_today": q.sessions_today,
                "next_due": iso(q.next_due),
                "covered": q.covered,
                "relocked_by": [b.card.id for b in q.relocked],
                "day_weight": q.weight,
            }
        )
        return
    for line in render_today(q, study.roadmap.title, study.policy.new_per_day, study.notes):
        out(line)
    for line in _uncovered(study, q):
        out(line)
    if q.due_left_out:
        out(_backlog(study, q, budget))


def _backlog(study: Study, q: Queue, budget: int | None) -> str:
    """When the reviews due do not all fit today: the day they are all done at this pace
    (`progress.backlog_cleared`)."""
    from studyplan.progress import backlog_cleared

    horizon = 365
    cleared = backlog_cleared(
        study.roadmap,
        study.states,
        study.today,
        study.policy,
        budget if budget is not None else study.policy.daily_minutes,
        study.away_days,
        horizon,
    )
    behind = plural(q.due_left_out, "review")
    if cleared is None:
        return (
            f"Backlog: {behind} beyond today's room, not cleared within {horizon} days at "
            "this pace."
        )
    when = clock.fmt_day(cleared, q.day)
    return f"Backlog: {behind} beyond today's room, cleared by {when} at this pace."


def _uncovered(study: Study, q: Queue) -> list[str]:
    """Due topics that a review today would have covered had it been rated good: say why
    they are still listed."""
    if not (study.policy.graph and study.graph.edges and q.reviews):
        return []
    listed = {e.card.id: e.card for e in q.reviews}
    lines = []
    for done in q.studied_today:
        rating = Rating(done.memory.last_rating) if done.memory.last_rating else None
        if rating is None or rating >= Rating.GOOD:
            continue
        below = [listed[e.target] for e in study.graph.direct(done.card.id) if e.target in listed]
        if below:
            names = ", ".join(c.title for c in below)
            lines.append(
                f"{done.card.title} was rated {rating.label} today, so it covers none of "
                f"{names}: {'it is' if len(below) == 1 else 'they are'} listed."
            )
    return lines


def _note_text(card: Card, ref: NoteRef | None) -> tuple[str, str | None]:
    """What to show after a card: its link (no vault), its note's path, or "(no note
    yet)"; and the Obsidian URI for a line of its own."""
    if not card.note:
        return "", None
    if ref is None:
        return f"  [[{card.note}{card.anchor or ''}]]", None
    if ref.path is None:
        return f"  [[{card.note}]] (no note yet)", None
    return f"  → {ref.path}", ref.uri


def _entry_lines(entries: tuple[Entry, ...], today: date, width: int, notes: Notes) -> list[str]:
    lines = []
    for e in entries:
        card = e.card
        where = f"§{card.section}" if card.section is not None else "§-"
        if e.new:
            why = style("new", fg="green") + (f" · {e.why}" if e.unlocks else "")
        else:
            assert e.state.due is not None
            if e.state.due > today:
                since = f"due {clock.fmt_day(e.state.due, today)}"
            elif e.state.due == today:
                since = "due today"
            else:
                since = f"due since {clock.fmt_day(e.state.due, today)}"
            recall = f", recall {e.retrievability:.0%}" if e.retrievability is not None else ""
            if e.state.memory.last == today:
                recall = ", just reviewed"  # again today: 100 % would say the wrong thing
            colour = "red" if e.state.due < today else "yellow" if e.state.due == today else "cyan"
            why = style(since + recall, fg=colour)
            if e.covers or e.check:
                why += " · " + e.why
        lines += _card_lines(f"  {where:<4}", card, width, f"{e.minutes:>3} min  {why}", notes)
    return lines


def _card_lines(lead: str, card: Card, width: int, detail: str, notes: Notes) -> list[str]:
    """One card in a list (today, plan): title, kind, detail, its note; the note's
    Obsidian URI on a line of its own."""
    from studyplan.cells import clip, pad

    note, uri = _note_text(card, notes.get(card.id))
    title = pad(clip(card.title, width), width)
    lines = [f"{lead}{title}  {card.kind.value:<5}  {detail}{note}"]
    if uri:
        lines.append(" " * (len(lead) + 2) + style(uri, dim=True))
    if card.resources:
        more = (
            f"  (+{len(card.resources) - 1} more: studyplan show)"
            if len(card.resources) > 1
            else ""
        )
        lines.append(" " * (len(lead) + 2) + style(f"↗ {card.resources[0].url}{more}", dim=True))
    return lines


def _effort(minutes: int, session: int) -> str:
    """'(60h)' → '60 h in all: 60 sessions of 60 min'."""
    total = f"{minutes // 60} h" if minutes >= 120 and minutes % 60 == 0 else f"{minutes} min"
    if minutes <= session:
        return total
    return f"{total} in all: {-(-minutes // session)} sessions of {session} min"


def _topics(n: int) -> str:
    return plural(n, "topic")


def render_today(q: Queue, title: str, new_per_day: int, notes: Notes) -> list[str]:
    from studyplan.cells import column

    today_ = q.day
    width = column([e.card.title for e in (*q.reviews, *q.new)], title_limit())
    lines = [style(f"{clock.fmt_day(today_)} {today_.year} · {title}", bold=True), ""]
    if q.away:
        waiting = (
            f" ({plural(q.due_left_out, 'review')} wait until after it)" if q.due_left_out else ""
        )
        return [
            *lines,
            f"On a break today{waiting}: nothing planned. 'studyplan away --list' shows it.",
        ]
    if q.studied_today:
        names = ", ".join(s.card.title for s in q.studied_today)
        spent = f", {q.spent} min" if q.spent else ""
        left = f"; {q.budget} min of the time budget left" if q.budget is not None else ""
        lines += [f"Studied today: {q.sessions_today}{spent} ({names}){left}", ""]
    if not q.reviews and not q.new:
        lines.append("Nothing left to study today.")
    if q.reviews:
        lines.append(style(f"Reviews due ({len(q.reviews)})", bold=True))
        lines += _entry_lines(q.reviews, today_, width, notes)
    elif q.due_left_out:
        pass  # reviews are due, but none fits: said below, not "no reviews due"
    elif q.next_due is not None:
        lines.append(
            f"No reviews due. Next review: {clock.fmt_day(q.next_due, today_)} "
            f"({clock.relative(q.next_due, today_)})."
        )
    if q.new:
        lines.append(style(f"New ({len(q.new)})", bold=True))
        lines += _entry_lines(q.new, today_, width, notes)
    lines.append("")
    listed = (*q.reviews, *q.new)
    if q.budget is not None and q.minutes > q.budget and len(listed) == 1:
        lines.append(
            f"{listed[0].card.title} alone is longer than the {q.budget}-min budget: it is the "
            "one topic today."
        )
    elif q.budget is not None and q.minutes > q.budget:  # `--more` asked for more
        lines.append(f"{q.minutes} min listed, over the {q.budget}-min budget: as asked (--more).")
    over = "the time budget" if q.budget is not None else "today's limit"
    if q.due_left_out:
        lines.append(f"{q.due_left_out} more due, over {over}: they come first tomorrow.")
    if q.new_left_out and (q.budget is not None or new_per_day > 0):
        more_new = plural(q.new_left_out, "more new topic", "more new topics")
        verb = "is" if q.new_left_out == 1 else "are"
        lines.append(
            f"{more_new} {verb} open, over {over} ('studyplan today --more 1' takes one more)."
        )
    if q.locked and not q.new and not q.new_left_out:
        lines.append(f"{q.locked} new topics wait for earlier sections to be studied.")
    for blocker in q.relocked:
        lines.append(
            f"{blocker.card.title} was rated again: what builds on it waits until it is passed."
        )
    if q.covered == 1:
        lines.append("1 due review is covered by a review above that exercises it.")
    elif q.covered:
        lines.append(
            f"{q.covered} due reviews are covered by the reviews above that exercise them."
        )
    if q.weight != 1.0:
        lines.append(
            f"An easy day: {q.weight:.0%} of the usual new topics and time budget (day_weights)."
        )
    if q.reviews or q.new:
        lines.append(
            f"{_topics(len(q.reviews) + len(q.new))}, about {q.minutes} min. "
            f'Log each with: studyplan review "TOPIC" {RATINGS}'
        )
    return lines


# --- plan ------------------------------------------------------------------------------

FORMATS = ("text", "md", "ics", "csv", "json")


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date; use YYYY-MM-DD", param_hint=option
        ) from None


@cli.command()
@click.option("--days", type=click.IntRange(1, 3660), default=7, show_default=True)
@click.option(
    "--start", metavar="DATE", help="First day of the plan (YYYY-MM-DD) [default: today]."
)
@click.option(
    "--week", is_flag=True, help="The ISO week (Monday to Sunday) holding --start or today."
)
@click.option(
    "--assume",
    type=click.Choice(["hard", "good", "easy"]),
    default="good",
    show_default=True,
    help="How you will rate each planned topic.",
)
@click.option("--minutes", "budget", type=int, metavar="N", help="Time budget per day, in minutes.")
@click.option(
    "--by",
    metavar="DATE",
    help="Goal: every remaining topic introduced by DATE; says if the pace makes it, the "
    "new topics per day it needs, and plans at that pace.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=str),
    help="Write to FILE (atomically) instead of printing. With a vault, a plain name for "
    "--format md goes into its plan folder.",
)
@click.option("--force", is_flag=True, help="Overwrite a file that studyplan did not write.")
@click.pass_context
def plan(
    ctx: click.Context,
    days: int,
    start: str | None,
    week: bool,
    assume: str,
    budget: int | None,
    by: str | None,
    fmt: str,
    output: str | None,
    force: bool,
) -> None:
    """The coming days: reviews and new topics per day, as studied and rated as assumed.

    Day 1 is exactly what `studyplan today` lists. Nothing is written to the review log.

    \b
    studyplan plan                       the next 7 days in the terminal
    studyplan plan --week --start 2026-11-30 --format md -o "Week 49.md"
    studyplan plan --days 30 --format ics -o study.ics
    studyplan plan --by 2027-03-01 --minutes 60
    """
    from studyplan import export
    from studyplan.plan import iso_week

    study = _study(ctx)
    first = _parse_date(start, "--start")
    if week:
        monday, sunday = iso_week(first or study.today)
        first = max(monday, study.today)
        days = (sunday - first).days + 1
        if days <= 0:
            raise click.BadParameter("that week is over", param_hint="--week")
    goal = _parse_date(by, "--by")
    paced = study.pace(goal, Rating.parse(assume), budget) if goal is not None else None
    pace_per_day = (paced.needed or None) if paced is not None else None
    result = study.plan(days, first, Rating.parse(assume), budget, pace_per_day)
    if fmt == "text":
        head = [*export.pace_lines(paced, study.today), ""] if paced is not None else []
        data = "\n".join(head + render_plan(result, study.roadmap.title, study.notes)) + "\n"
    elif fmt == "json":
        import json

        payload = export.plan_json(result, study.export_meta())
        if paced is not None:
            payload["pace"] = export.pace_json(paced)
        data = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    elif fmt == "csv":
        data = export.plan_csv(result)
    elif fmt == "md":
        data = export.plan_markdown(result, study.export_meta(), paced)
    else:
        raw = export.plan_ics(result, study.export_meta())
        data = raw.decode("utf-8")
    if output is None:
        if fmt == "text":
            out(data.removesuffix("\n"))  # scrubbed and fitted to a terminal
        else:
            click.echo(data, nl=False, color=_color())
        return
    from studyplan import store

    target = Path(output).expanduser()
    plain = not target.is_absolute() and not output.startswith(("./", "../", ".\\", "~"))
    if fmt == "md" and plain and study.vault_root is not None:
        target = study.vault_root / study.config.plan_folder / target
    store.write_export(study.paths, target, data.encode("utf-8"), force=force)
    click.echo(
        f"Wrote {target} ({plural(len(result.days), 'day')}, {plural(result.topics, 'topic')}).",
        err=True,
    )


def render_plan(result: Plan, title: str, notes: Notes) -> list[str]:
    from studyplan.cells import column

    days = result.days
    width = column([e.card.title for q in days for e in (*q.reviews, *q.new)], title_limit())
    span = f"{clock.fmt_day(days[0].day)} – {clock.fmt_day(days[-1].day)} {days[-1].day.year}"
    lines = [
        style(f"Plan for {span} · {title}", bold=True),
        f"assuming every topic is rated {result.assume.label} · {_topics(result.topics)} · "
        f"about {result.minutes} min",
    ]
    for q in days:
        count = len(q.reviews) + len(q.new)
        lines += [
            "",
            style(f"{clock.fmt_day(q.day)} · {_topics(count)} · {q.minutes} min", bold=True),
        ]
        if q.away:
            lines.append("  on a break (studyplan away --list)")
        elif not count:
            lines.append("  nothing planned")
        for kind, entries in (("review", q.reviews), ("new", q.new)):
            for e in entries:
                card = e.card
                where = f"§{card.section}" if card.section is not None else "§-"
                lead = f"  {kind:<6}  {where:<4}"
                why = f" · {e.why}" if e.covers or e.check or e.unlocks else ""
                lines += _card_lines(lead, card, width, f"{e.minutes:>3} min{why}", notes)
    return lines


# --- review / undo -------------------------------------------------------------------


def _complete_topic(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Card ids whose id or title starts with what was typed (shell completion: the
    group's options are parsed but its callback has not run, so the study is built
    here). Never fails: a broken config completes nothing."""
    from click.shell_completion import CompletionItem

    from studyplan.store import default_home

    try:
        given = ctx.find_root().params
        home = given.get("home")
        roadmap, vault = given.get("roadmap"), given.get("vault")
        study = Study(
            home=default_home() if home is None else Path(home).expanduser(),
            roadmap_override=Path(roadmap).expanduser() if roadmap else None,
            now_text=given.get("now"),
            vault_override=Path(vault).expanduser() if vault else None,
        )
        prefix = incomplete.casefold()
        return [
            CompletionItem(card.id, help=card.title)
            for card in study.roadmap.cards
            if card.id.startswith(prefix) or card.title.casefold().startswith(prefix)
        ]
    except Exception:  # completion must never print a traceback into the shell
        return []


def _complete_key(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    from click.shell_completion import CompletionItem

    return [CompletionItem(key, help=HELP[key]) for key in CHECKS if key.startswith(incomplete)]


class _RatingType(click.ParamType):  # type: ignore[type-arg]  # generic only in click ≥ 8.3
    name = "RATING"

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[Any]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(r.label) for r in Rating if r.label.startswith(incomplete.lower())]

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Rating:
        if isinstance(value, Rating):
            return value
        try:
            return Rating.parse(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a rating; use {RATINGS} or 1-4", param, ctx)


@cli.command()
@click.argument("topic", shell_complete=_complete_topic)
@click.argument("rating", type=_RatingType())
@click.option(
    "--minutes", type=int, metavar="M", help="How long you studied (improves time estimates)."
)
@click.option(
    "--at",
    metavar="ISO-8601",
    help="When you studied, if not now: ISO 8601, or 'yesterday', 'yesterday 21:30', "
    "'yesterday evening', 'today 07:15'; not after today.",
)
@click.pass_context
def review(
    ctx: click.Context, topic: str, rating: Rating, minutes: int | None, at: str | None
) -> None:
    """Log a study session of TOPIC: again, hard, good or easy (or 1-4).

    TOPIC is an id, a title, or any unambiguous part of a title.

    \b
    studyplan review "Linear Algebra" good --minutes 40
    studyplan review eigen hard
    studyplan review "Chain Rule" good --at "2026-11-25T21:30"
    studyplan review "Chain Rule" good --at "yesterday 21:30"
    """
    study = _study(ctx)
    when = study.moment(at, "--at") if at is not None else None
    card = study.find(topic, prefer_today=True)
    if study.chosen:
        out(f"({study.chosen}.)")
    before = study.state_of(card)
    blocking = study.blockers(card) if not before.studied and not card.done else ()
    # Was it on today's list, perhaps pulled forward to cover others? (Only a card that
    # exercises others can cover, so most reviews skip building the list.)
    listed = None
    early = before.due is not None and before.due > study.today
    if before.studied and (early or (study.policy.graph and study.graph.direct(card.id))):
        listed = next((e for e in study.queue().reviews if e.card.id == card.id), None)
    recorded = study.record(card, rating, minutes, when)
    after = recorded.state
    today_ = study.today
    spent = f", {minutes} min" if minutes is not None else ""
    if after.due is None:
        out(f"Recorded {card.title}: {rating.label}{spent}. Done: a resource is studied once.")
    else:
        out(
            f"Recorded {card.title}: {rating.label}{spent}. "
            f"next: {clock.fmt_day(after.due, today_)}, {clock.relative(after.due, today_)}"
        )
    day_of = clock.study_day(when, study.config.day_start_hour) if when else today_
    first_at = before.memory.last_at
    if before.studied and before.memory.last == day_of and first_at is not None:
        warn(
            f"{card.title} was already reviewed that day, at {first_at:%H:%M}; both sessions "
            "count ('studyplan undo' takes this one back)"
        )
    elif before.studied and before.due is not None and before.due > today_ and listed is None:
        due = clock.fmt_day(before.due, today_)
        warn(f"{card.title} was not due until {due}; counted as an early review")
    if listed is not None and listed.covers and rating < Rating.GOOD:
        names = ", ".join(c.title for c in listed.covers)
        verb = "stays" if len(listed.covers) == 1 else "stay"
        out(f"{names} {verb} due: a review covers others only when rated good or easy.")
    if recorded.rippled:
        names = ", ".join(
            c.title + (f" ({gain:+.1f} d)" if abs(gain) >= 0.05 else "")
            for c, gain in zip(recorded.rippled[:6], recorded.gains, strict=False)
        )
        more = f" and {len(recorded.rippled) - 6} more" if len(recorded.rippled) > 6 else ""
        effect = (
            "credit to what it builds on" if rating >= Rating.GOOD else "sooner reviews and checks"
        )
        out(f"Through the graph ({effect}): {names}{more}.")
    if rating is Rating.AGAIN and study.policy.graph:
        _say_spared(study, card, day_of)
    if blocking:
        sections = sorted({b.card.section for b in blocking if b.card.section is not None})
        what = (
            f"section {', '.join(map(str, sections))} not yet studied"
            if sections
            else f"'{blocking[0].card.title}' {blocking[0].reason}"
        )
        warn(f"{card.title} is still locked ({what}); recorded anyway")
    if card.suspended:
        warn(f"{card.title} is suspended; it will not be scheduled until 'studyplan unsuspend'")
    elif card.skipped:
        warn(f"{card.title} is marked [-] (skipped) in the roadmap; it will not be scheduled")


def _say_spared(study: Study, card: Card, day: date) -> None:
    """Key prerequisites an `again` did not send to be checked, and why."""
    from studyplan.memory import spared

    memories = {i: s.memory for i, s in study.states.items()}
    found = spared(card.id, memories, study.graph, study.policy, study.scheduler, day)
    if found:
        cards = study.roadmap.by_id()
        names = ", ".join(f"{cards[i].title} (recall {r:.0%})" for i, r in found)
        out(f"Not checked, still fresh: {names}.")


def _launch(uri: str) -> None:
    click.launch(uri)


def _key(stdin: Any) -> str:
    """One key from the terminal, without Enter. Unlike `click.getchar`, keys typed
    ahead are kept (click's raw mode flushes pending input)."""
    if sys.platform == "win32":
        return click.getchar()
    import termios
    import tty

    fd = stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setraw(fd, termios.TCSANOW)
        data = os.read(fd, 1)
        if data and data[0] >= 0xC0:  # the first byte of a longer UTF-8 character
            data += os.read(fd, 1 + (data[0] >= 0xE0) + (data[0] >= 0xF0))
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, saved)
    if not data:
        raise EOFError
    return data.decode("utf-8", errors="replace")


@cli.command()
@click.pass_context
def study(ctx: click.Context) -> None:
    """A guided session through today's list, one topic at a time.

    Each topic is shown with why it is listed and where its note or first resource is;
    the sitting is timed. Answer with one key: 1-4 or a/h/g/e to rate (logged at once,
    as `review` logs it), o to open the note or link, s to skip, u to undo the last
    review of this session, q to quit. Without a terminal (a pipe, a script) it reads
    one line per answer, and a rating may carry the minutes: `g 40`.

    \b
    studyplan study
    printf 'g 40\nq\n' | studyplan study
    """
    import time

    from studyplan.session import Session

    first = _study(ctx)

    def make_study() -> Study:
        return _study_again(first)

    stdin = sys.stdin
    keys = stdin.isatty() and sys.stdout.isatty()

    def read() -> str | None:
        if keys:
            click.echo("> ", nl=False)
            try:
                key = _key(stdin)
            except (EOFError, KeyboardInterrupt):
                return None
            click.echo(key)
            return "q" if key in ("\x03", "\x04") else key
        line = stdin.readline()
        return line.rstrip("\r\n") if line else None

    def ask_minutes(timed: int | None) -> int | None:
        """The timed minutes, editable: Enter keeps them, a number replaces them."""
        shown = f" [{timed}]" if timed is not None else ""
        click.echo(f"Minutes{shown}: ", nl=False)
        answer = stdin.readline().strip()
        if not answer:
            return timed
        return int(answer) if answer.isdigit() and int(answer) <= 24 * 60 else timed

    desktop = sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    Session(
        make_study=make_study,
        read=read,
        write=out,
        elapsed=time.monotonic,
        ask_minutes=ask_minutes if keys else None,
        launch=_launch if keys and desktop else None,
    ).run()


@cli.command()
@click.option("--dry-run", is_flag=True, help="Say what would be taken back; change nothing.")
@click.pass_context
def undo(ctx: click.Context, dry_run: bool) -> None:
    """Take back the last review, postpone or (un)suspension logged on this device
    (kept in the log as undone)."""
    from studyplan.model import Away, Postpone, Suspension

    study = _study(ctx)
    last = study.undo(dry_run=dry_run)
    if isinstance(last, Away):
        span = _span_text(last.start, last.end, study.today)
        out(
            f"Would cancel the break {span} (nothing changed)."
            if dry_run
            else f"Cancelled the break {span}."
        )
        return
    if isinstance(last, Postpone):
        done = f"postponed by {plural(last.days, 'day')}"
    elif isinstance(last, Suspension):
        done = "suspended" if last.on else "unsuspended"
    else:
        done = last.rating.label
    what = f"{last.title or last.card}: {done} at {clock.fmt_moment(last.at)}"
    out(f"Would undo {what} (nothing changed)." if dry_run else f"Undid {what}.")


@cli.command()
@click.argument("topic", shell_complete=_complete_topic)
@click.argument("days", type=click.IntRange(1, 365), default=1, required=False)
@click.pass_context
def postpone(ctx: click.Context, topic: str, days: int) -> None:
    """Not now: TOPIC is not due before DAYS days from today (default 1), unless you
    review it first. Logged (so it syncs); 'studyplan undo' takes it back.

    \b
    studyplan postpone "Linear Algebra"
    studyplan postpone backprop 3
    """
    from studyplan.postponement import postpone as put_off

    study = _study(ctx)
    card = study.find(topic, prefer_today=True)
    if study.chosen:
        out(f"({study.chosen}.)")
    before = study.state_of(card).due
    entry = put_off(study, card, days)
    after = _study_again(study).state_of(card).due
    assert after is not None
    assert before is not None
    today_ = study.today
    was = (
        f" (was {clock.fmt_day(before, today_)})"
        if before != after
        else " (no change: later already)"
    )
    out(
        f"Postponed {card.title} by {plural(entry.days, 'day')}: due "
        f"{clock.fmt_day(after, today_)}{was}. 'studyplan undo' takes it back."
    )


def _standing_postpones(
    study: Study, card_id: str, last_at: datetime | None
) -> list[tuple[Any, date]]:
    """The card's postpones since its last review, not undone: (entry, not due before)."""
    from studyplan.model import resolve_moves
    from studyplan.postponement import not_before

    history = study.history
    if not history.postpones:
        return []
    undone = {u.review for u in history.undos}
    renamed = resolve_moves(history.moves)
    return [
        (p, not_before(p, study.config.day_start_hour))
        for p in history.postpones
        if renamed.get(p.card, p.card) == card_id
        and p.id not in undone
        and p.at <= study.now
        and (last_at is None or p.at > last_at)
    ]


def _study_again(study: Study) -> Study:
    """A fresh study of the same home: it reads what was just appended."""
    return Study(
        home=study.home,
        roadmap_override=study.roadmap_override,
        now_text=study.now_text,
        vault_override=study.vault_override,
    )


@cli.command()
@click.argument("start", metavar="FROM", required=False)
@click.argument("end", metavar="TO", required=False)
@click.option("--note", metavar="TEXT", help="Why, for the list (one line).")
@click.option("--list", "listing", is_flag=True, help="List the planned breaks.")
@click.option("--cancel", metavar="ID", help="Cancel the break with this id.")
@click.pass_context
def away(
    ctx: click.Context,
    start: str | None,
    end: str | None,
    note: str | None,
    listing: bool,
    cancel: str | None,
) -> None:
    """A planned break, FROM to TO (both included): nothing is planned on its days.

    Reviews that would fall due in its first two days come the day before; the rest
    wait until after it, within the daily limits. Logged, so it syncs.

    \b
    studyplan away 2026-12-20 2027-01-03 --note holidays
    studyplan away --list
    studyplan away --cancel 3f2a9c01b7de
    """
    from studyplan import breaks

    study = _study(ctx)
    today_ = study.today
    if listing or cancel:
        if start or end or note:
            raise click.UsageError("--list and --cancel take no FROM, TO or --note")
        if cancel:
            gone = breaks.cancel(study, cancel)
            out(f"Cancelled the break {_span_text(gone.start, gone.end, today_)}.")
            return
        aways = sorted(study.standing.aways, key=lambda a: (a.start, a.id))
        if not aways:
            out("No breaks planned.")
        for entry in aways:
            why = f" · {entry.note}" if entry.note else ""
            out(f"{entry.id}  {_span_text(entry.start, entry.end, today_)}{why}")
        return
    if start is None or end is None:
        raise click.UsageError("give FROM and TO (or --list, or --cancel ID)")
    entry = breaks.add(
        study,
        breaks.parse_day(start, today_, "FROM"),
        breaks.parse_day(end, today_, "TO"),
        note,
    )
    out(
        f"Away {_span_text(entry.start, entry.end, today_)}: nothing is planned then. "
        f"'studyplan away --cancel {entry.id}' takes it back."
    )


def _dashboard(study: Study, output: Path | None, force: bool) -> None:
    """The dashboard note and its pictures, in the vault's plan folder by default; each
    file replaced only if studyplan wrote it (or with --force)."""
    from studyplan import store
    from studyplan.export import wikilink
    from studyplan.report import build
    from studyplan.report.dashboard import note

    if output is None:
        if study.vault_root is None:
            raise click.UsageError("--format md needs a vault (studyplan init) or -o FILE.md")
        output = study.vault_root / study.config.plan_folder / "Study dashboard.md"
    target = output.expanduser()
    q = study.queue()
    meta = study.export_meta()
    links = {e.card.id: wikilink(e.card, meta) for e in (*q.reviews, *q.new)}
    text, files = note(build(study), q, target.stem, links)
    target.parent.mkdir(parents=True, exist_ok=True)
    for name, drawing in files.items():
        store.write_export(study.paths, target.with_name(name), drawing.encode(), force=force)
    store.write_export(study.paths, target, text.encode("utf-8"), force=force)
    click.echo(f"Wrote {target} and {plural(len(files), 'picture')} beside it.", err=True)


def _span_text(start: date, end: date, today_: date) -> str:
    days = (end - start).days + 1
    return f"{clock.fmt_day(start, today_)} – {clock.fmt_day(end, today_)} ({plural(days, 'day')})"


@cli.command("log")
@click.option("--days", type=click.IntRange(1, 36500), default=7, show_default=True, metavar="N")
@json_option
@click.pass_context
def log_(ctx: click.Context, days: int, as_json: bool) -> None:
    """Recent reviews of every device, oldest first (undone ones left out)."""
    study = _study(ctx)
    found = study.recent(days)
    titles = {c.id: c.title for c in study.roadmap.cards}
    if as_json:
        _dump(
            [
                {
                    "id": r.id,
                    "card": r.card,
                    "title": titles.get(r.card, r.title or r.card),
                    "rating": r.rating.label,
                    "at": r.at.isoformat(),
                    "minutes": r.minutes,
                    "device": r.device,
                }
                for r in found
            ]
        )
        return
    if not found:
        out(f"No reviews in the last {plural(days, 'day')}.")
        return
    from studyplan.cells import column, pad

    width = column([titles.get(r.card, r.title or r.card) for r in found], title_limit())
    for r in found:
        minutes = f"{r.minutes:>3} min" if r.minutes is not None else "   -   "
        title = pad(titles.get(r.card, r.title or r.card), width)
        line = f"{clock.fmt_moment(r.at)}  {r.rating.label:<5}  {minutes}  {title}"
        out(f"{line}  {r.device or ''}".rstrip())
    total = sum(r.minutes or 0 for r in found)
    out(f"{plural(len(found), 'review')}, {total} min, in the last {plural(days, 'day')}.")


@cli.command()
@click.argument("topic", shell_complete=_complete_topic)
@click.pass_context
def suspend(ctx: click.Context, topic: str) -> None:
    """Take TOPIC out of review for good: never offered again, and it blocks nothing.

    For one-off to-dos (an account to open, a tool to install). Logged, so every device
    sees it; `studyplan unsuspend TOPIC` brings it back with its history.
    """
    import shlex

    from studyplan.suspension import set_suspended

    study = _study(ctx)
    card = study.find(topic)
    set_suspended(study, card, True)
    out(
        f"Suspended {card.title}: out of review, blocking nothing. "
        f"Bring it back with: studyplan unsuspend {shlex.quote(card.id)}"
    )


@cli.command()
@click.argument("topic", shell_complete=_complete_topic)
@click.pass_context
def unsuspend(ctx: click.Context, topic: str) -> None:
    """Bring a suspended TOPIC back into review, with its history."""
    from studyplan.suspension import set_suspended

    study = _study(ctx)
    card = study.find(topic)
    set_suspended(study, card, False)
    state = study.state_of(card._replace(suspended=False))
    if state.due is not None:
        when = f"due {clock.fmt_day(state.due, study.today)}"
    elif state.studied:
        when = "done (a resource, studied once)"
    else:
        when = "new: it is introduced in its turn"
    out(f"Unsuspended {card.title}: back in review, {when}.")


def _portable(folder: Path, home: Path) -> str:
    """How to write `folder` in a config that other devices read too: relative to the
    home when one holds the other (a synced vault with the home inside it), else from
    `~` when it is in the user's home folder, else as it is."""
    base = home.expanduser().resolve()
    if folder.is_relative_to(base) or base.is_relative_to(folder):
        return Path(os.path.relpath(folder, base)).as_posix()
    user = Path.home().resolve()
    if folder.is_relative_to(user):
        return "~/" + folder.relative_to(user).as_posix()
    return str(folder)


# --- topics / show -------------------------------------------------------------------


@cli.command()
@json_option
@click.pass_context
def topics(ctx: click.Context, as_json: bool) -> None:
    """The parsed roadmap: every card with its status."""
    study = _study(ctx)
    states = study.states
    today_ = study.today
    gate = study.gate
    rows = []
    for card in study.roadmap.cards:
        state = states[card.id]
        locked = gate.locked(state)
        rows.append((card, state, status(state, today_, locked)))
    if as_json:
        from studyplan.export import card_json, iso

        _dump(
            [
                {**card_json(card, study.notes.get(card.id)), "status": st, "due": iso(state.due)}
                for card, state, st in rows
            ]
        )
        return
    from studyplan.cells import column, pad

    lines = [style(study.roadmap.title, bold=True) + f"  ({plural(len(rows), 'topic')})"]
    width = column([card.id for card, _, _ in rows], None)  # ids whole: they are typed
    section: object = object()
    for card, state, st in rows:
        if card.section_title != section:
            section = card.section_title
            number = f"§{card.section} " if card.section is not None else ""
            heading = f"{number}{card.section_title or '(before the first section)'}"
            lines += ["", style(heading, bold=True)]
        when = ""
        if st in ("scheduled", "due") and state.due:
            when = f" {clock.fmt_day(state.due, today_)}"
        indent = "  " if card.parent else ""
        lines.append(f"  {pad(card.id, width)}  {indent}{card.title}  [{st}{when}]")
    out("\n".join(lines))


@cli.command()
@click.argument("topic", shell_complete=_complete_topic)
@json_option
@click.pass_context
def show(ctx: click.Context, topic: str, as_json: bool) -> None:
    """One card: memory state, due date, history, and what blocks it if locked."""
    study = _study(ctx)
    card = study.find(topic)
    state = study.states[card.id]
    today_ = study.today
    blocking = study.blockers(card) if not state.studied and not card.done else ()
    recall = state.retrievability(study.scheduler, today_)
    st = status(state, today_, bool(blocking))
    put_off = _standing_postpones(study, card.id, state.memory.last_at)
    if as_json:
        from studyplan.export import card_json, iso, round4

        _dump(
            {
                **card_json(card, study.notes.get(card.id)),
                "status": st,
                "due": iso(state.due),
                "stability": round4(state.stability),
                "explicit_stability": round4(state.memory.explicit),
                "credits": state.memory.credits,
                "credit": [
                    {"day": day.isoformat(), "from": source, "gain": round4(gain)}
                    for day, source, gain in state.memory.lent
                    if gain > 0
                ],
                "penalty": [
                    {"day": day.isoformat(), "from": source, "loss": round4(-gain)}
                    for day, source, gain in state.memory.lent
                    if gain < 0
                ],
                "audit": iso(state.memory.audit),
                "transfer": _transfer_json(study),
                "difficulty": round4(state.difficulty),
                "retrievability": round4(recall),
                "lapses": state.lapses,
                "parameters": "fitted" if study.config.parameters else "default",
                "blocked_by": [b.card.id for b in blocking],
                "blocked_why": [b.reason for b in blocking],
                "today": _why_today(study, card, blocking),
                "postponed": [
                    {"id": p.id, "days": p.days, "at": p.at.isoformat(), "until": iso(until)}
                    for p, until in put_off
                ],
                "reviews": [
                    {
                        "rating": s.review.rating.label,
                        "at": s.review.at.isoformat(),
                        "day": s.day.isoformat(),
                        "minutes": s.review.minutes,
                    }
                    for s in study.stamps_of(card)
                ],
            }
        )
        return
    section = (
        f"§{card.section} {card.section_title}" if card.section is not None else card.section_title
    )
    out(style(card.title, bold=True) + f"  ({card.id})")
    out(f"  section   {section or '-'}" + (f" › {card.subsection}" if card.subsection else ""))
    out(f"  kind      {card.kind.value}")
    link = f"[[{card.note}{card.anchor or ''}]]" if card.note else "-"
    ref = study.notes.get(card.id)
    if ref is not None:
        link += f" → {ref.path}" if ref.path else " (no note yet)"
    out(f"  note      {link}")
    if ref is not None and ref.uri:
        out(f"  open      {ref.uri}")
    out(f"  roadmap   line {card.line}, [{card.mark_char}]")
    if card.description:
        out(f"  about     {card.description}")
    for resource in card.resources:
        out(f"  resource  {resource.title} <{resource.url}>")
    if card.estimate is not None:
        out(f"  estimate  {_effort(card.estimate, study.policy.session_minutes)}")
    if state.studied and state.due is None:
        out(f"  status    done (a resource, studied {clock.fmt_day(state.last or today_, today_)})")
    elif state.studied:
        assert state.due is not None
        when = f"{clock.fmt_day(state.due, today_)} ({clock.relative(state.due, today_)})"
        out(f"  status    {'due since' if state.due < today_ else 'due'} {when}")
        for entry, until in put_off:
            out(
                f"  postponed {plural(entry.days, 'day')} on {clock.fmt_moment(entry.at)} "
                f"(not due before {clock.fmt_day(until, today_)}; 'studyplan undo' takes it back)"
            )
        from studyplan.memory import earned

        own = earned(state.memory)
        failures = sum(1 for _, _, gain in state.memory.lent if gain < 0)
        credit = (
            f" ({own:.1f} from your reviews, the rest credit from {state.memory.credits} "
            f"related session{'' if state.memory.credits == 1 else 's'})"
            if state.memory.credits and state.stability and state.stability > own + 0.05
            else f" ({own:.1f} from your reviews, {own - state.stability:.1f} less after "
            f"{plural(failures, 'related failure')})"
            if failures and state.stability and state.stability < own - 0.05
            else ""
        )
        # On the day of a session the forgetting curve starts at 100 %: that says "just
        # reviewed", not "remembered for sure" (minutes after an `again`, least of all).
        fresh = state.memory.last == today_ and (recall or 0.0) > 0.995
        recall_text = "just reviewed" if fresh else f"recall now {recall or 0.0:.0%}"
        out(
            f"  memory    stability {state.stability:.1f} days{credit}, difficulty "
            f"{state.difficulty:.2f}, {recall_text}"
        )
        cards = study.roadmap.by_id() if state.memory.lent else {}
        for day, source, gain in state.memory.lent:
            name = cards[source].title if source in cards else source
            when = clock.fmt_day(day, today_)
            if gain > 0:
                out(f"  credit    {gain:+.1f} days of stability from {name} ({when})")
            else:
                out(f"  penalty   {gain:+.1f} days of stability: {name} was rated again ({when})")
        if any(gain > 0 for _, _, gain in state.memory.lent):
            out(f"  scaled    by the transfer: {_transfer_label(study)}")
        if state.memory.credits and state.memory.audit is not None:
            out(
                f"  audit     credit carries it to {clock.fmt_day(state.memory.audit, today_)} "
                "at most: a review by then checks it was deserved"
            )
        lapses = f", {plural(state.lapses, 'lapse')}" if state.lapses else ""
        out(f"  reviews   {state.memory.reviewed}{lapses}")
        for s in study.stamps_of(card):
            spent = f"  {s.review.minutes} min" if s.review.minutes is not None else ""
            out(f"    {clock.fmt_moment(s.review.at)}  {s.review.rating.label:<5}{spent}")
    else:
        out(f"  status    {st}")
    out(f"  FSRS      {study.parameters_label}")
    why = _why_today(study, card, blocking)
    if why:
        out(f"  today     {why}")
    if blocking:
        names = ", ".join(c.card.title for c in blocking[:6])
        more = f" and {len(blocking) - 6} more" if len(blocking) > 6 else ""
        out(f"  blocked   by {names}{more}")


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(["text", "dot", "json"]), default="text", show_default=True
)
@click.pass_context
def graph(ctx: click.Context, fmt: str) -> None:
    """The prerequisite graph: what each topic requires and encompasses.

    \b
    studyplan graph
    studyplan graph --format dot | dot -Tsvg > graph.svg
    """
    study = _study(ctx)
    built = study.graph
    roadmap = study.roadmap
    for problem in built.problems:
        warn(problem)
    if fmt == "json":
        from studyplan.export import graph_json

        _dump(graph_json(roadmap, built))
        return
    if fmt == "dot":
        from studyplan.export import graph_dot

        click.echo(graph_dot(roadmap, built), nl=False)
        return
    titles = {card.id: card.title for card in roadmap.cards}
    source = f" + {study.map_path.name}" if study.map_path is not None else ""
    lines = [
        style(roadmap.title, bold=True)
        + f"  ({plural(len(built.edges), 'link')}; {study.roadmap_path.name}{source})"
    ]
    for card in roadmap.cards:
        edges = built.direct(card.id)
        if not edges:
            continue
        lines.append(f"  {card.title}")
        for kind, label in (("requires", "requires"), ("part", "covers  ")):
            chosen = [e for e in edges if e.kind.value == kind]
            if chosen:
                listed = ", ".join(f"{titles.get(e.target, e.target)} {e.weight:g}" for e in chosen)
                lines.append(f"    {label}  {listed}")
    if not built.edges:
        lines.append(
            "  No links yet: nest items, add (requires:: [[Topic]]) to an item, or write "
            "a <roadmap>.prerequisites.toml map."
        )
    else:
        lines += ["", f"Credit: {_transfer_label(study)}"]
    out("\n".join(lines))


def _why_today(study: Study, card: Card, blocking: tuple[Blocker, ...]) -> str | None:
    """One line: why the card is (or is not) on today's list (`blocking`: what keeps it
    locked, if it is)."""
    q = study.queue()
    for entry in (*q.reviews, *q.new):
        if entry.card.id == card.id:
            return ("new: " if entry.new else "review: ") + entry.why
        if card in entry.covers:
            return f"covered by {entry.card.title}, which exercises it"
    relocks = [b for b in blocking if b.relocks]
    if relocks:
        reason = relocks[0].reason.removeprefix("re-locked: ")
        return f"re-locked by {relocks[0].card.title} ({reason})"
    return None


# --- progress / forecast / optimize ----------------------------------------------------

BAR = 20
LEGEND = "█ mature  ▓ studied  ▒ ticked [x]  ░ not yet"


def _bar(mature: int, studied: int, done: int, total: int, width: int = BAR) -> str:
    """A bar in four shades (and colours, unless NO_COLOR or not a terminal)."""
    if total <= 0:
        return " " * width
    cells = [round(n * width / total) for n in (mature, mature + studied, mature + studied + done)]
    parts = [
        ("█" * cells[0], "green"),
        ("▓" * (cells[1] - cells[0]), "yellow"),
        ("▒" * (cells[2] - cells[1]), "blue"),
        ("░" * (width - cells[2]), None),
    ]
    return "".join(style(text, fg=colour) if colour else text for text, colour in parts if text)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


@cli.command()
@json_option
@click.pass_context
def progress(ctx: click.Context, as_json: bool) -> None:
    """Where you stand: studied and mature topics per section, recall, streak, workload.

    A topic is mature once the stability its own reviews gave it reaches 21 days.
    """
    from studyplan.progress import MATURE_DAYS

    study = _study(ctx)
    p = study.progress()
    if as_json:
        from studyplan.export import round4

        _dump(
            {
                "date": p.day.isoformat(),
                "mature_days": MATURE_DAYS,
                "sections": [
                    {
                        "section": s.number,
                        "title": s.title,
                        "total": s.total,
                        "studied": s.studied,
                        "mature": s.mature,
                        "done": s.done,
                        "skipped": s.skipped,
                        "locked": s.locked,
                        "open": s.open,
                        "recall": round4(s.recall),
                    }
                    for s in p.sections
                ],
                "total": p.total,
                "studied": p.studied,
                "mature": p.mature,
                "recall": round4(p.recall),
                "next_section": p.next_section.number if p.next_section else None,
                "blocking": [c.id for c in p.blocking],
                "streak": p.streak,
                "last_7_days": {"reviews": p.last7[0], "minutes": p.last7[1]},
                "last_30_days": {"reviews": p.last30[0], "minutes": p.last30[1]},
                "parameters": "fitted" if study.config.parameters else "default",
                "transfer": _transfer_json(study),
            }
        )
        return
    from studyplan.cells import clip, column, pad

    names = [_section_name(s.number, s.title) for s in p.sections]
    width = column(names, title_limit())
    lines = [style(f"{study.roadmap.title} · {clock.fmt_day(p.day)} {p.day.year}", bold=True), ""]
    for name, s in zip(names, p.sections, strict=True):
        bar = _bar(s.mature, s.studied - s.mature, s.done, s.total)
        detail = f"{s.studied:>3}/{s.total:<3}"
        if s.studied:
            detail += f" {s.mature} mature · recall {_percent(s.recall)}"
        elif not s.open:
            detail += " locked"
        elif s.locked and s.locked == s.total - s.done:
            detail += " waiting"  # open, but every new card waits for a parent or prerequisite
        else:
            detail += " open"
        lines.append(f"{pad(clip(name, width), width)}  {bar}  {detail}")
    share = p.studied / p.total if p.total else 0
    lines += [
        "",
        f"{p.studied} of {plural(p.total, 'topic')} studied ({share:.0%}), {p.mature} mature, "
        f"{p.done} ticked done · average recall now {_percent(p.recall)}",
    ]
    if p.next_section is not None:
        nxt = p.next_section
        shown = ", ".join(c.title for c in p.blocking[:4])
        more = f" and {len(p.blocking) - 4} more" if len(p.blocking) > 4 else ""
        lines.append(
            f"Next to unlock: {_section_name(nxt.number, nxt.title)}, after "
            f"{plural(len(p.blocking), 'more topic', 'more topics')}: {shown}{more}"
        )
    else:
        lines.append("Every section is open.")
    lines += [
        f"Streak: {plural(p.streak, 'day')} · last 7 days: {plural(p.last7[0], 'review')}, "
        f"{p.last7[1]} min · last 30 days: {plural(p.last30[0], 'review')}, {p.last30[1]} min",
        f"FSRS parameters: {study.parameters_label}",
        f"Credit: {_transfer_label(study)}",
        f"Legend: {LEGEND}",
    ]
    out("\n".join(lines))


def _transfer_json(study: Study) -> dict[str, Any]:
    learned = study.calibration()
    fixed = study.policy.transfer
    return {
        "estimate": round(fixed if fixed is not None else learned.transfer, 4),
        "fixed": fixed is not None,
        "audits": learned.audits,
    }


def _transfer_label(study: Study) -> str:
    """How much of the map's weight a session passes on, and why."""
    if not study.policy.graph:
        return "off (graph = false)"
    if study.policy.transfer is not None:
        return f"{study.policy.transfer:.0%} of the map's weights (transfer in the config)"
    learned = study.calibration()
    if not learned.audits:
        return (
            f"{learned.transfer:.0%} of the map's weights, a cautious start: reviews of "
            "credited topics will show how much studying one topic helps another"
        )
    audits = plural(learned.audits, "review")
    return f"{learned.transfer:.0%} of the map's weights, learned from {audits} of credited topics"


def _section_name(number: int | None, title: str) -> str:
    return (f"§{number} " if number is not None else "") + (title or "(no section)")


@cli.command()
@click.option("--days", type=click.IntRange(1, 3660), default=30, show_default=True)
@click.option("--png", type=click.Path(dir_okay=False, path_type=Path), help="Also draw it here.")
@click.option(
    "--svg",
    "svg_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw it here as SVG (no extra needed).",
)
@click.option("--force", is_flag=True, help="Overwrite a --png/--svg file studyplan did not write.")
@json_option
@click.pass_context
def forecast(
    ctx: click.Context,
    days: int,
    png: Path | None,
    svg_path: Path | None,
    force: bool,
    as_json: bool,
) -> None:
    """Reviews and expected minutes falling due each day ahead.

    Counts the due dates your cards have now (overdue ones on the first day); new topics
    and future answers are not simulated (`studyplan plan` does that).

    \b
    studyplan forecast --days 60
    studyplan forecast --png forecast.png     (needs: pip install matplotlib)
    """
    study = _study(ctx)
    rows = study.forecast(days)
    if png is not None:
        from studyplan import export, store

        image = export.forecast_png(rows, study.roadmap.title)
        store.write_export(study.paths, png, image, force=force)
        click.echo(f"Wrote {png}.", err=True)
    if svg_path is not None:
        from studyplan import store
        from studyplan.report import svg

        drawing = svg.forecast(rows, study.policy.daily_minutes)
        store.write_export(study.paths, svg_path, drawing.encode("utf-8"), force=force)
        click.echo(f"Wrote {svg_path}.", err=True)
    budget = study.policy.daily_minutes
    limits = {r.day: round(budget * study.policy.weight(r.day)) for r in rows} if budget else {}
    if as_json:
        _dump(
            [
                {
                    "date": r.day.isoformat(),
                    "reviews": r.reviews,
                    "minutes": r.minutes,
                    "budget": limits.get(r.day),
                }
                for r in rows
            ]
        )
        return
    peak = max((r.reviews for r in rows), default=0) or 1
    lines = [style(f"Reviews due, next {days} days · {study.roadmap.title}", bold=True)]
    over = 0
    for r in rows:
        cells = round(r.reviews * 30 / peak)
        bar = style("█" * cells, fg="cyan") + " " * (30 - cells)
        detail = f"{plural(r.reviews, 'review')}, {r.minutes} min" if r.reviews else "-"
        if r.day in limits and r.minutes > limits[r.day] and r.reviews > 1:
            detail += style(f" · over the {limits[r.day]}-min budget", fg="red")
            over += 1
        lines.append(f"{clock.fmt_day(r.day):<10}  {bar}  {detail}")
    total_reviews = sum(r.reviews for r in rows)
    total_minutes = sum(r.minutes for r in rows)
    lines.append(
        f"Total: {plural(total_reviews, 'review')}, {total_minutes} min; new topics come on top."
    )
    if budget:
        lines.append(
            f"Budget: {budget} min a day (daily_minutes); "
            + (
                f"{plural(over, 'day')} over it: what does not fit waits for the next days."
                if over
                else "no day over it."
            )
        )
    out("\n".join(lines))


@cli.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the page to FILE (replaced only if studyplan wrote it, or with --force).",
)
@click.option("--force", is_flag=True, help="Replace an existing file studyplan did not write.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md"]),
    default="html",
    show_default=True,
    help="md: a dashboard note in the vault (plan folder), with SVG files beside it.",
)
@click.pass_context
def report(ctx: click.Context, output: Path | None, force: bool, fmt: str) -> None:
    """One self-contained HTML page of where you stand: a heatmap of the last twelve
    months, the knowledge map, progress, the forecast, true retention by month and the
    stability of what you studied, each with the numbers behind it. Opens from disk,
    fetches nothing.

    \b
    studyplan report -o report.html
    """
    from studyplan.report import build
    from studyplan.report.page import html

    study = _study(ctx)
    if fmt == "md":
        _dashboard(study, output, force)
        return
    page = html(build(study))
    if output is None:
        click.echo(page, nl=False)
        return
    from studyplan import store

    target = output.expanduser()
    store.write_export(study.paths, target, page.encode("utf-8"), force=force)
    click.echo(f"Wrote {target}.", err=True)


@cli.command()
@click.option(
    "--retention",
    is_flag=True,
    help="Instead, compare desired retentions 0.70–0.97: minutes a day against memory.",
)
@click.option("--dry-run", is_flag=True, help="Fit and score, but do not change the config.")
@click.pass_context
def optimize(ctx: click.Context, retention: bool, dry_run: bool) -> None:
    """Fit the 21 FSRS parameters to your own review history (fsrs-rs-python).

    The defaults and the fit are scored out of sample (time-series splits; same-day
    reviews are not scored). The fit is written to studyplan.toml only if it predicts
    better: lower RMSE over bins, then lower log loss. Needs the optional extra:
    pip install fsrs-rs-python.
    """
    study = _study(ctx)
    if retention:
        rows = study.retention_table()
        lines = [
            style("Desired retention: workload against memory over the next 180 days", bold=True),
            f"(simulated on your roadmap of {sum(1 for c in study.roadmap.cards if not c.skipped)} "
            f"topics, {study.policy.new_per_day} new per day, FSRS parameters: "
            f"{'fitted' if study.config.parameters else 'defaults'})",
            "",
            "retention  minutes/day  reviews/day  topics remembered",
        ]
        current = study.policy.desired_retention
        for row in rows:
            mark = "  ← now" if abs(row.retention - current) < 1e-9 else ""
            lines.append(
                f"  {row.retention:.2f}     {row.minutes_per_day:7.1f}      "
                f"{row.reviews_per_day:6.2f}      {row.remembered:7.1f}{mark}"
            )
        lines += [
            "",
            "Pick what suits you: studyplan config set desired_retention 0.85",
        ]
        out("\n".join(lines))
        return
    fitted, changed = study.optimize(write=not dry_run)
    lines = [
        f"Scored {plural(fitted.scored, 'review')} (out of sample; same-day reviews not scored).",
        "",
        "                   log loss   RMSE(bins)",
        f"FSRS-6 defaults    {fitted.default.log_loss:8.4f}   {fitted.default.rmse_bins:9.4f}",
        f"fitted to you      {fitted.fitted.log_loss:8.4f}   {fitted.fitted.rmse_bins:9.4f}",
        "",
    ]
    if changed:
        lines.append(f"The fit predicts better: written to {study.paths.config_path}.")
    elif dry_run:
        lines.append("Dry run: nothing written.")
    else:
        lines.append("The fit does not predict better than the defaults: nothing written.")
    lines.append(f"Credit between topics: {_transfer_label(study)}")
    lines += _transfer_fit_lines(study)
    out("\n".join(lines))


def _transfer_fit_lines(study: Study) -> list[str]:
    """The learned transfer scored out of sample on the log's audits (issue 14)."""
    from studyplan import audits
    from studyplan.memory import TRANSFER_PRIOR

    fit = audits.fit(audits.collect(study.all_stamps(), study.policy, study.graph))
    if not fit.audits:
        return []  # the credit line already says what audits are
    if not fit.scored:
        return [
            f"  {plural(fit.audits, 'audit')} so far (reviews of credited topics); "
            f"{audits.MIN_AUDITS} are needed to score the transfer out of sample."
        ]
    return [
        f"  out of sample, log loss on {plural(fit.scored, 'audit')} "
        "(reviews of credited topics, each predicted from the audits before it):",
        f"    learned      {fit.learned:8.4f}",
        f"    prior {TRANSFER_PRIOR:.0%}    {fit.prior:8.4f}",
        f"    no credit    {fit.none:8.4f}",
        f"    all credit   {fit.full:8.4f}",
    ]


# --- vault -------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--vault",
    "vault_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The Obsidian vault folder.",
)
@click.option("--roadmap", "note", required=True, help="The roadmap note's name (or path).")
@click.pass_context
def init(ctx: click.Context, vault_dir: Path, note: str) -> None:
    """Use your Obsidian vault: check it and the roadmap note, then write the config.

    \b
    studyplan init --vault ~/Notes --roadmap "ML Learning Path"
    """

    from studyplan import mapcarry, store
    from studyplan.vault import find_roadmap, refine, scan

    study = _study(ctx)
    root = vault_dir.expanduser().resolve()
    found, _ = scan(root)
    path = find_roadmap(found, note)
    roadmap = store.read_roadmap(path)
    links = refine(roadmap, found)
    carried = None
    if not study.config.prerequisite_map:  # a map set by hand stays as it is
        carried = mapcarry.carry(path, [study.roadmap_path, store.bundled_roadmap()])
    updated = study.config._replace(vault=_portable(root, study.home), roadmap=note)
    store.save_config(study.paths, updated)
    obsidian = (
        ""
        if (root / ".obsidian").is_dir()
        else " (no .obsidian folder: not opened in Obsidian yet?)"
    )
    out(f"vault    {root} ({plural(len(found.notes), 'note')}){obsidian}")
    out(
        f"roadmap  {path} ({plural(len(roadmap.cards), 'card')}, "
        f"{plural(len(links.notes), 'linked note')} found)"
    )
    if links.unresolved:
        missing = len(links.unresolved)
        verb = "has" if missing == 1 else "have"
        out(
            f"         {plural(missing, 'link')} {verb} no note yet ('studyplan doctor' lists them)"
        )
    if carried is not None:
        out(f"map      {carried[1]} (copied from {carried[0]}: the note is a copy of that roadmap)")
    out(f"config   {study.paths.config_path} written")


@cli.command("import")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o", "output", type=click.Path(dir_okay=False, path_type=Path), help="Write the note here."
)
@click.option("--title", help="The roadmap's title (default: the document's first heading).")
@click.option("--force", is_flag=True, help="Replace an existing -o file.")
def import_(source: Path, output: Path | None, title: str | None, force: bool) -> None:
    """Turn a curriculum without checkboxes into a checkbox roadmap note.

    Reads tables of courses, numbered or bold bullet lists, plain bullets under numbered
    or linked headings, and headings with a list of links; keeps links, estimates and
    section numbers. Without -o the note is printed.

    \b
    studyplan import README.md -o "My roadmap.md"
    studyplan --roadmap "My roadmap.md" today
    """
    from studyplan import store
    from studyplan.roadmap.importer import convert

    text = store.read_markdown(source, "curriculum")
    try:
        made = convert(text, title or None, fallback=source.stem)
    except RoadmapError as error:
        raise RoadmapError(f"{source}: {error}") from None
    summary = f"Imported {_topics(made.topics)} in {plural(made.sections, 'section')}"
    if output is None:
        click.echo(made.note, nl=False)
        click.echo(summary + ".", err=True)
        return
    store.write_new(output, made.note.encode("utf-8"), force=force)
    import shlex

    out(f"{summary} into {output}. Next: studyplan --roadmap {shlex.quote(str(output))} today")


@cli.command("open")
@click.argument("topic", shell_complete=_complete_topic)
@click.option("--print", "print_only", is_flag=True, help="Print the path and URI, don't open.")
@click.pass_context
def open_(ctx: click.Context, topic: str, print_only: bool) -> None:
    """Open TOPIC's note in Obsidian, else its first resource (a video, an article) in the
    browser; print where it is when there is no desktop.

    \b
    studyplan open "Binary Search"
    studyplan open arrays --print
    """
    study = _study(ctx)
    card = study.find(topic)
    ref = study.notes.get(card.id) if study.vault is not None else None
    desktop = sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if ref is None or ref.path is None or ref.uri is None:
        if card.resources:
            url = card.resources[0].url
            if print_only or not desktop:
                out(url)
                return
            click.launch(url)
            click.echo(f"Opening {url}.", err=True)
            return
        if study.vault is None:
            raise click.UsageError(
                f"{card.title} has no link to open; configure a vault (studyplan init) for notes"
            )
        if ref is None:
            raise click.UsageError(f"{card.title} links no note and no resource")
        raise click.UsageError(
            f"{card.title}: [[{card.note}]] has no note yet; create it in Obsidian"
        )
    assert study.vault is not None
    if print_only or not desktop:
        out(str(study.vault.root / ref.path))
        out(ref.uri)
        return
    click.launch(ref.uri)
    click.echo(f"Opening {ref.path} in Obsidian.", err=True)


@cli.command()
@click.option(
    "--mature", is_flag=True, help="Tick only topics that are mature (stability ≥ 21 days)."
)
@click.option("--dry-run", is_flag=True, help="Show the change as a diff; write nothing.")
@click.pass_context
def sync(ctx: click.Context, mature: bool, dry_run: bool) -> None:
    """Tick [x] in the roadmap for the topics you have studied.

    Only those checkbox characters change; everything else in the file stays byte for
    byte (line endings, BOM, front matter). Boxes you ticked or unticked by hand are left
    alone, and a roadmap edited since it was read is not overwritten.
    """
    from studyplan.vault import diff, write_roadmap

    study = _study(ctx)
    path, ticked = study.sync_ticks(mature_only=mature)
    if not ticked.cards:
        out(f"Nothing to tick in {path.name}.")
        return
    names = ", ".join(c.title for c in ticked.cards[:5])
    more = f" and {len(ticked.cards) - 5} more" if len(ticked.cards) > 5 else ""
    if dry_run:
        click.echo(diff(ticked, path.name), nl=False)
        out(f"Would tick {len(ticked.cards)} in {path.name}: {names}{more}.")
        return
    write_roadmap(path, ticked)
    out(f"Ticked {len(ticked.cards)} in {path.name}: {names}{more}.")


@cli.command()
@click.argument("old", shell_complete=_complete_topic)
@click.argument("new")
@click.pass_context
def rename(ctx: click.Context, old: str, new: str) -> None:
    """Give the reviews logged under the id OLD to the topic NEW (after renaming it).

    \b
    studyplan rename svm "Support Vector Machines"
    """
    study = _study(ctx)
    titles = {r.title for r in study.history.effective() if r.card == old and r.title}
    card, count, held = study.rename(old, new)
    what = plural(count, "review") + (" and its suspension" if held else "")
    out(f"Moved {what} from '{old}' to {card.title} ({card.id}).")
    # The map names topics by title or id: say where it still names the old one.
    names = {old, *titles}
    for problem in study.graph.problems:
        stale = [n for n in sorted(names) if f"'{n}'" in problem]
        if stale:
            where = problem.split(": ", 1)[0]
            fix = f"change it to '{card.title}'"
            out(f"The prerequisite map still names '{stale[0]}' ({where}): {fix}.")


# --- doctor ----------------------------------------------------------------------------


@cli.command()
@click.option(
    "--repair",
    is_flag=True,
    help="Move unreadable log entries into a dated file in <home>/backup, keep the rest.",
)
@click.option("--all", "everything", is_flag=True, help="List every name, not the first ten.")
@click.pass_context
def doctor(ctx: click.Context, repair: bool, everything: bool) -> None:
    """Check the config, the roadmap, the review logs and the caches.

    Exits 1 if anything is wrong. A log entry torn by a crash is reported with its file
    and line; --repair moves such entries aside (nothing is deleted) and keeps the rest.
    """
    study = _study(ctx)
    if repair:
        result = study.repair()
        for done in result.repaired:
            lines = ", ".join(str(p.line) for p in done.moved)
            n = len(done.moved)
            out(f"repaired {done.log}: moved {plural(n, 'entry')} (line {lines}) to {done.backup}")
        for fold in result.folded:
            n = fold.appended
            entries = plural(n, "entry")
            out(
                f"folded {fold.copy.name} into {fold.into.name}: {entries} it lacked; "
                f"the copy is kept as {fold.backup}"
            )
        for path, n in result.elsewhere:
            warn(
                f"not repaired: {path.name} is {path.stem}'s log, with "
                f"{plural(n, 'unreadable entry', 'unreadable entries')}; "
                "run 'studyplan doctor --repair' on that device"
            )
    checks = study.doctor(everything=everything)
    colours = {"ok": "green", "note": "yellow", "problem": "red"}
    for check in checks:
        level = style(f"{check.level:<8}", fg=colours[check.level])
        out(f"{level} {check.subject:<8} {check.message}")
    if any(check.level == "problem" for check in checks):
        ctx.exit(1)


# --- config ----------------------------------------------------------------------------


@cli.group(invoke_without_command=True)
@click.pass_context
def config(ctx: click.Context) -> None:
    """Show the settings (studyplan.toml): every key, its value and what it does."""
    if ctx.invoked_subcommand is not None:
        return
    study = _study(ctx)
    current = study.config
    default = Config()
    out(f"# {study.paths.config_path}")
    for key in CHECKS:
        value = getattr(current, key)
        shown = "(unset)" if value is None else _toml_value(value, key)
        mark = "" if value != getattr(default, key) else "  (default)"
        out(f"{key} = {shown}{mark}")
        out(f"    {HELP[key]}")


def _toml_value(value: Any, key: str = "") -> str:
    if key == "day_weights":
        from studyplan.config import WEEKDAYS

        pairs = [f"{d} = {w:g}" for d, w in zip(WEEKDAYS, value, strict=True) if w != 1.0]
        return "{ " + ", ".join(pairs) + " }" if pairs else "{}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        import json

        return json.dumps(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(f"{v:g}" for v in value) + "]"
    return str(value)


@config.command("set")
@click.argument("key", shell_complete=_complete_key)
@click.argument("value")
@click.pass_context
def config_set(ctx: click.Context, key: str, value: str) -> None:
    """Set KEY to VALUE in studyplan.toml (written atomically).

    \b
    studyplan config set new_per_day 3
    studyplan config set timezone Europe/Berlin
    """

    from studyplan import store
    from studyplan.config import parse_value

    study = _study(ctx)
    parsed = parse_value(key, value)
    if key == "timezone":
        clock.zone(parsed)
    updated = study.config._replace(**{key: parsed})
    store.save_config(study.paths, updated)
    out(f"{key} = {_toml_value(parsed, key)}")


@config.command("get")
@click.argument("key", shell_complete=_complete_key)
@click.pass_context
def config_get(ctx: click.Context, key: str) -> None:
    """Print KEY's value (as TOML; "(unset)" for a key with no value)."""
    from studyplan.config import check_key

    check_key(key)
    value = getattr(_study(ctx).config, key)
    out("(unset)" if value is None else _toml_value(value, key))


@config.command("unset")
@click.argument("key", shell_complete=_complete_key)
@click.pass_context
def config_unset(ctx: click.Context, key: str) -> None:
    """Put KEY back to its default (removes it from studyplan.toml, atomically)."""
    from studyplan import store
    from studyplan.config import check_key

    check_key(key)
    study = _study(ctx)
    default = getattr(Config(), key)
    store.save_config(study.paths, study.config._replace(**{key: default}))
    shown = "(unset)" if default is None else _toml_value(default, key)
    out(f"{key} = {shown}  (default)")


@config.command("path")
@click.pass_context
def config_path(ctx: click.Context) -> None:
    """Print where studyplan.toml and the review logs live."""
    study = _study(ctx)
    out(f"config   {study.paths.config_path}")
    out(f"log      {study.paths.log_path(study.device)}")
    out(f"roadmap  {study.roadmap_path}")


def main() -> None:
    """Run the command, then leave without tearing the interpreter down.

    Everything worth keeping is already on disk by then: log appends and rewritten files
    are fsynced and closed, and locks are released by their `with` blocks. Freeing every
    module and cached object one by one at exit took ~25 ms (more with ten thousand
    cards), so after flushing stdout and stderr the process ends with `os._exit`.
    """
    try:
        cli(prog_name="studyplan")
        code = 0
    except SystemExit as stop:
        code = _exit_code(stop.code)
    from studyplan.store import APPENDED

    try:
        sys.stdout.flush()
    except BrokenPipeError:  # `studyplan topics | head`: the reader left
        code = code or (0 if APPENDED else 1)
    except OSError as error:  # a full disk under `studyplan plan > week.md`
        with contextlib.suppress(OSError):
            if APPENDED:
                sys.stderr.write(
                    f"studyplan: warning: recorded in {APPENDED[-1].name}, but the output "
                    f"could not be written ({error.strerror}); do not log it again\n"
                )
            else:
                sys.stderr.write(f"studyplan: error: cannot write the output: {error.strerror}\n")
        code = code or (0 if APPENDED else 1)
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(code)


def _exit_code(code: object) -> int:
    """What the interpreter would exit with for `SystemExit(code)`."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


if __name__ == "__main__":  # pragma: no cover
    main()
