"""Load balancing by minutes on and off: a simulated learner for 180 days.

    python bench/workload.py [--seeds 10] [--days 180]

The learner works through the bundled roadmap with `daily_minutes = 60` (graph
scheduling off, to see the workload alone), misses 10 % of days at random and takes a
two-week break (days 90-103), once without telling studyplan and once announced with
`studyplan away`. Each topic has its own true
duration (20-60 minutes, drawn once), which is what gets logged, so the expected minutes
learn it. Every session is recalled with the learner's true recall, rated good (15 %
hard, 15 % easy) or again. Two learners: one whose memory is exactly FSRS-6's defaults
(the scheduler's own model), and a faster forgetter (true stability 0.6 × the model's).

Printed per learner, means over seeds, balancing off → on: peak day (minutes studied),
days over the budget, the standard deviation of minutes studied per study day and of
minutes *due* per day (the load the schedule creates, before the budget trims it),
explicit reviews, and true recall of studied topics on the last day.
"""

from __future__ import annotations

import argparse
import heapq
import random
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from studyplan import balance, memory, schedule
from studyplan.model import DayStamp, Policy, Rating, Review, Roadmap
from studyplan.roadmap import parse

DATA = Path(__file__).resolve().parent.parent / "data"
START = date(2026, 1, 5)
BUDGET = 60
BREAK = range(90, 104)


@dataclass
class Outcome:
    studied: list[int]  # minutes studied per study day
    due: list[float]  # expected minutes due per day
    over: int = 0  # study days whose minutes studied went over the budget
    planned_over: int = 0  # days whose list (expected minutes) went over it
    reviews: int = 0
    introduced: int = 0  # new topics started
    lapses: int = 0  # reviews forgotten (rated again)
    true: float = 0.0


def run(
    roadmap: Roadmap,
    balance: bool,
    seed: int,
    days: int,
    forgetting: float,
    announced: bool = False,
    budget: int = BUDGET,
    record: list[dict[str, memory.Memory]] | None = None,
    short: bool = False,
) -> Outcome:
    """One learner; with `announced`, the break is told to studyplan (`studyplan away`);
    with `short`, `balance_short = true`. `record` gets each day's memories."""
    policy = Policy(
        fuzz=True, load_balance=balance, balance_short=short, graph=False, daily_minutes=budget
    )
    truth_policy = Policy(fuzz=False, graph=False)
    scheduler = memory.Fsrs(policy)
    rng = random.Random(seed)
    length = {c.id: rng.randint(20, 60) for c in roadmap.cards}
    missed = {d for d in range(days) if rng.random() < 0.1} | set(BREAK)
    away = frozenset(START + timedelta(days=d) for d in BREAK) if announced else frozenset()
    seen: dict[str, memory.Memory] = {}
    truth: dict[str, memory.Memory] = {}
    out = Outcome([], [])
    for offset in range(days):
        day = START + timedelta(days=offset)
        states = memory.states(roadmap, seen)
        if record is not None:
            record.append(seen)
        estimator = schedule.Estimator.build(states, policy)
        out.due.append(
            sum(
                estimator.minutes(s.card)
                for s in states.values()
                if s.memory.due is not None and s.memory.due == day
            )
        )
        if offset in missed:
            continue
        q = schedule.queue(roadmap, states, day, policy, away=away)
        out.planned_over += q.minutes > budget and len(q.reviews) + len(q.new) > 1
        stamps = []
        minutes = 0
        for n, entry in enumerate((*q.reviews, *q.new)):
            card = entry.card.id
            if entry.new:
                rating = Rating.GOOD
                out.introduced += 1
            else:
                out.reviews += 1
                held = truth.get(card, memory.EMPTY)
                recall = 0.0
                if held.stability is not None and held.since is not None:
                    recall = scheduler.recall(held.stability * forgetting, held.since, day)
                if rng.random() < recall:
                    rating = rng.choices([Rating.HARD, Rating.GOOD, Rating.EASY], (15, 70, 15))[0]
                else:
                    rating = Rating.AGAIN
                    out.lapses += 1
            at = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(minutes=n)
            review = Review(f"{offset:03d}-{n:02d}", card, rating, at, minutes=length[card])
            stamps.append(DayStamp(review, day))
            minutes += length[card]
        seen = memory.fold(stamps, policy, seen, scheduler)
        truth = memory.fold(stamps, truth_policy, truth, memory.Fsrs(truth_policy))
        out.studied.append(minutes)
        out.over += minutes > budget and len(stamps) > 1
    last = START + timedelta(days=days - 1)
    recalls = [
        scheduler.recall(m.stability * forgetting, m.since, last)
        for m in truth.values()
        if m.stability is not None and m.since is not None
    ]
    out.true = sum(recalls) / len(recalls)
    return out


