"""A learner's responses: checked before grading, from JSON (the API) or from an HTML form (the pages).

Pure Python. :func:`check` returns the responses ready for ``grading.grade`` and every problem found, each with
the path of the offending value (``responses.explain``, ``responses.build-it.nodes[2].type``), so the API can
answer 400 and the page can show the message beside the part while keeping what the learner typed.

A part left out (or answered with an empty text) is simply not answered and scores 0. A submission that
answers no part at all is refused: it is almost always a slip, and storing it would schedule a review for nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from designer.domain.diagram import DiagramError, loads, parse
from quiz.grading import MAX_TEXT

__all__ = ["MAX_DIAGRAM_BYTES", "FormAnswers", "Problem", "check", "from_form"]

MAX_DIAGRAM_BYTES = 1_000_000  # a pasted or uploaded diagram; the designer's largest starter is about 8 KB
NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


NOTHING_ANSWERED = "answer at least one part"  # the start of the message for responses that answer no part


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


@dataclass(frozen=True, slots=True)
class FormAnswers:
    """What a form gave: ``responses`` to grade, ``raw`` to show again (part id -> text or list), ``problems``."""

    responses: dict[str, Any]
    raw: dict[str, Any]
    problems: list[Problem]


def check(question: Mapping[str, Any], responses: Any) -> tuple[dict[str, Any], list[Problem]]:
    """Check ``responses`` (part id -> answer) against ``question``; returns (clean responses, problems)."""
    if not isinstance(responses, dict):
        return {}, [Problem("responses", "must be an object mapping part ids to answers")]
    parts = {p["id"]: p for p in question["parts"]}
    clean: dict[str, Any] = {}
    problems: list[Problem] = []
    for pid, answer in responses.items():
        path = f"responses.{pid}"
        part = parts.get(pid)
        if part is None:
            problems.append(Problem(path, f"this question has no part {pid!r}; its parts are {', '.join(parts)}"))
            continue
        if answer is None:
            continue
        value, part_problems = _CHECKS[part["type"]](part, answer, path)
        problems.extend(part_problems)
        if value is not None and not part_problems:
            clean[pid] = value
    if not clean and not problems:
        problems.append(Problem("responses", f"{NOTHING_ANSWERED} ({', '.join(parts)})"))
    return clean, problems


def from_form(
    question: Mapping[str, Any], data: Mapping[str, list[str]], files: Mapping[str, bytes] | None = None
) -> FormAnswers:
    """Read the question page's form: field ``part-<id>`` per part, plus ``part-<id>-file`` for diagrams."""
    files = files or {}
    responses: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    problems: list[Problem] = []
    for part in question["parts"]:
        pid, kind = part["id"], part["type"]
        values = [v for v in data.get(f"part-{pid}", []) if isinstance(v, str)]
        if kind == "multi":
            raw[pid] = values
            if values:
                responses[pid] = values
            continue
        text = values[0] if values else ""
        if kind == "design" and files.get(f"part-{pid}-file"):
            text, problem = _decode_upload(files[f"part-{pid}-file"], f"responses.{pid}")
            if problem:
                problems.append(problem)
        raw[pid] = text
        if not text.strip():
            continue
        if kind == "numeric":
            responses[pid] = _number_from_text(text, part.get("unit", ""))
        elif kind == "design":
            if len(text.encode()) > MAX_DIAGRAM_BYTES:
                problems.append(Problem(f"responses.{pid}", f"the diagram is larger than {MAX_DIAGRAM_BYTES:,} bytes"))
                continue
            try:
                responses[pid] = loads(text)
            except DiagramError as exc:
                problems.append(Problem(f"responses.{pid}", f"the diagram is {exc.problems[0].message}"))
        else:
            responses[pid] = text
    clean, more = check(question, responses)
    if problems:  # a part that could not be read was answered, so "answer at least one part" would mislead
        more = [p for p in more if p.path != "responses"]
    return FormAnswers(clean, raw, problems + more)


