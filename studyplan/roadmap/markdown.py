"""A checkbox roadmap's text → cards. Pure: takes text, returns a `Roadmap`, keeps line
numbers (`sync` ticks the box on a card's line).

Blocks are read line by line (fences, Obsidian callouts and `%%` comments, list nesting,
lazy continuation lines); each item's inline Markdown is read by `inline`. The bundled
roadmap (`data/ml-learning-path.md`) is the first specification; real roadmaps learners
bring (numbered or unnumbered headings at any level, link items, plain bullets and
`- ### Topic` headings as context, custom check marks) are the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from studyplan.errors import RoadmapError
from studyplan.model import Card, Kind, Mark, Resource, Roadmap, Section
from studyplan.roadmap import ids
from studyplan.roadmap.inline import Link, References, parse_item_text, plain, references
from studyplan.roadmap.sections import section_of

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_CALLOUT = re.compile(r"^(?:[ \t]{0,3}>[ \t]?)+")
_CHECKBOX = re.compile(
    r"^(?P<indent>[ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+\[(?P<mark>[^\]\n][\ufe0e\ufe0f]?)\]"
    r"[ \t]+(?P<text>\S.*?)\s*$"
)
_LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?:[-*+]|\d{1,9}[.)])(?:[ \t]+(?P<text>.*?))?\s*$")
_LIST_HEADING = re.compile(r"^#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$")
_REFERENCE = re.compile(r"^[ \t]{0,3}\[([^\]\n]+)\]:[ \t]*<?(\S+?)>?(?:[ \t]+.*)?$")
_THEMATIC = re.compile(r"^[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")

_MARKS = {
    " ": Mark.OPEN,
    "x": Mark.DONE,
    "X": Mark.DONE,
    "-": Mark.SKIPPED,
    **dict.fromkeys("✅✔✓☑", Mark.DONE),
}

RESOURCE_GROUPS = frozenset(
    [
        "beginner",
        "intermediate",
        "practical",
        "advanced",
        "book",
        "books",
        "video",
        "videos",
        "series",
        "mooc",
        "moocs",
        "resource",
        "resources",
        "podcast",
        "podcasts",
        "article",
        "articles",
        "course",
        "courses",
        "link",
        "links",
        "reading",
        "readings",
        "further",
        "reference",
        "references",
        "tutorial",
        "tutorials",
        "paper",
        "papers",
        "community",
        "communities",
        "conference",
        "conferences",
        "game",
        "games",
        "blog",
        "blogs",
        "more",
        "other",
        "useful",
        "recommended",
        "my",
        "the",
        "and",
        "of",
        "for",
        "free",
        "paid",
        "online",
        "extra",
        "extras",
        "additional",
        "optional",
        "material",
        "materials",
        "tool",
        "tools",
        "website",
        "websites",
        "channel",
        "channels",
        "talk",
        "talks",
        "newsletter",
        "newsletters",
    ]
)
"""Words of a heading that names a kind of link ("Beginner Books", "Video Series"): such a
group of resources is not itself a topic to review."""


def mark_of(char: str) -> Mark:
    return _MARKS.get(char.rstrip("\ufe0e\ufe0f"), Mark.OTHER)


@dataclass(slots=True)
class _Scan:
    """Line-by-line state: fences and multi-line comments hide checkboxes."""

    fence: str | None = None
    html_comment: bool = False
    percent_comment: bool = False

    def visible(self, line: str) -> str | None:
        """The part of `line` that is Markdown content, or None inside a code block."""
        if self.fence is not None:
            match = _FENCE.match(line)
            if (
                match
                and match.group(1)[0] == self.fence[0]
                and len(match.group(1)) >= len(self.fence)
            ) and not line[match.end() :].strip():
                self.fence = None
            return None
        opens_hidden = self.html_comment or self.percent_comment
        text = self._strip_comments(line)
        if opens_hidden or line.lstrip().startswith(("%%", "<!--")):
            text = text.lstrip()  # "%% note %% - [ ] Item": the item starts the line
        match = _FENCE.match(text)
        if match:
            self.fence = match.group(1)
            return None
        return text

    def _strip_comments(self, line: str) -> str:
        out: list[str] = []
        i = 0
        while i < len(line):
            if self.html_comment or self.percent_comment:
                closer = "-->" if self.html_comment else "%%"
                end = line.find(closer, i)
                if end < 0:
                    return "".join(out)
                self.html_comment = self.percent_comment = False
                i = end + len(closer)
                continue
            html = line.find("<!--", i)
            pct = line.find("%%", i)
            starts = [p for p in (html, pct) if p >= 0]
            if not starts:
                out.append(line[i:])
                break
            first = min(starts)
            out.append(line[i:first])
            if first == html:
                self.html_comment = True
                i = first + 4
            else:
                self.percent_comment = True
                i = first + 2
        return "".join(out)


@dataclass(frozen=True, slots=True)
class _Heading:
    """A heading, read once: the words it shows, and the section it would make."""

    level: int
    line: int
    shown: str  # without markup
    section: Section

    @classmethod
    def read(cls, level: int, text: str, line: int, env: References) -> _Heading:
        shown = plain(text, env)
        return cls(level, line, shown, section_of(shown, text, line))


@dataclass(slots=True)
class _Raw:
    """A checkbox item (or a topic made from a group of resources) being read."""

    text: str
    mark_char: str
    line: int
    indent: int
    headings: tuple[_Heading, ...]  # the enclosing heading of each level, outermost first
    labels: tuple[str, ...]  # plain bullets and `- ### Topic` headings it sits under
    parent: int | None  # index of the enclosing checkbox item
    group: tuple[Any, ...]  # what it shares with its siblings: headings, labels, parent
    link_lines: list[str] = field(default_factory=list)  # link bullets under it
    notes: list[str] = field(default_factory=list)  # plain bullets under it
    children: int = 0
    # filled in once the whole file is read
    title: str = ""
    kind: Kind = Kind.TOPIC
    link: Link | None = None
    needs: tuple[str, ...] = ()
    resources: tuple[Resource, ...] = ()
    description: str | None = None
    estimate: int | None = None
    label: bool = False
    section: Section | None = None
    subsection: str | None = None
    after: tuple[int, ...] = ()
    dropped: bool = False
    slug: str = ""
    id: str = ""
    section_key: str = "top"
    context: str | None = None


@dataclass(slots=True)
class _Entry:
    """An open list item on the nesting stack."""

    indent: int
    raw: int | None  # the checkbox item, or None for a plain bullet
    label: str | None = None


def split_front_matter(text: str) -> tuple[str | None, int]:
    """The front-matter block (or None) and how many lines it takes."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, 0
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[: index + 1]) + "\n", index + 1
    raise RoadmapError("front matter opened on line 1 is never closed with '---'")


