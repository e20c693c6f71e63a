"""The roadmap as a graph of topics. Pure: takes cards and written references, returns
edges and the problems found; no files, no clock.

Two kinds of edge, both pointing from a topic to a topic it exercises:

- `requires` — a prerequisite: the topic is not introduced before it, a good review of
  the topic gives it fractional credit, an `again` sends a check down to it;
- `part` — the topic encompasses it without ordering it: nesting (a parent item and its
  children; the gate already puts the parent first) and the map's `[parts]` tables.

Section order gates too but carries no credit: it is not an edge here.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from studyplan.model import Roadmap

NESTING_WEIGHT = 0.5  # how much of a child a session on its parent exercises
KEY_WEIGHT = 0.5  # prerequisites at least this strong are checked after an `again`

_REF = re.compile(
    r"^\s*(?:\[\[(?P<link>[^\[\]\n]+)\]\]|(?P<plain>[^@\[\]\n]+?))\s*"
    r"(?:@\s*(?P<weight>[^\s,]+))?\s*$"
)
# `(requires:: [[A]], [[B]]@0.5)` or `[requires:: …]`, Dataview's inline-field forms.
INLINE_FIELD = re.compile(
    r"\(\s*(?:requires|prerequisites)\s*::(?P<paren>[^()\n]*)\)"
    r"|\[\s*(?:requires|prerequisites)\s*::(?P<bracket>(?:[^\[\]\n]|\[\[[^\[\]\n]*\]\])*)\]",
    re.IGNORECASE,
)


class EdgeKind(StrEnum):
    REQUIRES = "requires"
    PART = "part"


class Edge(NamedTuple):
    source: str  # the topic that builds on (or encompasses) …
    target: str  # … this one
    weight: float  # 0 < weight ≤ 1: how much of `target` a session on `source` exercises
    kind: EdgeKind
    origin: str  # "file:line" where it was written


class Ref(NamedTuple):
    """A reference as written, before it is resolved to a card."""

    source: str  # card id, or a topic name to resolve (map files)
    text: str  # "[[Chain Rule]]@0.5", "Gradients", …
    kind: EdgeKind
    origin: str
    source_is_text: bool = False
    default: float = 1.0  # the weight when none is written


def split_refs(value: str) -> list[str]:
    """'[[A]], [[B|b]]@0.5, C' → ['[[A]]', '[[B|b]]@0.5', 'C'] (commas inside links kept)."""
    parts: list[str] = []
    depth, start = 0, 0
    for i, char in enumerate(value):
        if value.startswith("[[", i):
            depth += 1
        elif value.startswith("]]", i) and depth:
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    return [p.strip() for p in parts if p.strip()]


def inline_refs(text: str) -> tuple[str, tuple[str, ...]]:
    """An item's text without its `requires::` fields, and the references they hold."""
    found: list[str] = []

    def take(match: re.Match[str]) -> str:
        found.extend(split_refs(match.group("paren") or match.group("bracket") or ""))
        return " "

    return INLINE_FIELD.sub(take, text), tuple(found)


def parse_ref(text: str, default: float = 1.0) -> tuple[str, float]:
    """'[[Chain Rule|the rule]]@0.5' → ('Chain Rule', 0.5); `default` when no weight is
    written. Raises ValueError."""
    match = _REF.match(text)
    if not match:
        raise ValueError(f"cannot read '{text}' (write [[Topic]] or [[Topic]]@0.5)")
    target = match.group("link") or match.group("plain") or ""
    target = target.split("|", 1)[0].split("#", 1)[0].strip()
    if not target:
        raise ValueError(f"'{text}' names no topic")
    raw = match.group("weight")
    if raw is None:
        return target, default
    try:
        weight = float(raw)
    except ValueError:
        raise ValueError(f"weight '{raw}' in '{text}' is not a number") from None
    if not 0 < weight <= 1:
        raise ValueError(f"weight {raw} in '{text}' must be more than 0 and at most 1")
    return target, weight


def map_refs(text: str, source: str) -> tuple[list[Ref], list[str]]:
    """References from a prerequisite map (TOML), and the problems in it.

    ```toml
    [requires]            # topic = what it builds on
    "Backpropagation" = ["Chain Rule", "Gradients@0.8"]
    [parts]               # topic = what it encompasses, in no order
    "Linear Algebra" = ["Matrices and Vectors"]
    ```
    """
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return [], [f"{source}: not valid TOML ({error})"]
    lines = text.splitlines()
    refs: list[Ref] = []
    problems: list[str] = []
    tables = {"requires": EdgeKind.REQUIRES, "parts": EdgeKind.PART}
    for name, value in data.items():
        if name not in tables or not isinstance(value, dict):
            where = _line_of(lines, f"[{name}]") or _line_of(lines, name) or 1
            problems.append(f"{source}:{where}: unknown table '{name}' (use [requires] or [parts])")
            continue
        header = _line_of(lines, f"[{name}]") or 1
        for topic, items in value.items():
            line = _line_of(lines, topic, after=header) or header
            origin = f"{source}:{line}"
            if isinstance(items, str):
                items = split_refs(items)
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                problems.append(f"{origin}: '{topic}' must list topics as strings")
                continue
            refs += [Ref(topic, item, tables[name], origin, source_is_text=True) for item in items]
    return refs, problems


