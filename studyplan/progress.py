"""Where the learner stands on the roadmap and how much work is coming. Pure.

Streaks and recent totals come from the ledger's `Activity` (reviews and minutes per
study day), so they never need the whole history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from studyplan.graph import EMPTY_GRAPH, Graph
from studyplan.ledger import Activity
from studyplan.memory import CardState, Fsrs, earned
from studyplan.model import Card, Mark, Policy, Roadmap
from studyplan.schedule import Estimator, Gate, rank

MATURE_DAYS = 21.0  # stability from which a topic counts as mature, as in Anki


def streak(activity: Activity, today: date) -> int:
    """Consecutive study days up to today (or up to yesterday, while today is young)."""
    day = today if today in activity else today - timedelta(days=1)
    count = 0
    while day in activity:
        count += 1
        day -= timedelta(days=1)
    return count


def window(activity: Activity, today: date, days: int) -> tuple[int, int]:
    """(reviews, minutes) over the last `days` study days, today included."""
    first = today - timedelta(days=days - 1)
    picked = [v for d, v in activity.items() if first <= d <= today]
    return sum(r for r, _ in picked), sum(m for _, m in picked)


@dataclass(frozen=True, slots=True)
class SectionProgress:
    number: int | None
    title: str
    total: int  # cards that count (skipped ones do not)
    studied: int  # reviewed at least once
    mature: int  # stability from explicit reviews ≥ MATURE_DAYS (credit does not count)
    done: int  # ticked [x] without a review here
    skipped: int
    locked: int  # new cards held back: by the section gate, a parent or a prerequisite
    recall: float | None  # mean predicted recall now of the studied cards
    rank: int | None = None  # its place in the study order (`schedule.rank`)
    open: bool = True  # the section gate lets its cards in (they may still wait for others)


@dataclass(frozen=True, slots=True)
class Progress:
    day: date
    sections: tuple[SectionProgress, ...]
    recall: float | None
    next_section: SectionProgress | None  # the first section still locked
    blocking: tuple[Card, ...]  # what keeps it locked
    streak: int
    last7: tuple[int, int]
    last30: tuple[int, int]

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def studied(self) -> int:
        return sum(s.studied for s in self.sections)

    @property
    def mature(self) -> int:
        return sum(s.mature for s in self.sections)

    @property
    def done(self) -> int:
        return sum(s.done for s in self.sections)


def build(
    roadmap: Roadmap,
    states: dict[str, CardState],
    activity: Activity,
    today: date,
    policy: Policy,
    scheduler: Fsrs,
    graph: Graph = EMPTY_GRAPH,
) -> Progress:
    gate = Gate.build(states, policy, today, scheduler, graph)
    groups: dict[tuple[int | None, str], list[CardState]] = {}
    for card in roadmap.cards:
        groups.setdefault((card.section, card.section_title), []).append(states[card.id])
    sections = []
    all_recalls: list[float] = []
    for (number, title), members in groups.items():
        place = rank(members[0].card, policy)
        counted = [s for s in members if not s.card.skipped]
        recalls = [r for s in counted if (r := s.retrievability(scheduler, today)) is not None]
        all_recalls += recalls
        sections.append(
            SectionProgress(
                number=number,
                title=title,
                total=len(counted),
                studied=sum(1 for s in counted if s.studied),
                mature=sum(1 for s in counted if earned(s.memory) >= MATURE_DAYS),
                done=sum(1 for s in counted if s.card.mark is Mark.DONE and not s.studied),
                skipped=len(members) - len(counted),
                locked=sum(1 for s in counted if gate.locked(s)),
                recall=sum(recalls) / len(recalls) if recalls else None,
                rank=place,
                open=place is None or place <= gate.open_below,
            )
        )
    # The next section is the first the section gate still closes, and what it waits
    # for is what the gate waits for: never "locked" beside "every section is open".
    closed = sorted((s for s in sections if not s.open), key=lambda s: s.rank or 0)
    next_section = closed[0] if closed else None
    blocking: tuple[Card, ...] = ()
    if next_section is not None and next_section.rank is not None:
        limit = next_section.rank
        blocking = tuple(
            s.card
            for s in states.values()
            if (theirs := rank(s.card, policy)) is not None
            and theirs < limit
            and not gate.satisfied(s)
        )
    return Progress(
        day=today,
        sections=tuple(sections),
        recall=sum(all_recalls) / len(all_recalls) if all_recalls else None,
        next_section=next_section,
        blocking=blocking,
        streak=streak(activity, today),
        last7=window(activity, today, 7),
        last30=window(activity, today, 30),
    )


@dataclass(frozen=True, slots=True)
class ForecastDay:
    day: date
    reviews: int
    minutes: int


def forecast(
    roadmap: Roadmap, states: dict[str, CardState], today: date, days: int, policy: Policy
) -> tuple[ForecastDay, ...]:
    """Reviews falling due on each coming day, by the cards' current due dates (overdue
    ones on the first day); no new cards, no simulated answers."""
    estimator = Estimator.build(states, policy)
    last = today + timedelta(days=days - 1)
    counts: dict[date, list[int]] = {today + timedelta(days=n): [0, 0] for n in range(days)}
    for card in roadmap.cards:
        state = states[card.id]
        if state.due is None or card.skipped or state.due > last:
            continue
        slot = counts[max(state.due, today)]
        slot[0] += 1
        slot[1] += estimator.minutes(card)
    return tuple(ForecastDay(day, r, m) for day, (r, m) in counts.items())


def backlog_cleared(
    roadmap: Roadmap,
    states: dict[str, CardState],
    today: date,
    policy: Policy,
    budget: int | None,
    away: frozenset[date] = frozenset(),
    horizon: int = 365,
) -> date | None:
    """The first day on which every review due by then fits the day's limits (count and
    time budget, scaled by the day's weight; none on a break), taking the oldest first:
    when a backlog is cleared at this pace. The cards' current due dates only (the
    reviews done meanwhile come back later, after the day this names), so it is cheap
    enough for `today` on ten thousand cards. None beyond `horizon` days."""
    estimator = Estimator.build(states, policy)
    due: dict[date, list[int]] = {}
    for card in roadmap.cards:
        state = states[card.id]
        if state.due is None or card.skipped or card.suspended:
            continue
        due.setdefault(max(state.due, today), []).append(estimator.minutes(card))
    waiting: list[int] = []
    for n in range(horizon):
        day = today + timedelta(days=n)
        waiting += due.get(day, [])
        if day in away:
            continue
        weight = policy.weight(day)
        room = policy.reviews_per_day
        minutes = None if budget is None else round(budget * weight)
        taken = 0
        for length in waiting:
            if taken >= room or (minutes is not None and length > minutes and taken):
                break
            taken += 1
            if minutes is not None:
                minutes -= length
        waiting = waiting[taken:]
        if not waiting:
            return day
    return None
