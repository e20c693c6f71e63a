"""The README's samples after weeks of study, made reproducibly: a seeded learner studies
everything `studyplan today` lists on the bundled roadmap, every day from Mon 2 Nov to
Sun 29 Nov 2026, through the real CLI (so credit, audits and the learned transfer are
exactly what a learner gets). Then it prints `plan --week`, `progress` and `forecast` as
of that Sunday evening.

    python bench/tour.py
"""

from __future__ import annotations

import json
import os
import random
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner

from studyplan.cli import cli

START, END = date(2026, 11, 2), date(2026, 11, 29)
EVENING = "2026-11-29T20:00"


def four_weeks(run: Callable[..., str], rng: random.Random) -> None:
    """The seeded learner: every day from START to END, everything `today` lists, rated
    again/hard/good/easy at 8/15/67/10 %, with minutes near the estimate."""
    day = START
    while day <= END:
        listed = json.loads(run("--now", f"{day}T08:00", "today", "--json"))
        for n, entry in enumerate((*listed["reviews"], *listed["new"])):
            rating = rng.choices(["again", "hard", "good", "easy"], (8, 15, 67, 10))[0]
            minutes = str(max(10, round(entry["minutes"] * rng.uniform(0.8, 1.3))))
            at = f"{day}T{9 + n // 2:02d}:{(n % 2) * 30:02d}"
            run("--now", at, "review", entry["id"], rating, "--minutes", minutes)
        day += timedelta(days=1)


TOUR_CONFIG = 'timezone = "Europe/Berlin"\nfuzz = false\n'


@contextmanager
def studied(config: str = TOUR_CONFIG) -> Iterator[Callable[..., str]]:
    """A temporary home with `config` after the seeded learner's four weeks; yields a
    function that runs a studyplan command there and returns its stdout. Fuzz is off:
    its draw hashes each review's random id, so with it on no two tours would agree."""
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        home.mkdir()
        (home / "studyplan.toml").write_text(config, encoding="utf-8")
        os.environ.update(
            {"STUDYPLAN_HOME": str(home), "NO_COLOR": "1",
             "XDG_CACHE_HOME": str(Path(folder) / "cache")}
        )  # fmt: skip
        runner = CliRunner()

        def run(*args: str) -> str:
            result = runner.invoke(cli, list(args), catch_exceptions=False)
            return result.stdout

        four_weeks(run, rng)
        yield run


def main() -> None:
    with studied() as run:
        print(run("--now", EVENING, "plan", "--week", "--start", "2026-11-30"))
        print(run("--now", EVENING, "progress"))
        print(run("--now", EVENING, "forecast", "--days", "10"))


if __name__ == "__main__":
    main()
