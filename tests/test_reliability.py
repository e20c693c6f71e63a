"""Crashes, concurrency, bad input and time: the ways a learner's history could be lost."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studyplan import store

from .conftest import Run, log_text

NOW = "2026-11-26T09:00"
CARDS = ["Linear Algebra", "Calculus", "Derivatives", "Gradients", "Chain Rule"]


def _env(home: Path, now: str = NOW) -> dict[str, str]:
    return {**os.environ, "STUDYPLAN_HOME": str(home), "STUDYPLAN_NOW": now}


def _review_cmd(card: str, minutes: int) -> list[str]:
    return [sys.executable, "-m", "studyplan", "review", card, "good", "--minutes", str(minutes)]


@pytest.mark.slow
def test_fifty_concurrent_reviews_all_land_once(sealed_home: Path) -> None:
    procs = [
        subprocess.Popen(
            _review_cmd(CARDS[n % 5], n),
            env=_env(sealed_home),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for n in range(50)
    ]
    codes = [p.wait(timeout=300) for p in procs]
    errors = [p.stderr.read() for p in procs if p.stderr]
    for proc in procs:
        if proc.stderr:
            proc.stderr.close()
    assert codes == [0] * 50, errors
    history = store.read_history(store.Home(sealed_home))
    assert history.problems == ()
    assert sorted(r.minutes or 0 for r in history.reviews) == list(range(50))
    assert len({r.id for r in history.reviews}) == 50


@pytest.mark.slow
def test_sigkill_at_random_points_never_damages_earlier_entries(sealed_home: Path) -> None:
    """Kill `review` processes at random moments, many times over. Whatever was in the
    log before a kill stays readable; at most the entry being written is torn, and it is
    reported, then repaired without losing anything else."""
    rng = random.Random(20261126)
    log = sealed_home / "log" / "laptop.toml"
    kept: list[str] = []
    killed = 0
    for n in range(40):
        before = log.read_bytes() if log.exists() else b""
        proc = subprocess.Popen(
            _review_cmd(CARDS[n % 5], n),
            env=_env(sealed_home),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.0, 0.6))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait(timeout=60)
        after = log.read_bytes() if log.exists() else b""
        assert after.startswith(before), "bytes written before the kill changed"
        read = store.read_log(log) if log.exists() else store.LogFile()
        ids = [r.id for r in read.reviews]
        assert ids[: len(kept)] == kept, "an earlier review was lost"
        assert len(read.problems) <= n + 1
        kept = ids
    assert killed > 0
    assert len(kept) > 0
    # Every command still works; a torn entry (if any) is reported, then moved aside.
    runner_env = _env(sealed_home, "2026-11-26T12:00")
    today = subprocess.run(
        [sys.executable, "-m", "studyplan", "today"],
        env=runner_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert today.returncode == 0
    problems = store.read_log(log).problems
    assert today.stderr.count("this entry is not counted") == len(problems)
    subprocess.run(
        [sys.executable, "-m", "studyplan", "doctor", "--repair"],
        env=runner_env,
        capture_output=True,
        check=False,
    )
    repaired = store.read_log(log)
    assert repaired.problems == []
    assert [r.id for r in repaired.reviews] == kept


def test_doctor_repair_moves_torn_entries_aside(run: Run, sealed_home: Path) -> None:
    run("review", "Linear Algebra", "good", now=NOW)
    log = sealed_home / "log" / "laptop.toml"
    good = log.read_bytes()
    torn = b'\n[[review]]\nid = "dead"\ncard = "calculus"\nrating = "go'
    log.write_bytes(good + torn)
    run("review", "Calculus", "hard", now="2026-11-26T10:00")
    assert run("doctor", now="2026-11-26T11:00").exit_code == 1
    result = run("doctor", "--repair", now="2026-11-26T11:00")
    backup = sealed_home / "backup" / "laptop-20261126T110000.toml.bad"
    assert result.output.splitlines()[0] == (f"repaired {log}: moved 1 entry (line 12) to {backup}")
    assert result.exit_code == 0
    assert backup.read_text(encoding="utf-8").endswith(
        "\n# from line 12: unreadable entry (Illegal character '\\n'); torn by a crash?\n"
        '[[review]]\nid = "dead"\ncard = "calculus"\nrating = "go\n'
    )
    text = log.read_text(encoding="utf-8")
    assert text.startswith(good.decode())
    assert "dead" not in text
    assert text.count("\n[[review]]\n") == 2
    shown = json.loads(run("show", "calculus", "--json", now="2026-11-26T12:00").output)
    assert [r["rating"] for r in shown["reviews"]] == ["hard"]
    assert run("doctor", now="2026-11-26T12:00").exit_code == 0


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["review", "Calculus", "good", "--at", "2026-11-27T05:00"], "is after the current"),
        (
            ["review", "Calculus", "good", "--at", "last tuesday"],
            "--at 'last tuesday' is not a date",
        ),
        (["review", "Calculus", "good", "--minutes", "-1"], "must be ≥ 0"),
        (["review", "Calculus", "good", "--minutes", "ten"], "'ten' is not a valid integer"),
        (["review", "Calc", "okay"], "'okay' is not a rating"),
        (["review", "Statistics", "good"], "'Statistics' matches 4 topics"),
        (["review", "Quantum Gravity", "good"], "no topic matches 'Quantum Gravity'"),
    ],
)
def test_bad_input_writes_nothing(
    run: Run, sealed_home: Path, args: list[str], needle: str
) -> None:
    run("review", "Linear Algebra", "good", now="2026-11-25T09:00")
    before = log_text(sealed_home)
    result = run(*args, now=NOW)
    assert result.exit_code == 2
    assert needle in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("studyplan: error: ")
    assert log_text(sealed_home) == before


def test_review_at_an_earlier_moment_is_placed_in_time(run: Run) -> None:
    run("review", "Linear Algebra", "good", now="2026-11-26T09:00")
    late = run("review", "Linear Algebra", "hard", "--at", "2026-11-24T21:00", now=NOW)
    assert late.exit_code == 0
    shown = json.loads(run("show", "linear-algebra", "--json", now=NOW).output)
    assert [(r["day"], r["rating"]) for r in shown["reviews"]] == [
        ("2026-11-24", "hard"),
        ("2026-11-26", "good"),
    ]


def test_binary_and_non_utf8_roadmaps(run: Run, tmp_path: Path, sealed_home: Path) -> None:
    binary = tmp_path / "photo.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    result = run("today", now=NOW, roadmap=binary)
    assert result.exit_code == 2
    assert result.stderr == (
        f"studyplan: error: {binary}:3: binary data (NUL byte); "
        "the roadmap must be a Markdown text file\n"
    )
    cp1252 = tmp_path / "cp1252.md"
    cp1252.write_bytes("## 1. A\n- [ ] Caf\u00e9 \u2013 Cr\u00e8me\n".encode("cp1252"))
    result = run("today", now=NOW, roadmap=cp1252)
    assert result.exit_code == 2
    assert "cp1252.md:2: not UTF-8 text (byte 0xe9); save it as UTF-8" in result.stderr
    text = "## 1. A\n- [ ] Café\n"
    for name, data, kind in (
        ("notepad.md", text.encode("utf-16"), "UTF-16"),  # with its byte-order mark
        ("big-endian.md", text.encode("utf-16-be"), "UTF-16"),  # none: NULs beside ASCII
        ("wide.md", text.encode("utf-32"), "UTF-32"),
    ):
        (tmp_path / name).write_bytes(data)
        result = run("today", now=NOW, roadmap=tmp_path / name)
        assert (result.exit_code, result.stderr) == (
            2,
            f"studyplan: error: {tmp_path / name}: {kind} text; the roadmap must be UTF-8 "
            "(save it as UTF-8)\n",
        )
    assert not (sealed_home / "log").exists()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('new_per_day = 2\nspeed = "fast"\n', "studyplan.toml:2: unknown key 'speed'"),
        ("fuzz = false\nday_start_hour = 25\n", "'day_start_hour' must be between 0 and 23"),
        ("maximum_interval = 1.5\n", "'maximum_interval' must be a whole number, got 1.5"),
        ('study_start = "7am"\n', "'study_start' must be a time of day such as \"07:30\""),
        ('timezone = "Mars/Base"\n', "unknown timezone 'Mars/Base'"),
        ("[limits]\nnew = 3\n", "studyplan.toml:1: unknown key 'limits'"),
    ],
)
def test_bad_config_is_named_and_nothing_runs(
    run: Run, sealed_home: Path, config: str, message: str
) -> None:
    (sealed_home / "studyplan.toml").write_text(config, encoding="utf-8")
    result = run("review", "Calculus", "good", now=NOW)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (sealed_home / "log").exists()


def test_moving_timezone_keeps_each_review_on_its_own_day(run: Run, sealed_home: Path) -> None:
    """Reviewed at 23:30 in New York (already the next day in Berlin), then in Berlin: each
    review stays on the study day it had where it was made; none counted twice or lost."""
    config = sealed_home / "studyplan.toml"
    config.write_text('timezone = "America/New_York"\nfuzz = false\ndevice = "laptop"\n')
    run("review", "Linear Algebra", "good", now="2026-11-26T23:30")
    config.write_text('timezone = "Europe/Berlin"\nfuzz = false\ndevice = "laptop"\n')
    today = json.loads(run("today", "--json", now="2026-11-27T10:00").output)
    assert (today["date"], today["studied_today"]) == ("2026-11-27", 0)
    shown = json.loads(run("show", "linear-algebra", "--json", now="2026-11-27T10:00").output)
    assert [(r["at"], r["day"]) for r in shown["reviews"]] == [
        ("2026-11-26T23:30:00-05:00", "2026-11-26")
    ]
    assert shown["due"] == "2026-11-28"
    run("review", "Linear Algebra", "good", now="2026-11-28T09:00")
    again = json.loads(run("show", "linear-algebra", "--json", now="2026-11-28T10:00").output)
    assert [r["day"] for r in again["reviews"]] == ["2026-11-26", "2026-11-28"]
    assert again["stability"] == 10.9643  # two study days apart, as py-fsrs counts them


def test_now_before_the_first_review(run: Run) -> None:
    run("review", "Linear Algebra", "good", now=NOW)
    earlier = json.loads(run("today", "--json", now="2026-11-20T09:00").output)
    assert [c["id"] for c in earlier["new"]] == ["linear-algebra", "matrices-and-vectors"]
    assert earlier["studied_today"] == 0
    shown = json.loads(run("show", "linear-algebra", "--json", now="2026-11-20T09:00").output)
    assert (shown["reviews"], shown["status"]) == ([], "new")
    # …and back to the present, where the review counts again.
    later = json.loads(run("show", "linear-algebra", "--json", now="2026-11-27T09:00").output)
    assert len(later["reviews"]) == 1


def test_fall_back_dst_day_is_one_study_day(run: Run) -> None:
    """25 October has 25 hours in Berlin; reviews at 00:30 and 03:30 (winter time) both
    belong to the 24th, one at 04:30 to the 25th."""
    run("review", "Linear Algebra", "good", now="2026-10-25T00:30")
    run("review", "Calculus", "good", now="2026-10-25T03:30")
    run("review", "Derivatives", "good", now="2026-10-25T04:30")
    days = {
        card: json.loads(run("show", card, "--json", now="2026-10-26T09:00").output)["reviews"][0][
            "day"
        ]
        for card in ("linear-algebra", "calculus", "derivatives")
    }
    assert days == {
        "linear-algebra": "2026-10-24",
        "calculus": "2026-10-24",
        "derivatives": "2026-10-25",
    }


def test_the_installed_entry_point_prints_everything_and_exits_with_the_commands_code(
    run: Run, sealed_home: Path
) -> None:
    """`main` ends the process with os._exit: output must still arrive whole, and the exit
    code must be the command's own. (click flushes on every echo, so this does not catch a
    missing final flush in `main`; that one is for output written any other way.)"""
    env = _env(sealed_home)
    entry = [sys.executable, "-c", "from studyplan.__main__ import main; main()"]
    today = subprocess.run([*entry, "today"], env=env, capture_output=True, text=True)
    assert (today.returncode, today.stderr) == (0, "")
    assert today.stdout == run("today", now=NOW).output
    missing = subprocess.run(
        [*entry, "review", "Quantum Gravity", "good"], env=env, capture_output=True, text=True
    )
    assert (missing.returncode, missing.stdout) == (2, "")
    assert missing.stderr == (
        "studyplan: error: no topic matches 'Quantum Gravity' in ml-learning-path.md; "
        "'studyplan topics' lists them\n"
    )
    assert log_text(sealed_home) == ""
    usage = subprocess.run([*entry, "--version"], env=env, capture_output=True, text=True)
    assert (usage.returncode, usage.stdout.split()[0]) == (0, "studyplan,")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_to_a_full_disk_is_one_line_and_exit_1(sealed_home: Path) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-c", "from studyplan.__main__ import main; main()", "today"],
            env=_env(sealed_home),
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert done.returncode == 1
    assert done.stderr == "studyplan: error: cannot access: No space left on device\n"
