"""One card's FSRS memory, and how a review of one card ripples through the graph.
Pure: every function takes the study day it is about; nothing here reads the clock or a
file.

Time counts in local study days. Each review is placed at midnight UTC of its study day
before py-fsrs sees it, so py-fsrs (which counts whole 24-hour blocks in UTC) counts
exactly the study days between two reviews.

Graph scheduling (`Policy.graph`) adds three derived effects to each explicit review;
the log still holds only what the learner did, and every effect is replayed from it:

- implicit credit: a good or easy review of a topic gives each topic it exercises
  (weight w, product along the path) a fractional review — stability moves w of the way
  to what a real good review would give now, and so does retrievability (towards 1);
- penalty up: `again` on a topic moves the stability of the topics built on it
  `penalty × w` of the way to what an `again` would give them;
- remediation down: `again` puts the topic's key prerequisites (w ≥ 0.5) on the next
  day's list as a check.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from studyplan.graph import EMPTY_GRAPH, KEY_WEIGHT, Graph
from studyplan.model import Card, DayStamp, Kind, Policy, Rating, Review, Roadmap

if TYPE_CHECKING:
    from fsrs import Scheduler

    from studyplan.balance import Load

DEFAULT_DECAY = 0.1542
"""FSRS-6's default forgetting-curve decay (py-fsrs's DEFAULT_PARAMETERS[20]; a test keeps
them equal), so that reading recall never needs py-fsrs itself."""


class Fsrs:
    """The FSRS model of one policy.

    The forgetting curve is a formula, worked out here; py-fsrs's scheduler, needed only to
    apply a review, is built the first time one is. Most days `today` only reads recall,
    and importing py-fsrs was a tenth of its start-up.
    """

    __slots__ = ("_constants", "_parameters", "_scheduler", "decay", "factor", "policy")

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.decay = -float(policy.parameters[20]) if policy.parameters else -DEFAULT_DECAY
        self.factor = 0.9 ** (1 / self.decay) - 1
        self._scheduler: Scheduler | None = None
        self._parameters: tuple[float, ...] | None = None
        self._constants: tuple[float, float, float] | None = None

    @property
    def scheduler(self) -> Scheduler:
        """py-fsrs's scheduler, with whole-day intervals: no learning or relearning steps
        (a topic is studied once a day)."""
        if self._scheduler is None:
            from fsrs import Scheduler

            policy = self.policy
            kwargs = {"parameters": policy.parameters} if policy.parameters else {}
            self._scheduler = Scheduler(
                desired_retention=policy.desired_retention,
                learning_steps=(),
                relearning_steps=(),
                maximum_interval=policy.maximum_interval,
                enable_fuzzing=False,  # fuzz is applied below, seeded, so replays repeat
                **kwargs,
            )
        return self._scheduler

    def recall(self, stability: float, since: date, day: date) -> float:
        """py-fsrs's retrievability on `day` of a memory of `stability` renewed `since`."""
        elapsed = max(0, (day - since).days)
        return float((1 + self.factor * elapsed / stability) ** self.decay)

    def review(self, memory: Memory, card_id: int, rating: Rating, day: date) -> Reviewed:
        """What py-fsrs makes of a review on `day` that follows `memory`, worked out here
        with py-fsrs's own formulas in its own order of operations (a property test holds
        the two equal to the last bit): replaying a decade of reviews through
        `Scheduler.review_card` (a card copied, dates compared, enums matched per review)
        took most of a first run. Without learning steps a studied card is always in the
        Review state, so stability, difficulty and the day they count from are all that
        is needed to continue where it left off."""
        w = self.parameters
        if self._constants is None:
            # Terms that depend only on the parameters, computed exactly as py-fsrs does
            # (the same expression gives the same float), once per scheduler.
            self._constants = (
                w[4] - (math.e ** (w[5] * (4 - 1))) + 1,  # the initial difficulty of easy
                math.e ** (w[8]),
                (self.policy.desired_retention ** (1 / self.decay)) - 1,
            )
        easy, growth, to_interval = self._constants
        r = int(rating)
        since = memory.since or memory.last
        stability, difficulty = memory.stability, memory.difficulty
        if stability is None or difficulty is None or since is None:
            stability = max(w[r - 1], _STABILITY_MIN)
            difficulty = min(max(w[4] - (math.e ** (w[5] * (r - 1))) + 1, 1.0), 10.0)
        else:
            elapsed = (day - since).days
            if elapsed < 1:
                increase = (math.e ** (w[17] * (r - 3 + w[18]))) * (stability ** -w[19])
                if r > 1:
                    increase = max(increase, 1.0)
                stability = max(stability * increase, _STABILITY_MIN)
            else:
                recall = (1 + self.factor * max(0, elapsed) / stability) ** self.decay
                if r == 1:
                    long_term = (
                        w[11]
                        * (difficulty ** -w[12])
                        * (((stability + 1) ** (w[13])) - 1)
                        * (math.e ** ((1 - recall) * w[14]))
                    )
                    short_term = stability / (math.e ** (w[17] * w[18]))
                    stability = max(min(long_term, short_term), _STABILITY_MIN)
                else:
                    hard_penalty = w[15] if r == 2 else 1
                    easy_bonus = w[16] if r == 4 else 1
                    stability = max(
                        stability
                        * (
                            1
                            + growth
                            * (11 - difficulty)
                            * (stability ** -w[9])
                            * ((math.e ** ((1 - recall) * w[10])) - 1)
                            * hard_penalty
                            * easy_bonus
                        ),
                        _STABILITY_MIN,
                    )
            delta = -(w[6] * (r - 3))
            damped = difficulty + (10.0 - difficulty) * delta / 9.0
            difficulty = min(max(w[7] * easy + (1 - w[7]) * damped, 1.0), 10.0)
        interval = (stability / self.factor) * to_interval
        days = min(max(round(interval), 1), self.policy.maximum_interval)
        return Reviewed(stability, difficulty, days)

    @property
    def parameters(self) -> tuple[float, ...]:
        if self._parameters is None:
            from fsrs.scheduler import DEFAULT_PARAMETERS

            self._parameters = tuple(self.policy.parameters or DEFAULT_PARAMETERS)
        return self._parameters

    def review_by_pyfsrs(self, memory: Memory, card_id: int, rating: Rating, day: date) -> Reviewed:
        """The same review through py-fsrs's `Scheduler.review_card`: the oracle that
        `review` is tested against."""
        from fsrs import Card as FsrsCard
        from fsrs import Rating as FsrsRating
        from fsrs import State

        when = _midnight(day)
        since = memory.since or memory.last
        if memory.stability is None or memory.difficulty is None or since is None:
            card = FsrsCard(card_id=card_id, state=State.Learning, due=when)
        else:
            card = FsrsCard(
                card_id=card_id,
                state=State.Review,
                stability=memory.stability,
                difficulty=memory.difficulty,
                due=_midnight(memory.due or day),
                last_review=_midnight(since),
            )
        after, _ = self.scheduler.review_card(card, FsrsRating(int(rating)), review_datetime=when)
        assert after.stability is not None
        assert after.difficulty is not None
        return Reviewed(after.stability, after.difficulty, (after.due - when).days)


