"""Card ids: short readable slugs, stable when other items are added, ticked or moved."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

MAX_ID = 60
_NON_WORD = re.compile(r"[\W_]+")


def slugify(text: str) -> str:
    """A readable, stable id fragment: 'Bias-Variance Tradeoff' → 'bias-variance-tradeoff'."""
    if text.isascii():  # nothing to decompose (most titles): the same result, faster
        plain = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    slug = _NON_WORD.sub("-", plain).strip("-")
    return _short(slug) or "item"


def _short(slug: str, limit: int = MAX_ID) -> str:
    """At most `limit` characters, cut at a word."""
    if len(slug) <= limit:
        return slug
    cut = slug[:limit].rsplit("-", 1)[0]
    return (cut if len(cut) >= limit // 2 else slug[:limit]).strip("-")


class Named(Protocol):
    title: str
    section_key: str
    context: str | None  # the parent's title or the subsection
    slug: str
    id: str


def assign(raws: Sequence[Named]) -> None:
    """A title's slug is its id. When several items share a title, every one of them is
    qualified by its section, then by its parent or subsection, then by a counter (each
    within MAX_ID): none keeps the bare slug, so adding a namesake earlier in the file
    never hands an existing card's history to the newcomer (the old id is then an
    orphan, which `doctor` reports with the cards it could belong to)."""
    for raw in raws:
        if not raw.slug:
            raw.slug = slugify(raw.title)
    counts = Counter(raw.slug for raw in raws)
    # Bare slugs of unique titles first: a qualified id never takes one of them.
    taken: set[str] = {raw.slug for raw in raws if counts[raw.slug] == 1}
    for raw in raws:
        if counts[raw.slug] == 1:
            raw.id = raw.slug
            continue
        qualified = _join(raw.slug, raw.section_key)
        candidates = [qualified]
        if raw.context:
            candidates.append(_join(qualified, slugify(raw.context)))
        chosen = next((c for c in candidates if c not in taken), None)
        if chosen is None:
            base, n = _short(candidates[-1], MAX_ID - 4), 2
            while f"{base}-{n}" in taken:
                n += 1
            chosen = f"{base}-{n}"
        raw.id = chosen
        taken.add(chosen)


def _join(slug: str, suffix: str) -> str:
    """slug-suffix within MAX_ID: the slug gives way first, so the qualifier stays."""
    suffix = _short(suffix, MAX_ID // 2)
    return f"{_short(slug, MAX_ID - len(suffix) - 1)}-{suffix}"
