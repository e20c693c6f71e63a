from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Card, Scheduler, State

from studyplan import progress

from .conftest import Run
from .synthetic import write_log

ROADMAP = """# Small
## 1. Basics
- [ ] Alpha
- [ ] Beta
- [ ] Gamma
- [x] Delta
- [-] Epsilon
## 2. Next
- [ ] Zeta
- [ ] Eta
"""


def recall(stability: float, last: date, today: date) -> float:
    """py-fsrs's own retrievability, computed independently of studyplan."""
    scheduler = Scheduler()
    at = datetime(last.year, last.month, last.day, tzinfo=UTC)
    card = Card(card_id=1, state=State.Review, stability=stability, difficulty=5.0,
                due=at, last_review=at)  # fmt: skip
    now = datetime(today.year, today.month, today.day, tzinfo=UTC)
    return scheduler.get_card_retrievability(card, now)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.md"
    path.write_text(ROADMAP, encoding="utf-8")
    return path


def test_progress_on_a_hand_made_log(run: Run, small: Path) -> None:
    # Mon 2 Nov: Alpha easy (stability 8.2956), Beta good (2.3065), 40 + 20 minutes.
    run("review", "alpha", "easy", "--minutes", "40", now="2026-11-02T09:00", roadmap=small)
    run("review", "beta", "good", "--minutes", "20", now="2026-11-02T10:00", roadmap=small)
    # Tue 10 Nov: Alpha easy again, 8 days later: stability grows past 21 days (mature).
    run("review", "alpha", "easy", "--minutes", "30", now="2026-11-10T09:00", roadmap=small)
    # Wed 11 and Thu 12 Nov: Beta again; then nothing on Fri 13.
    run("review", "beta", "again", "--minutes", "25", now="2026-11-11T09:00", roadmap=small)
    run("review", "beta", "good", "--minutes", "15", now="2026-11-12T09:00", roadmap=small)
    result = run("progress", "--json", now="2026-11-13T20:00", roadmap=small)
    data = json.loads(result.output)
    alpha = json.loads(run("show", "alpha", "--json", now="2026-11-13T20:00", roadmap=small).output)
    beta = json.loads(run("show", "beta", "--json", now="2026-11-13T20:00", roadmap=small).output)
    assert alpha["stability"] > 21 > beta["stability"]
    today = date(2026, 11, 13)
    expected_recall = (
        recall(alpha["stability"], date(2026, 11, 10), today)
        + recall(beta["stability"], date(2026, 11, 12), today)
    ) / 2
    assert data["sections"] == [
        {
            "section": 1,
            "title": "Basics",
            "total": 4,  # Epsilon is skipped
            "studied": 2,
            "mature": 1,
            "done": 1,  # Delta, ticked
            "skipped": 1,
            "locked": 0,
            "open": True,
            "recall": round(expected_recall, 4),
        },
        {
            "section": 2,
            "title": "Next",
            "total": 2,
            "studied": 0,
            "mature": 0,
            "done": 0,
            "skipped": 0,
            "locked": 2,
            "open": False,
            "recall": None,
        },
    ]
    assert (data["total"], data["studied"], data["mature"]) == (6, 2, 1)
    assert (data["next_section"], data["blocking"]) == (2, ["gamma"])
    # Studied on the 10th, 11th and 12th; the 13th has no review yet: streak 3.
    assert data["streak"] == 3
    assert data["last_7_days"] == {"reviews": 3, "minutes": 70}
    assert data["last_30_days"] == {"reviews": 5, "minutes": 130}
    assert data["parameters"] == "default"

    text = run("progress", now="2026-11-13T20:00", roadmap=small).output.splitlines()
    assert (
        text[2]
        == f"§1 Basics  █████▓▓▓▓▓▒▒▒▒▒░░░░░    2/4   1 mature · recall {expected_recall:.0%}"
    )
    assert text[3] == "§2 Next    ░░░░░░░░░░░░░░░░░░░░    0/2   locked"
    assert text[6] == "Next to unlock: §2 Next, after 1 more topic: Gamma"
    assert text[7] == (
        "Streak: 3 days · last 7 days: 3 reviews, 70 min · last 30 days: 5 reviews, 130 min"
    )


