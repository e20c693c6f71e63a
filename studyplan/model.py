"""The values every other module speaks: roadmap cards, sections and logged reviews.

Immutable records and enums only; no I/O, no clock. The records are NamedTuples rather
than frozen dataclasses: every command defines them at start-up, where a frozen dataclass
costs several times as much to create (its methods are generated and compiled on import),
and a roadmap or snapshot of ten thousand of them loads from the cache faster as tuples.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import NamedTuple


class Kind(StrEnum):
    """A topic card is titled by its own text; a note card only points at a note; a
    resource card is a link to consume (a video, an article, a course): studied once,
    then done, never a spaced review."""

    TOPIC = "topic"
    NOTE = "note"
    RESOURCE = "resource"


class Mark(StrEnum):
    """What the learner wrote between the checkbox brackets."""

    OPEN = "open"  # [ ]
    DONE = "done"  # [x] / [X]: covered before (or outside) studyplan
    SKIPPED = "skipped"  # [-]: chosen not to study; never scheduled, blocks nothing
    OTHER = "other"  # [/], [>], [?] …: not done


class Rating(IntEnum):
    """The four FSRS answers; the log stores their names."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Rating:
        """Accept a name or 1-4; raise ValueError otherwise."""
        value = text.strip().lower()
        if value.isdigit() and 1 <= int(value) <= 4:
            return cls(int(value))
        for rating in cls:
            if rating.label == value:
                return rating
        raise ValueError(f"{text!r} is not a rating")


class Resource(NamedTuple):
    """A link a card's study uses: on the item's own line or a link bullet under it."""

    title: str
    url: str


class Section(NamedTuple):
    """A `##` heading; `number` is None for headings that carry no number."""

    number: int | None
    title: str
    line: int
    heading: str = ""  # the heading text as written, for [[note#heading]] links


class Card(NamedTuple):
    """One checkbox item of the roadmap."""

    id: str
    title: str
    kind: Kind
    section: int | None
    section_title: str
    subsection: str | None
    note: str | None  # wikilink target, without #heading / #^block
    anchor: str | None  # "#Heading" or "#^block" part of the link, if any
    mark: Mark
    mark_char: str
    parent: str | None
    line: int  # 1-based line in the roadmap file
    order: int  # position in document order
    section_heading: str = ""  # the `##` heading as written, for links into the roadmap
    needs: tuple[str, ...] = ()  # `requires::` references as written, resolved by graph.py
    estimate: int | None = None  # total minutes: the note's `estimate`, else the item's "(2h)"
    resources: tuple[Resource, ...] = ()
    description: str | None = None  # the rest of a long or `**Label:** text` item
    section_index: int | None = None  # the section's position among those holding cards
    after: tuple[str, ...] = ()  # ids it waits for besides its parent (a topic: its resources)
    suspended: bool = False  # taken out of review by `studyplan suspend` (the log says so)

    @property
    def synthetic(self) -> bool:
        """Made from a heading or bullet whose items are all resources: no checkbox of its
        own in the file (sync never ticks it)."""
        return not self.mark_char

    @property
    def done(self) -> bool:
        return self.mark is Mark.DONE

    @property
    def skipped(self) -> bool:
        """Never scheduled, blocks nothing: marked [-], or suspended."""
        return self.mark is Mark.SKIPPED or self.suspended


class Roadmap(NamedTuple):
    title: str
    source: str  # file name or path, for messages
    sections: tuple[Section, ...]
    cards: tuple[Card, ...]
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    def by_id(self) -> dict[str, Card]:
        return {card.id: card for card in self.cards}


class Review(NamedTuple):
    """One logged study session. `at` keeps the offset it was recorded with."""

    id: str
    card: str
    rating: Rating
    at: datetime
    minutes: int | None = None
    title: str | None = None  # the card's title when reviewed: readable log, orphan repair
    device: str | None = None  # which log file it came from


class Undo(NamedTuple):
    """An undo entry: the review it names no longer counts, but stays in the log."""

    review: str
    at: datetime


class Suspension(NamedTuple):
    """A `suspend` (`on`) or `unsuspend` entry: the card leaves review for good, or comes
    back. The newest entry for a card wins; `undo` takes one back like a review (entries
    written before they had ids cannot be undone, only reversed)."""

    card: str
    at: datetime
    on: bool
    title: str | None = None
    id: str = ""


