"""`plan --by` counts introductions without simulating reviews when reviews cannot hold
new cards back (no time budget, the default gate). That shortcut must agree exactly
with the full simulation, on generated roadmaps, the bundled one and the real ones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studyplan import graph as graphs
from studyplan.memory import Fsrs, apply, states
from studyplan.model import DayStamp, Policy, Rating, Review, Roadmap
from studyplan.plan import _introduced, introductions, pace, reviews_never_hold_new, simulate
from studyplan.roadmap import parse

from .conftest import SEED
from .test_real_roadmaps import SHARED, load

TODAY = date(2026, 12, 1)


def both(
    roadmap: Roadmap, policy: Policy, days: int, studied: int = 0, today: int = 0
) -> tuple[object, object]:
    """(full simulation, shortcut) after `studied` cards were studied in November and
    `today` more this morning (they use up today's new topics)."""
    graph = graphs.build(roadmap, [])
    memories: dict = {}  # type: ignore[type-arg]
    for n, card in enumerate(roadmap.cards[: studied + today]):
        at = datetime(2026, 11, 1 + n % 28, 12, tzinfo=UTC)
        if n >= studied:
            at = datetime(2026, 12, 1, 8, tzinfo=UTC)
        review = Review(id=f"r{n}", card=card.id, rating=Rating.GOOD, at=at)
        apply(memories, DayStamp(review, at.date()), policy, Fsrs(policy), graph)
    found = states(roadmap, memories)
    slow = _introduced(simulate(roadmap, found, policy, TODAY, days, graph=graph))
    fast = introductions(roadmap, found, policy, TODAY, days, graph)
    return slow, fast


@st.composite
def roadmaps(draw: st.DrawFn) -> str:
    lines = ["# Generated"]
    titles: list[str] = []
    for s in range(draw(st.integers(1, 4))):
        numbered = draw(st.booleans())
        lines.append(f"## {s + 1}. Part {s}" if numbered else f"## Part {s}")
        for i in range(draw(st.integers(0, 6))):
            mark = draw(st.sampled_from([" ", " ", " ", "x", "-"]))
            indent = "  " if i and draw(st.booleans()) else ""
            title = f"T{s}x{i}"
            needs = ""
            if titles and draw(st.integers(0, 4)) == 0:
                needs = f" (requires:: [[{draw(st.sampled_from(titles))}]])"
            # A link item is a resource; a heading of resources only gets a topic card.
            text = f"[{title}](https://e.org/{title})" if draw(st.booleans()) else title
            lines.append(f"{indent}- [{mark}] {text}{needs}")
            titles.append(title)
    return "\n".join(lines) + "\n- [ ] Last\n"


@settings(max_examples=60, deadline=None)
@given(
    roadmaps(),
    st.integers(1, 5),
    st.sampled_from(["numbers", "document", "none"]),
    st.integers(0, 3),
    st.integers(0, 2),
    st.booleans(),
)
def test_the_shortcut_agrees_with_the_simulation(
    text: str, per_day: int, gate: str, studied: int, today: int, easy_sunday: bool
) -> None:
    weights = (1.0,) * 6 + ((0.5,) if easy_sunday else (1.0,))
    policy = Policy(new_per_day=per_day, section_gate=gate, day_weights=weights, fuzz=False)
    assert reviews_never_hold_new(policy, None)
    slow, fast = both(parse(text), policy, 12, studied, today)
    assert fast == slow


@pytest.mark.parametrize(
    ("per_day", "expected"),
    [(1, (60, date(2027, 1, 29))), (2, (68, date(2027, 1, 5))), (7, (68, date(2026, 12, 13)))],
)
def test_the_shortcut_agrees_on_the_bundled_roadmap(
    per_day: int, expected: tuple[int, date]
) -> None:
    # 73 cards, 5 studied: the 68 others, one a day for 60 days, or all of them.
    roadmap = parse(SEED.read_text(encoding="utf-8"))
    slow, fast = both(roadmap, Policy(new_per_day=per_day, fuzz=False), 60, studied=5)
    assert fast == slow == expected


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/roadmaps is absent")
@pytest.mark.parametrize(
    "name", ["thedaviddias-Front-End-Checklist--README", "MichaelCade-90DaysOfDevOps--2022"]
)
def test_the_shortcut_agrees_on_real_roadmaps(name: str) -> None:
    _, roadmap = load(name)
    slow, fast = both(roadmap, Policy(new_per_day=4, fuzz=False), 45)
    assert fast == slow


def test_a_budget_uses_the_full_simulation() -> None:
    assert not reviews_never_hold_new(Policy(), 60)
    assert not reviews_never_hold_new(Policy(daily_minutes=60), None)
    assert not reviews_never_hold_new(Policy(gate="stable"), None)


def test_the_pace_search_finds_the_least_pace() -> None:
    # 30 topics in three numbered sections of 10; 8 days: a section opens the day after
    # the one before is studied, so 10 a day takes 3 days, 4 a day 3+3+3 = 9 days (late),
    # 5 a day 2+2+2 = 6 days.
    text = "# P\n" + "".join(
        f"## {s}. S{s}\n" + "".join(f"- [ ] T{s}-{i}\n" for i in range(10)) for s in (1, 2, 3)
    )
    roadmap = parse(text)
    found = states(roadmap, {})
    policy = Policy(new_per_day=2, fuzz=False)
    result = pace(roadmap, found, policy, TODAY, TODAY + timedelta(days=7))
    assert (result.remaining, result.days, result.floor) == (30, 8, 4)
    assert (result.introduced, result.needed, result.reached) == (16, 5, 30)
    slow = pace(roadmap, found, policy, TODAY, TODAY + timedelta(days=7), budget=10_000)
    assert slow == result
