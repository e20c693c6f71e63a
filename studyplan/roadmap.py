"""Markdown roadmap text → cards. Pure: takes text, returns a `Roadmap`, keeps line numbers.

The bundled roadmap (`data/ml-learning-path.md`) is the specification: numbered `##`
sections, `###` subsections, checkbox items, wikilinks, Obsidian callouts and comments.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from studyplan.errors import RoadmapError
from studyplan.graph import inline_refs
from studyplan.model import Card, Kind, Mark, Roadmap, Section

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_CALLOUT = re.compile(r"^(?:[ \t]{0,3}>[ \t]?)+")
_CHECKBOX = re.compile(
    r"^(?P<indent>[ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+\[(?P<mark>[^\]\n])\][ \t]+(?P<text>\S.*?)\s*$"
)
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]")
_WIKILINK = re.compile(r"\[\[([^\[\]\n]+?)\]\]")
_EMBED = re.compile(r"!\[\[[^\[\]\n]*\]\]|!\[[^\]\n]*\]\([^)\n]*\)")
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_BLOCK_ID = re.compile(r"\s\^[A-Za-z0-9-]+$")
_EMPHASIS = re.compile(r"\*\*|__|~~|==|`")
_SECTION_NUMBER = re.compile(
    r"^(?:(?:phase|part|section|step|stage|module|unit|chapter|level|week)[ \t]*)?"
    r"(\d{1,3})(?:[ \t]*[.):\-–—]+[ \t]*|[ \t]+|$)(.*)$",
    re.IGNORECASE,
)
_TRAILING_JUNK = re.compile(r"[\s\-–—:|,;]+$")
_LEADING_JUNK = re.compile(r"^[\s\-–—:|,;]+")

_MARKS = {" ": Mark.OPEN, "x": Mark.DONE, "X": Mark.DONE, "-": Mark.SKIPPED}


def slugify(text: str) -> str:
    """A readable, stable id fragment: 'Bias-Variance Tradeoff' → 'bias-variance-tradeoff'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    slug = re.sub(r"[\W_]+", "-", plain).strip("-")
    return slug or "item"


@dataclass(frozen=True, slots=True)
class Link:
    target: str  # note name or path, without the anchor
    anchor: str | None  # "#Heading" or "#^block"
    alias: str | None

    @classmethod
    def parse(cls, inner: str) -> Link:
        target, _, alias = inner.partition("|")
        target, hash_, anchor = target.partition("#")
        return cls(
            target=target.strip(),
            anchor=f"#{anchor.strip()}" if hash_ and anchor.strip() else None,
            alias=alias.strip() or None,
        )

    @property
    def display(self) -> str:
        if self.alias:
            return self.alias
        name = self.target.rsplit("/", 1)[-1] or self.target
        if self.anchor and not self.anchor.startswith("#^"):
            return f"{name} > {self.anchor[1:]}" if name else self.anchor[1:]
        return name


@dataclass(frozen=True, slots=True)
class ItemText:
    title: str
    kind: Kind
    link: Link | None
    needs: tuple[str, ...] = ()


def parse_item_text(text: str) -> ItemText | None:
    """Title, kind and note of a checkbox item's text; None when nothing studyable is left."""
    text, needs = inline_refs(text)
    item = _item_text(text)
    return ItemText(item.title, item.kind, item.link, needs) if item and needs else item


def _item_text(text: str) -> ItemText | None:
    text = _BLOCK_ID.sub("", _EMBED.sub(" ", text))
    links = [Link.parse(m.group(1)) for m in _WIKILINK.finditer(text)]
    links = [link for link in links if link.target or link.anchor]
    outside = _clean(_WIKILINK.sub(" ", text))
    if not outside:
        if not links:
            return None
        link = links[0]
        title = Link(link.target, link.anchor, None).display if link.target else link.display
        return ItemText(title=title, kind=Kind.NOTE, link=link)
    # Trailing links ("Linear Regression [[Linear Regression|Notes]]") point at the note;
    # links inside the sentence read as their display text.
    body = text
    while True:
        match = re.search(r"\[\[([^\[\]\n]+?)\]\][\s\-–—:|,;]*$", body)
        if not match:
            break
        body = body[: match.start()]
    body = _WIKILINK.sub(lambda m: Link.parse(m.group(1)).display, body)
    title = _clean(body)
    if not title:
        return None
    return ItemText(title=title, kind=Kind.TOPIC, link=links[0] if links else None)