def test_streak_and_windows() -> None:
    today = date(2026, 11, 26)
    activity = {today - timedelta(days=n): (1, 10) for n in (0, 1, 2, 4)}
    assert progress.streak(activity, today) == 3
    assert progress.streak({}, today) == 0
    assert progress.streak({today - timedelta(days=1): (1, 5)}, today) == 1  # today is young
    assert progress.window(activity, today, 7) == (4, 40)
    assert progress.window(activity, today, 2) == (2, 20)


def test_forecast_sums_match_the_cards_due_dates(run: Run) -> None:
    for day in range(2, 12):
        queue = json.loads(run("today", "--json", now=f"2026-11-{day:02d}T09:00").output)
        for card in queue["reviews"] + queue["new"]:
            run("review", card["id"], "good", now=f"2026-11-{day:02d}T10:00")
    now = "2026-11-12T09:00"
    cards = json.loads(run("topics", "--json", now=now).output)
    rows = json.loads(run("forecast", "--days", "30", "--json", now=now).output)
    assert rows[0]["date"] == "2026-11-12"
    expected: dict[str, int] = {}
    minutes = 0
    for card in cards:
        if card["due"] and card["due"] <= "2026-12-11":
            day = max(card["due"], "2026-11-12")  # overdue cards count on the first day
            expected[day] = expected.get(day, 0) + 1
            minutes += 30 if card["kind"] == "topic" else 15  # the configured defaults
    assert {r["date"]: r["reviews"] for r in rows if r["reviews"]} == expected
    assert sum(r["reviews"] for r in rows) == sum(expected.values()) > 10
    assert sum(r["minutes"] for r in rows) == minutes
    text = run("forecast", "--days", "3", now=now).output.splitlines()
    assert text[0] == "Reviews due, next 3 days · Machine Learning Learning Path"
    assert text[-1].startswith("Total: ")


def test_forecast_png(run: Run, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    run("review", "Linear Algebra", "good", now="2026-11-02T09:00")
    target = tmp_path / "forecast.png"
    result = run("forecast", "--png", str(target), now="2026-11-02T10:00")
    assert result.exit_code == 0
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1500, 600)  # 10 × 4 inches at 150 dpi


def test_forecast_chart_is_made_for_a_learner() -> None:
    pytest.importorskip("matplotlib")
    from datetime import date

    from matplotlib import pyplot

    from studyplan.export import forecast_figure
    from studyplan.progress import ForecastDay

    rows = [
        ForecastDay(date(2026, 11, 27), 3, 95),  # a Friday: today
        ForecastDay(date(2026, 11, 28), 0, 0),
        ForecastDay(date(2026, 11, 29), 1, 40),
        ForecastDay(date(2026, 11, 30), 2, 70),
    ]
    figure = forecast_figure(rows, "Path")
    try:
        axes = figure.axes[0]
        assert [t.get_text() for t in axes.get_xticklabels()] == [
            "Fri 27 Nov",
            "Sat 28 Nov",
            "Sun 29 Nov",
            "Mon 30 Nov",
        ]
        assert all(float(t).is_integer() for t in axes.get_yticks())
        assert axes.get_lines() == []  # no line through the empty Saturday
        assert [t.get_text() for t in axes.texts] == ["95 min", "40 min", "70 min"]
        assert [t.get_text() for t in axes.get_legend().get_texts()] == [
            "today",
            "reviews due (minutes on the bar)",
            "weekend",
        ]
        bars = axes.patches[-4:]
        assert bars[0].get_facecolor() != bars[3].get_facecolor()  # today stands out
        shaded = axes.patches[:-4]  # the weekend spans, behind the bars
        assert len(shaded) == 2
    finally:
        pyplot.close(figure)


def test_optimize_refuses_with_few_reviews_and_leaves_config_alone(
    run: Run, sealed_home: Path
) -> None:
    pytest.importorskip("fsrs_rs_python")
    for n, topic in enumerate(["Linear Algebra", "Calculus", "Derivatives", "Gradients"]):
        run("review", topic, "good", now=f"2026-11-0{n + 2}T09:00")
    run("review", "Linear Algebra", "good", now="2026-11-09T09:00")  # 1 scorable review
    config = sealed_home / "studyplan.toml"
    before = config.read_bytes()
    result = run("optimize", now="2026-11-10T09:00")
    assert result.exit_code == 1
    assert result.stderr == (
        "studyplan: error: optimize needs 100 reviews that can be scored (a topic reviewed "
        "again on a later day); you have 1, so 99 more. Nothing was changed\n"
    )
    assert config.read_bytes() == before


