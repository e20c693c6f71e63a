"""Taking a card out of review for good, and back: `studyplan suspend` / `unsuspend`.

A use case beside `app.Study`: one entry appended to this device's log (so the choice
syncs, stays in the history and can be reversed), read back before it is reported.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from studyplan import store
from studyplan.errors import InputError, LogError
from studyplan.model import Card, Suspension

if TYPE_CHECKING:
    from studyplan.app import Study


def set_suspended(study: Study, card: Card, on: bool) -> Suspension:
    """Suspend (`on`) or unsuspend the card; an InputError if it already is."""
    if card.suspended == on:
        state = "suspended" if on else "not suspended"
        how = f"studyplan unsuspend {card.id!r}" if on else f"studyplan suspend {card.id!r}"
        raise InputError(f"{card.title} is already {state}; nothing to change (see '{how}')")
    entry = Suspension(card=card.id, at=study.now, on=on, title=card.title, id=os.urandom(6).hex())
    path = study.paths.log_path(study.device)
    table, fields = store.suspension_table(entry)
    with store.locked(path):
        store.append(path, table, fields)
        written = store.read_log(path).suspensions
    if entry not in written:
        raise LogError(f"{path}: the {table} entry for {card.id} did not read back; try again")
    return entry
