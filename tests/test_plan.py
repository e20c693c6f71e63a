from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import frontmatter
import pytest
from icalendar import Calendar

from studyplan.roadmap import parse

from .conftest import SEED, Run, log_text

NOW = "2026-11-30T08:00"  # a Monday


def study(run: Run, days: int, *, again_every: int = 0, start: date = date(2026, 11, 2)) -> None:
    """Log `days` days of studying everything `today` lists (some rated again)."""
    n = 0
    for offset in range(days):
        day = start + timedelta(days=offset)
        queue = json.loads(run("today", "--json", now=f"{day}T09:00").output)
        for card in queue["reviews"] + queue["new"]:
            n += 1
            rating = "again" if again_every and n % again_every == 0 else "good"
            assert run("review", card["id"], rating, now=f"{day}T10:00").exit_code == 0


def plan_json(run: Run, *args: str, now: str = NOW) -> dict:  # type: ignore[type-arg]
    result = run("plan", "--format", "json", *args, now=now)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.output)  # type: ignore[no-any-return]


@pytest.mark.parametrize(("days", "again_every"), [(0, 0), (12, 0), (12, 3)])
def test_day_one_is_today(run: Run, days: int, again_every: int) -> None:
    study(run, days, again_every=again_every)
    today = json.loads(run("today", "--json", now=NOW).output)
    first = plan_json(run)["days"][0]
    assert first == {k: today[k] for k in ("date", "reviews", "new", "minutes")}
    assert first["date"] == "2026-11-30"
    if days:
        assert first["reviews"], "a mid-way log has reviews due"


def test_plan_never_writes_the_log(run: Run, sealed_home: Path) -> None:
    study(run, 3)
    before = log_text(sealed_home)
    plan_json(run, "--days", "30")
    assert log_text(sealed_home) == before


def test_gates_open_inside_the_week(run: Run, tmp_path: Path) -> None:
    roadmap = tmp_path / "r.md"
    roadmap.write_text(
        "## 1. One\n- [ ] A\n- [ ] B\n- [ ] C\n## 2. Two\n- [ ] D\n- [ ] E\n## 3. Three\n- [ ] F\n",
        encoding="utf-8",
    )
    result = run("plan", "--format", "json", "--days", "5", now=NOW, roadmap=roadmap)
    days = json.loads(result.output)["days"]
    assert [[c["id"] for c in d["new"]] for d in days] == [["a", "b"], ["c"], ["d", "e"], ["f"], []]
    # Each comes back two days after its first (good) study.
    assert [[c["id"] for c in d["reviews"]] for d in days] == [
        [],
        [],
        ["a", "b"],
        ["c"],
        ["d", "e"],
    ]


def test_limits_and_budget_hold_every_day(run: Run, sealed_home: Path) -> None:
    config = sealed_home / "studyplan.toml"
    config.write_text(config.read_text() + "reviews_per_day = 3\nnew_per_day = 2\n")
    days = plan_json(run, "--days", "40")["days"]
    assert all(len(d["reviews"]) <= 3 and len(d["new"]) <= 2 for d in days)
    assert max(len(d["reviews"]) for d in days) == 3  # the review limit is reached
    budget = plan_json(run, "--days", "40", "--minutes", "50")["days"]
    assert all(d["minutes"] <= 50 for d in budget)
    assert sum(len(d["new"]) for d in budget) < sum(len(d["new"]) for d in days)


def test_assume_hard_means_more_reviews_than_easy(run: Run) -> None:
    def reviews(assume: str) -> int:
        days = plan_json(run, "--days", "30", "--assume", assume)["days"]
        return sum(len(d["reviews"]) for d in days)

    assert reviews("hard") > reviews("good") > reviews("easy")


def test_week_runs_from_today_to_sunday(run: Run) -> None:
    days = plan_json(run, "--week", now="2026-12-02T08:00")["days"]  # a Wednesday
    assert [d["date"] for d in days] == [f"2026-12-0{n}" for n in range(2, 7)]
    ahead = plan_json(run, "--week", "--start", "2026-12-09", now="2026-12-02T08:00")["days"]
    assert [d["date"] for d in ahead] == [f"2026-12-{n:02d}" for n in range(7, 14)]
    # Days before the shown week are simulated too: its first day is not day one's list.
    assert ahead[0]["new"][0]["id"] != "linear-algebra"


def test_start_in_the_past_is_refused(run: Run) -> None:
    result = run("plan", "--start", "2026-11-01", now=NOW)
    assert result.exit_code == 2
    assert "--start 2026-11-01 is before today (2026-11-30)" in result.stderr
    bad = run("plan", "--start", "soon", now=NOW)
    assert bad.exit_code == 2
    assert "'soon' is not a date; use YYYY-MM-DD" in bad.stderr


