from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from studyplan import ledger, store
from studyplan.cli import cli

from .conftest import FIXTURES, Run, log_text

DAY1 = "2026-11-26T09:00"


def test_today_on_the_bundled_roadmap(run: Run) -> None:
    result = run("today", now=DAY1)
    assert result.exit_code == 0
    assert result.output == (
        "Thu 26 Nov 2026 · Machine Learning Learning Path\n"
        "\n"
        "New (2)\n"
        "  §1  Linear Algebra        topic   30 min  new\n"
        "  §1  Matrices and Vectors  topic   30 min  new · unlocks Eigenvalues and Eigenvectors\n"
        "\n"
        "10 more new topics are open, over today's limit ('studyplan today --more 1' takes "
        "one more).\n"
        '2 topics, about 60 min. Log each with: studyplan review "TOPIC" again|hard|good|easy\n'
    )


def test_five_minute_tour(run: Run, sealed_home: Path) -> None:
    result = run("review", "Linear Algebra", "good", "--minutes", "40", now=DAY1)
    assert (result.exit_code, result.output) == (
        0,
        "Recorded Linear Algebra: good, 40 min. next: Sat 28 Nov, in 2 days\n",
    )
    assert run("review", "matrices", "3", now="2026-11-26T10:00").output == (
        "Recorded Matrices and Vectors: good. next: Sat 28 Nov, in 2 days\n"
    )
    later = run("today", now="2026-11-26T21:00").output
    assert "Studied today: 2, 40 min (Linear Algebra, Matrices and Vectors)" in later
    assert "Nothing left to study today." in later
    assert "No reviews due. Next review: Sat 28 Nov (in 2 days)." in later

    day3 = json.loads(run("today", "--json", now="2026-11-28T08:00").output)
    assert day3["date"] == "2026-11-28"
    assert [(c["id"], c["reason"], c["due"], c["minutes"]) for c in day3["reviews"]] == [
        ("linear-algebra", "due", "2026-11-28", 40),
    ]
    # Linear Algebra encompasses Matrices and Vectors (the bundled map): one review, both.
    assert day3["reviews"][0]["covers"] == ["matrices-and-vectors"]
    assert day3["reviews"][0]["why"] == "covers Matrices and Vectors"
    assert [c["id"] for c in day3["new"]] == [
        "eigenvalues-and-eigenvectors",
        "linear-algebra-for-ml",
    ]
    assert set(day3["new"][1]) >= {"id", "title", "section", "kind", "note", "done", "parent"}
    assert (day3["new"][1]["kind"], day3["new"][1]["note"]) == ("note", "Linear Algebra for ML")
    log = log_text(sealed_home)
    assert 'card = "linear-algebra"' in log
    assert "at = 2026-11-26 09:00:00+01:00" in log
    assert "minutes = 40" in log


def test_show_json(run: Run) -> None:
    run("review", "Linear Algebra", "good", "--minutes", "40", now=DAY1)
    run("review", "Linear Algebra", "again", now="2026-11-28T09:00")
    shown = json.loads(run("show", "linear-algebra", "--json", now="2026-11-29T09:00").output)
    assert shown["reviews"] == [
        {"rating": "good", "at": "2026-11-26T09:00:00+01:00", "day": "2026-11-26", "minutes": 40},
        {
            "rating": "again",
            "at": "2026-11-28T09:00:00+01:00",
            "day": "2026-11-28",
            "minutes": None,
        },
    ]
    assert (shown["due"], shown["status"], shown["lapses"]) == ("2026-11-29", "due", 1)
    assert shown["stability"] is not None
    assert shown["stability"] < 2.3065
    assert 0 < shown["retrievability"] < 1
    locked = json.loads(run("show", "Linear Regression", "--json", now=DAY1).output)
    assert locked["status"] == "locked"
    assert len(locked["blocked_by"]) == 31  # 17 + 15 cards of sections 1 and 2, one studied
    assert "linear-algebra" not in locked["blocked_by"]


