"""The name and description of an imported diagram: a short name from the template's Description, and a
description that keeps the whole Description and lists the import notes, so whoever opens the diagram can see
what the import left out, approximated or changed.

AWS sample templates end their Description with tracking markers, ``(uksb-1tthgi812)`` and
``(tag:eventbridge-lambda)``; they are noise in a name and are dropped from both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from designer.domain.diagram import CONTROL
from designer.domain.iac.builder import ImportNote

__all__ = ["DESCRIPTION_LIMIT", "NAME_LIMIT", "description_text", "import_description", "short_name"]

NAME_LIMIT = 80  # a name is cut near here, on a word boundary
DESCRIPTION_LIMIT = 2000  # what the diagram format allows
HEAD_LIMIT = 800  # of that, at most this much for the template's own Description
# AWS sample tracking markers: (uksb-...), (tag:...), Quick Start (qs-...) and Solutions (SO0123) ids.
_MARKER = re.compile(r"\(\s*(?:uksb-[^()]*|tag:[^()]*|qs-[a-z0-9]+|so\d{4,})\s*\)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
_CLAUSE_BREAK = re.compile(r",\s|;\s|:\s|\s[-–—]\s|\s\(")
# Notes that only say how a resource was read; listed after those that say something was left out or changed.
_READ_ONLY = ("read ", "read as", "not needed in a diagram", "added as the caller")


def description_text(value: object) -> str:
    """The template's Description without tracking markers and control characters ("" for a non-string)."""
    if not isinstance(value, str):
        return ""
    text = CONTROL.sub(" ", _MARKER.sub(" ", value[:20_000]).replace("\t", " "))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip(" -–—:;,")


def short_name(description: str) -> str:
    """A diagram name from a cleaned Description: its first line, cut at the first sentence end, else at a clause
    break, else on a word boundary near ``NAME_LIMIT`` characters ("" when nothing is left)."""
    line = next((ln for ln in description.splitlines() if ln.strip()), "").strip()
    end = _SENTENCE_END.search(line)
    if end and end.start() <= NAME_LIMIT:
        return line[: end.start()].strip()
    if len(line) <= NAME_LIMIT:
        return line
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(line[: NAME_LIMIT + 1]) if m.start() >= NAME_LIMIT // 2]
    if breaks:
        return line[: breaks[-1]].rstrip(" -–—:;,")
    cut = line.rfind(" ", 0, NAME_LIMIT)
    return line[: cut if cut > NAME_LIMIT // 3 else NAME_LIMIT].rstrip(" -–—:;,") + "…"


def import_description(description: str, notes: Iterable[ImportNote]) -> str:
    """The template's Description, then the import notes, one line per note (resources with the same note
    share a line), within the format's ``DESCRIPTION_LIMIT`` characters."""
    head = description[:HEAD_LIMIT]
    if len(description) > HEAD_LIMIT:
        head = head[: head.rfind(" ") if " " in head else HEAD_LIMIT] + "…"
    lines = _note_lines(notes)
    if not lines:
        return head
    out = [head, ""] if head else []
    out.append("Import notes (what the import left out, approximated or changed):")
    used = sum(len(part) + 1 for part in out)
    for i, line in enumerate(lines):
        rest = len(lines) - i
        more = f"- … and {rest - 1} more (import the template with the archlab CLI to see every note)"
        if used + len(line) + 1 + (len(more) + 1 if rest > 1 else 0) > DESCRIPTION_LIMIT:
            out.append(f"- … and {rest} more (import the template with the archlab CLI to see every note)")
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)[:DESCRIPTION_LIMIT]


def _note_lines(notes: Iterable[ImportNote]) -> list[str]:
    grouped: dict[tuple[str, str], list[str]] = {}
    for note in notes:
        grouped.setdefault((note.type, note.note), [])
        if note.resource and note.resource not in grouped[(note.type, note.note)]:
            grouped[(note.type, note.note)].append(note.resource)
    ranked: list[tuple[bool, str]] = []
    for (rtype, text), resources in grouped.items():
        shown = ", ".join(resources[:6]) + (f" and {len(resources) - 6} more" if len(resources) > 6 else "")
        where = f"{shown} ({rtype})" if shown and rtype else shown or rtype
        line = CONTROL.sub(" ", f"- {where}: {text}" if where else f"- {text}")
        ranked.append((text.startswith(_READ_ONLY), line if len(line) <= 400 else line[:399] + "…"))
    return [line for _, line in sorted(ranked, key=lambda item: item[0])]  # stable: template order otherwise
