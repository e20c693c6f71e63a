"""Tick to log: a box ticked in a plan note studyplan wrote counts as a review.

The weekly plan note (`plan --format md`) has one checkbox per topic under a `## Mon 30
Nov` heading, each line ending in a hidden Obsidian comment that names the card
(`%%studyplan:linear-algebra%%`). Tick it in Obsidian, on the laptop or on a phone, and
the next studyplan command on any device logs it: rated good unless the line says
otherwise (`#again`, `#hard`, `#easy`, or the word), with the line's minutes, dated at the
start of the study day it sits under (never later than today). Its id is derived from the
note, the day and the card, so two devices that both see the tick log it once, and a
tick whose review was undone is never logged again. An untick logs nothing.

`ticked` is pure (text in, ticks out); `pick_up` reads the plan folder and appends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from studyplan.model import Rating

if TYPE_CHECKING:
    from studyplan.app import Study

MARK = "studyplan"  # the comment's prefix: %%studyplan:<card id>%%
_LINE = re.compile(
    r"^\s*[-*+] \[(?P<mark>[^\]])\] (?P<text>.*?)\s*%%studyplan:(?P<id>[^%\s]+)%%\s*$"
)
_DAY = re.compile(
    r"^## (?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?P<day>\d{1,2}) (?P<month>[A-Z][a-z]{2})\b"
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_RATING = re.compile(r"(?:^|[\s·(])#?(again|hard|good|easy)\b", re.IGNORECASE)
_MINUTES = re.compile(r"(?:^|\s)(\d{1,4}) ?min\b")
_WEEK_START = re.compile(r"^week_start:\s*['\"]?(\d{4}-\d{2}-\d{2})", re.MULTILINE)


def marker(card_id: str) -> str:
    """What the plan note's line ends with."""
    return f"%%{MARK}:{card_id}%%"


@dataclass(frozen=True, slots=True)
class Tick:
    card: str
    day: date  # the day heading it sits under
    rating: Rating
    minutes: int | None
    line: int


def ticked(text: str) -> list[Tick]:
    """The ticked lines of a plan note studyplan wrote (its front matter names the week;
    a note without it is not one of ours and gives nothing)."""
    found = _WEEK_START.search(text[:2000])
    if found is None:
        return []
    start = date.fromisoformat(found.group(1))
    out: list[Tick] = []
    day: date | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _DAY.match(line)
        if heading is not None:
            day = _dated(start, int(heading.group("day")), heading.group("month"))
            continue
        item = _LINE.match(line)
        if item is None or day is None or item.group("mark") in (" ", "-"):
            continue
        body = _strip_links(item.group("text"))
        said = _RATING.search(body)
        rating = Rating.parse(said.group(1).lower()) if said else Rating.GOOD
        minutes = _MINUTES.search(body)
        out.append(
            Tick(
                item.group("id"),
                day,
                rating,
                int(minutes.group(1)) if minutes else None,
                number,
            )
        )
    return out


def _dated(start: date, day: int, month: str) -> date | None:
    """'30 Nov' in the plan that starts on `start` (a plan may run into the new year)."""
    if month not in _MONTHS:
        return None
    number = _MONTHS.index(month) + 1
    for year in (start.year, start.year + 1):
        try:
            found = date(year, number, day)
        except ValueError:
            continue
        if found >= start - timedelta(days=1):
            return found
    return None


def _strip_links(text: str) -> str:
    """The line without its links, whose titles could hold a rating word."""
    text = re.sub(r"\[\[[^\]]*\]\]", " ", text)
    return re.sub(r"\[[^\]]*\]\([^)]*\)", " ", text)


def review_id(note: str, tick: Tick) -> str:
    """The same on every device: the note's name, the day and the card."""
    from hashlib import blake2b

    digest = blake2b(f"{note}|{tick.day.isoformat()}|{tick.card}".encode(), digest_size=6)
    return "t" + digest.hexdigest()


def pick_up(study: Study) -> list[tuple[Path, int]]:
    """Log what was ticked in the vault's plan folder and not yet logged; return (note,
    reviews logged) per note. Nothing without a vault."""
    from studyplan import clock, store
    from studyplan.model import Review

    root = study.vault_root
    if root is None:
        return []
    folder = root / study.config.plan_folder
    try:
        notes = sorted(p for p in folder.glob("*.md") if p.is_file())
    except OSError:
        return []
    cache_path = study.paths.cache_dir / "ticks.pickle"
    cached = store.load_cache(cache_path)
    seen: dict[str, tuple[int, int]] = cached if isinstance(cached, dict) else {}
    stats: dict[str, tuple[int, int]] = {}
    found: list[tuple[Path, list[Tick]]] = []
    for path in notes:
        try:
            info = path.stat()
        except OSError:
            continue
        stats[str(path)] = (info.st_mtime_ns, info.st_size)
        if seen.get(str(path)) == stats[str(path)]:
            continue  # unchanged since every tick in it was logged
        try:
            text = store.read_text_file(path, "plan note").decode("utf-8", errors="replace")
        except Exception:  # an unreadable note is not ours to judge: leave it
            continue
        if f"%%{MARK}:" in text:
            ticks = ticked(text)
            if ticks:
                found.append((path, ticks))
    if not found:
        if stats != seen:
            store.save_cache(cache_path, stats)
        return []
    history = store.read_history(study.paths)
    known = {r.id for r in history.reviews}
    cards = study.listed.by_id()  # not `roadmap`: that folds the log, not yet complete
    today = study.today
    zone = clock.zone(study.config.timezone)
    start = time(study.config.day_start_hour)
    logged: list[tuple[Path, int]] = []
    log = study.paths.log_path(study.device)
    for path, ticks in found:
        count = 0
        for tick in ticks:
            ident = review_id(path.stem, tick)
            card = cards.get(tick.card)
            if ident in known or card is None:
                continue
            day = min(tick.day, today)
            at = datetime.combine(day, start, tzinfo=zone)
            review = Review(ident, card.id, tick.rating, at, tick.minutes, card.title, study.device)
            with store.locked(log):
                store.append(log, "review", store.review_table(review))
            known.add(ident)
            count += 1
        if count:
            logged.append((path, count))
    store.save_cache(cache_path, stats)
    return logged
