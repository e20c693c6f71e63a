"""Prerequisite gates, repetition compression and the daily queue. Pure: every function
takes the study day it is about; nothing here reads the clock or a file."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

from studyplan.graph import EMPTY_GRAPH, Graph
from studyplan.memory import (
    Calibration,
    CardState,
    Fsrs,
    creditable,
    credited,
    fresh,
    recall,
    transfer,
)
from studyplan.model import Card, Kind, Mark, Policy, Roadmap
from studyplan.words import plural

# --- prerequisite gate -------------------------------------------------------------


class Blocker(NamedTuple):
    """A card that keeps a new card locked, and why."""

    card: Card
    reason: str  # "not studied yet", "re-locked: rated again on 2026-11-25", …

    @property
    def relocks(self) -> bool:
        return self.reason.startswith("re-locked")


def rank(card: Card, policy: Policy) -> int | None:
    """Where the card's section stands in the study order, by `Policy.section_gate`:
    its number ("numbers"; a roadmap without numbers is numbered by position), its
    position ("document"), or nowhere ("none": sections never wait for each other)."""
    if policy.section_gate == "numbers":
        return card.section
    if policy.section_gate == "document":
        return card.section_index
    return None


@dataclass(frozen=True, slots=True)
class Gate:
    """Which new cards may be introduced on `day`. A numbered section opens when every
    card of the numbered sections before it is satisfied (unnumbered sections are never
    gated); a card also waits for its parent and its prerequisites.

    Satisfied means, by `Policy.gate`: "studied" — studied once (and `gate_stability`
    reached, if set); "relearning" — and not rated again since it was last passed;
    "stable" — and its recall today is at least `gate_recall`.
    """

    open_below: float  # sections with a number ≤ this are open
    states: dict[str, CardState]
    policy: Policy
    day: date
    scheduler: Fsrs
    graph: Graph = EMPTY_GRAPH
    _index: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(
        cls,
        states: dict[str, CardState],
        policy: Policy,
        day: date,
        scheduler: Fsrs | None = None,
        graph: Graph = EMPTY_GRAPH,
    ) -> Gate:
        gate = cls(0.0, states, policy, day, scheduler or Fsrs(policy), graph)
        lowest: int | None = None
        for state in states.values():
            number = rank(state.card, policy)
            if number is None or (lowest is not None and number >= lowest):
                continue  # cannot lower the answer: skip the costlier check
            if not gate.satisfied(state):
                lowest = number
        return cls(
            float("inf") if lowest is None else lowest, states, policy, day, gate.scheduler, graph
        )

    def why_not(self, state: CardState) -> str | None:
        """None if the card stops blocking others, else the reason it does not."""
        card, memory, policy = state.card, state.memory, self.policy
        if card.done or card.skipped:
            return None
        if not state.studied:
            return "not studied yet"
        if policy.gate != "studied" and memory.relearning:
            return f"re-locked: rated again on {memory.last}"
        if policy.gate_stability > 0 and (memory.stability or 0.0) < policy.gate_stability:
            return f"stability {memory.stability or 0:.1f} d < {policy.gate_stability:g} d"
        if policy.gate == "stable":
            now = recall(memory, self.scheduler, self.day) or 0.0
            if now < policy.gate_recall:
                return f"recall {now:.0%} < {policy.gate_recall:.0%}"
        return None

    def satisfied(self, state: CardState) -> bool:
        card = state.card
        if card.done or card.skipped:
            return True
        if not state.memory.reviewed:
            return False
        if self.policy.gate == "studied" and self.policy.gate_stability <= 0:
            return True  # the default gate: studied once is enough (the fast path)
        return self.why_not(state) is None

    def waits_for(self, card: Card) -> tuple[str, ...]:
        """Its parent, what it is made after (a topic: its resources), then its
        prerequisites."""
        required = (*card.after, *self.graph.requires(card.id))
        return (card.parent, *required) if card.parent else required

    def locked(self, state: CardState) -> bool:
        """Is this a new card that may not be introduced yet?"""
        card = state.card
        if state.studied or card.done or card.skipped:
            return False
        return self._held(state, self.open_below, None)

    def blockers(self, state: CardState) -> tuple[Blocker, ...]:
        """What keeps a new card locked: earlier sections, then its parent and
        prerequisites."""
        card = state.card
        found: dict[str, Blocker] = {}
        candidates: list[CardState] = []
        mine = rank(card, self.policy)
        if mine is not None:
            candidates = [
                other
                for other in self.states.values()
                if (theirs := rank(other.card, self.policy)) is not None and theirs < mine
            ]
        candidates += [self.states[i] for i in self.waits_for(card) if i in self.states]
        for other in candidates:
            if other.card.id in found or self.satisfied(other):
                continue
            reason = self.why_not(other)
            if reason is not None:
                found[other.card.id] = Blocker(other.card, reason)
        return tuple(found.values())

    def unlocks(self, state: CardState) -> tuple[Card, ...]:
        """The new cards that satisfying this one would open (alone, today): the sections
        its being the last unsatisfied card of its section opens, its children and the
        cards that require it. Looks only at those, not at every card."""
        card = state.card
        if self.satisfied(state):
            return ()
        by_section, children = self._indexes()
        opened = self.open_below
        mine = rank(card, self.policy)
        if mine is not None and mine == opened:
            others = (o for o in by_section[mine] if o.card.id != card.id)
            if all(self.satisfied(o) for o in others):  # the last one of its section
                later = sorted(n for n in by_section if n > mine)
                opened = next(
                    (n for n in later if not all(map(self.satisfied, by_section[n]))),
                    float("inf"),
                )
        candidates: list[CardState] = []
        for number, members in by_section.items():
            if self.open_below < number <= opened:
                candidates += members
        near = (*children.get(card.id, ()), *self.graph.dependents(card.id))
        candidates += [self.states[i] for i in near if i in self.states]
        found: dict[str, Card] = {}
        for other in candidates:
            if other.card.id == card.id or other.card.id in found:
                continue
            if self.locked(other) and not self._held(other, opened, card.id):
                found[other.card.id] = other.card
        return tuple(sorted(found.values(), key=lambda c: c.order))

    def _held(self, state: CardState, open_below: float, passed: str | None) -> bool:
        """Held back by the gate with sections up to `open_below` open and `passed` (if
        any) counted as satisfied: its section, its parent or a prerequisite."""
        card = state.card
        mine = rank(card, self.policy)
        if mine is not None and mine > open_below:
            return True
        for other in self.waits_for(card):
            required = self.states.get(other)
            if other != passed and required is not None and not self.satisfied(required):
                return True
        return False

    def _indexes(self) -> tuple[dict[int, list[CardState]], dict[str, list[str]]]:
        """Cards per section and children per parent, built once per gate."""
        if not self._index:
            by_section: dict[int, list[CardState]] = {}
            children: dict[str, list[str]] = {}
            for state in self.states.values():
                card = state.card
                if card.parent is not None:
                    children.setdefault(card.parent, []).append(card.id)
                mine = rank(card, self.policy)
                if mine is not None:
                    by_section.setdefault(mine, []).append(state)
            self._index.update(by_section=by_section, children=children)
        return self._index["by_section"], self._index["children"]


# --- minutes -------------------------------------------------------------------------


class Estimator(NamedTuple):
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
        if card.estimate is not None:  # one sitting of a longer topic
            return min(card.estimate, max(self.policy.session_minutes, 1))
        if card.kind in self.per_kind:
            return max(1, round(self.per_kind[card.kind]))
        return self.policy.minutes.for_kind(card.kind)


# --- the daily queue -----------------------------------------------------------------


class Entry(NamedTuple):
    """One line of the day's queue, and why it is there."""

    state: CardState
    new: bool
    minutes: int
    retrievability: float | None
    covers: tuple[Card, ...] = ()  # due cards this review stands in for
    pulled: int = 0  # days brought forward to cover them
    check: Card | None = None  # the failed card this one is a check for
    unlocks: tuple[Card, ...] = ()  # new cards: what studying it opens
    at_risk: float | None = None  # a covering review: the lowest recall among what it covers

    @property
    def card(self) -> Card:
        return self.state.card

    @property
    def why(self) -> str:
        """One line for `today`, `plan` and `show`."""
        if self.new:
            if not self.unlocks:
                return "next in roadmap order"
            names = ", ".join(c.title for c in self.unlocks[:3])
            more = f" and {len(self.unlocks) - 3} more" if len(self.unlocks) > 3 else ""
            return f"unlocks {names}{more}"
        parts: list[str] = []
        if self.check is not None:
            parts.append(f"check: a prerequisite of {self.check.title}, rated again")
        if self.covers:
            names = ", ".join(c.title for c in self.covers)
            days = plural(self.pulled, "day")
            parts.append(f"{days + ' early, ' if self.pulled else ''}covers {names}")
        if not parts:
            due = self.state.due.isoformat() if self.state.due else ""
            recall = self.retrievability
            parts.append(f"due {due}" + (f", recall {recall:.0%}" if recall is not None else ""))
        return "; ".join(parts)


