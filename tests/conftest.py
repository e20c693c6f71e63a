"""Every test runs in its own home folder under tmp_path, with no colour and a fixed zone.

Time comes from --now / STUDYPLAN_NOW only; nothing here reads the real clock or home.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from studyplan.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
SEED = Path(__file__).parent.parent / "data" / "ml-learning-path.md"


@pytest.fixture(autouse=True)
def sealed_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("STUDYPLAN_HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TZ", "UTC")
    for name in ("STUDYPLAN_NOW", "STUDYPLAN_ROADMAP", "STUDYPLAN_VAULT", "STUDYPLAN_DEVICE"):
        monkeypatch.delenv(name, raising=False)
    # platformdirs (default home, local device id) must never reach the real home folder.
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / "xdg" / name.lower()))
    home.mkdir()
    # A fixed zone and no fuzz make every date in these tests exact; fuzz has its own tests.
    (home / "studyplan.toml").write_text(
        'timezone = "Europe/Berlin"\nfuzz = false\ndevice = "laptop"\n', encoding="utf-8"
    )
    return home


Run = Callable[..., Result]


@pytest.fixture
def run() -> Run:
    """Invoke the CLI: run("today", now="2026-11-26T09:00")."""

    def invoke(*args: str, now: str | None = None, roadmap: Path | None = None) -> Result:
        extra: list[str] = []
        if now is not None:
            extra += ["--now", now]
        if roadmap is not None:
            extra += ["--roadmap", str(roadmap)]
        return CliRunner().invoke(cli, [*extra, *args], catch_exceptions=False)

    return invoke


def log_text(home: Path, device: str = "laptop") -> str:
    path = home / "log" / f"{device}.toml"
    return path.read_text(encoding="utf-8") if path.exists() else ""
