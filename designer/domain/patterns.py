"""Pattern recognisers: find the catalog's patterns in a diagram and say what each still lacks.

Each recogniser takes a :class:`Context` and returns one :class:`PatternMatch` per place the pattern occurs; a
diagram usually holds several. The texts of ``missing`` name the nodes by label.
"""

from __future__ import annotations

from collections.abc import Callable

from designer.domain.context import Context, integration_timeout_s, sync_seconds
from designer.domain.diagram import Edge, Node
from designer.domain.report import PatternMatch
from designer.domain.steps import same_entity

__all__ = ["PATTERN_IDS", "recognise"]

Recogniser = Callable[[Context], list[PatternMatch]]
_RECOGNISERS: dict[str, Recogniser] = {}
SYNC_KINDS = ("route", "invoke-sync", "read", "write", "task")
LOSS_TOLERANT_TAGS = frozenset({"best-effort", "loss-tolerant"})
# Subscribers that process messages themselves and so need a queue of their own in a fan-out; durable targets
# (queues, workflows, streams, other topics and buses) buffer by themselves.
UNBUFFERED_TYPES = frozenset({"lambda", "fargate", "external-api", "apigw-rest"})


def recogniser(pattern_id: str) -> Callable[[Recogniser], Recogniser]:
    def register(fn: Recogniser) -> Recogniser:
        _RECOGNISERS[pattern_id] = fn
        return fn

    return register


def recognise(ctx: Context) -> list[PatternMatch]:
    """Every pattern match in the diagram, in catalog order."""
    return [m for fn in _RECOGNISERS.values() for m in fn(ctx)]


def _ids(nodes: list[Node]) -> list[str]:
    return list(dict.fromkeys(n.id for n in nodes))


def _callers(ctx: Context, door: Node) -> list[Node]:
    """Clients that reach a front door, directly or through CloudFront."""
    found = [n for n in ctx.sources(door.id, "request") if ctx.is_(n, "clients")]
    for cdn in ctx.sources(door.id, "route"):
        if cdn.type == "cloudfront":
            found += [n for n in ctx.sources(cdn.id, "request") if ctx.is_(n, "clients")]
    return found


def _is_dlq(ctx: Context, node: Node) -> bool:
    return bool(ctx.into(node.id, "dead-letter"))


@recogniser("sync")
def _sync(ctx: Context) -> list[PatternMatch]:
    out = []
    for door in ctx.nodes_in("front-doors"):
        # Who waits for the answer: clients, else anything that calls the door and waits (a workflow's task, a
        # function, a pipe, Firehose delivering to an HTTP endpoint).
        clients = _callers(ctx, door) or ctx.sources(door.id, "task", "invoke-sync", "route", "enrich")
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
        roles = {"client": _ids(clients), "front_door": [door.id], "compute": _ids(backends), "stores": _ids(stores)}
        out.append(PatternMatch("sync", roles, tuple(missing)))
    for fn in ctx.diagram.of_type(["lambda"]):  # a function URL is its own front door, with no integration timeout
        clients = [n for n in ctx.sources(fn.id, "request") if ctx.is_(n, "clients")]
        if fn.config.get("url_auth") is not None and clients:
            stores = [s for s in ctx.targets(fn.id, "read", "write") if ctx.is_(s, "stores")]
            roles = {"client": _ids(clients), "front_door": [fn.id], "compute": [fn.id], "stores": _ids(stores)}
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
        if _is_dlq(ctx, queue):
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
            "front_door": _ids(doors),
            "producer": _ids(producer_nodes),
            "queue": [queue.id],
            "consumer": _ids(consumers),
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
        roles = {"front_door": _ids(doors), "producer": [source.id], "queue": [], "consumer": [target.id]}
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
        if _is_dlq(ctx, queue):
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
                "downstream": _ids(downstream),
            }
            out.append(PatternMatch("load-leveling", roles, tuple(missing)))
    return out


