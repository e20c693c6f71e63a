"""The only module that opens data files: the roadmap, the config and the review logs.

The review log is the record of truth. Each device appends to its own TOML file in
`<home>/log/`; readers merge every file there. An entry is one `[[review]]` (or
`[[undo]]`) table written in a single append under a file lock, then fsynced. `at` is
the entry's last key, so a write torn by a crash leaves a value that does not parse
(a datetime without its offset is rejected) and is reported with file and line.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar, cast

from studyplan.config import Config, validate
from studyplan.errors import ConfigError, InputError, LogError, RoadmapError
from studyplan.merge import Conflict, merge
from studyplan.model import (
    Away,
    History,
    LogProblem,
    Move,
    Postpone,
    Rating,
    Review,
    Roadmap,
    Suspension,
    Undo,
)

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


def _machine() -> str:
    import platform

    name = re.sub(r"[^A-Za-z0-9._-]+", "-", platform.node()).strip("-.")
    return name.lower() or "this-machine"


def local_device() -> str:
    """This machine's device id, kept outside any synced folder (the user's config folder):
    the host name plus a random suffix, since two machines may share a host name."""
    import platformdirs

    path = Path(platformdirs.user_config_dir("studyplan", appauthor=False)) / "device"
    try:
        known = path.read_text(encoding="utf-8").strip()
    except OSError:
        known = ""
    if re.fullmatch(r"[A-Za-z0-9._-]{1,64}", known):
        return known
    made = f"{_machine()[:40]}-{os.urandom(2).hex()}"
    atomic_write(path, (made + "\n").encode())
    return made


class Home(NamedTuple):
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
        """Derived data only, safe to delete at any time: in this machine's per-user cache
        folder (platformdirs), one folder per home. Never inside the home, which may be
        synced or shared: nothing another device, a sync tool or a shared vault drops
        there is ever loaded."""
        return _cache_root() / _home_key(self.root)

    @property
    def old_cache_dir(self) -> Path:
        """Where caches were kept before (inside the home): never read now."""
        return self.root / ".cache"

    def log_path(self, device: str) -> Path:
        return self.log_dir / f"{device}.toml"


@functools.cache
def _cache_root() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("studyplan", appauthor=False))


def _home_key(root: Path) -> str:
    """A folder name for one home: readable, and unique by the home's full path."""
    import zlib

    try:
        full = str(root.expanduser().resolve())
    except OSError:
        full = str(root.expanduser().absolute())
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", root.name).strip("-.")[:40] or "home"
    return f"{name}-{zlib.crc32(full.encode()):08x}{zlib.adler32(full.encode()):08x}"


# --- files ---------------------------------------------------------------------------


def atomic_write(
    path: Path,
    data: bytes,
    *,
    durable: bool = True,
    mode: int | None = None,
    before_replace: Callable[[], None] | None = None,
) -> None:
    """Write a whole file so that readers see the old bytes or the new, never a mix.
    `durable` also fsyncs the file and its folder (skipped for disposable caches);
    `mode` sets the new file's permission bits; `before_replace` runs as late as it can,
    just before the rename, and may raise to leave the file as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            if mode is not None:
                os.chmod(tmp, mode)  # by path: Windows cannot chmod a descriptor
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        _fsync_dir(path.parent)


def rewrite(path: Path, data: bytes, before_replace: Callable[[], None] | None = None) -> None:
    """Replace a file the learner owns (a log, the roadmap): atomically, through a
    symbolic link (the link stays a link) and keeping the file's permissions."""
    import stat

    target = path.resolve()
    mode = stat.S_IMODE(os.stat(target).st_mode)
    atomic_write(target, data, mode=mode, before_replace=before_replace)


def write_unique(folder: Path, stem: str, suffix: str, data: bytes) -> Path:
    """Write `data` to a new file `stem<suffix>` in `folder` (`stem-2<suffix>`, `-3` … if
    taken), fsynced; never replaces a file, so a backup can never overwrite another."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, 10_000):
        path = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _fsync_dir(folder)
        return path
    raise LogError(f"{folder} holds 10,000 backups named {stem}: move some elsewhere")


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

    With `cache_dir`, the parse is cached (`_cached_parse`), so the daily command skips
    Markdown and YAML parsing.
    """
    if cache_dir is None:
        return _parse_roadmap_file(path)
    return _cached_parse(
        path,
        cache_dir,
        "roadmap",
        ROADMAP_CACHE_VERSION,
        lambda: _parse_roadmap_file(path),
        lambda value: isinstance(value, Roadmap),
    )


ROADMAP_CACHE_VERSION = 11
MAP_CACHE_VERSION = 2


T = TypeVar("T")


def _cached_parse(
    path: Path,
    cache_dir: Path,
    kind: str,
    version: int,
    parse: Callable[[], T],
    valid: Callable[[object], bool],
) -> T:
    """`parse()` of a file, kept as a pickle keyed by the file's identity (path, size,
    mtime, inode); a file that cannot be examined is parsed, which says what is wrong."""
    try:
        info = path.stat()
    except OSError:
        return parse()
    key = (kind, version, str(path.resolve()), info.st_size, info.st_mtime_ns, info.st_ino)
    cache_path = _cache_path(cache_dir, kind, path)
    cached = load_cache(cache_path)
    if isinstance(cached, tuple) and len(cached) == 2 and cached[0] == key and valid(cached[1]):
        return cast(T, cached[1])
    parsed = parse()
    save_cache(cache_path, (key, parsed))
    return parsed


