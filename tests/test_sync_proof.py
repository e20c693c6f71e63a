"""Sync tools, cloud drives and hand edits (issue 13): a conflict copy, a planted cache
or a slip of the hand never costs a review, counts one twice, or locks the learner out."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from studyplan import store
from studyplan.merge import copy_of, merge
from studyplan.model import Rating, Review

from .conftest import Run

NOW = "2026-12-01T09:00"


def _study(run: Run) -> None:
    run("review", "Linear Algebra", "good", "--minutes", "30", now="2026-12-01T09:00")
    run("review", "Calculus", "hard", now="2026-12-01T10:00")


def _reviews(run: Run, topic: str, now: str) -> list[str]:
    shown = json.loads(run("show", topic, "--json", now=now).stdout)
    return [r["rating"] for r in shown["reviews"]]


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("laptop (conflicted copy 2026-12-05).toml", "laptop"),  # Dropbox
        ("laptop (Jane's conflicted copy 2026-12-05).toml", "laptop"),
        ("laptop.sync-conflict-20261205-101010-ABCDEF7.toml", "laptop"),  # Syncthing
        ("laptop (1).toml", "laptop"),  # Google Drive
        ("laptop 2.toml", "laptop"),  # iCloud
        ("laptop-conflict-20261205.toml", "laptop"),
    ],
)
def test_a_conflict_copy_is_merged_not_counted_twice(
    run: Run, sealed_home: Path, name: str, base: str
) -> None:
    _study(run)
    log = sealed_home / "log" / "laptop.toml"
    assert copy_of(Path(name).stem) == base
    shutil.copyfile(log, log.with_name(name))
    # The copy is new to the snapshot, and also read with no cache at all.
    for _ in range(2):
        today = run("today", now="2026-12-01T11:00")
        assert today.exit_code == 0, today.output
        assert "Studied today: 2, 30 min (Linear Algebra, Calculus)" in today.output  # 30 once
        assert _reviews(run, "Linear Algebra", "2026-12-01T11:00") == ["good"]
        shutil.rmtree(store.Home(sealed_home).cache_dir, ignore_errors=True)
    result = run("review", "Derivatives", "good", now="2026-12-01T11:30")
    assert result.exit_code == 0
    doctor = run("doctor", now="2026-12-01T12:00")
    assert "3 reviews counted" in doctor.output
    assert f"{name} is a sync tool's copy of {base}'s log" in doctor.output


def test_the_same_id_with_different_content_is_reported_and_resolved(
    run: Run, sealed_home: Path
) -> None:
    _study(run)
    log = sealed_home / "log" / "laptop.toml"
    copy = log.with_name("laptop (conflicted copy 2026-12-05).toml")
    copy.write_text(
        log.read_text(encoding="utf-8").replace('rating = "good"', 'rating = "easy"'),
        encoding="utf-8",
    )
    assert run("today", now="2026-12-01T11:00").exit_code == 0
    # The device's own log wins over the conflict copy.
    assert _reviews(run, "Linear Algebra", "2026-12-01T11:00") == ["good"]
    doctor = run("doctor", now="2026-12-01T12:00")
    assert doctor.exit_code == 1
    ident = store.read_log(log).reviews[0].id
    line = copy.read_text(encoding="utf-8").splitlines().index("[[review]]") + 1
    assert line == 5  # after the two-line header and a blank line
    assert (
        f"problem  log      {copy}:{line}: review {ident} is also in laptop.toml with different "
        "content; the one in laptop.toml counts" in doctor.output
    )


def test_an_entry_copied_by_hand_with_its_id_is_one_session(run: Run, sealed_home: Path) -> None:
    run("review", "Linear Algebra", "good", now="2026-12-01T09:00")
    log = sealed_home / "log" / "laptop.toml"
    text = log.read_text(encoding="utf-8")
    entry = text[text.index("[[review]]") :]
    run("today", now="2026-12-01T09:30")  # the snapshot now holds that review
    log.write_text(text + "\n" + entry, encoding="utf-8")
    assert _reviews(run, "Linear Algebra", "2026-12-01T10:00") == ["good"]
    undo = run("undo", now="2026-12-01T10:05")
    assert undo.exit_code == 0
    assert _reviews(run, "Linear Algebra", "2026-12-01T10:10") == []


def _review(ident: str, device: str, rating: Rating = Rating.GOOD, hour: int = 9) -> Review:
    from datetime import UTC, datetime

    at = datetime(2026, 12, 1, hour, tzinfo=UTC)
    return Review(ident, "card", rating, at, device=device)


def test_merge_rule() -> None:
    own = _review("a", "laptop", Rating.GOOD)
    copy = _review("a", "laptop (1)", Rating.EASY)
    same = _review("a", "phone", Rating.GOOD)
    kept, conflicts = merge([copy, own, same, _review("b", "phone")])
    assert [r.id for r in kept] == ["a", "b"]
    assert kept[0] is own  # a device's own log wins over a copy; the earlier file name next
    assert [(c.kept.device, c.dropped.device) for c in conflicts] == [("laptop", "laptop (1)")]
    assert copy_of("phone") is None
    assert copy_of("my-phone") is None
    assert copy_of("(1)") is None


class _Planted:
    """Unpickling this writes a marker file: what a planted cache would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, (f"open({str(self.marker)!r}, 'w').write('ran')",))