def front_matter(block: str | None) -> dict[str, Any]:
    if block is None:
        return {}
    import yaml  # only roadmaps that have front matter pay for YAML
    from frontmatter.default_handlers import YAMLHandler

    inner = block.split("\n", 1)[1].rsplit("\n", 2)[0]  # between the two fences
    try:
        metadata = YAMLHandler().load(inner)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 2}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise RoadmapError(f"broken front matter at{where}: {problem}") from None
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise RoadmapError("broken front matter: expected 'key: value' lines")
    problem = shapeless(metadata)
    if problem:
        raise RoadmapError(f"broken front matter: {problem}")
    return {str(key): _normalise(value) for key, value in metadata.items()}


MAX_DEPTH, MAX_NODES = 32, 100_000


def shapeless(value: Any) -> str | None:
    """Why a YAML value cannot be used as data (an alias that contains itself, nesting
    deeper than MAX_DEPTH, aliases that multiply into more than MAX_NODES values), or
    None. Walked without recursion."""
    stack: list[tuple[Any, int, frozenset[int]]] = [(value, 0, frozenset())]
    seen = 0
    while stack:
        item, depth, path = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            return f"more than {MAX_NODES:,} values (aliases that multiply?)"
        if not isinstance(item, list | dict):
            continue
        if id(item) in path:
            return "a YAML alias (*name) refers to itself; write the value out"
        if depth >= MAX_DEPTH:
            return f"nested more than {MAX_DEPTH} levels deep"
        inner = path | {id(item)}
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1, inner) for child in children)
    return None