_STABILITY_MIN = 0.001  # py-fsrs's STABILITY_MIN
MAX_STABILITY = 36_500.0  # fsrs-rs's S_MAX, as Anki caps it: credit never goes past it
TRANSFER_PRIOR = 0.5  # transfer believed before any audit: cautious, half the map
TRANSFER_WEIGHT = 4.0  # how much evidence the prior is worth (in units of Δ²/v)
CREDIT_LOG = 8  # credit events a memory keeps, for `show`
AUDIT_FACTOR = 3.75  # credit never carries a topic past 3.75x its last explicit interval


class Reviewed(NamedTuple):
    """py-fsrs's answer to one review: the new stability and difficulty, and the interval
    in days (unfuzzed)."""

    stability: float
    difficulty: float
    interval: int


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def fuzzed(interval: int, seed: str, maximum: int) -> int:
    """py-fsrs's fuzz ranges, but the draw is a hash of the review (card and id), so a
    replay lands on the same day. BLAKE2b rather than `Random(seed)`: seeding a Mersenne
    Twister per review was a third of folding a decade of history."""
    if interval < 3:
        return interval
    low, high = fuzz_window(interval, maximum)
    draw = _bits(seed) / 2**64
    return min(low + int(draw * (high - low + 1)), maximum)


@functools.cache
def fuzz_window(interval: int, maximum: int) -> tuple[int, int]:
    """The days py-fsrs's fuzz may move an interval of 3 days or more to."""
    delta = _fuzz_delta(interval)
    high = min(round(interval + delta), maximum)
    low = min(max(2, round(interval - delta)), high)
    return low, high


