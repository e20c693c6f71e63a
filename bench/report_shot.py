"""The README's report screenshot, made reproducibly: the same seeded four weeks as
`bench/tour.py`, then `studyplan report`, rendered by headless Chromium into
docs/report.png (and the page kept as docs/report.html).

    python bench/report_shot.py [--chromium chromium]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

from click.testing import CliRunner
from tour import EVENING, four_weeks  # type: ignore[import-not-found]

from studyplan.cli import cli

DOCS = Path(__file__).resolve().parent.parent / "docs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args()
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        home.mkdir()
        (home / "studyplan.toml").write_text(
            'timezone = "Europe/Berlin"\ndaily_minutes = 240\n', encoding="utf-8"
        )
        os.environ.update(
            {"STUDYPLAN_HOME": str(home), "NO_COLOR": "1",
             "XDG_CACHE_HOME": str(Path(folder) / "cache")}
        )  # fmt: skip
        runner = CliRunner()

        def run(*argv: str) -> str:
            return runner.invoke(cli, list(argv), catch_exceptions=False).stdout

        four_weeks(run, rng)
        DOCS.mkdir(exist_ok=True)
        page = DOCS / "report.html"
        page.write_text(run("--now", EVENING, "report"), encoding="utf-8")
    shot = DOCS / "report.png"
    subprocess.run(
        [args.chromium, "--headless", "--no-sandbox", "--disable-gpu",
         "--hide-scrollbars", f"--screenshot={shot}", "--window-size=1200,1900",
         page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    print(f"wrote {page} and {shot}")


if __name__ == "__main__":
    main()
