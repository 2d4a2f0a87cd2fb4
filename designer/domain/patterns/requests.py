"""Patterns of requests and work handed over: sync, async and load levelling."""

from __future__ import annotations

from designer.domain.context import Context, integration_timeout_s, sync_seconds
from designer.domain.diagram import Edge, Node
from designer.domain.patterns.registry import callers, ids, is_dlq, recogniser
from designer.domain.report import PatternMatch


@recogniser("sync")
def _sync(ctx: Context) -> list[PatternMatch]:
    out = []
    for door in ctx.nodes_in("front-doors"):
        # Who waits for the answer: clients, else anything that calls the door and waits (a workflow's task, a
        # function, a pipe, Firehose delivering to an HTTP endpoint).
        clients = callers(ctx, door) or ctx.sources(door.id, "task", "invoke-sync", "route", "enrich")
        backends = [n for n in ctx.targets(door.id, "route", "invoke-sync") if n.type != "cognito"]
        direct_stores = [n for n in ctx.targets(door.id, "read", "write") if ctx.is_(n, "stores")]
        if not clients or not (backends or direct_stores):
            continue
        stores = direct_stores + [s for b in backends for s in ctx.targets(b.id, "read", "write")]
        missing = []
        limit = integration_timeout_s(door)
        for backend in backends:
            seconds = sync_seconds(backend)
            if limit is not None and seconds is not None and seconds > limit:
                missing.append(
                    f"{ctx.name(backend.id)} may run {seconds:g} s, longer than the {limit:g} s {ctx.name(door.id)} waits"
                )
        roles = {"client": ids(clients), "front_door": [door.id], "compute": ids(backends), "stores": ids(stores)}
        out.append(PatternMatch("sync", roles, tuple(missing)))
    for fn in ctx.diagram.of_type(["lambda"]):  # a function URL is its own front door, with no integration timeout
        clients = [n for n in ctx.sources(fn.id, "request") if ctx.is_(n, "clients")]
        if fn.config.get("url_auth") is not None and clients:
            stores = [s for s in ctx.targets(fn.id, "read", "write") if ctx.is_(s, "stores")]
            roles = {"client": ids(clients), "front_door": [fn.id], "compute": [fn.id], "stores": ids(stores)}
            out.append(PatternMatch("sync", roles, ()))
    return out


def _acknowledges(ctx: Context, door: Node | None, consumer: Node) -> bool:
    """Whether the caller learns the outcome: WebSocket, a status resource or a callback/notification."""
    if door is None or door.type == "apigw-websocket":
        return True
    workers = [consumer, *ctx.targets(consumer.id, "invoke-sync", "invoke-async")]
    for worker in workers:
        for target in ctx.targets(worker.id, "publish", "send", "invoke-sync", "write"):
            if target.type in ("sns", "sns-fifo", "eventbridge", "ses", "apigw-websocket", "appsync"):
                return True
            if ctx.is_(target, "stores") and _readable_through(ctx, target, door):
                return True
    return False


def _readable_through(ctx: Context, store: Node, door: Node) -> bool:
    for reader in ctx.sources(store.id, "read"):
        if reader.id == door.id or door in ctx.front_doors_of(reader.id):
            return True
    return False