def short_window(interval: int, maximum: int) -> tuple[int, int]:
    """With `balance_short`, the days balancing may move an interval of 1 or 2 days to
    (fuzz never moves these): a day either way, never to the same day."""
    return max(1, interval - 1), min(interval + 1, maximum)


def _bits(seed: str) -> int:
    """64 bits from the review's own hash: the fuzz draw, and the balancer's jitter."""
    return int.from_bytes(_blake2b(seed.encode(), digest_size=8).digest())


def _blake2b(data: bytes, digest_size: int) -> Any:
    """hashlib's BLAKE2b, imported on first use (hashlib is 3 ms of start-up); the
    module-level name is then rebound to it."""
    global _blake2b
    from hashlib import blake2b

    _blake2b = blake2b  # type: ignore[assignment]
    return blake2b(data, digest_size=digest_size)


@functools.cache
def _fuzz_delta(interval: int) -> float:
    """How far py-fsrs's fuzz may move an interval: the same for every review of that
    interval, so worked out once each (a decade of reviews has a few hundred)."""
    from fsrs.scheduler import FUZZ_RANGES

    delta = 1.0
    for band in FUZZ_RANGES:
        delta += band["factor"] * max(min(float(interval), band["end"]) - band["start"], 0.0)
    return delta


class Memory(NamedTuple):
    """What the reviews of one card add up to: the FSRS state and a few running totals.

    It does not hold the reviews themselves, so a snapshot of every card's memory plus the
    reviews logged since is enough to know where the learner stands, however long the
    history. A NamedTuple (immutable, and quick to load for ten thousand cards).
    """

    reviewed: int = 0  # how many reviews
    first: date | None = None
    last: date | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: date | None = None
    lapses: int = 0
    minutes_total: int = 0
    minutes_count: int = 0
    last_day_reviews: int = 0  # how many reviews on the last study day
    last_at: datetime | None = None  # the newest review folded in, for ordering checks
    last_id: str = ""
    since: date | None = None  # the day `stability` counts from: `last`, unless credit moved it
    last_rating: int = 0  # 1-4, 0 before the first review
    credits: int = 0  # implicit reviews received since the last explicit one
    check: str = ""  # the card whose `again` put this one on the list as a check
    explicit: float | None = None  # stability after the last explicit review (no credit)
    audit: date | None = None  # credit never moves the due day past this (an explicit check)
    lent: tuple[tuple[date, str, float], ...] = ()  # the graph's effects since the last
    # explicit review: (day, the card whose review caused it, stability gained: negative
    # for a penalty after its `again`), the last CREDIT_LOG of them

    @property
    def relearning(self) -> bool:
        """Last rated again, and not passed since."""
        return self.last_rating == Rating.AGAIN

    def follows(self, review: Review) -> bool:
        """Can `review` be folded in after what this memory holds (time order kept)?"""
        return self.last_at is None or (self.last_at, self.last_id) < (review.at, review.id)


EMPTY = Memory()


