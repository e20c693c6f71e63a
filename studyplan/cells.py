"""Text measured in terminal cells: a CJK character or most emoji take two, an escape
sequence none. Columns are aligned by cells, not characters, and a line meant for a
terminal is cut to its width. Pure.

ASCII text is measured by `len`; wcwidth (about 20 ms to import) is loaded only for
the rest.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"

# Escape sequences (CSI, OSC, others), C0 and C1 controls other than tab and newline, and
# the bidirectional overrides that make text read differently from what it holds.
_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|[@-_]?)")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SGR = re.compile(r"\x1b\[[0-9;]*m")


def scrub(text: str) -> str:
    """`text` without escape sequences and control characters: what a roadmap, a note
    or a log holds is shown as text, never acted on by the terminal."""
    if text.isascii() and text.isprintable():
        return text
    return _CONTROL.sub("", _SEQUENCE.sub("", text))


def safe(text: str) -> str:
    """`scrub`, keeping only colour and weight (SGR) sequences, which are ours."""
    if "\x1b" not in text:
        return scrub(text)
    kept: list[str] = []
    last = 0
    for match in _SGR.finditer(text):
        kept += [scrub(text[last : match.start()]), match.group()]
        last = match.end()
    kept.append(scrub(text[last:]))
    return "".join(kept)


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
