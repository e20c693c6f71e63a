from __future__ import annotations

import os
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studyplan import store
from studyplan.config import Config
from studyplan.errors import ConfigError, LogError, RoadmapError
from studyplan.model import Rating, Review

BERLIN = timezone(timedelta(hours=1))


def review(n: int, card: str = "linear-algebra", minutes: int | None = 30) -> Review:
    return Review(
        id=f"id{n:04d}",
        card=card,
        rating=Rating.GOOD,
        at=datetime(2026, 11, 26, 9, n % 60, tzinfo=BERLIN),
        minutes=minutes,
        title="Linear Algebra",
    )


def write(path: Path, *reviews: Review) -> None:
    for r in reviews:
        with store.locked(path):
            store.append(path, "review", store.review_table(r))


def test_log_bytes_are_exactly_this(tmp_path: Path) -> None:
    path = tmp_path / "log" / "laptop.toml"
    write(path, review(1), review(2, minutes=None))
    assert path.read_text(encoding="utf-8") == (
        store.LOG_HEADER + "\n[[review]]\n"
        'id = "id0001"\n'
        'card = "linear-algebra"\n'
        'title = "Linear Algebra"\n'
        'rating = "good"\n'
        "minutes = 30\n"
        "at = 2026-11-26 09:01:00+01:00\n"
        "\n[[review]]\n"
        'id = "id0002"\n'
        'card = "linear-algebra"\n'
        'title = "Linear Algebra"\n'
        'rating = "good"\n'
        "at = 2026-11-26 09:02:00+01:00\n"
    )


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=30)
OFFSETS = st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@st.composite
def reviews(draw: st.DrawFn) -> Review:
    moment = draw(st.datetimes(datetime(2000, 1, 1), datetime(2099, 1, 1))).replace(microsecond=0)
    return Review(
        id=draw(st.text("0123456789abcdef", min_size=12, max_size=12)),
        card=draw(TEXT),
        rating=draw(st.sampled_from(list(Rating))),
        at=moment.replace(tzinfo=draw(OFFSETS)),
        minutes=draw(st.none() | st.integers(0, 10_000)),
        title=draw(st.none() | TEXT),
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(reviews(), min_size=1, max_size=8))
def test_log_round_trip(entries: list[Review]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dev.toml"
        write(path, *entries)
        read = store.read_log(path)
    assert read.problems == []
    assert [
        (r.id, r.card, r.rating, r.at, r.at.utcoffset(), r.minutes, r.title) for r in read.reviews
    ] == [(r.id, r.card, r.rating, r.at, r.at.utcoffset(), r.minutes, r.title) for r in entries]


def test_every_torn_last_entry_is_reported_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "dev.toml"
    write(path, review(1), review(2), review(3))
    data = path.read_bytes()
    last = data.rindex(b"[[review]]")
    last_line = data.count(b"\n", 0, last) + 1
    for cut in range(last + 1, len(data) - 1):  # every prefix of the third entry
        path.write_bytes(data[:cut])
        read = store.read_log(path)
        assert [r.id for r in read.reviews] == ["id0001", "id0002"], cut
        assert len(read.problems) == 1, cut
        problem = read.problems[0]
        assert problem.file == str(path)
        assert last_line <= problem.line <= data.count(b"\n") + 1, cut
    path.write_bytes(data[:-1])  # only the final newline lost: the entry is complete
    assert [r.id for r in store.read_log(path).reviews] == ["id0001", "id0002", "id0003"]


def test_append_after_a_torn_entry_keeps_both_readable(tmp_path: Path) -> None:
    path = tmp_path / "dev.toml"
    write(path, review(1), review(2))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 12])  # tear the second entry inside its `at`
    write(path, review(3))
    read = store.read_log(path)
    assert [r.id for r in read.reviews] == ["id0001", "id0003"]
    assert [(p.line, "torn" in p.message or "no 'at'" in p.message) for p in read.problems] == [
        (19, True)
    ]


def test_hand_edited_bad_values_are_reported_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "dev.toml"
    write(path, review(1))
    with path.open("a", encoding="utf-8") as handle:
        handle.write(
            '\n[[review]]\nid = "x"\ncard = "a"\nrating = "great"\nat = 2026-11-26T09:00:00Z\n'
        )
        handle.write(
            '\n[[review]]\nid = "y"\ncard = "a"\nrating = "good"\nat = 2026-11-26T09:00:00\n'
        )
    read = store.read_log(path)
    assert [r.id for r in read.reviews] == ["id0001"]
    assert [(p.line, p.message) for p in read.problems] == [
        (13, "review 'rating' 'great' is not again/hard/good/easy"),
        (
            19,
            "review 'at' must be a date-time with offset, "
            "got datetime.datetime(2026, 11, 26, 9, 0)",
        ),
    ]