class CardState(NamedTuple):
    """A roadmap card with its memory."""

    card: Card
    memory: Memory = EMPTY

    @property
    def studied(self) -> bool:
        return self.memory.reviewed > 0

    @property
    def stability(self) -> float | None:
        return self.memory.stability

    @property
    def difficulty(self) -> float | None:
        return self.memory.difficulty

    @property
    def due(self) -> date | None:
        return self.memory.due

    @property
    def lapses(self) -> int:
        return self.memory.lapses

    @property
    def first(self) -> date | None:
        return self.memory.first

    @property
    def last(self) -> date | None:
        return self.memory.last

    def retrievability(self, scheduler: Fsrs, day: date) -> float | None:
        """Predicted recall on `day`; None before the first study."""
        return recall(self.memory, scheduler, day)


def recall(memory: Memory, scheduler: Fsrs, day: date) -> float | None:
    """Predicted recall on `day`; None before the first study."""
    since = memory.since or memory.last
    if memory.stability is None or memory.difficulty is None or since is None:
        return None
    return scheduler.recall(memory.stability, since, day)


def extend(
    memory: Memory,
    card_id: str,
    stamp: DayStamp,
    policy: Policy,
    scheduler: Fsrs,
    load: Load | None = None,
) -> Memory:
    """The memory after one more review, which must follow the ones already in it.

    Built positionally with `tuple.__new__` (field order as in `Memory`): a first run
    makes one per review of a decade of history, and the keyword constructor was a
    fifth of folding it."""
    review = stamp.review
    day, rating = stamp.day, review.rating
    after = scheduler.review(memory, 0, rating, day)
    interval = after.interval
    if policy.fuzz and (interval >= 3 or (load is not None and policy.balance_short)):
        seed = f"{card_id}/{review.id}"
        if load is not None and policy.load_balance:
            maximum = policy.maximum_interval
            if interval >= 3:
                low, high = fuzz_window(interval, maximum)
            else:  # only with balance_short: fuzz never moves these
                low, high = short_window(interval, maximum)
            if low != high:  # inline: it runs for every review of a replay
                bits = int.from_bytes(_blake2b(seed.encode(), digest_size=8).digest())
                interval = load.pick(day, min(interval, high), low, high, bits)
            else:
                interval = low
        else:
            interval = fuzzed(interval, seed, policy.maximum_interval)
    minutes = review.minutes
    return _new_memory(
        Memory,
        (
            memory.reviewed + 1,  # reviewed
            memory.first or day,  # first
            day,  # last
            after.stability,  # stability
            after.difficulty,  # difficulty
            day + timedelta(days=interval),  # due
            memory.lapses + (1 if rating == Rating.AGAIN and memory.reviewed else 0),
            memory.minutes_total + (minutes or 0),  # minutes_total
            memory.minutes_count + (0 if minutes is None else 1),  # minutes_count
            memory.last_day_reviews + 1 if memory.last == day else 1,  # last_day_reviews
            review.at,  # last_at
            review.id,  # last_id
            day,  # since
            int(rating),  # last_rating
            0,  # credits
            "",  # check
            after.stability,  # explicit
            day + timedelta(days=max(1, round(AUDIT_FACTOR * interval))),  # audit
            (),  # lent
        ),
    )


_new_memory = tuple.__new__


