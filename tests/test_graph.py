"""The prerequisite graph and the scheduling rules built on it, on small hand-made graphs
with exact expected stabilities, days and lists."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from itertools import count
from pathlib import Path

import pytest
from fsrs import Card as FsrsCard
from fsrs import Rating as FsrsRating
from fsrs import Scheduler, State
from hypothesis import given
from hypothesis import strategies as st

from studyplan import graph, memory, plan, schedule
from studyplan.errors import RoadmapError
from studyplan.graph import Edge, EdgeKind
from studyplan.model import DayStamp, Policy, Rating, Review, Roadmap
from studyplan.roadmap import parse

from .conftest import Run

POLICY = Policy(fuzz=False, transfer=1.0)  # credit's mechanics, at the map's weights
D0 = date(2026, 1, 5)  # a Monday
_ids = count()

ROADMAP = (
    "## 1. Maths\n"
    "- [ ] Derivatives\n"
    "- [ ] Chain Rule (requires:: [[Derivatives]]@0.5)\n"
    "- [ ] Backprop [requires:: [[Chain Rule|the rule]], [[Derivatives]]@0.2] [[Backprop|Notes]]\n"
)


def road(text: str = ROADMAP) -> Roadmap:
    return parse(text, "road.md")


def stamp(card: str, day: date, rating: Rating = Rating.GOOD) -> DayStamp:
    at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC) + timedelta(
        seconds=next(_ids) % 3600
    )
    return DayStamp(Review(f"r{next(_ids):05d}", card, rating, at), day)


def fold(stamps: list[DayStamp], g: graph.Graph, policy: Policy = POLICY) -> dict:  # type: ignore[type-arg]
    return memory.fold(stamps, policy, graph=g)


def fsrs_after(s: float, d: float, last: date, day: date, rating: FsrsRating) -> float:
    """What py-fsrs itself gives for a real review: the test's independent reference."""
    scheduler = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    card = FsrsCard(
        state=State.Review,
        stability=s,
        difficulty=d,
        last_review=datetime(last.year, last.month, last.day, tzinfo=UTC),
        due=datetime(day.year, day.month, day.day, tzinfo=UTC),
    )
    reviewed, _ = scheduler.review_card(
        card, rating, review_datetime=datetime(day.year, day.month, day.day, tzinfo=UTC)
    )
    return float(reviewed.stability)


# --- the graph ----------------------------------------------------------------------


def test_inline_fields_become_weighted_edges_and_leave_the_title() -> None:
    roadmap = road()
    backprop = roadmap.cards[2]
    assert (backprop.title, backprop.note) == ("Backprop", "Backprop")
    assert backprop.needs == ("[[Chain Rule|the rule]]", "[[Derivatives]]@0.2")
    g = graph.build(roadmap, [])
    assert g.edges == (
        Edge("chain-rule", "derivatives", 0.5, EdgeKind.REQUIRES, "road.md:3"),
        Edge("backprop", "chain-rule", 1.0, EdgeKind.REQUIRES, "road.md:4"),
        Edge("backprop", "derivatives", 0.2, EdgeKind.REQUIRES, "road.md:4"),
    )
    assert g.problems == ()
    # Transitive weight is the best product along a path: 1.0 × 0.5 beats the direct 0.2.
    assert g.below("backprop", 0.1) == {"chain-rule": 1.0, "derivatives": 0.5}
    assert g.above("derivatives", 0.1) == {"chain-rule": 0.5, "backprop": 0.5}
    assert g.below("backprop", 0.6) == {"chain-rule": 1.0}  # pruned below the floor


def test_nesting_is_a_part_edge_and_map_tables_resolve_titles_ids_and_notes() -> None:
    roadmap = road(ROADMAP + "- [ ] Calculus\n  - [ ] Limits\n")
    text = (
        "[requires]\n"
        '"Backprop" = ["derivatives@0.9"]\n'
        "\n"
        "[parts]\n"
        "Calculus = ['Derivatives@0.4', 'Chain Rule']\n"
    )
    refs, problems = graph.map_refs(text, "map.toml")
    assert problems == []
    g = graph.build(roadmap, refs)
    assert [(e.source, e.target, e.weight, e.kind.value, e.origin) for e in g.edges] == [
        ("calculus", "limits", 0.5, "part", "road.md:6"),
        ("chain-rule", "derivatives", 0.5, "requires", "road.md:3"),
        ("backprop", "chain-rule", 1.0, "requires", "road.md:4"),
        ("backprop", "derivatives", 0.9, "requires", "map.toml:2"),  # the stronger one wins
        ("calculus", "derivatives", 0.4, "part", "map.toml:5"),
        ("calculus", "chain-rule", 1.0, "part", "map.toml:5"),
    ]
    assert g.requires("calculus") == ()  # parts never gate
    assert g.requires("backprop") == ("chain-rule", "derivatives")


