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
from typing import NamedTuple

from fsrs import Card as FsrsCard
from fsrs import Rating as FsrsRating
from fsrs import Scheduler, State
from fsrs.scheduler import FUZZ_RANGES

from studyplan.model import Card, DayStamp, Kind, Mark, Policy, Review, Roadmap


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


class Memory(NamedTuple):
    """What the reviews of one card add up to: the FSRS state and a few running totals.

    It does not hold the reviews themselves, so a snapshot of every card's memory plus the
    reviews logged since is enough to know where the learner stands, however long the
    history. A NamedTuple (immutable, and quick to load for ten thousand cards).
    """

    reviewed: int = 0  # how many reviews
    first: date | None = None
    last: date | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: date | None = None
    lapses: int = 0
    minutes_total: int = 0
    minutes_count: int = 0
    last_day_reviews: int = 0  # how many reviews on the last study day
    last_at: datetime | None = None  # the newest review folded in, for ordering checks
    last_id: str = ""

    def follows(self, review: Review) -> bool:
        """Can `review` be folded in after what this memory holds (time order kept)?"""
        return self.last_at is None or (self.last_at, self.last_id) < (review.at, review.id)


EMPTY = Memory()


class CardState(NamedTuple):
    """A roadmap card with its memory."""

    card: Card
    memory: Memory = EMPTY

    @property
    def studied(self) -> bool:
        return self.memory.reviewed > 0

    @property
    def stability(self) -> float | None:
        return self.memory.stability

    @property
    def difficulty(self) -> float | None:
        return self.memory.difficulty

    @property
    def due(self) -> date | None:
        return self.memory.due

    @property
    def lapses(self) -> int:
        return self.memory.lapses

    @property
    def first(self) -> date | None:
        return self.memory.first

    @property
    def last(self) -> date | None:
        return self.memory.last

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


def extend(
    memory: Memory, card_id: str, stamp: DayStamp, policy: Policy, scheduler: Scheduler
) -> Memory:
    """The memory after one more review, which must follow the ones already in it."""
    when = _midnight(stamp.day)
    numeric_id = zlib.crc32(card_id.encode())
    if memory.stability is None or memory.difficulty is None or memory.last is None:
        fsrs_card = FsrsCard(card_id=numeric_id, state=State.Learning, due=when)
    else:
        # Without learning steps a studied card is always in the Review state, so these
        # fields are all py-fsrs needs to continue exactly where it left off.
        fsrs_card = FsrsCard(
            card_id=numeric_id,
            state=State.Review,
            stability=memory.stability,
            difficulty=memory.difficulty,
            due=_midnight(memory.due or stamp.day),
            last_review=_midnight(memory.last),
        )
    review = stamp.review
    rating = FsrsRating(int(review.rating))
    fsrs_card, _ = scheduler.review_card(fsrs_card, rating, review_datetime=when)
    interval = (fsrs_card.due - when).days
    if policy.fuzz:
        interval = fuzzed(interval, f"{card_id}/{review.id}", policy.maximum_interval)
    logged = review.minutes is not None
    return Memory(
        reviewed=memory.reviewed + 1,
        first=memory.first or stamp.day,
        last=stamp.day,
        stability=fsrs_card.stability,
        difficulty=fsrs_card.difficulty,
        due=stamp.day + timedelta(days=interval),
        lapses=memory.lapses + (1 if rating is FsrsRating.Again and memory.reviewed else 0),
        minutes_total=memory.minutes_total + (review.minutes or 0),
        minutes_count=memory.minutes_count + (1 if logged else 0),
        last_day_reviews=memory.last_day_reviews + 1 if memory.last == stamp.day else 1,
        last_at=review.at,
        last_id=review.id,
    )


def order(stamps: Iterable[DayStamp]) -> list[DayStamp]:
    """Reviews in the order they happened (ties broken by id, so every reader agrees)."""
    return sorted(stamps, key=lambda s: (s.review.at, s.review.id))


def fold(
    stamps: Iterable[DayStamp],
    policy: Policy,
    memories: dict[str, Memory] | None = None,
    scheduler: Scheduler | None = None,
) -> dict[str, Memory]:
    """Every card's memory (orphans included) after these reviews, on top of `memories`.
    Raises ValueError if a review is older than what a memory already holds."""
    scheduler = scheduler or make_scheduler(policy)
    out = dict(memories or {})
    for stamp in order(stamps):
        card_id = stamp.review.card
        memory = out.get(card_id, EMPTY)
        if not memory.follows(stamp.review):
            raise ValueError(f"review {stamp.review.id} is older than the memory of {card_id}")
        out[card_id] = extend(memory, card_id, stamp, policy, scheduler)
    return out


def replay(
    card: Card, stamps: Sequence[DayStamp], policy: Policy, scheduler: Scheduler
) -> CardState:
    """One card's state from its reviews."""
    own = [s for s in stamps if s.review.card == card.id]
    return CardState(card, fold(own, policy, scheduler=scheduler).get(card.id, EMPTY))


