"""What the quiz pages show: plain structures built from a question, a learner's answers and a grade.

No database and no request: views call these and hand the result to the templates, which only lay it out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from quiz.answers import NOTHING_ANSWERED, Problem
from quiz.scheduling import RATING_BANDS

PART_LABELS = {
    "choice": "Choose one",
    "multi": "Choose all that apply",
    "numeric": "Number",
    "text": "Explain",
    "design": "Design",
}
GRADING_RULES = {
    "choice": "All or nothing: the one correct option earns the part's points.",
    "multi": (
        "Every option counts: +1 for each correct option you tick, -1 for each wrong one, divided by the number "
        "of correct options; never below zero. Ticking everything does not pay."
    ),
    "numeric": (
        "Full points within the stated tolerance. A figure that was right before a documented AWS change earns "
        "part of the points, and the feedback says what changed."
    ),
    "text": (
        "Your explanation is read sentence by sentence against a rubric of concepts; each concept found earns "
        "its weight, and the part scores the weight found over the total weight. Misconceptions are pointed "
        "out but not subtracted. Only the first 10,000 characters are read."
    ),
    "design": (
        "Your diagram is validated by the designer; each requirement (a pattern complete, a service used, a "
        "problem absent) counts equally."
    ),
}
ALL_RULES = [(PART_LABELS[k], GRADING_RULES[k]) for k in PART_LABELS]
TOTAL_RULE = (
    "The question's score is the points earned over the points available, as a percentage; a part left "
    "unanswered scores 0."
)


def grading_rules(question: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The partial-credit rules of the part types this question uses, in the order they first appear."""
    kinds = list(dict.fromkeys(p["type"] for p in question["parts"]))
    return [(PART_LABELS[k], GRADING_RULES[k]) for k in kinds]


def rating_rules() -> list[tuple[str, str]]:
    """The score-to-rating mapping, as ("below 40", "Again") rows."""
    rows, low = [], 0
    for bound, rating in RATING_BANDS:
        rows.append((f"{low}-{bound - 1}", rating.name))
        low = bound
    rows.append((f"{low}-100", "Easy"))
    return rows


def form_parts(
    question: Mapping[str, Any], *, raw: Mapping[str, Any] | None = None, problems: Iterable[Problem] = ()
) -> list[dict[str, Any]]:
    """The parts as the answer form shows them: no correct flags, with the learner's values and errors."""
    raw = raw or {}
    errors: dict[str, list[str]] = {}
    for problem in problems:
        pid, detail = _part_of(problem.path, question)
        if pid:
            message = f"{detail}: {problem.message}" if detail else problem.message
            errors.setdefault(pid, []).append(message[:1].upper() + message[1:])
    out = []
    for number, part in enumerate(question["parts"], start=1):
        value = raw.get(part["id"], [] if part["type"] == "multi" else "")
        out.append(
            {
                "number": number,
                "id": part["id"],
                "type": part["type"],
                "label": PART_LABELS[part["type"]],
                "prompt": part["prompt"],
                "points": _num(part.get("points", 1)),
                "unit": part.get("unit", ""),
                "options": [
                    {
                        "id": o["id"],
                        "text": o["text"],
                        "checked": o["id"] in value if isinstance(value, list) else o["id"] == value,
                    }
                    for o in part.get("options") or ()
                ],
                "value": value if isinstance(value, str) else "",
                "errors": errors.get(part["id"], []),
            }
        )
    return out


def general_errors(question: Mapping[str, Any], problems: Iterable[Problem]) -> list[str]:
    """Problems that belong to no part (``responses`` itself), in the page's words: parts by number, not by id."""
    messages = []
    for p in problems:
        if _part_of(p.path, question)[0]:
            continue
        if p.message.startswith(NOTHING_ANSWERED):
            count = len(question["parts"])
            messages.append(f"Nothing was sent: answer at least one of the {count} parts, then send again.")
        else:
            messages.append(p.message)
    return messages


def raw_from_responses(question: Mapping[str, Any], responses: Mapping[str, Any]) -> dict[str, Any]:
    """A stored attempt's responses as form values, to retry with them."""
    raw: dict[str, Any] = {}
    for part in question["parts"]:
        value = responses.get(part["id"])
        if value is None:
            continue
        if part["type"] == "design":
            raw[part["id"]] = json.dumps(value, indent=2, ensure_ascii=False)
        elif part["type"] == "multi":
            raw[part["id"]] = [str(v) for v in value]
        else:
            raw[part["id"]] = str(_num(value))
    return raw


