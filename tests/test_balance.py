"""Load balancing by minutes inside the fuzz window (issue 16, first part)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from studyplan.balance import Load
from studyplan.memory import EMPTY, Memory, fold, fuzz_window, short_window
from studyplan.model import DayStamp, Policy, Rating, Review

from .conftest import Run

D0 = date(2026, 12, 7)  # a Monday
POLICY = Policy(fuzz=True, load_balance=True, new_per_day=0)


def due_on(day: date, minutes: int = 30) -> Memory:
    return EMPTY._replace(due=day, minutes_total=minutes, minutes_count=1)


def test_pick_takes_the_lightest_day_of_the_window_and_never_leaves_it() -> None:
    load = Load(POLICY, [due_on(D0 + timedelta(10))] * 3 + [due_on(D0 + timedelta(11))] * 2)
    # Window 9-11 around 10: day 10 holds 90 min, day 11 60, day 9 nothing.
    assert load.pick(D0, 10, 9, 11, bits=0) == 9
    assert load.pick(D0, 10, 10, 11, bits=0) == 11
    assert load.pick(D0, 10, 10, 10, bits=0) == 10
    for bits in (0, 2**64 - 1, 0x123456789ABCDEF):
        assert 9 <= load.pick(D0, 10, 9, 11, bits) <= 11


def test_an_empty_calendar_prefers_the_unfuzzed_day_and_jitter_spreads_ties() -> None:
    load = Load(POLICY)
    assert load.pick(D0, 10, 8, 12, bits=0) == 10
    # Jitter (up to 3 minutes) against the 1-minute-a-day preference: an empty calendar
    # still spreads, most often onto the unfuzzed day.
    picks = Counter(load.pick(D0, 10, 8, 12, n * 0x9E3779B97F4A7C15 % 2**64) for n in range(2000))
    assert picks == {10: 1204, 9: 389, 11: 323, 8: 51, 12: 33}


def test_days_off_are_never_picked_and_easy_days_count_double() -> None:
    weekend_off = Policy(fuzz=True, new_per_day=0, day_weights=(1, 1, 1, 1, 1, 0.5, 0))
    load = Load(weekend_off, [due_on(D0 + timedelta(4))] * 2)  # Friday: 60 minutes
    # Friday 4 (60 min), Saturday 5 (empty, weight 0.5), Sunday 6 (off): Saturday wins
    # at 0/0.5 + 1 = 1 against Friday's 60.
    assert load.pick(D0, 4, 4, 6, bits=0) == 5
    sat = Load(weekend_off, [due_on(D0 + timedelta(5))] * 1)
    # Saturday now holds 30 minutes, worth 60 at half weight: Friday (60 + 0) ties and
    # the unfuzzed day wins the tie; Sunday is off whatever it holds.
    assert sat.pick(D0, 4, 5, 6, bits=0) == 5


def test_new_topics_count_in_the_day_s_load() -> None:
    policy = Policy(fuzz=True, new_per_day=2, day_weights=(1, 1, 1, 1, 1, 1, 0.25))
    load = Load(policy)
    assert load.expected(D0) == 60.0  # Monday: 2 new topics of 30 minutes
    assert load.expected(D0 + timedelta(6)) == 15.0  # Sunday at a quarter


def review(card: str, day: date, n: int) -> DayStamp:
    at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC) + timedelta(minutes=n)
    return DayStamp(Review(f"r{n:04d}", card, Rating.GOOD, at, minutes=30), day)


def test_a_review_avoids_a_heavy_day_inside_its_window() -> None:
    card = "topic"
    first = fold([review(card, D0, 0)], POLICY)
    second_day = first[card].due
    assert second_day is not None
    stamps = [review(card, D0, 0), review(card, second_day, 1)]
    plain = fold(stamps, POLICY._replace(load_balance=False))[card].due
    assert plain is not None
    interval = (plain - second_day).days
    low, high = fuzz_window(interval, POLICY.maximum_interval)
    # Forty other topics already due on every day of the window but one.
    crowd = {
        f"other-{d}-{k}": due_on(second_day + timedelta(d))
        for d in range(low, high + 1)
        if d != low
        for k in range(40)
    }
    balanced = fold(stamps[1:], POLICY, {**crowd, card: first[card]})[card].due
    assert balanced == second_day + timedelta(low)


def test_balance_short_opens_a_day_either_way_for_intervals_fuzz_never_moves() -> None:
    assert short_window(2, 365) == (1, 3)
    assert short_window(1, 365) == (1, 2)  # never due the same day
    assert short_window(1, 1) == (1, 1)  # nor past the maximum interval
    assert fuzz_window(3, 365) == (2, 4)  # from 3 days on, the fuzz window as before


def test_a_first_review_moves_off_a_full_day_only_with_balance_short() -> None:
    """A first `good` is due in 2 days (FSRS-6: stability 2.3), with no fuzz window.
    With the day after tomorrow full and the day after it empty, `balance_short` moves it
    there; by default it stays on its day, however full."""
    card = "topic"
    crowd = {f"other-{k}": due_on(D0 + timedelta(2)) for k in range(4)}  # 120 minutes
    crowd |= {f"else-{k}": due_on(D0 + timedelta(1)) for k in range(2)}  # 60 minutes
    stamps = [review(card, D0, 0)]
    assert fold(stamps, POLICY, crowd)[card].due == D0 + timedelta(2)
    short = POLICY._replace(balance_short=True)
    assert fold(stamps, short, crowd)[card].due == D0 + timedelta(3)
    # Day 3 fuller still: tomorrow (60 minutes) is the lightest of the three days.
    crowd |= {f"late-{k}": due_on(D0 + timedelta(3)) for k in range(5)}  # 150 minutes
    assert fold(stamps, short, crowd)[card].due == D0 + timedelta(1)
    # Tomorrow as full as day 3: the topic keeps its own day (120 against 150).
    crowd |= {f"more-{k}": due_on(D0 + timedelta(1)) for k in range(3)}  # 150 minutes
    assert fold(stamps, short, crowd)[card].due == D0 + timedelta(2)
    # Balancing off: balance_short changes nothing (plain fuzz never moves 2 days).
    off = short._replace(load_balance=False)
    assert fold(stamps, off, crowd)[card].due == D0 + timedelta(2)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)), min_size=2, max_size=40))
def test_a_fold_from_a_snapshot_balances_as_a_full_fold(steps: list[tuple[int, int]]) -> None:
    """The load is rebuilt from the memories, so folding in two parts chooses the same
    days as folding at once: replays stay deterministic."""
    stamps = []
    day = D0
    for n, (card, gap) in enumerate(steps):
        day += timedelta(days=gap)
        stamps.append(review(f"c{card}", day, n))
    half = len(stamps) // 2
    whole = fold(stamps, POLICY)
    parts = fold(stamps[half:], POLICY, fold(stamps[:half], POLICY))
    assert whole == parts
    short = POLICY._replace(balance_short=True)
    folded = fold(stamps, short)
    assert folded == fold(stamps[half:], short, fold(stamps[:half], short))
    assert all(m.due is not None and m.last is not None and m.due > m.last for m in folded.values())
    # And balancing off is exactly the plain fuzz of before.
    off = POLICY._replace(load_balance=False)
    assert fold(stamps, off) == fold(stamps[half:], off, fold(stamps[:half], off))


def test_the_budget_holds_on_every_day_of_a_60_day_plan(sealed_home: Path) -> None:
    """With `daily_minutes`, no planned day goes over it unless one topic alone does."""
    import json

    from click.testing import CliRunner

    from studyplan.cli import cli

    home = sealed_home
    (home / "studyplan.toml").write_text(
        'timezone = "UTC"\ndevice = "laptop"\ndaily_minutes = 60\nnew_per_day = 3\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    env = {"STUDYPLAN_HOME": str(home)}
    for n, topic in enumerate(("Linear Algebra", "Matrices and Vectors", "Calculus")):
        runner.invoke(
            cli,
            ["--now", f"2026-11-0{n + 1}T09:00", "review", topic, "good", "--minutes", "50"],
            env=env,
        )
    result = runner.invoke(
        cli, ["--now", "2026-11-05T09:00", "plan", "--days", "60", "--format", "json"], env=env
    )
    days = json.loads(result.stdout)["days"]
    assert len(days) == 60
    sizes = [(d["minutes"], len(d["reviews"]) + len(d["new"])) for d in days]
    assert all(minutes <= 60 or count == 1 for minutes, count in sizes), sizes
    assert sum(count for _, count in sizes) > 60  # the plan is not empty


def _backlogged(sealed_home: Path) -> None:
    """Five topics studied in the first days of November, then ten days missed."""
    from click.testing import CliRunner

    from studyplan.cli import cli

    (sealed_home / "studyplan.toml").write_text(
        'timezone = "UTC"\nfuzz = false\ndevice = "laptop"\ndaily_minutes = 60\nnew_per_day = 4\n',
        encoding="utf-8",
    )
    for day in ("01", "02", "03", "04", "05"):
        CliRunner().invoke(cli, ["--now", f"2026-11-{day}T09:00", "study"], input="g 30\n" * 4)


def test_today_says_when_a_backlog_is_cleared(run: Run, sealed_home: Path) -> None:
    _backlogged(sealed_home)
    text = run("today", now="2026-11-16T09:00").output
    assert "5 more due, over the time budget: they come first tomorrow.\n" in text
    assert text.endswith(
        "Backlog: 5 reviews beyond today's room, cleared by Thu 19 Nov at this pace.\n"
    )


def test_forecast_marks_the_days_over_the_budget(run: Run, sealed_home: Path) -> None:
    import json

    _backlogged(sealed_home)
    text = run("forecast", "--days", "3", now="2026-11-16T09:00").output.splitlines()
    assert text[1].endswith("7 reviews, 210 min · over the 60-min budget")
    assert text[-1] == (
        "Budget: 60 min a day (daily_minutes); 1 day over it: what does not fit waits for "
        "the next days."
    )
    rows = json.loads(run("forecast", "--days", "2", "--json", now="2026-11-16T09:00").output)
    assert rows == [
        {"date": "2026-11-16", "reviews": 7, "minutes": 210, "budget": 60},
        {"date": "2026-11-17", "reviews": 0, "minutes": 0, "budget": 60},
    ]


def test_a_ten_day_backlog_is_cleared_on_the_day_today_predicts(
    run: Run, sealed_home: Path
) -> None:
    from click.testing import CliRunner

    from studyplan.cli import cli

    (sealed_home / "studyplan.toml").write_text(
        'timezone = "UTC"\nfuzz = false\ndevice = "laptop"\ndaily_minutes = 60\nnew_per_day = 4\n',
        encoding="utf-8",
    )
    for day in range(1, 9):
        CliRunner().invoke(cli, ["--now", f"2026-11-{day:02d}T09:00", "study"], input="g 30\n" * 4)
    # Ten days missed (9-18 Nov); on the 19th:
    said = run("today", now="2026-11-19T09:00").output.splitlines()[-1]
    assert said == "Backlog: 8 reviews beyond today's room, cleared by Mon 23 Nov at this pace."
    cleared = None
    for day in range(19, 29):
        text = run("today", now=f"2026-11-{day}T09:00").output
        if "more due" not in text:
            cleared = day
            break
        CliRunner().invoke(cli, ["--now", f"2026-11-{day}T09:05", "study"], input="g 30\n" * 3)
    assert cleared == 23


def test_balance_short_is_a_setting_and_off_by_default(run: Run, sealed_home: Path) -> None:
    from studyplan.config import Config

    assert Config().policy().balance_short is False
    assert run("config", "get", "balance_short").output == "false\n"
    assert run("config", "set", "balance_short", "true").output == "balance_short = true\n"
    assert "balance_short = true" in (sealed_home / "studyplan.toml").read_text(encoding="utf-8")
    assert run("config", "get", "balance_short").output == "true\n"
    before = (sealed_home / "studyplan.toml").read_bytes()
    bad = run("config", "set", "balance_short", "sometimes")
    assert bad.exit_code == 2
    assert (sealed_home / "studyplan.toml").read_bytes() == before
