"""The settings in `studyplan.toml`: names, types, defaults and validation.

Reading and writing the file is `store.py`'s job; this module turns the parsed TOML into
a `Config` or a `ConfigError` that names the key, the file and the line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from studyplan.errors import ConfigError
from studyplan.model import Minutes, Policy

N_PARAMETERS = 21


class Config(NamedTuple):
    roadmap: str | None = None
    vault: str | None = None
    plan_folder: str = "Study Plans"
    timezone: str | None = None
    device: str | None = None
    day_start_hour: int = 4
    new_per_day: int = 2
    reviews_per_day: int = 20
    desired_retention: float = 0.9
    maximum_interval: int = 365
    fuzz: bool = True
    load_balance: bool = True
    balance_short: bool = False
    gate_stability: float = 0.0
    minutes_topic: int = 30
    minutes_note: int = 15
    study_start: str | None = None
    parameters: tuple[float, ...] | None = None
    prerequisite_map: str | None = None
    graph: bool = True
    gate: str = "studied"
    gate_recall: float = 0.9
    credit_floor: float = 0.1
    credit_max_difficulty: float = 7.0
    penalty: float = 0.5
    cover_days: int = 3
    daily_minutes: int | None = None
    day_weights: tuple[float, ...] = (1.0,) * 7
    section_gate: str = "numbers"
    session_minutes: int = 60
    resources: str = "once"
    transfer: float | None = None

    def policy(self) -> Policy:
        return Policy(
            desired_retention=self.desired_retention,
            maximum_interval=self.maximum_interval,
            fuzz=self.fuzz,
            load_balance=self.load_balance,
            balance_short=self.balance_short,
            new_per_day=self.new_per_day,
            reviews_per_day=self.reviews_per_day,
            gate_stability=self.gate_stability,
            minutes=Minutes(topic=self.minutes_topic, note=self.minutes_note),
            parameters=self.parameters,
            gate=self.gate,
            gate_recall=self.gate_recall,
            graph=self.graph,
            credit_floor=self.credit_floor,
            credit_max_difficulty=self.credit_max_difficulty,
            penalty=self.penalty,
            cover_days=self.cover_days,
            day_weights=self.day_weights,
            daily_minutes=self.daily_minutes,
            section_gate=self.section_gate,
            session_minutes=self.session_minutes,
            transfer=self.transfer,
        )

    def to_toml(self) -> dict[str, Any]:
        """Only the keys that differ from the defaults; tomli-w cannot write None."""
        default = Config()
        out: dict[str, Any] = {}
        for name in self._fields:
            value = getattr(self, name)
            if value is not None and value != getattr(default, name):
                if name == "day_weights":
                    value = {d: w for d, w in zip(WEEKDAYS, value, strict=True) if w != 1.0}
                out[name] = list(value) if isinstance(value, tuple) else value
        return out


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _int(low: int, high: int | None = None) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be a whole number")
        if value < low or (high is not None and value > high):
            raise ValueError(f"must be between {low} and {high}" if high else f"must be ≥ {low}")
        return value

    return check


def _float(low: float, high: float, *, open_low: bool = False) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("must be a number")
        if not math.isfinite(value):
            raise ValueError(f"must be a finite number between {low} and {high}")
        if value > high or value < low or (open_low and value == low):
            raise ValueError(f"must be between {low} and {high}")
        return float(value)

    return check


def _bool(value: Any) -> Any:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _text(pattern: str | None = None, hint: str = "") -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("must be a non-empty string in quotes")
        if pattern and not re.fullmatch(pattern, value):
            raise ValueError(hint)
        return value

    return check


def _parameters(value: Any) -> Any:
    if not isinstance(value, list) or len(value) != N_PARAMETERS:
        raise ValueError(f"must be a list of {N_PARAMETERS} numbers (written by 'optimize')")
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in value):
        raise ValueError(f"must be a list of {N_PARAMETERS} numbers")
    if not all(math.isfinite(v) and abs(v) < 1e6 for v in value):
        raise ValueError(f"must be a list of {N_PARAMETERS} finite numbers (NaN or inf found)")
    return tuple(float(v) for v in value)


def _choice(*options: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in options:
            raise ValueError("must be one of " + ", ".join(f'"{o}"' for o in options))
        return value

    return check


def _day_weights(value: Any) -> Any:
    """`{ sat = 0.5, sun = 0 }`: days not named keep weight 1."""
    if not isinstance(value, dict):
        raise ValueError("must be a table such as { sat = 0.5, sun = 0 }")
    weights = [1.0] * 7
    for day, weight in value.items():
        if day not in WEEKDAYS:
            raise ValueError(f"names an unknown day '{day}' (use {', '.join(WEEKDAYS)})")
        weights[WEEKDAYS.index(day)] = _float(0.0, 1.0)(weight)
    return tuple(weights)


CHECKS: dict[str, Callable[[Any], Any]] = {
    "roadmap": _text(),
    "vault": _text(),
    "plan_folder": _text(),
    "timezone": _text(),
    "device": _text(r"[A-Za-z0-9._-]{1,64}", "may hold only letters, digits, '.', '_' and '-'"),
    "day_start_hour": _int(0, 23),
    "new_per_day": _int(0),
    "reviews_per_day": _int(1),
    "desired_retention": _float(0.5, 0.99, open_low=True),
    "maximum_interval": _int(1, 36500),
    "fuzz": _bool,
    "load_balance": _bool,
    "balance_short": _bool,
    "gate_stability": _float(0.0, 36500.0),
    "minutes_topic": _int(1, 1440),
    "minutes_note": _int(1, 1440),
    "study_start": _text(r"([01]\d|2[0-3]):[0-5]\d", 'must be a time of day such as "07:30"'),
    "parameters": _parameters,
    "prerequisite_map": _text(),
    "graph": _bool,
    "gate": _choice("studied", "relearning", "stable"),
    "gate_recall": _float(0.5, 0.99),
    "credit_floor": _float(0.0, 1.0, open_low=True),
    "credit_max_difficulty": _float(1.0, 10.0),
    "penalty": _float(0.0, 1.0),
    "cover_days": _int(0, 30),
    "daily_minutes": _int(1, 1440),
    "day_weights": _day_weights,
    "section_gate": _choice("numbers", "document", "none"),
    "session_minutes": _int(5, 1440),
    "resources": _choice("once", "review"),
    "transfer": _float(0.0, 1.0),
}

HELP: dict[str, str] = {
    "roadmap": "the roadmap: a file (relative to the home folder) or, with a vault, a note name",
    "vault": "your Obsidian vault folder: links resolve to its notes",
    "plan_folder": "vault folder where 'plan --format md -o NAME' puts a relative NAME",
    "timezone": "IANA time zone of your study days (default: the system's)",
    "device": "name of this device's log file (default: the host name)",
    "day_start_hour": "hour a study day starts; reviews before it count for the day before",
    "new_per_day": "new topics introduced per day",
    "reviews_per_day": "reviews shown per day at most",
    "desired_retention": "probability of recall FSRS aims for when a topic comes back",
    "maximum_interval": "longest gap in days before a topic comes back",
    "fuzz": "spread intervals by a few days (deterministic per review) so topics don't bunch",
    "load_balance": "within that spread, pick the day with the fewest expected minutes",
    "balance_short": "let balancing move a topic due in 1-2 days (which fuzz never moves) "
    "by a day either way: a flatter week, outside py-fsrs's fuzz windows",
    "gate_stability": "stricter gate: earlier sections must reach this stability in days "
    "(0 = studied once is enough)",
    "minutes_topic": "expected minutes for a topic card until you have logged your own",
    "minutes_note": "expected minutes for a note card until you have logged your own",
    "study_start": 'calendar export: timed blocks from this time ("07:30"), else all-day events',
    "parameters": "the 21 FSRS parameters (default: FSRS-6 defaults)",
    "prerequisite_map": "TOML map of prerequisites and parts (default: <roadmap>.prerequisites"
    ".toml beside the roadmap)",
    "graph": "graph scheduling: implicit credit, penalty up, checks down, compressed reviews",
    "gate": '"studied" (once is enough), "relearning" (an again re-locks dependents) or '
    '"stable" (recall ≥ gate_recall)',
    "gate_recall": 'the "stable" gate: recall a prerequisite must have today',
    "credit_floor": "implicit credit along a path weaker than this is dropped",
    "credit_max_difficulty": "topics this hard (FSRS difficulty 1-10) get no implicit credit",
    "penalty": "share of an 'again' passed up to the topics built on it (0 = none)",
    "cover_days": "a review that covers others may come this many days early",
    "daily_minutes": "time budget per day when --minutes is not given (default: none)",
    "day_weights": "easy days: share of budget and new topics, e.g. { sat = 0.5, sun = 0 }",
    "section_gate": '"numbers" (sections open in the order of their numbers; a roadmap '
    'without any opens them in document order), "document" (always document order) or "none"',
    "session_minutes": "one sitting: a topic estimated longer ('(60h)') is planned as "
    "sessions of this many minutes",
    "resources": '"once" (a link to consume is studied once, then done) or "review" (it '
    "comes back like a topic)",
    "transfer": "how much of its map weight a session passes on as credit, 0-1; unset: "
    "learned from your reviews of credited topics (starting cautious, at 0.5)",
}


def key_line(text: str, key: str) -> int | None:
    """The line where `key = …` is set, for error messages."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def check_key(key: str) -> None:
    """A ConfigError (with the closest key) unless `key` is a setting."""
    if key not in CHECKS:
        raise ConfigError(_unknown(key))