def test_a_planted_cache_never_runs(run: Run, sealed_home: Path, tmp_path: Path) -> None:
    import pickle

    from studyplan.ledger import SNAPSHOT_VERSION

    _study(run)
    marker = tmp_path / "marker"
    payload = pickle.dumps(_Planted(marker))
    home = store.Home(sealed_home)
    # Where caches used to be (inside the synced home), and where they are now.
    for folder in (sealed_home / ".cache" / store._machine(), home.cache_dir):
        folder.mkdir(parents=True, exist_ok=True)
        for cached in [*folder.glob("*.pickle"), folder / f"snapshot-{SNAPSHOT_VERSION}.pickle"]:
            cached.write_bytes(payload)
    assert not str(home.cache_dir).startswith(str(sealed_home))
    for command in (["today"], ["topics"], ["doctor"], ["review", "Derivatives", "good"]):
        result = run(*command, now="2026-12-01T11:00")
        assert "Traceback" not in result.output
    assert not marker.exists()
    assert _reviews(run, "Linear Algebra", "2026-12-01T11:00") == ["good"]
    # The snapshot was rebuilt from the logs, and is a real one again.
    assert isinstance(store.load_cache(home.cache_dir / f"snapshot-{SNAPSHOT_VERSION}.pickle"),
                      tuple)  # fmt: skip


def test_the_restricted_loader_refuses_functions_but_loads_records(tmp_path: Path) -> None:
    import pickle
    from datetime import UTC, datetime

    path = tmp_path / "x.pickle"
    review = Review("a", "card", Rating.GOOD, datetime(2026, 12, 1, tzinfo=UTC))
    path.write_bytes(pickle.dumps({"r": [review], "s": frozenset({1})}))
    assert store.load_cache(path) == {"r": [review], "s": frozenset({1})}
    path.write_bytes(pickle.dumps(store.atomic_write))  # a function of ours
    assert store.load_cache(path) is None
    path.write_bytes(pickle.dumps(Path("/")))
    assert store.load_cache(path) is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs mkfifo")
@pytest.mark.parametrize("force", [False, True])
def test_plan_output_only_onto_regular_files(run: Run, tmp_path: Path, force: bool) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target in (fifo, Path("/dev/null")):
        args = ["plan", "-o", str(target), *(["--force"] if force else [])]
        result = run(*args, now=NOW)
        assert result.exit_code == 2
        assert result.output == (
            f"studyplan: error: {target} is not a regular file (a pipe, a device or a "
            "socket); give a file name with -o, or leave -o out to print\n"
        )
    assert fifo.exists()
    assert Path("/dev/null").is_char_device()