def test_unknown_topics_and_bad_weights_are_reported_with_file_and_line() -> None:
    roadmap = road(ROADMAP + "- [ ] Optimisers (requires:: [[Gradient]], [[Backprop]]@2)\n")
    text = '[requires]\n"Backprop" = ["Derivatives"]\n"Nope" = ["Derivatives"]\n[other]\nx = 1\n'
    refs, problems = graph.map_refs(text, "map.toml")
    g = graph.build(roadmap, refs)
    assert [*problems, *g.problems] == [
        "map.toml:4: unknown table 'other' (use [requires] or [parts])",
        "road.md:5: 'Optimisers' requires unknown topic 'Gradient'; link a title, id or note "
        "of the roadmap",
        "road.md:5: weight 2 in '[[Backprop]]@2' must be more than 0 and at most 1",
        "map.toml:3: no topic 'Nope' in road.md",
    ]


def test_a_cycle_is_reported_and_broken_never_looped_on() -> None:
    roadmap = road(
        "## 1. Loop\n- [ ] A (requires:: [[C]])\n- [ ] B (requires:: [[A]])\n"
        "- [ ] C (requires:: [[B]])\n"
    )
    g = graph.build(roadmap, [])
    assert g.problems == (
        "road.md:3: prerequisite cycle: A → C → B → A; these topics wait for each other "
        "forever, so 'B requires A' is ignored until you remove one of them",
    )
    assert [(e.source, e.target) for e in g.edges] == [("a", "c"), ("c", "b")]
    states = memory.states(roadmap, {})
    q = schedule.queue(roadmap, states, D0, POLICY, graph=g)
    assert [e.card.id for e in q.new] == ["b"]  # the chain that is left: B, then C, then A


def test_a_long_cycle_does_not_exhaust_the_stack() -> None:
    n = 3000
    lines = [f"- [ ] T{i} (requires:: [[T{(i + 1) % n}]])" for i in range(n)]
    roadmap = road("## 1. Long\n" + "\n".join(lines) + "\n")
    g = graph.build(roadmap, [])
    assert len(g.problems) == 1
    assert len(g.edges) == n - 1
    assert len(g.below("t0", 0.0001)) == n - 1


@given(st.text(alphabet="[]()@:,.|#-requisAB01 \n", max_size=80))
def test_any_requires_text_gives_cards_or_our_error_and_a_graph(text: str) -> None:
    try:
        roadmap = parse("## 1. S\n- [ ] A\n- [ ] B " + text + "\n", "r.md")
    except RoadmapError:
        return
    g = graph.build(roadmap, [])
    assert all(problem.startswith("r.md:") for problem in g.problems)
    assert all(0 < e.weight <= 1 for e in g.edges)


@given(st.sampled_from(["(", "["]), st.text(alphabet="0123456789.-e", max_size=6))
def test_a_well_formed_field_gives_its_edge_or_one_reported_problem(
    opener: str, weight: str
) -> None:
    closer = ")" if opener == "(" else "]"
    text = f"## 1. S\n- [ ] A\n- [ ] B {opener}requires:: [[A]]@{weight}{closer} [[B note]]\n"
    roadmap = parse(text, "r.md")
    assert [(c.title, c.note) for c in roadmap.cards] == [("A", None), ("B", "B note")]
    g = graph.build(roadmap, [])
    try:
        expected = float(weight)
    except ValueError:
        expected = None
    if expected is not None and 0 < expected <= 1:
        assert (g.edges, g.problems) == (
            (Edge("b", "a", expected, EdgeKind.REQUIRES, "r.md:3"),),
            (),
        )
    else:
        assert g.edges == ()
        assert len(g.problems) == 1
        assert g.problems[0].startswith("r.md:3: ")


# --- implicit credit, penalty, remediation -------------------------------------------


def _at_the_maps_weights(home: Path) -> None:
    """Credit's mechanics at the map's own weights (`transfer = 1`), not the learned
    transfer (tested in test_credit.py)."""
    config = home / "studyplan.toml"
    config.write_text(config.read_text(encoding="utf-8") + "transfer = 1.0\n", encoding="utf-8")


def test_a_good_review_credits_what_it_builds_on_by_the_edge_weight() -> None:
    g = graph.build(road(), [])
    alone = fold([stamp("derivatives", D0)], g)["derivatives"]
    assert (alone.stability, alone.due) == (2.3065, D0 + timedelta(2))
    day = D0 + timedelta(1)
    after = fold([stamp("derivatives", D0), stamp("chain-rule", day)], g)["derivatives"]
    good = fsrs_after(2.3065, alone.difficulty or 0, D0, day, FsrsRating.Good)
    assert after.stability == pytest.approx(2.3065 + 0.5 * (good - 2.3065), abs=1e-9)
    assert round(after.stability or 0, 4) == 4.8109
    # The explicit history is untouched: still one review, last on D0; due moved out to
    # D0 + 5, within the audit (3.75 times the explicit interval of 2 days: D0 + 8).
    assert (after.reviewed, after.last, after.credits) == (1, D0, 1)
    assert (after.since, after.due, after.audit) == (D0, D0 + timedelta(5), D0 + timedelta(8))
    assert after.explicit == alone.stability
    assert after.difficulty == alone.difficulty


