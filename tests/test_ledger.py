from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from studyplan import clock, ledger, memory, store
from studyplan.graph import EMPTY_GRAPH, Edge, EdgeKind, Graph
from studyplan.model import DayStamp, Move, Policy, Rating, Review, Undo

POLICY = Policy(fuzz=True)
HOUR = 4
T0 = datetime(2026, 1, 1, 9, tzinfo=UTC)
# Credit, penalties and checks cross cards: the snapshot must still equal a full fold.
GRAPH = Graph(
    edges=(
        Edge("x", "y", 0.8, EdgeKind.REQUIRES, "t:1"),
        Edge("y", "z", 0.6, EdgeKind.PART, "t:2"),
        Edge("w", "x", 1.0, EdgeKind.REQUIRES, "t:3"),
    )
)


def _counted(home: store.Home, now: datetime) -> list[DayStamp]:
    """Every counted review, straight from the logs without any cache."""
    history = store.read_history(home, cache=False)
    return [DayStamp(r, clock.study_day(r.at, HOUR)) for r in history.effective() if r.at <= now]


def reference_activity(home: store.Home, now: datetime) -> ledger.Activity:
    return ledger.tally(_counted(home, now))


def reference(
    home: store.Home, now: datetime, graph: Graph = EMPTY_GRAPH
) -> dict[str, memory.Memory]:
    """Everything folded from scratch."""
    return memory.fold(_counted(home, now), POLICY, graph=graph)


def append_review(home: store.Home, device: str, n: int, card: str, hours: int) -> str:
    review = Review(
        id=f"r{n:04d}",
        card=card,
        rating=Rating((n % 4) + 1),
        at=T0 + timedelta(hours=hours),
        minutes=n % 50,
    )
    path = home.log_path(device)
    with store.locked(path):
        store.append(path, "review", store.review_table(review))
    return review.id


OPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("review"),
            st.sampled_from(["a", "b"]),
            st.sampled_from(["x", "y", "z"]),
            st.integers(0, 24 * 60),
        ),
        st.tuples(st.just("undo"), st.sampled_from(["a", "b"]), st.integers(0, 50)),
        st.tuples(st.just("read"), st.integers(0, 24 * 70)),
        st.tuples(st.just("tear"), st.sampled_from(["a", "b"])),
        st.tuples(st.just("drop-cache")),
        st.tuples(
            st.just("move"),
            st.sampled_from(["a", "b"]),
            st.sampled_from(["x", "y", "z"]),
            st.sampled_from(["x", "y", "w"]),
        ),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(OPS, st.sampled_from([1, 3, 100]), st.sampled_from([EMPTY_GRAPH, GRAPH]))
def test_snapshot_and_tail_always_equal_a_full_fold(
    ops: list[tuple],  # type: ignore[type-arg]
    save_every: int,
    graph: Graph,
) -> None:
    saved = ledger.worth_saving
    ledger.worth_saving = lambda tail, cards: tail >= save_every  # type: ignore[assignment]
    try:
        _check_against_full_fold(ops, graph)
    finally:
        ledger.worth_saving = saved  # type: ignore[assignment]


def _check_against_full_fold(ops: list[tuple], graph: Graph) -> None:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as folder:
        home = store.Home(Path(folder))
        ids: list[str] = []
        for n, op in enumerate(ops):
            if op[0] == "review":
                ids.append(append_review(home, op[1], n, op[2], op[3]))
            elif op[0] == "undo" and ids:
                path = home.log_path(op[1])
                undo = Undo(review=ids[op[2] % len(ids)], at=T0)
                with store.locked(path):
                    store.append(path, "undo", store.undo_table(undo))
            elif op[0] == "tear" and home.log_path(op[1]).exists():
                with home.log_path(op[1]).open("a", encoding="utf-8") as handle:
                    handle.write('\n[[review]]\nid = "torn"\ncard = "x"\nrat')
            elif op[0] == "move":
                path = home.log_path(op[1])
                move = Move(source=op[2], target=op[3], at=T0 + timedelta(minutes=n))
                with store.locked(path):
                    store.append(path, "move", store.move_table(move))
            elif op[0] == "drop-cache" and home.cache_dir.exists():
                for cached in home.cache_dir.iterdir():
                    cached.unlink()
            elif op[0] == "read":
                now = T0 + timedelta(hours=op[1])
                got = ledger.standing(home, POLICY, HOUR, now, graph)
                assert got.memories == reference(home, now, graph)
                assert got.activity == reference_activity(home, now)
        now = T0 + timedelta(days=80)
        final = ledger.standing(home, POLICY, HOUR, now, graph).memories
        assert final == reference(home, now, graph)