ORDERS: dict[str, Callable[[schedule.Entry], tuple[Any, ...]]] = {
    # What waits when the due reviews do not fit the budget: the list takes them in this
    # order. studyplan's own rule first; the others only to measure it against.
    "lowest recall first": schedule._urgency,
    "highest recall first": lambda e: (-(e.retrievability or 0.0), e.card.order),
    "most overdue first": lambda e: (e.state.due or date.min, e.card.order),
    "roadmap order": lambda e: (e.card.order,),
}


def carry_orders(roadmap: Roadmap, seeds: int, days: int, budget: int) -> None:
    """The order of what is carried, measured: a tighter budget, so that reviews wait."""
    print(
        f"\nwhat waits first when reviews do not fit ({budget} min a day, faster forgetter, "
        "balancing on; means over seeds):"
    )
    try:
        for name, key in ORDERS.items():
            schedule._urgency = key  # type: ignore[assignment]
            outcomes = [
                run(roadmap, True, seed, days, 0.6, budget=budget) for seed in range(1, seeds + 1)
            ]
            true = statistics.mean(o.true for o in outcomes) * 100
            reviews = statistics.mean(o.reviews for o in outcomes)
            lapses = statistics.mean(o.lapses for o in outcomes)
            print(
                f"  {name:22} true recall {true:6.2f} %  explicit reviews {reviews:6.1f}  "
                f"forgotten {lapses:5.1f}"
            )
    finally:
        schedule._urgency = ORDERS["lowest recall first"]  # type: ignore[assignment]


class Told(balance.Load):
    """A balancer told in advance the minutes of the reviews that have no window (first
    reviews and relearning, due in under 3 days), as they fell in a previous run: more
    than any real balancer can know, to measure how far balancing could go."""

    told: ClassVar[dict[int, float]] = {}

    def pick(self, day: date, preferred: int, low: int, high: int, bits: int) -> int:
        low, high = max(low, preferred - balance.REACH), min(high, preferred + balance.REACH)
        start = day.toordinal()

        def score(days: int) -> float:
            key = start + days
            return (
                self.due.get(key, 0.0)
                + self.told.get(key, 0.0)
                + balance.DISTANCE * abs(days - preferred)
            )

        return min(range(low, high + 1), key=score)


def fixed(record: list[dict[str, memory.Memory]]) -> dict[int, float]:
    """Minutes per day (by ordinal) of the reviews due under 3 days after the last one."""
    out: dict[int, float] = {}
    for offset, seen in enumerate(record):
        day = START + timedelta(days=offset)
        for m in seen.values():
            if m.due == day and m.last is not None and (m.due - m.last).days < 3:
                out[day.toordinal()] = out.get(day.toordinal(), 0.0) + _minutes(m)
    return out


_minutes = balance.Load(Policy()).minutes  # a memory's expected minutes, as balancing counts


def packed(record: list[dict[str, memory.Memory]], days: int) -> float:
    """The sd of daily due minutes if the same reviews could go on any day at all: each,
    longest first, on the lightest day (no windows, no order; a floor, not a plan)."""
    items = sorted(
        (
            _minutes(m)
            for offset, seen in enumerate(record)
            for m in seen.values()
            if m.due == START + timedelta(days=offset)
        ),
        reverse=True,
    )
    heap = [0.0] * days
    for x in items:
        heapq.heapreplace(heap, heap[0] + x)
    return statistics.pstdev(heap)


