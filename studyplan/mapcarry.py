"""A prerequisite map follows its roadmap into the vault.

A map is found beside its roadmap (`<roadmap>.prerequisites.toml`). Copy the roadmap into
a vault and the map stays behind: the graph loses its links and reviews that credit had
carried fall due at once. `init` carries the map along when the vault's note is a copy
of a roadmap that has one (the bundled roadmap, or the one configured before), and
`doctor` says when a roadmap that looks like such a copy has none.
"""

from __future__ import annotations

from pathlib import Path

from studyplan import store

SAME = 0.9  # share of card ids two roadmaps must share to count as copies of each other


def beside(roadmap: Path) -> Path:
    """Where a roadmap's own map is looked for."""
    return roadmap.with_name(roadmap.stem + ".prerequisites.toml")


def _ids(path: Path) -> set[str]:
    try:
        return {card.id for card in store.read_roadmap(path).cards}
    except Exception:  # an unreadable roadmap is simply not the original
        return set()


def original(note: Path, candidates: list[Path]) -> Path | None:
    """The first candidate roadmap that has a map and that `note` is a copy of (most of
    its card ids are the same: ticked boxes and small edits do not matter)."""
    mine = _ids(note)
    if not mine:
        return None
    for candidate in candidates:
        if _same_file(candidate, note) or not beside(candidate).is_file():
            continue
        theirs = _ids(candidate)
        if theirs and len(mine & theirs) / len(mine | theirs) >= SAME:
            return candidate
    return None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def carry(note: Path, candidates: list[Path]) -> tuple[Path, Path] | None:
    """Copy the map of the roadmap `note` is a copy of beside `note` (never over a file
    that is there): (from, to), or None when there is nothing to carry."""
    target = beside(note)
    if target.exists():
        return None
    source = original(note, candidates)
    if source is None:
        return None
    store.atomic_write(target, store.read_text_file(beside(source), "prerequisite map"))
    return beside(source), target
