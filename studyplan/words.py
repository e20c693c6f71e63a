"""Counted nouns in output: "1 review", "2 reviews", never "1 reviews". One helper, so
every message agrees."""

from __future__ import annotations

_IRREGULAR = {"entry": "entries"}


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 topic', '3 topics' (`many` for an irregular plural)."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {many or _IRREGULAR.get(word) or word + 's'}"
