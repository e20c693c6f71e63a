"""Errors whose messages are written for the learner: what went wrong, where, how to fix it.

`cli.py` turns them into one line on stderr and an exit code; nothing else catches them.
"""

from __future__ import annotations


class StudyplanError(Exception):
    """Base class; `exit_code` follows click's convention (2 = bad usage or input)."""

    exit_code = 1


class RoadmapError(StudyplanError):
    """The roadmap cannot be read or holds nothing to study."""

    exit_code = 2


class ConfigError(StudyplanError):
    """studyplan.toml is unreadable or holds an unknown key or a wrong value."""

    exit_code = 2


class LogError(StudyplanError):
    """The review log cannot be read or written."""


class TopicError(StudyplanError):
    """A TOPIC argument matches no card, or more than one."""

    exit_code = 2


class InputError(StudyplanError):
    """Any other bad value a learner typed."""

    exit_code = 2
