"""FSRS fitted to the learner's own memory, and what each desired retention would cost.

Uses fsrs-rs-python (the Rust FSRS engine), an optional extra imported only here:
`pip install fsrs-rs-python`. Pure apart from that: takes reviews, returns figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from studyplan.errors import StudyplanError
from studyplan.model import DayStamp, Kind, Policy, Rating, Roadmap

MIN_SCORED = 100
"""Reviews that can be scored (a later-day review of a card studied before) needed before
a fit is worth trying: fewer, and the optimizer has almost nothing to learn from."""

T = TypeVar("T")

RETENTIONS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.93, 0.95, 0.97)


class OptimizerMissing(StudyplanError):
    """The optional extra is not installed."""


class NotEnoughReviews(StudyplanError):
    """Too little history to fit; nothing was changed."""


def _rs() -> Any:
    try:
        import fsrs_rs_python
    except ImportError:
        raise OptimizerMissing(
            "optimizing needs fsrs-rs-python: pip install fsrs-rs-python (from a clone of "
            "studyplan: pip install '.[optimize]')"
        ) from None
    return fsrs_rs_python


@dataclass(frozen=True, slots=True)
class Score:
    log_loss: float
    rmse_bins: float

    def beats(self, other: Score) -> bool:
        """Better calibrated (RMSE over bins) first, then better log loss."""
        if round(self.rmse_bins, 6) != round(other.rmse_bins, 6):
            return self.rmse_bins < other.rmse_bins
        return self.log_loss < other.log_loss


@dataclass(frozen=True, slots=True)
class Fit:
    scored: int
    default: Score
    fitted: Score
    parameters: tuple[float, ...]

    @property
    def better(self) -> bool:
        return self.fitted.beats(self.default)


class Item(NamedTuple):
    """One scored review with the card's history before it: (rating, whole days since
    the previous review) pairs, the last one scored. fsrs-rs's own items do not show
    their reviews to Python, so the scorer keeps these."""

    reviews: tuple[tuple[int, int], ...]


def items(stamps: Sequence[DayStamp]) -> list[Item]:
    """One item per scorable review: the card's history up to and including it, with
    whole study days between reviews. Same-day reviews are history, never scored. Items
    come in the order their last review happened, for time-series splits."""
    by_card: dict[str, list[DayStamp]] = {}
    for stamp in sorted(stamps, key=lambda s: (s.review.at, s.review.id)):
        by_card.setdefault(stamp.review.card, []).append(stamp)
    dated: list[tuple[Any, str, Item]] = []
    for card_stamps in by_card.values():
        history: list[tuple[int, int]] = []
        previous = None
        for stamp in card_stamps:
            delta = 0 if previous is None else (stamp.day - previous).days
            history.append((int(stamp.review.rating), delta))
            if previous is not None and delta > 0:
                dated.append((stamp.review.at, stamp.review.id, Item(tuple(history))))
            previous = stamp.day
    dated.sort(key=lambda t: (t[0], t[1]))
    return [item for _, _, item in dated]


def _native(items: Sequence[Item], *, last: bool = True) -> list[Any]:
    """fsrs-rs's items (without the scored review when `last` is false)."""
    rs = _rs()
    out = []
    for item in items:
        reviews = item.reviews if last else item.reviews[:-1]
        out.append(rs.FSRSItem([rs.FSRSReview(rating, delta) for rating, delta in reviews]))
    return out