def _unknown(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, CHECKS, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown key '{key}'{hint}; 'studyplan config' lists the keys"


def validate(data: dict[str, Any], text: str, path: str) -> Config:
    """Turn parsed TOML into a Config; the first problem raises a ConfigError."""
    values: dict[str, Any] = {}
    for key, value in data.items():
        where = f"{path}:{key_line(text, key) or 1}"
        check = CHECKS.get(key)
        if check is None:
            raise ConfigError(f"{where}: {_unknown(key)}")
        try:
            values[key] = check(value)
        except ValueError as error:
            raise ConfigError(f"{where}: '{key}' {error}, got {value!r}") from None
    return Config()._replace(**values)


def parse_value(key: str, raw: str) -> Any:
    """A value typed on the command line (`config set KEY VALUE`), checked like the file."""
    check = CHECKS.get(key)
    if check is None:
        raise ConfigError(_unknown(key))
    value: Any = raw
    default = getattr(Config(), key)
    if key in ("day_weights", "daily_minutes"):
        import tomllib

        try:
            value = tomllib.loads(f"value = {raw}")["value"]
        except tomllib.TOMLDecodeError:
            value = raw
    elif isinstance(default, bool):
        value = {"true": True, "false": False}.get(raw.lower(), raw)
    elif isinstance(default, int):
        value = int(raw) if re.fullmatch(r"-?\d+", raw) else raw
    elif isinstance(default, float):
        try:
            value = float(raw)
        except ValueError:
            value = raw
    try:
        return check(value)
    except ValueError as error:
        raise ConfigError(f"'{key}' {error}, got {raw!r}") from None