def graded_parts(
    question: Mapping[str, Any], grade: Mapping[str, Any], responses: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Each part with its score, the learner's answer and everything the feedback teaches."""
    by_id = {p["id"]: p for p in grade["parts"]}
    out = []
    for number, part in enumerate(question["parts"], start=1):
        result = by_id.get(part["id"])
        if result is None:  # the question gained a part after this attempt
            continue
        feedback = result.get("feedback") or {}
        answered = part["id"] in responses
        share = result["score"] / result["max"] if result["max"] else 0
        view: dict[str, Any] = {
            "number": number,
            "id": part["id"],
            "type": part["type"],
            "label": PART_LABELS.get(part["type"], part["type"]),
            "prompt": part["prompt"],
            "score": _num(result["score"]),
            "max": _num(result["max"]),
            "verdict": "right" if share >= 0.999 else "partly" if share > 0 else "wrong",
            "answered": answered,
            "feedback": feedback,
        }
        view.update(_DETAILS[part["type"]](part, feedback, responses.get(part["id"])))
        out.append(view)
    return out


def _choice_details(part: Mapping[str, Any], feedback: Mapping[str, Any], answer: Any) -> dict[str, Any]:
    options = [
        {
            "id": o["id"],
            "text": o["text"],
            "correct": bool(o.get("correct")),
            "chosen": o["id"] == answer,
            "why": o["why"],
        }
        for o in part["options"]
    ]
    return {"options": options}


def _multi_details(part: Mapping[str, Any], feedback: Mapping[str, Any], answer: Any) -> dict[str, Any]:
    chosen = set(answer or ())
    options = [
        {
            "id": o["id"],
            "text": o["text"],
            "correct": bool(o.get("correct")),
            "chosen": o["id"] in chosen,
            "why": o["why"],
        }
        for o in part["options"]
    ]
    for o in options:
        o["earned"] = "+1" if o["chosen"] and o["correct"] else "-1" if o["chosen"] else ""
    return {"options": options, "rule": feedback.get("rule", "")}


def _numeric_details(part: Mapping[str, Any], feedback: Mapping[str, Any], answer: Any) -> dict[str, Any]:
    return {
        "given": _num(answer) if answer is not None else None,
        "expected": _num(part["answer"]),
        "unit": part.get("unit", ""),
        "tolerance": _num(part.get("tolerance", 0)),
        "why": part.get("why", ""),
        "outdated": feedback.get("outdated", ""),
    }


def _text_details(part: Mapping[str, Any], feedback: Mapping[str, Any], answer: Any) -> dict[str, Any]:
    concepts = {c["id"]: c for c in part["rubric"]}
    found = [
        {
            "id": f["concept"],
            "explain": concepts.get(f["concept"], {}).get("explain", ""),
            "evidence": f["evidence"],
            "weight": _num(concepts.get(f["concept"], {}).get("weight", 1)),
        }
        for f in feedback.get("found", ())
    ]
    missed = [
        {
            "id": m["concept"],
            "explain": m["explain"],
            "weight": _num(concepts.get(m["concept"], {}).get("weight", 1)),
            "denied": m.get("negated", ""),  # the sentence that says the opposite, if one does
            "contradicted": m.get("contradicted", ""),  # said, but cancelled by a misconception
            "unread": m.get("unread") or {},  # named where it cannot count: a list, the question pasted back ...
        }
        for m in feedback.get("missed", ())
    ]
    reading = feedback.get("reading") or {}
    return {
        "found": found,
        "missed": missed,
        # A denied concept is shown once, among the missed ones with the sentence that denies it.
        "misconceptions": [m for m in feedback.get("misconceptions", []) if not m.get("negated")],
        "unread": reading.get("unread", []),
        "language": reading.get("language", ""),
        "counted": reading.get("counted"),
        "sentences": reading.get("sentences"),
        "text": answer or "",
    }


def _design_details(part: Mapping[str, Any], feedback: Mapping[str, Any], answer: Any) -> dict[str, Any]:
    names = pattern_names()
    patterns = [{**p, "name": names.get(p["id"], p["id"])} for p in feedback.get("patterns", ())]
    return {
        "met": [requirement_text(c) for c in feedback.get("met", ())],
        "unmet": [requirement_text(c) for c in feedback.get("unmet", ())],
        "checks": len(feedback.get("met", ())) + len(feedback.get("unmet", ())),
        "errors": feedback.get("errors", []),
        "findings": feedback.get("findings", []),
        "patterns": patterns,
    }


_DETAILS = {
    "choice": _choice_details,
    "multi": _multi_details,
    "numeric": _numeric_details,
    "text": _text_details,
    "design": _design_details,
}


def pattern_links(ids: Iterable[str]) -> list[dict[str, str]]:
    """Links to the pattern pages (served by the designer at /patterns/<id>/)."""
    names = pattern_names()
    return [{"id": p, "name": names.get(p, p), "url": f"/patterns/{p}/"} for p in ids]


def requirement_text(check: str) -> str:
    """The grader's "rule queue-without-dlq does not fire" in words: "No finding: Queue without a dead-letter queue"."""
    kind, _, rest = check.partition(" ")
    ident, _, tail = rest.partition(" ")
    if kind == "pattern":
        return f"{pattern_names().get(ident, ident)} pattern {tail}"
    if kind == "service":
        return f"Uses {_names('services').get(ident, ident)}"
    if kind == "rule":
        return f"No finding “{_names('rules').get(ident, ident)}”"
    return check


@cache
def _names(what: str) -> dict[str, str]:
    try:
        if what == "services":
            from designer.domain.catalog import load_catalog

            return {t.id: t.name for t in load_catalog().types.values()}
        from designer.domain.rules import load_rules

        return {r.id: r.title for r in load_rules().values()}
    except (OSError, KeyError, TypeError, AttributeError):  # someone else's data: fall back to ids
        return {}


@cache
def pattern_names() -> dict[str, str]:
    from designer.domain.catalog import read_data

    try:
        return {p["id"]: p["name"] for p in read_data("patterns.yaml")["patterns"]}
    except (OSError, KeyError, TypeError):  # the catalog is someone else's file: degrade to ids, never fail a page
        return {}


def _part_of(path: str, question: Mapping[str, Any]) -> tuple[str | None, str]:
    """``responses.build-it.nodes[2].type`` -> ("build-it", "nodes[2].type")."""
    if not path.startswith("responses."):
        return None, ""
    rest = path[len("responses.") :]
    for part in question["parts"]:
        pid = part["id"]
        if rest == pid or rest.startswith((pid + ".", pid + "[")):
            return pid, rest[len(pid) :].lstrip(".")
    return None, ""


def _num(value: Any) -> Any:
    """2.0 -> 2, 3.5 -> 3.5; leaves anything else alone."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
