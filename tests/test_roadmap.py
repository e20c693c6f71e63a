from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studyplan.errors import RoadmapError
from studyplan.model import Kind, Mark
from studyplan.roadmap import parse, parse_section_heading, slugify

from .conftest import FIXTURES, SEED


def load(name: str):  # type: ignore[no-untyped-def]
    return parse((FIXTURES / name).read_text(encoding="utf-8"), name)


def test_seed_figures() -> None:
    roadmap = parse(SEED.read_text(encoding="utf-8"), "ml-learning-path.md")
    assert roadmap.title == "Machine Learning Learning Path"
    assert roadmap.tags == ("machine-learning", "learning-path", "roadmap")
    assert roadmap.aliases == ("ML Roadmap", "ML Learning Journey")
    assert len(roadmap.cards) == 73
    per_section = Counter(card.section for card in roadmap.cards)
    assert [per_section[n] for n in range(1, 8)] == [17, 15, 11, 11, 5, 8, 6]
    notes = [card for card in roadmap.cards if card.kind is Kind.NOTE]
    assert [card.title for card in notes] == [
        "Linear Algebra for ML",
        "Statistics for ML",
        "Calculus for ML",
        "Python for ML",
        "NumPy Deep Dive",
        "Pandas for ML",
        "Data Preprocessing Guide",
        "EDA Techniques",
    ]
    assert not any(card.title in ("Notes", "Detailed Notes") for card in roadmap.cards)
    assert roadmap.cards[0].section_heading == "📚 1. Prerequisites & Fundamentals"
    assert [(s.number, s.title, s.line) for s in roadmap.sections] == [
        (1, "Prerequisites & Fundamentals", 21),
        (2, "Data Processing & Analysis", 40),
        (3, "Classical Machine Learning", 60),
        (4, "Deep Learning", 76),
        (5, "Model Evaluation & Optimization", 92),
        (6, "Practical Skills", 99),
        (7, "Advanced Topics", 112),
    ]
    by_id = roadmap.by_id()
    assert len(by_id) == 73
    svm = by_id["support-vector-machines"]
    assert (svm.title, svm.kind, svm.note, svm.section, svm.subsection, svm.line) == (
        "Support Vector Machines",
        Kind.TOPIC,
        "SVM",
        3,
        "Supervised Learning",
        66,
    )
    assert by_id["linear-algebra-for-ml"].note == "Linear Algebra for ML"
    assert by_id["linear-algebra"].note is None


def test_heading_forms_and_unnumbered_sections() -> None:
    roadmap = load("headings.md")
    assert roadmap.title == "Heading Title Only"
    assert [(s.number, s.title) for s in roadmap.sections] == [
        (None, "Overview"),
        (1, "Basics"),
        (2, "Second"),
        (4, "Fourth"),
        (7, "Seventh"),
        (10, "Bold Ten"),
        (None, "Appendix"),
    ]
    assert [(c.title, c.section, c.subsection) for c in roadmap.cards] == [
        ("Orientation", None, None),
        ("Alpha", 1, None),
        ("Beta", 2, None),
        ("Gamma", 4, "Sub A"),
        ("Delta", 4, "Sub B"),
        ("Epsilon", 7, None),
        ("Zeta", 10, None),
        ("Omega", None, None),
    ]


@pytest.mark.parametrize(
    ("heading", "number", "title"),
    [
        ("📚 1. Prerequisites & Fundamentals", 1, "Prerequisites & Fundamentals"),
        ("2) Data", 2, "Data"),
        ("Phase 3: Models", 3, "Models"),
        ("Part 4 - Deployment", 4, "Deployment"),
        ("🚀 7. Advanced Topics", 7, "Advanced Topics"),
        ("Step 12 — Capstone", 12, "Capstone"),
        ("Resources", None, "Resources"),
        ("2024 Goals", None, "2024 Goals"),
    ],
)
def test_section_heading(heading: str, number: int | None, title: str) -> None:
    section = parse_section_heading(heading, 5)
    assert (section.number, section.title, section.line, section.heading) == (
        number,
        title,
        5,
        heading,
    )


def test_checkbox_markers_and_marks() -> None:
    roadmap = load("markers.md")
    assert [(c.title, c.mark, c.mark_char) for c in roadmap.cards] == [
        ("dash open", Mark.OPEN, " "),
        ("star open", Mark.OPEN, " "),
        ("plus open", Mark.OPEN, " "),
        ("ordered open", Mark.OPEN, " "),
        ("ordered paren done", Mark.DONE, "x"),
        ("big x done", Mark.DONE, "X"),
        ("skipped one", Mark.SKIPPED, "-"),
        ("in progress", Mark.OTHER, "/"),
        ("question", Mark.OTHER, "?"),
    ]
    done = {c.title: (c.done, c.skipped) for c in roadmap.cards}
    assert done["big x done"] == (True, False)
    assert done["skipped one"] == (False, True)
    assert done["in progress"] == (False, False)


def test_nested_items_keep_their_parent() -> None:
    roadmap = load("nested.md")
    assert [(c.id, c.parent) for c in roadmap.cards] == [
        ("parent", None),
        ("child-one", "parent"),
        ("grandchild", "child-one"),
        ("child-two", "parent"),
        ("tab-child", "parent"),
        ("sibling", None),
        ("indented-after-paragraph", None),
    ]


