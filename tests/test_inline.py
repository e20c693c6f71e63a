"""The rules real roadmaps need, each on a small fixture of our own; the inline reader
checked against markdown-it-py by property."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from studyplan.model import Kind, Mark, Resource
from studyplan.roadmap import parse, parse_item_text
from studyplan.roadmap.importer import convert
from studyplan.roadmap.sections import heading_number
from tests.conftest import Run


def item(text: str) -> tuple[str, str, tuple[Resource, ...], str | None, int | None]:
    found = parse_item_text(text)
    assert found is not None
    return found.title, found.kind.value, found.resources, found.description, found.estimate


def test_link_text_with_brackets_and_url_with_parentheses() -> None:
    assert item("[[Review] Stacks in 3 minutes (video)](https://youtu.be/x)") == (
        "Stacks in 3 minutes (video)",
        "resource",
        (Resource("Stacks in 3 minutes (video)", "https://youtu.be/x"),),
        None,
        None,
    )
    assert item("[Heap](https://en.wikipedia.org/wiki/Heap_(data_structure))")[2] == (
        Resource("Heap", "https://en.wikipedia.org/wiki/Heap_(data_structure)"),
    )


def test_images_html_and_typed_links_leave_no_markup() -> None:
    assert item("Heaps <sup>FREE</sup> ![x](y.png) `heapq`")[0] == "Heaps heapq"
    assert item("[@article@Big-O Cheat Sheet](https://bigocheatsheet.com)")[:2] == (
        "Big-O Cheat Sheet",
        "resource",
    )


def test_estimates_become_minutes() -> None:
    assert item("Docker (2h)")[::4] == ("Docker", 120)
    assert item("Regex (45 min)")[::4] == ("Regex", 45)
    assert item("Bash ~30m")[::4] == ("Bash", 30)
    assert item("Kubernetes ⭐⭐ (5h)")[::4] == ("Kubernetes", 300)
    assert item("A 2h-long video about GPT")[::4] == ("A 2h-long video about GPT", None)


def test_long_items_are_titled_by_their_first_clause() -> None:
    text = "Tokenization: " + "learn how text becomes numbers and why it matters " * 3
    title, _, _, description, _ = item(text)
    assert title == "Tokenization"
    assert description == ("learn how text becomes numbers and why it matters " * 3).strip()


def test_markers_choose_review_or_resource() -> None:
    assert item("[Arrays](https://x.org/a) #review")[1] == "topic"
    assert item("Watch the keynote #resource")[1] == "resource"


def test_heading_numbers_in_the_usual_spellings() -> None:
    cases = {
        "1. GIT": (1, "GIT"),
        "Tier 0 - prep": (0, "prep"),
        "Module 1: Intro": (1, "Intro"),
        "Day01 - Basics": (1, "Basics"),
        "Phase 2: Build": (2, "Build"),
        "Step 3:": (3, "Step 3:"),
        "Lesson 12) Loops": (12, "Loops"),
        "Week 4 – Graphs": (4, "Graphs"),
        "第5天：函数": (5, "函数"),
        "Overview": (None, "Overview"),
        "2024 goals": (None, "2024 goals"),
    }
    assert {text: heading_number(text) for text in cases} == cases


NESTED = """# Course