def test_optimize_learns_a_known_memory_and_is_used(run: Run, sealed_home: Path) -> None:
    pytest.importorskip("fsrs_rs_python")
    count = write_log(sealed_home / "log" / "laptop.toml", cards=200, days=300)
    assert count == 1191
    result = run("optimize", now="2026-06-01T09:00")
    assert result.exit_code == 0, result.stderr
    lines = result.output.splitlines()
    assert lines[0] == "Scored 991 reviews (out of sample; same-day reviews not scored)."
    default = [float(x) for x in lines[3].split()[-2:]]
    fitted = [float(x) for x in lines[4].split()[-2:]]
    assert fitted[0] < default[0]  # log loss
    assert fitted[1] < default[1]  # RMSE(bins)
    assert lines[-2] == f"The fit predicts better: written to {sealed_home / 'studyplan.toml'}."
    assert lines[-1].startswith("Credit between topics: 50% of the map's weights")
    text = (sealed_home / "studyplan.toml").read_text(encoding="utf-8")
    assert "parameters = [" in text
    assert 'timezone = "Europe/Berlin"' in text  # the other settings are kept
    shown = json.loads(run("show", "Linear Algebra", "--json", now="2026-06-01T09:00").output)
    assert shown["parameters"] == "fitted"
    # The fitted initial stabilities moved from FSRS-6's defaults towards the truth.
    from tomllib import loads

    parameters = loads(text)["parameters"]
    assert len(parameters) == 21
    assert parameters[2] > 2.3065
    assert parameters[3] > 8.2956


def test_retention_table_is_seeded_and_sensible(run: Run) -> None:
    pytest.importorskip("fsrs_rs_python")
    first = run("optimize", "--retention", now="2026-11-26T09:00")
    second = run("optimize", "--retention", now="2026-11-26T09:00")
    assert first.exit_code == 0
    assert first.output == second.output
    rows = [line.split() for line in first.output.splitlines() if line.startswith("  0.")]
    assert [r[0] for r in rows] == ["0.70", "0.75", "0.80", "0.85", "0.90", "0.93", "0.95", "0.97"]
    minutes = [float(r[1]) for r in rows]
    remembered = [float(r[3]) for r in rows]
    assert minutes == sorted(minutes)
    assert remembered == sorted(remembered)
    assert rows[4][-2:] == ["←", "now"]


def test_a_section_whose_cards_wait_for_a_parent_is_open_not_next_to_unlock(
    run: Run, tmp_path: Path
) -> None:
    # §1's children wait for their parent, but §1 itself is open: the next section to
    # unlock is §2, after what §1 still needs (the old report said "§1, after 0 topics").
    path = tmp_path / "nested.md"
    path.write_text(
        "# Nested\n## 1. One\n- [ ] Parent\n  - [ ] Child A\n  - [ ] Child B\n"
        "## 2. Two\n- [ ] Later\n",
        encoding="utf-8",
    )
    data = json.loads(run("progress", "--json", now="2026-11-13T20:00", roadmap=path).output)
    assert [(s["section"], s["locked"], s["open"]) for s in data["sections"]] == [
        (1, 2, True),
        (2, 1, False),
    ]
    assert (data["next_section"], data["blocking"]) == (2, ["parent", "child-a", "child-b"])
    text = run("progress", now="2026-11-13T20:00", roadmap=path).output.splitlines()
    assert text[2].endswith("0/3   open")
    assert text[3].endswith("0/1   locked")
    assert text[6] == "Next to unlock: §2 Two, after 3 more topics: Parent, Child A, Child B"


def test_a_section_where_every_new_card_waits_reads_waiting(run: Run, tmp_path: Path) -> None:
    # "Extras" has no number, so no section gate holds it; its one card waits for Base.
    path = tmp_path / "waits.md"
    path.write_text(
        "# Waits\n## 1. One\n- [ ] Base\n## Extras\n- [ ] Extra (requires:: [[Base]])\n",
        encoding="utf-8",
    )
    text = run("progress", now="2026-11-13T20:00", roadmap=path).output.splitlines()
    assert text[2].endswith("0/1   open")
    assert text[3] == "Extras  ░░░░░░░░░░░░░░░░░░░░    0/1   waiting"
    assert text[6] == "Every section is open."
