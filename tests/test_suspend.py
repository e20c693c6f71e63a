"""`studyplan suspend` / `unsuspend`: a card leaves review for good (logged, reversible)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from studyplan.cli import cli
from studyplan.model import Suspension, suspended

from .conftest import Run, log_text

ROADMAP = """# To-dos
## 1. Setup
- [ ] AWS Free Tier account
- [ ] Install Docker
## 2. Build
- [ ] Deploy
"""


@pytest.fixture
def todo(tmp_path: Path) -> Path:
    path = tmp_path / "todo.md"
    path.write_text(ROADMAP, encoding="utf-8")
    return path


def _status(run: Run, todo: Path, now: str) -> dict[str, str]:
    rows = json.loads(run("topics", "--json", now=now, roadmap=todo).output)
    return {row["id"]: row["status"] for row in rows}


def test_suspend_takes_a_card_out_and_opens_what_it_held(
    run: Run, todo: Path, sealed_home: Path
) -> None:
    now = "2026-12-01T09:00"
    run("review", "install docker", "good", now=now, roadmap=todo)
    before = _status(run, todo, now)
    assert before == {"aws-free-tier-account": "new", "install-docker": "scheduled",
                      "deploy": "locked"}  # fmt: skip
    result = run("suspend", "aws", now="2026-12-01T09:05", roadmap=todo)
    assert result.exit_code == 0
    assert result.output == (
        "Suspended AWS Free Tier account: out of review, blocking nothing. "
        "Bring it back with: studyplan unsuspend aws-free-tier-account\n"
    )
    assert re.search(
        r'\n\[\[suspend\]\]\nid = "[0-9a-f]{12}"\ncard = "aws-free-tier-account"\n'
        r'title = "AWS Free Tier account"\nat = 2026-12-01 09:05:00\+01:00\n\Z',
        log_text(sealed_home),
    )
    after = _status(run, todo, "2026-12-01T09:10")
    assert after == {"aws-free-tier-account": "suspended", "install-docker": "scheduled",
                     "deploy": "new"}  # fmt: skip
    today = json.loads(run("today", "--json", now="2026-12-01T09:10", roadmap=todo).output)
    assert [e["id"] for e in today["new"]] == ["deploy"]
    shown = json.loads(run("show", "aws", "--json", now="2026-12-01T09:10", roadmap=todo).output)
    assert (shown["status"], shown["suspended"], shown["skipped"]) == ("suspended", True, True)
    # Before the entry was written, the card was still in review.
    assert _status(run, todo, "2026-12-01T09:01")["aws-free-tier-account"] == "new"


def test_unsuspend_brings_it_back_with_its_history(run: Run, todo: Path, sealed_home: Path) -> None:
    run("review", "install docker", "good", now="2026-12-01T09:00", roadmap=todo)
    run("suspend", "install docker", now="2026-12-01T09:05", roadmap=todo)
    plan = json.loads(
        run("plan", "--days", "30", "--format", "json", now="2026-12-01T09:10", roadmap=todo).output
    )
    planned = {e["id"] for d in plan["days"] for e in (*d["reviews"], *d["new"])}
    assert "install-docker" not in planned
    result = run("unsuspend", "install-docker", now="2026-12-01T10:00", roadmap=todo)
    assert result.output == "Unsuspended Install Docker: back in review, due Thu 3 Dec.\n"
    assert _status(run, todo, "2026-12-01T10:01")["install-docker"] == "scheduled"
    assert re.search(
        r'\n\[\[unsuspend\]\]\nid = "[0-9a-f]{12}"\ncard = "install-docker"\n'
        r'title = "Install Docker"\nat = 2026-12-01 10:00:00\+01:00\n\Z',
        log_text(sealed_home),
    )


def test_suspending_twice_is_a_clear_error_and_writes_nothing(
    run: Run, todo: Path, sealed_home: Path
) -> None:
    run("suspend", "deploy", now="2026-12-01T09:00", roadmap=todo)
    before = log_text(sealed_home)
    result = CliRunner().invoke(
        cli, ["--now", "2026-12-01T09:01", "--roadmap", str(todo), "suspend", "deploy"]
    )
    assert result.exit_code == 2
    assert result.output == (
        "studyplan: error: Deploy is already suspended; nothing to change "
        "(see 'studyplan unsuspend 'deploy'')\n"
    )
    again = CliRunner().invoke(
        cli, ["--now", "2026-12-01T09:01", "--roadmap", str(todo), "unsuspend", "aws"]
    )
    assert again.exit_code == 2
    assert "AWS Free Tier account is already not suspended" in again.output
    assert log_text(sealed_home) == before


def test_a_suspension_follows_a_rename(run: Run, todo: Path, tmp_path: Path) -> None:
    run("suspend", "aws", now="2026-12-01T09:00", roadmap=todo)
    renamed = tmp_path / "renamed.md"
    renamed.write_text(ROADMAP.replace("AWS Free Tier account", "AWS account"), encoding="utf-8")
    # Under its new title the card has a new id: back in review until it is renamed.
    assert _status(run, renamed, "2026-12-01T09:02")["aws-account"] == "new"
    result = run("rename", "aws-free-tier-account", "aws account", now="2026-12-01T09:03",
                 roadmap=renamed)  # fmt: skip
    assert result.output == (
        "Moved 0 reviews and its suspension from 'aws-free-tier-account' to AWS account "
        "(aws-account).\n"
    )
    assert _status(run, renamed, "2026-12-01T09:04")["aws-account"] == "suspended"


@settings(max_examples=60)
@given(st.lists(st.tuples(st.integers(0, 5), st.booleans()), max_size=12), st.integers(0, 6))
def test_the_newest_entry_up_to_now_wins(entries: list[tuple[int, bool]], upto: int) -> None:
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 12, 1, tzinfo=UTC)
    made = [Suspension("card", start + timedelta(hours=h), on) for h, on in entries]
    now = start + timedelta(hours=upto)
    counted = [(h, on) for h, on in entries if h <= upto]
    expected = False
    if counted:  # the newest hour wins; within it, the entry written last
        top = max(h for h, _ in counted)
        expected = [on for h, on in counted if h == top][-1]
    assert (suspended(made, {}, now) == frozenset({"card"})) is expected
    assert suspended(made, {"card": "new"}, now) == (
        frozenset({"new"}) if expected else frozenset()
    )


def test_undo_takes_back_a_suspension_like_a_review(
    run: Run, todo: Path, sealed_home: Path
) -> None:
    run("review", "Install Docker", "good", now="2026-12-01T09:00", roadmap=todo)
    run("suspend", "install-docker", now="2026-12-01T09:05", roadmap=todo)
    assert _status(run, todo, "2026-12-01T09:06")["install-docker"] == "suspended"
    undone = run("undo", now="2026-12-01T09:10", roadmap=todo)
    assert undone.output == "Undid Install Docker: suspended at Tue 1 Dec 09:05.\n"
    assert _status(run, todo, "2026-12-01T09:11")["install-docker"] == "scheduled"
    # An entry written before suspensions had ids still counts; it can only be reversed.
    log = sealed_home / "log" / "laptop.toml"
    with log.open("a", encoding="utf-8") as handle:
        handle.write('\n[[suspend]]\ncard = "install-docker"\nat = 2026-12-01T09:20:00+01:00\n')
    assert _status(run, todo, "2026-12-01T09:21")["install-docker"] == "suspended"
    again = run("undo", now="2026-12-01T09:30", roadmap=todo)
    assert again.output.startswith("Undid Install Docker: good")  # the review, not the old entry