def test_text_week_view(run: Run) -> None:
    result = run("plan", "--days", "3", now=NOW)
    assert result.output == (
        "Plan for Mon 30 Nov – Wed 2 Dec 2026 · Machine Learning Learning Path\n"
        "assuming every topic is rated good · 7 topics · about 195 min\n"
        "\n"
        "Mon 30 Nov · 2 topics · 60 min\n"
        "  new     §1  Linear Algebra                topic   30 min\n"
        "  new     §1  Matrices and Vectors          topic   30 min · unlocks Eigenvalues and "
        "Eigenvectors\n"
        "\n"
        "Tue 1 Dec · 2 topics · 45 min\n"
        "  new     §1  Eigenvalues and Eigenvectors  topic   30 min\n"
        "  new     §1  Linear Algebra for ML         note    15 min  [[Linear Algebra for ML]]\n"
        "\n"
        # Matrices and Vectors is not due: Tuesday's Eigenvalues review credited it (0.7).
        "Wed 2 Dec · 3 topics · 90 min\n"
        "  review  §1  Linear Algebra                topic   30 min\n"
        "  new     §1  Statistics & Probability      topic   30 min\n"
        "  new     §1  Descriptive Statistics        topic   30 min · unlocks Inferential "
        "Statistics\n"
    )


def test_csv(run: Run) -> None:
    result = run("plan", "--days", "2", "--format", "csv", now=NOW)
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows == [
        ["date", "kind", "id", "title", "section", "minutes"],
        ["2026-11-30", "new", "linear-algebra", "Linear Algebra", "1", "30"],
        ["2026-11-30", "new", "matrices-and-vectors", "Matrices and Vectors", "1", "30"],
        [
            "2026-12-01",
            "new",
            "eigenvalues-and-eigenvectors",
            "Eigenvalues and Eigenvectors",
            "1",
            "30",
        ],
        ["2026-12-01", "new", "linear-algebra-for-ml", "Linear Algebra for ML", "1", "15"],
    ]


LINK = re.compile(
    r"^- \[ \] \[\[([^|\]]+)\|([^\]]+)\]\] · (review|new) · §(\d+) · (\d+) min(?: · (.+?))? "
    r"%%studyplan:([a-z0-9-]+)%%$"
)


def test_markdown_note_parses_back_and_links_real_cards(run: Run) -> None:
    study(run, 10)
    result = run("plan", "--week", "--format", "md", now=NOW)
    post = frontmatter.loads(result.output)
    assert post.metadata == {
        "title": "Study plan Mon 30 Nov – Sun 6 Dec 2026",
        "week": "2026-W49",
        "week_start": "2026-11-30",
        "week_end": "2026-12-06",
        "generated": "2026-11-30T08:00:00+01:00",
        "roadmap": "ml-learning-path",
        "assume": "good",
        "tags": ["studyplan"],
    }
    headings = [line for line in post.content.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Mon 30 Nov",
        "## Tue 1 Dec",
        "## Wed 2 Dec",
        "## Thu 3 Dec",
        "## Fri 4 Dec",
        "## Sat 5 Dec",
        "## Sun 6 Dec",
    ]
    cards = {c.title: c for c in parse(SEED.read_text(encoding="utf-8")).cards}
    boxes = [line for line in post.content.splitlines() if line.startswith("- [ ]")]
    plan = plan_json(run, "--week")
    assert len(boxes) == sum(len(d["reviews"]) + len(d["new"]) for d in plan["days"])
    for line in boxes:
        match = LINK.match(line)
        assert match, line
        target, title, _, section, _, _, ident = match.groups()
        card = cards[title]
        expected = card.note or f"ml-learning-path#{card.section_heading}"
        assert (target, int(section), ident) == (expected, card.section, card.id)


def ics_events(text: str) -> list:  # type: ignore[type-arg]
    calendar = Calendar.from_ical(text)
    return list(calendar.walk("VEVENT"))


def test_ics_parses_back_with_stable_uids(run: Run) -> None:
    first = run("plan", "--days", "7", "--format", "ics", now=NOW).output
    second = run("plan", "--days", "7", "--format", "ics", now="2026-11-30T21:00").output
    events = ics_events(first)
    assert len(events) == 7
    uids = [str(e["UID"]) for e in events]
    assert uids == [str(e["UID"]) for e in ics_events(second)]
    assert uids[0] == "2026-11-30@ml-learning-path.studyplan"
    assert events[0].decoded("DTSTART") == date(2026, 11, 30)
    assert str(events[0]["SUMMARY"]) == "Study: 2 topics (~60 min)"


