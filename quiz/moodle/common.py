"""What the Moodle writer and reader share: the marker of Archlab's comment, the keys it carries, the types."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MARK = "archlab "
CATEGORY_ID = "archlab:"
NO_FEEDBACK = "(The imported file gave no feedback for this option.)"
NO_EXPLANATION = "The imported file gave no general feedback for this question."
PART_KEYS = {
    "choice": {"id", "type", "prompt", "points", "options"},
    "multi": {"id", "type", "prompt", "points", "options"},
    "numeric": {"id", "type", "prompt", "points", "answer", "unit", "tolerance", "why", "outdated"},
    "text": {"id", "type", "prompt", "points", "rubric", "misconceptions"},
    "design": {"id", "type", "prompt", "points", "require"},
}
QUESTION_KEYS = {"id", "section", "title", "prompt", "parts", "explanation", "sources", "patterns", "rules"}


class MoodleError(ValueError):
    """The file is not Moodle XML this module can read."""


@dataclass
class ImportedBank:
    slug: str
    title: str
    questions: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"bank": self.slug, "title": self.title, "questions": self.questions}
