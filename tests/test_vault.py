from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from studyplan import store, vault
from studyplan.errors import RoadmapError
from studyplan.ledger import SNAPSHOT_VERSION

from .conftest import Run, log_text

NOW = "2026-11-26T09:00"

ROADMAP = (
    "\ufeff---\r\n"
    "title: ML Path\r\n"
    "aliases: [ML Roadmap]\r\n"
    "---\r\n"
    "# ML Path\r\n"
    "\r\n"
    "## 1. Basics\r\n"
    "- [ ] Linear Regression [[linear regression|Notes]]\r\n"
    "- [ ] [[Statistics for ML|Detailed Notes]]\r\n"
    "- [x] Python\r\n"
    "- [ ] Logistic Regression [[Logistic Regression|Notes]]\r\n"
    "- [ ] Skipped topic [[Skip Me]]\r\n"
    "- [ ] Missing [[No Such Note]]\r\n"
    "  - [/] Child in progress\r\n"
    "\r\n"
    "## 2. Loop\r\n"
    "- [ ] Alpha [[A]]\r\n"
    "- [ ] Beta [[B#^block1|Beta notes]]\r\n"
)

NOTES = {
    "Topics/Linear Regression.md": "---\nestimate: 45\n---\n# Linear Regression\n",
    "Archive/Old/Linear Regression.md": "# An older note with the same name\n",
    "Topics/Logistic Regression.md": (
        '---\nestimate: 50\nprerequisites: ["[[Linear Regression]]"]\n---\n# Logistic\n'
    ),
    "Stats/Statistics Notes.md": "---\naliases:\n  - Statistics for ML\n---\n# Stats\n",
    "Topics/Skip Me.md": "---\nstudyplan: skip\n---\nNot for now.\n",
    "Cycle/A.md": "---\nprerequisites: [[B]]\n---\n",
    "Cycle/B.md": "---\nprerequisites:\n  - '[[A]]'\n---\n",
    ".trash/Statistics for ML.md": "# deleted note: dot-folders are not the vault\n",
}


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    root = tmp_path / "My Vault"
    (root / ".obsidian").mkdir(parents=True)
    for relative, text in NOTES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    roadmap = root / "Roadmaps" / "ML Path.md"
    roadmap.parent.mkdir()
    roadmap.write_bytes(ROADMAP.encode("utf-8"))
    return root


@pytest.fixture
def in_vault(vault_dir: Path, sealed_home: Path) -> Path:
    """A home configured for the vault, as `studyplan init` leaves it."""
    config = sealed_home / "studyplan.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'vault = "{vault_dir.as_posix()}"\nroadmap = "ML Path"\nnew_per_day = 5\n',
        encoding="utf-8",
    )
    return vault_dir


def test_links_resolve_as_obsidian_resolves_them(vault_dir: Path) -> None:
    found, _ = vault.scan(vault_dir)
    assert sorted(n.path for n in found.notes) == [
        "Archive/Old/Linear Regression.md",
        "Cycle/A.md",
        "Cycle/B.md",
        "Roadmaps/ML Path.md",
        "Stats/Statistics Notes.md",
        "Topics/Linear Regression.md",
        "Topics/Logistic Regression.md",
        "Topics/Skip Me.md",
    ]

    def path(target: str) -> str | None:
        note = found.resolve(target)
        return note.path if note else None

    assert path("linear regression") == "Topics/Linear Regression.md"  # shortest path wins
    assert path("Old/Linear Regression") == "Archive/Old/Linear Regression.md"
    assert path("Archive/Old/Linear Regression.md") == "Archive/Old/Linear Regression.md"
    assert path("Statistics for ML") == "Stats/Statistics Notes.md"  # by alias, not .trash
    assert path("ML Roadmap") == "Roadmaps/ML Path.md"
    assert path("No Such Note") is None
    note = found.resolve("Topics/Linear Regression")
    assert note is not None
    assert found.uri(note, "#Fitting a line") == (
        "obsidian://open?vault=My%20Vault&file=Topics%2FLinear%20Regression%23Fitting%20a%20line"
    )


