from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
from fsrs import Scheduler
from hypothesis import given
from hypothesis import strategies as st

from studyplan import memory, schedule
from studyplan.model import Card, DayStamp, Policy, Rating, Review, Roadmap
from studyplan.roadmap import parse

from .conftest import SEED

NO_FUZZ = Policy(fuzz=False)
_ids = count()


def stamp(
    card: str, day: date, rating: Rating = Rating.GOOD, minutes: int | None = None
) -> DayStamp:
    at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    review = Review(id=f"r{next(_ids):05d}", card=card, rating=rating, at=at, minutes=minutes)
    return DayStamp(review, day)


def states_of(
    roadmap: Roadmap, stamps: list[DayStamp], policy: Policy
) -> dict[str, memory.CardState]:
    return memory.states(roadmap, memory.fold(stamps, policy))


def replay(
    card: Card, stamps: list[DayStamp], policy: Policy, scheduler: memory.Fsrs
) -> memory.CardState:
    """One card's state from its own reviews."""
    own = [s for s in stamps if s.review.card == card.id]
    memories = memory.fold(own, policy, scheduler=scheduler)
    return memory.CardState(card, memories.get(card.id, memory.EMPTY))


def seed() -> Roadmap:
    return parse(SEED.read_text(encoding="utf-8"))


D0 = date(2026, 1, 5)


def test_good_reviews_on_due_days_follow_fsrs_intervals() -> None:
    roadmap = parse("- [ ] Topic\n")
    card = roadmap.cards[0]
    scheduler = memory.Fsrs(NO_FUZZ)
    stamps: list[DayStamp] = []
    day = D0
    gaps = []
    for _ in range(6):
        stamps.append(stamp(card.id, day))
        state = replay(card, stamps, NO_FUZZ, scheduler)
        assert state.due is not None
        gaps.append((state.due - day).days)
        day = state.due
    assert gaps == [2, 11, 46, 163, 365, 365]  # maximum_interval defaults to 365


def test_first_rating_sets_first_interval() -> None:
    card = parse("- [ ] Topic\n").cards[0]
    scheduler = memory.Fsrs(NO_FUZZ)
    firsts = {
        rating: replay(card, [stamp(card.id, D0, rating)], NO_FUZZ, scheduler) for rating in Rating
    }
    assert {r.label: (s.due - D0).days for r, s in firsts.items() if s.due} == {
        "again": 1,
        "hard": 1,
        "good": 2,
        "easy": 8,
    }
    assert round(firsts[Rating.GOOD].stability or 0, 4) == 2.3065


def test_a_lapse_schedules_whole_days_not_minutes() -> None:
    card = parse("- [ ] Topic\n").cards[0]
    scheduler = memory.Fsrs(NO_FUZZ)
    stamps = [stamp(card.id, D0), stamp(card.id, D0 + timedelta(2), Rating.AGAIN)]
    state = replay(card, stamps, NO_FUZZ, scheduler)
    assert state.lapses == 1
    assert state.due == D0 + timedelta(3)


def test_elapsed_days_are_study_days() -> None:
    """Same study-day gap, same memory; one more day, different memory."""
    card = parse("- [ ] Topic\n").cards[0]
    scheduler = memory.Fsrs(NO_FUZZ)
    two = replay(card, [stamp(card.id, D0), stamp(card.id, D0 + timedelta(2))], NO_FUZZ, scheduler)
    three = replay(
        card, [stamp(card.id, D0), stamp(card.id, D0 + timedelta(3))], NO_FUZZ, scheduler
    )
    assert two.stability != three.stability
    assert round(two.stability or 0, 3) == 10.964


def test_fuzz_is_deterministic_and_within_range() -> None:
    results = {memory.fuzzed(46, f"card/r{n}", 365) for n in range(200)}
    assert results == set(range(42, 51))  # py-fsrs's range for 46 days: 46 ± 4
    assert memory.fuzzed(46, "card/r7", 365) == memory.fuzzed(46, "card/r7", 365)
    assert memory.fuzzed(2, "x", 365) == 2
    assert memory.fuzzed(400, "x", 365) <= 365


