"""FSRS memory states, prerequisite gates and the daily queue. Pure: every function takes
the study day it is about; nothing here reads the clock or a file.

Time counts in local study days. Each review is placed at midnight UTC of its study day
before py-fsrs sees it, so py-fsrs (which counts whole 24-hour blocks in UTC) counts
exactly the study days between two reviews.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from random import Random

from fsrs import Card as FsrsCard
from fsrs import Rating as FsrsRating
from fsrs import Scheduler, State
from fsrs.scheduler import FUZZ_RANGES

from studyplan.model import Card, DayStamp, Kind, Policy, Roadmap


def make_scheduler(policy: Policy) -> Scheduler:
    """Whole-day intervals: no learning or relearning steps (a topic is studied once a day)."""
    kwargs = {"parameters": policy.parameters} if policy.parameters else {}
    return Scheduler(
        desired_retention=policy.desired_retention,
        learning_steps=(),
        relearning_steps=(),
        maximum_interval=policy.maximum_interval,
        enable_fuzzing=False,  # fuzz is applied below, seeded, so replays are repeatable
        **kwargs,
    )


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def fuzzed(interval: int, seed: str, maximum: int) -> int:
    """py-fsrs's fuzz ranges, but drawn from a generator seeded by the review."""
    if interval < 3:
        return interval
    delta = 1.0
    for band in FUZZ_RANGES:
        delta += band["factor"] * max(min(float(interval), band["end"]) - band["start"], 0.0)
    high = min(round(interval + delta), maximum)
    low = min(max(2, round(interval - delta)), high)
    return min(low + int(Random(seed).random() * (high - low + 1)), maximum)


@dataclass(frozen=True, slots=True)
class CardState:
    """A card's memory, derived from its reviews up to some day."""

    card: Card
    stamps: tuple[DayStamp, ...]
    stability: float | None = None
    difficulty: float | None = None
    due: date | None = None  # None: never studied
    lapses: int = 0

    @property
    def studied(self) -> bool:
        return bool(self.stamps)

    @property
    def last(self) -> date | None:
        return self.stamps[-1].day if self.stamps else None

    @property
    def first(self) -> date | None:
        return self.stamps[0].day if self.stamps else None

    def retrievability(self, scheduler: Scheduler, day: date) -> float | None:
        """Predicted recall on `day`; None before the first study."""
        if self.stability is None or self.last is None:
            return None
        probe = FsrsCard(
            card_id=1,
            state=State.Review,
            stability=self.stability,
            difficulty=self.difficulty,
            due=_midnight(day),
            last_review=_midnight(self.last),
        )
        return scheduler.get_card_retrievability(probe, current_datetime=_midnight(day))


def extend(state: CardState, stamp: DayStamp, policy: Policy, scheduler: Scheduler) -> CardState:
    """The card's state after one more review (which must not be older than the last)."""
    when = _midnight(stamp.day)
    card_id = zlib.crc32(state.card.id.encode())
    if state.stability is None or state.difficulty is None or state.last is None:
        memory = FsrsCard(card_id=card_id, state=State.Learning, due=when)
    else:
        # Without learning steps a studied card is always in the Review state, so these
        # fields are all py-fsrs needs to continue exactly where the replay left off.
        memory = FsrsCard(
            card_id=card_id,
            state=State.Review,
            stability=state.stability,
            difficulty=state.difficulty,
            due=_midnight(state.due or stamp.day),
            last_review=_midnight(state.last),
        )
    rating = FsrsRating(int(stamp.review.rating))
    memory, _ = scheduler.review_card(memory, rating, review_datetime=when)
    interval = (memory.due - when).days
    if policy.fuzz:
        seed = f"{state.card.id}/{stamp.review.id}"
        interval = fuzzed(interval, seed, policy.maximum_interval)
    lapse = rating is FsrsRating.Again and state.studied
    return CardState(
        card=state.card,
        stamps=(*state.stamps, stamp),
        stability=memory.stability,
        difficulty=memory.difficulty,
        due=stamp.day + timedelta(days=interval),
        lapses=state.lapses + (1 if lapse else 0),
    )


def replay(
    card: Card, stamps: Sequence[DayStamp], policy: Policy, scheduler: Scheduler
) -> CardState:
    """Run a card's reviews through FSRS in order."""
    state = CardState(card=card, stamps=())
    for stamp in stamps:
        state = extend(state, stamp, policy, scheduler)
    return state


