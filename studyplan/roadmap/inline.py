"""One item's inline Markdown → its title, note link, resources, description and estimate.

Links, emphasis, code, images and inline HTML are read as CommonMark reads them (by
markdown-it-py), so a link text holding brackets or a URL holding parentheses comes out
whole; Obsidian wikilinks, which CommonMark does not know, are read by a rule of ours.
Pure: text in, values out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from studyplan.graph import inline_refs
from studyplan.model import Kind, Resource

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

MAX_TITLE = 100
"""Longer items are titled by their first clause; the rest becomes the description."""

_WIKILINK = re.compile(r"\[\[([^\[\]\n]+?)\]\]")
_EMBED = re.compile(r"!\[\[[^\[\]\n]*\]\]")
_BLOCK_ID = re.compile(r"\s\^[A-Za-z0-9-]+$")
_MARKER = re.compile(r"(?<!\S)#(review|resource)\b", re.IGNORECASE)
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
_LEFTOVER = re.compile(r"\*\*|__|~~|==|!\[[^\]\n]*\]\[[^\]\n]*\]")
_TYPED = re.compile(r"^@(\w+)@\s*")  # roadmap.sh: [@article@Title](url)
_TAG = re.compile(r"^\[[^\]\n]{1,20}\]\s+(?=\S)")  # "[Review] Stacks in 3 minutes"
_ESTIMATE = re.compile(
    r"(?:[⭐★🌟]+\s*)?(?:\(\s*~?\s*(?P<n>\d+(?:[.,]\d+)?)\s*(?P<u>h|hrs?|hours?|m|mins?|minutes?)"
    r"(?:\s*[/+,-][^)]*)?\s*\)|(?<!\S)~\s?(?P<n2>\d+(?:[.,]\d+)?)\s?(?P<u2>h|hrs?|m|min|mins)\b)"
    r"(?:\s*[⭐★🌟]+)?",
    re.IGNORECASE,
)
_STARS = re.compile(r"\s*[⭐★🌟]+\s*$")
_SEPARATOR = re.compile(r"^\s*(?::|[-–—|]\s|,)\s*")
_CLAUSE = re.compile(r"(?<=\S)(?::\s|\s[—–-]\s|\.\s|;\s|\s\()")
_JUNK_CATEGORIES = ("S", "Z", "C", "M")


@dataclass(frozen=True, slots=True)
class Link:
    """An Obsidian wikilink: `[[target#anchor|alias]]`."""

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
    resources: tuple[Resource, ...] = ()
    description: str | None = None
    estimate: int | None = None  # minutes
    label: bool = False  # "Videos:" — a heading for the items under it, if it has any


References = dict[str, dict[str, str]]
"""Reference-style link definitions of the whole document, as markdown-it keeps them."""


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt  # only a parse pays for the parser: it is cached

    return MarkdownIt("commonmark")


def references(definitions: dict[str, str]) -> References:
    """`[label]: url` definitions → the env markdown-it resolves `[text][label]` with."""
    from markdown_it.common.utils import normalizeReference

    return {normalizeReference(f"[{k}]"): {"href": v, "title": ""} for k, v in definitions.items()}


class _Rendered:
    """Plain text of inline Markdown, with where each link's text lies in it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.links: list[tuple[int, int, str]] = []  # start, end in the plain text, url
        self.label: str | None = None  # a leading **bold** span

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def add(self, piece: str) -> None:
        self.parts.append(piece)


# What can start inline markup in CommonMark (escapes, code, emphasis, links, images,
# autolinks, HTML, entities, line breaks): text with none of it is its own plain text.
_ACTIVE = re.compile(r"[\n\r\x00\\`*_\[\]!<&~]")  # and what the parser normalises


def render(text: str, env: References | None = None) -> _Rendered:
    """Inline Markdown → plain text; links and a leading bold label noted. Text with no
    character that can start markup skips the parser (most items of a big roadmap)."""
    out = _Rendered()
    if _ACTIVE.search(text) is None:
        out.add(text)
        return out
    tokens = _markdown().parseInline(text, {"references": env or {}})
    children = tokens[0].children or [] if tokens else []
    href: str | None = None
    start = 0
    hidden = 0  # inside <sup>/<sub>: footnote marks and badges, not the title
    bold_at: int | None = None
    for token in children:
        kind = token.type
        if kind == "html_inline":
            tag = token.content.lower()
            if re.match(r"<(sup|sub)\b", tag):
                hidden += 1
            elif re.match(r"</(sup|sub)>", tag):
                hidden = max(0, hidden - 1)
            elif re.match(r"<br\s*/?>", tag):
                out.add(" ")
            continue
        if hidden:
            continue
        if kind in ("text", "code_inline"):
            out.add(token.content)
        elif kind in ("softbreak", "hardbreak"):
            out.add(" ")
        elif kind == "link_open":
            href, start = str(token.attrs.get("href", "")), len(out.text)
        elif kind == "link_close":
            if href is not None:
                out.links.append((start, len(out.text), href))
            href = None
        elif kind == "strong_open" and not out.text.strip() and out.label is None:
            bold_at = len(out.text)
        elif kind == "strong_close" and bold_at is not None:
            out.label = out.text[bold_at:]
            bold_at = None
    return out