def read_map_parsed(path: Path, cache_dir: Path, parse: Callable[[str], T]) -> T:
    """`parse` of a prerequisite map's text, cached like the roadmap (the daily command
    then needs neither the file's TOML nor the TOML parser)."""
    return _cached_parse(
        path,
        cache_dir,
        "map",
        MAP_CACHE_VERSION,
        lambda: parse(read_map(path)),
        lambda value: isinstance(value, tuple),
    )


MAX_TEXT_BYTES = 32 * 1024 * 1024  # a roadmap or map this big is a mistake, not a plan


def read_text_file(path: Path, what: str) -> bytes:
    """A roadmap's or map's bytes: a regular file of bounded size (never a device, a
    pipe or a socket, which could block or never end), else a one-line error."""
    import stat

    # O_NONBLOCK: opening a pipe with no writer must not hang (no effect on files).
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)  # FileNotFoundError, IsADirectoryError: the caller's
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise RoadmapError(f"{what} {path} is not a regular file (a device or a pipe?); "
                               "give a Markdown file")  # fmt: skip
        if info.st_size > MAX_TEXT_BYTES:
            raise RoadmapError(
                f"{what} {path} is {info.st_size // (1024 * 1024)} MB, over the "
                f"{MAX_TEXT_BYTES // (1024 * 1024)} MB studyplan reads; split it"
            )
        return handle.read(MAX_TEXT_BYTES + 1)


def read_map(path: Path) -> str:
    """A prerequisite map's text; a missing or unreadable file is the learner's to fix."""
    try:
        return read_text_file(path, "prerequisite map").decode("utf-8").removeprefix("\ufeff")
    except RoadmapError as error:
        raise InputError(str(error)) from None
    except FileNotFoundError:
        raise InputError(
            f"prerequisite map {path} does not exist; fix 'prerequisite_map' in the config"
        ) from None
    except UnicodeDecodeError as error:
        raise InputError(
            f"prerequisite map {path} is not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from None
    except OSError as error:
        raise InputError(f"cannot read prerequisite map {path}: {error.strerror}") from None


def _cache_path(cache_dir: Path, kind: str, path: Path) -> Path:
    import zlib

    return (
        cache_dir / f"{kind}-{path.stem[:40]}-{zlib.crc32(str(path.resolve()).encode()):08x}.pickle"
    )


def read_markdown(path: Path, what: str = "roadmap") -> str:
    """A Markdown file's text; anything else (missing, a folder, binary, not UTF-8) is a
    one-line error that says how to fix it."""
    try:
        data = read_text_file(path, what)
    except FileNotFoundError:
        hint = (
            f"; pass --roadmap FILE or set 'roadmap' in {CONFIG_NAME}" if what == "roadmap" else ""
        )
        raise RoadmapError(f"{what} {path} does not exist{hint}") from None
    except IsADirectoryError:
        raise RoadmapError(f"{what} {path} is a folder; give the Markdown file") from None
    except OSError as error:
        raise RoadmapError(f"cannot read {what} {path}: {error.strerror}") from None
    wide = _wide_encoding(data)
    if wide:
        raise RoadmapError(f"{path}: {wide} text; the {what} must be UTF-8 (save it as UTF-8)")
    if b"\x00" in data:
        line = _line_of_offset(data, data.index(b"\x00"))
        raise RoadmapError(
            f"{path}:{line}: binary data (NUL byte); the {what} must be a Markdown text file"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = _line_of_offset(data, error.start)
        raise RoadmapError(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[error.start]:02x}); save it as UTF-8"
        ) from None


def _wide_encoding(data: bytes) -> str:
    """ "UTF-16" or "UTF-32" for text in those (by its byte-order mark, or ASCII with a NUL
    beside every character, as Windows Notepad's "Unicode" saves it), else ""."""
    head = data[:4]
    if head in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return "UTF-32"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "UTF-16"
    if len(head) == 4 and (head[1::2] == b"\x00\x00" or head[0::2] == b"\x00\x00"):
        return "UTF-16"
    return ""


def _parse_roadmap_file(path: Path) -> Roadmap:
    from studyplan import roadmap as roadmap_parser

    text = read_markdown(path)
    try:
        return roadmap_parser.parse(text, str(path))
    except RoadmapError as error:
        raise RoadmapError(f"{path}: {error}") from None


def write_new(path: Path, data: bytes, *, force: bool) -> None:
    """Write a file the learner will own (an imported roadmap): never over an existing
    one unless `force`."""
    from studyplan.errors import InputError

    target = path.expanduser()
    if target.is_dir():
        raise InputError(f"{path} is a folder; give a file name with -o")
    if target.exists() and not force:
        raise InputError(f"{path} exists; choose another name or pass --force to replace it")
    atomic_write(target, data)


# --- config --------------------------------------------------------------------------


def load_config(home: Home) -> Config:
    path = home.config_path
    try:
        data = read_text_file(path, "config")
    except FileNotFoundError:
        return Config()
    except RoadmapError as error:
        raise ConfigError(str(error).replace("give a Markdown file", "give a TOML file")) from None
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}") from None
    import tomllib

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


