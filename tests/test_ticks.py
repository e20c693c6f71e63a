"""Tick to log: a box ticked in a plan note studyplan wrote is logged once, from any
device, and an untick logs nothing."""

from __future__ import annotations

import json
import shutil
import tomllib
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from studyplan.cli import cli
from studyplan.model import Rating
from studyplan.ticks import Tick, review_id, ticked

from .conftest import Run, log_text

ROADMAP = "# Path\n## 1. Basics\n- [ ] Alpha\n- [ ] Beta\n- [ ] Gamma\n- [ ] Delta\n"
NOW = "2026-11-30T08:00"  # a Monday


@pytest.fixture
def vault(run: Run, tmp_path: Path, sealed_home: Path) -> Path:
    root = tmp_path / "Vault"
    (root / ".obsidian").mkdir(parents=True)
    (root / "Path.md").write_text(ROADMAP, encoding="utf-8")
    assert run("init", "--vault", str(root), "--roadmap", "Path").exit_code == 0
    config = sealed_home / "studyplan.toml"
    config.write_text(config.read_text(encoding="utf-8") + "new_per_day = 2\n", encoding="utf-8")
    wrote = run("plan", "--week", "--format", "md", "-o", "2026-W49.md", now=NOW)
    assert wrote.exit_code == 0, wrote.output
    return root


def note(vault: Path) -> Path:
    return vault / "Study Plans" / "2026-W49.md"


def tick(vault: Path, card: str, extra: str = "", mark: str = "x") -> None:
    path = note(vault)
    lines = path.read_text(encoding="utf-8").split("\n")
    for n, line in enumerate(lines):
        if line.startswith("- [ ]") and line.endswith(f"%%studyplan:{card}%%"):
            body = line[len("- [ ]") : -len(f" %%studyplan:{card}%%")]
            lines[n] = f"- [{mark}]{body}{extra} %%studyplan:{card}%%"
            break
    else:
        raise AssertionError(f"no box for {card}")
    path.write_text("\n".join(lines), encoding="utf-8")


def counted(home: Path, device: str = "laptop") -> list[tuple[str, str, str, int | None, str]]:
    data = tomllib.loads(log_text(home, device) or "")
    undone = {u["review"] for u in data.get("undo", [])}
    return [
        (r["id"], r["card"], r["rating"], r.get("minutes"), r["at"].isoformat())
        for r in data.get("review", [])
        if r["id"] not in undone
    ]


def test_the_plan_note_names_each_card_in_a_hidden_comment(vault: Path) -> None:
    text = note(vault).read_text(encoding="utf-8")
    assert "- [ ] [[Path#1. Basics|Alpha]] · new · §1 · 30 min %%studyplan:alpha%%" in text


def test_a_ticked_box_is_logged_once_with_its_rating_and_minutes(
    run: Run, vault: Path, sealed_home: Path
) -> None:
    tick(vault, "alpha")
    tick(vault, "beta", " #hard")
    result = run("today", now="2026-11-30T18:00")
    assert result.exit_code == 0
    assert result.stderr == "Logged 2 reviews ticked in Study Plans/2026-W49.md.\n"
    day = date(2026, 11, 30)
    alpha = review_id("2026-W49", Tick("alpha", day, Rating.GOOD, 30, 0))
    beta = review_id("2026-W49", Tick("beta", day, Rating.HARD, 30, 0))
    # Dated at the start of the study day it sits under (04:00 in Berlin).
    assert counted(sealed_home) == [
        (alpha, "alpha", "good", 30, "2026-11-30T04:00:00+01:00"),
        (beta, "beta", "hard", 30, "2026-11-30T04:00:00+01:00"),
    ]
    assert "Studied today: 2, 60 min (Alpha, Beta)" in result.output
    again = run("today", now="2026-11-30T19:00")
    assert again.stderr == ""
    assert len(counted(sealed_home)) == 2


def test_minutes_edited_on_the_line_and_a_rating_word(
    run: Run, vault: Path, sealed_home: Path
) -> None:
    path = note(vault)
    text = path.read_text(encoding="utf-8").replace(
        "- [ ] [[Path#1. Basics|Alpha]] · new · §1 · 30 min",
        "- [x] [[Path#1. Basics|Alpha]] · new · §1 · 45 min · easy",
    )
    path.write_text(text, encoding="utf-8")
    run("today", now="2026-11-30T18:00")
    assert [(c[1], c[2], c[3]) for c in counted(sealed_home)] == [("alpha", "easy", 45)]


