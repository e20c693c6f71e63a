"""Planned breaks: `studyplan away FROM TO`, `away --list`, `away --cancel ID`.

A use case beside `app.Study`: a break is an entry appended to this device's log (so it
syncs and stays in the history) and read back before it is reported; cancelling appends
an undo of its id, from any device. The schedule leaves its days empty (`schedule.queue`).
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from typing import TYPE_CHECKING

from studyplan import store
from studyplan.errors import InputError
from studyplan.model import Away, Undo

if TYPE_CHECKING:
    from studyplan.app import Study


def parse_day(text: str, today: date, option: str) -> date:
    """'2026-12-20', 'today' or 'tomorrow'; a one-line error otherwise."""
    word = text.strip().lower()
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    try:
        day = date.fromisoformat(word)
    except ValueError:
        raise InputError(
            f"{option} {text!r} is not a day; use a date such as 2026-12-20, or today/tomorrow"
        ) from None
    if not 1900 <= day.year <= 2200:
        raise InputError(f"{option} {text!r} is outside 1900–2200")
    return day


def add(study: Study, start: date, end: date, note: str | None) -> Away:
    if end < start:
        raise InputError(
            f"the break ends ({end.isoformat()}) before it starts ({start.isoformat()})"
        )
    if (end - start).days >= store.MAX_AWAY:
        raise InputError(f"a break of more than {store.MAX_AWAY} days is not a break; split it")
    if end < study.today:
        raise InputError(
            f"the break ended before today ({study.today.isoformat()}): nothing to plan"
        )
    if note is not None and (len(note) > 200 or any(ord(c) < 32 for c in note)):
        raise InputError("--note must be one line of at most 200 characters")
    entry = Away(os.urandom(6).hex(), start, end, study.now, note or None)
    path = study.paths.log_path(study.device)
    store.append_read_back(path, "away", store.away_table(entry), entry.id, lambda f: f.aways)
    return entry


def cancel(study: Study, ident: str) -> Away:
    found = {a.id: a for a in study.standing.aways}
    entry = found.get(ident)
    if entry is None:
        known = ", ".join(sorted(found)) or "none"
        raise InputError(f"no break with the id {ident!r} ('studyplan away --list': {known})")
    path = study.paths.log_path(study.device)
    with store.locked(path):
        store.append(path, "undo", store.undo_table(Undo(review=entry.id, at=study.now)))
    return entry