_ZONES: dict[object, Any] = {}


def _zone_of(moment: datetime) -> Any:
    """One tzinfo object per offset, so a pickled history stores each offset once."""
    from datetime import timezone

    tz = moment.tzinfo
    if type(tz) is timezone:  # what TOML gives: equal when their offsets are
        zone = _ZONES.get(tz)
        if zone is not None:
            return zone
    offset = moment.utcoffset()
    zone = _ZONES.get(offset)
    if zone is None:
        zone = _ZONES[offset] = timezone(offset) if offset is not None else None
    if type(tz) is timezone:
        _ZONES[tz] = zone
    return zone


_RATINGS = {rating.label: rating for rating in Rating}


def _review_from(entry: dict[str, Any], device: str) -> Review:
    """Validate one `[[review]]` table; ValueError says what is wrong with it.

    The common shape (what `append` writes) is checked in one expression first: a first
    run validates a decade of reviews, and the general checks below were a sixth of it."""
    try:
        ident, card, at = entry["id"], entry["card"], entry["at"]
        rating = _RATINGS[entry["rating"]]
    except (KeyError, TypeError):
        pass  # missing or odd: the checks below say what
    else:
        minutes, title = entry.get("minutes"), entry.get("title")
        if (
            type(ident) is str
            and ident
            and type(card) is str
            and card
            and type(at) is datetime
            and at.tzinfo is not None
            and 1900 <= at.year <= 2200
            and (minutes is None or (type(minutes) is int and minutes >= 0))
        ):
            zone = _zone_of(at)
            return Review(
                ident,
                card,
                rating,
                at if at.tzinfo is zone else at.replace(tzinfo=zone),
                minutes,
                title if type(title) is str else None,
                device,
            )
    return _review_checked(entry, device)


def _review_of(
    device: str,
    ident: str,
    card: str,
    title: str | None,
    rating: str,
    minutes: int | None,
    at: datetime,
) -> Review:
    """A review entry in `append`'s own layout (strings, a whole number of minutes ≥ 0,
    an offset date-time: `logtext` matched them), checked for what its layout cannot
    show; ValueError sends the log to the slower reader, which says what is wrong."""
    found = _RATINGS.get(rating)
    if found is None or not ident or not card or not 1900 <= at.year <= 2200:
        raise ValueError(f"review {ident!r} needs a closer look")
    zone = _zone_of(at)
    return Review(
        ident,
        card,
        found,
        at if at.tzinfo is zone else at.replace(tzinfo=zone),
        minutes,
        title,
        device,
    )


def _review_checked(entry: dict[str, Any], device: str) -> Review:
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
    parsed_rating = _RATINGS.get(rating) if isinstance(rating, str) else None
    if parsed_rating is None:
        try:
            parsed_rating = Rating.parse(str(rating))
        except ValueError:
            raise ValueError(f"review 'rating' {rating!r} is not again/hard/good/easy") from None
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise ValueError(f"review 'at' must be a date-time with offset, got {at!r}")
    if not 1900 <= at.year <= 2200:
        raise ValueError(f"review 'at' {at.date().isoformat()} is outside 1900–2200")
    minutes = entry.get("minutes")
    if minutes is not None and (
        isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0
    ):
        raise ValueError(f"review 'minutes' must be a whole number ≥ 0, got {minutes!r}")
    title = entry.get("title")
    at = at.replace(tzinfo=_zone_of(at))
    return Review(
        id=ident,
        card=card,
        rating=parsed_rating,
        at=at,
        minutes=minutes,
        title=title if isinstance(title, str) else None,
        device=device,
    )


def _move_from(entry: dict[str, Any]) -> Move:
    source, target, at = entry.get("from"), entry.get("to"), entry.get("at")
    if not isinstance(source, str) or not source or not isinstance(target, str) or not target:
        raise ValueError("move entry needs 'from' and 'to' card ids (torn or hand-edited entry)")
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise ValueError(f"move 'at' must be a date-time with offset, got {at!r}")
    return Move(source=source, target=target, at=at)


def move_table(move: Move) -> dict[str, Any]:
    return {"from": move.source, "to": move.target, "at": toml_moment(move.at)}


def _suspension_from(entry: dict[str, Any], on: bool) -> Suspension:
    card, at, title = entry.get("card"), entry.get("at"), entry.get("title")
    what = "suspend" if on else "unsuspend"
    if not isinstance(card, str) or not card:
        raise ValueError(f"{what} entry has no 'card' id (torn or hand-edited entry)")
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise ValueError(f"{what} 'at' must be a date-time with offset, got {at!r}")
    ident = entry.get("id", "")
    if not isinstance(ident, str):
        raise ValueError(f"{what} 'id' must be a string, got {ident!r}")
    return Suspension(
        card=card, at=at, on=on, title=title if isinstance(title, str) else None, id=ident
    )


def _postpone_from(entry: dict[str, Any]) -> Postpone:
    ident, card, days, at = entry.get("id"), entry.get("card"), entry.get("days"), entry.get("at")
    if not isinstance(ident, str) or not ident:
        raise ValueError("postpone entry has no 'id' (torn or hand-edited entry)")
    if not isinstance(card, str) or not card:
        raise ValueError("postpone entry has no 'card' id (torn or hand-edited entry)")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_POSTPONE:
        raise ValueError(f"postpone 'days' must be a whole number 1-{MAX_POSTPONE}, got {days!r}")
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise ValueError(f"postpone 'at' must be a date-time with offset, got {at!r}")
    if not 1900 <= at.year <= 2200:
        raise ValueError(f"postpone 'at' {at.date().isoformat()} is outside 1900–2200")
    title = entry.get("title")
    return Postpone(ident, card, days, at, title if isinstance(title, str) else None)