def test_weight_one_credit_is_exactly_a_good_review() -> None:
    g = graph.build(road(), [])
    day = D0 + timedelta(2)
    stamps = [stamp("chain-rule", D0), stamp("backprop", day)]
    after = fold(stamps, g)["chain-rule"]
    real = fold([stamp("chain-rule", D0), stamp("chain-rule", day)], graph.EMPTY_GRAPH)
    assert after.stability == pytest.approx(real["chain-rule"].stability, abs=1e-9)
    # The same stability as a real good review, but only an explicit one moves the due
    # day past the audit (3.75 times the last explicit interval of 2 days: D0 + 8).
    assert real["chain-rule"].due == D0 + timedelta(13)
    assert (after.since, after.due) == (day, D0 + timedelta(8))


def test_credit_that_arrives_too_early_is_worth_little() -> None:
    g = graph.build(road(), [])
    same_day = fold([stamp("derivatives", D0), stamp("chain-rule", D0)], g)["derivatives"]
    two_days = fold([stamp("derivatives", D0), stamp("chain-rule", D0 + timedelta(2))], g)
    gain_now = (same_day.stability or 0) - 2.3065
    gain_later = (two_days["derivatives"].stability or 0) - 2.3065
    # FSRS gives a same-day good review no more stability, so credit then is worth 0.
    difficulty = same_day.difficulty or 0
    assert fsrs_after(2.3065, difficulty, D0, D0, FsrsRating.Good) <= 2.3065
    good = fsrs_after(2.3065, difficulty, D0, D0 + timedelta(2), FsrsRating.Good)
    assert gain_later == pytest.approx(0.5 * (good - 2.3065), abs=1e-9)
    assert (gain_now, round(gain_later, 4)) == (0.0, 4.3289)


def test_no_credit_to_a_topic_the_learner_finds_hard() -> None:
    g = graph.build(road(), [])
    hard = [
        stamp("derivatives", D0, Rating.AGAIN),
        stamp("derivatives", D0 + timedelta(1), Rating.HARD),
        stamp("derivatives", D0 + timedelta(2), Rating.HARD),
    ]
    before = fold(hard, g)["derivatives"]
    assert (before.difficulty or 0) >= POLICY.credit_max_difficulty
    after = fold([*hard, stamp("chain-rule", D0 + timedelta(3))], g)["derivatives"]
    assert after == before
    # Nor to a topic never studied, nor with graph scheduling switched off.
    assert "derivatives" not in fold([stamp("chain-rule", D0)], g)
    off = POLICY._replace(graph=False)
    plain = fold([stamp("derivatives", D0), stamp("chain-rule", D0 + timedelta(1))], g, off)
    assert plain["derivatives"].stability == 2.3065


def test_again_lowers_what_builds_on_it_and_checks_its_key_prerequisites() -> None:
    g = graph.build(road(), [])
    base = [stamp("derivatives", D0), stamp("chain-rule", D0), stamp("backprop", D0)]
    before = fold(base, graph.EMPTY_GRAPH)
    day = D0 + timedelta(1)
    after = fold([*base, stamp("chain-rule", day, Rating.AGAIN)], g)
    # Penalty up: Backprop builds on Chain Rule (1.0) → half-way to what an `again` gives.
    s = before["backprop"].stability or 0
    forgot = fsrs_after(s, before["backprop"].difficulty or 0, D0, day, FsrsRating.Again)
    assert after["backprop"].stability == pytest.approx(s - 0.5 * (s - forgot), abs=1e-9)
    assert after["backprop"].due == D0 + timedelta(2)  # sooner, but not before tomorrow
    # Remediation down: Derivatives (0.5, a key prerequisite) is checked tomorrow.
    assert (after["derivatives"].due, after["derivatives"].check) == (
        D0 + timedelta(2),
        "chain-rule",
    )
    roadmap = road()
    q = schedule.queue(roadmap, memory.states(roadmap, after), D0 + timedelta(2), POLICY, graph=g)
    lines = {e.card.id: e.why for e in q.reviews}
    assert lines["derivatives"] == "check: a prerequisite of Chain Rule, rated again"
    # A weak prerequisite (0.2) is not checked: Backprop failing checks only Chain Rule.
    failed = fold([*base, stamp("backprop", day, Rating.AGAIN)], g)
    assert (failed["chain-rule"].check, failed["derivatives"].check) == ("backprop", "")


# --- compression, gates, pacing ------------------------------------------------------


def test_a_due_review_that_covers_others_is_shown_once() -> None:
    roadmap = road()
    g = graph.build(roadmap, [])
    stamps = [stamp("derivatives", D0), stamp("chain-rule", D0), stamp("backprop", D0)]
    memories = fold(stamps, graph.EMPTY_GRAPH)  # all three due on D0 + 2
    day = D0 + timedelta(2)
    q = schedule.queue(roadmap, memory.states(roadmap, memories), day, POLICY, graph=g)
    assert [(e.card.id, [c.id for c in e.covers]) for e in q.reviews] == [
        ("backprop", ["derivatives", "chain-rule"])
    ]
    assert q.reviews[0].why == "covers Derivatives, Chain Rule"
    assert (q.covered, q.minutes, q.due_left_out) == (2, 30, 0)
    # Left out by the time budget, the covering review counts with what it covers.
    none = schedule.queue(roadmap, memory.states(roadmap, memories), day, POLICY, 0, graph=g)
    assert (none.reviews, none.due_left_out) == ((), 3)
    # Without the graph, all three.
    plain = schedule.queue(roadmap, memory.states(roadmap, memories), day, POLICY)
    assert sorted(e.card.id for e in plain.reviews) == ["backprop", "chain-rule", "derivatives"]