def _normalise(value: Any) -> Any:
    """YAML dates become ISO strings so every value is printable and JSON-able."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in value.items()}
    return value


def _string_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part for part in re.split(r"[,\s]+", value) if part)
    if isinstance(value, list):
        return tuple(str(item) for item in value if item is not None)
    return (str(value),)


def normalise_text(text: str) -> str:
    """One kind of line ending, no BOM, and no escape sequences or control characters
    (a title never drives the terminal it is printed on); lines stay where they were."""
    from studyplan.cells import scrub

    if text.startswith("\ufeff"):
        text = text[1:]
    return scrub(text.replace("\r\n", "\n").replace("\r", "\n"))


def link_definitions(lines: list[str]) -> References:
    """Every `[label]: url` line, for reference-style links and images anywhere."""
    found: dict[str, str] = {}
    for line in lines:
        match = _REFERENCE.match(line)
        if match and not match.group(1).startswith("^"):
            found.setdefault(match.group(1), match.group(2))
    return references(found) if found else {}


def _links_only(text: str) -> bool:
    """A bullet that is nothing but links ("📖 [Title - MDN](url)", "[Video](…), [Slides](…)")."""
    if "](" not in text and "][" not in text:
        return False
    rest = re.sub(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\([^)]*(?:\([^)]*\)[^)]*)*\)", " ", text)
    rest = re.sub(r"!?\[[^\]]*\]\[[^\]]*\]", " ", rest)
    return not re.sub(r"[\W\d_]+", "", rest.split(":", 1)[0])


def _continuation(lines: list[str], number: int) -> tuple[list[str], int]:
    """The lines that continue the list item on line `number` (a wrapped item, indented
    or lazy, as CommonMark reads it), and the last line they take."""
    quoted = bool(_CALLOUT.match(lines[number]))
    more: list[str] = []
    while number + 1 < len(lines):
        line = lines[number + 1]
        if bool(_CALLOUT.match(line)) != quoted:
            break
        text = _CALLOUT.sub("", line)
        stripped = text.strip()
        if (
            not stripped
            or _FENCE.match(text)
            or _THEMATIC.match(text)
            or _LIST_ITEM.match(text)
            or stripped.startswith(("#", "%%", "<!--", "|", "<"))
        ):
            break
        more.append(stripped)
        number += 1
    return more, number


def parse(text: str, source: str = "roadmap.md") -> Roadmap:
    """Parse a roadmap. Raises RoadmapError (without the file name: the caller adds it)."""
    text = normalise_text(text)
    block, skip = split_front_matter(text)
    meta = front_matter(block)
    lines = text.split("\n")
    env = link_definitions(lines)

    scan = _Scan()
    headings: list[_Heading | None] = [None] * 7  # the open heading of each level
    first_h1: str | None = None
    title_line = 0  # the first `#` heading: the document's title, not a section
    raws: list[_Raw] = []
    stack: list[_Entry] = []
    sibling: int | None = None  # the checkbox a following link bullet belongs to
    number = skip - 1
    while number + 1 < len(lines):
        number += 1
        lineno = number + 1
        content = scan.visible(_CALLOUT.sub("", lines[number]))
        if content is None or not content.strip():
            continue
        heading = _HEADING.match(content) if not content.startswith((" ", "\t")) else None
        if heading:
            level = len(heading.group(1))
            title = heading.group(2).strip()
            if level == 1 and first_h1 is None:
                first_h1, title_line = plain(title, env, emoji=True), lineno
            headings[level] = _Heading.read(level, title, lineno, env)
            for deeper in range(level + 1, 7):
                headings[deeper] = None
            stack.clear()
            sibling = None
            continue
        check = _CHECKBOX.match(content)
        item = None if _THEMATIC.match(content) else check or _LIST_ITEM.match(content)
        if item is None:
            if not content[0].isspace():
                stack.clear()  # a paragraph ends the list
            continue
        more, number = _continuation(lines, number)
        indent = len(item.group("indent").expandtabs(4))
        while stack and stack[-1].indent >= indent:
            stack.pop()
        owner = next((e.raw for e in reversed(stack) if e.raw is not None), None)
        if check is None:
            body = " ".join([(item.group("text") or "").strip(), *more]).strip()
            if not body:
                continue
            list_heading = _LIST_HEADING.match(body)
            if _links_only(body) and list_heading is None:
                same = sibling is not None and raws[sibling].indent == indent
                target = sibling if same else owner
                if target is not None:
                    raws[target].link_lines.append(body)
                continue
            label = plain(list_heading.group(1) if list_heading else body, env)
            if owner is not None and list_heading is None:
                raws[owner].notes.append(label)
            stack.append(_Entry(indent, None, label.rstrip(":") or None))
            sibling = None
            continue
        labels = tuple(e.label for e in stack if e.raw is None and e.label)
        levels = tuple(h for h in headings[1:] if h is not None)
        raws.append(
            _Raw(
                text="\n".join([check.group("text"), *more]),
                mark_char=check.group("mark"),
                line=lineno,
                indent=indent,
                headings=levels,
                labels=labels,
                parent=owner,
                group=(tuple(h.line for h in levels), labels, owner),
            )
        )
        if owner is not None:
            raws[owner].children += 1
        stack.append(_Entry(indent, len(raws) - 1))
        sibling = len(raws) - 1

    cards = _cards(raws, env, title_line)
    if not cards:
        raise RoadmapError(
            "no checkbox items found; 'studyplan import FILE -o NOTE.md' converts lists, "
            "tables and headings into a checkbox roadmap (or write topics as '- [ ] Topic')"
        )
    sections: dict[int, Section] = {}
    for raw in raws:
        if raw.section is not None and not raw.dropped:
            sections.setdefault(raw.section.line, raw.section)
    title = meta.get("title")
    name = source.replace("\\", "/").rsplit("/", 1)[-1]
    return Roadmap(
        title=str(title) if title else first_h1 or name.removesuffix(".md"),
        source=source,
        sections=tuple(sections.values()),
        cards=cards,
        tags=_string_list(meta.get("tags")),
        aliases=_string_list(meta.get("aliases")),
    )


def _cards(raws: list[_Raw], env: References, title_line: int) -> tuple[Card, ...]:
    for raw in raws:
        item = parse_item_text(raw.text, env)
        if item is None:
            raw.dropped = True
            continue
        raw.title, raw.kind, raw.link, raw.needs = item.title, item.kind, item.link, item.needs
        raw.description, raw.estimate = item.description, item.estimate
        raw.label = item.label
        found = list(item.resources)
        for line in raw.link_lines:
            linked = parse_item_text(line, env)
            found += linked.resources if linked else ()
        raw.resources = tuple(dict.fromkeys(found))
        if raw.notes and raw.description is None and raw.kind is not Kind.NOTE:
            raw.description = "; ".join(raw.notes)[:500] or None
    _unlabel(raws)
    _place(raws, title_line)
    raws = _grouped(raws)
    kept = [raw for raw in raws if not raw.dropped]
    for raw in kept:
        raw.slug = ids.slugify(raw.title)
    for raw in kept:
        raw.section_key = _section_key(raw.section)
        raw.context = raws[raw.parent].slug if raw.parent is not None else raw.subsection
    ids.assign(kept)
    index_of = {id(raw): position for position, raw in enumerate(raws)}
    order = {index_of[id(raw)]: n for n, raw in enumerate(kept)}
    positions = _positions(kept)
    numbered = any(raw.section is not None and raw.section.number is not None for raw in kept)
    if not numbered:  # no numbers anywhere: the sections' order is the document's
        for raw in kept:
            if raw.section is not None:
                raw.section = raw.section._replace(number=positions[raw.section.line])
    return tuple(
        Card(
            id=raw.id,
            title=raw.title,
            kind=raw.kind,
            section=raw.section.number if raw.section else None,
            section_title=raw.section.title if raw.section else "",
            subsection=raw.subsection,
            note=(raw.link.target or None) if raw.link else None,
            anchor=raw.link.anchor if raw.link else None,
            mark=mark_of(raw.mark_char) if raw.mark_char else Mark.OPEN,
            mark_char=raw.mark_char,
            parent=raws[raw.parent].id if raw.parent is not None else None,
            line=raw.line,
            order=order[index_of[id(raw)]],
            section_heading=raw.section.heading if raw.section else "",
            needs=raw.needs,
            estimate=raw.estimate,
            resources=raw.resources,
            description=raw.description,
            section_index=positions.get(raw.section.line) if raw.section else None,
            after=tuple(raws[i].id for i in raw.after),
        )
        for raw in kept
    )


def _unlabel(raws: list[_Raw]) -> None:
    """An item with nothing studyable left is no card; a plain label item ("Videos:")
    with items under it is a heading for them, not a topic to study first. Either way
    its children move up to its parent, and a label travels with them."""
    for index, raw in enumerate(raws):
        if raw.label and raw.children and not raw.dropped:
            raw.dropped = True
            carried: tuple[str, ...] = (raw.title,)
        elif raw.dropped:
            carried = ()
        else:
            continue
        for other in raws[index + 1 :]:
            if other.parent == index:
                other.parent = raw.parent
                other.labels = (*raw.labels, *carried)
                other.group = (other.group[0], other.labels, raw.parent)


def _place(raws: list[_Raw], title_line: int) -> None:
    """Each item's section (the level that numbers a study order, else the shallowest
    level below the title that holds items) and its subsection (what is nearer). An item
    under a shallower heading than that level (`# Motivation` among `##` sections) is
    in that heading's section, unless the heading is the document's title."""
    kept = [raw for raw in raws if not raw.dropped]
    level = _section_level(kept) or 1
    for raw in kept:
        own = next((h for h in raw.headings if h.level == level), None)
        if own is None:
            own = next(
                (h for h in reversed(raw.headings) if h.level < level and h.line != title_line),
                None,
            )
        raw.section = own.section if own is not None else None
        inner = [h for h in raw.headings if h.level > level]
        names = [inner[-1].shown] if inner else []
        names += list(raw.labels)
        raw.subsection = " › ".join(n for n in names if n) or None


def _section_level(raws: list[_Raw]) -> int | None:
    holding: dict[int, dict[int, _Heading]] = {}
    for raw in raws:
        for heading in raw.headings:
            if heading.level >= 2:
                holding.setdefault(heading.level, {})[heading.line] = heading
    if not holding:
        return None
    for level in sorted(holding):
        found = holding[level].values()
        numbered = sum(1 for h in found if h.section.number is not None)
        if numbered and numbered * 2 >= len(found):
            return level
    # No numbers: the shallowest level that divides the items, not a lone "## Progress".
    return next((level for level in sorted(holding) if len(holding[level]) > 1), min(holding))


def _positions(cards: list[_Raw]) -> dict[int, int]:
    """Each section (by heading line) → its position among the sections holding cards."""
    out: dict[int, int] = {}
    for raw in cards:
        if raw.section is not None and raw.section.line not in out:
            out[raw.section.line] = len(out) + 1
    return out


def _grouped(raws: list[_Raw]) -> list[_Raw]:
    """Where every item of a group (a heading, a plain bullet, a `- ### Topic`) is a
    resource, the group itself becomes a topic that comes back for review: the learner
    remembers Arrays, not a video about it. It waits for its resources."""
    members: dict[tuple[Any, ...], list[int]] = {}
    for index, raw in enumerate(raws):
        if not raw.dropped:
            members.setdefault(raw.group, []).append(index)
    made: dict[int, _Raw] = {}  # after which index
    for key, found in members.items():
        items = [raws[i] for i in found]
        if len(items) < 2 or any(r.kind is not Kind.RESOURCE for r in items):
            continue
        first = items[0]
        name, line = _group_name(first)
        if not name or set(re.findall(r"\w+", name.casefold())) <= RESOURCE_GROUPS:
            continue
        made[found[-1]] = _Raw(
            text=name,
            mark_char="",
            line=line,
            indent=first.indent,
            headings=first.headings,
            labels=first.labels,
            parent=first.parent,
            group=("topic", key),
            title=name,
            section=first.section,
            subsection=_parent_context(first),
            after=tuple(found),
        )
    if not made:
        return raws
    # Re-index: the new topics go right after their last resource.
    out: list[_Raw] = []
    moved: dict[int, int] = {}
    for index, raw in enumerate(raws):
        moved[index] = len(out)
        out.append(raw)
        if index in made:
            out.append(made[index])
    for raw in out:
        raw.parent = moved[raw.parent] if raw.parent is not None else None
        raw.after = tuple(moved[i] for i in raw.after)
    return out


def _group_name(raw: _Raw) -> tuple[str, int]:
    if raw.labels:
        return raw.labels[-1], raw.line
    if raw.headings:
        heading = raw.headings[-1]
        if heading.level >= 2:
            own = raw.section is not None and raw.section.line == heading.line
            return (heading.section.title if own else heading.shown), heading.line
    return "", raw.line


def _parent_context(raw: _Raw) -> str | None:
    """The subsection of a group's topic: what its items sit under, less the group."""
    if raw.labels and raw.subsection:
        return raw.subsection.rsplit(" › ", 1)[0] if " › " in raw.subsection else None
    return None


def _section_key(section: Section | None) -> str:
    if section is None:
        return "top"
    if section.number is not None:
        return f"s{section.number}"
    return ids.slugify(section.title)
