"""The only module that opens data files: the roadmap, the config and the review logs.

The review log is the record of truth. Each device appends to its own TOML file in
`<home>/log/`; readers merge every file there. An entry is one `[[review]]` (or
`[[undo]]`) table written in a single append under a file lock, then fsynced. `at` is
the entry's last key, so a write torn by a crash leaves a value that does not parse
(a datetime without its offset is rejected) and is reported with file and line.
"""

from __future__ import annotations

import contextlib
import os
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from studyplan.config import Config, validate
from studyplan.errors import ConfigError, LogError, RoadmapError
from studyplan.model import History, LogProblem, Rating, Review, Roadmap, Undo

SCHEMA = 1
CONFIG_NAME = "studyplan.toml"
LOG_DIR = "log"
LOG_HEADER = (
    "# studyplan review log: one [[review]] per study session, appended and never rewritten.\n"
    "# Each device writes its own file; studyplan reads them all.\n"
    f"schema = {SCHEMA}\n"
)
# Any line opening with "[" starts a new entry, even a header torn in half: tomli-w
# never writes a value line that starts with "[".
_TABLE = re.compile(rb"^[ \t]*\[")
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)|\(at end of document\)")
LOCK_TIMEOUT = 60.0


def default_home() -> Path:
    import platformdirs  # only when no --home / STUDYPLAN_HOME is given

    return Path(platformdirs.user_data_dir("studyplan", appauthor=False))


def bundled_roadmap() -> Path:
    """The Machine Learning roadmap shipped in the wheel (or in data/ of a checkout)."""
    here = Path(__file__).resolve().parent
    installed = here / "data" / "ml-learning-path.md"
    return installed if installed.exists() else here.parent / "data" / "ml-learning-path.md"


def default_device() -> str:
    import platform

    name = re.sub(r"[^A-Za-z0-9._-]+", "-", platform.node().split(".")[0]).strip("-.")
    return name.lower() or "this-device"


@dataclass(frozen=True, slots=True)
class Home:
    """The folder holding config and logs."""

    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def log_dir(self) -> Path:
        return self.root / LOG_DIR

    @property
    def cache_dir(self) -> Path:
        """Derived data only: safe to delete at any time."""
        return self.root / "cache"

    def log_path(self, device: str) -> Path:
        return self.log_dir / f"{device}.toml"


# --- files ---------------------------------------------------------------------------


def atomic_write(path: Path, data: bytes) -> None:
    """Write a whole file so that readers see the old bytes or the new, never a mix."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


# --- roadmap -------------------------------------------------------------------------


def read_roadmap(path: Path, cache_dir: Path | None = None) -> Roadmap:
    """Read and parse a roadmap; every failure names the file.

    With `cache_dir`, the parsed roadmap is kept as a pickle keyed by the file's identity
    (path, size, mtime, inode) so the daily command skips Markdown and YAML parsing.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    key = (
        (ROADMAP_CACHE_VERSION, str(path.resolve()), info.st_size, info.st_mtime_ns, info.st_ino)
        if info is not None and cache_dir is not None
        else None
    )
    cache_path = _roadmap_cache_path(cache_dir, path) if key and cache_dir else None
    if cache_path is not None:
        cached = _load_cached_roadmap(cache_path, key)
        if cached is not None:
            return cached
    parsed = _parse_roadmap_file(path)
    if cache_path is not None:
        import pickle

        with contextlib.suppress(OSError):  # a read-only home still works, only slower
            atomic_write(cache_path, pickle.dumps((key, parsed), protocol=pickle.HIGHEST_PROTOCOL))
    return parsed


ROADMAP_CACHE_VERSION = 1


def _roadmap_cache_path(cache_dir: Path, path: Path) -> Path:
    import zlib

    digest = zlib.crc32(str(path.resolve()).encode())
    return cache_dir / f"roadmap-{digest:08x}.pickle"


def _load_cached_roadmap(cache_path: Path, key: object) -> Roadmap | None:
    """The cached parse if it belongs to this exact file; None when missing, stale or corrupt."""
    import pickle

    try:
        with cache_path.open("rb") as handle:
            stored_key, roadmap = pickle.load(handle)
    except Exception:  # any damage to a disposable cache means: parse again
        return None
    if stored_key != key or not isinstance(roadmap, Roadmap):
        return None
    return roadmap


