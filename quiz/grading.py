"""Grading a learner's answer to one question, part by part, with feedback that teaches.

Pure Python: ``grade(question, responses)`` takes a question as loaded from a bank (``quiz/content/*.yaml``, see
the question format) and the learner's responses keyed by part id, and returns a :class:`Grade`. Design parts are
parsed and validated by the designer's core; the rest needs nothing beyond the question itself.

Partial credit:
- choice: all or nothing.
- multi: every option counts: +1 for each correct option chosen, -1 for each wrong one, over the number of
  correct options; never below zero.
- numeric: full credit within the tolerance; an answer that was right before a documented AWS change earns that
  answer's ``credit`` share and says what changed.
- text: the weights of the rubric concepts the learner claims in sentences of their own, over the total weight;
  a stated misconception costs its weight, cancels the concepts it contradicts and holds the part to at most 60%
  (see :mod:`quiz.claims`; lists of terms, the question pasted back and praise earn nothing, :mod:`quiz.reading`).
- design: each requirement (pattern complete, service present, rule absent, ...) counts equally.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from designer.domain.diagram import DiagramError, parse
from designer.domain.validate import validate
from quiz.claims import grade_text, question_prompts, question_text

__all__ = ["MAX_TEXT", "Grade", "PartGrade", "grade"]

MAX_TEXT = 10_000  # characters of free text that are graded


@dataclass(frozen=True, slots=True)
class PartGrade:
    id: str
    type: str
    score: float
    max: float
    feedback: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "score": self.score, "max": self.max, "feedback": self.feedback}


@dataclass(frozen=True, slots=True)
class Grade:
    question: str
    score: int
    parts: tuple[PartGrade, ...]
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "score": self.score,
            "parts": [p.to_dict() for p in self.parts],
            "explanation": self.explanation,
        }


def grade(question: Mapping[str, Any], responses: Mapping[str, Any]) -> Grade:
    """Grade ``responses`` (part id -> answer) against ``question``; a part left out scores 0."""
    parts = []
    shown, prompts = question_text(question), question_prompts(question)
    for part in question["parts"]:
        points = float(part.get("points", 1))
        answer = responses.get(part["id"])
        if part["type"] == "text":
            fraction, feedback = _text(part, answer, shown, prompts)
        else:
            fraction, feedback = _GRADERS[part["type"]](part, answer)
        parts.append(PartGrade(part["id"], part["type"], round(points * fraction, 2), points, feedback))
    total = sum(p.max for p in parts)
    score = round(100 * sum(p.score for p in parts) / total) if total else 0
    return Grade(question["id"], score, tuple(parts), question.get("explanation", ""))


def _choice(part: Mapping[str, Any], answer: Any) -> tuple[float, dict[str, Any]]:
    options = {o["id"]: o for o in part["options"]}
    correct = [o["id"] for o in part["options"] if o.get("correct")]
    if answer is None:
        return 0.0, {"answered": False, "correct": correct}
    chosen = options.get(answer) if isinstance(answer, str) else None
    if chosen is None:
        return 0.0, {"answered": False, "error": f"{answer!r} is not one of the options", "correct": correct}
    return (1.0 if chosen.get("correct") else 0.0), {"chosen": answer, "why": chosen["why"], "correct": correct}


def _multi(part: Mapping[str, Any], answer: Any) -> tuple[float, dict[str, Any]]:
    options = {o["id"]: o for o in part["options"]}
    correct = {o["id"] for o in part["options"] if o.get("correct")}
    if answer is None:
        answer = []
    if not isinstance(answer, list) or not all(isinstance(a, str) and a in options for a in answer):
        return 0.0, {"error": "the answer must be a list of option ids", "correct": sorted(correct)}
    chosen = set(answer)
    hits, wrong = len(chosen & correct), len(chosen - correct)
    fraction = max(0.0, (hits - wrong) / len(correct)) if correct else 0.0
    per_option = [
        {"id": o["id"], "chosen": o["id"] in chosen, "correct": bool(o.get("correct")), "why": o["why"]}
        for o in part["options"]
    ]
    return fraction, {"options": per_option, "rule": "+1 per correct option chosen, -1 per wrong one, never below 0"}


def _numeric(part: Mapping[str, Any], answer: Any) -> tuple[float, dict[str, Any]]:
    expected, tolerance, unit = float(part["answer"]), float(part.get("tolerance", 0)), part.get("unit", "")
    base = {"answer": part["answer"], "unit": unit, "why": part.get("why", "")}
    if isinstance(answer, str):
        try:
            answer = float(answer.strip())
        except ValueError:
            return 0.0, {**base, "error": f"{answer!r} is not a number"}
    if isinstance(answer, bool) or not isinstance(answer, int | float) or not math.isfinite(answer):
        return 0.0, {**base, "answered": answer is not None}
    if abs(answer - expected) <= tolerance:
        return 1.0, {**base, "given": answer}
    for old in part.get("outdated") or ():
        if abs(answer - float(old["answer"])) <= tolerance:
            return float(old.get("credit", 0.5)), {**base, "given": answer, "outdated": old["note"]}
    return 0.0, {**base, "given": answer}


def _text(part: Mapping[str, Any], answer: Any, shown: str = "", prompts: str = "") -> tuple[float, dict[str, Any]]:
    """Rubric concepts found as claims, missed, and misconceptions (:mod:`quiz.claims`)."""
    text = answer if isinstance(answer, str) else ""
    return grade_text(part, text[:MAX_TEXT], shown, prompts)


def _design(part: Mapping[str, Any], answer: Any) -> tuple[float, dict[str, Any]]:
    require = part.get("require") or {}
    if answer is None:
        return 0.0, {"answered": False, "require": require}
    try:
        diagram = parse(answer)
    except DiagramError as exc:
        errors = [{"path": p.path, "message": p.message} for p in exc.problems]
        return 0.0, {"errors": errors, "require": require}
    report = validate(diagram)
    complete = {m.id for m in report.patterns if m.complete}
    present = {m.id for m in report.patterns}
    types = {n.type for n in diagram.nodes}
    fired = {f.rule for f in report.findings}
    checks = (
        [(f"pattern {p} complete", p in complete) for p in require.get("patterns_complete", ())]
        + [(f"pattern {p} present", p in present) for p in require.get("patterns", ())]
        + [(f"service {s} used", s in types) for s in require.get("services", ())]
        + [(f"rule {r} does not fire", r not in fired) for r in require.get("rules_absent", ())]
    )
    met = [c for c, ok in checks if ok]
    unmet = [c for c, ok in checks if not ok]
    feedback = {
        "met": met,
        "unmet": unmet,
        "patterns": [m.to_dict() for m in report.patterns],
        "findings": [f.to_dict() for f in report.findings if f.severity != "info"],
    }
    return (len(met) / len(checks) if checks else 1.0), feedback


_GRADERS = {"choice": _choice, "multi": _multi, "numeric": _numeric, "text": _text, "design": _design}
