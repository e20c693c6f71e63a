"""What the report shows, as plain values: worked out from the states, the activity and
the reviews, with no I/O and no clock (the day is given). The renderers (`svg.py`,
`page.py`) only draw these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from studyplan.graph import Graph
from studyplan.memory import CardState, earned
from studyplan.model import DayStamp, Rating, Roadmap
from studyplan.progress import MATURE_DAYS, ForecastDay, SectionProgress

STATES = ("not-yet", "new", "learning", "mature", "due", "overdue")
STABILITY_BUCKETS = ((0, 1), (1, 3), (3, 7), (7, 21), (21, 60), (60, 180), (180, 36500))


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    title: str
    section: int | None
    state: str  # one of STATES
    credited: bool  # some of its stability came from credit


@dataclass(frozen=True, slots=True)
class Month:
    month: str  # "2026-11"
    reviews: int  # later-day reviews (a first session is no test of memory)
    passed: int  # of them not rated again

    @property
    def retention(self) -> float:
        return self.passed / self.reviews if self.reviews else 0.0


@dataclass(frozen=True, slots=True)
class Report:
    title: str
    roadmap: str  # the roadmap file's name
    day: date
    heatmap: tuple[tuple[date, int, int], ...]  # (day, reviews, minutes), a year to `day`
    streak: int
    sections: tuple[SectionProgress, ...]
    forecast: tuple[ForecastDay, ...]
    budget: int | None
    retention: tuple[Month, ...]
    desired: float
    stability: tuple[tuple[str, int], ...]  # (bucket, cards)
    nodes: tuple[Node, ...]
    edges: tuple[tuple[str, str, float], ...]  # (from, to, weight)


def heatmap(activity: dict[date, tuple[int, int]], day: date) -> tuple[tuple[date, int, int], ...]:
    """The 371 days (53 weeks) that end on `day`, each with its reviews and minutes."""
    first = day - timedelta(days=370)
    return tuple(
        (first + timedelta(days=n), *activity.get(first + timedelta(days=n), (0, 0)))
        for n in range(371)
    )


def retention(stamps: Iterable[DayStamp]) -> tuple[Month, ...]:
    """Per month: reviews of topics studied on an earlier day, and how many were not
    rated again (the share of reviews recalled, against the desired retention)."""
    seen: dict[str, date] = {}
    months: dict[str, list[int]] = {}
    for stamp in sorted(stamps, key=lambda s: (s.review.at, s.review.id)):
        card = stamp.review.card
        first = seen.setdefault(card, stamp.day)
        if stamp.day == first:
            continue
        slot = months.setdefault(f"{stamp.day.year}-{stamp.day.month:02d}", [0, 0])
        slot[0] += 1
        slot[1] += stamp.review.rating is not Rating.AGAIN
    return tuple(Month(m, n, ok) for m, (n, ok) in sorted(months.items()))


def state_of(state: CardState, day: date, locked: bool) -> str:
    """The colour a topic gets on the map."""
    memory = state.memory
    if memory.due is None:
        return "not-yet" if locked or state.card.done else "new"
    if memory.due < day:
        return "overdue"
    if memory.due == day:
        return "due"
    return "mature" if earned(memory) >= MATURE_DAYS else "learning"


def nodes(
    roadmap: Roadmap, states: dict[str, CardState], day: date, locked: set[str]
) -> tuple[Node, ...]:
    return tuple(
        Node(
            card.id,
            card.title,
            card.section,
            state_of(states[card.id], day, card.id in locked),
            states[card.id].memory.credits > 0
            or any(gain > 0 for _, _, gain in states[card.id].memory.lent),
        )
        for card in roadmap.cards
        if not card.skipped
    )


def edges(graph: Graph, ids: set[str]) -> tuple[tuple[str, str, float], ...]:
    return tuple(
        (e.source, e.target, e.weight) for e in graph.edges if e.source in ids and e.target in ids
    )


def stability(states: Iterable[CardState]) -> tuple[tuple[str, int], ...]:
    """Studied topics by stability: how long their memories are expected to last."""
    counts = [0] * len(STABILITY_BUCKETS)
    for state in states:
        value = state.memory.stability
        if value is None or state.memory.due is None:
            continue
        for n, (low, high) in enumerate(STABILITY_BUCKETS):
            if low <= value < high:
                counts[n] += 1
                break
    labels = [f"{low}–{high} d" if high < 36500 else f"{low}+ d" for low, high in STABILITY_BUCKETS]
    return tuple(zip(labels, counts, strict=True))
