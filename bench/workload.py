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
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from studyplan import memory, schedule
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
) -> Outcome:
    """One learner; with `announced`, the break is told to studyplan (`studyplan away`)."""
    policy = Policy(fuzz=True, load_balance=balance, graph=False, daily_minutes=budget)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument(
        "--orders", type=int, metavar="MINUTES", help="only compare carry orders at this budget"
    )
    args = parser.parse_args()
    roadmap = parse((DATA / "ml-learning-path.md").read_text(encoding="utf-8"), "ml")
    if args.orders:
        carry_orders(roadmap, args.seeds, args.days, args.orders)
        return
    print(
        f"{len(roadmap.cards)} topics, {args.days} days, daily_minutes = {BUDGET}, 10 % of days "
        f"missed, a break on days {BREAK.start}-{BREAK.stop - 1}; means over seeds "
        f"1-{args.seeds}, balancing off → on"
    )
    learners = (
        ("FSRS-6 defaults", 1.0, False),
        ("faster forgetter (0.6 × S)", 0.6, False),
        ("FSRS-6 defaults, the break announced (away)", 1.0, True),
    )
    for name, forgetting, announced in learners:
        keys = ("peak", "planned", "over", "sd", "sd_due", "reviews", "introduced", "true")
        rows: dict[str, tuple[list[float], list[float]]] = {key: ([], []) for key in keys}
        for seed in range(1, args.seeds + 1):
            for column, balance in ((0, False), (1, True)):
                o = run(roadmap, balance, seed, args.days, forgetting, announced)
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