def _decode_upload(content: bytes, path: str) -> tuple[str, Problem | None]:
    if len(content) > MAX_DIAGRAM_BYTES:
        return "", Problem(path, f"the uploaded file is larger than {MAX_DIAGRAM_BYTES:,} bytes")
    try:
        return content.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return "", Problem(path, "the uploaded file is not UTF-8 text; upload the diagram's .json file")


def _number_from_text(text: str, unit: str) -> Any:
    """``"1,024"``, ``"$10.95"``, ``"900 s"`` -> a number; anything else is left as text for :func:`check`."""
    cleaned = text.strip().replace(",", "").replace("_", "").lstrip("$").strip()
    if unit and cleaned.lower().endswith(unit.lower()):
        cleaned = cleaned[: -len(unit)].strip()
    return _to_number(cleaned) if NUMBER.fullmatch(cleaned) else text


def _to_number(text: str) -> float | int:
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _check_choice(part: Mapping[str, Any], answer: Any, path: str) -> tuple[Any, list[Problem]]:
    ids = [o["id"] for o in part["options"]]
    if not isinstance(answer, str) or answer not in ids:
        return None, [Problem(path, f"{_show(answer)} is not one of the options ({', '.join(ids)})")]
    return answer, []


def _check_multi(part: Mapping[str, Any], answer: Any, path: str) -> tuple[Any, list[Problem]]:
    ids = [o["id"] for o in part["options"]]
    if not isinstance(answer, list):
        return None, [Problem(path, f"must be a list of option ids ({', '.join(ids)}), not {_show(answer)}")]
    problems = [
        Problem(f"{path}[{i}]", f"{_show(a)} is not one of the options ({', '.join(ids)})")
        for i, a in enumerate(answer)
        if not isinstance(a, str) or a not in ids
    ]
    return list(dict.fromkeys(answer)) if not problems else None, problems


def _check_numeric(part: Mapping[str, Any], answer: Any, path: str) -> tuple[Any, list[Problem]]:
    unit = part.get("unit", "")
    if isinstance(answer, str) and NUMBER.fullmatch(answer.strip()):
        answer = _to_number(answer.strip())
    if isinstance(answer, bool) or not isinstance(answer, int | float) or not math.isfinite(answer):
        hint = f" (in {unit}, without the unit)" if unit else ""
        return None, [Problem(path, f"must be a number{hint}, not {_show(answer)}")]
    return answer, []


def _check_text(part: Mapping[str, Any], answer: Any, path: str) -> tuple[Any, list[Problem]]:
    if not isinstance(answer, str):
        return None, [Problem(path, f"must be text, not {_show(answer)}")]
    if len(answer) > MAX_TEXT:
        return None, [Problem(path, f"is {len(answer):,} characters; answers are graded up to {MAX_TEXT:,}")]
    return (answer if answer.strip() else None), []


def _check_design(part: Mapping[str, Any], answer: Any, path: str) -> tuple[Any, list[Problem]]:
    if isinstance(answer, dict) and set(answer) == {"diagram"}:
        # quiz.services resolves saved diagrams before checking; one left here could not be opened.
        return None, [Problem(f"{path}.diagram", f"{_show(answer['diagram'])} is not a diagram you can open")]
    if not isinstance(answer, dict):
        return None, [Problem(path, f"must be a diagram (an archlab/diagram@1 JSON object), not {_show(answer)}")]
    try:
        parse(answer)
    except DiagramError as exc:
        return None, [Problem(f"{path}.{p.path}" if p.path else path, p.message) for p in exc.problems]
    except RecursionError:
        return None, [Problem(path, "the diagram is nested too deeply to read")]
    return answer, []


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:40] + "...")
    if value is None or isinstance(value, bool | int | float):
        return "null" if value is None else str(value).lower() if isinstance(value, bool) else repr(value)
    if isinstance(value, dict):
        return "an object"
    return "a list" if isinstance(value, list) else type(value).__name__


_CHECKS = {
    "choice": _check_choice,
    "multi": _check_multi,
    "numeric": _check_numeric,
    "text": _check_text,
    "design": _check_design,
}