@recogniser("fan-out")
def _fan_out(ctx: Context) -> list[PatternMatch]:
    out = []
    for hub in ctx.nodes_in("topics") + ctx.nodes_in("buses"):
        subscriptions = ctx.fan_out(hub.id)  # subscribers whose filters never overlap are routed to, not fanned out
        if len(subscriptions) < 2:
            continue
        subscribers = [ctx.diagram.node(e.target) for e in subscriptions]
        queues, missing = [], []
        for sub in subscribers:
            if ctx.is_(sub, "queues"):
                queues.append(sub)
                if not ctx.has_dlq(sub.id):
                    missing.append(f"subscriber queue {ctx.name(sub.id)} has no dead-letter queue")
                if len(ctx.out(sub.id, "poll")) > 1:
                    missing.append(f"queue {ctx.name(sub.id)} is shared by several consumers; give each its own")
            elif sub.type in UNBUFFERED_TYPES and not LOSS_TOLERANT_TAGS & set(sub.tags):
                missing.append(f"{ctx.name(sub.id)} receives directly, not through its own SQS queue")
        consumers = [c for q in queues for c in ctx.targets(q.id, "poll")]
        roles = {
            "topic": [hub.id],
            "subscribers": _ids(subscribers),
            "queues": _ids(queues),
            "consumers": _ids(consumers),
        }
        out.append(PatternMatch("fan-out", roles, tuple(missing)))
    return out


def step_name(ctx: Context, edge: Edge) -> str:
    return str(edge.attr("step") or ctx.diagram.label(edge.target))


@recogniser("orchestration")
def _orchestration(ctx: Context) -> list[PatternMatch]:
    out = []
    for machine in ctx.nodes_in("state-machines"):
        tasks = ctx.out(machine.id, "task")
        if len(tasks) < 2:  # two services, or one service called by two steps
            continue
        missing = tuple(
            f"step {step_name(ctx, e)} (calls {ctx.name(e.target)}) has no Retry or Catch"
            for e in tasks
            if not (e.attr("retry") or e.attr("catch") or e.attr("on_error") or machine.config.get("retry_catch"))
        )
        roles = {"orchestrator": [machine.id], "tasks": list(dict.fromkeys(e.target for e in tasks))}
        out.append(PatternMatch("orchestration", roles, missing))
    return out


@recogniser("choreography")
def _choreography(ctx: Context) -> list[PatternMatch]:
    out = []
    for bus in ctx.nodes_in("buses"):
        producers = [p for p in ctx.sources(bus.id, "publish") if not ctx.is_(p, "clients")]
        consumers = ctx.targets(bus.id, "subscribe")
        if not producers or not consumers or (len(producers) < 2 and len(consumers) < 2):
            continue
        participants = {n.id for n in producers + consumers}
        if any(
            len(participants & {e.target for e in ctx.out(m.id, "task")}) >= 2 for m in ctx.nodes_in("state-machines")
        ):
            continue  # a state machine directs these services: that is orchestration
        missing = tuple(
            f"consumer {ctx.name(c.id)} has no failure path (a dead-letter queue or on-failure destination)"
            for c in consumers
            if not ctx.has_failure_path(c, via=bus)
        )
        out.append(
            PatternMatch(
                "choreography", {"bus": [bus.id], "producers": _ids(producers), "consumers": _ids(consumers)}, missing
            )
        )
    return out


NOTIFICATION_TYPES = frozenset({"sns", "sns-fifo", "ses", "eventbridge"})