MAX_POSTPONE = 365
MAX_AWAY = 366  # days of one break


def _away_from(entry: dict[str, Any]) -> Away:
    ident, at = entry.get("id"), entry.get("at")
    if not isinstance(ident, str) or not ident:
        raise ValueError("away entry has no 'id' (torn or hand-edited entry)")
    try:
        start = date.fromisoformat(str(entry.get("from")))
        end = date.fromisoformat(str(entry.get("to")))
    except ValueError:
        raise ValueError("away 'from' and 'to' must be dates such as \"2026-12-20\"") from None
    if not (1900 <= start.year <= 2200 and start <= end and (end - start).days < MAX_AWAY):
        raise ValueError(
            f"away {start.isoformat()} – {end.isoformat()} is not a break studyplan keeps"
        )
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise ValueError(f"away 'at' must be a date-time with offset, got {at!r}")
    note = entry.get("note")
    return Away(ident, start, end, at, note if isinstance(note, str) else None)


def away_table(entry: Away) -> dict[str, Any]:
    table: dict[str, Any] = {
        "id": entry.id,
        "from": entry.start.isoformat(),
        "to": entry.end.isoformat(),
    }
    if entry.note:
        table["note"] = entry.note
    table["at"] = toml_moment(entry.at)
    return table


def postpone_table(entry: Postpone) -> dict[str, Any]:
    table: dict[str, Any] = {"id": entry.id, "card": entry.card, "days": entry.days}
    if entry.title:
        table["title"] = entry.title
    table["at"] = toml_moment(entry.at)
    return table


def suspension_table(entry: Suspension) -> tuple[str, dict[str, Any]]:
    """The log table and entry for a suspension (`at` last, as for reviews)."""
    table: dict[str, Any] = {"id": entry.id} if entry.id else {}
    table["card"] = entry.card
    if entry.title:
        table["title"] = entry.title
    table["at"] = toml_moment(entry.at)
    return ("suspend" if entry.on else "unsuspend"), table


def review_line(path: Path, ident: str) -> int:
    """The line where the review `ident` starts in `path` (its `id = "…"` line's table),
    for messages; 0 if it cannot be found."""
    try:
        data = path.read_bytes()
    except OSError:
        return 0
    at = data.find(f'id = "{ident}"'.encode())
    if at < 0:
        return 0
    start = data.rfind(b"[[review]]", 0, at)
    return data.count(b"\n", 0, start if start >= 0 else at) + 1


def conflict_problems(paths: list[Path], conflicts: list[Conflict]) -> list[LogProblem]:
    """Each conflict (`merge`) as a log problem at the entry that does not count."""
    where = {path.stem: path for path in paths}
    found = []
    for c in conflicts:
        path = where.get(c.dropped.device or "", Path(f"{c.dropped.device}.toml"))
        kept = where.get(c.kept.device or "", Path(f"{c.kept.device}.toml")).name
        found.append(
            LogProblem(
                str(path),
                review_line(path, c.dropped.id),
                f"review {c.dropped.id} is also in {kept} with different content; "
                f"the one in {kept} counts",
            )
        )
    return found


def _undo_from(entry: dict[str, Any]) -> Undo:
    review, at = entry.get("review"), entry.get("at")
    if not isinstance(review, str) or not review:
        raise ValueError("undo entry has no 'review' id (torn or hand-edited entry)")
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise ValueError(f"undo 'at' must be a date-time with offset, got {at!r}")
    return Undo(review=review, at=at)


@dataclass(slots=True)
class LogFile:
    """The entries read from one log file (or a part of it)."""

    reviews: list[Review] = field(default_factory=list)
    undos: list[Undo] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    problems: list[LogProblem] = field(default_factory=list)
    suspensions: list[Suspension] = field(default_factory=list)
    postpones: list[Postpone] = field(default_factory=list)
    aways: list[Away] = field(default_factory=list)

    def extend(self, other: LogFile) -> None:
        self.reviews += other.reviews
        self.undos += other.undos
        self.moves += other.moves
        self.problems += other.problems
        self.suspensions += other.suspensions
        self.postpones += other.postpones
        self.aways += other.aways


class Mark(NamedTuple):
    """How far a log file has been read: its first `settled` bytes hold only complete
    entries, guarded by their CRC (a file replaced or edited there no longer matches)."""

    inode: int
    settled: int
    crc: int
    lines: int


def advance(
    path: Path, data: bytes, inode: int, mark: Mark | None
) -> tuple[LogFile, LogFile, Mark] | None:
    """Parse what follows `mark` in `data`: (complete entries, a last entry that may still
    be being written, the new mark). None when `mark` does not fit this file any more."""
    import zlib

    if (
        mark is not None
        and not (
            mark.inode == inode
            and mark.settled <= len(data)
            # A view, not a slice: copying megabytes of log to check them cost more than the CRC.
            and zlib.crc32(memoryview(data)[: mark.settled]) == mark.crc
        )
    ):
        return None
    start, lines, crc = (mark.settled, mark.lines, mark.crc) if mark else (0, 0, 0)
    settled, unsettled, count = _parse_log(path, data[start:], lines + 1)
    end = start + count
    crc = zlib.crc32(memoryview(data)[start:end], crc)
    new = Mark(inode, end, crc, lines + data.count(b"\n", start, end))
    return settled, unsettled, new