class Queue(NamedTuple):
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
    relocked: tuple[Blocker, ...] = ()  # prerequisites whose `again` re-locks new cards
    weight: float = 1.0  # the day's share of budget and new topics (easy days)
    spent: int = 0  # minutes already logged on this day (taken off the budget)
    away: bool = False  # a planned break: nothing is listed

    @property
    def minutes(self) -> int:
        return sum(e.minutes for e in self.reviews) + sum(e.minutes for e in self.new)

    @property
    def covered(self) -> int:
        return sum(len(e.covers) for e in self.reviews)


def queue(
    roadmap: Roadmap,
    all_states: dict[str, CardState],
    day: date,
    policy: Policy,
    budget: int | None = None,
    estimator: Estimator | None = None,
    graph: Graph = EMPTY_GRAPH,
    calibration: Calibration | None = None,
    spent: int = 0,
    away: frozenset[date] = frozenset(),
    more: int = 0,
) -> Queue:
    """What to study on `day`: due reviews most at-risk first (compressed: a review that
    covers others stands in for them), then new cards that the gate allows in document
    order, within the daily limits and the time budget (both scaled by the day's weight).
    `spent` minutes already logged on `day` come off the budget, as the sessions already
    logged come off the count limits. On a day of a planned break (`away`) nothing is
    listed; on the day before one, reviews that would fall due in its first PULL_AHEAD
    days come now (they are close to due anyway), the rest wait until after it. `more`
    new cards come on top, beyond the daily limit and the budget: the learner asked."""
    scheduler = Fsrs(policy)
    estimator = estimator or Estimator.build(all_states, policy)
    gate = Gate.build(all_states, policy, day, scheduler, graph)
    weight = policy.weight(day)
    if budget is None:
        budget = policy.daily_minutes
    if budget is not None:
        budget = max(0, round(budget * weight) - spent)

    studied_today = tuple(s for s in all_states.values() if s.memory.last == day)
    new_today = sum(1 for s in studied_today if s.memory.first == day)
    reviews_today = sum(s.memory.last_day_reviews for s in studied_today if (s.first or day) < day)
    new_room = max(0, round(policy.new_per_day * weight) - new_today)
    review_room = max(0, policy.reviews_per_day - reviews_today)

    due: list[Entry] = []
    soon: list[CardState] = []  # due within `cover_days`: may be pulled forward to cover
    unseen: list[CardState] = []  # new cards the gate lets in
    locked: list[CardState] = []
    next_due: date | None = None
    horizon = day + timedelta(days=policy.cover_days)
    pull = (
        {day + timedelta(days=n) for n in range(1, PULL_AHEAD + 1)} & away
        if away and day not in away
        else set()
    )
    for card in roadmap.cards:
        state = all_states[card.id]
        if card.skipped:
            continue
        when = state.memory.due
        if when is not None:  # studied
            if when <= day or when in pull:
                check = all_states.get(state.memory.check) if state.memory.check else None
                due.append(
                    Entry(
                        state,
                        False,
                        estimator.minutes(card),
                        state.retrievability(scheduler, day),
                        check=check.card if check else None,
                    )
                )
            else:
                if next_due is None or when < next_due:
                    next_due = when
                if when <= horizon:
                    soon.append(state)
        elif card.mark is not Mark.DONE and not state.studied:  # a resource, once read, is done
            (locked if gate.locked(state) else unseen).append(state)

    if policy.graph and graph.edges and due:
        scale = transfer(policy, calibration)
        due = compress(due, soon, all_states, day, policy, scheduler, graph, estimator, scale)
    due.sort(key=_urgency)
    reviews, due_out, left = _fit(due, review_room, budget, skip=True, alone=not spent)
    if any(e.covers for e in due):
        shown = {id(e) for e in reviews}
        due_out += sum(len(e.covers) for e in due if id(e) not in shown)
    new_entries = [Entry(s, True, estimator.minutes(s.card), None) for s in unseen]
    new, new_out, _ = _fit(new_entries, new_room, left, skip=False, alone=not spent and not reviews)
    if more > 0:  # asked for (`today --more N`): beyond the daily limit and the budget
        extra = new_entries[len(new) : len(new) + more]
        new, new_out = [*new, *extra], new_out - len(extra)
    new = [Entry(e.state, True, e.minutes, None, unlocks=gate.unlocks(e.state)) for e in new]
    relocked: dict[str, Blocker] = {}
    if policy.gate != "studied":
        for state in locked:
            for blocker in gate.blockers(state):
                if blocker.relocks:
                    relocked.setdefault(blocker.card.id, blocker)
    if day in away:  # a planned break: everything waits
        return Queue(
            day=day,
            reviews=(),
            new=(),
            studied_today=studied_today,
            sessions_today=sum(s.memory.last_day_reviews for s in studied_today),
            due_left_out=len(reviews) + due_out + sum(len(e.covers) for e in reviews),
            new_left_out=0,
            next_due=next_due,
            locked=len(locked),
            budget=budget,
            weight=weight,
            spent=spent,
            away=True,
        )
    return Queue(
        day=day,
        reviews=tuple(reviews),
        new=tuple(new),
        studied_today=studied_today,
        sessions_today=sum(s.memory.last_day_reviews for s in studied_today),
        due_left_out=due_out,
        new_left_out=new_out,
        next_due=next_due,
        locked=len(locked),
        budget=budget,
        relocked=tuple(relocked.values()),
        weight=weight,
        spent=spent,
    )


