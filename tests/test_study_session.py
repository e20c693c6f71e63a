"""`studyplan study`: the guided session, driven line by line through stdin."""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from studyplan.cli import cli
from studyplan.model import Rating
from studyplan.session import Answer, parse_answer

from .conftest import log_text


def study(answers: str, now: str = "2026-12-01T09:00", roadmap: Path | None = None) -> Result:
    extra = ["--roadmap", str(roadmap)] if roadmap is not None else []
    return CliRunner().invoke(cli, ["--now", now, *extra, "study"], input=answers)


def counted(home: Path) -> list[tuple[str, str, int | None]]:
    data = tomllib.loads(log_text(home) or "")
    undone = {u["review"] for u in data.get("undo", [])}
    return [
        (r["card"], r["rating"], r.get("minutes"))
        for r in data.get("review", [])
        if r["id"] not in undone
    ]


def test_one_good_then_quit_logs_exactly_one_review_of_the_first_topic(
    sealed_home: Path,
) -> None:
    result = study("g\nq\n")
    assert result.exit_code == 0, result.output
    assert counted(sealed_home) == [("linear-algebra", "good", None)]
    assert result.output == (
        "2 topics today, about 60 min. Keys: 1-4 or a/h/g/e rate · o open · s skip · u undo"
        " · q quit.\n"
        "\n"
        "[1/2] new · §1 Linear Algebra\n"
        "  topic, about 30 min · next in roadmap order\n"
        "Logged Linear Algebra: good. Next: Thu 3 Dec, in 2 days.\n"
        "\n"
        "[2/2] new · §1 Matrices and Vectors\n"
        "  topic, about 30 min · unlocks Eigenvalues and Eigenvectors\n"
        "\n"
        "Session: 1 topic logged, 0 min.\n"
        "  Linear Algebra: good, back Thu 3 Dec\n"
    )


def test_minutes_skip_and_the_end_of_input(sealed_home: Path) -> None:
    result = study("s\nhard 35\n")  # no q: the input simply ends
    assert result.exit_code == 0, result.output
    assert "Skipped Linear Algebra." in result.output
    assert "Logged Matrices and Vectors: hard, 35 min. Next: Wed 2 Dec, tomorrow." in (
        result.output
    )
    assert result.output.endswith(
        "Session: 1 topic logged, 35 min, 1 skipped.\n"
        "  Matrices and Vectors: hard, back Wed 2 Dec\n"
    )
    assert counted(sealed_home) == [("matrices-and-vectors", "hard", 35)]


def test_undo_takes_back_the_last_review_and_shows_its_topic_again(sealed_home: Path) -> None:
    result = study("g 30\nu\ne 25\nq\n")
    assert result.exit_code == 0, result.output
    assert "Undid Linear Algebra: good." in result.output
    assert result.output.count("[1/2] new · §1 Linear Algebra") == 2
    assert counted(sealed_home) == [("linear-algebra", "easy", 25)]
    assert result.output.endswith(
        "Session: 1 topic logged, 25 min.\n  Linear Algebra: easy, back Wed 9 Dec\n"
    )


def test_undo_never_reaches_before_the_session(sealed_home: Path) -> None:
    CliRunner().invoke(cli, ["--now", "2026-12-01T08:00", "review", "Calculus", "good"])
    result = study("u\nq\n")
    assert "Nothing logged in this session to undo." in result.output
    assert counted(sealed_home) == [("calculus", "good", None)]


def test_answers_that_are_not_keys_are_asked_again_and_log_nothing(sealed_home: Path) -> None:
    result = study("maybe\ng 99999\n\nq\n")
    assert result.exit_code == 0
    assert result.output.count("Type 1-4 or a/h/g/e rate · o open · s skip · u undo · q quit.") == 2
    assert counted(sealed_home) == []


def test_open_prints_the_first_resource_without_a_terminal(
    sealed_home: Path, tmp_path: Path
) -> None:
    roadmap = tmp_path / "r.md"
    roadmap.write_text(
        "# R\n## 1. A\n- [ ] Git basics ([video](https://example.org/git))\n", encoding="utf-8"
    )
    result = study("o\nq\n", roadmap=roadmap)
    assert "  open      https://example.org/git\n" in result.output
    assert "\nhttps://example.org/git\n" in result.output
    assert counted(sealed_home) == []


def test_nothing_to_study(sealed_home: Path) -> None:
    study("g\ng\n")
    result = study("g\n", now="2026-12-01T20:00")
    assert result.output == "Nothing left to study today.\n"
    assert len(counted(sealed_home)) == 2


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("g", Answer(rating=Rating.GOOD)),
        ("3", Answer(rating=Rating.GOOD)),
        ("Again", Answer(rating=Rating.AGAIN)),
        ("e 40", Answer(rating=Rating.EASY, minutes=40)),
        ("  h  15 ", Answer(rating=Rating.HARD, minutes=15)),
        ("q", Answer(command="q")),
        ("skip", Answer(command="s")),
        ("", None),
        ("g forty", None),
        ("g 1441", None),
        ("x", None),
        ("q now", None),
    ],
)
def test_answers(text: str, answer: Answer | None) -> None:
    assert parse_answer(text) == answer


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_on_a_terminal_single_keys_rate_and_the_minutes_can_be_corrected(
    sealed_home: Path,
) -> None:
    """A real pseudo-terminal: `g` (no Enter), then the minutes prompt (typed 40), then
    `q`. Each key is sent once the prompt for it has appeared (a raw terminal flushes
    what was typed before it)."""
    import pty
    import select
    import subprocess
    import time

    leader, follower = pty.openpty()
    env = {**os.environ, "STUDYPLAN_HOME": str(sealed_home), "NO_COLOR": "1", "TZ": "UTC"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "studyplan", "--now", "2026-12-01T09:00", "study"],
        stdin=follower,
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(follower)
    seen = b""

    def until(marker: bytes, count: int = 1) -> None:
        nonlocal seen
        deadline = time.monotonic() + 60
        while seen.count(marker) < count:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            ready, _, _ = select.select([leader], [], [], 1)
            if ready:
                try:
                    seen += os.read(leader, 65536)
                except OSError:
                    break

    until(b"> ")
    os.write(leader, b"g")
    until(b"Minutes")
    os.write(leader, b"40\r")
    until(b"> ", 2)
    os.write(leader, b"q")
    until(b"Session:")
    assert proc.wait(timeout=60) == 0
    assert proc.stderr is not None
    with proc.stderr:
        assert proc.stderr.read() == b""
    os.close(leader)
    text = seen.decode("utf-8").replace("\r\n", "\n")
    assert "Logged Linear Algebra: good, 40 min. Next: Thu 3 Dec, in 2 days." in text
    assert counted(sealed_home) == [("linear-algebra", "good", 40)]
