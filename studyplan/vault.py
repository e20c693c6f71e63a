"""The learner's Obsidian vault: notes, their front matter, link resolution, URIs and the
roadmap's checkboxes. This module reads the vault; the only file it ever writes is the
roadmap (`tick`), one checkbox character at a time.

Link resolution follows Obsidian: `[[Target]]` is the note `Target.md` anywhere in the
vault, case-insensitively; a target with folders must match the end of the path; when
several notes match, the shortest path wins. Note aliases (front matter `aliases:`)
resolve too. Dot-folders (`.obsidian`, `.trash`) are not part of the vault.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

from studyplan.errors import InputError, RoadmapError
from studyplan.graph import EdgeKind, Ref, Resolver, title_resolver
from studyplan.model import Card, Mark, Roadmap

CACHE_VERSION = 3


class Note(NamedTuple):
    """A note of the vault and what its front matter says about studying it."""

    path: str  # relative to the vault root, with forward slashes
    aliases: tuple[str, ...] = ()
    estimate: int | None = None  # minutes
    prerequisites: tuple[str, ...] = ()  # references as written: "[[A]]", "[[B]]@0.5"
    skip: bool = False
    problem: str | None = None  # unreadable front matter, for `doctor`
    prerequisites_line: int = 1  # where `prerequisites:` is written, for messages

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1].removesuffix(".md")


@dataclass(slots=True)
class Vault:
    root: Path
    notes: list[Note]
    _by_name: dict[str, list[Note]] = field(default_factory=dict)
    _by_alias: dict[str, list[Note]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for note in sorted(self.notes, key=lambda n: (len(n.path), n.path.casefold())):
            self._by_name.setdefault(note.name.casefold(), []).append(note)
            for alias in note.aliases:
                self._by_alias.setdefault(alias.casefold(), []).append(note)

    @property
    def name(self) -> str:
        return self.root.name

    def resolve(self, target: str) -> Note | None:
        """The note a link target names, as Obsidian picks it; None if there is none."""
        target = target.strip().replace("\\", "/").removesuffix(".md")
        if not target:
            return None
        wanted = target.casefold()
        candidates = self._by_name.get(wanted.rsplit("/", 1)[-1], [])
        if "/" in wanted:
            candidates = [
                n
                for n in candidates
                if n.path.casefold().removesuffix(".md") == wanted
                or n.path.casefold().removesuffix(".md").endswith("/" + wanted)
            ]
        if candidates:
            return candidates[0]  # sorted: shortest path first
        aliased = self._by_alias.get(wanted, [])
        return aliased[0] if aliased else None

    def path_of(self, note: Note) -> Path:
        return self.root / note.path

    def uri(self, note: Note, anchor: str | None = None) -> str:
        """`obsidian://open?vault=…&file=…`, with the heading or block kept."""
        file = note.path.removesuffix(".md") + (anchor or "")
        return f"obsidian://open?vault={quote(self.name, safe='')}&file={quote(file, safe='')}"


def _front_matter(data: bytes) -> dict[str, Any] | str:
    """The front matter of a note, or a message saying why it cannot be read."""
    import yaml
    from frontmatter.default_handlers import YAMLHandler

    text = data.decode("utf-8", errors="replace").lstrip("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return {}
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            break
    else:
        return "front matter is never closed with '---'"
    try:
        meta = YAMLHandler().load("\n".join(lines[1:end]))
    except yaml.YAMLError as error:
        return f"unreadable front matter: {getattr(error, 'problem', None) or error}"
    from studyplan.roadmap.markdown import shapeless

    problem = shapeless(meta)
    if problem:
        return f"unreadable front matter: {problem}"
    return meta if isinstance(meta, dict) else {}


def _targets(value: Any) -> tuple[str, ...]:
    """References (`[[A]]`, `[[B]]@0.5`, `C`) from `prerequisites: ["[[A]]", "B"]`,
    `"[[A]], [[B]]@0.5"`, or the unquoted `[[A]]` that YAML reads as a list in a list."""
    if value is None or value == "":
        return ()
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            if isinstance(item, list):
                out += [f"[[{inner}]]" for inner in item if inner]
            else:
                out += _targets(item)
        return tuple(out)
    from studyplan.graph import split_refs

    return tuple(split_refs(str(value)))


def read_note(root: Path, relative: str) -> Note:
    try:
        with (root / relative).open("rb") as handle:
            head = handle.read(8)
            data = head + handle.read() if head.lstrip(b"\xef\xbb\xbf").startswith(b"---") else b""
    except OSError as error:
        return Note(relative, problem=f"cannot read: {error.strerror}")
    meta = _front_matter(data) if data else {}
    if isinstance(meta, str):
        return Note(relative, problem=meta)
    aliases = meta.get("aliases") or meta.get("alias") or []
    aliases = [aliases] if isinstance(aliases, str) else aliases
    estimate = meta.get("estimate")
    problem = None
    if estimate is not None and (isinstance(estimate, bool) or not isinstance(estimate, int)):
        problem, estimate = f"'estimate' must be whole minutes, got {estimate!r}", None
    elif estimate is not None and estimate <= 0:
        problem, estimate = f"'estimate' must be more than 0 minutes, got {estimate}", None
    return Note(
        path=relative,
        aliases=tuple(str(a) for a in aliases if a),
        estimate=estimate,
        prerequisites=_targets(meta.get("prerequisites")),
        skip=str(meta.get("studyplan", "")).strip().lower() == "skip",
        problem=problem,
        prerequisites_line=_key_line(data, b"prerequisites"),
    )


def _key_line(data: bytes, key: bytes) -> int:
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.startswith(key):
            return number
    return 1


def _walk(root: Path) -> Iterable[tuple[str, int, int]]:
    """(relative path, size, mtime) of every Markdown note, skipping dot-folders."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.lower().endswith(".md") and not name.startswith("."):
                full = os.path.join(folder, name)
                try:
                    info = os.stat(full)
                except OSError:
                    continue
                if not stat.S_ISREG(info.st_mode):
                    continue  # a pipe or a device named like a note: never opened
                yield (
                    os.path.relpath(full, root).replace(os.sep, "/"),
                    info.st_size,
                    info.st_mtime_ns,
                )


