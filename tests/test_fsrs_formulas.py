"""studyplan applies reviews with py-fsrs's formulas worked out in `memory.Fsrs.review`;
py-fsrs's own `Scheduler.review_card` is the oracle, and the two must agree to the last
bit for any sequence of reviews, any parameters py-fsrs accepts and any retention."""

from __future__ import annotations

from datetime import date, timedelta

from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS
from hypothesis import given, settings
from hypothesis import strategies as st

from studyplan.memory import EMPTY, Fsrs, Memory
from studyplan.model import Policy, Rating

PARAMETERS = st.one_of(
    st.just(None),
    st.tuples(
        *(
            st.floats(lo, hi)
            for lo, hi in zip(LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
        )
    ),
)
STEPS = st.lists(
    st.tuples(st.sampled_from(list(Rating)), st.sampled_from([0, 0, 1, 2, 3, 7, 30, 400])),
    min_size=1,
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(
    PARAMETERS,
    st.sampled_from([0.7, 0.85, 0.9, 0.95, 0.99]),
    st.sampled_from([36500, 365, 30]),
    STEPS,
)
def test_the_formulas_are_py_fsrs_to_the_last_bit(
    parameters: tuple[float, ...] | None,
    retention: float,
    maximum: int,
    steps: list[tuple[Rating, int]],
) -> None:
    policy = Policy(
        parameters=parameters, desired_retention=retention, maximum_interval=maximum, fuzz=False
    )
    lean = Fsrs(policy)
    day = date(2026, 1, 1)
    memory: Memory = EMPTY
    for rating, gap in steps:
        day += timedelta(days=gap)
        ours = lean.review(memory, 7, rating, day)
        theirs = lean.review_by_pyfsrs(memory, 7, rating, day)
        assert ours == theirs
        memory = memory._replace(
            stability=ours.stability,
            difficulty=ours.difficulty,
            since=day,
            last=day,
            due=day + timedelta(days=ours.interval),
        )


def test_the_default_parameters_are_py_fsrs_s() -> None:
    assert Fsrs(Policy()).parameters == tuple(DEFAULT_PARAMETERS)