def test_topics_json_lists_every_card(run: Run) -> None:
    cards = json.loads(run("topics", "--json", now=DAY1).output)
    assert len(cards) == 73
    assert cards[0] == {
        "id": "linear-algebra",
        "title": "Linear Algebra",
        "section": 1,
        "section_title": "Prerequisites & Fundamentals",
        "subsection": None,
        "kind": "topic",
        "note": None,
        "anchor": None,
        "done": False,
        "skipped": False,
        "suspended": False,
        "mark": " ",
        "parent": None,
        "line": 22,
        "estimate": None,
        "description": None,
        "resources": [],
        "note_path": None,
        "uri": None,
        "status": "new",
        "due": None,
    }
    # Sections 2-7 (56 cards), and 5 of section 1 that require an earlier one of it.
    assert [c["status"] for c in cards].count("locked") == 61


@pytest.mark.parametrize(
    ("topic", "message"),
    [
        (
            "regression",
            "'regression' matches 2 topics: linear-regression (Linear Regression), "
            "logistic-regression (Logistic Regression); give more of the title or the id",
        ),
        (
            "Linaer Regresion",
            "no topic matches 'Linaer Regresion' in ml-learning-path.md; "
            "did you mean 'Linear Regression' or 'Logistic Regression'?",
        ),
        ("zzz", "no topic matches 'zzz' in ml-learning-path.md; 'studyplan topics' lists them"),
    ],
)
def test_ambiguous_or_unknown_topics_record_nothing(
    run: Run, sealed_home: Path, topic: str, message: str
) -> None:
    result = run("review", topic, "good", now=DAY1)
    assert result.exit_code == 2
    assert result.stderr == f"studyplan: error: {message}\n"
    assert result.stdout == ""
    assert not (sealed_home / "log").exists()


