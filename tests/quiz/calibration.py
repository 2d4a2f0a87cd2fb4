"""The grader measured against answers written without its rubric (``quiz/content/calibration/``, see its README).

Each answer has a kind, and each kind a band the part's score must fall in; a misconception answer must also have
its misconception named. ``evaluate()`` grades every answer and says, per kind, how many landed in their band.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from quiz.grading import grade

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "quiz" / "content"
CALIBRATION = CONTENT / "calibration"

# kind -> (lowest, highest) share of the part
BANDS: dict[str, tuple[float, float]] = {
    "strong": (0.7, 1.0),
    "partial": (0.3, 0.7),
    "weak": (0.0, 0.35),
    "keywords": (0.0, 0.3),
    "echo": (0.0, 0.3),
    "padded": (0.0, 0.3),
    "misconception": (0.0, 0.6),
}
GAMING = ("keywords", "echo", "padded")


@dataclass(frozen=True)
class Answer:
    bank: str
    question: str
    part: str
    kind: str
    text: str
    misconception: str | None = None  # the id of the misconception it is built on
    belief: str = ""

    @property
    def name(self) -> str:
        return f"{self.question}/{self.part}/{self.kind}"


@dataclass
class Outcome:
    answer: Answer
    score: float
    named: list[str] = field(default_factory=list)  # misconceptions the grader named

    @property
    def in_band(self) -> bool:
        low, high = BANDS[self.answer.kind]
        return low - 1e-9 <= self.score <= high + 1e-9

    @property
    def named_right(self) -> bool:
        return self.answer.misconception in self.named if self.answer.misconception else bool(self.named)

    @property
    def ok(self) -> bool:
        return self.in_band and (self.answer.kind != "misconception" or self.named_right)


def questions() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(CONTENT.glob("*.yaml")):
        for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            out[q["id"]] = q
    return out


def answers(folder: Path = CALIBRATION) -> list[Answer]:
    out = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data["answers"]:
            for a in entry["answers"]:
                out.append(
                    Answer(
                        data["bank"],
                        entry["question"],
                        entry["part"],
                        a["kind"],
                        a["text"],
                        a.get("misconception"),
                        a.get("belief", ""),
                    )
                )
    return out


def grade_one(answer: Answer, bank: dict[str, dict[str, Any]]) -> Outcome:
    question = bank[answer.question]
    result = grade(question, {answer.part: answer.text})
    part = next(p for p in result.parts if p.id == answer.part)
    named = [m["id"] for m in part.feedback.get("misconceptions", ()) if not m.get("negated")]
    return Outcome(answer, part.score / part.max if part.max else 0.0, named)


@dataclass
class Summary:
    outcomes: list[Outcome]

    def share(self, kinds: tuple[str, ...], test: str = "ok") -> tuple[int, int]:
        chosen = [o for o in self.outcomes if o.answer.kind in kinds]
        return sum(bool(getattr(o, test)) for o in chosen), len(chosen)

    def confusions(self) -> Counter[tuple[str, str]]:
        """(kind, where it landed) for answers out of their band: below, above."""
        out: Counter[tuple[str, str]] = Counter()
        for o in self.outcomes:
            if not o.in_band:
                out[(o.answer.kind, "above" if o.score > BANDS[o.answer.kind][1] else "below")] += 1
        return out


def evaluate(folder: Path = CALIBRATION) -> Summary:
    bank = questions()
    return Summary([grade_one(a, bank) for a in answers(folder)])
