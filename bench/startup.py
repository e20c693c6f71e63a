"""Cold-start time of `studyplan today` on the bundled roadmap with a year of reviews,
as a ratio to a bare `python -c pass` on the same machine.

    python bench/startup.py [--runs 30]

Measured twice: with the home given by STUDYPLAN_HOME, and in the default home (a
temporary HOME and XDG folders), where the command also imports platformdirs to find it.

A year of daily study is simulated with the real scheduler (each day: everything
`today` lists, rated good mostly, sometimes again/hard/easy), written to a temporary
home as an ordinary review log. Then both commands run as fresh processes. The first
`today` run (no cache yet) is reported on its own; the median is over the later runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from common import bundled_graph, study

from studyplan import schedule, store
from studyplan.config import Config
from studyplan.model import Rating, Review


def simulate_year(home: store.Home, days: int = 365, seed: int = 7) -> int:
    """Write `days` days of reviews of the bundled roadmap; return how many."""
    rng = random.Random(seed)
    roadmap = store.read_roadmap(store.bundled_roadmap())
    policy = Config().policy()
    start = datetime(2025, 11, 26, 9, tzinfo=UTC)

    def answer(offset: int, n: int, entry: schedule.Entry, day: date) -> Review:
        rating = rng.choices(list(Rating), weights=(8, 12, 70, 10))[0]
        return Review(
            id=f"{offset:04d}{n:04d}{rng.getrandbits(16):04x}",
            card=entry.card.id,
            rating=rating,
            at=start + timedelta(days=offset, minutes=30 * n),
            minutes=rng.randint(15, 60),
            title=entry.card.title,
        )

    log = home.log_path("bench")
    _, count = study(roadmap, policy, log, start.date(), days, answer, bundled_graph(roadmap))
    return count


def timed(cmd: list[str], env: dict[str, str]) -> float:
    begin = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - begin


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    script = Path(sys.executable).with_name("studyplan")
    today_cmd = (
        [str(script), "today"] if script.exists() else [sys.executable, "-m", "studyplan", "today"]
    )
    folder = Path(tempfile.mkdtemp(prefix="studyplan-bench-"))
    try:
        home = store.Home(folder / "home")
        reviews = simulate_year(home)
        env = {**os.environ, "STUDYPLAN_HOME": str(home.root), "NO_COLOR": "1"}
        env.pop("STUDYPLAN_NOW", None)
        default_env = {k: v for k, v in env.items() if k != "STUDYPLAN_HOME"}
        default_env |= {"HOME": str(folder / "user")}
        for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            default_env.pop(name, None)
        where = subprocess.run(
            [*today_cmd[:-1], "config", "path"],
            env=default_env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        default_home = Path(where.splitlines()[0].split(None, 1)[1]).parent
        shutil.copytree(home.root, default_home)
        bare = [sys.executable, "-c", "pass"]
        for _ in range(3):  # warm the OS file cache for both
            timed(bare, env)
        first = timed(today_cmd, env)
        timed(today_cmd, default_env)
        pass_times, today_times, default_times = [], [], []
        for _ in range(args.runs):  # interleaved, so load changes hit all alike
            pass_times.append(timed(bare, env))
            today_times.append(timed(today_cmd, env))
            default_times.append(timed(today_cmd, default_env))
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    p, t = statistics.median(pass_times), statistics.median(today_times)
    d = statistics.median(default_times)
    system = f"{platform.system()} {platform.release()}"
    print(f"machine     {cpu_model()}, {os.cpu_count()} cores, {system}")
    print(f"python      {platform.python_version()} ({sys.executable})")
    print(f"log         {reviews} reviews over 365 days, bundled roadmap (73 cards)")
    print(f"python -c pass      median {p * 1000:6.1f} ms  (min {min(pass_times) * 1000:.1f})")
    print(f"studyplan today     median {t * 1000:6.1f} ms  (min {min(today_times) * 1000:.1f})")
    print(f"  first run, no cache      {first * 1000:6.1f} ms")
    print(f"  default home             {d * 1000:6.1f} ms  (min {min(default_times) * 1000:.1f})")
    print(f"ratio today / pass  {t / p:.1f}x  (aim: under 6x); default home {d / p:.1f}x")


if __name__ == "__main__":
    main()
