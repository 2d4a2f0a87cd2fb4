"""Question banks as data: reading ``quiz/content/*.yaml`` and checking every question's shape.

Pure Python (no Django). :func:`read_bank` parses one file and :func:`check_bank` returns every problem it finds,
each naming the file, the question and the path of the offending value, for example::

    quiz/content/workshop.yaml: question ws-03, parts[2] (explain): rubric[1].match[0]: not a valid regular
    expression (missing ), unterminated subpattern at position 4)

The shape is the one of ``quiz-format.md`` (version 1). Keys this module does not know are kept, so a later
version can add fields without breaking older loaders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from quiz.part_checks import PART_TYPES, QID, check_ids, check_part, is_text, kind_of, pattern_ids, rule_ids

__all__ = [
    "PART_TYPES",
    "BankError",
    "BankFile",
    "check_bank",
    "check_question",
    "read_bank",
    "section_slug",
]

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ten times faster


class BankError(ValueError):
    """A bank file that cannot be loaded; ``problems`` lists every problem, each a full sentence with its place."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True, slots=True)
class BankFile:
    slug: str
    title: str
    questions: tuple[dict[str, Any], ...]
    path: str
    position: int = 0  # where the bank is listed among the others (optional key ``position``; lowest first)


def section_slug(section: str) -> str:
    """``"EventBridge, SQS and SNS"`` -> ``"eventbridge-sqs-and-sns"``."""
    return re.sub(r"[^a-z0-9]+", "-", section.lower()).strip("-") or "general"


def read_bank(path: Path, *, label: str | None = None) -> BankFile:
    """Read and check one bank file; raises :class:`BankError` with every problem found."""
    where = label or str(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - a safe loader  # nosec B506
    except (OSError, UnicodeDecodeError) as exc:
        raise BankError([f"{where}: cannot be read ({exc})"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise BankError([f"{where}: not valid YAML{at}: {getattr(exc, 'problem', None) or exc}"]) from None
    problems = check_bank(data, where=where)
    if problems:
        raise BankError(problems)
    return BankFile(
        data["bank"], data.get("title") or data["bank"], tuple(data["questions"]), where, data.get("position", 0)
    )


def check_bank(data: Any, *, where: str) -> list[str]:
    """Every problem of a decoded bank file, as sentences starting with ``where``."""
    if not isinstance(data, dict):
        return [f"{where}: a bank file is a mapping with 'bank' and 'questions', not {kind_of(data)}"]
    problems: list[str] = []
    bank = data.get("bank")
    if not isinstance(bank, str) or not SLUG.fullmatch(bank):
        problems.append(
            f"{where}: 'bank' must be a slug such as 'workshop' (lower-case letters, digits, '-'), not {bank!r}"
        )
    if "title" in data and not is_text(data["title"]):
        problems.append(f"{where}: 'title' must be non-empty text")
    if not isinstance(data.get("position", 0), int) or isinstance(data.get("position"), bool):
        problems.append(f"{where}: 'position' must be a whole number (banks are listed lowest first)")
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        problems.append(f"{where}: 'questions' must be a non-empty list")
        return problems
    seen: dict[str, int] = {}
    for i, question in enumerate(questions):
        qid = question.get("id") if isinstance(question, dict) else None
        label = f"{where}: question {qid}" if isinstance(qid, str) and qid else f"{where}: questions[{i}]"
        problems.extend(f"{label}: {p}" for p in check_question(question))
        if isinstance(qid, str):
            if qid in seen:
                problems.append(f"{label}: the id is also used by questions[{seen[qid]}]")
            seen.setdefault(qid, i)
    return problems


def check_question(question: Any) -> list[str]:
    """Problems of one question (paths relative to the question), or an empty list."""
    if not isinstance(question, dict):
        return [f"a question is a mapping, not {kind_of(question)}"]
    problems: list[str] = []
    qid = question.get("id")
    if not isinstance(qid, str) or not QID.fullmatch(qid):
        problems.append(f"id: must be 1-64 letters, digits, '.', '_' or '-', not {qid!r}")
    for key in ("section", "title", "prompt", "explanation"):
        if not is_text(question.get(key)):
            problems.append(f"{key}: required, non-empty text")
    problems.extend(_check_sources(question.get("sources")))
    for key, known in (("patterns", pattern_ids()), ("rules", rule_ids())):
        problems.extend(check_ids(question.get(key, []), key, known))
    parts = question.get("parts")
    if not isinstance(parts, list) or not parts:
        problems.append("parts: required, a non-empty list")
        return problems
    seen: set[str] = set()
    for i, part in enumerate(parts):
        pid = part.get("id") if isinstance(part, dict) else None
        label = f"parts[{i}] ({pid})" if isinstance(pid, str) else f"parts[{i}]"
        problems.extend(f"{label}: {p}" for p in check_part(part))
        if isinstance(pid, str):
            if pid in seen:
                problems.append(f"{label}: id {pid!r} is used by another part of this question")
            seen.add(pid)
    return problems


def _check_sources(sources: Any) -> list[str]:
    if sources is None:
        return []  # optional: a bank imported from Moodle may have none
    if not isinstance(sources, list):
        return ["sources: must be a list of {title, url}"]
    problems = []
    for i, source in enumerate(sources):
        if not isinstance(source, dict) or not is_text(source.get("title")):
            problems.append(f"sources[{i}]: needs a 'title'")
        elif not isinstance(source.get("url"), str) or not source["url"].startswith("https://"):
            problems.append(f"sources[{i}].url: must be an https:// address, not {source.get('url')!r}")
    return problems