@dataclass(slots=True)
class Calibration:
    """How much a session on one topic really helps the topics it builds on, learned
    from the learner's own audits: every explicit review of a topic that had received
    credit since its last explicit review is evidence. Its outcome (passed or not) is
    weighed against the recall predicted without the credit (R0) and with it (R1): the
    model is P(pass) = R0 + τ·(R1 − R0), and τ is estimated by weighted least squares
    with a cautious prior (TRANSFER_PRIOR, worth TRANSFER_WEIGHT audits of full
    information), clipped to [0, 1]. Credit is scaled by it.

    Mutable, and carried through a fold (and kept in the snapshot), so that credit at any
    moment is scaled by what the audits before that moment showed."""

    score: float = 0.0  # Σ Δ·(y − R0) / v
    information: float = 0.0  # Σ Δ² / v
    audits: int = 0
    frozen: bool = False  # a plan's simulated reviews are not evidence

    @property
    def transfer(self) -> float:
        estimate = (TRANSFER_WEIGHT * TRANSFER_PRIOR + self.score) / (
            TRANSFER_WEIGHT + self.information
        )
        return min(max(estimate, 0.0), 1.0)

    def observe(self, without: float, with_credit: float, passed: bool) -> None:
        if self.frozen:
            return
        delta = with_credit - without
        if delta <= 1e-6:
            return  # the credit changed nothing this review could show
        expected = without + self.transfer * delta
        variance = max(expected * (1.0 - expected), 0.05)
        self.score += delta * ((1.0 if passed else 0.0) - without) / variance
        self.information += delta * delta / variance
        self.audits += 1

    def copy(self, *, frozen: bool | None = None) -> Calibration:
        return Calibration(
            self.score, self.information, self.audits, self.frozen if frozen is None else frozen
        )


def order(stamps: Iterable[DayStamp]) -> list[DayStamp]:
    """Reviews in the order they happened (ties broken by id, so every reader agrees)."""
    return sorted(stamps, key=lambda s: (s.review.at, s.review.id))


def fold(
    stamps: Iterable[DayStamp],
    policy: Policy,
    memories: dict[str, Memory] | None = None,
    scheduler: Fsrs | None = None,
    graph: Graph = EMPTY_GRAPH,
    calibration: Calibration | None = None,
) -> dict[str, Memory]:
    """Every card's memory (orphans included) after these reviews, on top of `memories`,
    learning the transfer into `calibration` (a fresh one if none is given). Raises
    ValueError if a review is older than what a memory already holds (with graph
    scheduling: older than any review folded in, since credit crosses cards)."""
    scheduler = scheduler or Fsrs(policy)
    out = dict(memories or {})
    if calibration is None:
        calibration = Calibration()  # a fold from nothing learns from nothing
    rippling = policy.graph and bool(graph.edges)
    newest = (
        max(((m.last_at, m.last_id) for m in out.values() if m.last_at is not None), default=None)
        if rippling
        else None
    )
    ordered = order(stamps)
    load = balance_for(policy, out) if ordered else None
    for stamp in ordered:
        review = stamp.review
        if newest is not None and (review.at, review.id) <= newest:
            raise ValueError(f"review {review.id} is older than one already folded in")
        apply(out, stamp, policy, scheduler, graph if rippling else EMPTY_GRAPH, calibration, load)
    return out


def balance_for(policy: Policy, memories: dict[str, Memory]) -> Load | None:
    """The load a fold balances against (None when balancing is off): the due days of
    every memory so far, so a fold from a snapshot chooses as a full fold would."""
    if not (policy.fuzz and policy.load_balance):
        return None
    from studyplan.balance import Load

    return Load(policy, memories.values())