def test_ics_timed_blocks_carry_the_time_zone(run: Run, sealed_home: Path) -> None:
    config = sealed_home / "studyplan.toml"
    config.write_text(config.read_text() + 'study_start = "07:30"\n')
    text = run("plan", "--days", "2", "--format", "ics", now=NOW).output
    calendar = Calendar.from_ical(text)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    events = list(calendar.walk("VEVENT"))
    assert [str(e["UID"]) for e in events] == [
        "linear-algebra-1@ml-learning-path.studyplan",
        "matrices-and-vectors-1@ml-learning-path.studyplan",
        "eigenvalues-and-eigenvectors-1@ml-learning-path.studyplan",
        "linear-algebra-for-ml-1@ml-learning-path.studyplan",
    ]
    starts = [e.decoded("DTSTART") for e in events]
    # 08:00 now: today's blocks start at the next quarter hour, not at 07:30 (past).
    assert [s.isoformat() for s in starts] == [
        "2026-11-30T08:00:00+01:00",
        "2026-11-30T08:30:00+01:00",
        "2026-12-01T07:30:00+01:00",
        "2026-12-01T08:00:00+01:00",
    ]
    assert str(starts[0].tzinfo) == "Europe/Berlin"
    assert "DTSTART;TZID=Europe/Berlin:20261201T073000" in text.replace("\r\n", "\n")


def test_ics_a_topic_that_moves_a_day_keeps_its_uid_and_the_newer_export_wins(
    run: Run, sealed_home: Path
) -> None:
    config = sealed_home / "studyplan.toml"
    config.write_text(config.read_text() + 'study_start = "07:30"\n')
    monday = ics_events(run("plan", "--days", "3", "--format", "ics", now=NOW).output)
    # Nothing studied on Monday: on Tuesday the plan moves Monday's topics to Tuesday.
    tuesday = ics_events(
        run("plan", "--days", "3", "--format", "ics", now="2026-12-01T06:00").output
    )
    before = {str(e["UID"]): e.decoded("DTSTART").isoformat() for e in monday}
    after = {str(e["UID"]): e.decoded("DTSTART").isoformat() for e in tuesday}
    moved = "linear-algebra-1@ml-learning-path.studyplan"
    assert (before[moved], after[moved]) == (
        "2026-11-30T08:00:00+01:00",
        "2026-12-01T07:30:00+01:00",
    )
    # The whole plan slid by a day: the same seven sessions, all updated, none added.
    assert sorted(before) == sorted(after)
    assert len(before) == 7
    assert int(monday[0]["SEQUENCE"]) < int(tuesday[0]["SEQUENCE"])
    assert int(monday[0]["SEQUENCE"]) == (
        (datetime(2026, 11, 30, 7, 0) - datetime(2020, 1, 1)).days * 24 * 60 + 7 * 60
    )


def test_ics_a_day_left_empty_is_sent_cancelled(run: Run, sealed_home: Path) -> None:
    config = sealed_home / "studyplan.toml"
    config.write_text(config.read_text() + "new_per_day = 0\n")
    events = ics_events(run("plan", "--days", "2", "--format", "ics", now=NOW).output)
    assert [(str(e["UID"]), str(e["STATUS"])) for e in events] == [
        ("2026-11-30@ml-learning-path.studyplan", "CANCELLED"),
        ("2026-12-01@ml-learning-path.studyplan", "CANCELLED"),
    ]


def test_output_file_is_written_and_foreign_files_are_protected(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "week.md"
    result = run("plan", "--format", "md", "-o", str(target), now=NOW)
    assert result.exit_code == 0
    assert result.stderr == f"Wrote {target} (7 days, 19 topics).\n"  # credit and audits included
    written = target.read_bytes()
    assert written.startswith(b"---\ntitle: Study plan")
    # Our own untouched file may be replaced.
    assert run("plan", "--format", "md", "-o", str(target), now=NOW).exit_code == 0
    # Once the learner edits it (ticks a box), it is theirs.
    target.write_bytes(written.replace(b"- [ ]", b"- [x]", 1))
    edited = target.read_bytes()
    refused = run("plan", "--format", "md", "-o", str(target), now=NOW)
    assert refused.exit_code == 2
    assert "was not written by studyplan (or was edited since); pass --force" in refused.stderr
    assert target.read_bytes() == edited
    forced = run("plan", "--format", "md", "-o", str(target), "--force", now=NOW)
    assert forced.exit_code == 0
    assert target.read_bytes() == written
    foreign = tmp_path / "notes.csv"
    foreign.write_text("mine\n")
    assert run("plan", "--format", "csv", "-o", str(foreign), now=NOW).exit_code == 2
    assert foreign.read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "notes.csv", "week.md"]
