"""`studyplan postpone TOPIC [DAYS]`: an appended entry, applied when the log is read,
undone like a review, counted once across devices."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .conftest import Run, log_text


def due(run: Run, now: str) -> str:
    return json.loads(run("show", "Linear Algebra", "--json", now=now).stdout)["due"]


def test_postpone_moves_the_due_day_until_reviewed_and_undo_takes_it_back(
    run: Run, sealed_home: Path
) -> None:
    run("review", "Linear Algebra", "good", now="2026-12-01T09:00")
    assert due(run, "2026-12-03T09:00") == "2026-12-03"
    result = run("postpone", "Linear Algebra", "3", now="2026-12-03T09:00")
    assert result.output == (
        "Postponed Linear Algebra by 3 days: due Sun 6 Dec (was Thu 3 Dec). "
        "'studyplan undo' takes it back.\n"
    )
    assert "\n[[postpone]]\n" in log_text(sealed_home)
    today = json.loads(run("today", "--json", now="2026-12-03T10:00").output)
    assert today["reviews"] == []
    assert today["next_due"] == "2026-12-06"
    shown = json.loads(run("show", "Linear Algebra", "--json", now="2026-12-03T10:00").output)
    assert shown["due"] == "2026-12-06"
    assert [(p["days"], p["until"]) for p in shown["postponed"]] == [(3, "2026-12-06")]
    text = run("show", "Linear Algebra", now="2026-12-03T10:00").output
    assert (
        "  postponed 3 days on Thu 3 Dec 09:00 (not due before Sun 6 Dec; 'studyplan undo' "
        "takes it back)"
    ) in text
    assert run("undo", "--dry-run", now="2026-12-03T10:00").output == (
        "Would undo Linear Algebra: postponed by 3 days at Thu 3 Dec 09:00 (nothing changed).\n"
    )
    assert run("undo", now="2026-12-03T10:00").output == (
        "Undid Linear Algebra: postponed by 3 days at Thu 3 Dec 09:00.\n"
    )
    assert due(run, "2026-12-03T10:00") == "2026-12-03"
    # The next undo takes back the review itself.
    assert run("undo", now="2026-12-03T10:05").output.startswith("Undid Linear Algebra: good")


def test_a_review_after_a_postpone_decides_the_due_day(run: Run) -> None:
    run("review", "Linear Algebra", "good", now="2026-12-01T09:00")
    run("postpone", "linear-algebra", "30", now="2026-12-02T09:00")
    assert due(run, "2026-12-02T10:00") == "2027-01-01"
    run("review", "Linear Algebra", "hard", now="2026-12-04T09:00")
    after = json.loads(run("show", "Linear Algebra", "--json", now="2026-12-04T10:00").output)
    assert after["postponed"] == []
    assert after["due"] == "2026-12-13"  # the review's own interval, not the postpone's


def test_postpone_counts_from_today_and_never_brings_a_review_forward(run: Run) -> None:
    run("review", "Linear Algebra", "good", now="2026-12-01T09:00")  # due Thu 3 Dec
    result = run("postpone", "Linear Algebra", now="2026-12-01T10:00")  # one day: Wed 2 Dec
    assert "(no change: later already)" in result.output
    assert due(run, "2026-12-01T11:00") == "2026-12-03"


def test_postpone_refuses_what_it_cannot_do_and_writes_nothing(run: Run, sealed_home: Path) -> None:
    new = run("postpone", "Linear Algebra", "2", now="2026-12-01T09:00")
    assert new.exit_code == 2
    assert new.stderr == (
        "studyplan: error: Linear Algebra is not studied yet, so nothing is due to postpone; "
        "a new topic waits on its own ('studyplan suspend' takes it out for good)\n"
    )
    assert log_text(sealed_home) == ""
    run("review", "Linear Algebra", "good", now="2026-12-01T09:00")
    before = log_text(sealed_home)
    for days in ("0", "366", "x"):
        bad = run("postpone", "Linear Algebra", days, now="2026-12-01T10:00")
        assert bad.exit_code == 2
        assert "Traceback" not in bad.output
    assert log_text(sealed_home) == before


def test_a_postpone_syncs_and_a_copied_one_counts_once(run: Run, sealed_home: Path) -> None:
    run("review", "Linear Algebra", "good", now="2026-12-01T09:00")
    run("postpone", "Linear Algebra", "4", now="2026-12-03T09:00")
    log = sealed_home / "log" / "laptop.toml"
    # The phone's log holds the same entry (a sync tool's copy): it counts once, and one
    # undo takes it back for good.
    shutil.copyfile(log, log.with_name("laptop (conflicted copy 2026-12-03).toml"))
    assert due(run, "2026-12-03T10:00") == "2026-12-07"
    run("undo", now="2026-12-03T10:00")
    assert due(run, "2026-12-03T10:05") == "2026-12-03"


def test_a_hand_edited_postpone_is_reported_with_its_line(run: Run, sealed_home: Path) -> None:
    run("review", "Linear Algebra", "good", now="2026-12-01T09:00")
    log = sealed_home / "log" / "laptop.toml"
    with log.open("a", encoding="utf-8") as handle:
        handle.write('\n[[postpone]]\nid = "x1"\ncard = "linear-algebra"\ndays = 0\n')
        handle.write("at = 2026-12-02T09:00:00+01:00\n")
    doctor = run("doctor", now="2026-12-02T10:00")
    assert doctor.exit_code == 1
    assert "postpone 'days' must be a whole number 1-365, got 0" in doctor.output
    assert due(run, "2026-12-02T10:00") == "2026-12-03"  # the bad entry counts for nothing
