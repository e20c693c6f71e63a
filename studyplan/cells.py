"""Text measured in terminal cells: a CJK character or most emoji take two, an escape
sequence none. Columns are aligned by cells, not characters, and a line meant for a
terminal is cut to its width. Pure.

ASCII text is measured by `len`; wcwidth (about 20 ms to import) is loaded only for
the rest.
"""

from __future__ import annotations

ELLIPSIS = "…"


def _plain(text: str) -> bool:
    return text.isascii() and "\x1b" not in text and "\t" not in text


def width(text: str) -> int:
    """How many terminal cells `text` takes (escape sequences take none)."""
    if _plain(text):
        return len(text)
    import wcwidth

    return int(wcwidth.width(text, control_codes="ignore"))


def pad(text: str, cells: int) -> str:
    """`text`, with spaces after it to fill `cells` cells."""
    return text + " " * max(0, cells - width(text))


def clip(text: str, cells: int) -> str:
    """`text` cut to `cells` cells, ending in "…" when cut; styles are closed."""
    if width(text) <= cells:
        return text
    if cells <= 0:
        return ""
    if _plain(text):
        return text[: cells - 1] + ELLIPSIS
    import wcwidth

    cut = wcwidth.clip(text, 0, cells - 1, control_codes="ignore")
    # A wide character split at the edge leaves a fill space: drop it before the mark.
    return cut.rstrip(" ") + ELLIPSIS if cut.endswith(" ") else cut + ELLIPSIS


def column(texts: list[str], limit: int | None) -> int:
    """The width of a column holding `texts`: the widest, but at most `limit` cells."""
    widest = max((width(t) for t in texts), default=0)
    return widest if limit is None else min(widest, limit)
