"""Shared by the benchmark scripts: a learner who studies everything `today` lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from studyplan import memory, schedule, store
from studyplan.graph import EMPTY_GRAPH, Graph, build, map_refs
from studyplan.model import DayStamp, Policy, Review, Roadmap

# (day number, position in the day's list, the queue entry, the day) → the logged review
Answer = Callable[[int, int, schedule.Entry, date], Review]


def study(
    roadmap: Roadmap,
    policy: Policy,
    log: Path,
    start: date,
    days: int,
    answer: Answer,
    graph: Graph = EMPTY_GRAPH,
) -> tuple[dict[str, memory.Memory], int]:
    """Log `days` days of study to `log` with the real scheduler; return the memories
    and how many reviews were written."""
    memories: dict[str, memory.Memory] = {}
    count = 0
    for offset in range(days):
        day = start + timedelta(days=offset)
        states = memory.states(roadmap, memories)
        q = schedule.queue(roadmap, states, day, policy, graph=graph)
        stamps = []
        for n, entry in enumerate((*q.reviews, *q.new)):
            review = answer(offset, n, entry, day)
            with store.locked(log):
                store.append(log, "review", store.review_table(review))
            stamps.append(DayStamp(review, day))
        memories = memory.fold(stamps, policy, memories, graph=graph)
        count += len(stamps)
    return memories, count


def bundled_graph(roadmap: Roadmap) -> Graph:
    """The bundled roadmap's prerequisite map, as `studyplan` reads it."""
    path = store.bundled_roadmap().with_name("ml-learning-path.prerequisites.toml")
    refs, _ = map_refs(path.read_text(encoding="utf-8"), str(path))
    return build(roadmap, refs)