def test_a_log_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dev.toml"
    path.write_text("schema = 2\n", encoding="utf-8")
    with pytest.raises(LogError, match="newer studyplan"):
        store.read_log(path)


def test_history_merges_devices_by_time(tmp_path: Path) -> None:
    home = store.Home(tmp_path)
    write(home.log_path("desktop"), review(5, "b"))
    write(home.log_path("laptop"), review(3, "a"), review(7, "c"))
    history = store.read_history(home)
    assert [(r.card, r.device) for r in history.reviews] == [
        ("a", "laptop"),
        ("b", "desktop"),
        ("c", "laptop"),
    ]


# --- config ----------------------------------------------------------------------------


def config_error(tmp_path: Path, text: str) -> str:
    (tmp_path / "studyplan.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        store.load_config(store.Home(tmp_path))
    return str(caught.value)


def test_config_errors_name_key_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "studyplan.toml"
    assert config_error(tmp_path, "fuzz = false\nnew_per_dya = 3\n") == (
        f"{path}:2: unknown key 'new_per_dya' (did you mean 'new_per_day'?); "
        "'studyplan config' lists the keys"
    )
    assert config_error(tmp_path, 'new_per_day = "two"\n') == (
        f"{path}:1: 'new_per_day' must be a whole number, got 'two'"
    )
    assert config_error(tmp_path, "\n\ndesired_retention = 1.5\n") == (
        f"{path}:3: 'desired_retention' must be between 0.5 and 0.99, got 1.5"
    )
    assert config_error(tmp_path, "fuzz = 1\n") == f"{path}:1: 'fuzz' must be true or false, got 1"
    assert "not valid TOML" in config_error(tmp_path, "fuzz = \n")
    assert "(at line 1" in config_error(tmp_path, "fuzz = \n")


def test_config_round_trip_is_atomic_and_drops_defaults(tmp_path: Path) -> None:
    home = store.Home(tmp_path / "fresh")
    config = Config(new_per_day=3, timezone="Asia/Tokyo", parameters=None)
    store.save_config(home, config)
    assert home.config_path.read_text(encoding="utf-8").splitlines()[1:] == [
        'timezone = "Asia/Tokyo"',
        "new_per_day = 3",
    ]
    assert store.load_config(home) == config
    assert [p.name for p in home.root.iterdir()] == ["studyplan.toml"]  # no temp files left


# --- roadmap files ---------------------------------------------------------------------


def test_roadmap_file_errors(tmp_path: Path) -> None:
    missing = tmp_path / "gone.md"
    with pytest.raises(RoadmapError, match=r"gone.md does not exist; pass --roadmap FILE"):
        store.read_roadmap(missing)
    with pytest.raises(RoadmapError, match="is a folder"):
        store.read_roadmap(tmp_path)
    latin1 = tmp_path / "latin1.md"
    latin1.write_bytes("## 1. A\n- [ ] Caf\u00e9\n".encode("latin-1"))
    with pytest.raises(RoadmapError, match=r"latin1.md:2: not UTF-8 text \(byte 0xe9\)"):
        store.read_roadmap(latin1)
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(RoadmapError, match=r"image.md:3: binary data"):
        store.read_roadmap(binary)
    empty = tmp_path / "empty.md"
    empty.write_text("# Nothing\n", encoding="utf-8")
    with pytest.raises(RoadmapError, match=r"empty.md: no checkbox items found"):
        store.read_roadmap(empty)


def test_roadmap_cache_is_refreshed_when_stale_or_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "r.md"
    cache = tmp_path / "cache"
    path.write_text("- [ ] One\n", encoding="utf-8")
    assert [c.id for c in store.read_roadmap(path, cache).cards] == ["one"]
    (cached,) = cache.iterdir()
    assert [c.id for c in store.read_roadmap(path, cache).cards] == ["one"]
    path.write_text("- [ ] One\n- [ ] Two\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))
    assert [c.id for c in store.read_roadmap(path, cache).cards] == ["one", "two"]
    cached.write_bytes(b"garbage")
    assert [c.id for c in store.read_roadmap(path, cache).cards] == ["one", "two"]


def test_a_lock_held_elsewhere_times_out_with_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    path = tmp_path / "log" / "laptop.toml"
    path.parent.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from studyplan import store\n"
            f"with store.locked(__import__('pathlib').Path({str(path)!r})):\n"
            "    print('held', flush=True)\n"
            "    sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        monkeypatch.setattr(store, "LOCK_TIMEOUT", 0.2)
        with pytest.raises(LogError) as caught, store.locked(path):
            pytest.fail("the lock was taken while another process held it")
        assert str(caught.value) == (
            f"{path} is locked by another studyplan for over 0 s; "
            f"if none is running, delete {path}.lock"
        )
    finally:
        holder.communicate("")
    assert holder.returncode == 0
    with store.locked(path):  # released when its holder ended
        pass
    assert not path.exists()
