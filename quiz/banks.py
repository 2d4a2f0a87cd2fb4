"""Question banks as data: reading ``quiz/content/*.yaml`` and checking every question's shape.

Pure Python (no Django). :func:`read_bank` parses one file and :func:`check_bank` returns every problem it finds,
each naming the file, the question and the path of the offending value, for example::

    quiz/content/workshop.yaml: question ws-03, parts[2] (explain): rubric[1].match[0]: not a valid regular
    expression (missing ), unterminated subpattern at position 4)

The shape is the one of ``quiz-format.md`` (version 1). Keys this module does not know are kept, so a later
version can add fields without breaking older loaders.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "PART_TYPES",
    "BankError",
    "BankFile",
    "check_bank",
    "check_question",
    "read_bank",
    "section_slug",
]

PART_TYPES = ("choice", "multi", "numeric", "text", "design")
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
QID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
DESIGN_KEYS = ("patterns_complete", "patterns", "services", "rules_absent")
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
        return [f"{where}: a bank file is a mapping with 'bank' and 'questions', not {_kind(data)}"]
    problems: list[str] = []
    bank = data.get("bank")
    if not isinstance(bank, str) or not SLUG.fullmatch(bank):
        problems.append(
            f"{where}: 'bank' must be a slug such as 'workshop' (lower-case letters, digits, '-'), not {bank!r}"
        )
    if "title" in data and not _text(data["title"]):
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
        return [f"a question is a mapping, not {_kind(question)}"]
    problems: list[str] = []
    qid = question.get("id")
    if not isinstance(qid, str) or not QID.fullmatch(qid):
        problems.append(f"id: must be 1-64 letters, digits, '.', '_' or '-', not {qid!r}")
    for key in ("section", "title", "prompt", "explanation"):
        if not _text(question.get(key)):
            problems.append(f"{key}: required, non-empty text")
    problems.extend(_check_sources(question.get("sources")))
    for key, known in (("patterns", _pattern_ids()), ("rules", _rule_ids())):
        problems.extend(_check_ids(question.get(key, []), key, known))
    parts = question.get("parts")
    if not isinstance(parts, list) or not parts:
        problems.append("parts: required, a non-empty list")
        return problems
    seen: set[str] = set()
    for i, part in enumerate(parts):
        pid = part.get("id") if isinstance(part, dict) else None
        label = f"parts[{i}] ({pid})" if isinstance(pid, str) else f"parts[{i}]"
        problems.extend(f"{label}: {p}" for p in _check_part(part))
        if isinstance(pid, str):
            if pid in seen:
                problems.append(f"{label}: id {pid!r} is used by another part of this question")
            seen.add(pid)
    return problems


def _check_part(part: Any) -> list[str]:
    if not isinstance(part, dict):
        return [f"a part is a mapping, not {_kind(part)}"]
    problems = []
    pid = part.get("id")
    if not isinstance(pid, str) or not QID.fullmatch(pid):
        problems.append(f"id: must be 1-64 letters, digits, '.', '_' or '-', not {pid!r}")
    if not _text(part.get("prompt")):
        problems.append("prompt: required, non-empty text")
    points = part.get("points", 1)
    if not _number(points) or points <= 0:
        problems.append(f"points: must be a number above 0, not {points!r}")
    kind = part.get("type")
    if kind not in PART_TYPES:
        return [*problems, f"type: must be one of {', '.join(PART_TYPES)}, not {kind!r}"]
    return problems + _PART_CHECKS[kind](part)


def _check_options(part: Mapping[str, Any]) -> list[str]:
    options = part.get("options")
    if not isinstance(options, list) or len(options) < 2:
        return ["options: required, a list of at least two options"]
    problems, ids = [], set()
    for i, option in enumerate(options):
        if not isinstance(option, dict):
            problems.append(f"options[{i}]: an option is a mapping with id, text, correct and why")
            continue
        oid = option.get("id")
        if not isinstance(oid, str) or not QID.fullmatch(oid):
            problems.append(f"options[{i}].id: must be 1-64 letters, digits, '.', '_' or '-', not {oid!r}")
        elif oid in ids:
            problems.append(f"options[{i}].id: {oid!r} is used by another option")
        ids.add(oid)
        for key in ("text", "why"):
            if not _text(option.get(key)):
                problems.append(f"options[{i}].{key}: required, non-empty text (every option explains itself)")
        if not isinstance(option.get("correct", False), bool):
            problems.append(f"options[{i}].correct: must be true or false")
    return problems


def _check_choice(part: Mapping[str, Any]) -> list[str]:
    problems = _check_options(part)
    if not problems and sum(bool(o.get("correct")) for o in part["options"]) != 1:
        problems.append("options: a choice part has exactly one correct option (use type multi for several)")
    return problems


def _check_multi(part: Mapping[str, Any]) -> list[str]:
    problems = _check_options(part)
    if not problems and not any(o.get("correct") for o in part["options"]):
        problems.append("options: a multi part needs at least one correct option")
    return problems


def _check_numeric(part: Mapping[str, Any]) -> list[str]:
    problems = []
    if not _number(part.get("answer")):
        problems.append(f"answer: required, a number, not {part.get('answer')!r}")
    if not _text(part.get("unit")):
        problems.append("unit: required, non-empty text (write 'count' for a plain number)")
    tolerance = part.get("tolerance", 0)
    if not _number(tolerance) or tolerance < 0:
        problems.append(f"tolerance: must be a number of at least 0, not {tolerance!r}")
    outdated = part.get("outdated") or []
    if not isinstance(outdated, list):
        return [*problems, "outdated: must be a list of {answer, note, credit}"]
    for i, old in enumerate(outdated):
        if not isinstance(old, dict) or not _number(old.get("answer")) or not _text(old.get("note")):
            problems.append(f"outdated[{i}]: needs a numeric 'answer' and a 'note' saying what changed")
        elif not _number(old.get("credit", 0.5)) or not 0 <= old.get("credit", 0.5) <= 1:
            problems.append(f"outdated[{i}].credit: must be a number from 0 to 1")
    return problems


def _check_text(part: Mapping[str, Any]) -> list[str]:
    rubric = part.get("rubric")
    if not isinstance(rubric, list) or not rubric:
        return ["rubric: required, a non-empty list of concepts"]
    problems = _check_matchers(rubric, "rubric", weighted=True)
    misconceptions = part.get("misconceptions") or []
    if not isinstance(misconceptions, list):
        return [*problems, "misconceptions: must be a list"]
    return problems + _check_matchers(misconceptions, "misconceptions", weighted=False)


def _check_matchers(items: list[Any], key: str, *, weighted: bool) -> list[str]:
    problems, ids = [], set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f"{key}[{i}]: must be a mapping with id, explain and match")
            continue
        iid = item.get("id")
        if not isinstance(iid, str) or not QID.fullmatch(iid):
            problems.append(f"{key}[{i}].id: must be 1-64 letters, digits, '.', '_' or '-', not {iid!r}")
        elif iid in ids:
            problems.append(f"{key}[{i}].id: {iid!r} is used twice")
        ids.add(iid)
        if not _text(item.get("explain")):
            problems.append(f"{key}[{i}].explain: required, non-empty text")
        if weighted and (not _number(item.get("weight", 1)) or item.get("weight", 1) <= 0):
            problems.append(f"{key}[{i}].weight: must be a number above 0")
        patterns = item.get("match")
        if not isinstance(patterns, list) or not patterns:
            problems.append(f"{key}[{i}].match: required, a non-empty list of regular expressions")
            continue
        for j, pattern in enumerate(patterns):
            if not isinstance(pattern, str) or not pattern:
                problems.append(f"{key}[{i}].match[{j}]: must be a non-empty string")
                continue
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as exc:
                problems.append(f"{key}[{i}].match[{j}]: not a valid regular expression ({exc})")
    return problems


def _check_design(part: Mapping[str, Any]) -> list[str]:
    require = part.get("require")
    if not isinstance(require, dict) or not any(require.get(k) for k in DESIGN_KEYS):
        return [f"require: required, a mapping with at least one of {', '.join(DESIGN_KEYS)}"]
    problems = [
        f"require.{k}: unknown requirement (use {', '.join(DESIGN_KEYS)})" for k in require if k not in DESIGN_KEYS
    ]
    known = {
        "patterns_complete": _pattern_ids(),
        "patterns": _pattern_ids(),
        "services": _service_types(),
        "rules_absent": _rule_ids(),
    }
    for key in DESIGN_KEYS:
        problems.extend(_check_ids(require.get(key, []), f"require.{key}", known[key]))
    return problems


def _check_sources(sources: Any) -> list[str]:
    if sources is None:
        return []  # optional: a bank imported from Moodle may have none
    if not isinstance(sources, list):
        return ["sources: must be a list of {title, url}"]
    problems = []
    for i, source in enumerate(sources):
        if not isinstance(source, dict) or not _text(source.get("title")):
            problems.append(f"sources[{i}]: needs a 'title'")
        elif not isinstance(source.get("url"), str) or not source["url"].startswith("https://"):
            problems.append(f"sources[{i}].url: must be an https:// address, not {source.get('url')!r}")
    return problems


def _check_ids(values: Any, key: str, known: frozenset[str]) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return [f"{key}: must be a list of ids"]
    return [f"{key}: {v!r} is not known (known: {', '.join(sorted(known))})" for v in values if v not in known]


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


# The designer's catalog is data read once; quiz may import the designer's pure core (never the reverse).
@cache
def _pattern_ids() -> frozenset[str]:
    from designer.domain.patterns import PATTERN_IDS

    return frozenset(PATTERN_IDS)


@cache
def _rule_ids() -> frozenset[str]:
    from designer.domain.rules import load_rules

    return frozenset(load_rules())


@cache
def _service_types() -> frozenset[str]:
    from designer.domain.catalog import load_catalog

    return frozenset(load_catalog().types)


_PART_CHECKS = {
    "choice": _check_choice,
    "multi": _check_multi,
    "numeric": _check_numeric,
    "text": _check_text,
    "design": _check_design,
}