def _line_of(lines: Sequence[str], key: str, after: int = 0) -> int | None:
    """1-based line where a TOML key (bare or quoted) or header starts."""
    forms = (key, f'"{key}"', f"'{key}'")
    for number in range(after, len(lines)):
        stripped = lines[number].lstrip()
        if any(stripped.startswith(form) for form in forms):
            return number + 1
    return None


Resolver = Callable[[str], tuple[str, ...]]


def title_resolver(roadmap: Roadmap) -> Resolver:
    """A topic named by id, title or linked note name (case-insensitively)."""
    names: dict[str, list[str]] = {}
    for card in roadmap.cards:
        keys = {card.id, card.title.casefold()}
        if card.note:
            keys.add(card.note.rsplit("/", 1)[-1].casefold())
        for key in keys:
            names.setdefault(key, []).append(card.id)

    def resolve(text: str) -> tuple[str, ...]:
        return tuple(names.get(text, names.get(text.strip().casefold(), [])))

    return resolve


@dataclass(frozen=True)
class Graph:
    """Resolved edges; cycles are broken (and reported), so nothing loops on them."""

    edges: tuple[Edge, ...] = ()
    problems: tuple[str, ...] = ()
    _down: dict[str, list[Edge]] = field(default_factory=dict, compare=False, repr=False)
    _up: dict[str, list[Edge]] = field(default_factory=dict, compare=False, repr=False)
    _memo: dict[tuple[str, bool, float], dict[str, float]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for edge in self.edges:
            self._down.setdefault(edge.source, []).append(edge)
            self._up.setdefault(edge.target, []).append(edge)

    @property
    def key(self) -> tuple[tuple[str, str, float, str], ...]:
        """What a snapshot of memories depends on."""
        return tuple((e.source, e.target, e.weight, e.kind.value) for e in self.edges)

    def requires(self, card_id: str) -> tuple[str, ...]:
        """Direct prerequisites: the gate keeps `card_id` new until they are satisfied."""
        edges = self._down.get(card_id)
        if not edges:
            return ()
        return tuple(e.target for e in edges if e.kind is EdgeKind.REQUIRES)

    def dependents(self, card_id: str) -> tuple[str, ...]:
        """Cards that directly require `card_id`."""
        edges = self._up.get(card_id)
        if not edges:
            return ()
        return tuple(e.source for e in edges if e.kind is EdgeKind.REQUIRES)

    def direct(self, card_id: str) -> list[Edge]:
        """Edges from `card_id` to what it exercises directly."""
        return self._down.get(card_id, [])

    def below(self, card_id: str, floor: float) -> dict[str, float]:
        """Everything `card_id` exercises, transitively: weight = product along the best
        path, pruned below `floor`."""
        return self._reach(card_id, True, floor)

    def above(self, card_id: str, floor: float) -> dict[str, float]:
        """Everything that builds on `card_id`, transitively (the same weights)."""
        return self._reach(card_id, False, floor)

    def _reach(self, start: str, down: bool, floor: float) -> dict[str, float]:
        key = (start, down, floor)
        if key in self._memo:
            return self._memo[key]
        best: dict[str, float] = {start: 1.0}
        heap = [(-1.0, start)]
        adjacency = self._down if down else self._up
        while heap:
            negative, node = heapq.heappop(heap)
            if -negative < best.get(node, 0.0):
                continue
            for edge in adjacency.get(node, ()):
                other = edge.target if down else edge.source
                weight = -negative * edge.weight
                if weight >= floor and weight > best.get(other, 0.0):
                    best[other] = weight
                    heapq.heappush(heap, (-weight, other))
        del best[start]
        self._memo[key] = best
        return best


EMPTY_GRAPH = Graph()


def build(roadmap: Roadmap, refs: Sequence[Ref], resolve: Resolver | None = None) -> Graph:
    """The graph of a roadmap: nesting, then the written references. Unknown topics and
    cycles are reported as "file:line: message" and left out."""
    refs = [*_inline(roadmap), *refs]
    nested = any(card.parent is not None for card in roadmap.cards)
    if not refs and not nested:
        return EMPTY_GRAPH  # the common case of a plain roadmap: nothing to resolve
    resolve = resolve or title_resolver(roadmap)
    cards = roadmap.by_id()
    edges: dict[tuple[str, str], Edge] = {}
    problems: list[str] = []

    def add(edge: Edge) -> None:
        if edge.source == edge.target:
            return

        def rank(e: Edge) -> tuple[bool, float]:  # a prerequisite (it gates) over a part
            return (e.kind is EdgeKind.REQUIRES, e.weight)

        known = edges.get((edge.source, edge.target))
        if known is None or rank(edge) > rank(known):
            edges[(edge.source, edge.target)] = edge

    for card in roadmap.cards:
        if card.parent is not None:
            add(
                Edge(
                    card.parent,
                    card.id,
                    NESTING_WEIGHT,
                    EdgeKind.PART,
                    f"{roadmap.source}:{card.line}",
                )
            )
    for ref in refs:
        sources = resolve(ref.source) if ref.source_is_text else (ref.source,)
        if not sources:
            problems.append(f"{ref.origin}: no topic '{ref.source}' in {roadmap.source}")
            continue
        try:
            target, weight = parse_ref(ref.text, ref.default)
        except ValueError as error:
            problems.append(f"{ref.origin}: {error}")
            continue
        targets = resolve(target)
        if not targets:
            name = cards[sources[0]].title if sources[0] in cards else sources[0]
            problems.append(
                f"{ref.origin}: '{name}' {ref.kind.value} unknown topic '{target}'; "
                "link a title, id or note of the roadmap"
            )
            continue
        for source in sources:
            for found in targets[:1]:  # a repeated title means its first card
                add(Edge(source, found, weight, ref.kind, ref.origin))
    collected = []
    for edge in edges.values():
        needs, needed = cards.get(edge.source), cards.get(edge.target)
        if (
            edge.kind is EdgeKind.REQUIRES
            and needs is not None
            and needed is not None
            and needs.section is not None
            and needed.section is not None
            and needed.section > needs.section
        ):
            problems.append(
                f"{edge.origin}: '{needs.title}' (section {needs.section}) requires "
                f"'{needed.title}' from the later section {needed.section}, which opens only "
                "after it: the link is ignored; move one of them or make it a [parts] link"
            )
            continue
        collected.append(edge)
    requires = any(e.kind is EdgeKind.REQUIRES for e in collected)
    kept, loops = _break_cycles(roadmap, collected) if requires else (collected, [])
    titles = {card.id: card.title for card in roadmap.cards}
    for loop, dropped in loops:
        path = " → ".join(titles.get(i, i) for i in loop)
        problems.append(
            f"{dropped.origin}: prerequisite cycle: {path}; these topics wait for each other "
            f"forever, so '{titles.get(dropped.source)} requires {titles.get(dropped.target)}' "
            "is ignored until you remove one of them"
        )
    return Graph(edges=tuple(kept), problems=tuple(problems))


def _inline(roadmap: Roadmap) -> list[Ref]:
    return [
        Ref(card.id, text, EdgeKind.REQUIRES, f"{roadmap.source}:{card.line}")
        for card in roadmap.cards
        for text in card.needs
    ]


def _break_cycles(
    roadmap: Roadmap, edges: list[Edge]
) -> tuple[list[Edge], list[tuple[list[str], Edge]]]:
    """Drop the `requires` edge that closes each cycle of the gate (prerequisites, and a
    child waiting for its parent). An iterative depth-first search: long chains cannot
    exhaust the stack."""
    waits: dict[str, list[tuple[str, Edge | None]]] = {card.id: [] for card in roadmap.cards}
    for card in roadmap.cards:
        if card.parent is not None and card.parent in waits:
            waits[card.id].append((card.parent, None))
    for edge in edges:
        if edge.kind is EdgeKind.REQUIRES and edge.source in waits:
            waits[edge.source].append((edge.target, edge))
    dropped: set[tuple[str, str]] = set()
    loops: list[tuple[list[str], Edge]] = []
    done: set[str] = set()
    for start in waits:
        if start in done:
            continue
        path: list[str] = [start]
        via: list[Edge | None] = []
        on_path = {start}
        stack = [iter(waits[start])]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                finished = path.pop()
                if via:
                    via.pop()
                on_path.discard(finished)
                done.add(finished)
                continue
            nxt, through = step
            if through is not None and (through.source, through.target) in dropped:
                continue
            if nxt in on_path:
                at = path.index(nxt)
                chain = [*via[at:], through]
                closing = next((e for e in reversed(chain) if e is not None), None)
                if closing is not None:
                    dropped.add((closing.source, closing.target))
                    loops.append(([*path[at:], nxt], closing))
            elif nxt not in done and nxt in waits:
                path.append(nxt)
                via.append(through)
                on_path.add(nxt)
                stack.append(iter(waits[nxt]))
    return [e for e in edges if (e.source, e.target) not in dropped], loops