def _parse_roadmap_file(path: Path) -> Roadmap:
    from studyplan import roadmap as roadmap_parser

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RoadmapError(
            f"roadmap {path} does not exist; pass --roadmap FILE or set 'roadmap' in {CONFIG_NAME}"
        ) from None
    except IsADirectoryError:
        raise RoadmapError(f"roadmap {path} is a folder; give the Markdown file") from None
    except OSError as error:
        raise RoadmapError(f"cannot read roadmap {path}: {error.strerror}") from None
    if b"\x00" in data:
        line = _line_of_offset(data, data.index(b"\x00"))
        raise RoadmapError(
            f"{path}:{line}: binary data (NUL byte); the roadmap must be a Markdown text file"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = _line_of_offset(data, error.start)
        raise RoadmapError(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[error.start]:02x}); save it as UTF-8"
        ) from None
    try:
        return roadmap_parser.parse(text, str(path))
    except RoadmapError as error:
        raise RoadmapError(f"{path}: {error}") from None


# --- config --------------------------------------------------------------------------


def load_config(home: Home) -> Config:
    path = home.config_path
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}") from None
    try:
        text = data.decode("utf-8")
        parsed = tomllib.loads(text)
    except UnicodeDecodeError as error:
        line = _line_of_offset(data, error.start)
        raise ConfigError(f"{path}:{line}: not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    return validate(parsed, text, str(path))


def save_config(home: Home, config: Config) -> None:
    import tomli_w

    header = "# studyplan settings; 'studyplan config' lists every key with its meaning.\n"
    atomic_write(home.config_path, (header + tomli_w.dumps(config.to_toml())).encode())


# --- review log ----------------------------------------------------------------------


def _review_from(entry: dict[str, Any], device: str) -> Review:
    """Validate one `[[review]]` table; ValueError says what is wrong with it."""
    for key in ("id", "card", "rating", "at"):
        if key not in entry:
            raise ValueError(f"review entry has no '{key}' (torn or hand-edited entry)")
    ident, card, rating, at = entry["id"], entry["card"], entry["rating"], entry["at"]
    if not isinstance(ident, str) or not ident:
        raise ValueError("review 'id' must be a non-empty string")
    if not isinstance(card, str) or not card:
        raise ValueError("review 'card' must be a non-empty string")
    if not isinstance(rating, str | int) or isinstance(rating, bool):
        raise ValueError(f"review 'rating' {rating!r} is not again/hard/good/easy")
    try:
        parsed_rating = Rating.parse(str(rating))
    except ValueError:
        raise ValueError(f"review 'rating' {rating!r} is not again/hard/good/easy") from None
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise ValueError(f"review 'at' must be a date-time with offset, got {at!r}")
    minutes = entry.get("minutes")
    if minutes is not None and (
        isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0
    ):
        raise ValueError(f"review 'minutes' must be a whole number ≥ 0, got {minutes!r}")
    title = entry.get("title")
    return Review(
        id=ident,
        card=card,
        rating=parsed_rating,
        at=at,
        minutes=minutes,
        title=title if isinstance(title, str) else None,
        device=device,
    )


def _undo_from(entry: dict[str, Any]) -> Undo:
    review, at = entry.get("review"), entry.get("at")
    if not isinstance(review, str) or not review:
        raise ValueError("undo entry has no 'review' id (torn or hand-edited entry)")
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise ValueError(f"undo 'at' must be a date-time with offset, got {at!r}")
    return Undo(review=review, at=at)


@dataclass(slots=True)
class _LogFile:
    reviews: list[Review]
    undos: list[Undo]
    problems: list[LogProblem]


def _check_schema(data: dict[str, Any], path: Path) -> None:
    schema = data.get("schema", SCHEMA)
    if not isinstance(schema, int) or schema > SCHEMA:
        raise LogError(
            f"{path}: written by a newer studyplan (schema {schema!r}); upgrade studyplan"
        )


def read_log(path: Path) -> _LogFile:
    """All entries of one log file. Fast path: the whole file parses; otherwise each
    entry is parsed alone so a bad one is reported with its line and the rest count."""
    device = path.stem
    data = path.read_bytes()
    try:
        parsed = tomllib.loads(data.decode("utf-8"))
        _check_schema(parsed, path)
        known = {"schema", "review", "undo"}
        if set(parsed) <= known:
            return _LogFile(
                reviews=[_review_from(e, device) for e in parsed.get("review", [])],
                undos=[_undo_from(e) for e in parsed.get("undo", [])],
                problems=[],
            )
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError, TypeError):
        pass
    return _read_log_by_entry(path, data, device)


