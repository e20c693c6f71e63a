"""How long a 90-day plan takes over a 1,000-card roadmap.

    python bench/plan.py [--cards 1000] [--sections 10] [--days 90] [--history 60]

Builds a roadmap of CARDS checkbox items in SECTIONS numbered sections, logs HISTORY
days of study with the real scheduler (everything `today` lists, rated good), then
times `plan.simulate` in-process (median of 5) and `studyplan plan --days DAYS
--format json` as a fresh process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from common import study

from studyplan import memory, plan, schedule, store
from studyplan.config import Config
from studyplan.model import Rating, Review
from studyplan.roadmap import parse


def roadmap_text(cards: int, sections: int) -> str:
    per = cards // sections
    lines = ["# Big roadmap", ""]
    for s in range(1, sections + 1):
        lines.append(f"## {s}. Section {s}")
        lines += [f"- [ ] Topic {s}-{n} [[Note {s}-{n}|Notes]]" for n in range(per)]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--sections", type=int, default=10)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--history", type=int, default=60)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="studyplan-bench-"))
    try:
        path = folder / "big.md"
        path.write_text(roadmap_text(args.cards, args.sections), encoding="utf-8")
        roadmap = parse(path.read_text(encoding="utf-8"), str(path))
        policy = Config(new_per_day=10, reviews_per_day=200).policy()
        (folder / "studyplan.toml").write_text(
            'fuzz = true\nnew_per_day = 10\nreviews_per_day = 200\ntimezone = "UTC"\n'
        )
        start = date(2026, 1, 1)

        def answer(offset: int, n: int, entry: schedule.Entry, day: date) -> Review:
            return Review(
                id=f"{offset:04d}-{entry.card.id}",
                card=entry.card.id,
                rating=Rating.GOOD,
                at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
                minutes=30,
                title=entry.card.title,
            )

        log = store.Home(folder).log_path("bench")
        memories, reviews = study(roadmap, policy, log, start, args.history, answer)
        today = start + timedelta(days=args.history)
        states = memory.states(roadmap, memories)
        runs = []
        for _ in range(5):
            begin = time.perf_counter()
            result = plan.simulate(roadmap, states, policy, today, args.days)
            runs.append(time.perf_counter() - begin)
        env = {**os.environ, "STUDYPLAN_HOME": str(folder), "STUDYPLAN_NOW": f"{today}T08:00"}
        cmd = [sys.executable, "-m", "studyplan", "--roadmap", str(path), "plan"]
        cmd += ["--days", str(args.days), "--format", "json"]
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)  # build caches
        begin = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        process = time.perf_counter() - begin
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"roadmap     {len(roadmap.cards)} cards in {args.sections} sections")
    print(f"history     {reviews} reviews over {args.history} days")
    print(f"plan        {args.days} days, {result.topics} topics planned")
    print(f"simulate    median {statistics.median(runs) * 1000:.0f} ms (in-process, 5 runs)")
    print(f"studyplan plan --days {args.days} --format json: {process * 1000:.0f} ms (process)")


if __name__ == "__main__":
    main()
