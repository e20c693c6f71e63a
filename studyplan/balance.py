"""Load balancing by minutes: inside a review's fuzz window, the day with the least work.

A topic here takes 20-60 minutes, so the shape of the week matters. When a review's next
due day is chosen, every day of its fuzz window (py-fsrs's range, never wider) is scored
by the minutes expected on it — the reviews already due that day (each at its own
average of logged minutes) plus the day's expected new topics — divided by the day's
weight (`day_weights`, so easy days stay easy), plus a small cost per day away from the
unfuzzed interval and a small seeded jitter (so an empty calendar still spreads, as
plain fuzz does); the lowest score wins. The jitter is drawn from the same hash of the
review as the fuzz, so a replay picks the same day. With `balance_short`, an interval of
1-2 days (which fuzz never moves, and which is four reviews in ten here) may also move a
day either way (`memory.short_window`): the one change that flattens the week by a third
in `bench/workload.py --limits`, off by default because it leaves py-fsrs's windows.
Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from studyplan.model import Policy

if TYPE_CHECKING:
    from studyplan.memory import Memory

DISTANCE = 1.0  # minutes of score per day away from the unfuzzed interval
JITTER = 3.0  # at most this many minutes of seeded noise per day


REACH = 2  # at most this many days either side of the unfuzzed day are weighed
_JITTER_STEP = JITTER / 15.0  # four bits of the review's hash per day weighed


class Load:
    """Expected minutes of due reviews per day (keyed by the date's ordinal: replaying a
    decade of reviews weighs a few million days), kept up to date as memories change
    (`move`), for the days a review may land on."""

    __slots__ = ("default", "due", "inverse", "new")

    def __init__(self, policy: Policy, memories: Iterable[Memory] = ()) -> None:
        self.due: dict[int, float] = {}
        self.default = float(policy.minutes.topic)
        # 1 / weight per weekday; 0 marks a day off, which is never picked.
        self.inverse = tuple(1.0 / w if w > 0 else 0.0 for w in policy.day_weights)
        # The new topics a day is expected to bring, by weekday (a day's weight scales
        # them, as `today` does).
        self.new = tuple(policy.new_per_day * w * self.default for w in policy.day_weights)
        for memory in memories:
            self._add(memory, 1.0)

    def minutes(self, memory: Memory) -> float:
        if memory.minutes_count:
            return memory.minutes_total / memory.minutes_count
        return self.default

    def _add(self, memory: Memory, sign: float) -> None:
        due = memory.due
        if due is not None:
            key = due.toordinal()
            count = memory.minutes_count
            minutes = memory.minutes_total / count if count else self.default
            self.due[key] = self.due.get(key, 0.0) + sign * minutes

    def move(self, before: Memory | None, after: Memory) -> None:
        """One card's memory changed from `before` to `after` (inline: a replay moves
        one per review)."""
        due = self.due
        if before is not None and before.due is not None:
            key = before.due.toordinal()
            count = before.minutes_count
            due[key] = due.get(key, 0.0) - (before.minutes_total / count if count else self.default)
        if after.due is not None:
            key = after.due.toordinal()
            count = after.minutes_count
            due[key] = due.get(key, 0.0) + (after.minutes_total / count if count else self.default)

    def expected(self, day: date) -> float:
        """Minutes expected on `day`: reviews due then, and its new topics."""
        return self.due.get(day.toordinal(), 0.0) + self.new[day.weekday()]

    def pick(self, day: date, preferred: int, low: int, high: int, bits: int) -> int:
        """The interval in [low, high] whose day scores lowest (see the module); only
        days within REACH of `preferred` are weighed. (Written for speed: a first run
        does this for every review of a decade.)"""
        low = max(low, preferred - REACH)
        high = min(high, preferred + REACH)
        get, new, inverse = self.due.get, self.new, self.inverse
        key = day.toordinal() + low
        weekday = (key - 1) % 7  # date.fromordinal(1) is a Monday
        best, best_score, shift = preferred, float("inf"), 0
        for days in range(low, high + 1):
            factor = inverse[weekday]
            if factor:  # 0 for a day off: nothing is scheduled onto it
                score = (
                    (get(key, 0.0) + new[weekday]) * factor
                    + DISTANCE * abs(days - preferred)
                    + _JITTER_STEP * ((bits >> shift) & 15)
                )
                if score < best_score:
                    best, best_score = days, score
            key += 1
            weekday = weekday + 1 if weekday < 6 else 0
            shift += 4
        return best
