"""The daily loop with less typing (issue 15, first part): shell completion, forgiving
`review`, relative `--at`, `config get`/`unset`, and a time budget that counts what was
already studied today."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from studyplan.cli import cli

from .conftest import Run, log_text

TWINS = """# Twins
## 1. Basics
- [ ] Statistics Basics
- [ ] Statistics Advanced
- [ ] Probability
"""


def complete(words: str, cword: int, home: Path) -> list[str]:
    """What bash completion offers, through click's completion environment variables."""
    result = CliRunner().invoke(
        cli,
        [],
        prog_name="studyplan",
        env={
            "_STUDYPLAN_COMPLETE": "bash_complete",
            "COMP_WORDS": words,
            "COMP_CWORD": str(cword),
            "STUDYPLAN_HOME": str(home),
        },
    )
    assert result.exit_code == 0, result.output
    return [line for line in result.output.splitlines() if line]


def test_completion_offers_topic_ids_ratings_and_config_keys(sealed_home: Path) -> None:
    assert complete("studyplan review lin", 2, sealed_home) == [
        "plain,linear-algebra",
        "plain,linear-algebra-for-ml",
        "plain,linear-regression",
    ]
    # By title too, whatever the case.
    assert complete("studyplan show Backprop", 2, sealed_home) == ["plain,backpropagation"]
    assert complete("studyplan review linear-algebra e", 3, sealed_home) == ["plain,easy"]
    assert complete("studyplan review linear-algebra ", 3, sealed_home) == [
        "plain,again",
        "plain,hard",
        "plain,good",
        "plain,easy",
    ]
    assert complete("studyplan config set new", 3, sealed_home) == ["plain,new_per_day"]
    assert complete("studyplan config unset study", 3, sealed_home) == ["plain,study_start"]


def test_completion_with_a_broken_config_offers_nothing_and_no_traceback(
    sealed_home: Path,
) -> None:
    (sealed_home / "studyplan.toml").write_text("new_per_day = [\n", encoding="utf-8")
    assert complete("studyplan review lin", 2, sealed_home) == []


def test_a_name_matching_several_topics_means_the_one_on_today_s_list(
    run: Run, sealed_home: Path, tmp_path: Path
) -> None:
    roadmap = tmp_path / "twins.md"
    roadmap.write_text(TWINS, encoding="utf-8")
    (sealed_home / "studyplan.toml").write_text(
        'timezone = "UTC"\nfuzz = false\ndevice = "laptop"\nnew_per_day = 1\n', encoding="utf-8"
    )
    result = run("review", "statistics", "good", now="2026-12-01T09:00", roadmap=roadmap)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "('statistics' matches 2 topics; took Statistics Basics, the one on today's list.)"
    )
    assert 'card = "statistics-basics"' in log_text(sealed_home)
    # Now neither is listed (one new topic a day): the name is ambiguous again.
    again = run("review", "statistics", "good", now="2026-12-01T10:00", roadmap=roadmap)
    assert again.exit_code == 2
    assert "'statistics' matches 2 topics" in again.stderr
    assert log_text(sealed_home).count("\n[[review]]\n") == 1


def test_a_second_review_on_the_same_day_says_when_the_first_was(
    run: Run, sealed_home: Path
) -> None:
    run("review", "Linear Algebra", "good", now="2026-12-01T09:15")
    second = run("review", "Linear Algebra", "hard", now="2026-12-01T18:00")
    assert second.exit_code == 0
    assert second.stderr == (
        "studyplan: warning: Linear Algebra was already reviewed that day, at 09:15; both "
        "sessions count ('studyplan undo' takes this one back)\n"
    )
    assert log_text(sealed_home).count("\n[[review]]\n") == 2


@pytest.mark.parametrize(
    ("at", "logged"),
    [
        ("yesterday 21:30", "2026-11-30T21:30:00+01:00"),
        ("Yesterday at 7:05", "2026-11-30T07:05:00+01:00"),
        ("yesterday evening", "2026-11-30T20:00:00+01:00"),
        ("yesterday", "2026-11-30T12:00:00+01:00"),
        ("today 07:15", "2026-12-01T07:15:00+01:00"),
    ],
)
def test_at_accepts_yesterday_and_today(run: Run, sealed_home: Path, at: str, logged: str) -> None:
    result = run("review", "Calculus", "good", "--at", at, now="2026-12-01T09:00")
    assert result.exit_code == 0, result.output
    entry = tomllib.loads(log_text(sealed_home))["review"][0]
    assert entry["at"].isoformat() == logged


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("yesterday 25:00", "--at 'yesterday 25:00' is not a date or time"),
        ("tomorrow 09:00", "--at 'tomorrow 09:00' is not a date or time"),
    ],
)
def test_relative_at_that_cannot_be_logged_is_refused(
    run: Run, sealed_home: Path, at: str, message: str
) -> None:
    result = run("review", "Calculus", "good", "--at", at, now="2026-12-01T09:00")
    assert result.exit_code != 0
    assert message in result.stderr
    assert log_text(sealed_home) == ""


