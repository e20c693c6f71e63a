"""Where the learner stands, read fast however long the history: a snapshot of every
card's memory (`cache/snapshot-<version>.pickle`) plus the reviews appended to the logs since.

The snapshot is derived data. It is used only while it provably matches the logs (each
file's read position is guarded by inode and CRC) and the settings it was made with;
otherwise, and whenever the tail cannot simply be added on (an undo of an older review,
a review older than one already folded in, `--now` before the newest review), everything
is folded again from the full logs.
"""

from __future__ import annotations

import contextlib
import os
from array import array
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from studyplan import memory
from studyplan.graph import EMPTY_GRAPH, Graph
from studyplan.merge import Conflict, holds, key, merge
from studyplan.model import (
    Away,
    DayStamp,
    LogProblem,
    Move,
    Policy,
    Postpone,
    Review,
    Suspension,
    resolve_moves,
    suspended,
)
from studyplan.store import (
    Home,
    LogFile,
    Mark,
    advance,
    conflict_problems,
    load_cache,
    log_files,
    read_log_parts,
    save_cache,
    unread_logs,
)
from studyplan.words import plural

SNAPSHOT_VERSION = 19
SAVE_EVERY = 100


def worth_saving(tail: int, cards: int) -> bool:
    """Rewrite the snapshot for `tail` newly folded reviews? Saving costs in proportion to
    the cards (10,000 take ~0.1 s); leaving them costs every later command a refold of the
    tail, and with it py-fsrs's import (~10 ms). So a small roadmap saves at once, and a
    big one every SAVE_EVERY reviews."""
    return tail >= min(SAVE_EVERY, 1 + cards // 100)


Activity = dict[date, tuple[int, int]]
"""Per study day: (reviews, minutes logged)."""


def tally(stamps: Iterable[DayStamp], activity: Activity | None = None) -> Activity:
    """`activity` with these reviews added."""
    out = dict(activity or {})
    for stamp in stamps:
        reviews, minutes = out.get(stamp.day, (0, 0))
        out[stamp.day] = (reviews + 1, minutes + (stamp.review.minutes or 0))
    return out


class Snapshot(NamedTuple):
    """Every card's memory after the logs' settled parts up to `marks`; never changed in
    place (a new one replaces it)."""

    version: int
    policy: Policy
    day_start_hour: int
    marks: dict[str, Mark]
    memories: dict[str, memory.Memory]
    problems: list[LogProblem]
    undone: set[str]
    reviews: int
    newest: datetime | None
    activity: Activity
    moves: list[Move]
    graph: tuple[tuple[str, str, float, str], ...]  # Graph.key it was folded with
    suspensions: list[Suspension]
    seen: array[int]  # sorted `merge.key` of every review id folded in (counted or undone)
    calibration: memory.Calibration  # the transfer learned from the audits folded in
    postpones: list[Postpone]  # applied when read (`postponement.overlay`), never folded
    aways: list[Away]  # planned breaks (`studyplan away`)


class Standing(NamedTuple):
    """Every card's memory (orphans too) as of `now`, and the log entries that could not
    be read."""

    memories: dict[str, memory.Memory]
    problems: tuple[LogProblem, ...]
    reviews: int
    rebuilt: bool  # the snapshot could not be used (for tests and figures)
    activity: Activity  # reviews and minutes per study day
    suspended: frozenset[str] = frozenset()  # card ids out of review (`studyplan suspend`)
    ahead: tuple[Review, ...] = ()  # reviews dated after now: not counted yet
    calibration: memory.Calibration | None = None  # the transfer learned so far
    aways: tuple[Away, ...] = ()  # planned breaks, not cancelled


def snapshot_path(home: Home) -> Path:
    """Named by its version, so that a newer or older studyplan on the same machine never
    reads a snapshot whose records it does not know (it folds its own instead)."""
    return home.cache_dir / f"snapshot-{SNAPSHOT_VERSION}.pickle"


def _save(home: Home, snapshot: Snapshot) -> None:
    path = snapshot_path(home)
    save_cache(path, snapshot)
    with contextlib.suppress(OSError):  # a read-only home still works
        for other in home.cache_dir.glob("snapshot*.pickle"):
            if other != path:
                other.unlink()  # another version's: it would rebuild its own


def standing(
    home: Home,
    policy: Policy,
    day_start_hour: int,
    now: datetime,
    graph: Graph = EMPTY_GRAPH,
    device: str | None = None,
) -> Standing:
    """The memories as of `now`, from the snapshot and the logs' tails when possible;
    logs that cannot be read, and other devices' reviews dated after now, reported."""
    found = _standing(home, policy, day_start_hour, now, graph)
    extra = [*unread_logs(home), *ahead_problems(found.ahead, now, device)]
    return found._replace(problems=(*found.problems, *extra)) if extra else found


def ahead_problems(
    reviews: tuple[Review, ...], now: datetime, device: str | None
) -> list[LogProblem]:
    """Other devices' reviews dated more than a day after now: counted from their date,
    and reported (is that device's clock right?). This device's own are `--now` travel."""
    from datetime import timedelta

    limit = now + timedelta(days=1)
    by_device: dict[str, list[Review]] = {}
    for review in reviews:
        if review.at > limit and review.device != device:
            by_device.setdefault(review.device or "?", []).append(review)
    found = []
    for name, later in sorted(by_device.items()):
        n, first = len(later), min(r.at for r in later)
        found.append(
            LogProblem(
                f"{name}.toml",
                0,
                f"{name}'s log has {plural(n, 'review')} dated "
                f"{first.date().isoformat()}{' and later' if n > 1 else ''}, after now: is "
                "that device's clock right? (counted from that date)",
            )
        )
    return found


def _standing(
    home: Home,
    policy: Policy,
    day_start_hour: int,
    now: datetime,
    graph: Graph = EMPTY_GRAPH,
) -> Standing:
    cached = load_cache(snapshot_path(home))
    if (
        isinstance(cached, Snapshot)
        and cached.version == SNAPSHOT_VERSION
        and cached.policy == policy
        and cached.day_start_hour == day_start_hour
        and cached.graph == _key(policy, graph)
        and (cached.newest is None or cached.newest <= now)
    ):
        result = _update(home, cached, now, graph, full=False)
        if result is not None:
            return result
    fresh = Snapshot(
        version=SNAPSHOT_VERSION,
        policy=policy,
        day_start_hour=day_start_hour,
        marks={},
        memories={},
        problems=[],
        undone=set(),
        reviews=0,
        newest=None,
        activity={},
        moves=[],
        graph=_key(policy, graph),
        suspensions=[],
        seen=array("Q"),
        calibration=memory.Calibration(),
        postpones=[],
        aways=[],
    )
    # The logs' own caches only pay when a snapshot has to be folded again (a setting
    # changed, an old review undone): on a first run, the snapshot about to be written is
    # all the next run needs, and pickling a decade of entries was a tenth of that run.
    result = _update(home, fresh, now, graph, full=True, keep_logs=cached is not None)
    assert result is not None  # a full fold starts from nothing, so it cannot conflict
    return result


def _stamps(reviews: list[Review], hour: int) -> list[DayStamp]:
    """`clock.study_day` of each review, inlined: a first run does it for every review."""
    from datetime import timedelta

    start = timedelta(hours=hour)
    return [DayStamp(r, (r.at - start).date()) for r in reviews]


def _key(policy: Policy, graph: Graph) -> tuple[tuple[str, str, float, str], ...]:
    return graph.key if policy.graph else ()


def _merged(
    settled: list[Review], extra: list[Review]
) -> tuple[list[Review], list[Review], list[Conflict]]:
    """Each review id once (`merge`), split back into settled and pending entries."""
    if not settled and not extra:
        return settled, extra, []
    kept, conflicts = merge([*settled, *extra])
    if len(kept) == len(settled) + len(extra):
        return settled, extra, []  # no id repeats: the common case, nothing to split
    settled_ids = {r.id for r in settled}
    return (
        [r for r in kept if r.id in settled_ids],
        [r for r in kept if r.id not in settled_ids],
        conflicts,
    )


def _update(
    home: Home, snap: Snapshot, now: datetime, graph: Graph, *, full: bool, keep_logs: bool = True
) -> Standing | None:
    """Add what the logs hold beyond `snap`; None if that cannot be done by adding."""
    files = log_files(home)
    if not full and set(snap.marks) - {str(p) for p in files}:
        return None  # a log file disappeared
    settled, extra = LogFile(), LogFile()
    marks: dict[str, Mark] = {}
    for path in files:
        if full:
            done, pending, mark = read_log_parts(path, home.cache_dir, save=keep_logs)
        else:
            data = path.read_bytes()
            step = advance(path, data, os.stat(path).st_ino, snap.marks.get(str(path)))
            if step is None:
                return None
            done, pending, mark = step
        settled.extend(done)
        extra.extend(pending)
        marks[str(path)] = mark

    if not full and any(holds(snap.seen, r.id) for r in (*settled.reviews, *extra.reviews)):
        return None  # an id the snapshot holds already (a copied log, a copied entry)
    settled_reviews, extra_reviews, conflicts = _merged(settled.reviews, extra.reviews)
    new_ids = {r.id for r in settled_reviews} | {r.id for r in extra_reviews}
    settled_undone = {u.review for u in settled.undos}
    extra_undone = {u.review for u in extra.undos}
    if not full and (settled_undone | extra_undone) - snap.undone - new_ids:
        return None  # an undo of a review that is already folded into the snapshot
    if not full and (settled.moves or extra.moves):
        return None  # a rename changes whose history older reviews are: fold again
    moves = [*snap.moves, *settled.moves]
    renamed = resolve_moves([*moves, *extra.moves])
    suspensions = [*snap.suspensions, *settled.suspensions]
    postpones = list({p.id: p for p in [*snap.postpones, *settled.postpones]}.values())
    aways = list({a.id: a for a in [*snap.aways, *settled.aways]}.values())
    undone = snap.undone | settled_undone
    base = [
        r._replace(card=renamed[r.card]) if r.card in renamed else r
        for r in settled_reviews
        if r.id not in undone and r.id not in extra_undone
    ]
    counted = [r for r in base if r.at <= now]
    policy, hour = snap.policy, snap.day_start_hour
    scheduler = memory.Fsrs(policy)
    stamps = _stamps(counted, hour)
    calibration = snap.calibration.copy()  # a fold that fails half-way leaves no trace
    try:
        memories = memory.fold(stamps, policy, snap.memories, scheduler, graph, calibration)
    except ValueError:
        return None  # a review older than one already folded in: fold everything again
    activity = tally(stamps, snap.activity)
    problems = [*snap.problems, *settled.problems, *conflict_problems(files, conflicts)]
    total = snap.reviews + len(counted)
    saving = full or worth_saving(len(counted), len(memories))
    if saving and len(counted) == len(base) and not extra.undos and not extra.moves:
        newest = max((r.at for r in counted), default=snap.newest)
        if snap.newest is not None and newest is not None:
            newest = max(newest, snap.newest)
        saved = Snapshot(
            SNAPSHOT_VERSION,
            policy,
            hour,
            marks,
            memories,
            problems,
            undone,
            total,
            newest,
            activity,
            moves,
            snap.graph,
            suspensions,
            array("Q", sorted([*snap.seen, *(key(r.id) for r in settled_reviews)])),
            calibration.copy(),
            postpones,
            aways,
        )
        _save(home, saved)

    late = [
        r._replace(card=renamed[r.card]) if r.card in renamed else r
        for r in extra_reviews
        if r.id not in undone | extra_undone and r.at <= now
    ]
    if late:
        late_stamps = _stamps(late, hour)
        activity = tally(late_stamps, activity)
        settled_calibration = calibration
        calibration = settled_calibration.copy()
        try:
            memories = memory.fold(late_stamps, policy, memories, scheduler, graph, calibration)
        except ValueError:
            if not full:
                return None
            calibration = memory.Calibration()
            memories = memory.fold(
                stamps + late_stamps, policy, None, scheduler, graph, calibration
            )
    from studyplan.postponement import overlay

    standing_postpones = [*postpones, *extra.postpones]
    return Standing(
        memories=overlay(memories, standing_postpones, renamed, undone | extra_undone, hour, now),
        problems=(*problems, *extra.problems),
        reviews=total + len(late),
        rebuilt=full,
        activity=activity,
        suspended=suspended(
            [*suspensions, *extra.suspensions], renamed, now, undone | extra_undone
        ),
        ahead=tuple(r for r in (*base, *extra_reviews) if r.at > now),
        calibration=calibration,
        aways=tuple(
            a
            for a in {a.id: a for a in [*aways, *extra.aways]}.values()
            if a.id not in undone | extra_undone and a.at <= now
        ),
    )