def apply(
    memories: dict[str, Memory],
    stamp: DayStamp,
    policy: Policy,
    scheduler: Fsrs,
    graph: Graph = EMPTY_GRAPH,
    calibration: Calibration | None = None,
    load: Load | None = None,
) -> list[str]:
    """Fold one review into `memories` (in place), with its effects on the graph; return
    the ids whose memory it touched. A review of a credited topic is an audit of the
    credit: `calibration` learns from it. `load` (kept up to date here) balances the
    new due day by minutes."""
    card_id = stamp.review.card
    memory = memories.get(card_id, EMPTY)
    if not memory.follows(stamp.review):
        raise ValueError(f"review {stamp.review.id} is older than the memory of {card_id}")
    if calibration is not None and memory.credits and memory.explicit is not None:
        with_credit = recall(memory, scheduler, stamp.day)
        since = memory.last
        if with_credit is not None and since is not None:
            without = scheduler.recall(memory.explicit, since, stamp.day)
            calibration.observe(without, with_credit, stamp.review.rating >= Rating.HARD)
    after = memories[card_id] = extend(memory, card_id, stamp, policy, scheduler, load)
    touched = [card_id]
    if load is not None:
        load.move(memory, after)
    if not graph.edges or not policy.graph:
        return touched
    day, rating = stamp.day, stamp.review.rating
    if rating >= Rating.GOOD:
        scale = transfer(policy, calibration)
        for target, weight in graph.below(card_id, policy.credit_floor).items():
            other = memories.get(target)
            if other is not None and weight * scale > 0:
                after = credited(other, weight * scale, day, policy, scheduler)
                if after is not other and after.stability is not None:
                    gain = after.stability - (other.stability or 0.0)
                    after = after._replace(lent=(*other.lent, (day, card_id, gain))[-CREDIT_LOG:])
                memories[target] = after
                if load is not None and after.due != other.due:
                    load.move(other, after)
                touched.append(target)
    elif rating is Rating.AGAIN:
        for source, weight in graph.above(card_id, policy.credit_floor).items():
            other = memories.get(source)
            if other is not None:
                changed = penalised(other, weight, day, policy, scheduler)
                if changed is not other and changed.stability is not None:
                    loss = changed.stability - (other.stability or 0.0)
                    changed = changed._replace(
                        lent=(*other.lent, (day, card_id, loss))[-CREDIT_LOG:]
                    )
                memories[source] = changed
                if load is not None and changed.due != other.due:
                    load.move(other, changed)
                touched.append(source)
        for edge in graph.direct(card_id):
            other = memories.get(edge.target)
            if (
                other is not None
                and edge.weight >= KEY_WEIGHT
                and not fresh(other, policy, scheduler, day)
            ):
                changed = memories[edge.target] = checked(other, card_id, day)
                if load is not None and changed.due != other.due:
                    load.move(other, changed)
                touched.append(edge.target)
    return touched


def fresh(memory: Memory, policy: Policy, scheduler: Fsrs, day: date) -> bool:
    """Still in the first half of its way down to the desired retention (recall at least
    the midpoint of 1 and the desired retention: 95 % at 0.9). A failed topic brings no
    check of a prerequisite this fresh: the learner has just shown they know it, and the
    failure says more about the failed topic. (In bench/learner.py, checks of fresh
    prerequisites were most of what checks cost, at no gain in recall.)"""
    now = recall(memory, scheduler, day)
    return now is not None and now >= (1.0 + policy.desired_retention) / 2


def spared(
    card_id: str,
    memories: Mapping[str, Memory],
    graph: Graph,
    policy: Policy,
    scheduler: Fsrs,
    day: date,
) -> list[tuple[str, float]]:
    """The key prerequisites an `again` on `card_id` on `day` does not check because they
    are fresh, each with its recall (for `review` to say why)."""
    out = []
    for edge in graph.direct(card_id):
        other = memories.get(edge.target)
        if other is not None and edge.weight >= KEY_WEIGHT and fresh(other, policy, scheduler, day):
            out.append((edge.target, recall(other, scheduler, day) or 0.0))
    return out


def earned(memory: Memory) -> float:
    """The stability the learner's own reviews gave (credit never makes a topic mature)."""
    return memory.explicit if memory.explicit is not None else (memory.stability or 0.0)


def transfer(policy: Policy, calibration: Calibration | None) -> float:
    """What credit is scaled by: the policy's fixed `transfer`, else the learned one (the
    prior alone when nothing has been learned yet)."""
    if policy.transfer is not None:
        return policy.transfer
    return (calibration or Calibration()).transfer


def creditable(memory: Memory, policy: Policy) -> bool:
    """In review and not a topic the learner finds hard (high difficulty, repeated
    lapses, or failed last time): those must be earned by explicit reviews."""
    return (
        memory.stability is not None
        and memory.difficulty is not None
        and memory.due is not None
        and memory.difficulty < policy.credit_max_difficulty
        and memory.lapses < 2
        and not memory.relearning
        and not memory.check  # a pending check is done by a review, never cancelled by credit
    )


