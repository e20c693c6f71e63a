"""Output that fits a terminal: on a terminal (a real pseudo-terminal here) lines are
cut to its width in cells, CJK and emoji counted as two; a pipe gets the full text."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from studyplan.cells import clip, column, pad, width

from .conftest import Run

ROADMAP = """# 学习 🗂
## 1. 基础
- [ ] 学习曲线低，非专业人士也能上手
- [ ] Short
- [ ] A very long English title that goes on and on about many things at once, past all terminals
  - [ten minutes](https://example.org/a/very/long/path/that/does/not/fit/on/one/line/of/a/terminal)
"""


def test_cells_count_wide_characters_twice() -> None:
    assert [width(t) for t in ("abc", "学习", "🗂", "\x1b[1mab\x1b[0m", "")] == [3, 4, 1, 2, 0]
    assert pad("学习", 6) == "学习  "
    assert pad("abc", 2) == "abc"
    assert clip("abcdef", 4) == "abc…"
    assert clip("abcdef", 6) == "abcdef"
    assert clip("学习曲线", 5) == "学习…"  # 2 + 2 + the mark
    assert clip("学习曲线", 6) == "学习…"  # 曲 would need 2 cells, only 1 is left before the mark
    assert clip("\x1b[1mabcdef\x1b[0m", 4) == "\x1b[1mabc\x1b[0m…"
    assert column(["ab", "学习曲线"], None) == 8
    assert column(["ab", "学习曲线"], 5) == 5


def _on_terminal(args: list[str], home: Path, columns: int) -> str:
    """Run studyplan with stdout on a pseudo-terminal `columns` wide."""
    import fcntl
    import pty
    import struct
    import subprocess
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {
        **os.environ,
        "STUDYPLAN_HOME": str(home),
        "NO_COLOR": "1",
        "TZ": "UTC",
        "COLUMNS": "",  # the terminal's own size, not an inherited variable
    }
    env.pop("COLUMNS")
    proc = subprocess.run(
        [sys.executable, "-m", "studyplan", *args],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
        check=True,
        timeout=60,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.stderr == b""
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_today_and_plan_fit_a_narrow_terminal(tmp_path: Path, sealed_home: Path) -> None:
    road = tmp_path / "cjk.md"
    road.write_text(ROADMAP, encoding="utf-8")
    args = ["--now", "2026-12-01T09:00", "--roadmap", str(road)]
    (sealed_home / "studyplan.toml").write_text(
        'timezone = "UTC"\nfuzz = false\ndevice = "laptop"\nnew_per_day = 3\n', encoding="utf-8"
    )
    text = _on_terminal([*args, "today"], sealed_home, 60)
    lines = text.splitlines()
    assert max(width(line) for line in lines) == 60
    # The title column is at most half the terminal (30 cells), aligned by cells.
    assert lines[3] == "  §1  学习曲线低，非专业人士也能上手  topic   30 min  new"
    assert lines[4] == "  §1  Short                           topic   30 min  new"
    assert lines[5] == "  §1  A very long English title tha…  topic   30 min  new"
    assert lines[6] == "        ↗ https://example.org/a/very/long/path/that/does/no…"
    plan = _on_terminal([*args, "plan", "--days", "2"], sealed_home, 50).splitlines()
    assert max(width(line) for line in plan) <= 50
    assert plan[4:7] == [
        "  new     §1  学习曲线低，非专业人士也…  topic…",
        "  new     §1  Short                      topic…",
        "  new     §1  A very long English titl…  topic…",
    ]


def test_a_pipe_gets_the_full_text(run: Run, tmp_path: Path, sealed_home: Path) -> None:
    (sealed_home / "studyplan.toml").write_text("new_per_day = 3\n", encoding="utf-8")
    road = tmp_path / "cjk.md"
    road.write_text(ROADMAP, encoding="utf-8")
    lines = run("today", now="2026-12-01T09:00", roadmap=road).output.splitlines()
    long_title = "A very long English title that goes on and on about many things at once"
    assert any(long_title + ", past all terminals  topic" in line for line in lines)
    assert any("fit/on/one/line/of/a/terminal" in line for line in lines)