@dataclass(slots=True)
class _LogCache:
    """The complete entries of one log file up to `mark`."""

    version: int
    mark: Mark
    entries: LogFile


LOG_CACHE_VERSION = 9


def _check_schema(data: dict[str, Any], path: Path) -> None:
    schema = data.get("schema", SCHEMA)
    if not isinstance(schema, int) or schema > SCHEMA:
        raise LogError(
            f"{path}: written by a newer studyplan (schema {schema!r}); upgrade studyplan"
        )


def read_log(path: Path, cache_dir: Path | None = None) -> LogFile:
    """All entries of one log file, bad ones reported with their line. With `cache_dir`,
    only what was appended since the last read is parsed."""
    settled, unsettled, _ = read_log_parts(path, cache_dir)
    settled.extend(unsettled)
    return settled


def read_log_parts(
    path: Path, cache_dir: Path | None = None, *, save: bool = True
) -> tuple[LogFile, LogFile, Mark]:
    """(complete entries, a last entry perhaps still being written, how far that is).
    With `save` false a cache in `cache_dir` is used but not written."""
    data = path.read_bytes()
    inode = os.stat(path).st_ino
    cache_path = _cache_path(cache_dir, "log", path) if cache_dir else None
    cached = load_cache(cache_path) if cache_path else None
    step = None
    if isinstance(cached, _LogCache) and cached.version == LOG_CACHE_VERSION:
        step = advance(path, data, inode, cached.mark)
    if step is None or not isinstance(cached, _LogCache):
        cached = _LogCache(LOG_CACHE_VERSION, Mark(inode, 0, 0, 0), LogFile())
        step = advance(path, data, inode, None)
    assert step is not None
    settled, unsettled, mark = step
    result = LogFile()
    result.extend(cached.entries)
    result.extend(settled)
    if save and cache_path is not None and mark != cached.mark:
        entries = LogFile(
            reviews=list(result.reviews),
            undos=list(result.undos),
            moves=list(result.moves),
            problems=list(result.problems),
            suspensions=list(result.suspensions),
            postpones=list(result.postpones),
            aways=list(result.aways),
        )
        save_cache(cache_path, _LogCache(LOG_CACHE_VERSION, mark, entries))
    return result, unsettled, mark


def cache_files(home: Home) -> tuple[list[Path], list[Path]]:
    """(all cache files, the ones that cannot be loaded)."""
    try:
        files = sorted(home.cache_dir.glob("*.pickle"))
    except OSError:
        return [], []
    return files, [f for f in files if load_cache(f) is None]


def load_cache(path: Path) -> object:
    """A cache file's value, or None (missing, damaged, or not ours: parse again). Only
    studyplan's own record classes and a few standard value types can be rebuilt from
    it, never a function: a planted file cannot run code, even in the cache folder."""
    try:
        with path.open("rb") as handle:
            return _unpickler()(handle).load()
    except Exception:  # a missing or damaged cache only means: parse again
        return None