def test_config_get_and_unset(run: Run, sealed_home: Path) -> None:
    config = sealed_home / "studyplan.toml"
    assert run("config", "set", "study_start", "07:30").output == 'study_start = "07:30"\n'
    assert run("config", "get", "study_start").output == '"07:30"\n'
    assert run("config", "get", "daily_minutes").output == "(unset)\n"
    assert run("config", "get", "new_per_day").output == "2\n"
    assert run("config", "unset", "study_start").output == "study_start = (unset)  (default)\n"
    assert config.read_text(encoding="utf-8") == (
        "# studyplan settings; 'studyplan config' lists every key with its meaning.\n"
        'timezone = "Europe/Berlin"\ndevice = "laptop"\nfuzz = false\n'
    )
    before = config.read_bytes()
    wrong = run("config", "unset", "study_strat")
    assert wrong.exit_code == 2
    assert wrong.stderr == (
        "studyplan: error: unknown key 'study_strat' (did you mean 'study_start'?); "
        "'studyplan config' lists the keys\n"
    )
    assert config.read_bytes() == before


def test_the_budget_counts_minutes_already_studied_today(run: Run, sealed_home: Path) -> None:
    (sealed_home / "studyplan.toml").write_text(
        'timezone = "UTC"\nfuzz = false\ndevice = "laptop"\ndaily_minutes = 90\nnew_per_day = 5\n',
        encoding="utf-8",
    )
    fresh = json.loads(run("today", "--json", now="2026-12-01T08:00").output)
    assert sum(e["minutes"] for e in fresh["new"]) <= 90
    assert len(fresh["new"]) == 3  # 30 min each by default
    run("review", "Linear Algebra", "good", "--minutes", "60", now="2026-12-01T09:00")
    later = run("today", now="2026-12-01T10:00").output
    assert "Studied today: 1, 60 min (Linear Algebra); 30 min of the time budget left" in later
    listed = json.loads(run("today", "--json", now="2026-12-01T10:00").output)
    assert [e["minutes"] for e in listed["new"]] == [30]
    # The next day starts with the whole budget again.
    tomorrow = json.loads(run("today", "--json", now="2026-12-02T08:00").output)
    assert sum(e["minutes"] for e in (*tomorrow["reviews"], *tomorrow["new"])) <= 90
    assert len(tomorrow["reviews"]) + len(tomorrow["new"]) == 3


def test_every_package_the_code_imports_is_declared() -> None:
    """PyYAML is imported directly; arriving through python-frontmatter is not enough."""
    import ast
    import re
    import sys

    root = Path(__file__).parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {
        re.split(r"[<>=!~\[ ;]", spec, maxsplit=1)[0].lower()
        for spec in [*project["dependencies"], *project["optional-dependencies"]["plot"]]
        + project["optional-dependencies"]["optimize"]
    }
    distribution = {
        "yaml": "pyyaml",
        "frontmatter": "python-frontmatter",
        "tomli_w": "tomli-w",
        "markdown_it": "markdown-it-py",
        "fsrs_rs_python": "fsrs-rs-python",
    }
    imported: set[str] = set()
    for path in (root / "studyplan").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"studyplan", "__future__"}
    missing = {m for m in third_party if distribution.get(m, m).lower() not in declared}
    assert missing == set()
    assert "yaml" in third_party


def test_install_hints_name_a_command_that_works_outside_a_clone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from studyplan import optimize

    monkeypatch.setitem(sys.modules, "fsrs_rs_python", None)  # as if not installed
    with pytest.raises(optimize.OptimizerMissing) as missing:
        optimize._rs()
    assert str(missing.value) == (
        "optimizing needs fsrs-rs-python: pip install fsrs-rs-python (from a clone of "
        "studyplan: pip install '.[optimize]')"
    )