def group_stamps(stamps: Iterable[DayStamp]) -> dict[str, list[DayStamp]]:
    """Reviews per card id, in the order they happened."""
    grouped: dict[str, list[DayStamp]] = defaultdict(list)
    for stamp in sorted(stamps, key=lambda s: (s.review.at, s.review.id)):
        grouped[stamp.review.card].append(stamp)
    return grouped


Memo = dict[str, tuple[int, tuple[float | None, float | None, date | None, int]]]
"""Replay results per card id, keyed by a checksum of the card's reviews: lets a caller
keep them between runs so only cards with new reviews go through FSRS again."""


def _reviews_key(stamps: Sequence[DayStamp]) -> int:
    text = "|".join(f"{s.review.id}:{s.day.toordinal()}:{int(s.review.rating)}" for s in stamps)
    return zlib.crc32(text.encode())


def states(
    roadmap: Roadmap, stamps: Iterable[DayStamp], policy: Policy, memo: Memo | None = None
) -> dict[str, CardState]:
    """Every roadmap card's memory state. Reviews of cards no longer in the roadmap are
    left out here (they stay in the log). `memo`, if given, is read and updated; it must
    only ever be used with the same policy."""
    scheduler = make_scheduler(policy)
    grouped = group_stamps(stamps)
    out: dict[str, CardState] = {}
    for card in roadmap.cards:
        own = grouped.get(card.id, [])
        if memo is None or not own:
            out[card.id] = replay(card, own, policy, scheduler)
            continue
        key = _reviews_key(own)
        known = memo.get(card.id)
        if known is not None and known[0] == key:
            stability, difficulty, due, lapses = known[1]
            out[card.id] = CardState(card, tuple(own), stability, difficulty, due, lapses)
        else:
            state = replay(card, own, policy, scheduler)
            memo[card.id] = (key, (state.stability, state.difficulty, state.due, state.lapses))
            out[card.id] = state
    return out


# --- prerequisite gate -------------------------------------------------------------


def satisfied(state: CardState, policy: Policy) -> bool:
    """Does this card stop blocking later sections (and its children)?"""
    card = state.card
    if card.done or card.skipped:
        return True
    if not state.studied:
        return False
    return policy.gate_stability <= 0 or (state.stability or 0.0) >= policy.gate_stability


@dataclass(frozen=True, slots=True)
class Gate:
    """Which sections are open: a numbered section opens when every card of the numbered
    sections before it is satisfied. Unnumbered sections are never gated."""

    open_below: float  # sections with a number ≤ this are open
    first_blocking: int | None  # the lowest section that still holds unsatisfied cards

    @classmethod
    def build(cls, cards_states: Iterable[CardState], policy: Policy) -> Gate:
        lowest: int | None = None
        for state in cards_states:
            number = state.card.section
            if number is not None and not satisfied(state, policy):
                lowest = number if lowest is None else min(lowest, number)
        return cls(open_below=float("inf") if lowest is None else lowest, first_blocking=lowest)

    def section_open(self, section: int | None) -> bool:
        return section is None or section <= self.open_below


def blockers(
    state: CardState, all_states: dict[str, CardState], policy: Policy
) -> tuple[Card, ...]:
    """The cards that keep a new card locked: earlier sections, then its parent."""
    card = state.card
    found: list[Card] = []
    if card.section is not None:
        found = [
            other.card
            for other in all_states.values()
            if other.card.section is not None
            and other.card.section < card.section
            and not satisfied(other, policy)
        ]
    parent = all_states.get(card.parent) if card.parent else None
    if parent is not None and not satisfied(parent, policy):
        found.append(parent.card)
    return tuple(found)


# --- minutes -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Estimator:
    """Expected minutes: the card's own logged average, else the learner's average for its
    kind (from 3 logged sessions on), else the configured default."""

    per_card: dict[str, float]
    per_kind: dict[Kind, float]
    policy: Policy

    @classmethod
    def build(cls, all_states: dict[str, CardState], policy: Policy) -> Estimator:
        per_card: dict[str, float] = {}
        kind_minutes: dict[Kind, list[int]] = defaultdict(list)
        for card_id, state in all_states.items():
            logged = [s.review.minutes for s in state.stamps if s.review.minutes is not None]
            if logged:
                per_card[card_id] = sum(logged) / len(logged)
                kind_minutes[state.card.kind].extend(logged)
        per_kind = {k: sum(v) / len(v) for k, v in kind_minutes.items() if len(v) >= 3}
        return cls(per_card=per_card, per_kind=per_kind, policy=policy)

    def minutes(self, card: Card) -> int:
        if card.id in self.per_card:
            return max(1, round(self.per_card[card.id]))
        if card.kind in self.per_kind:
            return max(1, round(self.per_kind[card.kind]))
        return self.policy.minutes.for_kind(card.kind)


