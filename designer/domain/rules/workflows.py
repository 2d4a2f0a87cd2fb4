"""Rules about state machine tasks: timeouts, callbacks and the errors their Catch clauses let through."""

from __future__ import annotations

from collections.abc import Iterator

from designer.domain.context import Context
from designer.domain.patterns import step_name
from designer.domain.rules.registry import Hit, RuleSpec, rule

BROAD_ERRORS = frozenset({"States.ALL", "States.TaskFailed", "States.Timeout"})


@rule("sfn-task-timeout-below-function")
def task_timeout_below_function(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for machine in ctx.nodes_in("state-machines"):
        for edge in ctx.out(machine.id, "task", "compensate"):
            fn = ctx.diagram.node(edge.target)
            limit = edge.attr("timeout_s")
            if fn.type != "lambda" or limit is None:
                continue
            timeout = float(fn.config["timeout_s"])
            if float(limit) < timeout:
                yield Hit(
                    f"Step {step_name(ctx, edge)} of {ctx.name(machine.id)} gives up after {float(limit):g} s, but "
                    f"{ctx.name(fn.id)} may run {timeout:g} s",
                    (machine.id, fn.id),
                    (edge.id,),
                )


@rule("callback-without-timeout")
def callback_without_timeout(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for machine in ctx.nodes_in("state-machines"):
        for edge in ctx.out(machine.id, "task"):
            if edge.attr("wait_for_callback") and edge.attr("timeout_s") is None and edge.attr("heartbeat_s") is None:
                yield Hit(
                    f"Step {step_name(ctx, edge)} of {ctx.name(machine.id)} waits for a task token with no "
                    "TimeoutSeconds or HeartbeatSeconds",
                    (machine.id, edge.target),
                    (edge.id,),
                )


@rule("catch-misses-runtime-errors")
def catch_misses_runtime_errors(ctx: Context, spec: RuleSpec) -> Iterator[Hit]:
    for machine in ctx.nodes_in("state-machines"):
        if not ctx.out(machine.id, "compensate"):
            continue
        for edge in ctx.out(machine.id, "task"):
            errors = [str(e) for e in edge.attr("catch_errors") or ()]
            if errors and not BROAD_ERRORS & set(errors):
                yield Hit(
                    f"Step {step_name(ctx, edge)} of {ctx.name(machine.id)} catches only {', '.join(errors[:4])}: a "
                    "crash, a throttle or a timeout skips the compensations",
                    (machine.id, edge.target),
                    (edge.id,),
                )