def limits(roadmap: Roadmap, seeds: int, days: int) -> None:
    """How far balancing inside the window can go: the same learners, with balancers
    that know more or may move further than studyplan's."""
    print(
        "\nhow far balancing can go (sd of minutes due per day, means over seeds, change "
        "against plain fuzz):"
    )
    for name, forgetting in (("FSRS-6 defaults", 1.0), ("faster forgetter (0.6 × S)", 0.6)):
        rows: dict[str, list[float]] = defaultdict(list)
        reach = balance.REACH
        for seed in range(1, seeds + 1):
            record: list[dict[str, memory.Memory]] = []
            rows["plain fuzz (balancing off)"].append(
                statistics.pstdev(run(roadmap, False, seed, days, forgetting, record=record).due)
            )
            rows["perfect packing: any review on any day"].append(packed(record, days))
            rows["balancing (studyplan)"].append(
                statistics.pstdev(run(roadmap, True, seed, days, forgetting).due)
            )
            rows["balance_short = true: 1-2 day intervals too"].append(
                statistics.pstdev(run(roadmap, True, seed, days, forgetting, short=True).due)
            )
            try:
                balance.REACH = 10_000
                rows["balancing, the whole window weighed"].append(
                    statistics.pstdev(run(roadmap, True, seed, days, forgetting).due)
                )
            finally:
                balance.REACH = reach
            plain = balance.Load
            try:
                balance.Load = Told  # type: ignore[misc]
                Told.told = {}
                for _ in range(3):  # told where they fell last time, until it settles
                    record = []
                    outcome = run(roadmap, True, seed, days, forgetting, record=record)
                    Told.told = fixed(record)
                rows["balancing told where windowless reviews land"].append(
                    statistics.pstdev(outcome.due)
                )
            finally:
                balance.Load = plain  # type: ignore[misc]
        print(f"learner: {name}")
        base = statistics.mean(rows["plain fuzz (balancing off)"])
        for label, values in rows.items():
            value = statistics.mean(values)
            print(f"  {label:46} {value:6.1f}  {(value - base) / base:+.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument(
        "--orders", type=int, metavar="MINUTES", help="only compare carry orders at this budget"
    )
    parser.add_argument(
        "--limits", action="store_true", help="only measure how far balancing could go"
    )
    args = parser.parse_args()
    roadmap = parse((DATA / "ml-learning-path.md").read_text(encoding="utf-8"), "ml")
    if args.limits:
        limits(roadmap, args.seeds, args.days)
        return
    if args.orders:
        carry_orders(roadmap, args.seeds, args.days, args.orders)
        return
    print(
        f"{len(roadmap.cards)} topics, {args.days} days, daily_minutes = {BUDGET}, 10 % of days "
        f"missed, a break on days {BREAK.start}-{BREAK.stop - 1}; means over seeds "
        f"1-{args.seeds}, balancing off → on"
    )
    learners = (
        ("FSRS-6 defaults", 1.0, False, False),
        ("faster forgetter (0.6 × S)", 0.6, False, False),
        ("FSRS-6 defaults, the break announced (away)", 1.0, True, False),
        ("FSRS-6 defaults, balance_short = true", 1.0, False, True),
        ("faster forgetter, balance_short = true", 0.6, False, True),
        ("FSRS-6 defaults, away and balance_short = true", 1.0, True, True),
    )
    for name, forgetting, announced, short in learners:
        keys = ("peak", "planned", "over", "sd", "sd_due", "reviews", "introduced", "true")
        rows: dict[str, tuple[list[float], list[float]]] = {key: ([], []) for key in keys}
        for seed in range(1, args.seeds + 1):
            for column, balanced in ((0, False), (1, True)):
                o = run(roadmap, balanced, seed, args.days, forgetting, announced, short=short)
                rows["peak"][column].append(max(o.studied))
                rows["planned"][column].append(o.planned_over)
                rows["over"][column].append(o.over)
                rows["sd"][column].append(statistics.pstdev(o.studied))
                rows["sd_due"][column].append(statistics.pstdev(o.due))
                rows["reviews"][column].append(o.reviews)
                rows["introduced"][column].append(o.introduced)
                rows["true"][column].append(o.true * 100)
        print(f"\nlearner: {name}")
        labels = {
            "peak": "peak day, minutes studied",
            "planned": "days listed over the budget",
            "over": "days studied over it (estimates off)",
            "sd": "sd of minutes studied per study day",
            "sd_due": "sd of minutes due per day",
            "reviews": "explicit reviews",
            "introduced": "topics introduced",
            "true": "true recall on the last day, %",
        }
        for key, label in labels.items():
            off, on = (statistics.mean(v) for v in rows[key])
            change = f"{(on - off) / off:+.1%}" if off and key != "true" else f"{on - off:+.2f}"
            print(f"  {label:38} {off:9.2f} {on:9.2f}  {change}")


if __name__ == "__main__":
    main()