def test_a_nearly_due_cover_is_pulled_forward_only_when_it_saves_work() -> None:
    roadmap = road("## 1. M\n- [ ] A\n- [ ] B\n- [ ] C (requires:: [[A]], [[B]])\n")
    g = graph.build(roadmap, [])
    twice = [stamp(x, D0 + timedelta(d)) for d in (0, 1) for x in ("a", "b")]
    stamps = [*twice, stamp("c", D0), stamp("c", D0 + timedelta(2))]
    memories = fold(stamps, graph.EMPTY_GRAPH)
    assert (memories["a"].due, memories["a"].audit, memories["c"].due) == (
        D0 + timedelta(8),
        D0 + timedelta(27),  # D0 + 1 + 3.75 × 7 days
        D0 + timedelta(13),
    )
    day = D0 + timedelta(10)  # A and B overdue; C due in 3 days, within cover_days (3)
    q = schedule.queue(roadmap, memory.states(roadmap, memories), day, POLICY, graph=g)
    assert [(e.card.id, e.pulled, [c.id for c in e.covers]) for e in q.reviews] == [
        ("c", 3, ["a", "b"])
    ]
    assert q.reviews[0].why == "3 days early, covers A, B"
    assert q.minutes == 30
    # Reviewed once (explicit interval 2 days, audit on D0 + 8), A and B are past what
    # credit may carry on D0 + 11: no review covers them, whatever it would save.
    stamps = [stamp("a", D0), stamp("b", D0), stamp("c", D0), stamp("c", D0 + timedelta(2))]
    memories = fold(stamps, graph.EMPTY_GRAPH)
    assert memories["a"].audit == D0 + timedelta(8)
    day = D0 + timedelta(11)
    late = schedule.queue(roadmap, memory.states(roadmap, memories), day, POLICY, graph=g)
    assert [(e.card.id, e.covers) for e in late.reviews] == [("a", ()), ("b", ())]
    # Covering one 30-minute topic with a 30-minute one saves nothing: not pulled.
    small = road("## 1. M\n- [ ] A\n- [ ] B\n- [ ] C (requires:: [[A]])\n")
    g2 = graph.build(small, [])
    q2 = schedule.queue(small, memory.states(small, memories), day, POLICY, graph=g2)
    assert [(e.card.id, e.covers) for e in q2.reviews] == [("a", ()), ("b", ())]
    # Half credit to a long-overdue topic: not covered either.
    half = road("## 1. M\n- [ ] A\n- [ ] B\n- [ ] C (requires:: [[A]]@0.5, [[B]])\n")
    g3 = graph.build(half, [])
    q3 = schedule.queue(half, memory.states(half, memories), day, POLICY, graph=g3)
    assert [(e.card.id, e.covers) for e in q3.reviews] == [("a", ()), ("b", ())]


def test_relearning_gate_relocks_dependents_until_passed_again() -> None:
    roadmap = road()
    g = graph.build(roadmap, [])
    passed = [stamp("derivatives", D0)]
    failed = [*passed, stamp("derivatives", D0 + timedelta(1), Rating.AGAIN)]
    day = D0 + timedelta(2)
    for gate, locked in (("studied", False), ("relearning", True), ("stable", True)):
        policy = POLICY._replace(gate=gate)
        states = memory.states(roadmap, fold(failed, g, policy))
        gate_ = schedule.Gate.build(states, policy, day, graph=g)
        assert gate_.locked(states["chain-rule"]) is locked, gate
    policy = POLICY._replace(gate="relearning")
    states = memory.states(roadmap, fold(failed, g, policy))
    q = schedule.queue(roadmap, states, day, policy, graph=g)
    assert [e.card.id for e in q.new] == []
    assert [(b.card.id, b.reason) for b in q.relocked] == [
        ("derivatives", "re-locked: rated again on 2026-01-06")
    ]
    again = memory.states(roadmap, fold([*failed, stamp("derivatives", day)], g, policy))
    q = schedule.queue(roadmap, again, day, policy, graph=g)
    assert [e.card.id for e in q.new] == ["chain-rule"]
    assert q.new[0].why == "unlocks Backprop"


