"""Planned breaks (`studyplan away`): nothing planned on their days, reviews close to due
come the day before, the rest after; listed, cancelled and undone like other entries."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import Run, log_text


def _studied(run: Run, sealed_home: Path) -> None:
    (sealed_home / "studyplan.toml").write_text(
        'timezone = "UTC"\nfuzz = false\ndevice = "laptop"\ndaily_minutes = 60\n',
        encoding="utf-8",
    )
    # Linear Algebra and Matrices on Tuesday 1 Dec: both due on Thursday 3 Dec.
    run("review", "Linear Algebra", "good", "--minutes", "30", now="2026-12-01T09:00")
    run("review", "Matrices and Vectors", "good", "--minutes", "30", now="2026-12-01T09:30")


def test_a_two_week_break_plans_nothing_and_brings_close_reviews_forward(
    run: Run, sealed_home: Path
) -> None:
    _studied(run, sealed_home)
    made = run("away", "2026-12-03", "2026-12-16", "--note", "holidays", now="2026-12-01T10:00")
    assert made.exit_code == 0, made.output
    ident = re.search(r"--cancel ([0-9a-f]{12})", made.output)
    assert ident is not None
    assert made.output == (
        "Away Thu 3 Dec – Wed 16 Dec (14 days): nothing is planned then. "
        f"'studyplan away --cancel {ident.group(1)}' takes it back.\n"
    )
    assert "\n[[away]]\n" in log_text(sealed_home)
    # Due on Thursday, the break's first day: they come on Wednesday, the day before
    # (Linear Algebra's review covers Matrices and Vectors, which it exercises).
    before = json.loads(run("today", "--json", now="2026-12-02T09:00").output)
    assert [(e["id"], e["due"], e["covers"]) for e in before["reviews"]] == [
        ("linear-algebra", "2026-12-03", ["matrices-and-vectors"])
    ]
    # Not studied on Wednesday after all: during the break they wait, and `today` says
    # when they will be done.
    during = run("today", now="2026-12-05T09:00").output
    assert during == (
        "Sat 5 Dec 2026 · Machine Learning Learning Path\n\n"
        "On a break today (2 reviews wait until after it): nothing planned. "
        "'studyplan away --list' shows it.\n"
        "Backlog: 2 reviews beyond today's room, cleared by Thu 17 Dec at this pace.\n"
    )
    plan = json.loads(
        run("plan", "--days", "20", "--format", "json", now="2026-12-02T09:00").output
    )
    planned = {d["date"]: len(d["reviews"]) + len(d["new"]) for d in plan["days"]}
    assert all(planned[f"2026-12-{n:02d}"] == 0 for n in range(3, 17))
    assert planned["2026-12-02"] > 0
    assert planned["2026-12-17"] > 0
    assert all(d["minutes"] <= 60 for d in plan["days"])  # after the break, within budget
    text = run("plan", "--days", "3", now="2026-12-02T09:00").output
    assert "Thu 3 Dec · 0 topics · 0 min\n  on a break (studyplan away --list)\n" in text


def test_reviews_that_fall_due_deep_in_a_break_wait_until_after_it(
    run: Run, sealed_home: Path
) -> None:
    _studied(run, sealed_home)
    config = sealed_home / "studyplan.toml"
    config.write_text(config.read_text().replace("daily_minutes = 60\n", "graph = false\n"))
    run("away", "2026-12-02", "2026-12-10", now="2026-12-01T10:00")
    # Due on the 3rd, the break's second day and within two days of today, the day
    # before it: both come today, the 1st.
    today = json.loads(run("today", "--json", now="2026-12-01T18:00").output)
    assert [e["id"] for e in today["reviews"]] == ["linear-algebra", "matrices-and-vectors"]
    later = run("today", now="2026-12-05T09:00").output
    assert "On a break today (2 reviews wait until after it)" in later


def test_list_cancel_and_undo(run: Run, sealed_home: Path) -> None:
    _studied(run, sealed_home)
    first = run("away", "2026-12-20", "2027-01-03", "--note", "winter", now="2026-12-01T10:00")
    second = run("away", "tomorrow", "2026-12-05", now="2026-12-01T10:01")
    ids = [re.search(r"--cancel (\w+)", r.output).group(1) for r in (first, second)]  # type: ignore[union-attr]
    listed = run("away", "--list", now="2026-12-01T11:00").output
    assert listed == (
        f"{ids[1]}  Wed 2 Dec – Sat 5 Dec (4 days)\n"
        f"{ids[0]}  Sun 20 Dec – Sun 3 Jan 2027 (15 days) · winter\n"
    )
    assert run("undo", "--dry-run", now="2026-12-01T11:00").output == (
        "Would cancel the break Wed 2 Dec – Sat 5 Dec (4 days) (nothing changed).\n"
    )
    assert run("undo", now="2026-12-01T11:00").output == (
        "Cancelled the break Wed 2 Dec – Sat 5 Dec (4 days).\n"
    )
    cancelled = run("away", "--cancel", ids[0], now="2026-12-01T11:05")
    assert cancelled.output == "Cancelled the break Sun 20 Dec – Sun 3 Jan 2027 (15 days).\n"
    assert run("away", "--list", now="2026-12-01T11:10").output == "No breaks planned.\n"
    again = run("away", "--cancel", ids[0], now="2026-12-01T11:10")
    assert again.exit_code == 2
    assert f"no break with the id '{ids[0]}'" in again.stderr


def test_bad_breaks_are_refused_in_one_line_and_write_nothing(run: Run, sealed_home: Path) -> None:
    _studied(run, sealed_home)
    before = log_text(sealed_home)
    for args, message in (
        (["2026-12-10", "2026-12-05"], "the break ends (2026-12-05) before it starts"),
        (["2026-12-10", "2028-01-05"], "a break of more than 366 days is not a break"),
        (["2026-11-01", "2026-11-05"], "the break ended before today (2026-12-01)"),
        (["next week", "2026-12-05"], "FROM 'next week' is not a day"),
        (["2026-12-10"], "give FROM and TO"),
        (["2026-12-10", "2026-12-11", "--note", "a\x1bb"], "--note must be one line"),
    ):
        result = run("away", *args, now="2026-12-01T10:00")
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr
        assert "Traceback" not in result.output
    assert log_text(sealed_home) == before


def test_a_break_logged_on_another_device_counts(run: Run, sealed_home: Path) -> None:
    _studied(run, sealed_home)
    (sealed_home / "log" / "phone.toml").write_text(
        '[[away]]\nid = "p1"\nfrom = "2026-12-04"\nto = "2026-12-06"\n'
        "at = 2026-12-01T08:00:00+00:00\n",
        encoding="utf-8",
    )
    assert "On a break today" in run("today", now="2026-12-05T09:00").output
    assert run("away", "--list", now="2026-12-05T09:00").output == (
        "p1  Fri 4 Dec – Sun 6 Dec (3 days)\n"
    )
