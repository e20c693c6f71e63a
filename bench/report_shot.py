"""The README's report screenshot, made reproducibly: the same seeded four weeks as
`bench/tour.py`, then `studyplan report`, rendered by headless Chromium into
docs/report.png (and the page kept as docs/report.html).

    python bench/report_shot.py [--chromium chromium]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

from tour import EVENING, TOUR_CONFIG, studied  # type: ignore[import-not-found]

DOCS = Path(__file__).resolve().parent.parent / "docs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args()
    with studied(TOUR_CONFIG + "daily_minutes = 240\n") as run:
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
