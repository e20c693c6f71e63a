"""A heavy user: 10,000 cards in 100 sections and 100,000 reviews over ten years.

    python bench/scale.py [--runs 5] [--reviews 100000]

Writes a generated roadmap and review log to a temporary home (reviews follow the real
scheduler: each day the due cards, then three new ones, rated again/hard/good/easy at
10/15/65/10 %), then times fresh `studyplan` processes: `today`, `review`, `plan --days 7`
and `topics` (median of RUNS after one warm-up run), the first `today` with no cache
(median of 3), and how `today` grows with the length of the history (1k, 10k, 100k reviews).
"""

from __future__ import annotations

import argparse
import heapq
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import tomli_w

from studyplan import memory
from studyplan.config import Config
from studyplan.model import DayStamp, Rating, Review
from studyplan.store import LOG_HEADER

START = date(2016, 12, 1)


def roadmap_text(cards: int, sections: int) -> str:
    per = cards // sections
    lines = ["---", "title: Everything", "tags: [big]", "---", "", "# Everything", ""]
    for s in range(1, sections + 1):
        lines.append(f"## {s}. Area {s}")
        for n in range(per):
            note = f" [[Note {s}-{n}|Notes]]" if n % 3 else ""
            lines.append(f"- [ ] Topic {s}-{n}{note}")
        lines.append("")
    return "\n".join(lines)


def card_ids(cards: int, sections: int) -> list[str]:
    per = cards // sections
    return [f"topic-{s}-{n}" for s in range(1, sections + 1) for n in range(per)]


def write_log(path: Path, ids: list[str], target: int, seed: int = 11) -> tuple[int, date]:
    """Simulate daily study until `target` reviews; return the count and the last day."""
    rng = random.Random(seed)
    policy = Config().policy()
    scheduler = memory.Fsrs(policy)
    memories: dict[str, memory.Memory] = {}
    due: list[tuple[date, str]] = []
    fresh = iter(ids)
    chunks = [LOG_HEADER]
    count, day = 0, START
    while count < target:
        todays = []
        while due and due[0][0] <= day and len(todays) < 60:
            todays.append(heapq.heappop(due)[1])
        for _ in range(3):
            card = next(fresh, None)
            if card is not None:
                todays.append(card)
        for n, card in enumerate(todays):
            if count >= target:
                break
            rating = rng.choices(list(Rating), weights=(10, 15, 65, 10))[0]
            at = datetime(day.year, day.month, day.day, 7, tzinfo=UTC) + timedelta(minutes=n)
            review = Review(f"{count:08x}", card, rating, at, minutes=rng.randint(15, 60))
            after = memory.extend(
                memories.get(card, memory.EMPTY), card, DayStamp(review, day), policy, scheduler
            )
            memories[card] = after
            assert after.due is not None
            heapq.heappush(due, (after.due, card))
            entry = {"id": review.id, "card": card, "rating": rating.label}
            entry |= {"minutes": review.minutes, "at": at}
            chunks.append(f"\n[[review]]\n{tomli_w.dumps(entry)}")
            count += 1
        day += timedelta(days=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(chunks), encoding="utf-8")
    return count, day


def run(cmd: list[str], env: dict[str, str]) -> float:
    begin = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - begin


def median_ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:6.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reviews", type=int, default=100_000)
    args = parser.parse_args()

    script = Path(sys.executable).with_name("studyplan")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "studyplan"]
    folder = Path(tempfile.mkdtemp(prefix="studyplan-scale-"))
    try:
        roadmap = folder / "everything.md"
        roadmap.write_text(roadmap_text(10_000, 100), encoding="utf-8")
        ids = card_ids(10_000, 100)
        rows = []
        for target in (1_000, 10_000, args.reviews):
            home = folder / f"home-{target}"
            home.mkdir()
            (home / "studyplan.toml").write_text('timezone = "UTC"\n', encoding="utf-8")
            began = time.perf_counter()
            count, last = write_log(home / "log" / "bench.toml", ids, target)
            made = time.perf_counter() - began
            env = {
                **os.environ,
                "STUDYPLAN_HOME": str(home),
                "STUDYPLAN_ROADMAP": str(roadmap),
                "STUDYPLAN_NOW": f"{last}T09:00",
                "NO_COLOR": "1",
                # Caches live in the per-user cache folder: keep the bench's in its own.
                "XDG_CACHE_HOME": str(folder / "cache"),
            }
            today = [*base, "today"]
            colds = []
            for _ in range(3):  # a first run each: the caches deleted before it
                shutil.rmtree(folder / "cache", ignore_errors=True)
                colds.append(run(today, env))
            cold = statistics.median(colds)
            warm = [run(today, env) for _ in range(args.runs)]
            rows.append((count, cold, warm, made, home, env))
        count, cold, warm, made, home, env = rows[-1]
        size = (home / "log" / "bench.toml").stat().st_size
        timings = {"today": warm}
        for name, cmd in (
            ("plan --days 7", [*base, "plan", "--days", "7"]),
            ("topics", [*base, "topics"]),
        ):
            run(cmd, env)
            timings[name] = [run(cmd, env) for _ in range(args.runs)]
        timings["review"] = [
            run([*base, "review", ids[n * 7], "good", "--minutes", "30"], env)
            for n in range(args.runs)
        ]
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"roadmap   10,000 cards in 100 sections; log {count:,} reviews ({size / 1e6:.1f} MB)")
    print(f"          generated in {made:.0f} s; median of {args.runs} fresh processes each")
    for name, times in timings.items():
        print(f"  {name:<16} {median_ms(times)}")
    print(f"  today, no cache  {cold * 1000:6.0f} ms  (first run: folds the whole history;")
    print("                             median of 3, the cache folder deleted before each)")
    print("today by length of history (10,000-card roadmap):")
    for count, cold, warm, _, _, _ in rows:
        print(f"  {count:>7,} reviews   {median_ms(warm)} warm   {cold * 1000:6.0f} ms no cache")


if __name__ == "__main__":
    main()
