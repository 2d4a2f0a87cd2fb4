"""The stable mapping between diagram node ids and CloudFormation logical ids.

A node id (``report-jobs-dlq``) becomes the CamelCase logical id ``ReportJobsDlq``, and a logical id becomes the
kebab-case node id ``report-jobs-dlq`` again; ``SQSLambdaFunction`` reads as ``sqs-lambda-function``. Ids that do
not survive the trip (``a_b``, ``A-B``) are kept exactly by the export's ``Metadata``.
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["Names", "logical_id", "node_id"]

MAX_LOGICAL = 255
MAX_NODE_ID = 64
_WORD_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def logical_id(node_id: str) -> str:
    """CamelCase of a node id: letters and digits only, starting with a letter."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", node_id) if p]
    name = "".join(p[0].upper() + p[1:] for p in parts)
    if not name or not name[0].isalpha():
        name = "Node" + name
    return _clip(name, MAX_LOGICAL)


def node_id(logical: str) -> str:
    """kebab-case of a logical id, valid as a diagram node id (1-64 letters, digits, ``-``)."""
    words = _WORD_BREAK.sub("-", re.sub(r"[^A-Za-z0-9]+", "-", logical)).strip("-").lower()
    words = re.sub(r"-{2,}", "-", words) or "node"
    return _clip(words, MAX_NODE_ID, sep="-")


def _clip(name: str, limit: int, sep: str = "") -> str:
    if len(name) <= limit:
        return name
    digest = hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:8]  # a short, stable suffix
    return f"{name[: limit - len(digest) - len(sep)]}{sep}{digest}"


class Names:
    """Hands out names unique within one template (or one diagram), adding 2, 3, ... on a clash."""

    def __init__(self, taken: set[str] | None = None, *, casefold: bool = False) -> None:
        self._casefold = casefold
        self._taken = {self._key(t) for t in taken or ()}

    def _key(self, name: str) -> str:
        return name.lower() if self._casefold else name

    def taken(self, name: str) -> bool:
        return self._key(name) in self._taken

    def claim(self, base: str, *, limit: int = MAX_LOGICAL, sep: str = "") -> str:
        name, n = base, 1
        while self.taken(name):
            n += 1
            suffix = f"{sep}{n}"
            name = base[: limit - len(suffix)] + suffix
        self._taken.add(self._key(name))
        return name