def scan(
    root: Path, cache: dict[str, tuple[int, int, Note]] | None = None
) -> tuple[Vault, dict[str, tuple[int, int, Note]]]:
    """The vault's notes; unchanged notes (same size and mtime) come from `cache`."""
    if not root.is_dir():
        raise InputError(
            f"vault {root} is not a folder; pass --vault DIR or fix 'vault' in the config"
        )
    known = cache or {}
    fresh: dict[str, tuple[int, int, Note]] = {}
    for relative, size, mtime in _walk(root):
        hit = known.get(relative)
        note = hit[2] if hit and hit[0] == size and hit[1] == mtime else read_note(root, relative)
        fresh[relative] = (size, mtime, note)
    return Vault(root, [entry[2] for entry in fresh.values()]), fresh


def find_roadmap(vault: Vault, name: str) -> Path:
    """A roadmap given as a note name (or alias, or path inside the vault)."""
    note = vault.resolve(name)
    if note is None:
        raise RoadmapError(f"no note '{name}' in the vault {vault.root}; check the name")
    return vault.path_of(note)


@dataclass(frozen=True, slots=True)
class Links:
    """What the vault says about the roadmap's cards."""

    notes: dict[str, Note]  # card id → its resolved note
    unresolved: dict[str, str]  # card id → link target with no note yet
    roadmap: Roadmap  # cards refined by their notes' front matter


def refine(roadmap: Roadmap, vault: Vault) -> Links:
    """Resolve every card's note; apply `estimate` and `studyplan: skip`. The notes'
    `prerequisites` become graph references (`refs`), resolved by `resolver`."""
    notes: dict[str, Note] = {}
    unresolved: dict[str, str] = {}
    for card in roadmap.cards:
        if card.note:
            note = vault.resolve(card.note)
            if note is None:
                unresolved[card.id] = card.note
            else:
                notes[card.id] = note
    cards: list[Card] = []
    for card in roadmap.cards:
        note = notes.get(card.id)
        if note is None:
            cards.append(card)
            continue
        cards.append(
            card._replace(
                estimate=note.estimate if note.estimate is not None else card.estimate,
                mark=Mark.SKIPPED if note.skip else card.mark,
            )
        )
    return Links(notes=notes, unresolved=unresolved, roadmap=roadmap._replace(cards=tuple(cards)))