def states(roadmap: Roadmap, memories: dict[str, Memory]) -> dict[str, CardState]:
    """Every roadmap card with its memory; cards never studied get an empty one."""
    return {card.id: CardState(card, memories.get(card.id, EMPTY)) for card in roadmap.cards}


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

    @classmethod
    def build(cls, cards_states: Iterable[CardState], policy: Policy) -> Gate:
        lowest: int | None = None
        for state in cards_states:
            number = state.card.section
            if number is None or (lowest is not None and number >= lowest):
                continue  # cannot lower the answer: skip the costlier check
            if not satisfied(state, policy):
                lowest = number
        return cls(open_below=float("inf") if lowest is None else lowest)

    def section_open(self, section: int | None) -> bool:
        return section is None or section <= self.open_below

    def locked(self, state: CardState, all_states: dict[str, CardState], policy: Policy) -> bool:
        """Is this a new card that may not be introduced yet?"""
        card = state.card
        if state.studied or card.done or card.skipped:
            return False
        if not self.section_open(card.section):
            return True
        for other in (card.parent, *card.requires) if card.parent else card.requires:
            required = all_states.get(other)
            if required is not None and not satisfied(required, policy):
                return True
        return False


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
    for other in (card.parent, *card.requires) if card.parent else card.requires:
        required = all_states.get(other)
        if required is not None and not satisfied(required, policy) and required.card not in found:
            found.append(required.card)
    return tuple(found)


# --- minutes -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Estimator:
    """Expected minutes: the card's own logged average, else its note's `estimate`, else
    the learner's average for its kind (from 3 logged sessions on), else the default."""

    per_card: dict[str, float]
    per_kind: dict[Kind, float]
    policy: Policy

    @classmethod
    def build(cls, all_states: dict[str, CardState], policy: Policy) -> Estimator:
        per_card: dict[str, float] = {}
        totals: dict[Kind, list[int]] = defaultdict(lambda: [0, 0])
        for card_id, state in all_states.items():
            memory = state.memory
            if memory.minutes_count:
                per_card[card_id] = memory.minutes_total / memory.minutes_count
                totals[state.card.kind][0] += memory.minutes_total
                totals[state.card.kind][1] += memory.minutes_count
        per_kind = {k: total / n for k, (total, n) in totals.items() if n >= 3}
        return cls(per_card=per_card, per_kind=per_kind, policy=policy)

    def minutes(self, card: Card) -> int:
        if card.id in self.per_card:
            return max(1, round(self.per_card[card.id]))
        if card.estimate is not None:
            return card.estimate
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
    studied_today: tuple[CardState, ...]  # cards reviewed on this day
    sessions_today: int  # reviews logged on this day
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

    studied_today = tuple(s for s in all_states.values() if s.memory.last == day)
    new_today = sum(1 for s in studied_today if s.memory.first == day)
    reviews_today = sum(s.memory.last_day_reviews for s in studied_today if (s.first or day) < day)
    new_room = max(0, policy.new_per_day - new_today)
    review_room = max(0, policy.reviews_per_day - reviews_today)

    due: list[Entry] = []
    fresh: list[Entry] = []
    locked = 0
    next_due: date | None = None
    for card in roadmap.cards:
        state = all_states[card.id]
        if card.mark is Mark.SKIPPED:
            continue
        when = state.memory.due
        if when is not None:  # studied
            if when <= day:
                recall = state.retrievability(scheduler, day)
                due.append(Entry(state, False, estimator.minutes(card), recall))
            elif next_due is None or when < next_due:
                next_due = when
        elif card.mark is not Mark.DONE:
            if gate.locked(state, all_states, policy):
                locked += 1
            else:
                fresh.append(Entry(state, True, estimator.minutes(card), None))

    due.sort(key=lambda e: (e.retrievability or 0.0, e.state.due or day, e.card.order))
    reviews, due_out, left = _fit(due, review_room, budget, skip=True)
    new, new_out, _ = _fit(fresh, new_room, left, skip=False)
    return Queue(
        day=day,
        reviews=tuple(reviews),
        new=tuple(new),
        studied_today=studied_today,
        sessions_today=sum(s.memory.last_day_reviews for s in studied_today),
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
    exact = query.strip()
    tiers = (  # evaluated one after the other: the first that matches anything wins
        lambda c: c.id == exact,
        lambda c: c.title.casefold() == needle or c.id.casefold() == needle,
        lambda c: needle in c.title.casefold() or needle in c.id,
    )
    for test in tiers:
        found = tuple(c for c in cards if test(c))
        if found:
            return Match(found)
    import difflib

    titles = {c.title.casefold(): c for c in cards}
    close = difflib.get_close_matches(needle, list(titles), n=3, cutoff=0.6)
    return Match((), tuple(titles[t] for t in close))
