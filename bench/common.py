"""Shared by the benchmark scripts: a learner who studies everything `today` lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from studyplan import memory, schedule, store
from studyplan.model import DayStamp, Policy, Review, Roadmap

# (day number, position in the day's list, the queue entry, the day) → the logged review
Answer = Callable[[int, int, schedule.Entry, date], Review]


def study(
    roadmap: Roadmap, policy: Policy, log: Path, start: date, days: int, answer: Answer
) -> tuple[dict[str, memory.Memory], int]:
    """Log `days` days of study to `log` with the real scheduler; return the memories
    and how many reviews were written."""
    memories: dict[str, memory.Memory] = {}
    count = 0
    for offset in range(days):
        day = start + timedelta(days=offset)
        q = schedule.queue(roadmap, memory.states(roadmap, memories), day, policy)
        stamps = []
        for n, entry in enumerate((*q.reviews, *q.new)):
            review = answer(offset, n, entry, day)
            with store.locked(log):
                store.append(log, "review", store.review_table(review))
            stamps.append(DayStamp(review, day))
        memories = memory.fold(stamps, policy, memories)
        count += len(stamps)
    return memories, count