def _chunks(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(first line number, bytes) of the preamble and of each table."""
    lines = data.splitlines(keepends=True)
    start, current = 1, []  # type: int, list[bytes]
    for number, line in enumerate(lines, start=1):
        if _TABLE.match(line) and current:
            yield start, b"".join(current)
            start, current = number, []
        current.append(line)
    if current:
        yield start, b"".join(current)


def _read_log_by_entry(path: Path, data: bytes, device: str) -> _LogFile:
    out = _LogFile([], [], [])
    for start, chunk in _chunks(data):
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError as error:
            line = start + chunk.count(b"\n", 0, error.start)
            out.problems.append(LogProblem(str(path), line, "not UTF-8 text"))
            continue
        try:
            parsed = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            found = _TOML_LINE.search(str(error))
            line = start + int(found.group(1)) - 1 if found and found.group(1) else start
            reason = _TOML_LINE.sub("", str(error)).strip()
            out.problems.append(
                LogProblem(str(path), line, f"unreadable entry ({reason}); torn by a crash?")
            )
            continue
        try:
            if "schema" in parsed:
                _check_schema(parsed, path)
            for table, entries in parsed.items():
                if table == "schema":
                    continue
                if table == "review":
                    out.reviews.extend(_review_from(e, device) for e in entries)
                elif table == "undo":
                    out.undos.extend(_undo_from(e) for e in entries)
                else:
                    raise ValueError(f"unknown entry '{table}'")
        except (ValueError, TypeError) as error:
            out.problems.append(LogProblem(str(path), start, str(error)))
    return out


def log_files(home: Home) -> list[Path]:
    try:
        return sorted(p for p in home.log_dir.iterdir() if p.suffix == ".toml" and p.is_file())
    except FileNotFoundError:
        return []
    except OSError as error:
        raise LogError(f"cannot read {home.log_dir}: {error.strerror}") from None


def read_history(home: Home) -> History:
    """The union of every device's log, ordered by time."""
    reviews: list[Review] = []
    undos: list[Undo] = []
    problems: list[LogProblem] = []
    for path in log_files(home):
        try:
            one = read_log(path)
        except OSError as error:
            raise LogError(f"cannot read {path}: {error.strerror}") from None
        reviews.extend(one.reviews)
        undos.extend(one.undos)
        problems.extend(one.problems)
    reviews.sort(key=lambda r: (r.at, r.id))
    return History(reviews=tuple(reviews), undos=tuple(undos), problems=tuple(problems))


def review_table(review: Review) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": review.id, "card": review.card}
    if review.title:
        entry["title"] = review.title
    entry["rating"] = review.rating.label
    if review.minutes is not None:
        entry["minutes"] = review.minutes
    entry["at"] = review.at  # last: a torn write cannot leave a valid-looking entry
    return entry


def undo_table(undo: Undo) -> dict[str, Any]:
    return {"review": undo.review, "at": undo.at}


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Serialise writers of one log file (also across processes)."""
    from filelock import FileLock, Timeout

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(f"{path}.lock", timeout=LOCK_TIMEOUT):
            yield
    except Timeout:
        raise LogError(
            f"{path} is locked by another studyplan for over {LOCK_TIMEOUT:.0f} s; "
            f"if none is running, delete {path}.lock"
        ) from None


def append(path: Path, table: str, entry: dict[str, Any]) -> None:
    """Append one entry, fsynced, under the lock. Must be called inside `locked(path)`."""
    import tomli_w

    # Header by hand: tomli-w would write a short entry as an inline array, which a
    # second append could not extend.
    body = f"[[{table}]]\n{tomli_w.dumps(entry)}".encode()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size == 0:
            prefix = LOG_HEADER.encode() + b"\n"
        else:
            # A torn last entry may lack its newline: start ours on a fresh line.
            prefix = b"\n" if os.pread(fd, 1, size - 1) == b"\n" else b"\n\n"
        payload = prefix + body
        written = 0
        while written < len(payload):
            written += os.write(fd, payload[written:])
        os.fsync(fd)
    finally:
        os.close(fd)
    if size == 0:
        _fsync_dir(path.parent)
