"""The coming days, simulated. Pure: no files, no clock.

Each plan day is exactly what `today` would list on that day (the same `schedule.queue`
call) if the learner studied everything planned before it and rated it as assumed. The
simulated reviews live only in memory; nothing is written to the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from studyplan import schedule
from studyplan.graph import EMPTY_GRAPH, Graph
from studyplan.memory import Calibration, CardState, Fsrs, apply, balance_for, state
from studyplan.model import DayStamp, Mark, Policy, Rating, Review, Roadmap

OPEN_MARKS = (Mark.OPEN, Mark.OTHER)


@dataclass(frozen=True, slots=True)
class Plan:
    days: tuple[schedule.Queue, ...]
    assume: Rating
    budget: int | None

    @property
    def minutes(self) -> int:
        return sum(day.minutes for day in self.days)

    @property
    def topics(self) -> int:
        return sum(len(day.reviews) + len(day.new) for day in self.days)


def simulate(
    roadmap: Roadmap,
    states: dict[str, CardState],
    policy: Policy,
    today: date,
    days: int,
    *,
    start: date | None = None,
    assume: Rating = Rating.GOOD,
    budget: int | None = None,
    graph: Graph = EMPTY_GRAPH,
    calibration: Calibration | None = None,
    spent: int = 0,
    away: frozenset[date] = frozenset(),
) -> Plan:
    """Queues for `days` days from `start` (default: today). Days between today and
    `start` are simulated too, so a plan made on Sunday for next week starts from where
    Sunday's study would leave the learner. `spent`: minutes already logged today."""
    first = start or today
    if first < today:
        raise ValueError("a plan cannot start before today")
    scheduler = Fsrs(policy)
    # Expected minutes come from the real history only: simulated sessions would just
    # echo the estimate back.
    estimator = schedule.Estimator.build(states, policy)
    memories = {card_id: state.memory for card_id, state in states.items()}
    # Credit in the plan is scaled as it is today; assumed ratings teach it nothing.
    frozen = (calibration or Calibration()).copy(frozen=True)
    current = dict(states)
    touched: list[str] = []
    load = balance_for(policy, memories)  # simulated reviews are balanced as real ones
    shown: list[schedule.Queue] = []
    day = today
    while len(shown) < days:
        q = schedule.queue(
            roadmap,
            current,
            day,
            policy,
            budget,
            estimator,
            graph,
            frozen,
            spent=spent if day == today else 0,
            away=away,
        )
        if day >= first:
            shown.append(q)
        for entry in (*q.reviews, *q.new):
            review = Review(
                id=f"plan-{day.isoformat()}-{entry.card.id}",
                card=entry.card.id,
                rating=assume,
                at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
                minutes=entry.minutes,
                title=entry.card.title,
            )
            touched += apply(
                memories, DayStamp(review, day), policy, scheduler, graph, frozen, load
            )
        for card_id in touched:
            if card_id in current:
                current[card_id] = state(current[card_id].card, memories[card_id])
        touched.clear()
        day += timedelta(days=1)
    return Plan(days=tuple(shown), assume=assume, budget=budget)