def suspended(
    entries: tuple[Suspension, ...] | list[Suspension],
    renamed: dict[str, str],
    now: datetime,
    undone: set[str] | frozenset[str] = frozenset(),
) -> frozenset[str]:
    """The card ids (under their current ids) whose newest entry up to `now` (and not
    undone) suspends."""
    last: dict[str, Suspension] = {}
    for entry in sorted(entries, key=lambda e: e.at):
        if entry.at <= now and not (entry.id and entry.id in undone):
            last[renamed.get(entry.card, entry.card)] = entry
    return frozenset(card for card, entry in last.items() if entry.on)


class Move(NamedTuple):
    """A `rename` entry: reviews logged under `source` belong to the card `target`."""

    source: str
    target: str
    at: datetime


def resolve_moves(moves: tuple[Move, ...] | list[Move]) -> dict[str, str]:
    """Old card id → current id, following chains (a → b → c); a loop stays where it is."""
    direct: dict[str, str] = {}
    for move in sorted(moves, key=lambda m: m.at):
        direct[move.source] = move.target
    final: dict[str, str] = {}
    for source in direct:
        seen = {source}
        current = direct[source]
        while current in direct and current not in seen:
            seen.add(current)
            current = direct[current]
        if current != source:
            final[source] = current
    return final


class LogProblem(NamedTuple):
    """A log entry that could not be read; reported, never dropped silently."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        """`file:line: message`; a problem with a whole file (line 0) has no line."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class Postpone(NamedTuple):
    """A `postpone` entry: the card is not due before `days` days after the study day
    of `at`, unless it is reviewed in the meantime. Undone by `undo`, like a review."""

    id: str
    card: str
    days: int
    at: datetime
    title: str | None = None


class Away(NamedTuple):
    """A planned break (`studyplan away FROM TO`): nothing is planned on its days, both
    included. Cancelled by an undo of its id (`away --cancel ID`, or `undo`)."""

    id: str
    start: date
    end: date
    at: datetime
    note: str | None = None


class History(NamedTuple):
    """Everything read from the review logs."""

    reviews: tuple[Review, ...] = ()
    undos: tuple[Undo, ...] = ()
    problems: tuple[LogProblem, ...] = ()
    moves: tuple[Move, ...] = ()
    suspensions: tuple[Suspension, ...] = ()
    postpones: tuple[Postpone, ...] = ()
    aways: tuple[Away, ...] = ()

    def effective(self) -> tuple[Review, ...]:
        """Reviews that count (not undone), under the card ids they were moved to."""
        undone = {undo.review for undo in self.undos}
        renamed = resolve_moves(self.moves)
        return tuple(
            r._replace(card=renamed[r.card]) if r.card in renamed else r
            for r in self.reviews
            if r.id not in undone
        )


class DayStamp(NamedTuple):
    """A review placed on its local study day (what FSRS intervals count in)."""

    review: Review
    day: date


class Minutes(NamedTuple):
    """Default expected minutes per kind of card."""

    topic: int = 30
    note: int = 15

    def for_kind(self, kind: Kind) -> int:
        return self.note if kind is Kind.NOTE else self.topic


class Policy(NamedTuple):
    """Scheduling settings, all from the config file."""

    desired_retention: float = 0.9
    maximum_interval: int = 365
    fuzz: bool = True
    load_balance: bool = True  # within the fuzz window, the day with the least expected minutes
    balance_short: bool = False  # balancing may move a 1-2 day interval by a day (no fuzz)
    new_per_day: int = 2
    reviews_per_day: int = 20
    gate_stability: float = 0.0  # days; 0 = studied once is enough
    minutes: Minutes = Minutes()
    parameters: tuple[float, ...] | None = None  # None = FSRS defaults
    gate: str = "studied"  # "studied" | "relearning" | "stable"
    gate_recall: float = 0.9  # the "stable" gate: recall a prerequisite must keep
    graph: bool = True  # implicit credit, penalty, remediation and compression
    credit_floor: float = 0.1  # credit along a path weaker than this is dropped
    credit_max_difficulty: float = 7.0  # FSRS difficulty from which a topic gets no credit
    penalty: float = 0.5  # share of an `again`'s effect passed up to dependents
    cover_days: int = 3  # a covering review may be pulled forward this many days
    day_weights: tuple[float, ...] = (1.0,) * 7  # Monday…Sunday share of budget and new topics
    daily_minutes: int | None = None  # the time budget when `--minutes` is not given
    section_gate: str = "numbers"  # "numbers" | "document" | "none": how sections open
    session_minutes: int = 60  # one sitting: a longer estimate is planned as several
    transfer: float | None = None  # credit's scale; None = learned from the audits

    def weight(self, day: date) -> float:
        return self.day_weights[day.weekday()]
