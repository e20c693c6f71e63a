"""Every real roadmap in ../shared/roadmaps through `topics`, `today`, `plan --days 7` and
`plan --by`, as fresh processes: cards read (or imported) and wall-clock times.

    python bench/roadmaps.py [--runs 5]

A roadmap without checkboxes is first converted with `studyplan import` (timed too).
Each command runs once to warm the parse cache, then `--runs` times; the median is shown.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "roadmaps"
NOW = "2026-12-01T09:00"
COMMANDS = {
    "topics": ["topics"],
    "today": ["today"],
    "plan 7": ["plan", "--days", "7"],
    "plan --by": ["plan", "--by", "2027-06-01"],
}


def timed(args: list[str], env: dict[str, str], runs: int) -> float:
    subprocess.run(args, env=env, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    if not SHARED.is_dir():
        sys.exit(f"{SHARED} is absent")
    exe = [sys.executable, "-m", "studyplan"]
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; median of {runs} runs, ms"
    )
    print(f"| roadmap | how | cards | import | {' | '.join(COMMANDS)} |")
    print("|---|---|---:|---:|" + "---:|" * len(COMMANDS))
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(SHARED.glob("*--*.md")):
            home = Path(tmp) / path.stem
            env = {**os.environ, "STUDYPLAN_HOME": str(home), "NO_COLOR": "1"}
            road, how, imported = path, "read", "-"
            probe = subprocess.run(
                [*exe, "--roadmap", str(path), "topics", "--json"], env=env, capture_output=True
            )
            if probe.returncode != 0:
                road, how = home / "imported.md", "import"
                start = time.perf_counter()
                subprocess.run(
                    [*exe, "import", str(path), "-o", str(road), "--force"],
                    env=env,
                    check=True,
                    capture_output=True,
                )
                imported = f"{(time.perf_counter() - start) * 1000:.0f}"
            cards = json.loads(
                subprocess.run(
                    [*exe, "--roadmap", str(road), "topics", "--json"],
                    env=env,
                    check=True,
                    capture_output=True,
                ).stdout
            )
            figures = [
                f"{timed([*exe, '--roadmap', str(road), '--now', NOW, *cmd], env, runs):.0f}"
                for cmd in COMMANDS.values()
            ]
            print(f"| {path.stem} | {how} | {len(cards)} | {imported} | {' | '.join(figures)} |")


if __name__ == "__main__":
    main()
