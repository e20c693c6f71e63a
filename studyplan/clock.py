"""The only module that reads the clock or knows about time zones and pendulum.

Every moment the rest of the program sees is an aware `datetime` with a fixed UTC offset
(the offset in force at that moment), so a logged review keeps the offset it was made
with even after the learner moves to another time zone. Local study days start at the
configured hour (default 4:00): a review at 01:30 belongs to the day before.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any

from studyplan.errors import ConfigError, InputError

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STARTS_WITH_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]|$)")


def zone(name: str | None) -> tzinfo | None:
    """The configured IANA zone, or None for the system's own zone."""
    if not name:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown timezone {name!r}; use an IANA name such as 'Europe/Berlin'"
        ) from None


FIRST_YEAR, LAST_YEAR = 1900, 2200  # the moments studyplan accepts, typed or logged


def _fixed(moment: datetime, option: str = "the moment") -> datetime:
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise InputError(
            f"{option} {moment.date().isoformat()} is outside the dates studyplan supports "
            f"({FIRST_YEAR}–{LAST_YEAR}); check the year"
        )
    offset = moment.utcoffset()
    assert offset is not None
    return moment.astimezone(timezone(offset)).replace(microsecond=0)


def now(zone_name: str | None) -> datetime:
    """The real current moment, in the learner's zone."""
    tz = zone(zone_name)
    moment = datetime.now(tz) if tz is not None else datetime.now().astimezone()
    return _fixed(moment)


def _pendulum_zone(zone_name: str | None) -> Any:
    import pendulum
    from pendulum.tz.local_timezone import get_local_timezone

    return pendulum.Timezone(zone_name) if zone_name else get_local_timezone()


def zone_name(configured: str | None) -> str:
    """An IANA name for calendars: the configured zone, else the system's."""
    if configured:
        return configured
    from pendulum.tz.local_timezone import get_local_timezone

    name = getattr(get_local_timezone(), "name", None)
    if isinstance(name, str) and ("/" in name or name == "UTC"):
        return name
    return "UTC"  # a bare offset has no IANA name; calendars then get UTC times


def _parse_plain(value: str, zone_name: str | None) -> datetime | None:
    """The common forms, without loading pendulum: an offset given, or a local time in the
    configured zone that exists exactly once (not in a DST gap or overlap)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is not None or not FIRST_YEAR <= moment.year <= LAST_YEAR:
        return moment.replace(tzinfo=moment.tzinfo or UTC)  # `_fixed` refuses it
    tz = zone(zone_name)
    if tz is None:
        return None
    first, second = moment.replace(tzinfo=tz, fold=0), moment.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        return None  # ambiguous or skipped by a DST change
    return first


def parse_moment(text: str, zone_name: str | None, option: str = "--now") -> datetime:
    """An ISO-8601 moment typed by the learner: local time in their zone when it has no
    offset.

    A bare date means noon of that day, safely inside its study day.
    """
    value = text.strip()
    if _DATE_ONLY.match(value):
        value += "T12:00:00"
    quick = _parse_plain(value, zone_name) if _STARTS_WITH_DATE.match(value) else None
    if quick is not None:
        return _fixed(quick, option)
    import pendulum  # other ISO forms, and local times that DST makes odd

    tz = _pendulum_zone(zone_name)
    try:
        # A bare time ("10:00") would silently mean "today" by the real clock: refuse it.
        parsed = pendulum.parse(value, tz=tz) if _STARTS_WITH_DATE.match(value) else None
    except (ValueError, TypeError, pendulum.parsing.exceptions.ParserError):
        parsed = None
    if not isinstance(parsed, datetime):
        raise InputError(
            f"{option} {text!r} is not a date or time; use ISO 8601 such as "
            "2026-11-26 or 2026-11-26T09:30 or 2026-11-26T09:30+01:00"
        )
    return _fixed(parsed, option)


_PARTS_OF_DAY = {"morning": "09:00", "noon": "12:00", "afternoon": "15:00", "evening": "20:00"}
_RELATIVE = re.compile(
    r"(?i)\s*(yesterday|today)(?:\s+(?:at\s+)?(\d{1,2}:\d{2}|morning|noon|afternoon|evening))?\s*"
)


def relative_moment(text: str, today: date) -> str | None:
    """ "yesterday 21:30", "today 07:15", "yesterday evening" as ISO text, counted from
    the study day `today`; None for anything else (ISO is parsed as before)."""
    found = _RELATIVE.fullmatch(text)
    if found is None:
        return None
    word, when = found.group(1).lower(), (found.group(2) or "").lower()
    day = today - timedelta(days=1) if word == "yesterday" else today
    if not when:
        return day.isoformat()
    hhmm = _PARTS_OF_DAY.get(when, when)
    hours, minutes = hhmm.split(":")
    if int(hours) > 23 or int(minutes) > 59:
        return None
    return f"{day.isoformat()}T{int(hours):02d}:{minutes}"


def study_day(moment: datetime, start_hour: int) -> date:
    """The local study day a moment belongs to, judged by its own wall clock."""
    return (moment - timedelta(hours=start_hour)).date()


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def fmt_day(day: date, today: date | None = None) -> str:
    """'Sat 29 Nov' (with the year when it is not this year's). English names whatever the
    locale, like the rest of the output; no strftime, which is slow for 10,000 cards."""
    text = f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
    if today is not None and day.year != today.year:
        text += f" {day.year}"
    return text


def relative(day: date, today: date) -> str:
    """'today', 'tomorrow', 'in 4 days', 'yesterday', '3 days ago'."""
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    return f"in {delta} days" if delta > 0 else f"{-delta} days ago"


def fmt_moment(moment: datetime) -> str:
    return f"{fmt_day(moment.date())} {moment:%H:%M}"