def fit(stamps: Sequence[DayStamp]) -> Fit:
    """Fit the 21 FSRS-6 parameters; score defaults and fit out of sample."""
    rs = _rs()
    train = items(stamps)
    if len(train) < MIN_SCORED:
        raise NotEnoughReviews(
            f"optimize needs {MIN_SCORED} reviews that can be scored (a topic reviewed again "
            f"on a later day); you have {len(train)}, so {MIN_SCORED - len(train)} more. "
            "Nothing was changed"
        )
    defaults = list(rs.DEFAULT_PARAMETERS)
    fitted = [float(p) for p in rs.FSRS(defaults).compute_parameters(_native(train))]
    if all(abs(a - b) < 1e-6 for a, b in zip(fitted, defaults, strict=True)):
        # compute_parameters quietly returns the defaults when it cannot learn anything.
        raise NotEnoughReviews(
            f"FSRS could not learn from these {len(train)} reviews (it returned its "
            "defaults); try again after a few weeks more study. Nothing was changed"
        )
    # Like for like: the fit and the defaults are scored on exactly the same items (the
    # test segments of fsrs-rs's five time-series splits: everything after the first
    # sixth), with the same unweighted metrics. The fit's predictions come from
    # parameters trained only on the items before each segment, as fsrs-rs's own
    # `evaluate_with_time_series_splits` does (a test holds the figures equal); the
    # defaults' from the defaults. (fsrs-rs's `FSRS.evaluate` weights items by recency,
    # so it cannot score the defaults next to that.)
    tested: list[Item] = []
    predicted: list[float] = []
    for training, test in splits(train):
        weights = [float(p) for p in rs.FSRS(defaults).compute_parameters(_native(training))]
        tested += test
        predicted += predictions(test, weights)
    return Fit(
        scored=len(train),
        default=score(tested, predictions(tested, defaults)),
        fitted=score(tested, predicted),
        parameters=tuple(round(p, 4) for p in fitted),
    )


SPLITS = 5  # fsrs-rs's time-series splits


def splits(items: Sequence[T]) -> list[tuple[list[T], list[T]]]:
    """fsrs-rs's `TimeSeriesSplit`: six segments of len // 6 items (the last takes the
    rest); fold i trains on segments 0…i and tests on segment i + 1."""
    size = len(items) // (SPLITS + 1)
    if size == 0:
        return []
    out = []
    for i in range(SPLITS):
        start = (i + 1) * size
        end = len(items) if i == SPLITS - 1 else (i + 2) * size
        out.append((list(items[:start]), list(items[start:end])))
    return out


def predictions(items: Sequence[Item], parameters: Sequence[float]) -> list[float]:
    """Each item's predicted recall at its last review: fsrs-rs's memory state after the
    reviews before it, then FSRS-6's forgetting curve over the days since."""
    rs = _rs()
    model = rs.FSRS(list(parameters))
    states = model.memory_state_batch(_native(items, last=False))
    decay = -float(parameters[20])
    factor = 0.9 ** (1 / decay) - 1
    return [
        (1 + factor * item.reviews[-1][1] / state.stability) ** decay
        for item, state in zip(items, states, strict=True)
    ]


def score(items: Sequence[Item], predicted: Sequence[float]) -> Score:
    """Unweighted log loss and RMSE over fsrs-rs's bins (delta_t, reviews, lapses), as
    its time-series evaluation computes them."""
    import math

    bins: dict[tuple[int, int, int], list[float]] = {}
    loss = 0.0
    for item, p in zip(items, predicted, strict=True):
        y = 1.0 if item.reviews[-1][0] > 1 else 0.0
        clipped = min(max(p, 1e-7), 1 - 1e-7)  # torch's BCE clamps the log at -100
        loss -= y * math.log(clipped) + (1 - y) * math.log(1 - clipped)
        entry = bins.setdefault(_bin(item), [0.0, 0.0, 0.0])
        entry[0] += p
        entry[1] += y
        entry[2] += 1
    total = sum(count for _, _, count in bins.values())
    rmse = math.sqrt(
        sum((pred / count - real / count) ** 2 * count for pred, real, count in bins.values())
        / total
    )
    return Score(loss / len(items), rmse)


def _half_up(x: float) -> int:
    """Rust's `f64::round` for the positive numbers here (Python's rounds half to even)."""
    import math

    return math.floor(x + 0.5)