def saga_gaps(ctx: Context, machine: Node) -> tuple[list[tuple[str, Edge]], list[str]]:
    """The steps of a saga that need a compensation and lack one, and other problems with its compensations.

    A step needs one when it changes something and another step follows it; error handlers are not steps, and a
    notification (a message, an e-mail, an event) can be neither undone nor needs to be: notifications that end the
    saga do not count as following steps either."""
    steps = [(step_name(ctx, e), e) for e in ctx.out(machine.id, "task") if not e.attr("on_error")]
    positions = {name: i for i, (name, _) in enumerate(steps)}
    compensations = ctx.out(machine.id, "compensate")
    undone = {str(e.attr("undoes")) for e in compensations}
    # A compensation of an entity covers every later step on it (CancelFlightReservation undoes ReserveFlight and
    # ConfirmFlight alike).
    covered = {name for name, _ in steps if any(same_entity(name, u) for u in undone)}
    work = list(steps)
    while work and ctx.diagram.node(work[-1][1].target).type in NOTIFICATION_TYPES:
        work.pop()
    uncovered = [
        (name, e)
        for name, e in work[:-1]
        if not e.attr("read_only")
        and name not in undone | covered
        and ctx.diagram.node(e.target).type not in NOTIFICATION_TYPES
    ]
    problems = [
        f"compensation {ctx.name(e.target)} undoes '{e.attr('undoes')}', which is not a step of {ctx.name(machine.id)}"
        for e in compensations
        if str(e.attr("undoes")) not in positions
    ]
    order = [positions[str(e.attr("undoes"))] for e in compensations if str(e.attr("undoes")) in positions]
    if order != sorted(order, reverse=True):
        problems.append("compensations do not run in reverse order of the steps they undo")
    return uncovered, problems


@recogniser("saga")
def _saga(ctx: Context) -> list[PatternMatch]:
    out = []
    for machine in ctx.nodes_in("state-machines"):
        tasks = ctx.out(machine.id, "task")
        compensations = ctx.out(machine.id, "compensate")
        if len(tasks) < 2 or not (compensations or "saga" in machine.tags):
            continue
        uncovered, problems = saga_gaps(ctx, machine)
        missing = [f"step {name} has no compensation" for name, _ in uncovered] + problems
        roles = {
            "orchestrator": [machine.id],
            "steps": list(dict.fromkeys(e.target for e in tasks)),
            "compensations": list(dict.fromkeys(e.target for e in compensations)),
        }
        out.append(PatternMatch("saga", roles, tuple(missing)))
    return out


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
        for client in _callers(ctx, door):
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
            PatternMatch("strangler-fig", {"front_door": [door.id], "new": _ids(new), "legacy": _ids(legacy)}, missing)
        )
    return out


def _event_stores(ctx: Context) -> list[Node]:
    return [n for n in ctx.diagram.of_type("dynamodb") if n.config.get("stream")] + ctx.nodes_in("streams")


@recogniser("event-sourcing-cqrs")
def _event_sourcing(ctx: Context) -> list[PatternMatch]:
    out = []
    for store in _event_stores(ctx):
        writes = [e for e in ctx.into(store.id, "write", "publish", "task") if not e.attr("read_only")]
        writers = [ctx.diagram.node(e.source) for e in writes]
        for projector in ctx.targets(store.id, "poll"):
            models = [m for m in ctx.targets(projector.id, "write") if ctx.is_(m, "read-models") and m.id != store.id]
            readers = [r for m in models for r in ctx.sources(m.id, "read")]
            if not writers or not readers:
                continue
            missing = []
            if not projector.config.get("idempotent", projector.type != "lambda"):
                missing.append(
                    f"projector {ctx.name(projector.id)} is not marked idempotent (records arrive at least once)"
                )
            if projector.type == "lambda" and not ctx.has_dlq(projector.id):
                missing.append(
                    f"projector {ctx.name(projector.id)} has no on-failure destination for records that keep failing"
                )
            roles = {
                "writer": _ids(writers),
                "event_store": [store.id],
                "projector": [projector.id],
                "read_model": _ids(models),
                "reader": _ids(readers),
            }
            out.append(PatternMatch("event-sourcing-cqrs", roles, tuple(missing)))
    return out


