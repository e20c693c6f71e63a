"""Implicit credit that earns its trust (issue 14, first part): a pending check is never
cancelled by credit, and a note's `prerequisites` carry half a session unless weighted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studyplan import graph, vault
from studyplan.graph import parse_ref

from .conftest import Run

ROADMAP = """# R
## 1. A
- [ ] Base
- [ ] Left (requires:: [[Base]])
- [ ] Right (requires:: [[Base]])
"""


def test_a_check_is_never_cancelled_by_credit(run: Run, tmp_path: Path, sealed_home: Path) -> None:
    (sealed_home / "studyplan.toml").write_text(
        'timezone = "UTC"\nfuzz = false\nnew_per_day = 5\ndevice = "laptop"\n', encoding="utf-8"
    )
    road = tmp_path / "road.md"
    road.write_text(ROADMAP, encoding="utf-8")
    for day in ("01", "04"):
        for n, topic in enumerate(("base", "left", "right")):
            run("review", topic, "good", now=f"2026-12-{day}T09:{n}0", roadmap=road)
    failed = run("review", "left", "again", now="2026-12-08T09:00", roadmap=road)
    assert "Through the graph (sooner reviews and checks): Base." in failed.stdout
    # A good review of Right the same day would credit Base and push its check away.
    passed = run("review", "right", "good", now="2026-12-08T10:00", roadmap=road)
    assert "Through the graph" not in passed.stdout
    today = json.loads(run("today", "--json", now="2026-12-09T09:00", roadmap=road).stdout)
    assert [(e["id"], e["check_for"]) for e in today["reviews"]] == [("base", "left")]
    shown = json.loads(run("show", "base", "--json", now="2026-12-09T09:00", roadmap=road).stdout)
    assert (shown["due"], shown["today"]) == (
        "2026-12-09",
        "review: check: a prerequisite of Left, rated again",
    )


def test_a_note_s_prerequisites_carry_half_a_session_unless_weighted() -> None:
    assert vault.NOTE_WEIGHT == 0.5
    assert parse_ref("[[A]]", vault.NOTE_WEIGHT) == ("A", 0.5)
    assert parse_ref("[[A]]@1", vault.NOTE_WEIGHT) == ("A", 1.0)
    assert parse_ref("[[A]]") == ("A", 1.0)  # inline requires:: and maps keep their weight
    ref = graph.Ref("b", "[[A]]", graph.EdgeKind.REQUIRES, "note.md:2", default=0.5)
    assert ref.default == 0.5


def test_a_vault_note_s_prerequisite_edge_has_weight_one_half(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "vault"
    (root / ".obsidian").mkdir(parents=True)
    (root / "road.md").write_text("# R\n## 1. A\n- [ ] [[Alpha]]\n- [ ] [[Beta]]\n", "utf-8")
    (root / "Alpha.md").write_text("# Alpha\n", "utf-8")
    (root / "Beta.md").write_text('---\nprerequisites: ["[[Alpha]]"]\n---\n# Beta\n', "utf-8")
    result = run("--vault", str(root), "graph", "--format", "json", roadmap=root / "road.md")
    data = json.loads(result.stdout)
    assert [(e["source"], e["target"], e["weight"]) for e in data["edges"]] == [
        ("beta", "alpha", 0.5)
    ]


def test_credit_never_makes_a_topic_mature() -> None:
    from datetime import date

    from studyplan import memory, progress
    from studyplan.model import Policy
    from studyplan.roadmap import parse

    roadmap = parse("# R\n## 1. A\n- [ ] Own\n- [ ] Lent\n")
    day = date(2026, 12, 1)
    common = memory.Memory(reviewed=1, first=day, last=day, difficulty=5.0, due=day, since=day)
    memories = {
        "own": common._replace(stability=30.0, explicit=30.0),  # earned by its own reviews
        "lent": common._replace(stability=30.0, explicit=4.0, credits=6),  # mostly credit
    }
    states = memory.states(roadmap, memories)
    policy = Policy()
    built = progress.build(roadmap, states, {}, day, policy, memory.Fsrs(policy))
    assert (built.sections[0].studied, built.sections[0].mature) == (2, 1)
    assert [memory.earned(memories[k]) for k in ("own", "lent")] == [30.0, 4.0]


def test_optimize_scores_the_defaults_on_exactly_the_fit_s_test_items(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import types

    from studyplan import optimize

    scored: list[list[int]] = []
    evaluation = types.SimpleNamespace(log_loss=0.3, rmse_bins=0.05)

    class FakeFSRS:
        def __init__(self, parameters: list[float]) -> None:
            self.parameters = parameters

        def compute_parameters(self, items: list[int]) -> list[float]:
            return [p + 0.01 for p in self.parameters]

        def evaluate(self, items: list[int]) -> object:
            scored.append(list(items))
            return evaluation

    fake = types.SimpleNamespace(
        DEFAULT_PARAMETERS=[0.5] * 21,
        FSRS=FakeFSRS,
        evaluate_with_time_series_splits=lambda items: evaluation,
    )
    items = list(range(optimize.MIN_SCORED + 7))
    monkeypatch.setattr(optimize, "_rs", lambda: fake)
    monkeypatch.setattr(optimize, "items", lambda stamps: items)
    optimize.fit([])
    # fsrs-rs's five time-series splits test everything after the first sixth.
    assert scored == [items[len(items) // 6 :]]
