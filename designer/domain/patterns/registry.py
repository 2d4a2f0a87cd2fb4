"""How pattern recognisers are registered, and what they share: a recogniser takes a :class:`Context` and returns
one :class:`PatternMatch` per place its pattern occurs."""

from __future__ import annotations

from collections.abc import Callable

from designer.domain.context import Context
from designer.domain.diagram import Node
from designer.domain.report import PatternMatch

__all__ = ["RECOGNISERS", "Recogniser", "callers", "ids", "is_dlq", "recogniser"]

Recogniser = Callable[[Context], list[PatternMatch]]
RECOGNISERS: dict[str, Recogniser] = {}


def recogniser(pattern_id: str) -> Callable[[Recogniser], Recogniser]:
    def register(fn: Recogniser) -> Recogniser:
        RECOGNISERS[pattern_id] = fn
        return fn

    return register


def ids(nodes: list[Node]) -> list[str]:
    return list(dict.fromkeys(n.id for n in nodes))


def callers(ctx: Context, door: Node) -> list[Node]:
    """Clients that reach a front door, directly or through CloudFront."""
    found = [n for n in ctx.sources(door.id, "request") if ctx.is_(n, "clients")]
    for cdn in ctx.sources(door.id, "route"):
        if cdn.type == "cloudfront":
            found += [n for n in ctx.sources(cdn.id, "request") if ctx.is_(n, "clients")]
    return found


def is_dlq(ctx: Context, node: Node) -> bool:
    return bool(ctx.into(node.id, "dead-letter"))
