"""Rules about time: timeouts, visibility, batches, workflow durations and cold starts."""

from __future__ import annotations

from collections.abc import Iterator

from designer.domain.context import Context, integration_timeout_s, sync_seconds
from designer.domain.diagram import Node
from designer.domain.rules.registry import Hit, RuleSpec, rule
from designer.domain.runtimes import cold_start_key


def _work_ms(fn: Node) -> float:
    """The longest run the configuration declares for a function (p99, else median)."""
    return float(fn.config.get("duration_p99_ms") or fn.config.get("duration_ms") or 0)


def _declared_s(node: Node) -> float | None:
    """How long a backend's work is declared to take, in seconds (p99, else median), or None when not declared."""
    if node.type == "lambda":
        given = node.given.get("duration_p99_ms") or node.given.get("duration_ms")
        return float(given) / 1000 if given else None
    return sync_seconds(node)


def _batch_ms(ctx: Context, fn: Node) -> list[tuple[str, float, int]]:
    """For each polled source: (edge id, time for a full batch in ms, batch size)."""
    per_record = fn.config.get("per_record_ms")
    if not per_record:
        return []
    out = []
    for edge in ctx.into(fn.id, "poll"):
        size = int(
            edge.attr("batch_size") or (100 if ctx.diagram.node(edge.source).type in ("kinesis", "dynamodb") else 10)
        )
        out.append((edge.id, float(per_record) * size, size))
    return out


def _secs(seconds: float) -> str:
    """Seconds for a message: whole when they are, else one decimal (so 300.4 is not shown as 300)."""
    return f"{seconds:,.0f}" if float(seconds).is_integer() else f"{seconds:,.1f}"


@rule("lambda-timeout-over-max")
def lambda_timeout_over_max(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for fn in ctx.diagram.of_type("lambda"):
        max_s = ctx.limit("lambda", "max_timeout_s")
        work_s = max([_work_ms(fn)] + [ms for _, ms, _ in _batch_ms(ctx, fn)]) / 1000
        if work_s > max_s:
            yield Hit(
                f"{ctx.name(fn.id)} needs about {_secs(work_s)} s per invocation, beyond Lambda's {max_s:g} s maximum",
                (fn.id,),
            )


@rule("lambda-duration-over-timeout")
def lambda_duration_over_timeout(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for fn in ctx.diagram.of_type("lambda"):
        timeout_s = float(fn.config["timeout_s"])
        work_s = _work_ms(fn) / 1000
        if timeout_s < work_s <= ctx.limit("lambda", "max_timeout_s"):
            yield Hit(f"{ctx.name(fn.id)} may run {work_s:g} s but times out after {timeout_s:g} s", (fn.id,))


@rule("sync-path-exceeds-integration-timeout")
def sync_path_timeout(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for door in ctx.nodes_in("front-doors"):
        limit = integration_timeout_s(door)
        if limit is None:
            continue
        for edge in ctx.out(door.id, "route", "invoke-sync"):
            backend = ctx.diagram.node(edge.target)
            seconds = sync_seconds(backend)
            if seconds is None or seconds <= limit:
                continue
            work = _declared_s(backend)
            if work is not None and work > limit:
                yield Hit(
                    f"{ctx.name(door.id)} waits at most {limit:g} s, but {ctx.name(backend.id)} takes about {work:g} s",
                    (door.id, backend.id),
                    (edge.id,),
                )
            else:  # only the timeout allows longer: slow runs fail, most do not
                yield Hit(
                    f"{ctx.name(door.id)} waits at most {limit:g} s, but {ctx.name(backend.id)} may run {seconds:g} s "
                    "before its timeout stops it",
                    (door.id, backend.id),
                    (edge.id,),
                    severity="warning",
                )


@rule("sqs-visibility-below-function-timeout")
def visibility_timeout(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    factor = spec.threshold("advised_factor")
    for queue in ctx.nodes_in("queues"):
        visibility = float(queue.config["visibility_timeout_s"])
        for edge in ctx.out(queue.id, "poll"):
            fn = ctx.diagram.node(edge.target)
            if fn.type != "lambda":
                continue
            timeout = float(fn.config["timeout_s"])
            window = float(edge.attr("batching_window_s") or 0)
            if visibility < timeout:
                yield Hit(
                    f"Queue {ctx.name(queue.id)} hides a message for {visibility:g} s but consumer {ctx.name(fn.id)} may run {timeout:g} s",
                    (queue.id, fn.id),
                    (edge.id,),
                )
            elif visibility < factor * timeout + window:
                yield Hit(
                    f"Queue {ctx.name(queue.id)} hides a message for {visibility:g} s; AWS advises at least {factor:g}x the "
                    f"{timeout:g} s timeout of {ctx.name(fn.id)} ({factor * timeout + window:g} s)",
                    (queue.id, fn.id),
                    (edge.id,),
                    severity="warning",
                )


@rule("batch-exceeds-timeout")
def batch_exceeds_timeout(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for fn in ctx.diagram.of_type("lambda"):
        timeout_ms = float(fn.config["timeout_s"]) * 1000
        for edge_id, batch_ms, size in _batch_ms(ctx, fn):
            if batch_ms > timeout_ms:
                yield Hit(
                    f"A batch of {size} records at {fn.config['per_record_ms']:g} ms each takes {batch_ms / 1000:g} s, "
                    f"longer than the {timeout_ms / 1000:g} s timeout of {ctx.name(fn.id)}",
                    (fn.id,),
                    (edge_id,),
                )


@rule("express-duration-exceeded")
def express_duration(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    max_s = ctx.limit("sfn-express", "max_duration_s")
    for machine in ctx.diagram.of_type("sfn-express"):
        seconds = float(machine.config.get("duration_ms") or 0) / 1000
        waits = [e for e in ctx.out(machine.id, "task") if e.attr("wait_for_callback")]
        if seconds > max_s:
            yield Hit(
                f"{ctx.name(machine.id)} runs about {_secs(seconds)} s; Express workflows stop at {max_s:g} s",
                (machine.id,),
            )
        if waits or machine.config.get("approval") in ("poll", "callback"):
            yield Hit(
                f"{ctx.name(machine.id)} waits for a callback or a human decision, which an Express workflow cannot do",
                (machine.id,),
                tuple(e.id for e in waits),
            )


@rule("polling-for-approval")
def polling_for_approval(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for machine in ctx.nodes_in("state-machines"):
        if machine.config.get("approval") == "poll":
            yield Hit(f"{ctx.name(machine.id)} polls for a decision instead of waiting on a task token", (machine.id,))


@rule("cold-start-on-latency-path")
def cold_start(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    p99 = ctx.limit("lambda", "cold_start_p99_ms")
    for door in ctx.nodes_in("front-doors"):
        target = door.config.get("latency_target_ms")
        if not target:
            continue
        for edge in ctx.out(door.id, "route", "invoke-sync"):
            fn = ctx.diagram.node(edge.target)
            if fn.type != "lambda" or fn.config.get("provisioned_concurrency"):
                continue
            runtime = fn.config["runtime"]
            snapstart = fn.config.get("snapstart") and runtime.startswith(("java", "python3.1", "dotnet"))
            key = "snapstart" if snapstart else cold_start_key(runtime, p99)
            cold_ms = p99[key]
            if cold_ms + _work_ms(fn) > target:
                yield Hit(
                    f"A cold start of {ctx.name(fn.id)} ({runtime}) can add about {cold_ms:,} ms at p99, beyond the "
                    f"{target:,} ms target of {ctx.name(door.id)}",
                    (door.id, fn.id),
                    (edge.id,),
                )