def iso_week(day: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week that holds `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


@dataclass(frozen=True, slots=True)
class Pace:
    """Can every remaining topic be introduced by `by`, and at how many new a day?"""

    by: date
    remaining: int  # topics not yet studied (ticked [x] and [-] ones are not counted)
    days: int  # study days from today through `by`
    current: int  # the configured new topics per day
    introduced: int  # how many the current pace introduces by `by`
    finished: date | None  # the day the current pace introduces the last one (if by `by`)
    floor: int  # ceil(remaining / days): the pace if nothing else held topics back
    needed: int | None  # the least new per day that makes it; None = not under this budget
    reached: int  # how many the highest pace tried (`remaining` a day) introduces by `by`

    @property
    def on_track(self) -> bool:
        return self.introduced >= self.remaining


def _introduced(result: Plan) -> tuple[int, date | None]:
    count, last = 0, None
    for q in result.days:
        if q.new:
            count += len(q.new)
            last = q.day
    return count, last


def reviews_never_hold_new(policy: Policy, budget: int | None) -> bool:
    """Without a time budget, and with the default gate (a card opens what waits for it
    once studied), which new cards a day brings does not depend on the reviews at all:
    `introductions` may then count them without simulating any review."""
    return (
        budget is None
        and policy.daily_minutes is None
        and policy.gate == "studied"
        and policy.gate_stability <= 0
    )


def introductions(
    roadmap: Roadmap,
    states: dict[str, CardState],
    policy: Policy,
    today: date,
    days: int,
    graph: Graph = EMPTY_GRAPH,
) -> tuple[int, date | None]:
    """How many new cards `simulate` would introduce in `days` days from today, and the
    last day it introduces one, when `reviews_never_hold_new`: the same gate, limits and
    order as `schedule.queue`, with no review simulated and the gate kept incrementally
    (a pace search runs this a dozen times over hundreds of cards)."""
    gate = schedule.Gate.build(states, policy, today, graph=graph)
    satisfied = {card_id for card_id, s in states.items() if gate.satisfied(s)}
    unsatisfied: dict[int, int] = {}  # per rank: cards that still hold later sections
    for s in states.values():
        number = schedule.rank(s.card, policy)
        if number is not None and s.card.id not in satisfied:
            unsatisfied[number] = unsatisfied.get(number, 0) + 1
    pending = [
        (card, schedule.rank(card, policy), gate.waits_for(card))
        for card in roadmap.cards
        if not card.skipped and not card.done and not states[card.id].studied
    ]
    # What was studied this morning already used up some of today's new topics.
    new_today = sum(1 for s in states.values() if s.memory.last == today == s.memory.first)
    count, last = 0, None
    for offset in range(days):
        day = today + timedelta(days=offset)
        lowest = min((n for n, left in unsatisfied.items() if left), default=None)
        open_below = float("inf") if lowest is None else lowest
        room = round(policy.new_per_day * policy.weight(day)) - (new_today if offset == 0 else 0)
        taken: list[int] = []
        for index, (_, number, waits) in enumerate(pending):
            if len(taken) >= room:
                break
            if number is not None and number > open_below:
                continue
            if all(w in satisfied or w not in states for w in waits):
                taken.append(index)
        if not taken:
            continue
        for index in taken:
            card, number, _ = pending[index]
            satisfied.add(card.id)
            if number is not None:
                unsatisfied[number] -= 1
        chosen = set(taken)
        pending = [p for i, p in enumerate(pending) if i not in chosen]
        count, last = count + len(taken), day
        if not pending:
            break
    return count, last


def pace(
    roadmap: Roadmap,
    states: dict[str, CardState],
    policy: Policy,
    today: date,
    by: date,
    *,
    assume: Rating = Rating.GOOD,
    budget: int | None = None,
    graph: Graph = EMPTY_GRAPH,
    calibration: Calibration | None = None,
) -> Pace:
    """Simulate the days through `by` at the configured pace, then search for the least
    new-per-day that introduces every remaining topic in time (gates, budget and easy
    days included: a later section opens only the day after the one before it is done).
    Where reviews cannot hold new topics back, the days are counted without them."""
    if by < today:
        raise ValueError("the goal date is before today")
    days = (by - today).days + 1
    remaining = sum(
        1
        for card in roadmap.cards
        if not states[card.id].studied and card.mark in OPEN_MARKS and not card.suspended
    )
    fast = reviews_never_hold_new(policy, budget)
    runs: dict[int, tuple[int, date | None]] = {}

    def run(per_day: int) -> tuple[int, date | None]:
        if per_day not in runs:
            paced = policy._replace(new_per_day=per_day)
            if fast:
                runs[per_day] = introductions(roadmap, states, paced, today, days, graph)
            else:
                plan = simulate(
                    roadmap,
                    states,
                    paced,
                    today,
                    days,
                    assume=assume,
                    budget=budget,
                    graph=graph,
                    calibration=calibration,
                )
                runs[per_day] = _introduced(plan)
        return runs[per_day]

    introduced, finished = run(policy.new_per_day)
    floor = -(-remaining // days)
    needed: int | None = None
    reached = introduced
    if introduced >= remaining:  # on track: is a slower pace enough too?
        low = max(floor, 1) if remaining else 0
        while 0 < low < policy.new_per_day and run(low)[0] < remaining:
            low += 1
        needed = min(low, policy.new_per_day)
    else:
        # More new a day never introduces fewer: gallop up from the least pace that could
        # do (the answer is usually near it), then bisect; `remaining` a day is the most.
        top = max(remaining, 1)
        reached = run(top)[0]  # out of reach even so (a budget, a late gate)? Then stop.
        if reached >= remaining:
            low = max(floor, policy.new_per_day + 1)
            high = min(low, top)
            while high < top and run(high)[0] < remaining:
                low = high + 1
                high = min(high * 2, top)
            while low < high:
                middle = (low + high) // 2
                if run(middle)[0] >= remaining:
                    high = middle
                else:
                    low = middle + 1
            needed = low
    return Pace(
        by=by,
        remaining=remaining,
        days=days,
        current=policy.new_per_day,
        introduced=min(introduced, remaining),
        finished=finished if introduced >= remaining else None,
        floor=floor,
        needed=needed,
        reached=min(reached, remaining),
    )