### [Module 1: Intro](01-intro/)
- ### Arrays
    - [ ] [Arrays (video)](https://v.example/arrays)
    - [ ] [Dynamic arrays](https://a.example/dyn)
- data-structures
  - [ ] stack
- [ ] Videos:
  - [ ] [Queues in 5 minutes](https://v.example/q)
  - [ ] Queue exercise

### 2. Trees
- [✔️] Binary trees
- [✅] Heaps
- [✓] Tries
- [ ] **Treaps:** randomised, and
  wrapped over two lines
"""


def test_context_labels_groups_and_marks() -> None:
    roadmap = parse(NESTED)
    rows = [
        (c.id, c.kind.value, c.section, c.subsection, c.parent, c.after, c.mark)
        for c in roadmap.cards
    ]
    assert rows == [
        ("arrays-video", "resource", 1, "Arrays", None, (), Mark.OPEN),
        ("dynamic-arrays", "resource", 1, "Arrays", None, (), Mark.OPEN),
        ("arrays", "topic", 1, None, None, ("arrays-video", "dynamic-arrays"), Mark.OPEN),
        ("stack", "topic", 1, "data-structures", None, (), Mark.OPEN),
        ("queues-in-5-minutes", "resource", 1, "Videos", None, (), Mark.OPEN),
        ("queue-exercise", "topic", 1, "Videos", None, (), Mark.OPEN),
        ("binary-trees", "topic", 2, None, None, (), Mark.DONE),
        ("heaps", "topic", 2, None, None, (), Mark.DONE),
        ("tries", "topic", 2, None, None, (), Mark.DONE),
        ("treaps", "topic", 2, None, None, (), Mark.OPEN),
    ]
    assert [s.title for s in roadmap.sections] == ["Intro", "Trees"]
    assert roadmap.by_id()["treaps"].description == "randomised, and wrapped over two lines"
    assert roadmap.by_id()["arrays"].synthetic


def test_unnumbered_sections_are_numbered_by_position() -> None:
    roadmap = parse("## Basics\n- [ ] A\n## Empty\ntext\n## More\n- [ ] B\n")
    assert [(c.section, c.section_index, c.section_title) for c in roadmap.cards] == [
        (1, 1, "Basics"),
        (2, 2, "More"),
    ]


def test_an_item_under_a_shallower_heading_is_in_that_heading_s_section() -> None:
    # `# Motivation` among `##` sections holds an item of its own; the first `#` is the
    # document's title and never a section.
    roadmap = parse(
        "# Title\n- [ ] Intro\n## Basics\n- [ ] A\n# Motivation\n- [ ] Dream\n## More\n- [ ] B\n"
    )
    assert [(c.title, c.section, c.section_title) for c in roadmap.cards] == [
        ("Intro", None, ""),
        ("A", 1, "Basics"),
        ("Dream", 2, "Motivation"),
        ("B", 3, "More"),
    ]


@given(
    st.text(alphabet=st.characters(blacklist_characters="[]()\\\n\r`*_<>!&"), min_size=1),
    st.from_regex(r"https://[a-z]{1,8}\.org/[a-z0-9_()]{0,12}", fullmatch=True),
)
def test_link_items_match_markdown_it(text: str, url: str) -> None:
    source = f"[{text}]({url})"
    found = parse_item_text(source)
    tokens = MarkdownIt("commonmark").parseInline(source, {})[0].children or []
    hrefs = [t.attrs["href"] for t in tokens if t.type == "link_open"]
    if found is None:
        return
    assert [r.url for r in found.resources] == hrefs


def test_resource_is_studied_once_then_done(run: Run, tmp_path: Path) -> None:
    road = tmp_path / "r.md"
    road.write_text("## 1. A\n- [ ] [Intro video](https://v.example/1)\n- [ ] Topic\n")
    done = run("review", "intro-video", "good", now="2026-12-01T09:00", roadmap=road)
    assert done.output == "Recorded Intro video: good. Done: a resource is studied once.\n"
    later = json.loads(run("topics", "--json", now="2027-06-01T09:00", roadmap=road).output)
    assert [(c["id"], c["status"], c["resources"]) for c in later] == [
        ("intro-video", "done", [{"title": "Intro video", "url": "https://v.example/1"}]),
        ("topic", "new", []),
    ]
    shown = run("open", "intro-video", "--print", roadmap=road)
    assert shown.output == "https://v.example/1\n"


def test_resources_review_brings_them_back(run: Run, tmp_path: Path, sealed_home: Path) -> None:
    config = sealed_home / "studyplan.toml"
    config.write_text(config.read_text() + 'resources = "review"\n')
    road = tmp_path / "r.md"
    road.write_text("## 1. A\n- [ ] [Intro video](https://v.example/1)\n")
    done = run("review", "intro-video", "good", now="2026-12-01T09:00", roadmap=road)
    assert done.output == "Recorded Intro video: good. next: Thu 3 Dec, in 2 days\n"
    later = json.loads(run("topics", "--json", now="2026-12-03T09:00", roadmap=road).output)
    assert [(c["kind"], c["status"], c["due"]) for c in later] == [("topic", "due", "2026-12-03")]


def test_section_gate_document_and_none(run: Run, tmp_path: Path, sealed_home: Path) -> None:
    road = tmp_path / "r.md"
    road.write_text("## 2. Later\n- [ ] B\n## 1. First\n- [ ] A\n")
    by_number = json.loads(run("today", "--json", now="2026-12-01T09:00", roadmap=road).output)
    assert [c["id"] for c in by_number["new"]] == ["a"]
    config = sealed_home / "studyplan.toml"
    config.write_text(config.read_text() + 'section_gate = "document"\n')
    in_order = json.loads(run("today", "--json", now="2026-12-01T09:00", roadmap=road).output)
    assert [c["id"] for c in in_order["new"]] == ["b"]
    config.write_text(config.read_text().replace('"document"', '"none"'))
    free = json.loads(run("today", "--json", now="2026-12-01T09:00", roadmap=road).output)
    assert [c["id"] for c in free["new"]] == ["b", "a"]


def test_a_long_estimate_is_planned_one_sitting_at_a_time(run: Run, tmp_path: Path) -> None:
    road = tmp_path / "r.md"
    road.write_text("## 1. A\n- [ ] Whole course (60h)\n")
    today = json.loads(run("today", "--json", now="2026-12-01T09:00", roadmap=road).output)
    assert (today["new"][0]["estimate"], today["new"][0]["minutes"]) == (3600, 60)
    shown = run("show", "whole-course", now="2026-12-01T09:00", roadmap=road).output
    assert "  estimate  60 h in all: 60 sessions of 60 min\n" in shown


TABLE = """# Courses

## Core

Courses | Duration | Effort | Prerequisites
:-- | :--: | :--: | :--:
[Intro](https://c.example/intro) | 4 weeks | 2-4 hours/week | none
[Algorithms](https://c.example/algo) | 10 weeks | 6 hours/week | Intro

### 1. GIT

Git is how code is shared.

**Resources:**
- [Pro Git](https://git-scm.com/book)
- [Learn Git Branching](https://learngitbranching.js.org)
"""


def test_import_tables_and_a_heading_with_resources(run: Run, tmp_path: Path) -> None:
    made = convert(TABLE)
    assert (made.topics, made.sections) == (3, 2)
    assert made.note == (
        "# Courses\n\nImported by `studyplan import`: tick, edit and reorder freely.\n\n"
        "## 1. Core\n\n"
        "- [ ] Intro (12h)\n    - [Intro](<https://c.example/intro>)\n"
        "- [ ] Algorithms (60h) (requires:: [[Intro]])\n"
        "    - [Algorithms](<https://c.example/algo>)\n\n"
        "## 2. GIT\n\n"
        "- [ ] GIT\n    - [Pro Git](<https://git-scm.com/book>)\n"
        "    - [Learn Git Branching](<https://learngitbranching.js.org>)\n"
    )
    source = tmp_path / "c.md"
    source.write_text(TABLE)
    out = tmp_path / "note.md"
    result = run("import", str(source), "-o", str(out))
    assert result.output.startswith("Imported 3 topics in 2 sections into ")
    assert out.read_text() == made.note
    again = run("import", str(source), "-o", str(out))
    assert again.exit_code == 2
    assert again.stderr == (
        f"studyplan: error: {out} exists; choose another name or pass --force to replace it\n"
    )
    cards = json.loads(run("topics", "--json", roadmap=out).output)
    assert [(c["id"], c["estimate"]) for c in cards] == [
        ("intro", 720),
        ("algorithms", 3600),
        ("git", None),
    ]


def test_import_leaves_out_news_and_an_introduction_but_never_tasks() -> None:
    from studyplan.roadmap import parse
    from studyplan.roadmap.importer import convert

    text = """# Study plan

- The plan covers everything a backend engineer needs to know.
- Each part builds on the one before it, so go in order.

What is new:

- Oct 10th: the course reached 10,000 learners.
- 2024-05-01 new videos on caching.
- Thanks to everyone who contributed

## Summary

- Be open for enrollment
- Run regularly

## 1. Basics

- Read the first three chapters of the book.
- Implement a linked list in C from scratch.

## 2. Maths

- **Calculus**: derivatives and integrals are used everywhere in this course.
- **Linear algebra**: vectors, matrices and the operations on them.
"""
    cards = parse(convert(text).note).cards
    assert [(c.section, c.title) for c in cards] == [
        (1, "Read the first three chapters of the book."),
        (1, "Implement a linked list in C from scratch."),
        (2, "Calculus"),
        (2, "Linear algebra"),
    ]
    # Under a heading, dated items are a syllabus, not news.
    syllabus = "## Schedule\n\n- Sep 5: Introduction\n- Sep 7: Linear regression\n"
    assert [c.title for c in parse(convert(syllabus).note).cards] == [
        "Sep 5: Introduction",
        "Sep 7: Linear regression",
    ]
    # An introduction that is all there is stays: nothing is lost.
    alone = "# Notes\n\n- The plan covers everything a backend engineer needs.\n"
    assert [c.title for c in parse(convert(alone).note).cards] == [
        "The plan covers everything a backend engineer needs."
    ]


def test_a_file_without_checkboxes_points_at_import(run: Run, tmp_path: Path) -> None:
    road = tmp_path / "c.md"
    road.write_text(TABLE)
    result = run("today", roadmap=road)
    assert result.exit_code == 2
    assert "'studyplan import FILE -o NOTE.md' converts" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_kind_values() -> None:
    assert [k.value for k in Kind] == ["topic", "note", "resource"]


def test_sync_never_ticks_for_a_topic_made_from_resources() -> None:
    from studyplan.vault import tick

    roadmap = parse(NESTED)
    arrays = roadmap.by_id()["arrays"]
    data = NESTED.encode("utf-8")
    assert tick(data, [arrays]).cards == ()
    ticked = tick(data, [roadmap.by_id()["stack"]])
    assert ticked.after == data.replace(b"  - [ ] stack", b"  - [x] stack")


@settings(max_examples=500)
@given(st.text(alphabet=st.characters(blacklist_characters="\n\r\x00\\`*_[]!<&~"), max_size=40))
def test_text_without_markup_skips_the_parser_and_reads_the_same(text: str) -> None:
    from studyplan.roadmap.inline import render

    tokens = MarkdownIt("commonmark").parseInline(text)
    children = (tokens[0].children or []) if tokens else []
    assert render(text).text == "".join(t.content for t in children if t.type == "text")


@settings(max_examples=500)
@given(
    st.text(alphabet="abcXYZ019 .,'&/+-", min_size=1, max_size=90).filter(lambda t: t[0].isalnum())
)
def test_plain_items_read_as_the_full_parser_reads_them(text: str) -> None:
    """The fast path for plain words gives exactly what rendering them gives."""
    from studyplan.roadmap import inline

    assert inline.parse_item_text(text) == inline._parse_item_text(text, None)


def test_plain_items_keep_estimates_and_long_titles() -> None:
    from studyplan.roadmap import inline

    for text in (
        "Linux and Shell 60h",
        "Topic 12-3",
        "A " + "very long title " * 8,
        "Practice 2 hours",
        "Rock & Roll / Blues, 45 min",
    ):
        assert inline.parse_item_text(text) == inline._parse_item_text(text, None)


IMPORT_LINE = st.one_of(
    st.sampled_from(
        [
            "# Course",
            "## 1. Basics",
            "## Summary",
            "### Day01 - Setup",
            "- Topic",
            "- **Label:** the rest of it.",
            "- Oct 10th: something happened.",
            "- A sentence that says what the course is about.",
            "  - [Video](https://example.com/v)",
            "  - nested words",
            "1. Numbered topic (2h)",
            "* [Course](https://example.com/c) by someone",
            "- [@article@Typed](https://example.com/a)",
            "- [[Wiki Note]]",
            "| Course | Duration | Effort | Prerequisites |",
            "|---|---|---|---|",
            "| [Intro](https://x.org/i) | 13 weeks | 6 hours/week | none |",
            "| Second | 2 weeks | 2-3 hours/week | Intro |",
            "Resources:",
            "Some prose paragraph.",
            "```",
            "- [ ] already a box",
            "",
        ]
    ),
    st.text(max_size=30),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(IMPORT_LINE, max_size=25))
def test_an_import_reads_back_as_exactly_the_topics_it_says(lines: list[str]) -> None:
    """Whatever the curriculum, `import` either says it found nothing, or writes a note
    that the roadmap reader reads back as exactly the topics it counted, with clean
    titles."""
    from studyplan.errors import RoadmapError
    from studyplan.roadmap import parse
    from studyplan.roadmap.importer import convert

    try:
        made = convert("\n".join(lines))
    except RoadmapError:
        return
    roadmap = parse(made.note)
    # (A heading whose items are all links also becomes a topic of its own: synthetic.)
    assert len([c for c in roadmap.cards if not c.synthetic]) == made.topics > 0
    assert len({c.section for c in roadmap.cards}) <= made.sections
    assert all(c.title and c.title == c.title.strip() for c in roadmap.cards)