def plain(text: str, env: References | None = None, *, emoji: bool = False) -> str:
    """Inline Markdown (a heading, a table cell) as the words a reader sees; leading
    emoji and symbols go unless `emoji` (a document's title keeps them)."""
    protected, links = _protect(text)
    shown = _restore(render(protected, env).text, links, lambda link: link.display)
    if emoji:
        return re.sub(r"\s+", " ", _LEFTOVER.sub("", shown)).strip(" \t-–—:|,;")
    return tidy(shown)


def tidy(text: str) -> str:
    text = _LEFTOVER.sub("", text)
    text = re.sub(r"\s+", " ", text)
    return strip_junk(text)


def strip_junk(text: str) -> str:
    """Without leading/trailing spaces, dashes, separators, emoji and other symbols."""
    start, end = 0, len(text)
    while start < end and _is_junk(text[start]):
        start += 1
    while end > start and (text[end - 1] in " \t-–—:|,;" or _is_symbol(text[end - 1])):
        end -= 1
    return text[start:end]


def _is_junk(char: str) -> bool:
    return char in "-–—:|,;>•·" or unicodedata.category(char)[0] in _JUNK_CATEGORIES


def _is_symbol(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in ("Z", "C") or category in ("So", "Sk", "Mn")


def _protect(text: str) -> tuple[str, list[Link]]:
    links: list[Link] = []

    def keep(match: re.Match[str]) -> str:
        links.append(Link.parse(match.group(1)))
        return f"\ue000{len(links) - 1}\ue001"

    return _WIKILINK.sub(keep, text), links


def _restore(text: str, links: list[Link], show: Any) -> str:
    return _PLACEHOLDER.sub(lambda m: str(show(links[int(m.group(1))])), text)


def estimate(text: str) -> tuple[str, int | None]:
    """'Linux & Shell (60h) ⭐' → ('Linux & Shell', 3600): the first inline estimate."""
    match = _ESTIMATE.search(text)
    if not match:
        return text, None
    number = (match.group("n") or match.group("n2")).replace(",", ".")
    unit = (match.group("u") or match.group("u2")).lower()
    minutes = float(number) * (60 if unit.startswith("h") else 1)
    rest = (text[: match.start()] + " " + text[match.end() :]).strip()
    return _STARS.sub("", rest), max(1, round(minutes)) if minutes > 0 else None


def shorten(title: str, description: str | None) -> tuple[str, str | None]:
    """A title of at most MAX_TITLE characters: the first clause; the rest describes."""
    if len(title) <= MAX_TITLE:
        return title, description
    cut = next((m for m in _CLAUSE.finditer(title) if 3 <= m.start() <= MAX_TITLE), None)
    if cut is not None:
        head, rest = title[: cut.start()], title[cut.start() :]
    else:
        head = title[: MAX_TITLE - 1].rsplit(" ", 1)[0] or title[: MAX_TITLE - 1]
        rest = title[len(head) :]
        return strip_junk(head) + "…", description or title
    rest = strip_junk(rest.lstrip(" (")) if rest.lstrip().startswith("(") else strip_junk(rest)
    rest = rest.rstrip(")") if rest.count(")") > rest.count("(") else rest
    joined = " ".join(part for part in (rest, description) if part)
    return strip_junk(head), joined or None


# Words, digits, spaces and a little punctuation: no markup, link, field, marker or emoji.
_PLAIN_ITEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .,'&/+-]*")


def parse_item_text(text: str, env: References | None = None) -> ItemText | None:
    """Title, kind, note, resources and estimate of a list item's text; None when nothing
    studyable is left."""
    if _PLAIN_ITEM.fullmatch(text):
        # Most items of a big roadmap are a few plain words: the same steps as below,
        # without rendering what cannot hold markup (a property test holds them equal).
        title, rest = estimate(tidy(text))
        title, description = shorten(tidy(title), None)
        if not title:
            return None
        return ItemText(title, Kind.TOPIC, None, description=description, estimate=rest)
    return _parse_item_text(text, env)


def _parse_item_text(text: str, env: References | None) -> ItemText | None:
    text, needs = inline_refs(text)
    markers = {m.group(1).lower() for m in _MARKER.finditer(text)}
    text = _MARKER.sub(" ", text)
    text = _BLOCK_ID.sub("", _EMBED.sub(" ", text))
    protected, wikilinks = _protect(text)
    rendered = render(protected, env)
    shown = rendered.text
    resources = tuple(
        Resource(_link_title(tidy(_restore(shown[s:e], wikilinks, _display))) or url, url)
        for s, e, url in rendered.links
        if url
    )
    item = _classify(rendered, wikilinks, resources)
    if item is None:
        return None
    title, rest = estimate(item.title)
    description = item.description
    if description:
        description, later = estimate(description)
        rest = later if rest is None else rest
        description = tidy(description) or None
    title, description = shorten(tidy(title), description)
    if not title:
        return None
    kind = item.kind
    if "review" in markers and kind is Kind.RESOURCE:
        kind = Kind.TOPIC
    elif "resource" in markers and kind is Kind.TOPIC:
        kind = Kind.RESOURCE
    label = item.kind is Kind.TOPIC and not resources and shown.rstrip().endswith(":")
    return ItemText(title, kind, item.link, needs, resources, description, rest, label)


def _display(link: Link) -> str:
    return link.display


def _link_title(text: str) -> str:
    text = _TYPED.sub("", text)
    return _TAG.sub("", text) if _TAG.match(text) and len(text) > 24 else text


def _classify(
    rendered: _Rendered, wikilinks: list[Link], resources: tuple[Resource, ...]
) -> ItemText | None:
    """Which shape the item has: a note link, a link to consume, a label with a
    description, or a topic in words."""
    shown = rendered.text
    note = next((link for link in wikilinks if link.target or link.anchor), None)
    outside = tidy(_PLACEHOLDER.sub(" ", shown))
    if not outside and note is not None:  # only wikilinks: the note is the card
        return ItemText(
            Link(note.target, note.anchor, None).display if note.target else note.display,
            Kind.NOTE,
            note,
        )
    if rendered.label is not None:  # **Label:** description
        label = tidy(_restore(rendered.label, wikilinks, _display))
        rest = shown[shown.find(rendered.label) + len(rendered.label) :]
        labelled = rendered.label.rstrip().endswith(":") or re.match(r"^\s*(?::|[—–]\s)", rest)
        rest = tidy(_restore(_SEPARATOR.sub("", rest), wikilinks, _display))
        if label and rest and labelled:
            return ItemText(label.rstrip(":"), Kind.TOPIC, note, description=rest)
    lead = _leading(shown, rendered, wikilinks)
    if lead is not None:
        return lead
    if note is not None and outside:
        # Trailing links ("Linear Regression [[Linear Regression|Notes]]") point at the
        # note; links inside the sentence read as their display text.
        body = re.sub("(?:\ue000\\d+\ue001[\\s\\-–—:|,;]*)+$", "", shown)
        title = tidy(_restore(body, wikilinks, _display))
        return ItemText(title, Kind.TOPIC, note) if title else None
    title = tidy(_restore(shown, wikilinks, _display))
    return ItemText(title, Kind.TOPIC, note) if title else None


def _leading(shown: str, rendered: _Rendered, wikilinks: list[Link]) -> ItemText | None:
    """An item that starts with a link (after any emoji or day number): the link names
    it, and what follows a separator describes it. A web link is a resource; a wikilink
    followed by a description ("[[aws-vpc]] — Subnets, …") is its note."""
    first_wiki = _PLACEHOLDER.search(shown)
    first_md = rendered.links[0] if rendered.links else None
    starts: list[tuple[int, int, str]] = []
    if first_md is not None:
        starts.append((first_md[0], first_md[1], "md"))
    if first_wiki is not None:
        starts.append((first_wiki.start(), first_wiki.end(), "wiki"))
    if not starts:
        return None
    begin, end, kind = min(starts)
    if any(not _is_junk(c) and not c.isdigit() for c in shown[:begin]):
        return None
    rest = tidy(_restore(shown[end:], wikilinks, _display))
    if kind == "md":
        title = _link_title(tidy(_restore(shown[begin:end], wikilinks, _display)))
        after = shown[end:].lstrip()
        sentence = not _SEPARATOR.match(shown[end:]) and not after.startswith(("by ", "("))
        if rest and sentence and not re.match(r"^(and|or|&)\b", after):
            return None  # "[Python](url) is a language …": a sentence with a link
        note = next((link for link in wikilinks if link.target), None)
        return ItemText(title, Kind.RESOURCE, note, description=rest or None) if title else None
    link = wikilinks[int(_PLACEHOLDER.match(shown[begin:end]).group(1))]  # type: ignore[union-attr]
    if not rest or not _SEPARATOR.match(shown[end:]):
        return None
    title = Link(link.target, link.anchor, None).display if link.target else link.display
    return ItemText(title, Kind.NOTE, link, description=rest)