def test_stable_gate_waits_for_recall_and_says_why() -> None:
    roadmap = road()
    g = graph.build(roadmap, [])
    policy = POLICY._replace(gate="stable", gate_recall=0.9)
    states = memory.states(roadmap, fold([stamp("derivatives", D0)], g, policy))
    soon = schedule.Gate.build(states, policy, D0 + timedelta(1), graph=g)
    later = schedule.Gate.build(states, policy, D0 + timedelta(4), graph=g)
    assert (soon.locked(states["chain-rule"]), later.locked(states["chain-rule"])) == (False, True)
    assert [(b.card.id, b.reason) for b in later.blockers(states["chain-rule"])] == [
        ("derivatives", "recall 86% < 90%")  # (1 + 0.9804 · 4 / 2.3065) ^ -0.1542 = 0.858
    ]


def test_pacing_says_how_many_new_a_day_a_goal_needs() -> None:
    flat = road("## 1. All\n" + "".join(f"- [ ] T{i}\n" for i in range(10)))
    states = memory.states(flat, {})
    slow = POLICY._replace(new_per_day=1)
    pace = plan.pace(flat, states, slow, D0, D0 + timedelta(4))
    assert (pace.remaining, pace.days, pace.introduced, pace.floor, pace.needed) == (
        10,
        5,
        5,
        2,
        2,
    )
    assert not pace.on_track
    # Two sections of five: section 2 opens the day after section 1 is done, so two a
    # day (the arithmetic floor) is not enough; three is.
    gated = road(
        "## 1. A\n"
        + "".join(f"- [ ] A{i}\n" for i in range(5))
        + "## 2. B\n"
        + "".join(f"- [ ] B{i}\n" for i in range(5))
    )
    pace = plan.pace(gated, memory.states(gated, {}), slow, D0, D0 + timedelta(4))
    assert (pace.floor, pace.needed, pace.introduced) == (2, 3, 5)
    # On track already: the day the last one comes, and the least pace that would do.
    fast = POLICY._replace(new_per_day=4)
    pace = plan.pace(gated, memory.states(gated, {}), fast, D0, D0 + timedelta(9))
    assert (pace.on_track, pace.finished, pace.needed) == (True, D0 + timedelta(3), 1)
    # A time budget can put the goal out of reach.
    pace = plan.pace(flat, states, slow, D0, D0 + timedelta(1), budget=30)
    assert (pace.needed, pace.reached) == (None, 2)


def test_easy_days_scale_new_topics_and_the_budget() -> None:
    flat = road("## 1. All\n" + "".join(f"- [ ] T{i}\n" for i in range(10)))
    weights = (1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0)
    policy = POLICY._replace(new_per_day=4, day_weights=weights, daily_minutes=120)
    states = memory.states(flat, {})
    saturday, sunday = D0 + timedelta(5), D0 + timedelta(6)
    monday = schedule.queue(flat, states, D0, policy)
    sat = schedule.queue(flat, states, saturday, policy)
    sun = schedule.queue(flat, states, sunday, policy)
    assert [(len(q.new), q.budget, q.weight) for q in (monday, sat, sun)] == [
        (4, 120, 1.0),
        (2, 60, 0.5),
        (0, 0, 0.0),
    ]
    # Across a week the 120 minutes go to reviews on Wednesday and Thursday first.
    week = plan.simulate(flat, states, policy, D0, 7)
    assert [(len(q.new), len(q.reviews)) for q in week.days] == [
        (4, 0),
        (4, 0),
        (0, 4),
        (0, 4),
        (2, 0),
        (0, 0),
        (0, 0),
    ]


# --- through the command line --------------------------------------------------------


def test_graph_command_text_dot_json(run: Run, tmp_path: Path) -> None:
    roadmap = tmp_path / "road.md"
    roadmap.write_text(ROADMAP, encoding="utf-8")
    text = run("graph", roadmap=roadmap)
    assert text.output == (
        "road  (3 links; road.md)\n"
        "  Chain Rule\n"
        "    requires  Derivatives 0.5\n"
        "  Backprop\n"
        "    requires  Chain Rule 1, Derivatives 0.2\n"
        "\n"
        "Credit: 50% of the map's weights, a cautious start: reviews of credited topics will "
        "show how much studying one topic helps another\n"
    )
    # Prerequisites point at what they lead to; sections are clusters.
    assert run("graph", "--format", "dot", roadmap=roadmap).output == (
        'digraph "road" {\n'
        "  rankdir=LR;\n"
        '  node [shape=box, style=rounded, fontname="Helvetica"];\n'
        "  subgraph cluster_1 {\n"
        '    label="1. Maths";\n'
        '    "derivatives" [label="Derivatives"];\n'
        '    "chain-rule" [label="Chain Rule"];\n'
        '    "backprop" [label="Backprop"];\n'
        "  }\n"
        '  "derivatives" -> "chain-rule" [label="0.5"];\n'
        '  "chain-rule" -> "backprop" [label="1"];\n'
        '  "derivatives" -> "backprop" [label="0.2"];\n'
        "}\n"
    )
    data = json.loads(run("graph", "--format", "json", roadmap=roadmap).output)
    assert data["edges"][0] == {
        "source": "chain-rule",
        "target": "derivatives",
        "kind": "requires",
        "weight": 0.5,
        "origin": f"{roadmap}:3",
    }