def test_today_shows_note_paths_uris_and_missing_notes(run: Run, in_vault: Path) -> None:
    result = run("today", now=NOW)
    assert result.exit_code == 0, result.stderr
    lines = result.output.splitlines()
    assert lines[3:8] == [
        "  §1  Linear Regression  topic   45 min  new · unlocks Logistic Regression  "
        "→ Topics/Linear Regression.md",
        "        obsidian://open?vault=My%20Vault&file=Topics%2FLinear%20Regression",
        "  §1  Statistics for ML  note    15 min  new  → Stats/Statistics Notes.md",
        "        obsidian://open?vault=My%20Vault&file=Stats%2FStatistics%20Notes",
        "  §1  Missing            topic   30 min  new · unlocks Child in progress  "
        "[[No Such Note]] (no note yet)",
    ]
    data = json.loads(run("today", "--json", now=NOW).output)
    new = {c["id"]: c for c in data["new"]}
    # Python is ticked; the skipped note's card is out; Logistic Regression waits for its
    # prerequisite Linear Regression, the child for its parent, §2 for §1.
    assert list(new) == ["linear-regression", "statistics-for-ml", "missing"]
    assert (new["linear-regression"]["note_path"], new["linear-regression"]["minutes"]) == (
        "Topics/Linear Regression.md",
        45,
    )
    assert (new["missing"]["note_path"], new["missing"]["uri"]) == (None, None)


def test_note_front_matter_refines_cards(run: Run, in_vault: Path) -> None:
    locked = json.loads(run("show", "Logistic Regression", "--json", now=NOW).output)
    assert (locked["status"], locked["blocked_by"]) == ("locked", ["linear-regression"])
    run("review", "Linear Regression", "good", now=NOW)
    later = json.loads(run("today", "--json", now="2026-11-27T09:00").output)
    logistic = next(c for c in later["new"] if c["id"] == "logistic-regression")
    assert logistic["minutes"] == 50
    topics = {c["id"]: c for c in json.loads(run("topics", "--json", now=NOW).output)}
    assert (topics["skipped-topic"]["skipped"], topics["skipped-topic"]["status"]) == (
        True,
        "skipped",
    )
    # Beta's link keeps its block anchor in the URI.
    beta = json.loads(run("show", "beta", "--json", now=NOW).output)
    assert beta["uri"] == "obsidian://open?vault=My%20Vault&file=Cycle%2FB%23%5Eblock1"


def test_a_prerequisite_cycle_is_reported_not_looped_on(run: Run, in_vault: Path) -> None:
    result = run("doctor", now=NOW)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        f"problem  cycle    {in_vault / 'Cycle' / 'B.md'}:2: prerequisite cycle: Alpha → Beta → "
        "Alpha; these topics wait for each other forever, so 'Beta requires Alpha' is ignored "
        "until you remove one of them"
    ) in lines
    assert "ok       graph    3 prerequisite and part links" in lines
    assert "note     links    1 linked note does not exist yet: [[No Such Note]]" in lines
    assert f"ok       vault    {in_vault} (8 notes)" in lines
    run("review", "alpha", "good", now=NOW)  # studying one of them breaks the deadlock
    plan = json.loads(run("plan", "--days", "3", "--format", "json", now=NOW).output)
    assert plan["days"][0]["date"] == "2026-11-26"


def test_sync_ticks_only_studied_boxes_byte_for_byte(run: Run, in_vault: Path) -> None:
    roadmap = in_vault / "Roadmaps" / "ML Path.md"
    original = roadmap.read_bytes()
    run("review", "Linear Regression", "good", now=NOW)
    run("review", "Statistics for ML", "hard", now=NOW)
    run("review", "Child in progress", "good", now=NOW)
    assert run("sync", "--mature", now=NOW).output == "Nothing to tick in ML Path.md.\n"
    preview = run("sync", "--dry-run", now=NOW)
    assert "\n-- [ ] Linear Regression [[linear regression|Notes]]" in preview.output
    assert "\n+- [x] Linear Regression [[linear regression|Notes]]" in preview.output
    assert preview.output.endswith(
        "Would tick 3 in ML Path.md: Linear Regression, Statistics for ML, Child in progress.\n"
    )
    assert roadmap.read_bytes() == original
    result = run("sync", now=NOW)
    assert result.output == (
        "Ticked 3 in ML Path.md: Linear Regression, Statistics for ML, Child in progress.\n"
    )
    expected = (
        original.replace(b"- [ ] Linear Regression", b"- [x] Linear Regression")
        .replace(b"- [ ] [[Statistics for ML", b"- [x] [[Statistics for ML")
        .replace(b"  - [/] Child", b"  - [x] Child")
    )
    assert roadmap.read_bytes() == expected
    assert roadmap.read_bytes().startswith(b"\xef\xbb\xbf---\r\ntitle: ML Path\r\n")
    # Already ticked: a second sync changes nothing; the reviews still count.
    assert run("sync", now=NOW).output == "Nothing to tick in ML Path.md.\n"
    shown = json.loads(run("show", "linear regression", "--json", now=NOW).output)
    assert (shown["done"], len(shown["reviews"])) == (True, 1)