@recogniser("scheduled")
def _scheduled(ctx: Context) -> list[PatternMatch]:
    out = []
    for schedule in ctx.diagram.of_type("eventbridge-scheduler"):
        for target in ctx.targets(schedule.id, "trigger"):
            missing = []
            if schedule.config.get("retry_attempts", 185) == 0:
                missing.append(f"schedule {ctx.name(schedule.id)} has retries turned off")
            if not (ctx.has_dlq(schedule.id) or ctx.has_failure_path(target)):
                missing.append(f"runs of {ctx.name(target.id)} that keep failing go nowhere: add a dead-letter queue")
            out.append(PatternMatch("scheduled", {"schedule": [schedule.id], "target": [target.id]}, tuple(missing)))
    return out


def shard_shortfall(ctx: Context, stream: Node) -> str | None:
    """Why a provisioned stream's shards cannot take the profile's peak, or None when they can."""
    if stream.type != "kinesis" or stream.config.get("mode") == "on-demand" or not ctx.has_traffic:
        return None
    shards = int(stream.config.get("shards") or 1)
    peak = ctx.peak(stream.id)
    payload_kb = ctx.diagram.traffic.payload_kb if ctx.diagram.traffic else 1.0
    records_cap = shards * ctx.limit("kinesis", "shard_write_records_s")
    kb_cap = shards * ctx.limit("kinesis", "shard_write_kb_s")
    needed = max(
        peak / ctx.limit("kinesis", "shard_write_records_s"),
        peak * payload_kb / ctx.limit("kinesis", "shard_write_kb_s"),
    )
    if peak <= records_cap and peak * payload_kb <= kb_cap:
        return None
    return (
        f"{ctx.name(stream.id)} takes {peak:,.0f} records/s at peak ({peak * payload_kb:,.0f} KB/s) but {shards} "
        f"shard{'s' if shards != 1 else ''} accept {records_cap:,.0f} records/s and {kb_cap:,.0f} KB/s; "
        f"it needs at least {int(-(-needed // 1))} shards"
    )


STREAM_CONSUMERS = ("lambda", "eventbridge-pipe", "firehose", "fargate")
LANDING = ("s3", "opensearch", "dynamodb", "kinesis", "firehose")


@recogniser("stream-ingestion")
def _stream_ingestion(ctx: Context) -> list[PatternMatch]:
    """A stream (Kinesis, DynamoDB Streams) read by consumers, or Firehose landing records in a store."""
    out = []
    for stream in _event_stores(ctx):
        for poll in ctx.out(stream.id, "poll"):
            consumer = ctx.diagram.node(poll.target)
            if consumer.type not in STREAM_CONSUMERS:
                continue
            sinks = [
                n
                for n in ctx.targets(consumer.id, "write", "publish", "invoke-sync", "invoke-async")
                if n.type in LANDING
            ]
            missing: list[str] = []
            if consumer.type in ("lambda", "eventbridge-pipe") and not _bounded(poll):
                missing.append(
                    f"{ctx.name(consumer.id)} retries a failing batch until its records expire: bound the retries or "
                    "the record age and keep what fails (an on-failure destination)"
                )
            elif consumer.type in ("lambda", "eventbridge-pipe") and not ctx.has_dlq(consumer.id):
                missing.append(f"records {ctx.name(consumer.id)} gives up on go nowhere: add an on-failure destination")
            if gap := shard_shortfall(ctx, stream):
                missing.append(gap)
            roles = {"stream": [stream.id], "consumer": [consumer.id], "sink": _ids(sinks)}
            out.append(PatternMatch("stream-ingestion", roles, tuple(missing)))
    for hose in ctx.diagram.of_type("firehose"):
        if ctx.into(hose.id, "poll"):
            continue  # read from a stream: counted above
        sinks = [n for n in ctx.targets(hose.id, "write") if n.type in LANDING]
        if sinks:
            roles = {"stream": [hose.id], "consumer": [hose.id], "sink": _ids(sinks)}
            out.append(PatternMatch("stream-ingestion", roles, ()))
    return out


def _bounded(poll: Edge) -> bool:
    retries, age = poll.attr("max_retry_attempts"), poll.attr("max_record_age_s")
    return (retries is not None and retries >= 0) or (age is not None and age >= 0)


PATTERN_IDS = tuple(_RECOGNISERS)
