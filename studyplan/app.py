"""Use cases: load what a command needs through the adapters, ask the core, return values.

The CLI formats what this returns; tests can drive it directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from studyplan import clock, memory, schedule, store
from studyplan.config import Config
from studyplan.errors import InputError, LogError, StudyplanError, TopicError
from studyplan.model import (
    Away,
    Card,
    DayStamp,
    History,
    Policy,
    Postpone,
    Rating,
    Review,
    Roadmap,
    Suspension,
    Undo,
)
from studyplan.words import plural

if TYPE_CHECKING:
    from studyplan.export import Meta, NoteRef
    from studyplan.graph import Graph
    from studyplan.ledger import Standing
    from studyplan.optimize import Fit, RetentionRow
    from studyplan.plan import Pace, Plan
    from studyplan.progress import ForecastDay, Progress
    from studyplan.store import Repair
    from studyplan.vault import Links, Ticked, Vault


class Check(NamedTuple):
    """One line of `doctor`: ok, a note, or a problem with how to fix it."""

    level: str  # "ok" | "note" | "problem"
    subject: str
    message: str


MAX_MINUTES = 24 * 60 * 7  # a week: more is a typo, not a study session or a budget


def _check_minutes(minutes: int | None) -> None:
    if minutes is not None and minutes < 0:
        raise InputError(f"--minutes must be ≥ 0, got {minutes}")
    if minutes is not None and minutes > MAX_MINUTES:
        raise InputError(f"--minutes must be at most {MAX_MINUTES} (a week), got {minutes}")


def _namesakes(orphans: dict[str, int], roadmap: Roadmap) -> list[Check]:
    """An orphan id that is the bare slug of a title several cards now share: its
    history stays put until the learner says which card it is."""
    from studyplan.roadmap.ids import slugify

    by_slug: dict[str, list[Card]] = {}
    for card in roadmap.cards:
        by_slug.setdefault(slugify(card.title), []).append(card)
    found = []
    for orphan, count in sorted(orphans.items()):
        cards = by_slug.get(orphan, [])
        if len(cards) > 1:
            names = ", ".join(f"{c.id} (§{c.section})" if c.section else c.id for c in cards)
            found.append(
                Check(
                    "note",
                    "orphans",
                    f"'{orphan}' ({count} reviews) is now the title of {len(cards)} cards: "
                    f"{names}; its history waits for 'studyplan rename {orphan} ID' "
                    "to say which one",
                )
            )
    return found


class Repaired(NamedTuple):
    """What `doctor --repair` did: this device's log repaired, copies folded, and other
    devices' damaged logs left for those devices to repair."""

    repaired: tuple[Repair, ...]
    folded: tuple[store.Folded, ...]
    elsewhere: tuple[tuple[Path, int], ...]  # (log, unreadable entries)


class Recorded(NamedTuple):
    state: memory.CardState
    rippled: tuple[Card, ...]  # other cards whose memory the review changed (graph)
    gains: tuple[float, ...] = ()  # each rippled card's change of stability, in days