def test_sync_never_clobbers_a_roadmap_edited_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "r.md"
    path.write_bytes(b"## 1. A\r\n- [ ] One\r\n- [ ] Two\r\n")
    roadmap = store.read_roadmap(path)
    ticked = vault.tick(path.read_bytes(), roadmap.cards[:1])
    assert ticked.after == b"## 1. A\r\n- [x] One\r\n- [ ] Two\r\n"
    path.write_bytes(b"## 1. A\r\n- [ ] One\r\n- [ ] Two\r\n- [ ] Three, added in Obsidian\r\n")
    edited = path.read_bytes()
    with pytest.raises(RoadmapError, match="changed on disk while syncing"):
        vault.write_roadmap(path, ticked)
    assert path.read_bytes() == edited


def test_sync_refuses_the_bundled_roadmap(run: Run) -> None:
    run("review", "Linear Algebra", "good", now=NOW)
    result = run("sync", now=NOW)
    assert result.exit_code == 2
    assert "the bundled roadmap is not yours to tick" in result.stderr


def test_init_writes_the_config_and_finds_the_roadmap_by_name(
    run: Run, vault_dir: Path, sealed_home: Path
) -> None:
    result = run("init", "--vault", str(vault_dir), "--roadmap", "ML Roadmap")
    assert result.exit_code == 0, result.stderr
    assert result.output.splitlines() == [
        f"vault    {vault_dir} (8 notes)",
        f"roadmap  {vault_dir / 'Roadmaps' / 'ML Path.md'} (9 cards, 6 linked notes found)",
        "         1 link has no note yet ('studyplan doctor' lists them)",
        f"config   {sealed_home / 'studyplan.toml'} written",
    ]
    config = (sealed_home / "studyplan.toml").read_text(encoding="utf-8")
    assert f'vault = "{vault_dir}"' in config
    assert 'roadmap = "ML Roadmap"' in config
    assert json.loads(run("today", "--json", now=NOW).output)["new"][0]["note_path"] == (
        "Topics/Linear Regression.md"
    )
    bad = run("init", "--vault", str(vault_dir), "--roadmap", "Nope")
    assert bad.exit_code == 2
    assert "no note 'Nope' in the vault" in bad.stderr