def _derivatives_credited_once(run: Run, roadmap: Path) -> None:
    """Derivatives reviewed good on Mon 5 Jan, then credited by Chain Rule's good review on
    Tue 6 Jan at weight 0.5: what `show` says of it that Tuesday."""
    shown = json.loads(
        run("show", "derivatives", "--json", now="2026-01-06T10:00", roadmap=roadmap).output
    )
    assert (shown["due"], shown["stability"]) == ("2026-01-10", 4.8109)
    assert (shown["explicit_stability"], shown["credits"], shown["audit"]) == (
        2.3065,
        1,
        "2026-01-13",  # 3.75 x its 2-day explicit interval: credit may carry it so far
    )
    # Each credit is listed with its source, day and effect: 4.8109 - 2.3065.
    assert shown["credit"] == [{"day": "2026-01-06", "from": "chain-rule", "gain": 2.5044}]
    text = run("show", "derivatives", now="2026-01-06T10:00", roadmap=roadmap).output
    assert "  credit    +2.5 days of stability from Chain Rule (Tue 6 Jan)\n" in text
    assert (
        "  scaled    by the transfer: 100% of the map's weights (transfer in the config)\n" in text
    )
    assert shown["transfer"] == {"estimate": 1.0, "fixed": True, "audits": 0}
    assert (
        "  memory    stability 4.8 days (2.3 from your reviews, the rest credit from 1 related "
        "session), difficulty"
    ) in text


def test_review_tells_what_the_graph_moved_and_today_explains(
    run: Run, tmp_path: Path, sealed_home: Path
) -> None:
    _at_the_maps_weights(sealed_home)
    roadmap = tmp_path / "road.md"
    roadmap.write_text(ROADMAP, encoding="utf-8")
    run("review", "Derivatives", "good", now="2026-01-05T09:00", roadmap=roadmap)
    result = run("review", "Chain Rule", "good", now="2026-01-06T09:00", roadmap=roadmap)
    assert result.output == (
        "Recorded Chain Rule: good. next: Thu 8 Jan, in 2 days\n"
        "Through the graph (credit to what it builds on): Derivatives (+2.5 d).\n"
    )
    _derivatives_credited_once(run, roadmap)
    today = run("today", now="2026-01-06T10:00", roadmap=roadmap).output
    assert "New (1)\n  §1  Backprop  topic   30 min  new  [[Backprop]]\n" in today


def test_the_bundled_map_loads_without_problems(run: Run) -> None:
    data = json.loads(run("graph", "--format", "json").output)
    assert data["problems"] == []
    assert len(data["edges"]) == 127
    edges = {(e["source"], e["target"]): e["weight"] for e in data["edges"]}
    assert edges[("backpropagation", "chain-rule")] == 1.0
    assert edges[("backpropagation", "gradients")] == 0.8
    assert edges[("principal-component-analysis", "eigenvalues-and-eigenvectors")] == 0.8
    assert edges[("transformers", "neural-network-basics")] == 0.6


def test_show_and_today_explain_a_relock(run: Run, tmp_path: Path) -> None:
    roadmap = tmp_path / "road.md"
    roadmap.write_text(ROADMAP, encoding="utf-8")
    assert run("config", "set", "gate", "relearning").exit_code == 0
    run("review", "Derivatives", "good", now="2026-01-05T09:00", roadmap=roadmap)
    run("review", "Derivatives", "again", now="2026-01-06T09:00", roadmap=roadmap)
    shown = run("show", "Chain Rule", now="2026-01-07T09:00", roadmap=roadmap).output
    assert "  today     re-locked by Derivatives (rated again on 2026-01-06)\n" in shown
    assert "  blocked   by Derivatives\n" in shown
    today = run("today", now="2026-01-07T09:00", roadmap=roadmap).output
    assert "Derivatives was rated again: what builds on it waits until it is passed.\n" in today
    listed = json.loads(run("today", "--json", now="2026-01-07T09:00", roadmap=roadmap).output)
    assert (listed["relocked_by"], listed["covered"], listed["day_weight"]) == (
        ["derivatives"],
        0,
        1.0,
    )
    data = json.loads(
        run("show", "Derivatives", "--json", now="2026-01-07T09:00", roadmap=roadmap).output
    )
    assert data["today"] == "review: due 2026-01-07, recall 86%"
    bad = run("config", "set", "gate", "strict")
    assert (bad.exit_code, bad.stderr) == (
        2,
        'studyplan: error: \'gate\' must be one of "studied", "relearning", "stable", '
        "got 'strict'\n",
    )