@recogniser("async")
def _async(ctx: Context) -> list[PatternMatch]:
    """A queue between who hands work over and who does it (producers or consumers may be outside the diagram),
    and asynchronous invocations: an event from a topic, bus, bucket or caller that does not wait."""
    out = []
    for queue in ctx.nodes_in("queues"):
        if is_dlq(ctx, queue):
            continue
        producers = [e.source for e in ctx.into(queue.id) if e.kind not in ("dead-letter", "compensate")]
        producer_nodes = [ctx.diagram.node(p) for p in dict.fromkeys(producers)]
        consumers = ctx.targets(queue.id, "poll")
        if not producer_nodes and not consumers:
            continue
        doors = [p for p in producer_nodes if ctx.is_(p, "front-doors")]
        doors += [d for p in producer_nodes if p.type == "lambda" for d in ctx.front_doors_of(p.id)]
        missing = []
        if not consumers:
            missing.append(f"nothing in this diagram consumes queue {ctx.name(queue.id)}")
        elif not ctx.has_dlq(queue.id):
            missing.append(f"queue {ctx.name(queue.id)} has no dead-letter queue for messages that keep failing")
        door = doors[0] if doors else None
        if door is not None and consumers and not any(_acknowledges(ctx, door, c) for c in consumers):
            missing.append(
                f"the caller of {ctx.name(door.id)} never learns the outcome: add a status resource it can read "
                "(202 + GET), a callback or a WebSocket message"
            )
        roles = {
            "front_door": ids(doors),
            "producer": ids(producer_nodes),
            "queue": [queue.id],
            "consumer": ids(consumers),
        }
        out.append(PatternMatch("async", roles, tuple(missing)))
    for edge in ctx.diagram.edges:
        target = ctx.diagram.node(edge.target)
        source = ctx.diagram.node(edge.source)
        if not _async_invocation(ctx, edge, source, target):
            continue
        doors = [source] if ctx.is_(source, "front-doors") else ctx.front_doors_of(source.id)
        missing = []
        if not ctx.has_failure_path(target, via=source):
            missing.append(f"{ctx.name(target.id)} has no on-failure destination or dead-letter queue")
        if doors and not _acknowledges(ctx, doors[0], target):
            missing.append(f"the caller of {ctx.name(doors[0].id)} never learns the outcome of {ctx.name(target.id)}")
        roles = {"front_door": ids(doors), "producer": [source.id], "queue": [], "consumer": [target.id]}
        out.append(PatternMatch("async", roles, tuple(missing)))
    return out


def _async_invocation(ctx: Context, edge: Edge, source: Node, target: Node) -> bool:
    """An invocation the caller does not wait for: Event invokes and StartExecution, topic and bus deliveries, bucket
    events (schedules are the scheduled pattern; queues are counted above)."""
    if target.type not in ("lambda", "sfn-standard", "sfn-express") or source.type == "eventbridge-scheduler":
        return False
    if edge.attr("callback"):
        return False  # resuming a waiting execution hands no work over
    return edge.kind in ("invoke-async", "subscribe", "trigger")


def _downstreams(ctx: Context, consumer: Node) -> list[Node]:
    found = []
    for target in ctx.targets(consumer.id, "read", "write", "invoke-sync", "route"):
        if ctx.is_(target, "limited-downstreams"):
            found.append(target)
            found += ctx.targets(target.id, "route") if target.type == "rds-proxy" else []
    return found


@recogniser("load-leveling")
def _load_leveling(ctx: Context) -> list[PatternMatch]:
    """A queue buffers a producer (an API, a function, a topic or bus) from a consumer that works at its own pace."""
    out = []
    for queue in ctx.nodes_in("queues"):
        if is_dlq(ctx, queue):
            continue
        producers = [e.source for e in ctx.into(queue.id, "send", "subscribe", "trigger", "publish")]
        for poll in ctx.out(queue.id, "poll"):
            consumer = ctx.diagram.node(poll.target)
            downstream = _downstreams(ctx, consumer)
            missing = []
            bounded = (
                consumer.type in ("fargate", "eventbridge-pipe")
                or consumer.config.get("reserved_concurrency") is not None
                or poll.attr("max_concurrency") is not None
            )
            if not bounded:
                protected = f" to {ctx.name(downstream[0].id)}" if downstream else ""
                missing.append(
                    f"{ctx.name(consumer.id)} has no concurrency cap (reserved concurrency or the mapping's maximum "
                    f"concurrency), so bursts pass straight through{protected}"
                )
            if not ctx.has_dlq(queue.id):
                missing.append(f"queue {ctx.name(queue.id)} has no dead-letter queue for messages that keep failing")
            roles = {
                "producer": list(dict.fromkeys(producers)),
                "queue": [queue.id],
                "consumer": [consumer.id],
                "downstream": ids(downstream),
            }
            out.append(PatternMatch("load-leveling", roles, tuple(missing)))
    return out
