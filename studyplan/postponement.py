"""`studyplan postpone TOPIC [DAYS]`: not now, in a few days.

A postpone is an entry in the log (so it syncs, stays in the history, and `undo` takes it
back like a review); its effect is worked out when the log is read, never stored: the
card is not due before DAYS days after the study day it was postponed on, until it is
reviewed again. `overlay` is pure; `postpone` appends the entry.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from studyplan import clock
from studyplan.memory import Memory
from studyplan.model import Card, Postpone

if TYPE_CHECKING:
    from studyplan.app import Study


def overlay(
    memories: dict[str, Memory],
    postpones: Iterable[Postpone],
    renamed: dict[str, str],
    undone: set[str] | frozenset[str],
    hour: int,
    now: datetime,
) -> dict[str, Memory]:
    """`memories` with each standing postpone applied (a new dict only if one is)."""
    out = memories
    for entry in sorted(postpones, key=lambda p: (p.at, p.id)):
        if entry.id in undone or entry.at > now:
            continue
        card = renamed.get(entry.card, entry.card)
        memory = out.get(card)
        if memory is None or memory.due is None or memory.last_at is None:
            continue  # never studied: nothing is due to move
        if entry.at <= memory.last_at:
            continue  # reviewed since: the review decides
        due = max(memory.due, not_before(entry, hour))
        if due != memory.due:
            if out is memories:
                out = dict(memories)
            out[card] = memory._replace(due=due)
    return out


def not_before(entry: Postpone, hour: int) -> date:
    return clock.study_day(entry.at, hour) + timedelta(days=entry.days)


def postpone(study: Study, card: Card, days: int) -> Postpone:
    """Append a postpone of `card` by `days` and read it back."""
    from studyplan import store
    from studyplan.errors import InputError

    if not 1 <= days <= store.MAX_POSTPONE:
        raise InputError(f"DAYS {days} must be 1-{store.MAX_POSTPONE}")
    if not study.state_of(card).studied:
        raise InputError(
            f"{card.title} is not studied yet, so nothing is due to postpone; a new topic "
            "waits on its own ('studyplan suspend' takes it out for good)"
        )
    entry = Postpone(os.urandom(6).hex(), card.id, days, study.now, card.title)
    path = study.paths.log_path(study.device)
    fields = store.postpone_table(entry)
    store.append_read_back(path, "postpone", fields, entry.id, lambda f: f.postpones)
    return entry