def test_fuzz_draw_is_a_hash_of_the_review() -> None:
    """The draw is BLAKE2b of "card/id" (8 bytes, big-endian, over 2**64), worked out by
    hand here: a replay on any machine or Python lands on the same day."""
    import hashlib

    for seed in ("card/r7", "derivatives/0001abcd", "ä/b"):
        digest = hashlib.blake2b(seed.encode(), digest_size=8).digest()
        draw = int.from_bytes(digest, "big") / 2**64
        assert memory.fuzzed(46, seed, 365) == 42 + int(draw * 9)
    assert [memory.fuzzed(46, f"card/r{n}", 365) for n in range(8)] == EXPECTED_FUZZ


EXPECTED_FUZZ = [50, 46, 44, 44, 47, 43, 47, 49]  # pinned: a change of draw shifts every due day


def simulate(roadmap: Roadmap, policy: Policy, days: int) -> list[list[str]]:
    """Study everything `today` lists, rated good, for `days` days; return new ids per day."""
    stamps: list[DayStamp] = []
    introduced: list[list[str]] = []
    for offset in range(days):
        day = D0 + timedelta(offset)
        states = states_of(roadmap, stamps, policy)
        q = schedule.queue(roadmap, states, day, policy)
        assert len(q.new) <= policy.new_per_day
        assert len(q.reviews) <= policy.reviews_per_day
        stamps += [stamp(e.card.id, day) for e in (*q.reviews, *q.new)]
        introduced.append([e.card.id for e in q.new])
    return introduced


def test_gate_over_a_simulated_month() -> None:
    roadmap = seed()
    sections = {c.id: c.section for c in roadmap.cards}
    introduced = simulate(roadmap, NO_FUZZ, 30)
    per_day = [[sections[i] for i in ids] for ids in introduced]
    # 17 cards in section 1 at two a day: the ninth day brings only the last one, as
    # section 2 opens once all 17 have been studied (the tenth day). Each later section
    # opens the day after the previous one's last card: 15 cards → 8 days, 11 → 6 days.
    assert per_day[:8] == [[1, 1]] * 8
    assert per_day[8] == [1]
    assert per_day[9] == [2, 2]
    first_day = {}
    for day, secs in enumerate(per_day):
        for s in secs:
            first_day.setdefault(s, day)
    assert first_day == {1: 0, 2: 9, 3: 17, 4: 23, 5: 29}
    # Never a card of section N while one of an earlier section is unstudied.
    seen: set[str] = set()
    for ids in introduced:
        for card_id in ids:
            earlier = [c for c in roadmap.cards if (c.section or 0) < (sections[card_id] or 0)]
            assert all(c.id in seen for c in earlier)
        seen.update(ids)


def test_stricter_gate_waits_for_stability() -> None:
    roadmap = parse("## 1. A\n- [ ] One\n## 2. B\n- [ ] Two\n")
    policy = NO_FUZZ._replace(gate_stability=5.0, new_per_day=5)
    states = states_of(roadmap, [stamp("one", D0)], policy)  # stability 2.3 days
    q = schedule.queue(roadmap, states, D0 + timedelta(1), policy)
    assert [e.card.id for e in q.new] == []
    assert q.locked == 1
    easy = states_of(roadmap, [stamp("one", D0, Rating.EASY)], policy)  # 8.3 days
    q = schedule.queue(roadmap, easy, D0 + timedelta(1), policy)
    assert [e.card.id for e in q.new] == ["two"]


def test_done_and_skipped_cards_open_the_gate_and_are_never_new() -> None:
    roadmap = parse("## 1. A\n- [x] Known\n- [-] Not for me\n## 2. B\n- [ ] Next\n")
    states = states_of(roadmap, [], NO_FUZZ)
    q = schedule.queue(roadmap, states, D0, NO_FUZZ)
    assert [e.card.id for e in q.new] == ["next"]


def test_unnumbered_sections_are_not_gated() -> None:
    roadmap = parse("## 1. A\n- [ ] One\n- [ ] Two\n- [ ] Three\n## Extras\n- [ ] Bonus\n")
    policy = NO_FUZZ._replace(new_per_day=4)
    q = schedule.queue(roadmap, states_of(roadmap, [], policy), D0, policy)
    assert [e.card.id for e in q.new] == ["one", "two", "three", "bonus"]


