from __future__ import annotations

from datetime import date, timedelta

import pytest

from studyplan import clock
from studyplan.errors import ConfigError, InputError

BERLIN = "Europe/Berlin"


@pytest.mark.parametrize(
    ("text", "iso", "day"),
    [
        ("2026-11-26T03:59", "2026-11-26T03:59:00+01:00", date(2026, 11, 25)),
        ("2026-11-26T04:00", "2026-11-26T04:00:00+01:00", date(2026, 11, 26)),
        ("2026-11-26", "2026-11-26T12:00:00+01:00", date(2026, 11, 26)),
        ("2026-11-26T09:30+05:30", "2026-11-26T09:30:00+05:30", date(2026, 11, 26)),
        ("2026-11-26T02:00Z", "2026-11-26T02:00:00+00:00", date(2026, 11, 25)),
        # Spring forward (02:00 → 03:00 on 29 March): 03:30 is summer time, still the 28th.
        ("2026-03-29T03:30", "2026-03-29T03:30:00+02:00", date(2026, 3, 28)),
        ("2026-03-29T04:10", "2026-03-29T04:10:00+02:00", date(2026, 3, 29)),
        # 02:30 does not exist that night: it is read as 03:30 summer time.
        ("2026-03-29T02:30", "2026-03-29T03:30:00+02:00", date(2026, 3, 28)),
        # 02:30 happens twice on 25 October: the second (winter time) is taken.
        ("2026-10-25T02:30", "2026-10-25T02:30:00+01:00", date(2026, 10, 24)),
        # Fall back (03:00 → 02:00 on 25 October).
        ("2026-10-25T01:30", "2026-10-25T01:30:00+02:00", date(2026, 10, 24)),
        ("2026-10-25T04:30", "2026-10-25T04:30:00+01:00", date(2026, 10, 25)),
    ],
)
def test_moments_and_study_days(text: str, iso: str, day: date) -> None:
    moment = clock.parse_moment(text, BERLIN)
    assert moment.isoformat() == iso
    assert clock.study_day(moment, 4) == day


def test_dst_days_are_whole_study_days() -> None:
    """The study days around both changes start at 04:00 local time: 23 and 25 hours."""
    starts = [
        clock.parse_moment(text, BERLIN)
        for text in ("2026-03-28T04:00", "2026-03-29T04:00", "2026-10-24T04:00", "2026-10-25T04:00")
    ]
    assert [clock.study_day(s, 4) for s in starts] == [
        date(2026, 3, 28),
        date(2026, 3, 29),
        date(2026, 10, 24),
        date(2026, 10, 25),
    ]
    assert (starts[1] - starts[0], starts[3] - starts[2]) == (
        timedelta(hours=23),
        timedelta(hours=25),
    )
    just_before = [s - timedelta(seconds=1) for s in starts]
    assert [clock.study_day(s.astimezone(s.tzinfo), 4) for s in just_before] == [
        date(2026, 3, 27),
        date(2026, 3, 28),
        date(2026, 10, 23),
        date(2026, 10, 24),
    ]


def test_a_review_keeps_its_own_offset_after_moving() -> None:
    """23:30 in New York is the 26th there, though it is already the 27th in Berlin."""
    new_york = clock.parse_moment("2026-11-26T23:30", "America/New_York")
    assert new_york.isoformat() == "2026-11-26T23:30:00-05:00"
    assert clock.study_day(new_york, 4) == date(2026, 11, 26)
    berlin = clock.parse_moment("2026-11-28T09:00", BERLIN)
    assert (clock.study_day(berlin, 4) - clock.study_day(new_york, 4)).days == 2


@pytest.mark.parametrize("text", ["tomorrow", "26/11/2026", "10:00", "2026-13-01", "P1D", ""])
def test_bad_now_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError, match="is not a date or time"):
        clock.parse_moment(text, BERLIN)


def test_unknown_zone_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown timezone 'Mars/Olympus'"):
        clock.zone("Mars/Olympus")


def test_formatting() -> None:
    today = date(2026, 11, 26)
    assert clock.fmt_day(date(2026, 11, 29), today) == "Sun 29 Nov"
    assert clock.fmt_day(date(2027, 1, 2), today) == "Sat 2 Jan 2027"
    assert [clock.relative(today + timedelta(n), today) for n in (-3, -1, 0, 1, 4)] == [
        "3 days ago",
        "yesterday",
        "today",
        "tomorrow",
        "in 4 days",
    ]