NOTE_WEIGHT = 0.5  # a note's `prerequisites` without an explicit @weight


def note_refs(links: Links, vault: Vault) -> list[Ref]:
    """Each linked note's `prerequisites`, as references from its card."""
    refs: list[Ref] = []
    for card_id, note in links.notes.items():
        origin = f"{vault.root / note.path}:{note.prerequisites_line}"
        # A note's line carries half a session by default: a full good review was a bold
        # claim for a word typed in front matter (`[[A]]@1` says it if it is meant).
        refs += [
            Ref(card_id, text, EdgeKind.REQUIRES, origin, default=NOTE_WEIGHT)
            for text in note.prerequisites
        ]
    return refs


def resolver(links: Links, vault: Vault) -> Resolver:
    """A reference names a note as Obsidian resolves links (then every card pointing at
    it), else a card by id or title."""
    by_note: dict[str, list[str]] = {}
    for card_id, note in links.notes.items():
        by_note.setdefault(note.path, []).append(card_id)
    by_title = title_resolver(links.roadmap)

    def resolve(text: str) -> tuple[str, ...]:
        note = vault.resolve(text)
        found = by_note.get(note.path, []) if note is not None else []
        return tuple(found) or by_title(text)

    return resolve


_BOX = re.compile(r"^(?:[ \t]{0,3}>[ \t]?)*[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[([^\]\n])\]")


@dataclass(frozen=True, slots=True)
class Ticked:
    cards: tuple[Card, ...]
    before: bytes
    after: bytes


def tick(data: bytes, cards: Iterable[Card]) -> Ticked:
    """`data` with the checkboxes of `cards` set to [x]: only those characters change;
    line endings, BOM, front matter and spacing stay byte for byte."""
    # Split as the parser does (CRLF, LF or a lone CR ends a line), keeping each line's
    # own ending, so `card.line` names the same line here as there.
    parts = re.split(rb"(\r\n|\n|\r)", data)
    lines, ends = parts[0::2], [*parts[1::2], b""]
    changed: list[Card] = []
    for card in cards:
        index = card.line - 1
        if index >= len(lines) or card.synthetic:  # a topic made from a group: no box
            continue
        raw = lines[index]
        text = raw.decode("utf-8")
        if index == 0:
            text = text.lstrip("\ufeff")
        match = _BOX.match(text)
        if match is None or match.group(1) in ("x", "X", "-"):
            continue
        start = len(raw) - len(text.encode("utf-8")) + len(text[: match.start(1)].encode("utf-8"))
        width = len(match.group(1).encode("utf-8"))
        lines[index] = raw[:start] + b"x" + raw[start + width :]
        changed.append(card)
    return Ticked(
        tuple(changed), data, b"".join(line + end for line, end in zip(lines, ends, strict=True))
    )


def diff(ticked: Ticked, name: str) -> str:
    """A unified diff of what `tick` would change, for --dry-run."""
    import difflib

    before = ticked.before.decode("utf-8").splitlines(keepends=True)
    after = ticked.after.decode("utf-8").splitlines(keepends=True)
    return "".join(difflib.unified_diff(before, after, f"a/{name}", f"b/{name}"))


def write_roadmap(path: Path, ticked: Ticked) -> None:
    """Replace the roadmap atomically, through a symbolic link and keeping its mode,
    unless it changed on disk since it was read: compared once more right before the
    rename (an edit saved while the new file was being written is never lost)."""
    from studyplan.store import rewrite

    def unchanged() -> None:
        try:
            current = path.read_bytes()
        except OSError as error:
            raise RoadmapError(f"cannot read {path}: {error.strerror}") from None
        if current != ticked.before:
            raise RoadmapError(
                f"{path} changed on disk while syncing (edited in Obsidian?); nothing was "
                "written, run 'studyplan sync' again"
            )

    try:
        rewrite(path, ticked.after, before_replace=unchanged)
    except FileNotFoundError as error:
        raise RoadmapError(f"cannot read {path}: {error.strerror}") from None
