"""The review questions of ``checklist.yaml``: pillars of a well-architected serverless design, ~3 questions each."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

FILE = Path(__file__).with_name("checklist.yaml")


@dataclass(frozen=True)
class Question:
    id: str
    pillar: str
    text: str
    hint: str


@dataclass(frozen=True)
class Pillar:
    id: str
    name: str
    questions: tuple[Question, ...]


@functools.cache
def review_pillars() -> tuple[Pillar, ...]:
    """The pillars and their questions, in the file's order. Raises ValueError when the file is malformed."""
    raw = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or raw.get("format") != "archlab/review-questions@1":
        raise ValueError(f"{FILE.name}: not an archlab/review-questions@1 file")
    pillars, seen = [], set()
    for p in raw.get("pillars", []):
        questions = []
        for q in p["questions"]:
            if q["id"] in seen:
                raise ValueError(f"{FILE.name}: question id {q['id']!r} is used twice")
            seen.add(q["id"])
            questions.append(Question(id=q["id"], pillar=p["id"], text=q["text"].strip(), hint=q["hint"].strip()))
        pillars.append(Pillar(id=p["id"], name=p["name"], questions=tuple(questions)))
    return tuple(pillars)


def pillar_names() -> dict[str, str]:
    return {p.id: p.name for p in review_pillars()}
