"""What the names of workflow steps say: which states undo something, and which entity a step acts on.

A saga's steps and compensations are named by people (``ReserveFlight``, ``CancelFlightReservation``); the words of a
name other than its verbs name the entity (``flight``), so a compensation and a step that share one act on the same
thing. Used where a definition is read (which handler undoes which step) and where a saga is judged (is a step that
changed an entity covered by a compensation of that entity)."""

from __future__ import annotations

import re

__all__ = ["UNDOES", "UNDO_NAME", "entity_words", "same_entity"]

# A Comment that says outright which step a state undoes: "undoes ReserveFlight", "compensates for Charge".
UNDOES = re.compile(r"^\s*(?:undoes|compensates(?:\s+for)?)(?:\s+(.*?))?\s*$", re.IGNORECASE | re.DOTALL)
# Names of states that undo something; only such states, reached through a Catch, are compensations (a handler
# that notifies or logs the failure is an ordinary task).
UNDO_NAME = re.compile(
    r"^(undo|cancel|refund|release|revert|roll[- _]?back|compensate|reverse|void|unreserve|deallocate|restore|"
    r"delete|remove|credit)",
    re.IGNORECASE,
)
_VERBS = re.compile(
    r"^(undo|cancel|refund|release|revert|rollback|roll|back|compensate|reverse|delete|remove|book|reserve|create|"
    r"charge|make|process|put|add|update|confirm|send|do|run|start|set|debit|credit|allocate|deallocate|"
    r"unreserve|void|restore)$",
    re.IGNORECASE,
)


def entity_words(name: str) -> set[str]:
    """The words of a step's name that are not verbs: ``CancelFlightReservation`` -> {flight, reservation}."""
    parts = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", name)
    return {p.lower() for p in parts if len(p) > 2 and not _VERBS.match(p)}


def same_entity(a: str, b: str) -> bool:
    """Whether two step names act on one entity (``ConfirmFlight`` and ``ReserveFlight``)."""
    return bool(entity_words(a) & entity_words(b))
