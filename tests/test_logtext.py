"""The fast log reader against tomllib: equal whenever it answers, and it answers for
every log studyplan writes."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta, timezone

import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from studyplan import logtext

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
MOMENT = st.builds(
    lambda minutes, offset, micro: (
        datetime(2020, 1, 1, tzinfo=timezone(timedelta(minutes=offset)))
        + timedelta(minutes=minutes, microseconds=micro)
    ),
    st.integers(0, 10**6),
    st.sampled_from([0, 60, -300, 330, 765]),
    st.sampled_from([0, 0, 123456]),
)
REVIEW = st.fixed_dictionaries(
    {"id": TEXT, "card": TEXT, "rating": st.sampled_from(["again", "hard", "good", "easy"])},
    optional={"title": TEXT, "minutes": st.integers(0, 10**6)},
).flatmap(lambda d: MOMENT.map(lambda at: {**d, "at": at}))
ENTRY = st.one_of(
    st.tuples(st.just("review"), REVIEW),
    st.tuples(st.just("undo"), st.fixed_dictionaries({"review": TEXT, "at": MOMENT})),
    st.tuples(st.just("move"), st.fixed_dictionaries({"from": TEXT, "to": TEXT, "at": MOMENT})),
    st.tuples(st.just("suspend"), st.fixed_dictionaries({"card": TEXT, "at": MOMENT})),
)


def written(entries: list[tuple[str, dict]]) -> str:  # type: ignore[type-arg]
    """A log as `store.append` writes it."""
    parts = ["# studyplan review log\nschema = 1\n"]
    for table, entry in entries:
        parts.append(f"\n[[{table}]]\n{tomli_w.dumps(entry)}")
    return "".join(parts)


@settings(max_examples=300)
@given(st.lists(ENTRY, max_size=8))
def test_every_log_studyplan_writes_is_read_as_tomllib_reads_it(entries: list) -> None:  # type: ignore[type-arg]
    text = written(entries)
    fast = logtext.read(text)
    assert fast is not None
    assert fast == tomllib.loads(text)


@settings(max_examples=400)
@given(
    st.lists(ENTRY, max_size=5),
    st.lists(
        st.sampled_from([
            "schema = 2", "x = 1", "[[review]]", "[review]", "id = \"a\"",
            "at = 2026-13-01 00:00:00Z", "# c", "", "  ", "rating = 'good'",
            "minutes = 1_000", "minutes = 01", "a = \"\\q\"",
            "at = 2026-12-01t09:00:00z", "[[undo]] # c", "card = \"x\" # c", "\ufeff",
            "# a \x01 control", "# tab\tok", "\r",
        ]),
        max_size=4,
    ),
    st.integers(0, 10),
)  # fmt: skip
def test_whatever_it_answers_tomllib_agrees(entries: list, junk: list[str], at: int) -> None:  # type: ignore[type-arg]
    lines = written(entries).split("\n")
    spot = min(at, len(lines))
    text = "\n".join([*lines[:spot], *junk, *lines[spot:]])
    fast = logtext.read(text)
    try:
        slow = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        assert fast is None
        return
    assert fast is None or fast == slow


def test_a_decade_shaped_log_is_read_by_the_fast_path() -> None:
    at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    text = written([("review", {"id": f"{n:012x}", "card": "c", "rating": "good", "at": at})
                    for n in range(50)])  # fmt: skip
    assert logtext.read(text) == tomllib.loads(text)


def test_hand_written_moments_in_the_common_entry_read_as_tomllib_reads_them() -> None:
    for at in (
        "2026-12-01 09:00:00Z",
        "2026-12-01T09:00:00.1234567+01:00",
        "2026-12-01T09:00:00.5-05:30",
        "2026-02-30T09:00:00Z",
    ):
        text = f'[[review]]\nid = "a"\ncard = "b"\nrating = "good"\nat = {at}\n'
        try:
            expected = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            assert logtext.read(text) is None
            continue
        assert logtext.read(text) == expected


@settings(max_examples=200)
@given(st.lists(ENTRY, max_size=8))
def test_made_reviews_hold_what_the_tables_hold(entries: list) -> None:  # type: ignore[type-arg]
    text = written(entries)
    tables = logtext.read(text)
    made = logtext.read(text, lambda *fields: fields)
    assert tables is not None
    assert made is not None
    keys = ("id", "card", "title", "rating", "minutes", "at")
    assert [
        tuple(e.get(k) for k in keys) if isinstance(e, dict) else e for e in made.get("review", [])
    ] == [tuple(e.get(k) for k in keys) for e in tables.get("review", [])]
    assert {k: v for k, v in made.items() if k != "review"} == {
        k: v for k, v in tables.items() if k != "review"
    }