def test_parent_comes_before_children() -> None:
    roadmap = parse("## 1. A\n- [ ] Parent\n  - [ ] Child\n- [ ] Other\n")
    policy = NO_FUZZ._replace(new_per_day=3)
    q = schedule.queue(roadmap, states_of(roadmap, [], policy), D0, policy)
    assert [e.card.id for e in q.new] == ["parent", "other"]
    states = states_of(roadmap, [stamp("parent", D0)], policy)
    q = schedule.queue(roadmap, states, D0 + timedelta(1), policy)
    assert [e.card.id for e in q.new] == ["child", "other"]
    fresh = states_of(roadmap, [], policy)
    blockers = schedule.Gate.build(fresh, policy, D0).blockers(fresh["child"])
    assert [(b.card.id, b.reason) for b in blockers] == [("parent", "not studied yet")]


def test_due_reviews_most_at_risk_first_and_limits() -> None:
    roadmap = parse("".join(f"- [ ] T{n}\n" for n in range(6)))
    stamps = [
        stamp("t0", D0, Rating.EASY),  # stability 8.3
        stamp("t1", D0, Rating.GOOD),  # 2.3
        stamp("t2", D0, Rating.HARD),  # 1.3
        stamp("t3", D0, Rating.AGAIN),  # 0.2
        stamp("t4", D0 + timedelta(9), Rating.GOOD),  # studied later: not due yet
    ]
    policy = NO_FUZZ._replace(reviews_per_day=3, new_per_day=1)
    day = D0 + timedelta(10)
    q = schedule.queue(roadmap, states_of(roadmap, stamps, policy), day, policy)
    assert [e.card.id for e in q.reviews] == ["t3", "t2", "t1"]
    recalls = [e.retrievability for e in q.reviews]
    assert recalls == sorted(recalls)
    assert q.due_left_out == 1
    assert [e.card.id for e in q.new] == ["t5"]
    assert q.next_due == D0 + timedelta(11)


def test_limits_count_what_was_studied_today() -> None:
    roadmap = parse("".join(f"- [ ] T{n}\n" for n in range(5)))
    q = schedule.queue(roadmap, states_of(roadmap, [stamp("t0", D0)], NO_FUZZ), D0, NO_FUZZ)
    assert [e.card.id for e in q.new] == ["t1"]  # two a day, one already studied
    assert ([s.card.id for s in q.studied_today], q.sessions_today) == (["t0"], 1)


def test_time_budget_uses_expected_minutes() -> None:
    roadmap = parse("- [ ] A\n- [ ] [[Note B]]\n- [ ] C\n")
    policy = NO_FUZZ._replace(new_per_day=3)
    states = states_of(roadmap, [], policy)
    q = schedule.queue(roadmap, states, D0, policy, budget=50)
    # A (30) fits, the note (15) fits, C (30) would pass 50.
    assert [(e.card.id, e.minutes) for e in q.new] == [("a", 30), ("note-b", 15)]
    assert q.new_left_out == 1
    assert q.minutes == 45


def test_minutes_learn_from_the_log() -> None:
    roadmap = parse("- [ ] A\n- [ ] B\n- [ ] C\n- [ ] D\n- [ ] E\n")
    stamps = [
        stamp("a", D0, minutes=50),
        stamp("b", D0, minutes=40),
        stamp("c", D0, minutes=60),
    ]
    states = states_of(roadmap, stamps, NO_FUZZ)
    estimator = schedule.Estimator.build(states, NO_FUZZ)
    cards = roadmap.by_id()
    assert estimator.minutes(cards["a"]) == 50
    assert estimator.minutes(cards["d"]) == 50  # the mean of the learner's topic sessions


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("linear-algebra", ["linear-algebra"]),
        ("Linear Algebra", ["linear-algebra"]),
        ("linear algebra for ml", ["linear-algebra-for-ml"]),
        ("eigen", ["eigenvalues-and-eigenvectors"]),
        ("regression", ["linear-regression", "logistic-regression"]),
    ],
)
def test_find(query: str, expected: list[str]) -> None:
    assert [c.id for c in schedule.find(seed().cards, query).cards] == expected


