from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from studyplan import store


@pytest.mark.slow
def test_twenty_concurrent_reviews_all_land_once(sealed_home: Path) -> None:
    env = {**os.environ, "STUDYPLAN_HOME": str(sealed_home), "STUDYPLAN_NOW": "2026-11-26T09:00"}
    topics = [f"{n}" for n in range(20)]
    cards = ["Linear Algebra", "Calculus", "Derivatives", "Gradients", "Chain Rule"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "studyplan", "review", cards[n % 5], "good", "--minutes", t],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n, t in enumerate(topics)
    ]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else b"") for p in procs]
    for proc in procs:
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    assert [code for code, _ in results] == [0] * 20, results
    history = store.read_history(store.Home(sealed_home))
    assert history.problems == ()
    assert len({r.id for r in history.reviews}) == 20
    assert sorted(r.minutes or 0 for r in history.reviews) == list(range(20))