def test_two_devices_that_see_the_same_tick_count_it_once(
    run: Run, vault: Path, sealed_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tick(vault, "alpha")
    run("today", now="2026-11-30T18:00")
    # The desktop: the same synced home and vault, its own log.
    desktop = tmp_path / "desktop-home"
    shutil.copytree(sealed_home, desktop)
    config = desktop / "studyplan.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('device = "laptop"', 'device = "desktop"'),
        encoding="utf-8",
    )
    (desktop / "log" / "laptop.toml").unlink()  # not synced yet
    monkeypatch.setenv("STUDYPLAN_HOME", str(desktop))
    seen = CliRunner().invoke(cli, ["--now", "2026-11-30T19:00", "today"])
    assert seen.stderr == "Logged 1 review ticked in Study Plans/2026-W49.md.\n"
    shutil.copy(sealed_home / "log" / "laptop.toml", desktop / "log" / "laptop.toml")  # synced
    listed = json.loads(
        CliRunner().invoke(cli, ["--now", "2026-11-30T20:00", "log", "--json"]).output
    )
    assert [r["card"] for r in listed] == ["alpha"]
    doctor = CliRunner().invoke(cli, ["--now", "2026-11-30T20:00", "doctor"]).output
    assert "conflict" not in doctor


def test_an_untick_logs_nothing_and_an_undone_tick_is_not_logged_again(
    run: Run, vault: Path, sealed_home: Path
) -> None:
    tick(vault, "alpha")
    run("today", now="2026-11-30T18:00")
    path = note(vault)
    path.write_text(path.read_text(encoding="utf-8").replace("- [x]", "- [ ]"), encoding="utf-8")
    run("today", now="2026-11-30T18:30")
    assert len(counted(sealed_home)) == 1  # unticking is not an undo
    tick(vault, "alpha")
    assert run("undo", now="2026-11-30T19:00").output.startswith("Undid Alpha: good")
    later = run("today", now="2026-11-30T19:30")
    assert later.stderr == ""
    assert counted(sealed_home) == []


def test_a_box_ticked_ahead_is_dated_today_not_in_the_future(
    run: Run, vault: Path, sealed_home: Path
) -> None:
    text = note(vault).read_text(encoding="utf-8")
    ahead = [line for line in text.split("\n") if line.startswith("- [ ]")][-1]
    card = ahead.rsplit("%%studyplan:", 1)[1].rstrip("%")
    tick(vault, card)
    run("today", now="2026-11-30T18:00")
    assert [c[4] for c in counted(sealed_home)] == ["2026-11-30T04:00:00+01:00"]


def test_notes_studyplan_did_not_write_are_left_alone(
    run: Run, vault: Path, sealed_home: Path
) -> None:
    (vault / "Study Plans" / "mine.md").write_text(
        "# My list\n## Mon 30 Nov\n- [x] Alpha %%studyplan:alpha%%\n", encoding="utf-8"
    )
    assert run("today", now="2026-11-30T18:00").stderr == ""
    assert counted(sealed_home) == []


def test_ticked_reads_marks_days_ratings_and_minutes() -> None:
    text = (
        "---\nweek_start: '2026-12-28'\n---\n"
        "## Mon 28 Dec\n"
        "- [x] [[Hard Things|Hard]] · review · §1 · 30 min %%studyplan:hard-things%%\n"
        "- [ ] [[B]] · new · 20 min %%studyplan:b%%\n"
        "## Fri 1 Jan\n"
        "- [X] [[C]] · new · 25 min #again %%studyplan:c%%\n"
        "- [-] [[D]] · new · 25 min %%studyplan:d%%\n"
        "- [x] [[E]] · new %%studyplan:e%%\n"
    )
    assert ticked(text) == [
        Tick("hard-things", date(2026, 12, 28), Rating.GOOD, 30, 5),  # the title is no rating
        Tick("c", date(2027, 1, 1), Rating.AGAIN, 25, 8),
        Tick("e", date(2027, 1, 1), Rating.GOOD, None, 10),
    ]
    assert ticked(text.replace("week_start", "other")) == []


@given(st.lists(st.tuples(st.sampled_from([" ", "x", "X", "/", "-"]), st.integers(1, 90))))
def test_ticked_finds_exactly_the_marked_lines(boxes: list[tuple[str, int]]) -> None:
    lines = ["---", "week_start: '2026-11-30'", "---", "## Tue 1 Dec"]
    for n, (mark, minutes) in enumerate(boxes):
        lines.append(f"- [{mark}] [[T{n}]] · new · {minutes} min %%studyplan:t{n}%%")
    found = ticked("\n".join(lines))
    expected = [
        Tick(f"t{n}", date(2026, 12, 1), Rating.GOOD, minutes, n + 5)
        for n, (mark, minutes) in enumerate(boxes)
        if mark not in (" ", "-")
    ]
    assert found == expected
