"""Patterns of workflows: orchestration and saga."""

from __future__ import annotations

from designer.domain.context import Context
from designer.domain.diagram import Edge, Node
from designer.domain.patterns.registry import recogniser
from designer.domain.report import PatternMatch
from designer.domain.steps import same_entity

__all__ = ["NOTIFICATION_TYPES", "saga_gaps", "step_name"]


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