def test_the_snapshot_is_used_and_only_the_tail_is_read(tmp_path: Path) -> None:
    home = store.Home(tmp_path)
    for n in range(30):
        append_review(home, "a", n, f"card{n % 3}", n * 24)
    now = T0 + timedelta(days=40)
    first = ledger.standing(home, POLICY, HOUR, now)
    assert (first.rebuilt, first.reviews) == (True, 30)
    append_review(home, "a", 30, "card0", 31 * 24)
    second = ledger.standing(home, POLICY, HOUR, now)
    assert (second.rebuilt, second.reviews) == (False, 31)
    # A short tail of a small roadmap is saved at once; the answer is the same.
    second = ledger.standing(home, POLICY, HOUR, now)
    assert (second.rebuilt, second.reviews) == (False, 31)
    assert second.memories == reference(home, now)
    # A review older than one already folded in forces a full fold, with the right result.
    append_review(home, "b", 31, "card1", 24)
    third = ledger.standing(home, POLICY, HOUR, now)
    assert (third.rebuilt, third.reviews) == (True, 32)
    assert third.memories == reference(home, now)
    # A damaged snapshot is rebuilt, not trusted.
    ledger.snapshot_path(home).write_bytes(b"not a pickle")
    fourth = ledger.standing(home, POLICY, HOUR, now)
    assert fourth.rebuilt
    assert fourth.memories == reference(home, now)
    # A log file edited in its middle no longer matches the snapshot.
    log = home.log_path("a")
    log.write_bytes(log.read_bytes().replace(b'rating = "again"', b'rating = "easy"', 1))
    os.utime(log)
    fifth = ledger.standing(home, POLICY, HOUR, now)
    assert fifth.rebuilt
    assert fifth.memories == reference(home, now)


def test_a_changed_graph_refolds_instead_of_reusing_the_snapshot(tmp_path: Path) -> None:
    home = store.Home(tmp_path)
    for n in range(12):
        append_review(home, "a", n, "xy"[n % 2], n * 24)
    now = T0 + timedelta(days=20)
    plain = ledger.standing(home, POLICY, HOUR, now)
    assert plain.rebuilt
    with_graph = ledger.standing(home, POLICY, HOUR, now, GRAPH)
    assert with_graph.rebuilt
    assert with_graph.memories == reference(home, now, GRAPH)
    assert with_graph.memories["y"] != plain.memories["y"]  # x's good reviews credit y
    again = ledger.standing(home, POLICY, HOUR, now, GRAPH)
    assert (again.rebuilt, again.memories) == (False, with_graph.memories)


def test_a_small_roadmap_saves_the_snapshot_at_once_a_big_one_every_hundred() -> None:
    assert [ledger.worth_saving(tail, 73) for tail in (0, 1)] == [False, True]
    assert [ledger.worth_saving(tail, 1_000) for tail in (10, 11)] == [False, True]
    assert [ledger.worth_saving(tail, 10_000) for tail in (99, 100)] == [False, True]


def test_another_versions_snapshot_is_never_read_and_is_replaced(tmp_path: Path) -> None:
    """An older studyplan wrote `snapshot.pickle` with records this one cannot rebuild;
    a newer one may write `snapshot-99.pickle`. Neither is read; saving removes them."""
    home = store.Home(tmp_path)
    for n in range(3):
        append_review(home, "a", n, "card1", n)
    home.cache_dir.mkdir(parents=True)
    older = home.cache_dir / "snapshot.pickle"
    newer = home.cache_dir / "snapshot-99.pickle"
    older.write_bytes(b"\x80\x05older records")
    newer.write_bytes(b"\x80\x05newer records")
    now = T0 + timedelta(days=3)
    got = ledger.standing(home, POLICY, HOUR, now)
    assert got.rebuilt
    assert got.memories == reference(home, now)
    assert sorted(p.name for p in home.cache_dir.glob("snapshot*")) == [
        f"snapshot-{ledger.SNAPSHOT_VERSION}.pickle"
    ]
