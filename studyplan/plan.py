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
from studyplan.memory import CardState, apply, make_scheduler
from studyplan.model import DayStamp, Policy, Rating, Review, Roadmap


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
) -> Plan:
    """Queues for `days` days from `start` (default: today). Days between today and
    `start` are simulated too, so a plan made on Sunday for next week starts from where
    Sunday's study would leave the learner."""
    first = start or today
    if first < today:
        raise ValueError("a plan cannot start before today")
    scheduler = make_scheduler(policy)
    # Expected minutes come from the real history only: simulated sessions would just
    # echo the estimate back.
    estimator = schedule.Estimator.build(states, policy)
    memories = {card_id: state.memory for card_id, state in states.items()}
    current = dict(states)
    shown: list[schedule.Queue] = []
    day = today
    while len(shown) < days:
        q = schedule.queue(roadmap, current, day, policy, budget, estimator, graph)
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
            apply(memories, DayStamp(review, day), policy, scheduler, graph)
        current = {i: CardState(s.card, memories[i]) for i, s in current.items()}
        day += timedelta(days=1)
    return Plan(days=tuple(shown), assume=assume, budget=budget)


def iso_week(day: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week that holds `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)
