"""What a room answered to one question, counted part by part, for the live charts and the results.

Pure Python. Each answer is boiled down once, when it is graded, to a small *summary* (:func:`summarize`), so
the instructor's screen counts hundreds of answers without reading their free text or diagrams again:

- choice: the option chosen; multi: the options ticked; numeric: the number given;
- text: the rubric concepts missed and the misconceptions shown; design: the findings and unmet requirements;
- every part: ``s``, the share of the part's points earned (0-1), and ``a``, whether it was answered.

:func:`tally` turns the summaries of a question into per-part counts: one per option, score bands (the review
ratings' bands: 0-39, 40-69, 70-89, 90-100) and the most common numbers, missed concepts and findings.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

__all__ = ["BANDS", "PartTally", "band_of", "summarize", "tally"]

BANDS = (("low", "0-39", 40), ("mid", "40-69", 70), ("good", "70-89", 90), ("top", "90-100", 101))
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
TOP = 5


def band_of(percent: float) -> str:
    for name, _, bound in BANDS:
        if percent < bound:
            return name
    return "top"


def summarize(question: Mapping[str, Any], grade: Mapping[str, Any], responses: Mapping[str, Any]) -> dict[str, Any]:
    """The summary of one graded answer (see the module docstring), keyed by part id."""
    graded = {p["id"]: p for p in grade["parts"]}
    out: dict[str, Any] = {}
    for part in question["parts"]:
        pid = part["id"]
        result = graded.get(pid)
        if result is None:
            continue
        feedback = result.get("feedback") or {}
        entry: dict[str, Any] = {
            "s": round(result["score"] / result["max"], 4) if result["max"] else 0.0,
            "a": pid in responses,
        }
        kind = part["type"]
        if kind in ("choice", "multi", "numeric"):
            entry["v"] = responses.get(pid)
        elif kind == "text" and entry["a"]:
            entry["missed"] = [m["concept"] for m in feedback.get("missed", ())]
            entry["mis"] = [m["id"] for m in feedback.get("misconceptions", ()) if not m.get("negated")]
        elif kind == "design" and entry["a"]:
            entry["rules"] = sorted({f["rule"] for f in feedback.get("findings", ())})
            entry["unmet"] = list(feedback.get("unmet", ()))
        out[pid] = entry
    return out


@dataclass
class PartTally:
    number: int
    id: str
    type: str
    prompt: str
    answered: int = 0
    mean: float | None = None  # percent of the part's points, over those who answered it
    options: list[dict[str, Any]] = field(default_factory=list)
    bands: list[dict[str, Any]] = field(default_factory=list)
    values: list[dict[str, Any]] = field(default_factory=list)  # numeric: the most common numbers
    expected: dict[str, Any] | None = None  # numeric: the answer, its unit and tolerance
    missed: list[dict[str, Any]] = field(default_factory=list)  # text: concepts missed most
    misconceptions: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)  # design: rules fired most
    unmet: list[dict[str, Any]] = field(default_factory=list)  # design: requirements unmet most

    @property
    def is_choice(self) -> bool:
        return self.type in ("choice", "multi")

    def chart(self) -> dict[str, Any]:
        """The data of a bar chart of the options (labels A, B, ...; correct ones flagged)."""
        return {
            "labels": [o["letter"] for o in self.options],
            "texts": [o["text"] for o in self.options],
            "counts": [o["count"] for o in self.options],
            "correct": [o["correct"] for o in self.options],
        }

    @property
    def chart_json(self) -> str:
        return json.dumps(self.chart())


def tally(question: Mapping[str, Any], summaries: Iterable[Mapping[str, Any]]) -> list[PartTally]:
    """Per part of ``question``: how the answers summarised in ``summaries`` are spread."""
    rows = list(summaries)
    out = []
    for number, part in enumerate(question["parts"], start=1):
        pid, kind = part["id"], part["type"]
        entries = [s[pid] for s in rows if pid in s and s[pid].get("a")]
        item = PartTally(number, pid, kind, part["prompt"], answered=len(entries))
        if entries:
            item.mean = round(100 * sum(e["s"] for e in entries) / len(entries), 1)
        item.bands = _bands(entries)
        if kind in ("choice", "multi"):
            item.options = _options(part, entries)
        elif kind == "numeric":
            item.values = _values(part, entries)
            item.expected = {k: part.get(k, "") for k in ("answer", "unit", "tolerance")}
        elif kind == "text":
            item.missed = _common(entries, "missed", _concepts(part, "rubric"), len(entries))
            item.misconceptions = _common(entries, "mis", _concepts(part, "misconceptions"), len(entries))
        elif kind == "design":
            item.findings = _common(entries, "rules", rule_titles(), len(entries))
            item.unmet = _common(entries, "unmet", {}, len(entries))
        out.append(item)
    return out


def _bands(entries: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each band's count and share, with ``x`` and ``width`` (percent) to draw them as one stacked bar."""
    counts = Counter(band_of(100 * e["s"]) for e in entries)
    total = len(entries)
    out, x = [], 0.0
    for name, label, _ in BANDS:
        width = round(100 * counts[name] / total, 2) if total else 0.0
        out.append(
            {
                "band": name,
                "label": label,
                "count": counts[name],
                "share": _share(counts[name], total),
                "x": x,
                "width": width,
            }
        )
        x = round(x + width, 2)
    return out


def _options(part: Mapping[str, Any], entries: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    for e in entries:
        chosen = e.get("v")
        counts.update(chosen if isinstance(chosen, list) else [chosen])
    total = len(entries)
    return [
        {
            "id": o["id"],
            "letter": LETTERS[i % len(LETTERS)],
            "text": o["text"],
            "correct": bool(o.get("correct")),
            "count": counts[o["id"]],
            "share": _share(counts[o["id"]], total),
        }
        for i, o in enumerate(part["options"])
    ]


def _values(part: Mapping[str, Any], entries: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    counts: Counter[float] = Counter(float(e["v"]) for e in entries if isinstance(e.get("v"), int | float))
    expected, tolerance = float(part["answer"]), float(part.get("tolerance", 0))
    outdated = [float(o["answer"]) for o in part.get("outdated") or ()]
    return [
        {
            "value": int(v) if v.is_integer() else v,
            "count": n,
            "share": _share(n, len(entries)),
            "correct": abs(v - expected) <= tolerance,
            "outdated": any(abs(v - o) <= tolerance for o in outdated),
        }
        for v, n in counts.most_common(TOP)
    ]


def _concepts(part: Mapping[str, Any], key: str) -> dict[str, str]:
    return {c["id"]: c.get("explain", "") for c in part.get(key) or ()}


def _common(entries: list[Mapping[str, Any]], key: str, texts: Mapping[str, str], total: int) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    for e in entries:
        counts.update(set(e.get(key) or ()))
    return [
        {"id": k, "explain": texts.get(k, ""), "count": n, "share": _share(n, total)}
        for k, n in counts.most_common(TOP)
    ]


@cache
def rule_titles() -> dict[str, str]:
    """The designer's rule ids -> titles; empty when its catalog cannot be read (ids are shown instead)."""
    from designer.domain.rules import load_rules

    try:
        return {rule_id: spec.title for rule_id, spec in load_rules().items()}
    except (OSError, KeyError, ValueError):
        return {}


def _share(count: int, total: int) -> int:
    """Percent, rounded; 0 of nothing is 0."""
    return round(100 * count / total) if total else 0
