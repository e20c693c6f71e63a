"""A review log drawn from a known memory model, for testing the optimizer."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import tomli_w
from fsrs import Card, Rating, Scheduler

from studyplan.store import LOG_HEADER

# A learner who remembers far better than FSRS-6's defaults assume.
TRUE_PARAMETERS = (
    5.0, 15.0, 40.0, 90.0, 6.4133, 0.8334, 3.0194, 0.001, 2.5, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
)  # fmt: skip
START = datetime(2025, 1, 6, 9, tzinfo=UTC)


def _scheduler(parameters: tuple[float, ...] | None = None) -> Scheduler:
    kwargs = {"parameters": parameters} if parameters else {}
    return Scheduler(
        learning_steps=(),
        relearning_steps=(),
        enable_fuzzing=False,
        maximum_interval=365,
        **kwargs,  # type: ignore[arg-type]
    )


def write_log(path: Path, cards: int, days: int, seed: int = 7) -> int:
    """Reviews scheduled by FSRS-6's defaults (as studyplan does before `optimize`), with
    recall drawn from the true model: the defaults then mispredict, a fit can learn it.
    Each card is first studied in the first 60 days. Returns the number of reviews."""
    rng = random.Random(seed)
    truth, defaults = _scheduler(TRUE_PARAMETERS), _scheduler()
    chunks = [LOG_HEADER]
    count = 0
    for n in range(cards):
        when = START + timedelta(days=rng.randrange(60))
        memory = Card(card_id=n + 1, due=when)
        card = Card(card_id=n + 1, due=when)
        first = True
        while when < START + timedelta(days=days):
            if first:
                rating = rng.choices(list(Rating), weights=(10, 15, 60, 15))[0]
            else:
                recalled = rng.random() < truth.get_card_retrievability(memory, when)
                rating = rng.choice([Rating.Hard, Rating.Good, Rating.Good, Rating.Easy])
                rating = rating if recalled else Rating.Again
            memory, _ = truth.review_card(memory, rating, when)
            card, _ = defaults.review_card(card, rating, when)
            entry = {"id": f"s{count:06d}", "card": f"topic-{n}", "rating": rating.name.lower()}
            chunks.append(f"\n[[review]]\n{tomli_w.dumps({**entry, 'at': when})}")
            count += 1
            first = False
            when = card.due
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(chunks), encoding="utf-8")
    return count