def next_interval(stability: float, scheduler: Fsrs) -> int:
    """Days until recall falls to the desired retention (py-fsrs's formula, unfuzzed)."""
    decay, factor = scheduler.decay, scheduler.factor
    policy = scheduler.policy
    days = round(stability / factor * (float(policy.desired_retention) ** (1 / decay) - 1))
    return int(min(max(days, 1), policy.maximum_interval))


def _after(memory: Memory, rating: Rating, day: date, scheduler: Fsrs) -> float:
    """The stability a real review with `rating` on `day` would give."""
    assert memory.stability is not None
    return scheduler.review(memory, 1, rating, day).stability


def credited(memory: Memory, weight: float, day: date, policy: Policy, scheduler: Fsrs) -> Memory:
    """A fractional good review of weight `weight` on `day`.

    Stability S moves to S + w·(S_good − S) and retrievability R to R + w·(1 − R); the
    day the stability counts from is set so the new pair holds on `day`. With w = 1 this
    is exactly a good review (unfuzzed); near R = 1 FSRS's own gain S_good − S is small,
    so credit that arrives too early is worth little. The due day never moves earlier."""
    if not creditable(memory, policy):
        return memory
    assert memory.stability is not None
    assert memory.due is not None
    now = recall(memory, scheduler, day)
    assert now is not None
    good = _after(memory, Rating.GOOD, day, scheduler)
    if good <= memory.stability:
        return memory
    stability = min(memory.stability + weight * (good - memory.stability), MAX_STABILITY)
    target = now + weight * (1.0 - now)
    decay, factor = scheduler.decay, scheduler.factor
    elapsed = stability / factor * (target ** (1 / decay) - 1)
    since = day - timedelta(days=int(elapsed + 0.5))
    due = max(memory.due, since + timedelta(days=next_interval(stability, scheduler)))
    if memory.audit is not None:
        # Credit may carry a topic only so far: an explicit review by then is the audit
        # that shows whether the credit was deserved.
        due = max(memory.due, min(due, memory.audit))
    return memory._replace(stability=stability, since=since, due=due, credits=memory.credits + 1)


def penalised(memory: Memory, weight: float, day: date, policy: Policy, scheduler: Fsrs) -> Memory:
    """A topic built on one just failed: stability moves `penalty × w` of the way to what
    an `again` would give it now. It comes back sooner, but not before the next day."""
    if memory.stability is None or memory.due is None or memory.last == day:
        return memory
    forgot = _after(memory, Rating.AGAIN, day, scheduler)
    if forgot >= memory.stability:
        return memory
    stability = memory.stability - policy.penalty * weight * (memory.stability - forgot)
    since = memory.since or memory.last or day
    due = max(day + timedelta(days=1), since + timedelta(days=next_interval(stability, scheduler)))
    return memory._replace(stability=stability, due=min(memory.due, due))


def checked(memory: Memory, by: str, day: date) -> Memory:
    """A key prerequisite of a topic failed on `day`: back on the list the next day."""
    if memory.due is None or memory.last == day:
        return memory
    return memory._replace(due=min(memory.due, day + timedelta(days=1)), check=by)


def state(card: Card, memory: Memory) -> CardState:
    """A card with its memory. A resource (a video, an article) is studied once, then
    done: its memory stays (minutes, the day it was read) but it is never due again."""
    if card.kind is Kind.RESOURCE and memory.due is not None:
        memory = memory._replace(due=None)
    return CardState(card, memory)


def states(roadmap: Roadmap, memories: dict[str, Memory]) -> dict[str, CardState]:
    """Every roadmap card with its memory; cards never studied get an empty one."""
    return {card.id: state(card, memories.get(card.id, EMPTY)) for card in roadmap.cards}