def test_log_lists_recent_reviews_of_every_device_oldest_first(run: Run, sealed_home: Path) -> None:
    run("review", "Linear Algebra", "good", "--minutes", "45", now="2026-11-20T09:00")
    run("review", "Calculus", "hard", now="2026-11-30T18:00")
    (sealed_home / "log" / "phone.toml").write_text(
        '[[review]]\nid = "p1"\ncard = "matrices-and-vectors"\nrating = "easy"\n'
        "minutes = 20\nat = 2026-11-30T08:30:00+01:00\n",
        encoding="utf-8",
    )
    text = run("log", now="2026-12-01T09:00").output
    assert text == (
        "Mon 30 Nov 08:30  easy    20 min  Matrices and Vectors  phone\n"
        "Mon 30 Nov 18:00  hard      -     Calculus              laptop\n"
        "2 reviews, 20 min, in the last 7 days.\n"
    )
    listed = json.loads(run("log", "--days", "30", "--json", now="2026-12-01T09:00").output)
    assert [(r["card"], r["rating"], r["minutes"], r["device"]) for r in listed] == [
        ("linear-algebra", "good", 45, "laptop"),
        ("matrices-and-vectors", "easy", 20, "phone"),
        ("calculus", "hard", None, "laptop"),
    ]
    assert listed[0]["title"] == "Linear Algebra"
    assert listed[1]["at"] == "2026-11-30T08:30:00+01:00"
    assert run("log", "--days", "1", now="2026-12-01T09:00").output == (
        "No reviews in the last 1 day.\n"
    )


def test_undo_dry_run_says_what_it_would_take_back_and_changes_nothing(
    run: Run, sealed_home: Path
) -> None:
    run("review", "Linear Algebra", "good", now="2026-12-01T09:00")
    before = log_text(sealed_home)
    dry = run("undo", "--dry-run", now="2026-12-01T10:00")
    assert dry.output == "Would undo Linear Algebra: good at Tue 1 Dec 09:00 (nothing changed).\n"
    assert log_text(sealed_home) == before
    assert run("undo", now="2026-12-01T10:00").output == (
        "Undid Linear Algebra: good at Tue 1 Dec 09:00.\n"
    )
    assert log_text(sealed_home) != before


def test_today_more_takes_more_new_topics(run: Run) -> None:
    usual = json.loads(run("today", "--json", now="2026-12-01T09:00").output)
    more = json.loads(run("today", "--more", "2", "--json", now="2026-12-01T09:00").output)
    assert [e["id"] for e in usual["new"]] == ["linear-algebra", "matrices-and-vectors"]
    assert [e["id"] for e in more["new"]] == [
        "linear-algebra",
        "matrices-and-vectors",
        "linear-algebra-for-ml",
        "statistics-probability",
    ]


def test_today_more_goes_beyond_the_time_budget_too(run: Run) -> None:
    """The hint says `--more 1` takes one more when the budget left it out: it does."""
    held = run("today", "--minutes", "30", now="2026-12-01T09:00").output
    assert "over the time budget ('studyplan today --more 1' takes one more)." in held
    data = json.loads(
        run("today", "--minutes", "30", "--more", "1", "--json", now="2026-12-01T09:00").output
    )
    assert [(e["id"], e["minutes"]) for e in data["new"]] == [
        ("linear-algebra", 30),
        ("matrices-and-vectors", 30),
    ]
    text = run("today", "--minutes", "30", "--more", "1", now="2026-12-01T09:00").output
    assert "60 min listed, over the 30-min budget: as asked (--more).\n" in text


def test_counted_words_agree_with_their_numbers() -> None:
    from studyplan.words import plural

    assert [plural(n, "review") for n in (0, 1, 2)] == ["0 reviews", "1 review", "2 reviews"]
    assert plural(1, "entry") == "1 entry"
    assert plural(3, "entry") == "3 entries"
    assert plural(2, "more new topic", "more new topics") == "2 more new topics"


COVER = "# M\n## 1. M\n- [ ] A\n- [ ] B\n- [ ] C (requires:: [[A]], [[B]])\n"


def _covering(run: Run, sealed_home: Path, tmp_path: Path) -> Path:
    """A and B due on 9 Dec, C due on the 11th and pulled forward to cover them (C's
    last review was hard, so it gave A and B no credit)."""
    roadmap = tmp_path / "cover.md"
    roadmap.write_text(COVER, encoding="utf-8")
    (sealed_home / "studyplan.toml").write_text(
        'timezone = "UTC"\nfuzz = false\ndevice = "laptop"\ntransfer = 1.0\n', encoding="utf-8"
    )
    for day, topic, rating in (
        ("01", "A", "good"),
        ("01", "B", "good"),
        ("01", "C", "good"),
        ("02", "A", "good"),
        ("02", "B", "good"),
        ("03", "C", "hard"),
    ):
        run("review", topic, rating, now=f"2026-12-{day}T09:00", roadmap=roadmap)
    return roadmap