def test_fences_and_comments_hide_checkboxes_callouts_do_not() -> None:
    roadmap = load("hidden.md")
    assert [(c.title, c.line, c.parent) for c in roadmap.cards] == [
        ("Visible one", 2, None),
        ("Visible two", 21, None),
        ("Visible after inline comment", 22, None),
        ("In a callout", 25, None),
        ("In a nested callout", 26, None),
    ]


def test_wikilink_forms() -> None:
    roadmap = load("links.md")
    rows = [(c.title, c.kind.value, c.note, c.anchor) for c in roadmap.cards]
    assert rows == [
        ("Target Only", "note", "Target Only", None),
        ("Target With Alias", "note", "Target With Alias", None),
        ("Heading Target > Some Heading", "note", "Heading Target", "#Some Heading"),
        ("Block Target", "note", "Block Target", "#^abc123"),
        ("Nested Note", "note", "Folder/Nested Note", None),
        ("Topic Text", "topic", "Topic Note", None),
        ("Learn NumPy basics", "topic", "NumPy", None),
        ("Diagram reading", "topic", "Diagrams", None),
        ("Bold code and a link", "topic", None, None),
        ("Section link", "topic", None, "#Local Heading"),
    ]


def test_duplicate_titles_get_distinct_readable_ids() -> None:
    roadmap = load("duplicates.md")
    # Every namesake is qualified, the first too: none claims the bare slug by position.
    assert [c.id for c in roadmap.cards] == [
        "practice-s1",
        "linear-algebra",
        "practice-s2",
        "linear-algebra-for-ml",
        "practice-s2-sub",
    ]


SMALL = """## 1. One
- [ ] Alpha
- [ ] Beta [[Beta Note|Notes]]

## 2. Two
- [ ] Gamma
"""


def test_ids_are_stable_across_reorder_tick_and_add() -> None:
    before = {c.title: c.id for c in parse(SMALL).cards}
    edited = """## 1. One
- [x] Beta [[Beta Note|Notes]]
- [ ] New topic
- [ ] Alpha

## 2. Two
- [ ] Delta
- [ ] Gamma
"""
    after = {c.title: c.id for c in parse(edited).cards}
    assert (
        {t: after[t] for t in before}
        == before
        == {
            "Alpha": "alpha",
            "Beta": "beta",
            "Gamma": "gamma",
        }
    )


def test_title_falls_back_to_h1_then_file_name() -> None:
    assert parse("---\ntitle: From YAML\n---\n# H1\n- [ ] a\n").title == "From YAML"
    assert parse("# 🤖 From H1\n- [ ] a\n").title == "🤖 From H1"
    assert parse("- [ ] a\n", "notes/My Path.md").title == "My Path"


def test_crlf_and_bom_keep_line_numbers() -> None:
    text = "\ufeff---\r\ntitle: T\r\ncreated: 2024-01-24\r\n---\r\n## 1. A\r\n- [ ] One\r\n"
    roadmap = parse(text)
    assert roadmap.title == "T"
    assert [(c.title, c.line) for c in roadmap.cards] == [("One", 6)]


def test_unusable_roadmaps_raise_roadmap_error() -> None:
    with pytest.raises(RoadmapError, match="no checkbox items"):
        load("no-items.md")
    with pytest.raises(RoadmapError, match=r"broken front matter at line 3"):
        load("broken-front-matter.md")
    with pytest.raises(RoadmapError, match="never closed"):
        parse("---\ntitle: x\n- [ ] a\n")
    with pytest.raises(RoadmapError, match="expected 'key: value'"):
        parse("---\n- just a list\n---\n- [ ] a\n")


def test_slugify() -> None:
    assert slugify("Bias-Variance Tradeoff") == "bias-variance-tradeoff"
    assert slugify("Statistics & Probability") == "statistics-probability"
    assert slugify("Régression linéaire") == "regression-lineaire"
    assert slugify("机器学习") == "机器学习"
    assert slugify("!!!") == "item"


LINE = st.one_of(
    st.sampled_from(
        [
            "## 1. One",
            "## Phase 2: Two",
            "### Sub",
            "# Title",
            "- [ ] Topic",
            "  - [x] Child [[Note|Notes]]",
            "* [-] Skip",
            "1. [/] Doing",
            "```",
            "~~~",
            "<!--",
            "-->",
            "%%",
            "> [!note]",
            "> - [ ] In callout",
            "- [ ] [[Only Link]]",
            "- [ ] ![[x.png]]",
            "---",
            "title: x",
            "",
        ]
    ),
    st.text(max_size=40),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE, max_size=30), st.booleans())
def test_random_markdown_gives_cards_or_roadmap_error(lines: list[str], crlf: bool) -> None:
    text = ("\r\n" if crlf else "\n").join(lines)
    try:
        roadmap = parse(text)
    except RoadmapError:
        return
    ids = [c.id for c in roadmap.cards]
    assert len(ids) == len(set(ids)) > 0
    assert all(c.title.strip() == c.title and c.title for c in roadmap.cards)
    assert all(c.parent is None or c.parent in ids for c in roadmap.cards)