def test_plan_by_a_goal_date_and_easy_days_from_the_command_line(run: Run, tmp_path: Path) -> None:
    roadmap = tmp_path / "r.md"
    roadmap.write_text(
        "## 1. A\n"
        + "".join(f"- [ ] A{i}\n" for i in range(5))
        + "## 2. B\n"
        + "".join(f"- [ ] B{i}\n" for i in range(5)),
        encoding="utf-8",
    )
    monday = "2026-01-05T09:00"
    result = run("plan", "--by", "2026-01-09", "--days", "1", now=monday, roadmap=roadmap)
    assert result.output.splitlines()[:3] == [
        "Goal: the 10 remaining topics introduced by Fri 9 Jan 2026 (5 study days; at least "
        "2 a day).",
        "Behind: at 2 new a day, 9 of them by then.",
        "Needs 3 new a day (new_per_day = 3); the plan below is at that pace.",
    ]
    assert "Mon 5 Jan · 3 topics · 90 min" in result.output
    data = json.loads(
        run("plan", "--by", "2026-01-20", "--format", "json", now=monday, roadmap=roadmap).output
    )
    assert data["pace"] == {
        "by": "2026-01-20",
        "remaining": 10,
        "days": 16,
        "new_per_day": 2,
        "introduced_by_then": 10,
        "finished": "2026-01-10",
        "on_track": True,
        "at_least_per_day": 1,
        "needed_per_day": 1,
    }
    late = run("plan", "--by", "2026-01-04", now=monday, roadmap=roadmap)
    assert (late.exit_code, late.stderr) == (
        2,
        "studyplan: error: --by 2026-01-04 is before today (2026-01-05); give a goal date "
        "from today on\n",
    )
    assert run("config", "set", "day_weights", "{ sat = 0.5, sun = 0 }").output == (
        "day_weights = { sat = 0.5, sun = 0 }\n"
    )
    sunday = run("today", "--json", now="2026-01-11T09:00", roadmap=roadmap)
    saturday = run("today", "--json", now="2026-01-10T09:00", roadmap=roadmap)
    assert (len(json.loads(saturday.output)["new"]), len(json.loads(sunday.output)["new"])) == (
        1,
        0,
    )
    bad = run("config", "set", "day_weights", "{ sunday = 0 }")
    assert bad.exit_code == 2
    assert "'day_weights' names an unknown day 'sunday'" in bad.stderr


def _unlocks_by_brute_force(gate: schedule.Gate, state: memory.CardState) -> tuple[str, ...]:
    """The definition: rebuild the gate with this card passed, compare every card."""
    day = gate.day
    passed = memory.Memory(
        reviewed=1, first=day, last=day, stability=1e6, difficulty=5.0,
        due=day + timedelta(days=1), since=day, last_rating=int(Rating.GOOD),
    )  # fmt: skip
    states = {**gate.states, state.card.id: memory.CardState(state.card, passed)}
    after = schedule.Gate.build(states, gate.policy, day, gate.scheduler, gate.graph)
    return tuple(
        other.card.id
        for other in gate.states.values()
        if other.card.id != state.card.id and gate.locked(other) and not after.locked(other)
    )


@given(
    st.lists(st.tuples(st.integers(1, 3), st.booleans()), min_size=1, max_size=9),
    st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)), max_size=6),
    st.lists(st.sampled_from([None, Rating.GOOD, Rating.AGAIN]), min_size=9, max_size=9),
    st.sampled_from(["studied", "relearning", "stable"]),
)
def test_unlocks_matches_its_definition(
    items: list[tuple[int, bool]],
    links: list[tuple[int, int]],
    ratings: list[Rating | None],
    gate_mode: str,
) -> None:
    items = sorted(items, key=lambda item: item[0])
    lines: list[str] = []
    section = 0
    for n, (number, nested) in enumerate(items):
        if number != section:
            lines.append(f"## {number}. S{number}")
            section = number
        needs = [f"[[T{b}]]" for a, b in links if a == n and b < len(items) and b != n]
        field_ = f" (requires:: {', '.join(needs)})" if needs else ""
        indent = "  " if nested and lines[-1].startswith(("- ", "  -")) else ""
        lines.append(f"{indent}- [ ] T{n}{field_}")
    roadmap = road("\n".join(lines) + "\n")
    g = graph.build(roadmap, [])
    policy = POLICY._replace(gate=gate_mode)
    stamps = [
        stamp(card.id, D0, rating)
        for card, rating in zip(roadmap.cards, ratings, strict=False)
        if rating is not None
    ]
    states = memory.states(roadmap, fold(stamps, g, policy))
    gate = schedule.Gate.build(states, policy, D0 + timedelta(1), graph=g)
    for state in states.values():
        assert tuple(c.id for c in gate.unlocks(state)) == _unlocks_by_brute_force(gate, state)


def test_a_prerequisite_from_a_later_section_is_reported_not_waited_for() -> None:
    roadmap = road("## 1. A\n- [ ] Early (requires:: [[Late]])\n## 2. B\n- [ ] Late\n")
    g = graph.build(roadmap, [])
    assert g.problems == (
        "road.md:2: 'Early' (section 1) requires 'Late' from the later section 2, which "
        "opens only after it: the link is ignored; move one of them or make it a [parts] link",
    )
    assert g.edges == ()
    q = schedule.queue(roadmap, memory.states(roadmap, {}), D0, POLICY, graph=g)
    assert [e.card.id for e in q.new] == ["early"]


