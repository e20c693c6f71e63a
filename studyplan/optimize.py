"""FSRS fitted to the learner's own memory, and what each desired retention would cost.

Uses fsrs-rs-python (the Rust FSRS engine), an optional extra imported only here:
`pip install 'studyplan[optimize]'`. Pure apart from that: takes reviews, returns figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from studyplan.errors import StudyplanError
from studyplan.model import DayStamp, Kind, Policy, Rating, Roadmap

if TYPE_CHECKING:
    import fsrs_rs_python

MIN_SCORED = 100
"""Reviews that can be scored (a later-day review of a card studied before) needed before
a fit is worth trying: fewer, and the optimizer has almost nothing to learn from."""

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
            "optimizing needs the optional extra: pip install 'studyplan[optimize]'"
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


def items(stamps: Sequence[DayStamp]) -> list[fsrs_rs_python.FSRSItem]:
    """One FSRS item per scorable review: the card's history up to and including it,
    with whole study days between reviews. Same-day reviews are history, never scored.
    Items come in the order their last review happened, for time-series splits."""
    rs = _rs()
    by_card: dict[str, list[DayStamp]] = {}
    for stamp in sorted(stamps, key=lambda s: (s.review.at, s.review.id)):
        by_card.setdefault(stamp.review.card, []).append(stamp)
    dated: list[tuple[Any, str, Any]] = []
    for card_stamps in by_card.values():
        history: list[Any] = []
        previous = None
        for stamp in card_stamps:
            delta = 0 if previous is None else (stamp.day - previous).days
            history.append(rs.FSRSReview(int(stamp.review.rating), delta))
            if previous is not None and delta > 0:
                dated.append((stamp.review.at, stamp.review.id, rs.FSRSItem(list(history))))
            previous = stamp.day
    dated.sort(key=lambda t: (t[0], t[1]))
    return [item for _, _, item in dated]


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
    fitted = [float(p) for p in rs.FSRS(defaults).compute_parameters(train)]
    if all(abs(a - b) < 1e-6 for a, b in zip(fitted, defaults, strict=True)):
        # compute_parameters quietly returns the defaults when it cannot learn anything.
        raise NotEnoughReviews(
            f"FSRS could not learn from these {len(train)} reviews (it returned its "
            "defaults); try again after a few weeks more study. Nothing was changed"
        )
    # The fit is scored by fsrs-rs's time-series splits (five folds, each trained only on
    # the reviews before it): its test items are everything after the first sixth
    # (`len // 6` items; the last fold takes the remainder). The defaults are scored on
    # exactly those items. (fsrs-rs's `evaluate` weights them by recency; like-for-like
    # weighting is still to do.)
    after = rs.evaluate_with_time_series_splits(train)
    before = rs.FSRS(defaults).evaluate(train[len(train) // 6 :])
    return Fit(
        scored=len(train),
        default=Score(before.log_loss, before.rmse_bins),
        fitted=Score(after.log_loss, after.rmse_bins),
        parameters=tuple(round(p, 4) for p in fitted),
    )


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