def test_find_suggests_close_titles() -> None:
    match = schedule.find(seed().cards, "Linaer Regresion")
    assert match.cards == ()
    assert [c.title for c in match.suggestions][:1] == ["Linear Regression"]


def test_folding_on_top_equals_folding_at_once() -> None:
    roadmap = seed()
    early = [stamp("linear-algebra", D0), stamp("calculus", D0, Rating.HARD)]
    late = [stamp("calculus", D0 + timedelta(1)), stamp("linear-algebra", D0 + timedelta(3))]
    at_once = memory.fold(early + late, NO_FUZZ)
    on_top = memory.fold(late, NO_FUZZ, memory.fold(early, NO_FUZZ))
    assert on_top == at_once
    assert at_once["calculus"].reviewed == 2
    assert at_once["calculus"].last_day_reviews == 1
    with pytest.raises(ValueError, match="older than the memory of calculus"):
        memory.fold(early[1:], NO_FUZZ, at_once)
    assert states_of(roadmap, early + late, NO_FUZZ)["calculus"].memory == at_once["calculus"]


def test_the_default_decay_is_py_fsrs_own() -> None:
    from fsrs.scheduler import DEFAULT_PARAMETERS

    assert DEFAULT_PARAMETERS[20] == memory.DEFAULT_DECAY


@given(
    stability=st.floats(0.01, 36500),
    elapsed=st.integers(0, 4000),
    decay=st.none() | st.floats(0.1, 0.8),
)
def test_recall_is_py_fsrs_retrievability(
    stability: float, elapsed: int, decay: float | None
) -> None:
    """recall() works out the forgetting curve without py-fsrs; it must agree with it."""
    from fsrs import Card as FsrsCard
    from fsrs import State
    from fsrs.scheduler import DEFAULT_PARAMETERS

    parameters = None if decay is None else (*DEFAULT_PARAMETERS[:20], decay)
    policy = Policy(parameters=parameters)
    last = date(2026, 1, 1)
    day = last + timedelta(days=elapsed)
    mem = memory.Memory(reviewed=1, last=last, since=last, stability=stability, difficulty=5.0)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    probe = FsrsCard(card_id=1, state=State.Review, stability=stability, difficulty=5.0,
                     due=at, last_review=at)  # fmt: skip
    kwargs = {} if parameters is None else {"parameters": parameters}
    expected = Scheduler(**kwargs).get_card_retrievability(
        probe, current_datetime=datetime(day.year, day.month, day.day, tzinfo=UTC)
    )
    assert memory.recall(mem, memory.Fsrs(policy), day) == expected


def test_today_reads_recall_without_importing_py_fsrs(sealed_home: Path) -> None:
    """py-fsrs is needed to apply a review, not to read recall: a day with reviews due and
    nothing to compress shows them without importing it (a tenth of start-up)."""
    import subprocess
    import sys

    env = {**os.environ, "STUDYPLAN_ROADMAP": str(SEED)}
    script = (
        "import sys\n"
        "from studyplan.cli import cli\n"
        "args = sys.argv[1:]\n"
        "try:\n"
        "    cli.main(args, standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('fsrs' in sys.modules)\n"
    )

    def run(*args: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", script, *args], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    assert run("--now", "2026-11-02T09:00", "review", "Linear Algebra", "good")[-1] == "True"
    # The first command after a review folds it into the snapshot (with py-fsrs) …
    assert run("--now", "2026-11-06T09:00", "today")[-1] == "True"
    # … and the snapshot of a small roadmap is saved at once, so the next one reads it.
    shown = run("--now", "2026-11-06T09:00", "today")
    # Studied Mon 2 Nov (stability 2.3065), due Wed 4: on Fri 6, four days on, recall is
    # (1 + 0.9805 · 4 / 2.3065) ^ −0.1542 = 86 %.
    assert "  §1  Linear Algebra         topic   30 min  due since Wed 4 Nov, recall 86%" in shown
    assert shown[-1] == "False"