def _clean(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    text = re.sub(r"\s+", " ", text)
    return _LEADING_JUNK.sub("", _TRAILING_JUNK.sub("", text))


def parse_section_heading(heading: str, line: int) -> Section:
    """'📚 1. Prerequisites & Fundamentals' → Section(1, 'Prerequisites & Fundamentals')."""
    plain = _EMPHASIS.sub("", heading).strip()
    start = 0
    while start < len(plain) and not plain[start].isalnum():
        start += 1
    bare = plain[start:]
    match = _SECTION_NUMBER.match(bare)
    if match:
        title = match.group(2).strip() or bare
        return Section(number=int(match.group(1)), title=title, line=line, heading=heading)
    return Section(number=None, title=bare or plain, line=line, heading=heading)


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


@dataclass(slots=True)
class _Raw:
    title: str
    kind: Kind
    link: Link | None
    mark_char: str
    section: Section | None
    subsection: str | None
    parent: int | None  # index into the raw list
    line: int
    needs: tuple[str, ...] = ()
    slug: str = ""
    id: str = ""


def split_front_matter(text: str) -> tuple[str | None, int]:
    """The front-matter block (or None) and how many lines it takes."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, 0
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[: index + 1]) + "\n", index + 1
    raise RoadmapError("front matter opened on line 1 is never closed with '---'")


def _front_matter(text: str, block: str | None) -> dict[str, Any]:
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
    return {str(key): _normalise(value) for key, value in metadata.items()}


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


def parse(text: str, source: str = "roadmap.md") -> Roadmap:
    """Parse a roadmap. Raises RoadmapError (without the file name: the caller adds it)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    block, skip = split_front_matter(text)
    meta = _front_matter(text, block)
    lines = text.split("\n")

    scan = _Scan()
    sections: list[Section] = []
    section: Section | None = None
    subsection: str | None = None
    first_h1: str | None = None
    raws: list[_Raw] = []
    stack: list[tuple[int, int]] = []  # (indent, raw index) of open checkbox items

    for number in range(skip, len(lines)):
        lineno = number + 1
        content = scan.visible(_CALLOUT.sub("", lines[number]))
        if content is None:
            continue
        heading = _HEADING.match(content) if not content.startswith((" ", "\t")) else None
        if heading:
            level = len(heading.group(1))
            title = heading.group(2).strip()
            if level == 1:
                first_h1 = first_h1 or _clean(title)
            elif level == 2:
                section = parse_section_heading(title, lineno)
                sections.append(section)
                subsection = None
            else:
                subsection = _clean(title)
            stack.clear()
            continue
        match = _CHECKBOX.match(content)
        if not match:
            if content.strip() and not _LIST_ITEM.match(content) and not content[0].isspace():
                stack.clear()  # a paragraph ends the list
            continue
        item = parse_item_text(match.group("text"))
        if item is None:
            continue
        indent = len(match.group("indent").expandtabs(4))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1] if stack else None
        raws.append(
            _Raw(
                title=item.title,
                kind=item.kind,
                link=item.link,
                mark_char=match.group("mark"),
                section=section,
                subsection=subsection,
                parent=parent,
                line=lineno,
                needs=item.needs,
            )
        )
        stack.append((indent, len(raws) - 1))

    if not raws:
        raise RoadmapError("no checkbox items found (write topics as '- [ ] Topic')")

    _assign_ids(raws)
    cards = tuple(
        Card(
            id=raw.id,
            title=raw.title,
            kind=raw.kind,
            section=raw.section.number if raw.section else None,
            section_title=raw.section.title if raw.section else "",
            subsection=raw.subsection,
            note=(raw.link.target or None) if raw.link else None,
            anchor=raw.link.anchor if raw.link else None,
            mark=_MARKS.get(raw.mark_char, Mark.OTHER),
            mark_char=raw.mark_char,
            parent=raws[raw.parent].id if raw.parent is not None else None,
            line=raw.line,
            order=index,
            section_heading=raw.section.heading if raw.section else "",
            needs=raw.needs,
        )
        for index, raw in enumerate(raws)
    )
    title = meta.get("title")
    name = source.replace("\\", "/").rsplit("/", 1)[-1]
    return Roadmap(
        title=str(title) if title else first_h1 or name.removesuffix(".md"),
        source=source,
        sections=tuple(sections),
        cards=cards,
        tags=_string_list(meta.get("tags")),
        aliases=_string_list(meta.get("aliases")),
    )


def _section_key(section: Section | None) -> str:
    if section is None:
        return "top"
    if section.number is not None:
        return f"s{section.number}"
    return slugify(section.title)


def _assign_ids(raws: list[_Raw]) -> None:
    """Readable ids that survive re-ordering, ticking and adding other items.

    A title's slug is its id; when several items share a title, the first in document
    order keeps the bare slug and later ones are qualified by section, then by their
    parent or subsection, then by a counter.
    """
    for raw in raws:
        raw.slug = slugify(raw.title)
    taken: set[str] = set()
    counts = Counter(raw.slug for raw in raws)
    bare = {raw.slug for raw in raws if counts[raw.slug] == 1}
    for raw in raws:
        candidates = [raw.slug]
        if raw.slug not in bare:
            qualified = f"{raw.slug}-{_section_key(raw.section)}"
            candidates.append(qualified)
            context = raws[raw.parent].slug if raw.parent is not None else raw.subsection
            if context:
                candidates.append(f"{qualified}-{slugify(context)}")
        chosen = next((c for c in candidates if c not in taken), None)
        if chosen is None:
            base, n = candidates[-1], 2
            while f"{base}-{n}" in taken:
                n += 1
            chosen = f"{base}-{n}"
        raw.id = chosen
        taken.add(chosen)