# --- the daily queue -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the day's queue."""

    state: CardState
    new: bool
    minutes: int
    retrievability: float | None

    @property
    def card(self) -> Card:
        return self.state.card


@dataclass(frozen=True, slots=True)
class Queue:
    day: date
    reviews: tuple[Entry, ...]
    new: tuple[Entry, ...]
    studied_today: tuple[DayStamp, ...]
    due_left_out: int  # due today but over the daily limit or the time budget
    new_left_out: int  # unlocked new cards over the daily limit or the time budget
    next_due: date | None  # the first day after this one that has a review
    locked: int  # new cards still behind the gate
    budget: int | None

    @property
    def minutes(self) -> int:
        return sum(e.minutes for e in self.reviews) + sum(e.minutes for e in self.new)


def queue(
    roadmap: Roadmap,
    all_states: dict[str, CardState],
    day: date,
    policy: Policy,
    budget: int | None = None,
    estimator: Estimator | None = None,
) -> Queue:
    """What to study on `day`: due reviews most at-risk first, then new cards that the
    gate allows in document order, within the daily limits and the time budget."""
    scheduler = make_scheduler(policy)
    estimator = estimator or Estimator.build(all_states, policy)
    gate = Gate.build(all_states.values(), policy)

    studied_today = tuple(
        stamp for state in all_states.values() for stamp in state.stamps if stamp.day == day
    )
    new_today = sum(1 for s in all_states.values() if s.first == day)
    reviews_today = sum(
        1 for stamp in studied_today if (all_states[stamp.review.card].first or day) < day
    )
    new_room = max(0, policy.new_per_day - new_today)
    review_room = max(0, policy.reviews_per_day - reviews_today)

    due: list[Entry] = []
    fresh: list[Entry] = []
    locked = 0
    next_due: date | None = None
    for card in roadmap.cards:
        state = all_states[card.id]
        if card.skipped:
            continue
        if state.studied:
            assert state.due is not None
            if state.due <= day:
                due.append(
                    Entry(
                        state, False, estimator.minutes(card), state.retrievability(scheduler, day)
                    )
                )
            elif next_due is None or state.due < next_due:
                next_due = state.due
        elif not card.done:
            parent = all_states.get(card.parent) if card.parent else None
            if gate.section_open(card.section) and (parent is None or satisfied(parent, policy)):
                fresh.append(Entry(state, True, estimator.minutes(card), None))
            else:
                locked += 1

    due.sort(key=lambda e: (e.retrievability or 0.0, e.state.due or day, e.card.order))
    reviews, due_out, left = _fit(due, review_room, budget, skip=True)
    new, new_out, _ = _fit(fresh, new_room, left, skip=False)
    return Queue(
        day=day,
        reviews=tuple(reviews),
        new=tuple(new),
        studied_today=studied_today,
        due_left_out=due_out,
        new_left_out=new_out,
        next_due=next_due,
        locked=locked,
        budget=budget,
    )


def _fit(
    entries: list[Entry], room: int, budget: int | None, *, skip: bool
) -> tuple[list[Entry], int, int | None]:
    """Take entries in order up to `room` and the budget. Reviews (`skip`) pass over one
    that does not fit for a shorter one; new cards keep prerequisite order and stop."""
    taken: list[Entry] = []
    for entry in entries:
        if len(taken) >= room:
            break
        if budget is not None:
            if entry.minutes > budget:
                if skip:
                    continue
                break
            budget -= entry.minutes
        taken.append(entry)
    return taken, len(entries) - len(taken), budget


# --- finding a card from what the learner typed --------------------------------------


@dataclass(frozen=True, slots=True)
class Match:
    cards: tuple[Card, ...]
    suggestions: tuple[Card, ...] = ()


def find(cards: Sequence[Card], query: str) -> Match:
    """An exact id or title wins over partial matches; partial matches are
    case-insensitive substrings of the title or the id."""
    needle = query.strip().casefold()
    if not needle:
        return Match(())
    tiers = (
        [c for c in cards if c.id == query.strip()],
        [c for c in cards if c.title.casefold() == needle or c.id.casefold() == needle],
        [c for c in cards if needle in c.title.casefold() or needle in c.id],
    )
    for tier in tiers:
        if tier:
            return Match(tuple(tier))
    import difflib

    titles = {c.title.casefold(): c for c in cards}
    close = difflib.get_close_matches(needle, list(titles), n=3, cutoff=0.6)
    return Match((), tuple(titles[t] for t in close))