def test_repair_folds_a_conflict_copy_and_never_overwrites_a_backup(
    run: Run, sealed_home: Path
) -> None:
    _study(run)
    log = sealed_home / "log" / "laptop.toml"
    copy = log.with_name("laptop (conflicted copy 2026-12-05).toml")
    shutil.copyfile(log, copy)
    # The other side of the conflict logged one more session that only the copy holds.
    with copy.open("a", encoding="utf-8") as handle:
        handle.write('\n[[review]]\nid = "0000feed0001"\ncard = "derivatives"\n'
                     'rating = "good"\nat = 2026-12-01T10:30:00+01:00\n')  # fmt: skip
    torn = b'\n[[review]]\nid = "dead"\ncard = "calculus"\nrating = "go'
    for attempt in (1, 2):  # the same second twice (a fixed --now): two backups
        with log.open("ab") as handle:
            handle.write(torn)
        result = run("doctor", "--repair", now="2026-12-01T12:00")
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        suffix = "" if attempt == 1 else "-2"
        backup = sealed_home / "backup" / f"laptop-20261201T120000{suffix}.toml.bad"
        assert lines[0].startswith(f"repaired {log}: moved 1 entry (line ")
        assert lines[0].endswith(f") to {backup}")
        assert backup.read_bytes().endswith(torn + b"\n")
    assert (sealed_home / "backup" / "laptop-20261201T120000.toml.bad").exists()
    folded = (
        sealed_home / "backup" / "laptop (conflicted copy 2026-12-05)-20261201T120000.toml.folded"
    )
    assert folded.exists()
    assert not copy.exists()
    assert _reviews(run, "Derivatives", "2026-12-01T12:30") == ["good"]
    assert _reviews(run, "Linear Algebra", "2026-12-01T12:30") == ["good"]
    doctor = run("doctor", now="2026-12-01T12:30")
    assert doctor.exit_code == 0, doctor.output
    assert "3 reviews counted" in doctor.output


def test_repair_never_writes_another_device_s_log(run: Run, sealed_home: Path) -> None:
    _study(run)
    phone = sealed_home / "log" / "phone.toml"
    damaged = store.LOG_HEADER.encode() + b'\n[[review]]\nid = "x"\ncard = "calculus"\nrat'
    phone.write_bytes(damaged)
    result = run("doctor", "--repair", now="2026-12-01T12:00")
    assert phone.read_bytes() == damaged
    assert (
        "studyplan: warning: not repaired: phone.toml is phone's log, with 1 unreadable entry; "
        "run 'studyplan doctor --repair' on that device"
    ) in result.output


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_repair_writes_through_a_symlinked_log_and_keeps_its_mode(
    run: Run, sealed_home: Path, tmp_path: Path
) -> None:
    _study(run)
    log = sealed_home / "log" / "laptop.toml"
    real = tmp_path / "elsewhere.toml"
    shutil.move(log, real)
    log.symlink_to(real)
    real.chmod(0o600)
    with real.open("ab") as handle:
        handle.write(b'\n[[review]]\nid = "dead"\ncard = "calculus"\nrating = "go')
    assert run("doctor", "--repair", now="2026-12-01T12:00").exit_code == 0
    assert log.is_symlink()
    assert b"dead" not in real.read_bytes()
    assert real.stat().st_mode & 0o777 == 0o600


def test_a_moment_whose_offset_has_seconds_is_written_in_utc(run: Run, sealed_home: Path) -> None:
    (sealed_home / "studyplan.toml").write_text(
        'timezone = "Europe/Amsterdam"\nfuzz = false\ndevice = "laptop"\n', encoding="utf-8"
    )
    # Amsterdam kept its own mean time until 1937: +00:19:32 in 1926.
    result = run("review", "Linear Algebra", "good", "--at", "1926-05-01T12:00",
                 now="1926-05-02T09:00")  # fmt: skip
    assert result.exit_code == 0, result.output
    text = (sealed_home / "log" / "laptop.toml").read_text(encoding="utf-8")
    assert "at = 1926-05-01 11:40:28+00:00\n" in text
    assert _reviews(run, "Linear Algebra", "1926-05-02T10:00") == ["good"]
    assert run("doctor", now="1926-05-02T10:00").exit_code == 0
    undo = run("undo", now="1926-05-02T10:30")
    assert undo.exit_code == 0
    assert _reviews(run, "Linear Algebra", "1926-05-02T11:00") == []


