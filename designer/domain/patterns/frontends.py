"""Patterns of front doors: backends for frontends and the strangler fig."""

from __future__ import annotations

from designer.domain.context import Context
from designer.domain.diagram import Node
from designer.domain.patterns.registry import callers, ids, recogniser
from designer.domain.report import PatternMatch

SYNC_KINDS = ("route", "invoke-sync", "read", "write", "task")


def _backends(ctx: Context, door: Node) -> list[Node]:
    """Services a front door aggregates; an aggregating function counts through what it calls."""
    found: list[Node] = []
    for first in ctx.targets(door.id, *SYNC_KINDS):
        if first.type == "cognito":
            continue
        calls = [n for n in ctx.targets(first.id, *SYNC_KINDS) if n.type != "cognito"]
        found += calls if first.type == "lambda" and len(calls) >= 2 else [first]
    return list({n.id: n for n in found}.values())


@recogniser("bff")
def _bff(ctx: Context) -> list[PatternMatch]:
    doors_by_kind: dict[str, set[str]] = {}
    kinds_by_door: dict[str, set[str]] = {}
    for door in ctx.nodes_in("front-doors"):
        if len(_backends(ctx, door)) < 2:
            continue
        for client in callers(ctx, door):
            doors_by_kind.setdefault(client.type, set()).add(door.id)
            kinds_by_door.setdefault(door.id, set()).add(client.type)
    if len(doors_by_kind) < 2 or len(kinds_by_door) < 2:
        return []
    missing = tuple(
        f"{' and '.join(sorted(kinds))} share front door {ctx.name(door_id)}"
        for door_id, kinds in kinds_by_door.items()
        if len(kinds) > 1
    )
    clients = [n.id for n in ctx.nodes_in("clients") if n.type in doors_by_kind]
    backends = [b.id for d in kinds_by_door for b in _backends(ctx, ctx.diagram.node(d))]
    roles = {"clients": clients, "front_doors": list(kinds_by_door), "backends": list(dict.fromkeys(backends))}
    return [PatternMatch("bff", roles, missing)]


@recogniser("strangler-fig")
def _strangler(ctx: Context) -> list[PatternMatch]:
    out = []
    for door in ctx.nodes_in("front-doors") + ctx.diagram.of_type("cloudfront"):
        routes = ctx.targets(door.id, "route")
        legacy = [n for n in routes if n.type == "legacy-app"]
        new = [n for n in routes if ctx.is_(n, "compute")]
        if not legacy or not new:
            continue
        missing = tuple(
            f"{ctx.name(client.id)} reaches {ctx.name(app.id)} directly, not through {ctx.name(door.id)}"
            for app in legacy
            for client in ctx.sources(app.id, "request")
        )
        out.append(
            PatternMatch("strangler-fig", {"front_door": [door.id], "new": ids(new), "legacy": ids(legacy)}, missing)
        )
    return out