def test_a_pulled_forward_cover_is_listed_as_such_and_not_called_early(
    run: Run, sealed_home: Path, tmp_path: Path
) -> None:
    roadmap = _covering(run, sealed_home, tmp_path)
    today = run("today", now="2026-12-09T09:00", roadmap=roadmap).output
    assert (
        "  §1  C  topic   30 min  due Fri 11 Dec, recall 91% · 2 days early, covers A, B" in today
    )
    result = run("review", "C", "good", now="2026-12-09T10:00", roadmap=roadmap)
    assert result.exit_code == 0
    assert result.stderr == ""  # no "not due until … counted as an early review"


def test_a_cover_rated_below_good_leaves_what_it_covered_due(
    run: Run, sealed_home: Path, tmp_path: Path
) -> None:
    roadmap = _covering(run, sealed_home, tmp_path)
    result = run("review", "C", "hard", now="2026-12-09T10:00", roadmap=roadmap)
    assert "A, B stay due: a review covers others only when rated good or easy." in (result.output)
    later = json.loads(run("today", "--json", now="2026-12-09T20:00", roadmap=roadmap).output)
    assert [e["id"] for e in later["reviews"]] == ["a", "b"]
    said = run("today", now="2026-12-09T20:00", roadmap=roadmap).output
    assert said.endswith("C was rated hard today, so it covers none of A, B: they are listed.\n")


def test_show_says_just_reviewed_on_the_day_of_an_again(run: Run) -> None:
    run("review", "Linear Algebra", "good", now="2026-11-26T09:00")
    run("review", "Linear Algebra", "again", now="2026-11-28T09:00")
    shown = run("show", "Linear Algebra", now="2026-11-28T09:30").output
    assert "just reviewed" in shown
    assert "recall now 100%" not in shown
    assert "recall now" in run("show", "Linear Algebra", now="2026-11-29T09:30").output


def test_no_reviews_due_is_not_said_when_they_are_over_the_budget(run: Run) -> None:
    run("review", "Linear Algebra", "good", "--minutes", "40", now="2026-11-26T09:00")
    run("review", "Calculus", "good", "--minutes", "5", now="2026-11-28T08:00")
    text = run("today", "--minutes", "10", now="2026-11-28T09:00").output
    assert "No reviews due" not in text
    assert "1 more due, over the time budget: they come first tomorrow." in text


def test_a_topic_longer_than_the_whole_budget_is_listed_alone(run: Run) -> None:
    """Before, a topic whose estimate was over the budget was never listed: with a
    30-minute budget, bench/workload.py's learner did 6 reviews in 180 days."""
    # A new topic longer than the budget, on a day with nothing else on it: alone.
    fresh = json.loads(run("today", "--minutes", "5", "--json", now="2026-11-26T08:00").output)
    assert [(e["id"], e["minutes"]) for e in fresh["new"]] == [("linear-algebra", 30)]
    run("review", "Linear Algebra", "good", "--minutes", "40", now="2026-11-26T09:00")
    text = run("today", "--minutes", "10", now="2026-11-28T09:00").output
    assert "  §1  Linear Algebra  topic   40 min  due today, recall 91%\n" in text
    assert (
        "Linear Algebra alone is longer than the 10-min budget: it is the one topic today.\n"
    ) in text
    assert "more due" not in text
    data = json.loads(run("today", "--minutes", "10", "--json", now="2026-11-28T09:00").output)
    assert ([e["id"] for e in data["reviews"]], data["new"]) == (["linear-algebra"], [])


def test_force_color_colours_a_pipe_and_no_color_wins(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR")
    assert "\x1b[" not in run("today", now="2026-12-01T09:00").output  # a pipe: plain
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = run("today", now="2026-12-01T09:00").output
    assert "\x1b[1mTue 1 Dec 2026 · Machine Learning Learning Path\x1b[0m" in coloured
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run("today", now="2026-12-01T09:00").output


def test_doctor_all_lists_every_missing_note(run: Run, tmp_path: Path, sealed_home: Path) -> None:
    root = tmp_path / "Vault"
    (root / ".obsidian").mkdir(parents=True)
    items = "".join(f"- [ ] Topic {n:02d} [[Note {n:02d}]]\n" for n in range(12))
    (root / "Path.md").write_text(f"# P\n## 1. A\n{items}", encoding="utf-8")
    run("init", "--vault", str(root), "--roadmap", "Path")
    short = run("doctor", now="2026-12-01T09:00").output
    listed = ", ".join(f"[[Note {n:02d}]]" for n in range(10))
    assert (
        f"12 linked notes do not exist yet: {listed} and 2 more ('doctor --all' lists them)"
    ) in short
    full = run("doctor", "--all", now="2026-12-01T09:00").output
    everything = ", ".join(f"[[Note {n:02d}]]" for n in range(12))
    assert f"12 linked notes do not exist yet: {everything}\n" in full
