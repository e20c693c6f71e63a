"""The report in a real browser: headless Chromium (from the OS packages; `.ci/run`
installs it when it can) renders the page to a PNG, which must not be blank, with no
console error. Skipped, with a warning that says why, where there is no Chromium."""

from __future__ import annotations

import shutil
import subprocess
import warnings
import zlib
from pathlib import Path

import pytest

from .conftest import Run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _pixels(png: bytes) -> bytes:
    """The PNG's decompressed image data (its IDAT chunks), enough to see variety."""
    pos, chunks = 8, []
    while pos < len(png):
        length = int.from_bytes(png[pos : pos + 4], "big")
        kind = png[pos + 4 : pos + 8]
        if kind == b"IDAT":
            chunks.append(png[pos + 8 : pos + 8 + length])
        pos += 12 + length
    return zlib.decompress(b"".join(chunks))


def test_the_report_renders_in_a_real_browser(run: Run, tmp_path: Path) -> None:
    if CHROMIUM is None:
        warnings.warn("no chromium on this machine: the browser test is skipped", stacklevel=1)
        pytest.skip("chromium is not installed (apt-get install chromium)")
    run("review", "Linear Algebra", "good", "--minutes", "40", now="2026-11-02T09:00")
    run("review", "Matrices and Vectors", "hard", "--minutes", "30", now="2026-11-02T10:00")
    page = tmp_path / "report.html"
    assert run("report", "-o", str(page), now="2026-11-04T09:00").exit_code == 0
    shot = tmp_path / "report.png"
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--enable-logging=stderr", "--v=0", f"--screenshot={shot}", "--window-size=1200,1600",
         page.as_uri()],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert shot.exists(), result.stderr[-2000:]
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1200, 1600)
    assert len(set(_pixels(png))) > 50  # not a blank page: text, shades, dots
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line]
    assert [line for line in console if "error" in line.lower()] == []