def _bin(item: Item) -> tuple[int, int, int]:
    """fsrs-rs's `r_matrix_index`."""
    import math

    reviews = item.reviews
    delta_bin = _half_up(2.48 * 3.62 ** math.floor(math.log(reviews[-1][1], 3.62)) * 100.0)
    length = sum(1 for _, delta in reviews if delta > 0) + 1.0
    length_bin = _half_up(1.99 * 1.89 ** math.floor(math.log(length, 1.89)))
    lapses = sum(1 for rating, delta in reviews[:-1] if rating == 1 and delta > 0)
    if lapses == 0:
        return delta_bin, length_bin, 0
    return delta_bin, length_bin, _half_up(1.65 * 1.73 ** math.floor(math.log(lapses, 1.73)))


@dataclass(frozen=True, slots=True)
class RetentionRow:
    retention: float
    minutes_per_day: float
    reviews_per_day: float
    remembered: float  # expected topics remembered at the end of the span


def retention_table(
    roadmap: Roadmap,
    stamps: Sequence[DayStamp],
    policy: Policy,
    parameters: Sequence[float] | None,
    days: int = 180,
    seed: int = 42,
) -> tuple[RetentionRow, ...]:
    """Simulate the learner's roadmap and limits at each desired retention (seeded, so
    the table is repeatable): the workload against what stays remembered."""
    rs = _rs()
    base = rs.default_simulator_config()
    cards = [c for c in roadmap.cards if not c.skipped]
    topic = policy.minutes.for_kind(Kind.TOPIC)
    note = policy.minutes.for_kind(Kind.NOTE)
    share = sum(1 for c in cards if c.kind is Kind.TOPIC) / max(1, len(cards))
    seconds = 60.0 * (share * topic + (1 - share) * note)
    first, review = _rating_shares(stamps)
    config = rs.SimulatorConfig(
        deck_size=len(cards),
        learn_span=days,
        max_cost_perday=1e9,
        max_ivl=float(policy.maximum_interval),
        first_rating_prob=first or base.first_rating_prob,
        review_rating_prob=review or base.review_rating_prob,
        learn_limit=policy.new_per_day,
        review_limit=policy.reviews_per_day,
        new_cards_ignore_review_limit=True,
        learning_step_transitions=base.learning_step_transitions,
        relearning_step_transitions=base.relearning_step_transitions,
        state_rating_costs=[[seconds] * 4, [seconds] * 4, [seconds] * 4],
        learning_step_count=0,
        relearning_step_count=0,
    )
    weights = list(parameters) if parameters else list(rs.DEFAULT_PARAMETERS)
    rows = []
    for retention in RETENTIONS:
        result = rs.simulate(weights, retention, config, seed=seed)
        rows.append(
            RetentionRow(
                retention=retention,
                minutes_per_day=sum(result.cost_per_day) / days / 60.0,
                reviews_per_day=sum(result.review_cnt_per_day) / days,
                remembered=float(result.memorized_cnt_per_day[-1]),
            )
        )
    return tuple(rows)


def _rating_shares(stamps: Sequence[DayStamp]) -> tuple[list[float] | None, list[float] | None]:
    """The learner's own first ratings (4 shares) and successful review ratings (hard,
    good, easy), once there are enough of each to mean something."""
    seen: set[str] = set()
    first = [0, 0, 0, 0]
    later = [0, 0, 0]
    for stamp in sorted(stamps, key=lambda s: (s.review.at, s.review.id)):
        rating = stamp.review.rating
        if stamp.review.card not in seen:
            seen.add(stamp.review.card)
            first[rating - 1] += 1
        elif rating is not Rating.AGAIN:
            later[rating - 2] += 1
    first_share = [n / sum(first) for n in first] if sum(first) >= 20 else None
    later_share = [n / sum(later) for n in later] if sum(later) >= 20 else None
    return first_share, later_share