def _cli(args: list[str], home: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STUDYPLAN_HOME": str(home), "NO_COLOR": "1"}
    env.update({k: str(v) for k, v in kwargs.pop("env", {}).items()})  # type: ignore[attr-defined]
    return subprocess.run(
        [sys.executable, "-m", "studyplan", *args], env=env, text=True,
        stderr=subprocess.PIPE, **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


def test_an_output_that_fails_after_the_append_says_recorded(
    sealed_home: Path, tmp_path: Path
) -> None:
    road = tmp_path / "cafe.md"
    road.write_text("# Café\n## 1. Basics\n- [ ] Café au lait\n", encoding="utf-8")
    args = ["--now", "2026-12-01T09:00", "--roadmap", str(road), "review", "cafe", "good"]
    with open("/dev/full", "w") as full:
        args[1] = "2026-12-02T09:00"
        done = _cli(args, sealed_home, stdout=full)
    assert done.returncode == 0
    assert done.stderr == (
        "studyplan: warning: recorded in laptop.toml, but the output could not be written "
        "(No space left on device); do not log it again\n"
    )
    history = store.read_history(store.Home(sealed_home))
    assert [r.rating.label for r in history.reviews] == ["good"]
    # Without an append, a failed output is still an error.
    with open("/dev/full", "w") as full:
        done = _cli(["--now", "2026-12-02T10:00", "--roadmap", str(road), "today"],
                    sealed_home, stdout=full)  # fmt: skip
    assert done.returncode == 1


def test_an_entry_that_would_not_read_back_is_never_written(tmp_path: Path) -> None:
    from datetime import datetime, timedelta, timezone

    from studyplan.errors import LogError

    log = tmp_path / "laptop.toml"
    odd = datetime(1926, 5, 1, 12, tzinfo=timezone(timedelta(minutes=19, seconds=32)))
    with pytest.raises(LogError, match="refusing to write an entry that would not read back"):
        store.append(log, "review", {"id": "a", "card": "c", "rating": "good", "at": odd})
    assert not log.exists()
    assert store.toml_moment(odd).utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--now", "0001-01-01", "today"],
         "--now 0001-01-01 is outside the dates studyplan supports (1900–2200); check the year"),
        (["--now", "9999-12-31T23:59", "today"],
         "--now 9999-12-31 is outside the dates studyplan supports (1900–2200); check the year"),
        (["--now", NOW, "review", "Calculus", "good", "--at", "1899-12-31"],
         "--at 1899-12-31 is outside the dates studyplan supports (1900–2200); check the year"),
        (["--now", NOW, "review", "Calculus", "good", "--minutes", "100000000000000000000000"],
         "--minutes must be at most 10080 (a week), got 100000000000000000000000"),
        (["--now", NOW, "today", "--minutes", "99999999"],
         "--minutes must be at most 10080 (a week), got 99999999"),
        (["config", "set", "desired_retention", "nan"],
         "'desired_retention' must be a finite number between 0.5 and 0.99, got 'nan'"),
        (["config", "set", "penalty", "inf"],
         "'penalty' must be a finite number between 0.0 and 1.0, got 'inf'"),
        (["--roadmap", "/dev/zero", "today"],
         "roadmap /dev/zero is not a regular file (a device or a pipe?); give a Markdown file"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_changes_nothing(
    sealed_home: Path, args: list[str], message: str
) -> None:
    from click.testing import CliRunner

    from studyplan.cli import cli

    before = {p: p.read_bytes() for p in sealed_home.rglob("*") if p.is_file()}
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert result.output == f"studyplan: error: {message}\n"
    assert {p: p.read_bytes() for p in sealed_home.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(
    "line",
    ["desired_retention = nan", "penalty = inf", "day_weights = { sat = nan }",
     "parameters = [" + ", ".join(["nan"] * 21) + "]"],
)  # fmt: skip
def test_nan_in_the_config_file_is_refused_with_file_and_line(
    run: Run, sealed_home: Path, line: str
) -> None:
    (sealed_home / "studyplan.toml").write_text(f'device = "laptop"\n{line}\n', encoding="utf-8")
    result = run("today", now=NOW)
    assert result.exit_code == 2
    assert result.output.startswith(f"studyplan: error: {sealed_home / 'studyplan.toml'}:2: '")
    assert "finite" in result.output
    assert result.output.count("\n") == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs mkfifo")
def test_a_roadmap_that_is_a_pipe_never_hangs(run: Run, tmp_path: Path) -> None:
    fifo = tmp_path / "roadmap.md"
    os.mkfifo(fifo)
    result = run("today", now=NOW, roadmap=fifo)
    assert result.exit_code == 2
    assert result.output == (
        f"studyplan: error: roadmap {fifo} is not a regular file (a device or a pipe?); "
        "give a Markdown file\n"
    )


def test_rename_refuses_an_old_id_that_is_still_a_card(run: Run, sealed_home: Path) -> None:
    run("review", "Calculus", "good", now=NOW)
    before = (sealed_home / "log" / "laptop.toml").read_bytes()
    result = run("rename", "calculus", "Derivatives", now=NOW)
    assert result.exit_code == 2
    assert result.output == (
        "studyplan: error: 'calculus' is still a card of the roadmap (Calculus); moving its "
        "reviews would make its later sessions count for another card. Rename or remove that "
        "item first\n"
    )
    assert (sealed_home / "log" / "laptop.toml").read_bytes() == before


def test_a_home_given_with_a_tilde_is_expanded(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("STUDYPLAN_HOME", "~/study")
    assert run("review", "Calculus", "good", now=NOW).exit_code == 0
    assert (tmp_path / "study" / "log").is_dir()
    assert not Path("~").exists()


def test_a_log_saved_with_a_bom_is_read_whole(run: Run, sealed_home: Path) -> None:
    _study(run)
    log = sealed_home / "log" / "laptop.toml"
    log.write_bytes(b"\xef\xbb\xbf" + log.read_bytes())
    shutil.rmtree(store.Home(sealed_home).cache_dir)
    assert _reviews(run, "Linear Algebra", "2026-12-01T11:00") == ["good"]
    assert run("doctor", now="2026-12-01T11:00").exit_code == 0
    assert run("review", "Derivatives", "good", now="2026-12-01T11:30").exit_code == 0
    assert _reviews(run, "Derivatives", "2026-12-01T12:00") == ["good"]


@pytest.mark.parametrize("kind", ["icloud", "folder", "dangling"])
def test_a_log_that_cannot_be_read_is_reported_by_every_command(
    run: Run, sealed_home: Path, tmp_path: Path, kind: str
) -> None:
    _study(run)
    logs = sealed_home / "log"
    if kind == "icloud":
        (logs / ".phone.toml.icloud").write_bytes(b"bplist00")
        message = (
            f"studyplan: warning: {logs / 'phone.toml'}: evicted to iCloud (only a placeholder "
            "is here): open the folder in Finder to download it, so its reviews count "
            "('studyplan doctor' explains)"
        )
    elif kind == "folder":
        (logs / "phone.toml").mkdir()
        message = (
            f"studyplan: warning: {logs / 'phone.toml'}: is not a regular file (a folder?); its "
            "reviews cannot be counted ('studyplan doctor' explains)"
        )
    else:
        (logs / "phone.toml").symlink_to(tmp_path / "gone.toml")
        message = (
            f"studyplan: warning: {logs / 'phone.toml'}: is a broken link; its reviews cannot "
            "be counted ('studyplan doctor' explains)"
        )
    for command in (["today"], ["topics"], ["review", "Derivatives", "good"]):
        result = run(*command, now="2026-12-01T11:00")
        assert result.exit_code == 0
        assert result.stderr.splitlines() == [message]
    doctor = run("doctor", now="2026-12-01T11:00")
    assert doctor.exit_code == 1
    assert f"problem  log      {message.removeprefix('studyplan: warning: ')}"[:60] in doctor.output


def test_another_device_s_reviews_from_the_future_are_reported(run: Run, sealed_home: Path) -> None:
    _study(run)
    phone = sealed_home / "log" / "phone.toml"
    phone.write_text(
        store.LOG_HEADER + '\n[[review]]\nid = "0000000000aa"\ncard = "derivatives"\n'
        'rating = "good"\nat = 2027-12-10T09:00:00+01:00\n',
        encoding="utf-8",
    )
    result = run("today", now="2026-12-01T11:00")
    assert result.stderr == (
        "studyplan: warning: phone.toml: phone's log has 1 review dated 2027-12-10, after now: "
        "is that device's clock right? (counted from that date) ('studyplan doctor' explains)\n"
    )
    assert _reviews(run, "Derivatives", "2026-12-01T11:00") == []
    assert _reviews(run, "Derivatives", "2027-12-10T12:00") == ["good"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX record locks")
def test_a_held_lock_times_out_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from studyplan.errors import LogError

    log = tmp_path / "laptop.toml"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, os, sys, time\n"
         f"fd = os.open({str(log) + '.lock'!r}, os.O_RDWR | os.O_CREAT)\n"
         "fcntl.lockf(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(30)\n"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        monkeypatch.setattr(store, "LOCK_TIMEOUT", 0.3)
        with pytest.raises(LogError) as caught, store.locked(log):
            pass
        assert str(caught.value) == (
            f"{log} is locked by another studyplan for over 0 s; if none is running, "
            f"delete {log}.lock"
        )
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    with store.locked(log):  # released with its holder
        pass


def test_sync_reads_lines_as_the_parser_does_with_a_lone_cr(run: Run, tmp_path: Path) -> None:
    road = tmp_path / "road.md"
    # Old Mac line endings on one line: the parser counts it as two, and so must sync.
    road.write_bytes(b"# R\n## 1. A\n- [ ] One\r- [ ] Two\n- [ ] Three\n")
    run("review", "two", "good", now=NOW, roadmap=road)
    result = run("sync", now=NOW, roadmap=road)
    assert result.exit_code == 0, result.output
    assert road.read_bytes() == b"# R\n## 1. A\n- [ ] One\r- [x] Two\n- [ ] Three\n"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_sync_writes_through_a_symlink_and_keeps_the_mode(run: Run, tmp_path: Path) -> None:
    real = tmp_path / "notes" / "road.md"
    real.parent.mkdir()
    real.write_bytes(b"# R\n## 1. A\n- [ ] One\n")
    real.chmod(0o640)
    link = tmp_path / "road.md"
    link.symlink_to(real)
    run("review", "one", "good", now=NOW, roadmap=link)
    assert run("sync", now=NOW, roadmap=link).exit_code == 0
    assert link.is_symlink()
    assert real.read_bytes() == b"# R\n## 1. A\n- [x] One\n"
    assert real.stat().st_mode & 0o777 == 0o640


def test_sync_refuses_when_the_file_changes_while_it_writes(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    road = tmp_path / "road.md"
    road.write_bytes(b"# R\n## 1. A\n- [ ] One\n")
    run("review", "one", "good", now=NOW, roadmap=road)
    real_fsync = os.fsync
    edited = b"# R\n## 1. A\n- [ ] One\n- [ ] Added in Obsidian\n"

    def slow_disk(fd: int) -> None:  # the learner saves while the new file is written
        real_fsync(fd)
        road.write_bytes(edited)

    monkeypatch.setattr(os, "fsync", slow_disk)
    result = run("sync", now=NOW, roadmap=road)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert result.exit_code == 2
    assert "changed on disk while syncing" in result.output
    assert road.read_bytes() == edited
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_control_sequences_from_a_roadmap_never_reach_the_terminal(
    run: Run, tmp_path: Path, sealed_home: Path
) -> None:
    road = tmp_path / "road.md"
    evil = "\x1b]0;pwned\x07Evil\x1b[2J \u202eemit\u202c\x9b"
    road.write_text(f"# R\n## 1. A\n- [ ] {evil}\n- [ ] Plain\n", encoding="utf-8")
    for args in (["today"], ["topics"], ["plan", "--days", "1"], ["show", "evil"]):
        result = run(*args, now=NOW, roadmap=road)
        assert result.exit_code == 0, result.output
        for bad in ("\x1b", "\x07", "\u202e", "\u202c", "\x9b"):
            assert bad not in result.output, (args, result.output)
        assert "Evil emit" in result.output
    rows = json.loads(run("topics", "--json", now=NOW, roadmap=road).output)
    assert rows[0]["title"] == "Evil emit"
    # What the learner types comes back in errors scrubbed too.
    result = run("review", "\x1b[2Jnothing\u202e", "good", now=NOW, roadmap=road)
    assert result.exit_code == 2
    assert result.output == (
        "studyplan: error: no topic matches 'nothing' in road.md; 'studyplan topics' lists them\n"
    )
    assert not (sealed_home / "log").exists()


@pytest.mark.parametrize(
    ("front", "problem"),
    [
        ("a: &a [*a]\ntitle: *a", "a YAML alias (*name) refers to itself; write the value out"),
        ("a: &a\n  b: *a", "a YAML alias (*name) refers to itself; write the value out"),
        ("a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
         "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
         "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]",
         "more than 100,000 values (aliases that multiply?)"),
    ],
)  # fmt: skip
def test_front_matter_that_is_not_data_is_one_line(
    run: Run, tmp_path: Path, front: str, problem: str
) -> None:
    road = tmp_path / "road.md"
    road.write_text(f"---\n{front}\n---\n# R\n## 1. A\n- [ ] One\n", encoding="utf-8")
    result = run("today", now=NOW, roadmap=road)
    assert result.exit_code == 2
    assert result.output == f"studyplan: error: {road}: broken front matter: {problem}\n"


def test_adding_a_namesake_earlier_never_moves_history(run: Run, tmp_path: Path) -> None:
    road = tmp_path / "road.md"
    road.write_text("# R\n## 1. One\n- [ ] Basics\n## 2. Two\n- [ ] Arrays\n", encoding="utf-8")
    run("review", "arrays", "good", now="2026-12-01T09:00", roadmap=road)
    road.write_text(
        "# R\n## 1. One\n- [ ] Basics\n- [ ] Arrays\n## 2. Two\n- [ ] Arrays\n", encoding="utf-8"
    )
    rows = json.loads(run("topics", "--json", now="2026-12-01T10:00", roadmap=road).stdout)
    assert [(r["id"], r["status"]) for r in rows] == [
        ("basics", "new"),
        ("arrays-s1", "new"),  # the newcomer has no history of the old card
        ("arrays-s2", "locked"),
    ]
    doctor = run("doctor", now="2026-12-01T10:00", roadmap=road)
    assert (
        "note     orphans  'arrays' (1 reviews) is now the title of 2 cards: arrays-s1 (§1), "
        "arrays-s2 (§2); its history waits for 'studyplan rename arrays ID' to say which one"
    ) in doctor.output
    moved = run("rename", "arrays", "arrays-s2", now="2026-12-01T10:05", roadmap=road)
    assert moved.output == "Moved 1 review from 'arrays' to Arrays (arrays-s2).\n"
    rows = json.loads(run("topics", "--json", now="2026-12-01T10:10", roadmap=road).stdout)
    assert [r["status"] for r in rows] == ["new", "new", "scheduled"]


@pytest.mark.parametrize("year", ["0001", "9999"])
def test_a_logged_date_near_year_1_or_9999_is_reported_not_a_crash(
    run: Run, sealed_home: Path, year: str
) -> None:
    _study(run)
    log = sealed_home / "log" / "laptop.toml"
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f'\n[[review]]\nid = "0000000000ff"\ncard = "derivatives"\n'
                     f'rating = "good"\nat = {year}-01-01 00:00:00+00:00\n')  # fmt: skip
    result = run("today", now="2026-12-01T11:00")
    assert result.exit_code == 0
    assert f"review 'at' {year}-01-01 is outside 1900–2200" in result.stderr
    assert _reviews(run, "Derivatives", "2026-12-01T11:00") == []
    assert _reviews(run, "Linear Algebra", "2026-12-01T11:00") == ["good"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs mkfifo")
def test_a_pipe_as_the_config_or_a_note_never_hangs(
    run: Run, sealed_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "road.md").write_text("# R\n## 1. A\n- [ ] [[One]]\n", encoding="utf-8")
    os.mkfifo(vault / "One.md")
    monkeypatch.setenv("STUDYPLAN_VAULT", str(vault))
    result = run("today", now=NOW, roadmap=vault / "road.md")
    assert result.exit_code == 0, result.output
    monkeypatch.delenv("STUDYPLAN_VAULT")
    config = sealed_home / "studyplan.toml"
    config.unlink()
    os.mkfifo(config)
    result = run("today", now=NOW)
    assert result.exit_code == 2
    assert result.output == (
        f"studyplan: error: config {config} is not a regular file (a device or a pipe?); "
        "give a TOML file\n"
    )