def test_the_obsidian_note_carries_the_goal_verdict(run: Run, tmp_path: Path) -> None:
    roadmap = tmp_path / "r.md"
    roadmap.write_text("## 1. A\n" + "".join(f"- [ ] A{i}\n" for i in range(6)), encoding="utf-8")
    note = run(
        "plan", "--by", "2026-01-06", "--days", "1", "--format", "md",
        now="2026-01-05T09:00", roadmap=roadmap,
    ).output  # fmt: skip
    assert (
        "> [!info] Goal: the 6 remaining topics introduced by Tue 6 Jan 2026 (2 study days; "
        "at least 3 a day).\n"
        "> Behind: at 2 new a day, 4 of them by then.\n"
        "> Needs 3 new a day (new_per_day = 3); the plan below is at that pace.\n"
    ) in note
    assert note.count("- [ ] ") == 3


def test_a_back_dated_review_refolds_and_reports_only_real_changes(
    run: Run, tmp_path: Path, sealed_home: Path
) -> None:
    _at_the_maps_weights(sealed_home)
    roadmap = tmp_path / "road.md"
    roadmap.write_text(ROADMAP, encoding="utf-8")
    run("review", "Chain Rule", "good", now="2026-01-06T09:00", roadmap=roadmap)
    late = run(
        "review", "Derivatives", "good", "--at", "2026-01-05T20:00",
        now="2026-01-06T10:00", roadmap=roadmap,
    )  # fmt: skip
    # Derivatives' own review comes first now, then Chain Rule's credits it: due Sat 10
    # Jan, within the audit (3.75 times its 2-day explicit interval).
    assert late.output == "Recorded Derivatives: good. next: Sat 10 Jan, in 4 days\n"
    _derivatives_credited_once(run, roadmap)


def test_a_fresh_topic_is_not_pulled_forward_to_cover_others() -> None:
    """A topic studied today (recall 100 %) and due in 2 days would cover the overdue A
    and B: it is not listed again today to do so."""
    roadmap = road("## 1. M\n- [ ] A\n- [ ] B\n- [ ] C (requires:: [[A]], [[B]])\n")
    g = graph.build(roadmap, [])
    day = D0 + timedelta(10)
    twice = [stamp(x, D0 + timedelta(d)) for d in (0, 1) for x in ("a", "b")]
    memories = fold([*twice, stamp("c", day)], graph.EMPTY_GRAPH)
    assert (memories["a"].due, memories["c"].due) == (D0 + timedelta(8), day + timedelta(2))
    assert memory.fresh(memories["c"], POLICY, memory.Fsrs(POLICY), day)
    q = schedule.queue(roadmap, memory.states(roadmap, memories), day, POLICY, graph=g)
    assert [(e.card.id, e.covers) for e in q.reviews] == [("a", ()), ("b", ())]
    # The next day C's recall is below 95 %: no longer fresh, it is pulled forward a day.
    nextday = day + timedelta(1)
    assert not memory.fresh(memories["c"], POLICY, memory.Fsrs(POLICY), nextday)
    q = schedule.queue(roadmap, memory.states(roadmap, memories), nextday, POLICY, graph=g)
    assert [(e.card.id, e.pulled, [c.id for c in e.covers]) for e in q.reviews] == [
        ("c", 1, ["a", "b"])
    ]


def test_show_lists_a_penalty_with_its_source_day_and_effect(
    run: Run, tmp_path: Path, sealed_home: Path
) -> None:
    """Issue 14: `show` lists credit *and* penalty events; the report's ring is for
    credit only."""
    roadmap = tmp_path / "road.md"
    roadmap.write_text(ROADMAP, encoding="utf-8")
    for n, (topic, day) in enumerate(
        (("Derivatives", "05"), ("Chain Rule", "06"), ("Backprop", "07"))
    ):
        run("review", topic, "good", now=f"2026-01-{day}T09:0{n}", roadmap=roadmap)
    failed = run("review", "Chain Rule", "again", now="2026-01-09T09:00", roadmap=roadmap)
    assert "Backprop (-0.8 d)" in failed.stdout
    text = run("show", "backprop", now="2026-01-09T10:00", roadmap=roadmap).output
    assert "  penalty   -0.8 days of stability: Chain Rule was rated again (Fri 9 Jan)\n" in text
    assert "(2.3 from your reviews, 0.8 less after 1 related failure)" in text
    assert "  credit " not in text
    assert "  scaled " not in text
    shown = json.loads(
        run("show", "backprop", "--json", now="2026-01-09T10:00", roadmap=roadmap).output
    )
    assert (shown["credit"], shown["penalty"]) == (
        [],
        [{"day": "2026-01-09", "from": "chain-rule", "loss": 0.8495}],
    )
    from studyplan.report import data

    penalised = memory.EMPTY._replace(due=D0, lent=((D0, "chain-rule", -0.8),))
    credited_ = memory.EMPTY._replace(due=D0, lent=((D0, "chain-rule", 1.3),))
    rings = data.nodes(
        road(), memory.states(road(), {"backprop": penalised, "derivatives": credited_}), D0, set()
    )
    assert [(n.id, n.credited) for n in rings] == [
        ("derivatives", True),
        ("chain-rule", False),
        ("backprop", False),
    ]
