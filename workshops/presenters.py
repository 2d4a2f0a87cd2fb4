"""What the workshop pages show, built from models and service results: screens, forms, CSV, the QR code.

No queries of their own: the views fetch through ``services`` and hand the pieces here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import segno

from config.spreadsheets import csv_cell
from quiz import presenters as quiz_presenters
from workshops.models import Answer, Participant, Workshop, WorkshopQuestion
from workshops.tally import LETTERS


def screen_of(
    *, workshop: Workshop, item: WorkshopQuestion | None, participant: Participant | None, now: datetime
) -> str:
    """Which screen a participant sees: removed, lobby, ready, open, wait, revealed or finished."""
    return screen_for(
        removed=participant is not None and participant.removed_at is not None,
        finished=workshop.phase == Workshop.Phase.FINISHED,
        status=item.status if item is not None else None,
        expired=workshop.expired(now),
    )


def screen_for(*, removed: bool, finished: bool, status: str | None, expired: bool) -> str:
    """The screen from the bare facts (``status`` of the current question, None without one)."""
    if removed:
        return "removed"
    if finished:
        return "finished"
    if status is None:
        return "lobby"
    if status == WorkshopQuestion.Status.OPEN:
        return "wait" if expired else "open"
    return {"pending": "ready", "closed": "wait", "revealed": "revealed"}[status]


def has_design(question: Mapping[str, Any]) -> bool:
    return any(p["type"] == "design" for p in question["parts"])


def next_item(items: Sequence[WorkshopQuestion], current: WorkshopQuestion | None) -> WorkshopQuestion | None:
    """The first question after ``current`` that has never been opened (what "Open question N" offers)."""
    after = -1 if current is None else current.position
    return next((i for i in items if i.opened_at is None and i.position > after), None)


def remaining_ms(workshop: Workshop, now: datetime) -> int | None:
    """Milliseconds left on the open question's timer (None without one); the browser counts down from it."""
    return remaining_ms_until(workshop.deadline, now)


def remaining_ms_until(deadline: datetime | None, now: datetime) -> int | None:
    if deadline is None:
        return None
    return max(0, int((deadline - now).total_seconds() * 1000))


def answer_form(
    question: Mapping[str, Any],
    answer: Answer | None,
    raw: Mapping[str, Any] | None = None,
    problems: Iterable[Any] = (),
) -> list[dict[str, Any]]:
    """The parts as a participant's form shows them (no correct flags), with letters matching the projector and
    the participant's last answer filled in."""
    if raw is None and answer is not None:
        raw = quiz_presenters.raw_from_responses(question, answer.responses)
    parts = quiz_presenters.form_parts(question, raw=raw, problems=problems)
    for part in parts:
        for i, option in enumerate(part["options"]):
            option["letter"] = LETTERS[i % len(LETTERS)]
    return parts


def graded(question: Mapping[str, Any], answer: Answer | None) -> list[dict[str, Any]]:
    """The participant's graded parts with all the feedback (the quiz's own presentation)."""
    if answer is None:
        return []
    parts = quiz_presenters.graded_parts(question, answer.grade, answer.responses)
    for part in parts:
        for i, option in enumerate(part.get("options", ())):
            option["letter"] = LETTERS[i % len(LETTERS)]
    return parts


def projector_parts(question: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The parts as the projector reads them out: prompt, kind and lettered options (no answers)."""
    return [
        {
            "number": n,
            "id": p["id"],
            "type": p["type"],
            "label": quiz_presenters.PART_LABELS.get(p["type"], p["type"]),
            "prompt": p["prompt"],
            "unit": p.get("unit", ""),
            "options": [
                {"letter": LETTERS[i % len(LETTERS)], "text": o["text"]} for i, o in enumerate(p.get("options") or ())
            ],
        }
        for n, p in enumerate(question["parts"], start=1)
    ]


def requirement_text(check: str) -> str:
    """A design requirement as the quiz words it: "pattern fan-out complete" -> "Fan-out pattern complete"."""
    return quiz_presenters.requirement_text(check)


def ordinal(n: int | None) -> str:
    if n is None:
        return ""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --------------------------------------------------------------------------------------------------- CSV


def _csv(rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


def results_csv(results: Any) -> str:
    """One row per participant: rank, nickname, team, points, then each question's score and points."""
    items = [r.item for r in results.items]
    head = ["rank", "nickname", "team", "points"]
    for item in items:
        head += [f"{item.question.qid} score", f"{item.question.qid} points"]
    rows: list[list[Any]] = [head]
    for row in results.rows:
        p = row.participant
        line: list[Any] = [p.rank or "", p.nickname, p.team, p.points]
        for answer in row.cells:
            line += [answer.score, answer.points] if answer else ["", ""]
        rows.append(line)
    return _csv(rows)


def answers_csv(answers: Iterable[Answer]) -> str:
    """Every answer, one row per part: who, which question, what they answered and what it earned."""
    rows: list[list[Any]] = [
        [
            "nickname",
            "team",
            "question",
            "number",
            "part",
            "type",
            "answer",
            "part score",
            "part max",
            "question score",
            "bonus",
            "points",
            "submitted at",
            "revisions",
        ]
    ]
    for a in answers:
        by_id = {p["id"]: p for p in a.grade.get("parts", ())}
        for part in a.item.question.data["parts"]:
            g = by_id.get(part["id"], {})
            rows.append(
                [
                    a.participant.nickname,
                    a.participant.team,
                    a.item.question.qid,
                    a.item.number,
                    part["id"],
                    part["type"],
                    _answer_text(part, a.responses.get(part["id"])),
                    g.get("score", 0),
                    g.get("max", ""),
                    a.score,
                    a.bonus,
                    a.points,
                    a.submitted_at.isoformat(),
                    a.revisions,
                ]
            )
    return _csv(rows)


def _answer_text(part: Mapping[str, Any], value: Any) -> str:
    if value is None:
        return ""
    if part["type"] == "multi":
        return " ".join(str(v) for v in value)
    if part["type"] == "design":
        nodes = value.get("nodes", []) if isinstance(value, dict) else []
        return f"diagram with {len(nodes)} node{'s' if len(nodes) != 1 else ''}"
    return str(value)


# ------------------------------------------------------------------------------------------------ pictures


def diagram_svg(data: Any) -> bytes | None:
    """A submitted diagram as SVG with its findings marked (graphviz), or None when it cannot be drawn."""
    from designer.domain.diagram import DiagramError, parse
    from designer.domain.render import RenderError, to_svg
    from designer.domain.validate import validate

    if not isinstance(data, dict):
        return None
    try:
        diagram = parse(data)
        return to_svg(diagram, validate(diagram))
    except (DiagramError, RenderError):
        return None


def qr_svg(url: str) -> bytes:
    """The join URL as an SVG QR code (error correction M)."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        out, kind="svg", scale=8, border=2, dark="#111827", light="#ffffff", xmldecl=False, title="Join the workshop"
    )
    return out.getvalue()