@functools.cache
def _unpickler() -> type:
    import pickle

    allowed = {
        ("datetime", "datetime"),
        ("datetime", "date"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("array", "array"),
        ("array", "_array_reconstructor"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
    }

    class Restricted(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            if (module, name) in allowed:
                return super().find_class(module, name)
            if module.startswith("studyplan.") and name.isidentifier():
                found = super().find_class(module, name)
                if isinstance(found, type) and _is_record(found):
                    return found
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cache")

    return Restricted


def _is_record(cls: type) -> bool:
    """Our plain value classes: NamedTuples, dataclasses and enums, whose construction
    runs no code of ours."""
    import dataclasses
    import enum

    return (
        (issubclass(cls, tuple) and hasattr(cls, "_fields"))
        or dataclasses.is_dataclass(cls)
        or issubclass(cls, enum.Enum)
    )


def save_cache(path: Path, value: object) -> None:
    import pickle

    with contextlib.suppress(OSError):  # a read-only home still works, only slower
        atomic_write(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), durable=False)


def _parse_log(path: Path, data: bytes, first_line: int) -> tuple[LogFile, LogFile, int]:
    """Entries of `data` (a whole log, or what follows its settled part), split into the
    settled part (complete entries) and a last entry that may still be being written;
    plus how many bytes are settled."""
    device = path.stem
    if first_line == 1 and data.startswith(b"\xef\xbb\xbf"):
        # An editor saved the log with a byte-order mark, which TOML does not allow:
        # read it as blanks (offsets, and so the read positions, stay the same).
        data = b"   " + data[3:]
    if not data.strip():
        return LogFile(), LogFile(), len(data) if data.endswith(b"\n") else 0
    import tomllib

    from studyplan import logtext

    try:  # fast path: everything parses at once and ends with a complete line
        if data.endswith(b"\n"):
            text = data.decode("utf-8")
            # Our own layout is read ~10x faster than tomllib reads it; anything else
            # (and anything wrong) goes to tomllib, which also says what is wrong.
            fast = logtext.read(text, functools.partial(_review_of, device))
            parsed = fast if fast is not None else tomllib.loads(text)
            _check_schema(parsed, path)
            tables = {
                "schema",
                "review",
                "undo",
                "move",
                "suspend",
                "unsuspend",
                "postpone",
                "away",
            }
            if set(parsed) <= tables:
                whole = LogFile(
                    reviews=[
                        e if type(e) is Review else _review_from(e, device)
                        for e in parsed.get("review", [])
                    ],
                    undos=[_undo_from(e) for e in parsed.get("undo", [])],
                    moves=[_move_from(e) for e in parsed.get("move", [])],
                    suspensions=[
                        *(_suspension_from(e, True) for e in parsed.get("suspend", [])),
                        *(_suspension_from(e, False) for e in parsed.get("unsuspend", [])),
                    ],
                    postpones=[_postpone_from(e) for e in parsed.get("postpone", [])],
                    aways=[_away_from(e) for e in parsed.get("away", [])],
                )
                return whole, LogFile(), len(data)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError, TypeError):
        pass
    chunks = list(_chunks(data, first_line))
    settled, unsettled = LogFile(), LogFile()
    settled_bytes = len(data)
    for index, (start, offset, chunk) in enumerate(chunks):
        one = _parse_chunk(path, device, start, chunk)
        last = index == len(chunks) - 1
        if last and (one.problems or not chunk.endswith(b"\n")):
            settled_bytes = offset  # may be an append in progress: read it again next time
            unsettled.extend(one)
        else:
            settled.extend(one)
    return settled, unsettled, settled_bytes


def _chunks(data: bytes, first_line: int = 1) -> Iterator[tuple[int, int, bytes]]:
    """(first line number, byte offset, bytes) of the preamble and of each entry."""
    start, offset, position, current = first_line, 0, 0, []  # type: int, int, int, list[bytes]
    for number, line in enumerate(data.splitlines(keepends=True), start=first_line):
        if _TABLE.match(line) and current:
            yield start, offset, b"".join(current)
            start, offset, current = number, position, []
        current.append(line)
        position += len(line)
    if current:
        yield start, offset, b"".join(current)


def _parse_chunk(path: Path, device: str, start: int, chunk: bytes) -> LogFile:
    import tomllib

    out = LogFile()
    try:
        text = chunk.decode("utf-8")
    except UnicodeDecodeError as error:
        line = start + chunk.count(b"\n", 0, error.start)
        out.problems.append(LogProblem(str(path), line, "not UTF-8 text"))
        return out
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_LINE.search(str(error))
        line = start + int(found.group(1)) - 1 if found and found.group(1) else start
        reason = _TOML_LINE.sub("", str(error)).strip()
        out.problems.append(
            LogProblem(str(path), line, f"unreadable entry ({reason}); torn by a crash?")
        )
        return out
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
            elif table == "move":
                out.moves.extend(_move_from(e) for e in entries)
            elif table in ("suspend", "unsuspend"):
                on = table == "suspend"
                out.suspensions.extend(_suspension_from(e, on) for e in entries)
            elif table == "postpone":
                out.postpones.extend(_postpone_from(e) for e in entries)
            elif table == "away":
                out.aways.extend(_away_from(e) for e in entries)
            else:
                raise ValueError(f"unknown entry '{table}'")
    except (ValueError, TypeError) as error:
        out.problems.append(LogProblem(str(path), start, str(error)))
    return out


def log_files(home: Home) -> list[Path]:
    """The log files that can be read (`unread_logs` names the others)."""
    try:
        return sorted(
            p
            for p in home.log_dir.iterdir()
            if p.suffix == ".toml" and p.is_file() and os.access(p, os.R_OK)
        )
    except FileNotFoundError:
        return []
    except OSError as error:
        raise LogError(f"cannot read {home.log_dir}: {error.strerror}") from None


def unread_logs(home: Home) -> list[LogProblem]:
    """Logs whose reviews cannot be counted: evicted by a cloud drive (iCloud leaves
    `.phone.toml.icloud`), a folder or a broken link where a log should be, or a file
    this user may not read. Every command reports them; none is skipped in silence."""
    found: list[LogProblem] = []
    try:
        entries = sorted(home.log_dir.iterdir())
    except OSError:
        return found
    for path in entries:
        name = path.name
        if name.startswith(".") and name.endswith(".toml.icloud"):
            real = name[1:].removesuffix(".icloud")
            message = (
                "evicted to iCloud (only a placeholder is here): open the folder in Finder "
                "to download it, so its reviews count"
            )
            found.append(LogProblem(str(path.with_name(real)), 0, message))
        elif path.suffix == ".toml" and not path.is_file():
            what = "a broken link" if path.is_symlink() else "not a regular file (a folder?)"
            found.append(LogProblem(str(path), 0, f"is {what}; its reviews cannot be counted"))
        elif path.suffix == ".toml" and not os.access(path, os.R_OK):
            found.append(LogProblem(str(path), 0, "cannot be read (permissions); its reviews "
                                    "cannot be counted"))  # fmt: skip
    return found


def read_history(home: Home, cache: bool = True) -> History:
    """The union of every device's log, ordered by time."""
    return read_history_of(log_files(home), home.cache_dir if cache else None)


def read_history_of(paths: list[Path], cache_dir: Path | None = None) -> History:
    """The union of these log files, each review id once, ordered by time."""
    reviews: list[Review] = []
    undos: list[Undo] = []
    moves: list[Move] = []
    problems: list[LogProblem] = []
    suspensions: list[Suspension] = []
    postpones: dict[str, Postpone] = {}  # each id once, as for reviews
    aways: dict[str, Away] = {}
    for path in paths:
        try:
            one = read_log(path, cache_dir)
        except OSError as error:
            raise LogError(f"cannot read {path}: {error.strerror}") from None
        reviews.extend(one.reviews)
        undos.extend(one.undos)
        moves.extend(one.moves)
        problems.extend(one.problems)
        suspensions.extend(one.suspensions)
        for entry in one.postpones:
            postpones.setdefault(entry.id, entry)
        for gone in one.aways:
            aways.setdefault(gone.id, gone)
    reviews, conflicts = merge(reviews)
    problems += conflict_problems(paths, conflicts)
    reviews.sort(key=lambda r: (r.at, r.id))
    return History(
        reviews=tuple(reviews),
        undos=tuple(undos),
        problems=tuple(problems),
        moves=tuple(moves),
        suspensions=tuple(suspensions),
        postpones=tuple(sorted(postpones.values(), key=lambda p: (p.at, p.id))),
        aways=tuple(sorted(aways.values(), key=lambda a: (a.at, a.id))),
    )


def toml_moment(at: datetime) -> datetime:
    """`at` as TOML can hold it: an offset of whole minutes (kept as it is), else UTC
    (Amsterdam in 1926 was +00:19:32, which TOML has no way to write)."""
    from datetime import UTC

    offset = at.utcoffset()
    if offset is None or offset.total_seconds() % 60:
        return at.astimezone(UTC)
    return at


def review_table(review: Review) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": review.id, "card": review.card}
    if review.title:
        entry["title"] = review.title
    entry["rating"] = review.rating.label
    if review.minutes is not None:
        entry["minutes"] = review.minutes
    entry["at"] = toml_moment(review.at)  # last: a torn write cannot look complete
    return entry


def undo_table(undo: Undo) -> dict[str, Any]:
    return {"review": undo.review, "at": toml_moment(undo.at)}


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Serialise writers of one log file, also across processes: an OS lock on
    `<log>.lock` (POSIX record locks, as fasteners took before; `msvcrt` on Windows),
    waited for up to LOCK_TIMEOUT seconds. The standard library's public calls only."""
    import time

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT
        pause = 0.005
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise LogError(
                    f"{path} is locked by another studyplan for over {LOCK_TIMEOUT:.0f} s; "
                    f"if none is running, delete {path}.lock"
                )
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:  # EAGAIN or EACCES: held by another process
        import errno

        if error.errno in (errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.lockf(fd, fcntl.LOCK_UN)


APPENDED: list[Path] = []
"""The logs this process appended to: once one is, the command's work is done, and an
output that fails afterwards must not look like a failure worth retrying."""


def _reads_back(path: Path, table: str, entry: dict[str, Any], body: bytes) -> None:
    """Refuse to write an entry that the log's own parser would not read as itself."""
    parsed = _parse_chunk(path, path.stem, 1, body)
    if parsed.problems:
        raise LogError(f"{path}: refusing to write an entry that would not read back "
                       f"({parsed.problems[0].message})")  # fmt: skip
    import tomllib

    again = tomllib.loads(body.decode("utf-8")).get(table, [{}])[0]
    if again != entry:
        raise LogError(f"{path}: refusing to write an entry that would read back changed")


def append_read_back(
    path: Path,
    table: str,
    entry: dict[str, Any],
    ident: str,
    kind: Callable[[LogFile], Iterable[Any]],
) -> None:
    """Append an entry with an id under the lock, then read the log back with the
    parser every command uses: a LogError unless an entry of `kind` has that id."""
    with locked(path):
        append(path, table, entry)
        written = kind(read_log(path))
    if ident not in {e.id for e in written}:
        raise LogError(f"{path}: the {table} entry {ident} did not read back; try again")


def append(path: Path, table: str, entry: dict[str, Any]) -> None:
    """Append one entry, fsynced, under the lock. Must be called inside `locked(path)`."""
    import tomli_w

    # Header by hand: tomli-w would write a short entry as an inline array, which a
    # second append could not extend.
    body = f"[[{table}]]\n{tomli_w.dumps(entry)}".encode()
    _reads_back(path, table, entry, body)
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
        end = os.fstat(fd).st_size
        if os.pread(fd, len(payload), end - len(payload)) != payload:
            raise LogError(
                f"{path}: the new entry does not read back as written (another program "
                "writing the file?); run 'studyplan doctor' before logging it again"
            )
    finally:
        os.close(fd)
    APPENDED.append(path)
    if size == 0:
        _fsync_dir(path.parent)


# --- exported files ----------------------------------------------------------------------

EXPORTS_NAME = "exports.toml"


def write_export(home: Home, path: Path, data: bytes, *, force: bool) -> None:
    """Write an exported file atomically. A file that exists is replaced only if studyplan
    wrote it and nobody changed it since (checked by its SHA-256), or with `force`."""
    import hashlib
    import stat
    import tomllib

    import tomli_w

    from studyplan.errors import InputError

    target = path.expanduser().resolve()
    registry_path = home.cache_dir / EXPORTS_NAME
    registry: dict[str, Any] = {}
    # The older place (inside the home) first, so files written before caches moved out
    # of it are still known; a TOML file, data only.
    for place in (home.old_cache_dir / _machine() / EXPORTS_NAME, registry_path):
        try:
            found = tomllib.loads(place.read_text(encoding="utf-8")).get("files", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if isinstance(found, dict):
            registry.update({k: v for k, v in found.items() if isinstance(v, str)})
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise InputError(f"{path} is a folder; give a file name with -o")
    if mode is not None and not stat.S_ISREG(mode):
        raise InputError(
            f"{path} is not a regular file (a pipe, a device or a socket); give a file name "
            "with -o, or leave -o out to print"
        )
    if mode is not None and not force:
        current = hashlib.sha256(target.read_bytes()).hexdigest()
        if registry.get(str(target)) != current:
            raise InputError(
                f"{path} exists and was not written by studyplan (or was edited since); "
                "pass --force to overwrite it"
            )
    atomic_write(target, data)
    registry[str(target)] = hashlib.sha256(data).hexdigest()
    header = "# Files written by 'studyplan plan -o', so they may be replaced later.\n"
    atomic_write(registry_path, (header + tomli_w.dumps({"files": registry})).encode())


# --- repair -----------------------------------------------------------------------------


class Repair(NamedTuple):
    """What `doctor --repair` did to one log file."""

    log: Path
    backup: Path
    moved: tuple[LogProblem, ...]


def repair_log(path: Path, backup_dir: Path, stamp: str) -> Repair | None:
    """Move the entries of `path` that cannot be read into a new backup file and keep
    the rest, byte for byte. Done under the log's lock; the log is replaced atomically,
    through a symbolic link, keeping its permissions."""
    with locked(path):
        data = path.read_bytes()
        keep: list[bytes] = []
        bad: list[tuple[int, bytes, LogProblem]] = []
        for start, _, chunk in _chunks(data):
            problems = _parse_chunk(path, path.stem, start, chunk).problems
            if problems:
                bad.append((start, chunk, LogProblem(str(path), start, problems[0].message)))
            else:
                keep.append(chunk)
        if not bad:
            return None
        lines = [
            f"# Moved aside from {path} by 'studyplan doctor --repair' on {stamp}.\n",
            "# Not read by studyplan. To restore an entry, fix it and append it to a log.\n",
        ]
        body = b"".join(
            f"\n# from line {start}: {problem.message}\n".encode() + chunk.rstrip(b"\n") + b"\n"
            for start, chunk, problem in bad
        )
        backup = write_unique(backup_dir, f"{path.stem}-{stamp}", ".toml.bad",
                              "".join(lines).encode() + body)  # fmt: skip
        kept = b"".join(keep)
        if kept and not kept.endswith(b"\n"):
            kept += b"\n"
        rewrite(path, kept)
        return Repair(path, backup, tuple(problem for _, _, problem in bad))


class Folded(NamedTuple):
    """What `doctor --repair` did with a sync tool's copy of a log."""

    copy: Path
    into: Path
    appended: int  # entries this device's log did not have
    backup: Path


def fold_copy(copy: Path, own: Path, backup_dir: Path, stamp: str, known: History) -> Folded:
    """Append to this device's log (`own`) the entries of a conflict copy that no log
    holds yet (`known`: every other log), then move the copy into a new backup file.
    Entries keep their ids, so folding twice, or on two devices, counts nothing twice."""
    data = copy.read_bytes()
    have_reviews = {r.id for r in known.reviews}
    have_undos = {u.review for u in known.undos}
    have_moves = set(known.moves)
    have_suspensions = set(known.suspensions)
    new: list[tuple[str, dict[str, Any]]] = []
    parts = _parse_log(copy, data, 1)
    entries = LogFile()
    entries.extend(parts[0])
    entries.extend(parts[1])
    for review in entries.reviews:
        if review.id not in have_reviews:
            have_reviews.add(review.id)
            new.append(("review", review_table(review)))
    for undo in entries.undos:
        if undo.review not in have_undos:
            have_undos.add(undo.review)
            new.append(("undo", undo_table(undo)))
    for move in entries.moves:
        if move not in have_moves:
            new.append(("move", move_table(move)))
    for entry in entries.suspensions:
        if entry not in have_suspensions:
            new.append(suspension_table(entry))
    have_aways = {a.id for a in known.aways}
    for gone in entries.aways:
        if gone.id not in have_aways:
            have_aways.add(gone.id)
            new.append(("away", away_table(gone)))
    have_postpones = {p.id for p in known.postpones}
    for later in entries.postpones:
        if later.id not in have_postpones:
            have_postpones.add(later.id)
            new.append(("postpone", postpone_table(later)))
    if new:
        with locked(own):
            for table, fields in new:
                append(own, table, fields)
    header = f"# {copy.name}, folded into {own.name} by 'studyplan doctor --repair' on {stamp}.\n"
    backup = write_unique(backup_dir, f"{copy.stem}-{stamp}", ".toml.folded",
                          header.encode() + data)  # fmt: skip
    copy.unlink()
    _fsync_dir(copy.parent)
    return Folded(copy, own, len(new), backup)