PULL_AHEAD = 2  # reviews due this many days into a break come the day before it


def _urgency(entry: Entry) -> tuple[float, date, int]:
    """Lowest recall first (a covering review ranks as its most at-risk covered card)."""
    recall = entry.retrievability or 0.0
    if entry.at_risk is not None:
        recall = min(recall, entry.at_risk)
    return (recall, entry.state.due or date.min, entry.card.order)


def compress(
    due: list[Entry],
    soon: list[CardState],
    all_states: dict[str, CardState],
    day: date,
    policy: Policy,
    scheduler: Fsrs,
    graph: Graph,
    estimator: Estimator,
    scale: float = 1.0,
) -> list[Entry]:
    """Repetition compression: a due card is covered by a due (or nearly due) card that
    exercises it when the credit from a good review of that card would leave it not due
    today. A covering card is shown once, marked "covers …"; a nearly-due card is pulled
    forward only when what it covers takes longer than it does, and never while it is
    fresh (`memory.fresh`: a topic studied yesterday is not asked for again today)."""
    by_id = {e.card.id: e for e in due}
    candidates = {s.card.id: s for s in soon if not fresh(s.memory, policy, scheduler, day)}
    covers: dict[str, list[str]] = defaultdict(list)
    for entry in due:
        memory = entry.state.memory
        if not creditable(memory, policy) or memory.check:
            continue  # a hard topic, or a check after a failure, is never left out
        for source, weight in graph.above(entry.card.id, policy.credit_floor).items():
            if source not in by_id and source not in candidates:
                continue
            if weight * scale <= 0:
                continue
            after = credited(memory, weight * scale, day, policy, scheduler)
            if after.due is not None and after.due > day:
                covers[source].append(entry.card.id)
    minutes = {e.card.id: e.minutes for e in due}

    def gain(source: str) -> int:
        return sum(minutes[i] for i in covers[source])

    removed: set[str] = set()
    chosen: dict[str, Entry] = {}
    order = sorted(covers, key=lambda i: (-gain(i), all_states[i].card.order))
    for source in order:
        if source in removed:
            continue
        covered = [i for i in covers[source] if i not in removed and i not in chosen]
        if not covered:
            continue
        if source in by_id:
            base = by_id[source]
        else:
            state = candidates[source]
            cost = estimator.minutes(state.card)
            if sum(minutes[i] for i in covered) <= cost:
                continue
            base = Entry(
                state,
                False,
                cost,
                state.retrievability(scheduler, day),
                pulled=((state.due or day) - day).days,
            )
        removed.update(covered)
        chosen[source] = Entry(
            base.state,
            False,
            base.minutes,
            base.retrievability,
            covers=tuple(all_states[i].card for i in covered),
            pulled=base.pulled,
            check=base.check,
            at_risk=min(by_id[i].retrievability or 0.0 for i in covered),
        )
    kept = [chosen.get(e.card.id, e) for e in due if e.card.id not in removed]
    kept += [e for i, e in chosen.items() if i not in by_id]
    return kept


def _fit(
    entries: list[Entry], room: int, budget: int | None, *, skip: bool, alone: bool = False
) -> tuple[list[Entry], int, int | None]:
    """Take entries in order up to `room` and the budget. Reviews (`skip`) pass over one
    that does not fit for a shorter one; new cards keep prerequisite order and stop. On
    a day with nothing on it yet (`alone`), the first entry is taken even when it alone
    is longer than the whole budget: otherwise a topic longer than the budget would
    never be listed at all."""
    taken: list[Entry] = []
    for entry in entries:
        if len(taken) >= room:
            break
        if budget is not None:
            if entry.minutes > budget:
                if alone and not taken and budget > 0:  # 0: a day off, or --minutes 0
                    taken.append(entry)
                    budget = 0
                    continue
                if skip:
                    continue
                break
            budget -= entry.minutes
        taken.append(entry)
    return taken, len(entries) - len(taken), budget


# --- finding a card from what the learner typed --------------------------------------


class Match(NamedTuple):
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
