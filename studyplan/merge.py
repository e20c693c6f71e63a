"""Many log files, one history: sync tools copy and fork logs (Dropbox's "laptop
(conflicted copy 2026-12-05).toml", Syncthing's "laptop.sync-conflict-….toml", a drive's
"laptop (1).toml"), and learners copy entries by hand. Every review id counts once.
Pure.

The rule when one id appears more than once: identical entries (same card, rating,
moment, minutes and title) are one review, silently. Entries that differ are a conflict:
the one in a device's own log wins over one in a conflict copy; between equals, the
earlier moment, then the file name that sorts first. The others are reported, never
counted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from studyplan.model import Review

_COPY = re.compile(
    r"(?:\s*\((?:[^)]*conflict[^)]*|\d+)\)"  # Dropbox, Nextcloud, Google Drive: "x (1)"
    r"|\.sync-conflict-[\w-]*"  # Syncthing
    r"|[-_ ]conflict(?:ed)?[-_ ].*"  # OneDrive and others: "x-conflict-…"
    r"|\s\d+)$",  # iCloud: "x 2"
    re.IGNORECASE,
)


def copy_of(stem: str) -> str | None:
    """The device whose log this file is a sync tool's copy of, or None for a device's
    own log (`laptop (conflicted copy 2026-12-05)` → `laptop`)."""
    match = _COPY.search(stem)
    if match is None or match.start() == 0:
        return None
    return stem[: match.start()]


class Conflict(NamedTuple):
    """One id logged twice with different content: `kept` counts, `dropped` does not."""

    kept: Review
    dropped: Review


def _content(r: Review) -> tuple[object, ...]:
    return (r.card, r.rating, r.at, r.minutes, r.title)


def _preference(review: Review) -> tuple[bool, object, str]:
    device = review.device or ""
    return (copy_of(device) is not None, review.at, device)


def merge(reviews: list[Review]) -> tuple[list[Review], list[Conflict]]:
    """Each id once, in the order first seen; the conflicts found."""
    chosen: dict[str, Review] = {}
    repeated: dict[str, list[Review]] = {}
    for review in reviews:
        first = chosen.get(review.id)
        if first is None:
            chosen[review.id] = review
        else:
            repeated.setdefault(review.id, [first]).append(review)
    conflicts: list[Conflict] = []
    for ident, copies in repeated.items():
        best = min(copies, key=_preference)
        chosen[ident] = best
        for other in copies:
            if other is not best and _content(other) != _content(best):
                conflicts.append(Conflict(best, other))
    return list(chosen.values()), conflicts


def key(ident: str) -> int:
    """A review id as a 64-bit number, to remember which ids a snapshot holds in a
    compact sorted array. Ids studyplan writes are 12 hex digits and map exactly; any
    other is hashed (a collision only costs a full refold)."""
    if len(ident) <= 16:
        try:
            return int(ident, 16)
        except ValueError:
            pass
    import hashlib

    return int.from_bytes(hashlib.blake2b(ident.encode(), digest_size=8).digest(), "big")


def holds(keys: Sequence[int], ident: str) -> bool:
    """Is `ident` among the sorted `keys` (an array of 64-bit numbers)?"""
    from bisect import bisect_left

    wanted = key(ident)
    at = bisect_left(keys, wanted)
    return at < len(keys) and keys[at] == wanted