def test_open_prints_the_note_without_a_desktop(
    run: Run, in_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = run("open", "logistic", now=NOW)
    assert result.output.splitlines() == [
        str(in_vault / "Topics" / "Logistic Regression.md"),
        "obsidian://open?vault=My%20Vault&file=Topics%2FLogistic%20Regression",
    ]
    missing = run("open", "Missing", now=NOW)
    assert missing.exit_code == 2
    assert "[[No Such Note]] has no note yet" in missing.stderr


def test_weekly_note_lands_in_the_vault(run: Run, in_vault: Path) -> None:
    result = run("plan", "--week", "--format", "md", "-o", "2026-W48.md", now=NOW)
    target = in_vault / "Study Plans" / "2026-W48.md"
    assert result.stderr == f"Wrote {target} (4 days, 10 topics).\n"
    assert "[[linear regression|Linear Regression]]" in target.read_text(encoding="utf-8")


def test_orphans_keep_history_and_rename_reattaches_it(
    run: Run, in_vault: Path, sealed_home: Path
) -> None:
    run("review", "Linear Regression", "good", now=NOW)
    roadmap = in_vault / "Roadmaps" / "ML Path.md"
    roadmap.write_bytes(roadmap.read_bytes().replace(b"Linear Regression [[", b"Linear Models [["))
    doctor = run("doctor", now="2026-11-26T10:00").output
    assert "1 review of 1 id not in the roadmap: linear-regression (1)" in doctor
    assert log_text(sealed_home).count("\n[[review]]\n") == 1
    moved = run("rename", "linear-regression", "Linear Models", now="2026-11-26T10:00")
    assert (
        moved.output
        == "Moved 1 review from 'linear-regression' to Linear Models (linear-models).\n"
    )
    shown = json.loads(run("show", "linear models", "--json", now="2026-11-26T11:00").output)
    assert [r["rating"] for r in shown["reviews"]] == ["good"]
    assert shown["due"] == "2026-11-28"
    assert "note     orphans" not in run("doctor", now="2026-11-26T11:00").output
    again = run("rename", "linear-regression", "Linear Models", now="2026-11-26T11:00")
    assert again.exit_code == 2
    assert "no reviews are logged under 'linear-regression'" in again.stderr


def test_two_devices_on_one_synced_home_never_conflict(
    run: Run, sealed_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Laptop and desktop each review the same topic on the same day, in their own copy
    of the home; a sync tool then copies each device's log into the other copy."""
    config = sealed_home / "studyplan.toml"
    config.write_text('timezone = "Europe/Berlin"\nfuzz = false\n', encoding="utf-8")
    desktop_home = tmp_path / "desktop-home"
    shutil.copytree(sealed_home, desktop_home)
    monkeypatch.setenv("STUDYPLAN_DEVICE", "laptop")
    run("review", "Linear Algebra", "good", now="2026-11-26T08:00")
    monkeypatch.setenv("STUDYPLAN_DEVICE", "desktop")
    monkeypatch.setenv("STUDYPLAN_HOME", str(desktop_home))
    run("review", "Linear Algebra", "hard", now="2026-11-26T20:00")
    run("today", now="2026-11-26T21:00")  # the desktop has cached its own view
    # The sync: each log file goes both ways; no file was written by both devices.
    shutil.copy(desktop_home / "log" / "desktop.toml", sealed_home / "log" / "desktop.toml")
    shutil.copy(sealed_home / "log" / "laptop.toml", desktop_home / "log" / "laptop.toml")
    views = []
    for home, device in ((sealed_home, "laptop"), (desktop_home, "desktop")):
        monkeypatch.setenv("STUDYPLAN_HOME", str(home))
        monkeypatch.setenv("STUDYPLAN_DEVICE", device)
        shown = json.loads(run("show", "linear-algebra", "--json", now="2026-11-27T09:00").output)
        views.append(shown)
        assert sorted(p.name for p in (home / "log").iterdir() if p.suffix == ".toml") == [
            "desktop.toml",
            "laptop.toml",
        ]
    assert views[0] == views[1]
    assert [r["rating"] for r in views[0]["reviews"]] == ["good", "hard"]
    assert [r["day"] for r in views[0]["reviews"]] == ["2026-11-26", "2026-11-26"]
    # Caches stay out of the synced homes: each in this machine's cache folder, per home.
    assert not (sealed_home / ".cache").exists()
    assert not (desktop_home / ".cache").exists()
    laptop, desktop = store.Home(sealed_home).cache_dir, store.Home(desktop_home).cache_dir
    assert laptop != desktop
    assert laptop.parent == desktop.parent
    for folder in (laptop, desktop):
        assert f"snapshot-{SNAPSHOT_VERSION}.pickle" in os.listdir(folder)


def test_the_local_device_id_is_made_once_and_kept(
    run: Run, sealed_home: Path, tmp_path: Path
) -> None:
    config = sealed_home / "studyplan.toml"
    config.write_text('timezone = "Europe/Berlin"\nfuzz = false\n', encoding="utf-8")
    run("review", "Linear Algebra", "good", now=NOW)
    stored = tmp_path / "xdg" / "xdg_config_home" / "studyplan" / "device"
    device = stored.read_text(encoding="utf-8").strip()
    assert [p.name for p in (sealed_home / "log").glob("*.toml")] == [f"{device}.toml"]
    run("review", "Calculus", "good", now=NOW)
    assert stored.read_text(encoding="utf-8").strip() == device
    assert len(list((sealed_home / "log").glob("*.toml"))) == 1


def test_init_writes_a_vault_path_every_synced_device_can_read(
    run: Run, vault_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The home inside the vault (both synced): the config says "..", not this machine's path.
    home = vault_dir / ".studyplan"
    home.mkdir()
    monkeypatch.setenv("STUDYPLAN_HOME", str(home))
    assert run("init", "--vault", str(vault_dir), "--roadmap", "ML Roadmap").exit_code == 0
    assert 'vault = ".."\n' in (home / "studyplan.toml").read_text(encoding="utf-8")
    # The same synced folder at another path on a second device still works.
    moved = tmp_path / "elsewhere" / "My Vault"
    moved.parent.mkdir()
    shutil.copytree(vault_dir, moved)
    monkeypatch.setenv("STUDYPLAN_HOME", str(moved / ".studyplan"))
    shown = json.loads(run("today", "--json", now=NOW).output)
    assert shown["new"][0]["note_path"] == "Topics/Linear Regression.md"
    # A vault in the user's home folder is written from "~".
    monkeypatch.setenv("HOME", str(tmp_path))
    other = tmp_path / "other-home"
    other.mkdir()
    monkeypatch.setenv("STUDYPLAN_HOME", str(other))
    assert run("init", "--vault", str(vault_dir), "--roadmap", "ML Roadmap").exit_code == 0
    assert 'vault = "~/My Vault"\n' in (other / "studyplan.toml").read_text(encoding="utf-8")


def test_init_carries_the_bundled_map_along_with_a_copy_of_the_roadmap(
    run: Run, tmp_path: Path, sealed_home: Path
) -> None:
    from .conftest import SEED

    root = tmp_path / "Vault"
    (root / ".obsidian").mkdir(parents=True)
    note = root / "Roadmaps" / "ML Learning Path.md"
    note.parent.mkdir()
    # A copy, with a box ticked in Obsidian since: still the same roadmap.
    note.write_text(
        SEED.read_text(encoding="utf-8").replace("- [ ] Calculus", "- [x] Calculus", 1),
        encoding="utf-8",
    )
    links_before = run("graph", "--format", "json", now=NOW)
    assert links_before.exit_code == 0
    edges = len(json.loads(links_before.output)["edges"])
    result = run("init", "--vault", str(root), "--roadmap", "ML Learning Path")
    assert result.exit_code == 0, result.stderr
    bundled_map = SEED.with_name("ml-learning-path.prerequisites.toml")
    carried = note.with_name("ML Learning Path.prerequisites.toml")
    assert (
        f"map      {carried} (copied from {bundled_map}: the note is a copy of that roadmap)"
        in (result.output.splitlines())
    )
    assert carried.read_bytes() == bundled_map.read_bytes()
    after = json.loads(run("graph", "--format", "json", now=NOW).output)
    assert len(after["edges"]) == edges
    assert edges > 100
    # A second init leaves the map there alone (never over a file).
    carried.write_text("# mine\n", encoding="utf-8")
    again = run("init", "--vault", str(root), "--roadmap", "ML Learning Path")
    assert "map      " not in again.output
    assert carried.read_text(encoding="utf-8") == "# mine\n"


def test_doctor_notices_a_copy_of_the_roadmap_that_lost_its_map(
    run: Run, tmp_path: Path, sealed_home: Path
) -> None:
    from .conftest import SEED

    copy = tmp_path / "elsewhere" / "my path.md"
    copy.parent.mkdir()
    copy.write_bytes(SEED.read_bytes())
    report = run("doctor", now=NOW, roadmap=copy).output
    assert (
        f"note     map      my path.md is a copy of ml-learning-path.md, whose prerequisite map "
        f"is not beside it: copy {SEED.with_name('ml-learning-path.prerequisites.toml')} to "
        f"{copy.with_name('my path.prerequisites.toml')} (or set prerequisite_map)"
    ) in report
    assert "is a copy of" not in run("doctor", now=NOW).output


def test_rename_says_where_the_map_still_names_the_old_title(
    run: Run, tmp_path: Path, sealed_home: Path
) -> None:
    roadmap = tmp_path / "r.md"
    roadmap.write_text("# R\n## 1. A\n- [ ] Matrices\n- [ ] Eigen\n", encoding="utf-8")
    roadmap.with_name("r.prerequisites.toml").write_text(
        '[requires]\n"Eigen" = ["Matrices@0.7"]\n', encoding="utf-8"
    )
    run("review", "Matrices", "good", now=NOW, roadmap=roadmap)
    roadmap.write_text("# R\n## 1. A\n- [ ] Matrix Algebra\n- [ ] Eigen\n", encoding="utf-8")
    moved = run("rename", "matrices", "Matrix Algebra", now=NOW, roadmap=roadmap)
    map_file = roadmap.with_name("r.prerequisites.toml")
    assert moved.output == (
        "Moved 1 review from 'matrices' to Matrix Algebra (matrix-algebra).\n"
        f"The prerequisite map still names 'Matrices' ({map_file}:2): "
        "change it to 'Matrix Algebra'.\n"
    )
