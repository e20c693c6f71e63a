"""A curriculum without checkboxes → a checkbox roadmap note, the learner's own from then.

Read shapes: tables of courses (one row a topic), numbered or bold bullet lists, plain
bullets under numbered or linked headings, a heading with prose and a list of links
under it (the heading is the topic, the links its resources), typed link lists
(`[@article@Title](url)`), numbered wikilink lists. The document is parsed as CommonMark
(with tables) by markdown-it-py. Pure: text in, note text out.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from studyplan.errors import RoadmapError
from studyplan.model import Kind, Resource
from studyplan.roadmap.inline import ItemText, parse_item_text, plain, render
from studyplan.roadmap.inline import estimate as read_estimate
from studyplan.roadmap.markdown import link_definitions, normalise_text, split_front_matter
from studyplan.roadmap.sections import heading_number

_SKIP_SECTIONS = re.compile(
    r"^(table of contents|contents|toc|license|licence|contributors?|contributing|sponsors?|"
    r"backers|support|acknowledg\w*|community|team|star history|translations?|follow me|"
    r"testimonials|faq|credits|authors?|about|summary|news|updates|what'?s new|changelog|"
    r"announcements?)\b",
    re.IGNORECASE,
)
_RESOURCE_LABEL = re.compile(
    r"^\W*(resources?|references?|links?|further reading|reading|videos?|articles?|"
    r"read more|materials?|sources?)\W*$",
    re.IGNORECASE,
)
_TITLE_COLUMN = re.compile(
    r"course|topic|title|name|notebook|section|subject|lesson|module|chapter|how to",
    re.IGNORECASE,
)
_ORDER_COLUMN = re.compile(r"^(#|no\.?|n°|number|order|day|week|step|index)$", re.IGNORECASE)
_PREREQ_COLUMN = re.compile(r"prereq|requires|depends", re.IGNORECASE)
_DESCRIPTION_COLUMN = re.compile(r"description|summary|about|notes?|goal", re.IGNORECASE)
_WEEKS = re.compile(r"(\d+(?:\.\d+)?)\s*weeks?", re.IGNORECASE)
_HOURS = re.compile(r"(\d+(?:\.\d+)?)(?:\s*[-–]\s*(\d+(?:\.\d+)?))?\s*(?:hours?|hrs?|h)\b", re.I)


@dataclass(slots=True)
class Topic:
    title: str
    kind: Kind = Kind.TOPIC
    description: str | None = None
    estimate: int | None = None
    resources: list[Resource] = field(default_factory=list)
    requires: list[str] = field(default_factory=list)
    note: str | None = None  # a wikilink target


@dataclass(slots=True)
class _Section:
    title: str
    number: int | None
    links: list[Resource] = field(default_factory=list)  # the heading's own link
    topics: list[Topic] = field(default_factory=list)
    spare: list[Resource] = field(default_factory=list)  # link lists under the heading
    intro: list[Topic] = field(default_factory=list)  # prose before the first heading


@dataclass(frozen=True, slots=True)
class Imported:
    note: str  # the checkbox roadmap, Markdown
    topics: int
    sections: int


def convert(text: str, title: str | None = None, fallback: str = "Imported roadmap") -> Imported:
    """The checkbox roadmap note for a curriculum. Raises RoadmapError when nothing in
    it reads as a topic."""
    from markdown_it import MarkdownIt

    text = normalise_text(text)
    _, skip = split_front_matter(text)
    lines = text.split("\n")
    body = "\n".join([""] * skip + lines[skip:])
    env = link_definitions(lines)
    tokens = MarkdownIt("commonmark").enable("table").parse(body, {"references": env})
    sections: list[_Section] = []
    current: _Section | None = None
    doc_title = title
    skipping = False
    resource_next = False  # the list follows a "Resources:" label
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            level = int(token.tag[1])
            inline = tokens[i + 1]
            shown = plain(inline.content, env)
            if level == 1 and doc_title is None:
                doc_title = plain(inline.content, env, emoji=True)
                i += 3
                continue
            skipping = bool(_SKIP_SECTIONS.match(shown))
            number, name = heading_number(shown)
            rendered = render(inline.content, env)
            links = [Resource(name, url) for _, _, url in rendered.links if _web(url)]
            current = _Section(name or shown, number, links)
            sections.append(current)
            resource_next = False
            i += 3
            continue
        if skipping:
            i += 1
            continue
        if token.type == "paragraph_open":
            inline = tokens[i + 1]
            words = plain(inline.content, env)
            resource_next = bool(_RESOURCE_LABEL.match(words))
            i += 3
            continue
        if token.type == "table_open":
            end = _close(tokens, i, "table_close")
            if current is None:
                current = _Section("", None)
                sections.append(current)
            current.topics += _table(tokens[i:end], env)
            i = end + 1
            continue
        if token.type in ("bullet_list_open", "ordered_list_open"):
            end = _close(tokens, i, token.type.replace("_open", "_close"))
            if current is None:
                current = _Section("", None)
                sections.append(current)
            items = _list(tokens[i + 1 : end], env)
            if not current.title and (_news(items) or _prose(items)):
                # Before the first heading: what the README says about itself. (Under a
                # heading, dated items may be a syllabus, sentences may be tasks.)
                current.intro += items  # kept only if nothing else reads as topics
                items = []
            if resource_next:
                for item in items:
                    current.spare += item.resources
            else:
                current.topics += [t for t in items if t is not None]
            resource_next = False
            i = end + 1
            continue
        i += 1
    for section in sections:
        _settle(section)
    if not any(s.topics for s in sections):  # the introduction was all there is
        for section in sections:
            section.topics, section.intro = section.intro, []
    kept = [s for s in sections if s.topics]
    if not kept:
        raise RoadmapError("found no topics to import (no lists, tables or headings with links)")
    return _write(doc_title or fallback, kept)


_DATED = re.compile(
    r"^\W*(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}"
    r"(?:st|nd|rd|th)?\b|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\d{1,2}(?:st|nd|rd|th)?\s+"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?。！？]\W*$")


def _news(items: list[Topic]) -> bool:
    """A list of news, not things to study: most of its items start with a date ("Oct
    10th: launched …", "2024-05-01 …")."""
    dated = sum(1 for t in items if _DATED.match(t.title))
    return dated >= 2 and dated * 2 >= len(items)


def _prose(items: list[Topic]) -> bool:
    """A list of sentences, as a README's introduction has before its first heading ("The
    LLM Engineer focuses on creating LLM-based applications."): every item a sentence of
    six words or more, with no link."""
    return bool(items) and all(
        not t.resources
        and not t.note
        and len(re.findall(r"\w+", t.title)) >= 6  # a label ("**Calculus**: …") is a topic
        and _SENTENCE_END.search(" ".join(filter(None, (t.title, t.description))))
        for t in items
    )


def _web(url: str) -> bool:
    return bool(url) and not url.startswith("#")


def _close(tokens: list[Any], start: int, closer: str) -> int:
    depth = 0
    opener = tokens[start].type
    for index in range(start, len(tokens)):
        if tokens[index].type == opener:
            depth += 1
        elif tokens[index].type == closer:
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


def _list(tokens: list[Any], env: Any) -> list[Topic]:
    """Top-level items of a list: each a topic; nested links are its resources, nested
    words its description."""
    out: list[Topic] = []
    depth = 0
    topic: Topic | None = None
    for index, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif token.type == "list_item_open" and depth == 0:
            topic = None
            inline = _first_inline(tokens, index)
            if inline is not None:
                topic = _topic(inline, env)
                if topic is not None:
                    out.append(topic)
        elif token.type == "inline" and depth > 0 and topic is not None:
            item = parse_item_text(token.content, env)
            if item is None:
                continue
            topic.resources += item.resources
            if item.kind is not Kind.RESOURCE:
                words = item.title + (f": {item.description}" if item.description else "")
                topic.description = "; ".join(p for p in (topic.description, words) if p)
    return out


def _first_inline(tokens: list[Any], start: int) -> Any:
    for token in tokens[start + 1 :]:
        if token.type == "inline":
            return token
        if token.type in ("list_item_close", "bullet_list_open", "ordered_list_open"):
            return None
    return None


def _topic(inline: Any, env: Any) -> Topic | None:
    content = inline.content
    rendered = render(content, env)
    if rendered.links and all(url.startswith("#") for _, _, url in rendered.links):
        words = re.sub(r"\[[^\]]*\]\(#[^)]*\)", "", content)
        if not re.sub(r"[\W\d_]+", "", words):
            return None  # a table-of-contents entry
    item = parse_item_text(content.split("\n", 1)[0] if "\n" in content else content, env)
    if item is None:
        return None
    return _from_item(item)


def _from_item(item: ItemText) -> Topic:
    return Topic(
        title=item.title,
        kind=item.kind,
        description=item.description,
        estimate=item.estimate,
        resources=[r for r in item.resources if _web(r.url)],
        note=item.link.target if item.link and item.link.target else None,
    )


def _table(tokens: list[Any], env: Any) -> list[Topic]:
    rows: list[list[str]] = []
    row: list[str] = []
    for token in tokens:
        if token.type == "tr_open":
            row = []
        elif token.type == "inline":
            row.append(token.content)
        elif token.type == "tr_close":
            rows.append(row)
    if len(rows) < 2:
        return []
    header = [plain(cell, env) for cell in rows[0]]
    body = [r for r in rows[1:] if any(c.strip() for c in r)]
    title_col = _title_column(header, body)
    if title_col is None:
        return []
    prereq = next((i for i, h in enumerate(header) if _PREREQ_COLUMN.search(h)), None)
    about = next(
        (i for i, h in enumerate(header) if i != title_col and _DESCRIPTION_COLUMN.search(h)),
        None,
    )
    topics: list[Topic] = []
    for cells in body:
        if title_col >= len(cells):
            continue
        item = parse_item_text(cells[title_col], env)
        if item is None:
            continue
        topic = _from_item(item)
        topic.kind = Kind.TOPIC  # a row of a curriculum is a course or topic to learn
        for index, cell in enumerate(cells):
            if index in (title_col, prereq):
                continue
            found = render(cell, env)
            topic.resources += [
                Resource(plain(cell, env) or url, url) for _, _, url in found.links if _web(url)
            ][:3]
        if about is not None and about < len(cells):
            topic.description = plain(cells[about], env) or topic.description
        topic.estimate = topic.estimate or _effort(
            [plain(c, env) for i, c in enumerate(cells) if i != title_col]
        )
        if prereq is not None and prereq < len(cells):
            topic.requires = [p for p in re.split(r"\s*[,;/]\s*", plain(cells[prereq], env)) if p]
        topics.append(topic)
    titles = {t.title.casefold() for t in topics}
    for topic in topics:
        topic.requires = [r for r in topic.requires if r.casefold() in titles]
    return topics


def _title_column(header: list[str], body: list[list[str]]) -> int | None:
    """The column that names the topic: by its header, else the first with links or
    words in most rows; a number or Day column gives the order, not the title."""
    for index, name in enumerate(header):
        if _TITLE_COLUMN.search(name) and not _ORDER_COLUMN.match(name):
            return index
    for index, name in enumerate(header):
        if _ORDER_COLUMN.match(name.strip()):
            continue
        cells = [r[index] for r in body if index < len(r)]
        wordy = sum(1 for c in cells if re.search(r"[^\W\d_]", plain(c)))
        if cells and wordy * 2 >= len(cells):
            return index
    return None


def _effort(cells: list[str]) -> int | None:
    """'13 weeks' and '8-10 hours/week' → 117 hours; '(60h)' alone → 60 hours."""
    weeks = hours = None
    for cell in cells:
        if weeks is None and (m := _WEEKS.search(cell)):
            weeks = float(m.group(1))
        if hours is None and (m := _HOURS.search(cell)):
            low = float(m.group(1))
            hours = (low + float(m.group(2))) / 2 if m.group(2) else low
    if hours is None:
        return None
    total = hours * (weeks if weeks is not None else 1)
    return round(total * 60) or None


def _settle(section: _Section) -> None:
    """A heading with prose and links but no list of topics is itself the topic."""
    if not section.topics and section.title and (section.spare or section.links):
        title, estimate = read_estimate(section.title)
        section.topics = [Topic(title, Kind.TOPIC, None, estimate, section.links + section.spare)]
        return
    if section.spare and section.topics:
        section.topics += [Topic(r.title, Kind.RESOURCE, None, None, [r]) for r in section.spare]
    for topic in section.topics:
        topic.resources = list(dict.fromkeys([*topic.resources, *section.links]))


_ESCAPE = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    return _ESCAPE.sub(r"\\\1", text)


def _write(title: str, sections: list[_Section]) -> Imported:
    numbers = [s.number for s in sections]
    given = [n for n in numbers if n is not None]
    keep = len(given) == len(numbers) and all(a < b for a, b in itertools.pairwise(given))
    out = [f"# {title}", "", "Imported by `studyplan import`: tick, edit and reorder freely.", ""]
    count = 0
    for position, section in enumerate(sections, start=1):
        number = section.number if keep else position
        name = section.title or f"Part {position}"
        out += [f"## {number}. {_md(name)}", ""]
        for topic in section.topics:
            out.append(_line(topic))
            out += [f"    - [{_md(r.title)}](<{r.url}>)" for r in _extra(topic)]
            count += 1
        out.append("")
    return Imported("\n".join(out).rstrip() + "\n", count, len(sections))


def _extra(topic: Topic) -> list[Resource]:
    """The resources written under the item (a resource item's own link is on its line)."""
    own = topic.resources[:1] if topic.kind is Kind.RESOURCE else []
    return [r for r in dict.fromkeys(topic.resources) if r not in own]


def _line(topic: Topic) -> str:
    estimate = f" ({_minutes(topic.estimate)})" if topic.estimate else ""
    requires = (
        " (requires:: " + ", ".join(f"[[{_md(r)}]]" for r in topic.requires) + ")"
        if topic.requires
        else ""
    )
    about = f" — {_md(topic.description)}" if topic.description else ""
    if topic.kind is Kind.RESOURCE and topic.resources:
        link = topic.resources[0]
        return f"- [ ] [{_md(topic.title)}](<{link.url}>){estimate}{about}{requires}"
    if topic.note:
        return f"- [ ] [[{topic.note}]]{estimate}{about}{requires}"
    if topic.title.endswith("…") and topic.description:  # the parser shortens it again
        return f"- [ ] {_md(topic.description)}{estimate}{requires}"
    head = f"**{_md(topic.title)}:**" if about else _md(topic.title)
    return f"- [ ] {head}{estimate}{about.replace(' — ', ' ', 1)}{requires}"


def _minutes(minutes: int) -> str:
    return f"{minutes / 60:g}h" if minutes >= 60 and minutes % 30 == 0 else f"{minutes} min"
