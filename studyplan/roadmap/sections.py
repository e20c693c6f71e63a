"""Section headings and the numbers that put them in study order.

Real roadmaps number their parts in many ways: `1.`, `1)`, `1 -`, `01`, `Day01`, `Phase 1:`,
`Tier 0 -`, `Module 1: Intro` (inside a link), `第3天`. Pure.
"""

from __future__ import annotations

import re

from studyplan.model import Section
from studyplan.roadmap.inline import References, plain

_WORDS = (
    "phase|tier|stage|level|module|unit|chapter|part|step|week|day|lesson|section|lecture"
    "|session|sprint|milestone|class|topic"
)
_ROMAN = r"(?P<roman>[ivx]{1,5})"
_NUMBERED = re.compile(
    rf"^(?:(?:{_WORDS})s?[ \t#]*(?:(?P<w>\d{{1,3}})|{_ROMAN}\b)|(?P<n>\d{{1,3}})(?![\d.,]*\d)|"
    r"第\s*(?P<cjk>\d{1,3})\s*[天章课节周部篇讲])"
    rf"(?:[ \t]*[~\-–—][ \t]*(?:(?:{_WORDS})[ \t]*)?\d{{1,3}}(?=\D|$))?"
    r"(?P<sep>[ \t]*[.):：\-–—~|]+[ \t]*|[ \t]+|$)(?P<rest>.*)$",
    re.IGNORECASE,
)
_ROMANS = {"i": 1, "v": 5, "x": 10}


def _roman(text: str) -> int | None:
    total, previous = 0, 0
    for char in reversed(text.lower()):
        value = _ROMANS[char]
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total or None


def heading_number(text: str) -> tuple[int | None, str]:
    """'📚 1. Prerequisites & Fundamentals' → (1, 'Prerequisites & Fundamentals');
    'Tier 0 - prep' → (0, 'prep'); 'Overview' → (None, 'Overview')."""
    match = _NUMBERED.match(text)
    if not match:
        return None, text
    raw = match.group("w") or match.group("n") or match.group("cjk")
    number = int(raw) if raw is not None else _roman(match.group("roman") or "")
    if number is None:
        return None, text
    if match.group("n") is not None and not match.group("sep").strip() and not match.group("rest"):
        return number, text  # a bare "2024"-like word is not caught; "42" alone is its title
    return number, match.group("rest").strip() or text


def parse_section_heading(heading: str, line: int, env: References | None = None) -> Section:
    """A heading as written → its number (if any) and its title without markup."""
    return section_of(plain(heading, env), heading, line)


def section_of(shown: str, heading: str, line: int) -> Section:
    """The section a heading makes, from the words it shows (`plain`)."""
    number, title = heading_number(shown)
    return Section(
        number=number, title=title or shown or heading.strip(), line=line, heading=heading
    )