@dataclass
class Study:
    """One invocation's view of the learner's data, loaded lazily."""

    home: Path
    roadmap_override: Path | None = None
    vault_override: Path | None = None
    now_text: str | None = None
    warnings: list[str] = field(default_factory=list)
    chosen: str | None = None  # how `find` chose among namesakes, for the output
    ticks_checked: bool = False  # plan notes' ticked boxes looked for (once a command)

    @cached_property
    def paths(self) -> store.Home:
        """Where this home keeps its files."""
        return store.Home(self.home)

    @cached_property
    def config(self) -> Config:
        return store.load_config(self.paths)

    @cached_property
    def policy(self) -> Policy:
        return self.config.policy()

    @cached_property
    def now(self) -> datetime:
        if self.now_text is not None:
            return clock.parse_moment(self.now_text, self.config.timezone)
        return clock.now(self.config.timezone)

    @cached_property
    def today(self) -> date:
        return clock.study_day(self.now, self.config.day_start_hour)

    @cached_property
    def vault_root(self) -> Path | None:
        if self.vault_override is not None:
            return self.vault_override.expanduser()
        if self.config.vault:
            return self.home / Path(self.config.vault).expanduser()
        return None

    @cached_property
    def vault(self) -> Vault | None:
        """The vault's notes (front matter re-read only for notes that changed)."""
        if self.vault_root is None:
            return None
        from studyplan.vault import CACHE_VERSION, scan

        cache_path = self.paths.cache_dir / "vault.pickle"
        cached = store.load_cache(cache_path)
        known = cached[1] if isinstance(cached, tuple) and cached[0] == CACHE_VERSION else None
        found, index = scan(self.vault_root, known)
        if index != known:
            store.save_cache(cache_path, (CACHE_VERSION, index))
        return found

    @cached_property
    def roadmap_path(self) -> Path:
        """--roadmap, else the config's, else the bundled one. With a vault, a name that is
        not a file is looked up as a note (by name or alias)."""
        given = self.roadmap_override
        if given is None and self.config.roadmap:
            given = self.home / Path(self.config.roadmap).expanduser()
            if not given.exists() and self.vault is not None:
                given = Path(self.config.roadmap)
        if given is None:
            return store.bundled_roadmap()
        if given.exists() or self.vault is None:
            return given
        from studyplan.vault import find_roadmap

        return find_roadmap(self.vault, str(given))

    @cached_property
    def raw_roadmap(self) -> Roadmap:
        return store.read_roadmap(self.roadmap_path, self.paths.cache_dir)

    @cached_property
    def links(self) -> Links | None:
        """The cards' notes in the vault, if there is one."""
        if self.vault is None:
            return None
        from studyplan.vault import refine

        return refine(self.raw_roadmap, self.vault)

    @cached_property
    def listed(self) -> Roadmap:
        """The roadmap, refined by its notes' front matter when there is a vault; with
        `resources = "review"`, resource cards come back like topics. What the graph is
        built from (the log is not read yet)."""
        found = self.links.roadmap if self.links is not None else self.raw_roadmap
        if self.config.resources == "review":
            from studyplan.model import Kind

            cards = tuple(
                c._replace(kind=Kind.TOPIC) if c.kind is Kind.RESOURCE else c for c in found.cards
            )
            found = found._replace(cards=cards)
        return found

    @cached_property
    def roadmap(self) -> Roadmap:
        """`listed`, with the cards the log suspends taken out of review."""
        found = self.listed
        out = self.standing.suspended
        if out:
            cards = tuple(c._replace(suspended=True) if c.id in out else c for c in found.cards)
            found = found._replace(cards=cards)
        return found

    @cached_property
    def map_path(self) -> Path | None:
        """The prerequisite map: the config's, else `<roadmap>.prerequisites.toml` beside
        the roadmap (the bundled roadmap has one), else none."""
        if self.config.prerequisite_map:
            return self.home / Path(self.config.prerequisite_map).expanduser()
        beside = self.roadmap_path.with_name(self.roadmap_path.stem + ".prerequisites.toml")
        return beside if beside.exists() else None

    @cached_property
    def graph(self) -> Graph:
        """Nesting, `requires::` fields, the map and the notes' `prerequisites`. Its
        problems (unknown topics, cycles: left out, never looped on) are listed by
        `graph` and `doctor`."""
        from studyplan import graph

        refs: list[graph.Ref] = []
        problems: list[str] = []
        if self.map_path is not None:
            where = str(self.map_path)
            refs, problems = store.read_map_parsed(
                self.map_path, self.paths.cache_dir, lambda text: graph.map_refs(text, where)
            )
        resolve = None
        if self.links is not None and self.vault is not None:
            from studyplan.vault import note_refs, resolver

            refs += note_refs(self.links, self.vault)
            resolve = resolver(self.links, self.vault)
        built = graph.build(self.listed, refs, resolve)
        if problems:
            built = graph.Graph(built.edges, (*problems, *built.problems))
        return built

    @cached_property
    def notes(self) -> dict[str, NoteRef]:
        """Every linked card's note (empty without a vault)."""
        if self.links is None:
            return {}
        refs = {card.id: self.note_of(card) for card in self.roadmap.cards}
        return {card_id: ref for card_id, ref in refs.items() if ref is not None}

    def note_of(self, card: Card) -> NoteRef | None:
        """Where the card's note is, for display; None without a vault or a link."""
        from studyplan.export import NoteRef

        if self.links is None or self.vault is None or not card.note:
            return None
        note = self.links.notes.get(card.id)
        if note is None:
            return NoteRef(path=None, uri=None)
        return NoteRef(path=note.path, uri=self.vault.uri(note, card.anchor))

    @cached_property
    def device(self) -> str:
        """Whose log this machine writes: STUDYPLAN_DEVICE, else the config's `device`
        (only for homes that are not synced), else the local device id."""
        given = os.environ.get("STUDYPLAN_DEVICE", "").strip()
        if given:
            from studyplan.config import CHECKS

            try:
                return str(CHECKS["device"](given))
            except ValueError as error:
                raise InputError(f"STUDYPLAN_DEVICE {given!r} {error}") from None
        return self.config.device or store.local_device()

    @cached_property
    def standing(self) -> Standing:
        """Every card's memory as of now (snapshot plus the logs' tails)."""
        from studyplan.ledger import standing

        result = standing(
            self.paths, self.policy, self.config.day_start_hour, self.now, self.graph, self.device
        )
        for problem in result.problems:
            if problem.line:
                self.warnings.append(
                    f"{problem} — this entry is not counted; 'studyplan doctor' explains"
                )
            else:
                self.warnings.append(f"{problem} ('studyplan doctor' explains)")
        return result

    def calibration(self, *, frozen: bool = False) -> memory.Calibration:
        """A copy of the transfer learned from the audits so far (frozen: for plans,
        whose simulated reviews are not evidence)."""
        found = self.standing.calibration or memory.Calibration()
        return found.copy(frozen=frozen)

    @cached_property
    def states(self) -> dict[str, memory.CardState]:
        return memory.states(self.roadmap, self.standing.memories)

    @cached_property
    def history(self) -> History:
        """Every log entry (slower than `standing`: for history views, undo and doctor)."""
        return store.read_history(self.paths)

    def stamps_of(self, card: Card) -> list[DayStamp]:
        """One card's counted reviews up to now, in order, each on its study day."""
        return memory.order(self.all_stamps(card.id))

    @cached_property
    def scheduler(self) -> memory.Fsrs:
        return memory.Fsrs(self.policy)

    def queue(self, budget: int | None = None, more: int = 0) -> schedule.Queue:
        """Today's list; `more` new topics beyond today's limit (`today --more N`)."""
        _check_minutes(budget)
        return schedule.queue(
            self.roadmap,
            self.states,
            self.today,
            self.policy,
            budget,
            graph=self.graph,
            calibration=self.calibration(frozen=True),
            spent=self.spent_today,
            away=self.away_days,
            more=more,
        )

    @cached_property
    def away_days(self) -> frozenset[date]:
        """Every day of the planned breaks (`studyplan away`) not cancelled."""
        days: set[date] = set()
        for entry in self.standing.aways:
            span = (entry.end - entry.start).days
            days.update(entry.start + timedelta(days=n) for n in range(span + 1))
        return frozenset(days)

    @property
    def spent_today(self) -> int:
        """Minutes logged on the current study day (sessions logged without minutes
        count nothing)."""
        return self.standing.activity.get(self.today, (0, 0))[1]

    def plan(
        self,
        days: int,
        start: date | None = None,
        assume: Rating = Rating.GOOD,
        budget: int | None = None,
        new_per_day: int | None = None,
    ) -> Plan:
        """The coming days as `today` would list them (at `new_per_day` new topics, if
        given: a goal's pace); never touches the log."""

        from studyplan.plan import simulate

        _check_minutes(budget)
        if start is not None and start < self.today:
            raise InputError(
                f"--start {start.isoformat()} is before today ({self.today.isoformat()}); "
                "use --now to plan from an earlier moment"
            )
        return simulate(
            self.roadmap,
            self.states,
            self.policy if new_per_day is None else self.policy._replace(new_per_day=new_per_day),
            self.today,
            days,
            start=start,
            assume=assume,
            budget=budget,
            graph=self.graph,
            calibration=self.calibration(frozen=True),
            spent=self.spent_today,
            away=self.away_days,
        )

    def pace(self, by: date, assume: Rating = Rating.GOOD, budget: int | None = None) -> Pace:
        """Whether every remaining topic can be introduced by `by`, and at what pace."""
        from studyplan.plan import pace

        if by < self.today:
            raise InputError(
                f"--by {by.isoformat()} is before today ({self.today.isoformat()}); "
                "give a goal date from today on"
            )
        _check_minutes(budget)
        return pace(
            self.roadmap,
            self.states,
            self.policy,
            self.today,
            by,
            assume=assume,
            budget=budget,
            graph=self.graph,
            calibration=self.calibration(frozen=True),
        )

    @property
    def parameters_label(self) -> str:
        """Which FSRS parameters schedule the cards, for `show` and `progress`."""
        if self.config.parameters:
            return f"fitted to your reviews (parameters in {self.paths.config_path.name})"
        return "FSRS-6 defaults (run 'studyplan optimize' once you have a few weeks of reviews)"

    def progress(self) -> Progress:
        from studyplan import progress

        return progress.build(
            self.roadmap,
            self.states,
            self.standing.activity,
            self.today,
            self.policy,
            self.scheduler,
            self.graph,
        )

    def forecast(self, days: int) -> tuple[ForecastDay, ...]:
        from studyplan import progress

        return progress.forecast(self.roadmap, self.states, self.today, days, self.policy)

    def all_stamps(self, card_id: str | None = None) -> list[DayStamp]:
        """Every counted review up to now (of one card, if given), on its study day."""
        hour = self.config.day_start_hour
        return [
            DayStamp(review, clock.study_day(review.at, hour))
            for review in self.history.effective()
            if review.at <= self.now and card_id in (None, review.card)
        ]

    def optimize(self, *, write: bool = True) -> tuple[Fit, bool]:
        """Fit FSRS to the log; keep the fit in the config only if it predicts better.
        Returns the fit and whether the config was changed."""

        from studyplan import optimize

        fitted = optimize.fit(self.all_stamps())
        if not (write and fitted.better):
            return fitted, False
        updated = self.config._replace(parameters=fitted.parameters)
        try:
            memory.Fsrs(updated.policy())  # py-fsrs checks the bounds
        except ValueError as error:
            raise StudyplanError(f"the fitted parameters were not accepted: {error}") from None
        store.save_config(self.paths, updated)
        return fitted, True

    def retention_table(self) -> tuple[RetentionRow, ...]:
        from studyplan import optimize

        return optimize.retention_table(
            self.roadmap, self.all_stamps(), self.policy, self.config.parameters
        )

    def export_meta(self) -> Meta:
        from datetime import time

        from studyplan.export import Meta

        start = self.config.study_start
        return Meta(
            roadmap=self.roadmap,
            generated=self.now,
            zone=clock.zone_name(self.config.timezone),
            study_start=time.fromisoformat(start) if start else None,
            notes=self.notes,
        )

    def find(self, topic: str, *, prefer_today: bool = False) -> Card:
        """The one card a TOPIC names, or a TopicError listing candidates. With
        `prefer_today`, a name that matches several cards of which exactly one is on
        today's list means that one (`self.chosen` then says so)."""
        match = schedule.find(self.roadmap.cards, topic)
        if len(match.cards) == 1:
            return match.cards[0]
        if match.cards and prefer_today:
            q = self.queue()
            listed = {e.card.id for e in (*q.reviews, *q.new)}
            on_list = [c for c in match.cards if c.id in listed]
            if len(on_list) == 1:
                self.chosen = (
                    f"'{topic}' matches {len(match.cards)} topics; "
                    f"took {on_list[0].title}, the one on today's list"
                )
                return on_list[0]
        if match.cards:
            shown = ", ".join(f"{c.id} ({c.title})" for c in match.cards[:8])
            more = f" and {len(match.cards) - 8} more" if len(match.cards) > 8 else ""
            raise TopicError(
                f"'{topic}' matches {len(match.cards)} topics: {shown}{more}; "
                "give more of the title or the id"
            )
        hint = (
            "did you mean " + " or ".join(f"'{c.title}'" for c in match.suggestions) + "?"
            if match.suggestions
            else "'studyplan topics' lists them"
        )
        raise TopicError(f"no topic matches '{topic}' in {self.roadmap_path.name}; {hint}")

    def state_of(self, card: Card) -> memory.CardState:
        """One card's state, without building every card's (cheaper for `review`)."""
        return memory.state(card, self.standing.memories.get(card.id, memory.EMPTY))

    @cached_property
    def gate(self) -> schedule.Gate:
        return schedule.Gate.build(self.states, self.policy, self.today, self.scheduler, self.graph)

    def blockers(self, card: Card) -> tuple[schedule.Blocker, ...]:
        return self.gate.blockers(self.states[card.id])

    def moment(self, text: str, option: str) -> datetime:
        """A moment typed by the learner, which may not lie beyond the current study day."""
        iso = clock.relative_moment(text, self.today)
        moment = clock.parse_moment(iso or text, self.config.timezone, option)
        if clock.study_day(moment, self.config.day_start_hour) > self.today:
            raise InputError(
                f"{option} {text} is after the current study day ({self.today.isoformat()}); "
                "only sessions that happened can be logged"
            )
        return moment

    def record(
        self, card: Card, rating: Rating, minutes: int | None, at: datetime | None = None
    ) -> Recorded:
        """Append a review (made now, or at `at`); return the card's new state and the
        cards the review changed through the graph."""
        _check_minutes(minutes)
        review = Review(
            id=os.urandom(6).hex(),
            card=card.id,
            rating=rating,
            at=at or self.now,
            minutes=minutes,
            title=card.title,
            device=self.device,
        )
        path = self.paths.log_path(self.device)
        with store.locked(path):
            store.append(path, "review", store.review_table(review))
        stamp = DayStamp(review, clock.study_day(review.at, self.config.day_start_hour))
        memories = dict(self.standing.memories)
        try:
            memories = memory.fold(
                [stamp], self.policy, memories, self.scheduler, self.graph, self.calibration()
            )
        except ValueError:
            # Not the newest review (back-dated, or another process logged one in the
            # meantime): replay from the log, which now holds this review too. Only this
            # card's reviews matter unless the graph carries credit between cards.
            rippling = self.policy.graph and bool(self.graph.edges)
            stamps = [
                s
                for s in self.all_stamps(None if rippling else card.id)
                if s.review.id != review.id
            ]
            memories = memory.fold(
                [*stamps, stamp],
                self.policy,
                None if rippling else {},
                self.scheduler,
                self.graph,
                memory.Calibration(),  # from the first review on, as a full fold does
            )
            if not rippling:
                memories = {**self.standing.memories, card.id: memories[card.id]}
        before = self.standing.memories
        rippled = tuple(
            other
            for other in self.roadmap.cards
            if other.id != card.id
            and (after := memories.get(other.id)) is not (was := before.get(other.id))
            and after != was
        )
        gains = tuple(
            (memories[c.id].stability or 0.0) - (before[c.id].stability or 0.0)
            if c.id in before
            else 0.0
            for c in rippled
        )
        return Recorded(memory.state(card, memories[card.id]), rippled, gains)

    def recent(self, days: int) -> list[Review]:
        """Counted reviews of every device on the last `days` study days up to now,
        oldest first."""
        hour = self.config.day_start_hour
        first = self.today - timedelta(days=days - 1)
        found = [
            r
            for r in self.history.effective()
            if r.at <= self.now and clock.study_day(r.at, hour) >= first
        ]
        return sorted(found, key=lambda r: (r.at, r.id))

    def undo(self, *, dry_run: bool = False) -> Review | Postpone | Suspension | Away:
        """Mark this device's last counted review, postpone or (un)suspension (the one
        written last) as undone (an appended entry); with `dry_run`, only say which one
        that would be."""
        path = self.paths.log_path(self.device)
        with store.locked(path):
            history = self.history
            undone = {u.review for u in history.undos}
            own = store.read_log(path) if path.exists() else store.LogFile()
            entries: list[Review | Postpone | Suspension | Away] = [
                *(r for r in own.reviews if r.id not in undone),
                *(p for p in own.postpones if p.id not in undone),
                *(s for s in own.suspensions if s.id and s.id not in undone),
                *(a for a in own.aways if a.id not in undone),
            ]
            if not entries:
                raise LogError(f"nothing to undo: {path} has no counted review")
            # Whichever was written last: back-dated reviews make `at` no guide.
            text = path.read_bytes()
            last = max(entries, key=lambda e: text.rfind(f'id = "{e.id}"'.encode()))
            if not dry_run:
                store.append(path, "undo", store.undo_table(Undo(review=last.id, at=self.now)))
        return last

    def sync_ticks(self, *, mature_only: bool) -> tuple[Path, Ticked]:
        """The roadmap with [x] for every studied card (or only mature ones); unticks
        nothing. Returns the path and the change, not yet written."""
        from studyplan.progress import MATURE_DAYS
        from studyplan.vault import tick

        path = self.roadmap_path
        if path == store.bundled_roadmap():
            raise InputError(
                "the bundled roadmap is not yours to tick; point --roadmap (or 'studyplan "
                "init') at your own copy"
            )
        data = path.read_bytes()
        raw = store.read_roadmap(path)
        memories = self.standing.memories
        chosen = [
            card
            for card in raw.cards
            if card.id in memories
            and memories[card.id].reviewed > 0
            and (not mature_only or memory.earned(memories[card.id]) >= MATURE_DAYS)
        ]
        return path, tick(data, chosen)

    def rename(self, old: str, new: str) -> tuple[Card, int, bool]:
        """Re-attach the reviews (and a suspension) logged under the id `old` to the card
        `new`; returns the card, the reviews moved and whether a suspension came along."""
        from studyplan.model import Move, resolve_moves, suspended

        card = self.find(new)
        if card.id == old:
            raise InputError(f"'{old}' is already that card's id; nothing to move")
        if old in self.roadmap.by_id():
            raise InputError(
                f"'{old}' is still a card of the roadmap ({self.roadmap.by_id()[old].title}); "
                "moving its reviews would make its later sessions count for another card. "
                "Rename or remove that item first"
            )
        count = sum(1 for r in self.history.effective() if r.card == old)
        renamed = resolve_moves(self.history.moves)
        undone = {u.review for u in self.history.undos}
        held = old in suspended(self.history.suspensions, renamed, self.now, undone)
        if not count and not held:
            raise InputError(
                f"no reviews are logged under '{old}'; 'studyplan doctor' lists the ids "
                "whose cards left the roadmap"
            )
        path = self.paths.log_path(self.device)
        with store.locked(path):
            store.append(path, "move", store.move_table(Move(old, card.id, self.now)))
        return card, count, held

    def repair(self) -> Repaired:
        """Move this device's unreadable log entries aside into new backup files, and fold
        sync tools' copies of logs into this device's log. Other devices' logs are never
        written (one writer per file): their damage is only reported."""
        from studyplan.merge import copy_of

        stamp = self.now.strftime("%Y%m%dT%H%M%S")
        backup = self.paths.root / "backup"
        own = self.paths.log_path(self.device)
        files = store.log_files(self.paths)
        copies = [p for p in files if copy_of(p.stem) is not None]
        repaired: list[Repair] = []
        folded: list[store.Folded] = []
        elsewhere: list[tuple[Path, int]] = []
        if own in files:
            done = store.repair_log(own, backup, stamp)
            if done is not None:
                repaired.append(done)
        for path in copies:
            others = [p for p in store.log_files(self.paths) if p != path]
            known = store.read_history_of(others)
            folded.append(store.fold_copy(path, own, backup, stamp, known))
        for path in files:
            if path == own or path in copies:
                continue
            problems = store.read_log(path).problems
            if problems:
                elsewhere.append((path, len(problems)))
        return Repaired(tuple(repaired), tuple(folded), tuple(elsewhere))

    def doctor(self, *, everything: bool = False) -> list[Check]:
        """Check config, roadmap and logs; never raises for what it can report. Long
        lists are cut to ten names unless `everything`."""
        limit = None if everything else 10
        checks: list[Check] = []
        try:
            _ = self.config
            checks.append(Check("ok", "config", str(self.paths.config_path)))
        except StudyplanError as error:
            checks.append(Check("problem", "config", f"{error}; fix the file or delete it"))
            return checks
        try:
            roadmap = self.listed
            numbered = sum(1 for s in roadmap.sections if s.number is not None)
            checks.append(
                Check(
                    "ok",
                    "roadmap",
                    f"{self.roadmap_path} ({len(roadmap.cards)} cards, "
                    f"{numbered} numbered sections)",
                )
            )
        except StudyplanError as error:
            checks.append(Check("problem", "roadmap", str(error)))
            roadmap = None
        if roadmap is not None and self.map_path is None:
            from studyplan import mapcarry

            source = mapcarry.original(self.roadmap_path, [store.bundled_roadmap()])
            if source is not None:
                checks.append(
                    Check(
                        "note",
                        "map",
                        f"{self.roadmap_path.name} is a copy of {source.name}, whose "
                        f"prerequisite map is not beside it: copy {mapcarry.beside(source)} to "
                        f"{mapcarry.beside(self.roadmap_path)} (or set prerequisite_map)",
                    )
                )
        try:
            history = store.read_history(self.paths, cache=False)
        except StudyplanError as error:
            checks.append(Check("problem", "log", str(error)))
            return checks
        files = store.log_files(self.paths)
        counted = len(history.effective())
        checks.append(
            Check(
                "ok" if not history.problems else "problem",
                "log",
                f"{plural(len(files), 'file')} in {self.paths.log_dir}, "
                f"{plural(counted, 'review')} counted, "
                f"{len(history.undos)} undone",
            )
        )
        from studyplan.merge import copy_of

        for path in files:
            base = copy_of(path.stem)
            if base is not None:
                checks.append(
                    Check(
                        "note",
                        "log",
                        f"{path.name} is a sync tool's copy of {base}'s log: its reviews are "
                        "merged, each counted once; 'studyplan doctor --repair' folds it into "
                        f"{self.paths.log_path(self.device).name} and moves it aside",
                    )
                )
        from studyplan.ledger import ahead_problems

        ahead = ahead_problems(history.effective(), self.now, self.device)
        for problem in (*store.unread_logs(self.paths), *ahead):
            checks.append(Check("problem", "log", str(problem)))
        for problem in history.problems:
            fix = (
                "delete the entry you did not mean (keep a copy of the file first)"
                if "different content" in problem.message
                else "complete or delete it by hand (keep a copy of the file first)"
            )
            checks.append(
                Check("problem", "log", f"{problem}; this entry is not counted. Fix: {fix}")
            )
        files, broken = store.cache_files(self.paths)
        note = f"; {len(broken)} unreadable, rebuilt when next needed" if broken else ""
        checks.append(
            Check(
                "note" if broken else "ok",
                "cache",
                f"{len(files)} files in {self.paths.cache_dir} (derived data, safe to delete)"
                + note,
            )
        )
        if self.paths.old_cache_dir.is_dir():
            checks.append(
                Check(
                    "note",
                    "cache",
                    f"{self.paths.old_cache_dir} holds caches of an older studyplan; they are "
                    "never read now (caches live outside the home): safe to delete",
                )
            )
        if self.vault_root is not None:
            checks += self._vault_checks(limit)
        if roadmap is not None:
            checks += self._graph_checks()
        if roadmap is not None:
            known = {card.id for card in roadmap.cards}
            orphans: dict[str, int] = {}
            for review in history.effective():
                if review.card not in known:
                    orphans[review.card] = orphans.get(review.card, 0) + 1
            if orphans:
                listed = ", ".join(f"{k} ({v})" for k, v in sorted(orphans.items())[:limit])
                if limit is not None and len(orphans) > limit:
                    listed += f" and {len(orphans) - limit} more ('doctor --all' lists them)"
                checks.append(
                    Check(
                        "note",
                        "orphans",
                        f"{plural(sum(orphans.values()), 'review')} of "
                        f"{plural(len(orphans), 'id')} not in the "
                        f"roadmap: {listed}; renamed or deleted items keep their history "
                        "('studyplan rename OLD NEW' moves it to a card)",
                    )
                )
                checks += _namesakes(orphans, roadmap)
        return checks

    def _graph_checks(self) -> list[Check]:
        try:
            graph = self.graph
        except StudyplanError as error:
            return [Check("problem", "graph", str(error))]
        if not graph.edges and not graph.problems and self.map_path is None:
            return []
        where = f" (map: {self.map_path})" if self.map_path is not None else ""
        checks = [Check("ok", "graph", f"{len(graph.edges)} prerequisite and part links{where}")]
        for problem in graph.problems:
            subject = "cycle" if "prerequisite cycle" in problem else "graph"
            checks.append(Check("problem", subject, problem))
        return checks

    def _vault_checks(self, limit: int | None = 10) -> list[Check]:
        try:
            vault, links = self.vault, self.links
        except StudyplanError as error:
            return [Check("problem", "vault", str(error))]
        if vault is None or links is None:
            return []
        checks = [Check("ok", "vault", f"{vault.root} ({len(vault.notes)} notes)")]
        for note in vault.notes:
            if note.problem:
                checks.append(Check("problem", "note", f"{vault.root / note.path}: {note.problem}"))
        if links.unresolved:
            targets = sorted(set(links.unresolved.values()), key=str.casefold)
            shown = ", ".join(f"[[{t}]]" for t in targets[:limit])
            more = (
                f" and {len(targets) - limit} more ('doctor --all' lists them)"
                if limit is not None and len(targets) > limit
                else ""
            )
            checks.append(
                Check(
                    "note",
                    "links",
                    f"{plural(len(targets), 'linked note')} "
                    f"{'does' if len(targets) == 1 else 'do'} not exist yet: {shown}{more}",
                )
            )
        return checks