def test_exact_title_wins_over_partial(run: Run) -> None:
    result = run("review", "linear algebra", "good", now=DAY1)
    assert result.output.startswith("Recorded Linear Algebra: good.")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["review", "Calculus", "great"], "'great' is not a rating"),
        (["review", "Calculus", "5"], "'5' is not a rating"),
        (["review", "Calculus", "good", "--minutes", "-5"], "must be ≥ 0, got -5"),
        (["--now", "next tuesday", "review", "Calculus", "good"], "is not a date or time"),
        (["today", "--minutes", "-1"], "--minutes must be ≥ 0, got -1"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    run: Run, sealed_home: Path, args: list[str], needle: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert needle in result.stderr
    assert "Traceback" not in result.output
    assert not (sealed_home / "log").exists()


def test_unusable_roadmaps(run: Run, tmp_path: Path, sealed_home: Path) -> None:
    latin1 = tmp_path / "latin1.md"
    latin1.write_bytes(b"## 1. A\n- [ ] Caf\xe9\n")
    cases = {
        tmp_path / "missing.md": "does not exist",
        latin1: ":2: not UTF-8 text",
        FIXTURES / "no-items.md": "no checkbox items found",
        FIXTURES / "broken-front-matter.md": "broken front matter at line 3",
    }
    for path, needle in cases.items():
        result = run("review", "A", "good", now=DAY1, roadmap=path)
        assert result.exit_code == 2, path
        assert result.stderr.startswith(f"studyplan: error: {path}") or str(path) in result.stderr
        assert needle in result.stderr
        assert result.stderr.count("\n") == 1
    assert not (sealed_home / "log").exists()


def test_roadmap_deleted_between_runs(run: Run, tmp_path: Path) -> None:
    roadmap = tmp_path / "r.md"
    roadmap.write_text("## 1. A\n- [ ] One\n", encoding="utf-8")
    assert run("review", "one", "good", now=DAY1, roadmap=roadmap).exit_code == 0
    roadmap.unlink()
    result = run("today", now=DAY1, roadmap=roadmap)
    assert result.exit_code == 2
    assert "r.md does not exist" in result.stderr


def test_a_torn_log_entry_is_reported_and_the_rest_still_counts(
    run: Run, sealed_home: Path
) -> None:
    run("review", "Linear Algebra", "good", now=DAY1)
    log = sealed_home / "log" / "laptop.toml"
    with log.open("a", encoding="utf-8") as handle:
        handle.write('\n[[review]]\nid = "abc"\ncard = "matrices-and-vectors"\nrating = "go')
    result = run("today", now="2026-11-28T09:00")
    assert result.exit_code == 0
    assert result.stderr == (
        f"studyplan: warning: {log}:12: unreadable entry (Unterminated string); "
        "torn by a crash? — this entry is not counted; 'studyplan doctor' explains\n"
    )
    assert "§1  Linear Algebra" in result.stdout
    # A later review still lands and parses.
    assert run("review", "matrices", "good", now="2026-11-28T09:30").exit_code == 0
    shown = json.loads(run("show", "matrices", "--json", now="2026-11-28T10:00").stdout)
    assert len(shown["reviews"]) == 1


def test_undo_keeps_the_entry_in_the_log(run: Run, sealed_home: Path) -> None:
    run("review", "Linear Algebra", "good", now=DAY1)
    run("review", "Matrices", "easy", now="2026-11-26T09:30")
    result = run("undo", now="2026-11-26T09:31")
    assert result.output == "Undid Matrices and Vectors: easy at Thu 26 Nov 09:30.\n"
    log = log_text(sealed_home)
    assert log.count("\n[[review]]\n") == 2
    assert log.count("\n[[undo]]\n") == 1
    shown = json.loads(run("show", "matrices", "--json", now="2026-11-26T10:00").output)
    assert shown["reviews"] == []
    run("undo", now="2026-11-26T09:32")
    result = run("undo", now="2026-11-26T09:33")
    assert result.exit_code == 1
    assert "nothing to undo" in result.stderr


def test_study_day_starts_at_four(run: Run) -> None:
    run("review", "Linear Algebra", "good", now="2026-11-27T02:00")  # still the 26th
    late = json.loads(run("today", "--json", now="2026-11-27T03:59").output)
    assert (late["date"], late["studied_today"]) == ("2026-11-26", 1)
    early = json.loads(run("today", "--json", now="2026-11-27T04:00").output)
    assert (early["date"], early["studied_today"]) == ("2026-11-27", 0)
    shown = json.loads(run("show", "linear-algebra", "--json", now="2026-11-27T04:00").output)
    assert shown["due"] == "2026-11-28"  # two study days after the 26th


def test_reviews_count_in_study_days_across_dst(run: Run) -> None:
    """23:00 on Saturday and 09:00 on Monday are two study days apart, DST or not."""
    run("review", "Linear Algebra", "good", now="2026-03-28T23:00")
    run("review", "Linear Algebra", "good", now="2026-03-30T09:00")
    shown = json.loads(run("show", "linear-algebra", "--json", now="2026-03-30T10:00").output)
    assert [r["day"] for r in shown["reviews"]] == ["2026-03-28", "2026-03-30"]
    assert [r["at"][-6:] for r in shown["reviews"]] == ["+01:00", "+02:00"]
    assert shown["stability"] == 10.9643  # py-fsrs: good, then good after 2 days
    assert shown["due"] == "2026-04-10"


def test_review_before_due_or_while_locked_says_so(run: Run) -> None:
    run("review", "Linear Algebra", "good", now=DAY1)
    early = run("review", "Linear Algebra", "good", now="2026-11-27T09:00")
    assert early.exit_code == 0
    assert "was not due until Sat 28 Nov; counted as an early review" in early.stderr
    locked = run("review", "AutoML", "good", now=DAY1)
    assert locked.exit_code == 0
    assert "AutoML is still locked (section 1, 2, 3, 4, 5, 6 not yet studied)" in locked.stderr


def test_time_budget(run: Run) -> None:
    result = json.loads(run("today", "--minutes", "45", "--json", now=DAY1).output)
    assert [c["id"] for c in result["new"]] == ["linear-algebra"]
    assert result["minutes"] == 30


def test_config_show_set_and_bad_keys(run: Run, sealed_home: Path) -> None:
    shown = run("config").output
    assert "new_per_day = 2  (default)" in shown
    assert 'timezone = "Europe/Berlin"' in shown
    assert run("config", "set", "new_per_day", "3").output == "new_per_day = 3\n"
    assert "new_per_day = 3" in (sealed_home / "studyplan.toml").read_text(encoding="utf-8")
    assert len(json.loads(run("today", "--json", now=DAY1).output)["new"]) == 3
    before = (sealed_home / "studyplan.toml").read_bytes()
    bad = run("config", "set", "new_per_dya", "3")
    assert bad.exit_code == 2
    assert "unknown key 'new_per_dya' (did you mean 'new_per_day'?)" in bad.stderr
    assert run("config", "set", "timezone", "Mars/Base").exit_code == 2
    assert (sealed_home / "studyplan.toml").read_bytes() == before


def test_a_bad_config_stops_every_command(run: Run, sealed_home: Path) -> None:
    path = sealed_home / "studyplan.toml"
    path.write_text('fuzz = false\nnew_per_day = "lots"\n', encoding="utf-8")
    result = run("today", now=DAY1)
    assert result.exit_code == 2
    assert result.stderr == (
        f"studyplan: error: {path}:2: 'new_per_day' must be a whole number, got 'lots'\n"
    )


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


@pytest.mark.parametrize("path", _commands(cli))
def test_every_command_has_help(run: Run, path: tuple[str, ...]) -> None:
    result = run(*path, "--help")
    assert result.exit_code == 0
    assert "Usage: " in result.output
    assert len(result.output.splitlines()) > 3


def test_doctor_reports_problems_and_orphans(run: Run, sealed_home: Path, tmp_path: Path) -> None:
    roadmap = tmp_path / "r.md"
    roadmap.write_text("## 1. A\n- [ ] One\n- [ ] Two\n", encoding="utf-8")
    run("review", "one", "good", now=DAY1, roadmap=roadmap)
    run("review", "two", "good", now=DAY1, roadmap=roadmap)
    clean = run("doctor", roadmap=roadmap)
    assert clean.exit_code == 0
    cache = store.Home(sealed_home).cache_dir
    assert clean.output.splitlines() == [
        f"ok       config   {sealed_home / 'studyplan.toml'}",
        f"ok       roadmap  {roadmap} (2 cards, 1 numbered sections)",
        f"ok       log      1 file in {sealed_home / 'log'}, 2 reviews counted, 0 undone",
        f"ok       cache    2 files in {cache} (derived data, safe to delete)",
    ]
    ledger.snapshot_path(store.Home(sealed_home)).write_bytes(b"\x80garbage")
    assert run("doctor", roadmap=roadmap).output.splitlines()[3] == (
        f"note     cache    2 files in {cache} (derived data, safe to delete); "
        "1 unreadable, rebuilt when next needed"
    )
    roadmap.write_text("## 1. A\n- [ ] One\n- [ ] Second\n", encoding="utf-8")
    log = sealed_home / "log" / "laptop.toml"
    with log.open("a", encoding="utf-8") as handle:
        handle.write('\n[[review]]\nid = "t"\ncard = "one"\nrating = "good"\nat = 2026-11-2')
    result = run("doctor", roadmap=roadmap)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[2].startswith("problem  log      1 file in")
    assert lines[3].startswith(f"problem  log      {log}:23: unreadable entry")
    assert lines[5] == (
        "note     orphans  1 review of 1 id not in the roadmap: two (1); "
        "renamed or deleted items keep their history ('studyplan rename OLD NEW' moves it "
        "to a card)"
    )


def test_doctor_counts_one_review_in_the_singular(run: Run, sealed_home: Path) -> None:
    run("review", "Linear Algebra", "good", now="2026-11-26T09:00")
    lines = run("doctor", now="2026-11-26T10:00").output.splitlines()
    assert (
        lines[2] == f"ok       log      1 file in {sealed_home / 'log'}, 1 review counted, 0 undone"
    )
