"""studyplan: a Markdown learning roadmap scheduled with FSRS."""

__version__ = "0.1.0"
