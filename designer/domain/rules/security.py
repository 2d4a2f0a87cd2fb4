"""Rules about who can reach a design and whether it can still be patched: open routes, deprecated runtimes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from designer.domain.context import Context
from designer.domain.diagram import Edge
from designer.domain.rules.registry import Hit, RuleSpec, rule
from designer.domain.runtimes import runtimes

CHANGING_METHODS = re.compile(r"^\s*(POST|PUT|PATCH|DELETE|ANY)\b", re.IGNORECASE)
DIRECT_CHANGES = frozenset({"send", "publish", "write", "invoke-async"})
CHANGES = frozenset({"send", "publish", "write", "invoke-async", "invoke-sync", "task"})


def _changes_state(ctx: Context, edge: Edge) -> bool:
    target = ctx.diagram.node(edge.target)
    if edge.kind in DIRECT_CHANGES or (edge.kind == "invoke-sync" and ctx.is_(target, "state-machines")):
        return True
    if edge.kind != "route" or not ctx.is_(target, "compute"):
        return False
    if any(e.kind in CHANGES for e in ctx.out(target.id)):
        return True  # whatever the method, the backend writes, sends or starts something
    if ctx.diagram.node(edge.source).type == "apigw-websocket":
        return False
    return bool(CHANGING_METHODS.match(edge.label or "")) or not edge.label


@rule("open-state-changing-route")
def open_state_changing_route(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for door in ctx.nodes_in("front-doors"):
        open_edges = [e for e in ctx.out(door.id) if e.attr("auth") == "none" and _changes_state(ctx, e)]
        if not open_edges:
            continue
        routes = ", ".join(f"{e.label or e.kind} -> {ctx.diagram.label(e.target)}" for e in open_edges[:4])
        more = f" and {len(open_edges) - 4} more" if len(open_edges) > 4 else ""
        yield Hit(
            f"{ctx.name(door.id)} lets anyone call routes that change state, with no authorization: {routes}{more}",
            (door.id, *(e.target for e in open_edges)),
            tuple(e.id for e in open_edges),
        )
    for fn in ctx.diagram.of_type("lambda"):
        changes = [e for e in ctx.out(fn.id) if e.kind in CHANGES]
        if fn.config.get("url_auth") == "none" and changes:
            targets = ", ".join(ctx.name(e.target) for e in changes[:3])
            yield Hit(
                f"{ctx.name(fn.id)} has a function URL anyone can call (AuthType NONE), and it changes {targets}",
                (fn.id,),
            )


@rule("deprecated-runtime")
def deprecated_runtime(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    notice = dt.timedelta(days=int(spec.threshold("advance_notice_days")))
    known = runtimes()
    for fn in ctx.diagram.of_type("lambda"):
        runtime = known.get(str(fn.config.get("runtime")))
        if runtime is None or ctx.today + notice < runtime.deprecated:
            continue
        if ctx.today < runtime.deprecated:
            yield Hit(
                f"{ctx.name(fn.id)} runs on {runtime.name} ({runtime.id}), which Lambda deprecates on "
                f"{runtime.deprecated:%d %b %Y}",
                (fn.id,),
                severity="info",
            )
            continue
        blocked = runtime.block_create is not None and ctx.today >= runtime.block_create
        then = _blocks(runtime.block_create, runtime.block_update, ctx.today)
        yield Hit(
            f"{ctx.name(fn.id)} runs on {runtime.name} ({runtime.id}), deprecated since {runtime.deprecated:%d %b %Y}"
            f"{then}",
            (fn.id,),
            severity="error" if blocked else "warning",
        )


def _blocks(create: dt.date | None, update: dt.date | None, today: dt.date) -> str:
    parts = [
        f"{what} refused {'since' if today >= day else 'from'} {day:%d %b %Y}"
        for what, day in (("new functions", create), ("updates", update))
        if day is not None
    ]
    return f" ({'; '.join(parts)})" if parts else ""
