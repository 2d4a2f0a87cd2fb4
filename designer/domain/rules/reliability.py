"""Rules about losing, repeating or looping work, and about coupling and the diagram's shape."""

from __future__ import annotations

from collections.abc import Iterator

from designer.domain.context import Context
from designer.domain.diagram import Diagram, Edge
from designer.domain.graph import acyclic_order
from designer.domain.patterns import LOSS_TOLERANT_TAGS, UNBUFFERED_TYPES, saga_gaps
from designer.domain.rules.registry import Hit, RuleSpec, rule

AT_LEAST_ONCE = ("poll", "subscribe", "trigger", "invoke-async")
# Edges along which one piece of work causes more work later: a cycle of them is a loop. A subscription or
# mapping with a filter is taken to keep a function's own events out, as the rule's fix advises.
EVENT_KINDS = frozenset({"write", "send", "publish", "trigger", "poll", "subscribe", "invoke-async"})


def _carries_events(edge: Edge) -> bool:
    return edge.kind in EVENT_KINDS and not edge.attr("filter")


@rule("queue-without-dlq")
def queue_without_dlq(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for queue in ctx.nodes_in("queues"):
        consumers = ctx.targets(queue.id, "poll")
        if consumers and not ctx.has_dlq(queue.id) and not ctx.into(queue.id, "dead-letter"):
            names = ", ".join(ctx.name(c.id) for c in consumers)
            yield Hit(f"Queue {ctx.name(queue.id)} (read by {names}) has no dead-letter queue", (queue.id,))


@rule("async-without-failure-destination")
def async_without_failure(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for fn in ctx.diagram.of_type("lambda"):
        sources = ctx.sources(fn.id, "subscribe", "trigger", "invoke-async")
        if sources and not ctx.has_dlq(fn.id):
            names = ", ".join(ctx.name(s.id) for s in sources)
            yield Hit(
                f"{ctx.name(fn.id)} is invoked asynchronously by {names} and has no on-failure destination or DLQ",
                (fn.id,),
            )


@rule("unbuffered-fan-out-subscriber")
def unbuffered_subscriber(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for hub in ctx.nodes_in("topics") + ctx.nodes_in("buses"):
        for edge in ctx.fan_out(hub.id):
            sub = ctx.diagram.node(edge.target)
            if sub.type in UNBUFFERED_TYPES and not LOSS_TOLERANT_TAGS & set(sub.tags):
                yield Hit(
                    f"{ctx.name(hub.id)} delivers straight to {ctx.name(sub.id)}, with no queue of its own in between",
                    (hub.id, sub.id),
                    (edge.id,),
                )


@rule("non-idempotent-consumer")
def non_idempotent(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    """Advice, once per diagram: consumers of at-least-once delivery with no sign of idempotency (marked so, or fed
    by a FIFO queue or topic, which deduplicates what it delivers)."""
    consumers: dict[str, list[str]] = {}
    for fn in ctx.diagram.of_type("lambda"):
        sources = [s for s in ctx.sources(fn.id, *AT_LEAST_ONCE) if not s.type.endswith("-fifo")]
        if sources and not fn.config.get("idempotent"):
            consumers[fn.id] = [s.id for s in sources]
    if not consumers:
        return
    shown = [f"{ctx.name(fn)} (from {', '.join(ctx.name(s) for s in srcs[:2])})" for fn, srcs in consumers.items()]
    more = f" and {len(shown) - 3} more" if len(shown) > 3 else ""
    yield Hit(
        f"{'; '.join(shown[:3])}{more} may receive the same event twice and show no sign of being idempotent",
        tuple(consumers),
    )


@rule("saga-step-without-compensation")
def saga_step(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for machine in ctx.nodes_in("state-machines"):
        if len(ctx.out(machine.id, "task")) < 2 or not (ctx.out(machine.id, "compensate") or "saga" in machine.tags):
            continue
        uncovered, _ = saga_gaps(ctx, machine)
        for name, edge in uncovered:
            yield Hit(
                f"Saga {ctx.name(machine.id)}: step {name} ({ctx.name(edge.target)}) has no compensation",
                (machine.id, edge.target),
                (edge.id,),
            )


@rule("recursive-trigger-loop")
def recursive_loop(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    component = _event_components(ctx.diagram)
    for fn in ctx.diagram.of_type("lambda"):
        for edge in ctx.out(fn.id, "write", "send", "publish"):
            if edge.target == fn.id or component.get(edge.target) == component.get(fn.id):
                yield Hit(
                    f"{ctx.name(fn.id)} writes to {ctx.name(edge.target)}, which leads back to {ctx.name(fn.id)}",
                    (fn.id, edge.target),
                    (edge.id,),
                )


def _event_components(diagram: Diagram) -> dict[str, int]:
    """Strongly connected components of the event graph (iterative Tarjan); node id -> component number."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    comp: dict[str, int] = {}
    counter = 0
    for root in (n.id for n in diagram.nodes):
        if root in index:
            continue
        work = [(root, iter([e.target for e in diagram.outgoing(root) if _carries_events(e)]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter([e.target for e in diagram.outgoing(child) if _carries_events(e)])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        comp[member] = index[node]
                        if member == node:
                            break
    # Nodes alone in their component are in no cycle: give each a number of its own that no other shares.
    sizes: dict[int, int] = {}
    for c in comp.values():
        sizes[c] = sizes.get(c, 0) + 1
    return {n: (c if sizes[c] > 1 else -1 - i) for i, (n, c) in enumerate(comp.items())}


@rule("legacy-reachable-directly")
def legacy_direct(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for app in ctx.diagram.of_type("legacy-app"):
        doors = [
            d for d in ctx.sources(app.id, "route") if any(ctx.is_(t, "compute") for t in ctx.targets(d.id, "route"))
        ]
        if not doors:
            continue
        for edge in ctx.into(app.id, "request"):
            yield Hit(
                f"{ctx.name(edge.source)} calls legacy app {ctx.name(app.id)} directly, around {ctx.name(doors[0].id)}",
                (edge.source, app.id),
                (edge.id,),
            )


@rule("orphan-node")
def orphan_node(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    if len(ctx.diagram.nodes) < 2:
        return
    for node in ctx.diagram.nodes:
        if LINKED_OUTSIDE in node.tags:
            continue  # an alarm, a custom resource, a service outside the catalog uses it
        if not ctx.out(node.id) and not ctx.into(node.id):
            yield Hit(f"{ctx.name(node.id)} is not connected to anything", (node.id,), why=ORPHAN_WHY, fix=ORPHAN_FIX)
    traffic = ctx.diagram.traffic
    if not (traffic and traffic.entries) and not any(ctx.is_entry(n) for n in ctx.diagram.nodes):
        roots = [n.id for n in ctx.diagram.nodes if ctx.out(n.id) and not ctx.into(n.id)]
        if not roots:
            return  # nothing is connected: the findings about each node say it all
        where = f" (it begins at {', '.join(ctx.name(r) for r in roots[:3])})"
        yield Hit(
            f"Nothing in this diagram starts the flow{where}: no client, schedule, event source or traffic entry",
            tuple(roots),
            severity="info",
            why=NO_ENTRY_WHY,
            fix=NO_ENTRY_FIX,
        )


LINKED_OUTSIDE = "linked-outside"  # set by the template importer; a person may set it too
ORPHAN_WHY = "A service with no connections does nothing in this design: it is either forgotten or missing its links."
ORPHAN_FIX = "Connect it to what calls it and to what it calls, or remove it."
NO_ENTRY_WHY = (
    "Without a client, a schedule or an event source, nothing starts work: the design cannot be followed from end "
    "to end, and an estimate cannot tell where requests come from."
)
NO_ENTRY_FIX = "Add the client, schedule or event source that starts the flow, or a traffic profile entry for it."


@rule("dynamodb-stream-disabled")
def stream_disabled(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for table in ctx.diagram.of_type("dynamodb"):
        if table.config.get("stream"):
            continue
        for edge in ctx.out(table.id, "poll"):  # Kinesis Data Streams for DynamoDB needs no DynamoDB stream
            yield Hit(
                f"{ctx.name(edge.target)} reads the changes of {ctx.name(table.id)}, whose stream is not enabled",
                (table.id, edge.target),
                (edge.id,),
            )


@rule("unfiltered-event-rule")
def unfiltered_rule(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for bus in ctx.nodes_in("buses"):
        for edge in ctx.out(bus.id, "subscribe"):
            if not edge.attr("filter"):
                yield Hit(
                    f"The rule from {ctx.name(bus.id)} to {ctx.name(edge.target)} has no event pattern",
                    (bus.id, edge.target),
                    (edge.id,),
                )


@rule("lambda-sync-chain")
def lambda_sync_chain(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    min_hops = spec.threshold("min_hops")
    lambdas = [n.id for n in ctx.diagram.of_type("lambda")]
    callees = {
        fn: [e.target for e in ctx.out(fn, "invoke-sync") if ctx.diagram.node(e.target).type == "lambda"]
        for fn in lambdas
    }
    # Longest chain from each function, over the call graph with cycle-closing calls left out.

    def calls(fn: str) -> Iterator[tuple[tuple[str, str], str]]:
        return (((fn, callee), callee) for callee in callees[fn])

    order, back = acyclic_order(lambdas, calls)
    longest: dict[str, list[str]] = {}
    for fn in reversed(order):
        best = max((longest[c] for c in callees[fn] if (fn, c) not in back), key=len, default=[])
        longest[fn] = [fn, *best]
    called = {c for cs in callees.values() for c in cs}
    reported: set[str] = set()
    for fn in sorted(lambdas, key=lambda f: f in called):  # chain heads first
        path = longest[fn]
        if fn in reported or len(path) - 1 < min_hops:
            continue
        reported.update(path)
        names = " -> ".join(ctx.name(n) for n in path)
        yield Hit(f"Functions call each other synchronously: {names}", tuple(path))


@rule("sync-coupling-between-services")
def sync_coupling(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for node in ctx.nodes_in("compute"):
        # A background consumer that calls an AppSync mutation is how AppSync subscribers hear of a change.
        notifier = bool(ctx.into(node.id, "poll", "subscribe", "trigger"))
        for edge in ctx.out(node.id, "invoke-sync"):
            target = ctx.diagram.node(edge.target)
            if target.type == "appsync" and notifier:
                continue
            if target.type in ("apigw-rest", "apigw-http", "appsync", "alb"):
                yield Hit(
                    f"{ctx.name(node.id)} calls the API {ctx.name(target.id)} and waits for it",
                    (node.id, target.id),
                    (edge.id,),
                )
