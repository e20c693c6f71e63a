"""`studyplan study`: a guided session through today's list.

It shows one topic at a time (what it is, why it is listed, where its note or first
resource is), times the sitting, and takes the rating in one key or one line. Every
rating is logged at once, exactly as `studyplan review` logs it, so quitting (or losing
the terminal) half-way keeps what was done. The terminal, the clock and the way a note is
opened are handed in, so the loop is driven by plain lines in tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from studyplan import clock
from studyplan.app import Study
from studyplan.model import Card, Rating
from studyplan.schedule import Entry
from studyplan.words import plural

KEYS = "1-4 or a/h/g/e rate · o open · s skip · u undo · q quit"


def material(study: Study, card: Card) -> tuple[str, str] | None:
    """Where a card's material is: (what to show, what to open), the note in the vault
    first, else its first resource; None when it has neither."""
    ref = study.notes.get(card.id) if study.vault is not None else None
    if ref is not None and ref.path is not None and ref.uri is not None:
        assert study.vault is not None
        return str(study.vault.root / ref.path), ref.uri
    if card.resources:
        url = card.resources[0].url
        return url, url
    return None


@dataclass
class Answer:
    """One parsed answer: a rating (with minutes, if given), or a command letter."""

    rating: Rating | None = None
    minutes: int | None = None
    command: str | None = None  # "o", "s", "u", "q"


def parse_answer(text: str) -> Answer | None:
    """'g', '3', 'good', 'g 40' (40 minutes), 'o', 's', 'u', 'q'; None if not one."""
    words = text.strip().split()
    if not words:
        return None
    head = words[0].lower()
    if head in ("o", "s", "u", "q", "open", "skip", "undo", "quit"):
        return Answer(command=head[0]) if len(words) == 1 else None
    letters = {"a": Rating.AGAIN, "h": Rating.HARD, "g": Rating.GOOD, "e": Rating.EASY}
    try:
        rating = letters.get(head) or Rating.parse(head)
    except ValueError:
        return None
    if len(words) == 1:
        return Answer(rating=rating)
    if len(words) == 2 and words[1].isdigit() and int(words[1]) <= 24 * 60:
        return Answer(rating=rating, minutes=int(words[1]))
    return None


def _why(entry: Entry, today: date) -> str:
    """As `today` says it: "due since Tue 1 Dec, recall 87%", "covers …", "new …"."""
    if entry.new:
        return entry.why
    due = entry.state.due
    assert due is not None
    if due > today:
        text = f"due {clock.fmt_day(due, today)}"
    elif due == today:
        text = "due today"
    else:
        text = f"due since {clock.fmt_day(due, today)}"
    if entry.state.memory.last == today:
        text += ", just reviewed"
    elif entry.retrievability is not None:
        text += f", recall {entry.retrievability:.0%}"
    if entry.covers or entry.check:
        text += " · " + entry.why
    return text


@dataclass
class Logged:
    """A review logged in this session, and where its topic is in the list."""

    card: Card
    rating: Rating
    minutes: int | None
    index: int


@dataclass
class Session:
    """The loop. `read()` gives the next answer (None: no more input), `write(line)`
    shows a line, `elapsed()` seconds on a monotonic clock (for timing the sittings;
    each review is dated by the study's own now), `ask_minutes(timed)` lets a terminal
    learner correct the timed minutes (None where there is no terminal), `launch(uri)`
    opens a note or link (None: print it only)."""

    make_study: Callable[[], Study]
    read: Callable[[], str | None]
    write: Callable[[str], None]
    elapsed: Callable[[], float]
    ask_minutes: Callable[[int | None], int | None] | None = None
    launch: Callable[[str], None] | None = None
    logged: list[Logged] = field(default_factory=list)
    skipped: int = 0

    def run(self) -> int:
        """Walk today's list; return how many reviews were logged and kept."""
        study = self.make_study()
        q = study.queue()
        entries = [*q.reviews, *q.new]
        if not entries:
            self.write("Nothing left to study today.")
            return 0
        self.write(f"{plural(len(entries), 'topic')} today, about {q.minutes} min. Keys: {KEYS}.")
        index = 0
        while index < len(entries):
            entry = entries[index]
            self._show(study, entry, index, len(entries))
            began = self.elapsed()
            while True:
                text = self.read()
                if text is None:
                    self._summary()
                    return len(self.logged)
                if not text.strip():
                    continue  # Enter alone: still waiting for an answer
                answer = parse_answer(text)
                if answer is None:
                    self.write(f"Type {KEYS}.")
                    continue
                if answer.command == "q":
                    self._summary()
                    return len(self.logged)
                if answer.command == "o":
                    self._open(study, entry.card)
                    continue
                if answer.command == "u":
                    back = self._undo()
                    if back is not None:
                        index = back - 1  # the topic taken back comes round again
                        break
                    continue
                if answer.command == "s":
                    self.skipped += 1
                    self.write(f"Skipped {entry.card.title}.")
                    break
                assert answer.rating is not None
                minutes = answer.minutes
                if minutes is None:
                    timed = round((self.elapsed() - began) / 60)
                    minutes = timed if timed >= 1 else None  # no sitting to speak of
                    if self.ask_minutes is not None:
                        minutes = self.ask_minutes(minutes)
                study = self.make_study()  # fresh: it has folded what was logged before
                recorded = study.record(entry.card, answer.rating, minutes)
                due = recorded.state.due
                self.logged.append(Logged(entry.card, answer.rating, minutes, index))
                spent = f", {minutes} min" if minutes is not None else ""
                nxt = (
                    f" Next: {clock.fmt_day(due, study.today)}, {clock.relative(due, study.today)}."
                    if due is not None
                    else " Done: a resource is studied once."
                )
                self.write(f"Logged {entry.card.title}: {answer.rating.label}{spent}.{nxt}")
                break
            index += 1
            study = self.make_study()
        self._summary()
        return len(self.logged)

    def _show(self, study: Study, entry: Entry, index: int, total: int) -> None:
        card = entry.card
        kind = "new" if entry.new else "review"
        section = f"§{card.section}" if card.section is not None else "§-"
        self.write("")
        self.write(f"[{index + 1}/{total}] {kind} · {section} {card.title}")
        self.write(f"  {card.kind.value}, about {entry.minutes} min · {_why(entry, study.today)}")
        found = material(study, card)
        if found is not None:
            self.write(f"  open      {found[0]}")
        if card.description:
            self.write(f"  about     {card.description}")

    def _open(self, study: Study, card: Card) -> None:
        found = material(study, card)
        if found is None:
            self.write(f"{card.title} links no note and no resource.")
        elif self.launch is None:
            self.write(found[1])
        else:
            self.launch(found[1])
            self.write(f"Opening {found[0]}.")

    def _undo(self) -> int | None:
        """Take back the session's last review; return its topic's place in the list."""
        if not self.logged:
            self.write("Nothing logged in this session to undo.")
            return None
        last = self.logged.pop()
        self.make_study().undo()
        self.write(f"Undid {last.card.title}: {last.rating.label}.")
        return last.index

    def _summary(self) -> None:
        study = self.make_study()
        kept = self.logged
        minutes = sum(item.minutes or 0 for item in kept)
        self.write("")
        head = f"Session: {plural(len(kept), 'topic')} logged, {minutes} min"
        self.write(head + (f", {self.skipped} skipped." if self.skipped else "."))
        for item in kept:
            state = study.state_of(item.card)
            due = state.due
            when = f"back {clock.fmt_day(due, study.today)}" if due is not None else "done"
            self.write(f"  {item.card.title}: {item.rating.label}, {when}")
