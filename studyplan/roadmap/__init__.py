"""Markdown roadmap text → cards. Pure: takes text, returns a `Roadmap`, keeps line numbers.

`markdown` reads checkbox roadmaps (the bundled one and the shapes learners bring);
`inline` reads one item's inline Markdown; `sections` numbers headings; `ids` makes the
cards' ids; `importer` turns curricula without checkboxes into a checkbox note.
"""

from studyplan.roadmap.ids import slugify
from studyplan.roadmap.inline import ItemText, Link, parse_item_text
from studyplan.roadmap.markdown import parse, split_front_matter
from studyplan.roadmap.sections import parse_section_heading

__all__ = [
    "ItemText",
    "Link",
    "parse",
    "parse_item_text",
    "parse_section_heading",
    "slugify",
    "split_front_matter",
]
